//! Fastly's purge API: [`FastlyExecutor`].

use super::api::{ApiExecutor, Flavor};
use crate::edge::cdn::Cdn;
use crate::edge::plan::Batch;

/// Purges a Fastly service by surrogate keys.
///
/// Fastly: one `POST /service/{service_id}/purge` per batch (at most 256 surrogate keys, as
/// `{"surrogate_keys": [..]}`), authenticated by `Fastly-Key`, soft with `Fastly-Soft-Purge:
/// 1`. Acknowledged by a 200 whose JSON object names every key purged.
///
/// ```
/// use cache_contract::edge::FastlyExecutor;
/// let fastly = FastlyExecutor::new("SU1Z0isxPaozGVKXdv0eY", "token").soft(true);
/// assert!(!format!("{fastly:?}").contains("token\""));
/// ```
pub type FastlyExecutor = ApiExecutor<Fastly>;

/// The Fastly [`Flavor`] of [`ApiExecutor`].
#[derive(Debug, Clone)]
pub struct Fastly {
    service: String,
    soft: bool,
}

impl ApiExecutor<Fastly> {
    /// Purges service `service_id` with the API token `token` (scope `purge_select`).
    pub fn new(service_id: impl Into<String>, token: impl Into<String>) -> Self {
        let flavor = Fastly {
            service: service_id.into(),
            soft: false,
        };
        Self::with_flavor(flavor, token.into())
    }

    /// Soft purges: objects are marked stale rather than removed.
    pub fn soft(mut self, soft: bool) -> Self {
        self.flavor.soft = soft;
        self
    }
}

impl Flavor for Fastly {
    const CDN: Cdn = Cdn::Fastly;
    const DEFAULT_BASE: &'static str = "https://api.fastly.com";

    fn name(&self) -> String {
        format!("fastly service {}", self.service)
    }

    fn path(&self) -> String {
        format!("/service/{}/purge", self.service)
    }

    fn auth(&self, token: &str) -> (&'static str, String) {
        ("fastly-key", token.to_string())
    }

    fn headers(&self) -> Vec<(&'static str, &'static str)> {
        let mut headers = vec![("accept", "application/json")];
        if self.soft {
            headers.push(("fastly-soft-purge", "1"));
        }
        headers
    }

    fn body(&self, batch: &Batch) -> serde_json::Value {
        serde_json::json!({ "surrogate_keys": batch.tags.iter().map(|t| t.as_str()).collect::<Vec<_>>() })
    }

    fn acknowledged(&self, body: &[u8], batch: &Batch) -> Result<(), String> {
        let purged: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(body)
            .map_err(|e| format!("the purge answer is not a JSON object: {e}"))?;
        match batch.tags.iter().find(|t| !purged.contains_key(t.as_str())) {
            Some(missing) => Err(format!(
                "the purge answer does not acknowledge the key `{missing}`"
            )),
            None => Ok(()),
        }
    }
}
