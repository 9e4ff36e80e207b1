//! Fastly: one `POST /service/{service_id}/purge` per batch (at most 256 surrogate keys, as
//! `{"surrogate_keys": [..]}`), authenticated by `Fastly-Key`, soft with `Fastly-Soft-Purge:
//! 1`. Acknowledged by a 200 whose JSON object names every key purged.

use bytes::Bytes;
use http::{Method, Request};
use serde::Serialize;

use super::http::{Body, HttpClient};
use super::{AttemptError, PurgeExecutor};
use crate::edge::cdn::Cdn;
use crate::edge::plan::Batch;

/// Purges a Fastly service by surrogate keys; see the [module docs](self).
#[derive(Clone)]
pub struct FastlyExecutor {
    api: String,
    service: String,
    token: String,
    soft: bool,
    names: Vec<String>,
    client: HttpClient,
}

impl std::fmt::Debug for FastlyExecutor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FastlyExecutor")
            .field("api", &self.api)
            .field("service", &self.service)
            .field("token", &"***")
            .field("soft", &self.soft)
            .finish()
    }
}

#[derive(Serialize)]
struct PurgeKeys<'a> {
    surrogate_keys: Vec<&'a str>,
}

impl FastlyExecutor {
    /// Purges service `service_id` with the API token `token` (scope `purge_select`).
    pub fn new(service_id: impl Into<String>, token: impl Into<String>) -> Self {
        let service = service_id.into();
        FastlyExecutor {
            api: "https://api.fastly.com".to_string(),
            names: vec![format!("fastly service {service}")],
            service,
            token: token.into(),
            soft: false,
            client: HttpClient::default(),
        }
    }

    /// Soft purges: objects are marked stale rather than removed.
    pub fn soft(mut self, soft: bool) -> Self {
        self.soft = soft;
        self
    }

    /// Sends to another API base URL than `https://api.fastly.com` (a proxy, a test server).
    pub fn api_base(mut self, base: impl Into<String>) -> Self {
        self.api = base.into().trim_end_matches('/').to_string();
        self
    }

    /// Sends with `client`.
    pub fn with_client(mut self, client: HttpClient) -> Self {
        self.client = client;
        self
    }

    /// The purge request of `batch`: what [`PurgeExecutor::send`] sends.
    pub fn request(&self, batch: &Batch) -> Request<Body> {
        let body = serde_json::to_vec(&PurgeKeys {
            surrogate_keys: batch.tags.iter().map(|t| t.as_str()).collect(),
        })
        .expect("strings serialize");
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(format!("{}/service/{}/purge", self.api, self.service))
            .header("fastly-key", &self.token)
            .header("accept", "application/json")
            .header("content-type", "application/json");
        if self.soft {
            request = request.header("fastly-soft-purge", "1");
        }
        request
            .body(Body::new(Bytes::from(body)))
            .expect("a purge request from checked parts")
    }
}

impl PurgeExecutor for FastlyExecutor {
    fn cdn(&self) -> Cdn {
        Cdn::Fastly
    }

    fn endpoints(&self) -> &[String] {
        &self.names
    }

    async fn send(&self, _endpoint: usize, batch: &Batch) -> Result<(), AttemptError> {
        let reply = self.client.send(self.request(batch)).await?;
        reply.acknowledged(&self.names[0])?;
        let purged: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(&reply.body).map_err(|e| {
                AttemptError::refused(format!(
                    "{}: the purge answer is not a JSON object: {e}",
                    self.names[0]
                ))
            })?;
        match batch.tags.iter().find(|t| !purged.contains_key(t.as_str())) {
            Some(missing) => Err(AttemptError::refused(format!(
                "{}: the purge answer does not acknowledge the key `{missing}`",
                self.names[0]
            ))),
            None => Ok(()),
        }
    }

    fn client(&self) -> &HttpClient {
        &self.client
    }
}
