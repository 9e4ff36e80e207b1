//! A tower layer that tags responses with the contracts their handler rendered.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use http::header::{CACHE_CONTROL, HeaderName, HeaderValue};
use tower_layer::Layer;
use tower_service::Service;

use super::cdn::Cdn;
use super::tag::Scope;
use super::tags::EdgeTags;
use crate::contract::CacheContract;
use crate::metrics as m;
use crate::tenant::TenantId;

/// What a handler rendered, shared between the layer and the handler through the request's
/// extensions. Cheap to clone; clones share the tags.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    tags: Arc<Mutex<EdgeTags>>,
}

impl Rendered {
    fn lock(&self) -> MutexGuard<'_, EdgeTags> {
        self.tags.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records that the response shows `row` ([`EdgeTags::row`]).
    pub fn row<T: CacheContract>(&self, row: &T) {
        self.lock().row(row);
    }

    /// Records that the response lists `rows` of `T` for `tenant` ([`EdgeTags::rows`]).
    pub fn rows<'a, T: CacheContract>(
        &self,
        tenant: &TenantId,
        rows: impl IntoIterator<Item = &'a T>,
    ) {
        self.lock().rows(tenant, rows);
    }

    /// Records that the response shows `T`'s table of `tenant` as a whole ([`EdgeTags::table`]).
    pub fn table<T: CacheContract>(&self, tenant: &TenantId) {
        self.lock().table::<T>(tenant);
    }

    /// Records one scope.
    pub fn insert(&self, scope: Scope) {
        self.lock().insert(scope);
    }

    /// Records every tag of `tags`.
    pub fn merge(&self, tags: &EdgeTags) {
        self.lock().merge(tags);
    }

    /// The tags recorded so far.
    pub fn tags(&self) -> EdgeTags {
        self.lock().clone()
    }
}

/// A tower layer that tags responses with the contracts their handler rendered.
///
/// The layer puts a [`Rendered`] into every request's extensions; the handler records what
/// it shows through it (in axum: an `Extension<Rendered>` argument), and may also put an
/// [`EdgeTags`] into the response's extensions. When the response comes back, the layer
/// merges both and writes each configured CDN's tag header. Tags that do not fit a CDN's
/// limits are never cut: the response is sent `Cache-Control: private, no-store` instead
/// (counted in `cache_contract_edge_tag_overflows_total`), so no edge keeps an object it
/// could not purge.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use cache_contract::edge::{Cdn, EdgeTagLayer, Rendered, Scope};
/// use cache_contract::TenantId;
/// use tower::{Layer, Service, ServiceExt};
///
/// let handler = tower::service_fn(|req: http::Request<()>| async move {
///     let rendered = req.extensions().get::<Rendered>().unwrap();
///     rendered.insert(Scope::Tenant { tenant: TenantId::new("acme") });
///     Ok::<_, std::convert::Infallible>(http::Response::new(()))
/// });
/// let mut service = EdgeTagLayer::new([Cdn::Varnish, Cdn::Fastly]).layer(handler);
/// let response = service.ready().await.unwrap().call(http::Request::new(())).await.unwrap();
/// assert_eq!(response.headers()["xkey"], "cct.tacme");
/// assert_eq!(response.headers()["surrogate-key"], "cct.tacme");
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct EdgeTagLayer {
    cdns: Arc<[Cdn]>,
}

impl EdgeTagLayer {
    /// Writes the tag header of each of `cdns` (several when CDNs are stacked, e.g. Varnish
    /// behind Fastly).
    pub fn new(cdns: impl IntoIterator<Item = Cdn>) -> Self {
        let mut cdns: Vec<Cdn> = cdns.into_iter().collect();
        cdns.sort();
        cdns.dedup();
        EdgeTagLayer { cdns: cdns.into() }
    }
}

impl<S> Layer<S> for EdgeTagLayer {
    type Service = EdgeTagService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        EdgeTagService {
            inner,
            cdns: self.cdns.clone(),
        }
    }
}

/// The service [`EdgeTagLayer`] wraps around a handler.
#[derive(Debug, Clone)]
pub struct EdgeTagService<S> {
    inner: S,
    cdns: Arc<[Cdn]>,
}

impl<S, ReqBody, ResBody> Service<http::Request<ReqBody>> for EdgeTagService<S>
where
    S: Service<http::Request<ReqBody>, Response = http::Response<ResBody>>,
{
    type Response = http::Response<ResBody>;
    type Error = S::Error;
    type Future = EdgeTagFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: http::Request<ReqBody>) -> Self::Future {
        let rendered = Rendered::default();
        req.extensions_mut().insert(rendered.clone());
        EdgeTagFuture {
            inner: self.inner.call(req),
            rendered,
            cdns: self.cdns.clone(),
        }
    }
}

pin_project_lite::pin_project! {
    /// The response future of [`EdgeTagService`].
    pub struct EdgeTagFuture<F> {
        #[pin]
        inner: F,
        rendered: Rendered,
        cdns: Arc<[Cdn]>,
    }
}

impl<F, B, E> Future for EdgeTagFuture<F>
where
    F: Future<Output = Result<http::Response<B>, E>>,
{
    type Output = Result<http::Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = match this.inner.poll(cx) {
            Poll::Ready(Ok(r)) => r,
            other => return other,
        };
        let mut tags = this.rendered.tags();
        if let Some(extra) = response.extensions_mut().remove::<EdgeTags>() {
            tags.merge(&extra);
        }
        if !tags.is_empty() {
            write_headers(&mut response, &tags, this.cdns);
        }
        Poll::Ready(Ok(response))
    }
}

/// Writes each CDN's tag header, or makes the response uncacheable when one overflows.
fn write_headers<B>(response: &mut http::Response<B>, tags: &EdgeTags, cdns: &[Cdn]) {
    let mut values = Vec::with_capacity(cdns.len());
    for &cdn in cdns {
        match tags.header_value(cdn) {
            Ok(value) => values.push((cdn, value)),
            Err(overflow) => {
                metrics::counter!(m::EDGE_TAG_OVERFLOWS, "cdn" => cdn.name()).increment(1);
                tracing::warn!(%overflow, "response not cacheable at the edge: its tags do not fit");
                let headers = response.headers_mut();
                for &cdn in cdns {
                    headers.remove(cdn.limits().response_header);
                }
                headers.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
                return;
            }
        }
    }
    let headers = response.headers_mut();
    for (cdn, value) in values {
        let name = HeaderName::from_bytes(cdn.limits().response_header.as_bytes())
            .expect("the CDNs' header names are valid");
        // Tags are `[a-z0-9._-]` and separators: always a valid header value.
        let value = HeaderValue::from_str(&value).expect("tags are visible ASCII");
        headers.insert(name, value);
    }
}
