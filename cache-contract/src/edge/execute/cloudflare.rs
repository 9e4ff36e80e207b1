//! Cloudflare: one `POST /zones/{zone_id}/purge_cache` per batch (at most 100 tags, as
//! `{"tags": [..]}`), authenticated by `Authorization: Bearer <token>`. Acknowledged by a 2xx
//! whose JSON says `"success": true`.

use bytes::Bytes;
use http::{Method, Request};
use serde::{Deserialize, Serialize};

use super::http::{Body, HttpClient};
use super::{AttemptError, PurgeExecutor};
use crate::edge::cdn::Cdn;
use crate::edge::plan::Batch;

/// Purges a Cloudflare zone by cache tags; see the [module docs](self).
#[derive(Clone)]
pub struct CloudflareExecutor {
    api: String,
    zone: String,
    token: String,
    names: Vec<String>,
    client: HttpClient,
}

impl std::fmt::Debug for CloudflareExecutor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudflareExecutor")
            .field("api", &self.api)
            .field("zone", &self.zone)
            .field("token", &"***")
            .finish()
    }
}

#[derive(Serialize)]
struct PurgeTags<'a> {
    tags: Vec<&'a str>,
}

#[derive(Deserialize)]
struct Answer {
    success: bool,
    #[serde(default)]
    errors: Vec<serde_json::Value>,
}

impl CloudflareExecutor {
    /// Purges zone `zone_id` with the API token `token` (permission "Cache Purge").
    pub fn new(zone_id: impl Into<String>, token: impl Into<String>) -> Self {
        let zone = zone_id.into();
        CloudflareExecutor {
            api: "https://api.cloudflare.com/client/v4".to_string(),
            names: vec![format!("cloudflare zone {zone}")],
            zone,
            token: token.into(),
            client: HttpClient::default(),
        }
    }

    /// Sends to another API base URL than `https://api.cloudflare.com/client/v4`.
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
        let body = serde_json::to_vec(&PurgeTags {
            tags: batch.tags.iter().map(|t| t.as_str()).collect(),
        })
        .expect("strings serialize");
        Request::builder()
            .method(Method::POST)
            .uri(format!("{}/zones/{}/purge_cache", self.api, self.zone))
            .header("authorization", format!("Bearer {}", self.token))
            .header("content-type", "application/json")
            .body(Body::new(Bytes::from(body)))
            .expect("a purge request from checked parts")
    }
}

impl PurgeExecutor for CloudflareExecutor {
    fn cdn(&self) -> Cdn {
        Cdn::Cloudflare
    }

    fn endpoints(&self) -> &[String] {
        &self.names
    }

    async fn send(&self, _endpoint: usize, batch: &Batch) -> Result<(), AttemptError> {
        let reply = self.client.send(self.request(batch)).await?;
        reply.acknowledged(&self.names[0])?;
        let answer: Answer = serde_json::from_slice(&reply.body).map_err(|e| {
            AttemptError::refused(format!(
                "{}: the purge answer is not Cloudflare's JSON: {e}",
                self.names[0]
            ))
        })?;
        if answer.success {
            Ok(())
        } else {
            Err(AttemptError::refused(format!(
                "{}: purge refused: {}",
                self.names[0],
                serde_json::Value::Array(answer.errors)
            )))
        }
    }

    fn client(&self) -> &HttpClient {
        &self.client
    }
}
