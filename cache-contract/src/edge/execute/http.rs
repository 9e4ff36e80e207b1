//! The HTTP client the executors share: hyper's pooled client (keep-alive connections
//! reused across requests) over rustls with the webpki roots, speaking plain HTTP too (a
//! local Varnish, a test server).

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::AttemptError;
use super::retry::retry_after;

/// A request body.
pub type Body = Full<Bytes>;

/// A pooled HTTP/1.1 client with a per-request timeout. Cheap to clone; clones share the
/// connection pool.
#[derive(Clone)]
pub struct HttpClient {
    client: Client<HttpsConnector<HttpConnector>, Body>,
    timeout: Duration,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Default for HttpClient {
    fn default() -> Self {
        Self::new(Duration::from_secs(10))
    }
}

/// A response, read whole.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl HttpClient {
    /// A client whose requests (response body included) time out after `timeout`.
    pub fn new(timeout: Duration) -> Self {
        // The process's default crypto provider: *ring*, the only one this crate enables
        // (it builds without cmake or a C toolchain beyond cc, unlike aws-lc-rs).
        let tls = rustls::ClientConfig::builder()
            .with_root_certificates(rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            })
            .with_no_client_auth();
        let connector = HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .build();
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .build(connector);
        HttpClient { client, timeout }
    }

    /// Sends `request` and reads the whole response. A transport failure or a timeout is a
    /// retryable [`AttemptError`]; any response, whatever its status, is a [`Reply`].
    pub async fn send(&self, request: Request<Body>) -> Result<Reply, AttemptError> {
        let target = redact(&request.uri().to_string());
        let exchange = async {
            let response =
                self.client.request(request).await.map_err(|e| {
                    AttemptError::transport(format!("{target}: {}", error_chain(&e)))
                })?;
            let (parts, body) = response.into_parts();
            let body = body
                .collect()
                .await
                .map_err(|e| {
                    AttemptError::transport(format!("{target}: reading the response: {e}"))
                })?
                .to_bytes();
            Ok(Reply {
                status: parts.status,
                headers: parts.headers,
                body,
            })
        };
        match tokio::time::timeout(self.timeout, exchange).await {
            Ok(result) => result,
            Err(_) => Err(AttemptError::transport(format!(
                "{target}: no response within {:?}",
                self.timeout
            ))),
        }
    }
}

impl Reply {
    /// The reply as an attempt's outcome: 2xx acknowledges; 5xx and 429 are retryable
    /// (with the server's `Retry-After`); any other status is a refusal.
    pub fn acknowledged(&self, what: &str) -> Result<(), AttemptError> {
        if self.status.is_success() {
            return Ok(());
        }
        let body = String::from_utf8_lossy(&self.body[..self.body.len().min(300)]).into_owned();
        let retryable =
            self.status.is_server_error() || self.status == StatusCode::TOO_MANY_REQUESTS;
        Err(AttemptError {
            retryable,
            retry_after: retry_after(&self.headers, std::time::SystemTime::now()),
            status: Some(self.status.as_u16()),
            message: format!("{what} answered {}: {}", self.status, body.trim()),
        })
    }
}

/// An error and its sources, on one line.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        source = inner.source();
    }
    s
}

/// `uri` without a password (`user:secret@host` → `user:***@host`).
pub(crate) fn redact(uri: &str) -> String {
    let Some(scheme_end) = uri.find("://") else {
        return uri.to_string();
    };
    let rest = &uri[scheme_end + 3..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    match (authority.rfind('@'), authority.find(':')) {
        (Some(at), Some(colon)) if colon < at => format!(
            "{}{}:***{}",
            &uri[..scheme_end + 3],
            &authority[..colon],
            &rest[at..]
        ),
        _ => uri.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact("http://u:pw@h:1/x"), "http://u:***@h:1/x");
        assert_eq!(redact("http://h:1/x"), "http://h:1/x");
    }
}
