//! Varnish with vmod-xkey: [`VarnishExecutor`] and the VCL it needs ([`vcl`]).

use bytes::Bytes;
use http::{Method, Request, Uri};

use super::http::{Body, HttpClient};
use super::{AttemptError, PurgeExecutor};
use crate::edge::cdn::Cdn;
use crate::edge::plan::Batch;

/// The reference VCL (Varnish 6 and 7, vmod-xkey), its backend set to `host`:`port`: tags
/// from the `xkey` response header, `PURGE` with `xkey-purge`/`xkey-softpurge` from
/// loopback (edit the `purgers` ACL for your network), `X-Cache: HIT|MISS` on every response.
///
/// ```
/// let vcl = cache_contract::edge::vcl("127.0.0.1", 8080);
/// assert!(vcl.contains("import xkey;"));
/// assert!(vcl.contains(".port = \"8080\";"));
/// ```
pub fn vcl(host: &str, port: u16) -> String {
    include_str!("varnish.vcl")
        .replace("{{BACKEND_HOST}}", host)
        .replace("{{BACKEND_PORT}}", &port.to_string())
}

/// Purges every configured Varnish node.
///
/// Varnish with vmod-xkey: an HTTP `PURGE` carrying the batch's tags in `xkey-purge` (or
/// `xkey-softpurge`), sent to every node. The VCL that answers it is [`vcl`].
#[derive(Debug, Clone)]
pub struct VarnishExecutor {
    nodes: Vec<Uri>,
    names: Vec<String>,
    header: &'static str,
    client: HttpClient,
}

impl VarnishExecutor {
    /// Purges the nodes at `nodes` (base URLs such as `http://10.0.0.5:6081`), hard purges.
    ///
    /// ```
    /// use cache_contract::edge::VarnishExecutor;
    /// assert!(VarnishExecutor::new(["http://127.0.0.1:6081"]).is_ok());
    /// assert!(VarnishExecutor::new(["not a url"]).is_err());
    /// ```
    pub fn new<S: AsRef<str>>(nodes: impl IntoIterator<Item = S>) -> Result<Self, String> {
        let mut uris = Vec::new();
        let mut names = Vec::new();
        for node in nodes {
            let node = node.as_ref();
            let uri: Uri = node.parse().map_err(|e| {
                format!(
                    "Varnish node `{}` is not a URL: {e}",
                    super::http::redact(node)
                )
            })?;
            if uri.scheme().is_none() || uri.authority().is_none() {
                return Err(format!(
                    "Varnish node `{}` needs a scheme and a host, e.g. http://127.0.0.1:6081",
                    super::http::redact(node)
                ));
            }
            names.push(format!("varnish {}", super::http::redact(node)));
            // Purges go to `/` of the node: built once, cloned per request.
            let mut parts = uri.into_parts();
            parts.path_and_query = Some(http::uri::PathAndQuery::from_static("/"));
            uris.push(
                Uri::from_parts(parts)
                    .map_err(|e| format!("Varnish node `{}`: {e}", super::http::redact(node)))?,
            );
        }
        Ok(VarnishExecutor {
            nodes: uris,
            names,
            header: "xkey-purge",
            client: HttpClient::default(),
        })
    }

    /// Soft purges (`xkey-softpurge`: objects become stale, served while refetched) instead
    /// of hard ones.
    pub fn soft(mut self, soft: bool) -> Self {
        self.header = if soft { "xkey-softpurge" } else { "xkey-purge" };
        self
    }

    /// Sends with `client` (e.g. one with another timeout).
    pub fn with_client(mut self, client: HttpClient) -> Self {
        self.client = client;
        self
    }

    /// The purge request of `batch` for node `node`: what [`PurgeExecutor::send`] sends.
    pub fn request(&self, node: usize, batch: &Batch) -> Request<Body> {
        let value = batch
            .tags
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        Request::builder()
            .method(Method::from_bytes(b"PURGE").expect("PURGE is a method"))
            .uri(self.nodes[node].clone())
            .header(self.header, value)
            .body(Body::new(Bytes::new()))
            .expect("a purge request from checked parts")
    }
}

impl PurgeExecutor for VarnishExecutor {
    fn cdn(&self) -> Cdn {
        Cdn::Varnish
    }

    fn endpoints(&self) -> &[String] {
        &self.names
    }

    async fn send(&self, endpoint: usize, batch: &Batch) -> Result<(), AttemptError> {
        let reply = self.client.send(self.request(endpoint, batch)).await?;
        reply.acknowledged(&self.names[endpoint])
    }

    fn client(&self) -> &HttpClient {
        &self.client
    }
}
