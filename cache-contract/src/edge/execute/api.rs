//! The executors of CDNs purged through an HTTP API (Fastly, Cloudflare): one generic
//! [`ApiExecutor`] holding the base URL, the token and the client, and a [`Flavor`] per CDN
//! that writes its purge request and reads its acknowledgement.

use std::fmt;

use bytes::Bytes;
use http::{Method, Request};

use super::http::{Body, HttpClient};
use super::{AttemptError, PurgeExecutor};
use crate::edge::cdn::Cdn;
use crate::edge::plan::Batch;

/// What differs between two purge APIs.
pub trait Flavor: Send + Sync + 'static {
    /// The CDN.
    const CDN: Cdn;
    /// The API's base URL.
    const DEFAULT_BASE: &'static str;
    /// The target's printable name (a service, a zone).
    fn name(&self) -> String;
    /// The path (after the base URL) purge requests are posted to.
    fn path(&self) -> String;
    /// The authentication header for `token`.
    fn auth(&self, token: &str) -> (&'static str, String);
    /// Further headers of a purge request.
    fn headers(&self) -> Vec<(&'static str, &'static str)>;
    /// The JSON body purging `batch`.
    fn body(&self, batch: &Batch) -> serde_json::Value;
    /// Whether a 2xx answer's body acknowledges every tag of `batch`.
    fn acknowledged(&self, body: &[u8], batch: &Batch) -> Result<(), String>;
}

/// Purges one API target (a Fastly service, a Cloudflare zone) by tags. See
/// [`FastlyExecutor`](super::FastlyExecutor) and [`CloudflareExecutor`](super::CloudflareExecutor).
#[derive(Clone)]
pub struct ApiExecutor<F> {
    pub(super) flavor: F,
    base: String,
    token: String,
    names: Vec<String>,
    client: HttpClient,
}

impl<F: Flavor> fmt::Debug for ApiExecutor<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiExecutor")
            .field("cdn", &F::CDN)
            .field("target", &self.names[0])
            .field("base", &self.base)
            .field("token", &"***")
            .finish()
    }
}

impl<F: Flavor> ApiExecutor<F> {
    pub(super) fn with_flavor(flavor: F, token: String) -> Self {
        ApiExecutor {
            names: vec![flavor.name()],
            flavor,
            base: F::DEFAULT_BASE.to_string(),
            token,
            client: HttpClient::default(),
        }
    }

    /// Sends to another base URL than the API's own (a proxy, a test server).
    pub fn api_base(mut self, base: impl Into<String>) -> Self {
        self.base = base.into().trim_end_matches('/').to_string();
        self
    }

    /// Sends with `client`.
    pub fn with_client(mut self, client: HttpClient) -> Self {
        self.client = client;
        self
    }

    /// The purge request of `batch`: what [`PurgeExecutor::send`] sends.
    pub fn request(&self, batch: &Batch) -> Request<Body> {
        let (auth, value) = self.flavor.auth(&self.token);
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(format!("{}{}", self.base, self.flavor.path()))
            .header(auth, value)
            .header("content-type", "application/json");
        for (name, value) in self.flavor.headers() {
            request = request.header(name, value);
        }
        let body = serde_json::to_vec(&self.flavor.body(batch)).expect("JSON values serialize");
        request
            .body(Body::new(Bytes::from(body)))
            .expect("a purge request from checked parts")
    }
}

impl<F: Flavor> PurgeExecutor for ApiExecutor<F> {
    fn cdn(&self) -> Cdn {
        F::CDN
    }

    fn endpoints(&self) -> &[String] {
        &self.names
    }

    async fn send(&self, _endpoint: usize, batch: &Batch) -> Result<(), AttemptError> {
        let reply = self.client.send(self.request(batch)).await?;
        reply.acknowledged(&self.names[0])?;
        self.flavor
            .acknowledged(&reply.body, batch)
            .map_err(|e| AttemptError::refused(format!("{}: {e}", self.names[0])))
    }

    fn client(&self) -> &HttpClient {
        &self.client
    }
}
