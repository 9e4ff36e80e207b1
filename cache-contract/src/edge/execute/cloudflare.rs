//! Cloudflare's purge API: [`CloudflareExecutor`].

use serde::Deserialize;

use super::api::{ApiExecutor, Flavor};
use crate::edge::cdn::Cdn;
use crate::edge::plan::Batch;

/// Purges a Cloudflare zone by cache tags.
///
/// Cloudflare: one `POST /zones/{zone_id}/purge_cache` per batch (at most 100 tags, as
/// `{"tags": [..]}`), authenticated by `Authorization: Bearer <token>`. Acknowledged by a 2xx
/// whose JSON says `"success": true`.
pub type CloudflareExecutor = ApiExecutor<Cloudflare>;

/// The Cloudflare [`Flavor`] of [`ApiExecutor`].
#[derive(Debug, Clone)]
pub struct Cloudflare {
    zone: String,
}

#[derive(Deserialize)]
struct Answer {
    success: bool,
    #[serde(default)]
    errors: Vec<serde_json::Value>,
}

impl ApiExecutor<Cloudflare> {
    /// Purges zone `zone_id` with the API token `token` (permission "Cache Purge").
    pub fn new(zone_id: impl Into<String>, token: impl Into<String>) -> Self {
        Self::with_flavor(
            Cloudflare {
                zone: zone_id.into(),
            },
            token.into(),
        )
    }
}

impl Flavor for Cloudflare {
    const CDN: Cdn = Cdn::Cloudflare;
    const DEFAULT_BASE: &'static str = "https://api.cloudflare.com/client/v4";

    fn name(&self) -> String {
        format!("cloudflare zone {}", self.zone)
    }

    fn path(&self) -> String {
        format!("/zones/{}/purge_cache", self.zone)
    }

    fn auth(&self, token: &str) -> (&'static str, String) {
        ("authorization", format!("Bearer {token}"))
    }

    fn headers(&self) -> Vec<(&'static str, &'static str)> {
        Vec::new()
    }

    fn body(&self, batch: &Batch) -> serde_json::Value {
        serde_json::json!({ "tags": batch.tags.iter().map(|t| t.as_str()).collect::<Vec<_>>() })
    }

    fn acknowledged(&self, body: &[u8], _batch: &Batch) -> Result<(), String> {
        let answer: Answer = serde_json::from_slice(body)
            .map_err(|e| format!("the purge answer is not Cloudflare's JSON: {e}"))?;
        if answer.success {
            Ok(())
        } else {
            Err(format!(
                "purge refused: {}",
                serde_json::Value::Array(answer.errors)
            ))
        }
    }
}
