//! Edge caches (CDNs): surrogate-key tags from contracts, a tower layer that tags responses,
//! deterministic purge plans, and executors that purge Varnish, Fastly and Cloudflare.
//! Behind the `edge` feature: a service without an edge cache compiles no HTTP client.
//!
//! ```text
//! handler renders rows --Rendered--> EdgeTagLayer --xkey / Surrogate-Key / Cache-Tag--> edge
//! invalidations --Subscriber--> EdgeBridge --InvalidationPlan--> Purger<executor> --PURGE / API--> edge
//! ```
//!
//! - [`Scope`] and [`Tag`]: what a response shows (a tenant, a table of a tenant, a row, a
//!   table's contract) as a tag every CDN accepts, injective by construction;
//! - [`EdgeTags`], [`Cdn`], [`CdnLimits`]: a response's tags and each CDN's header and limits;
//! - [`EdgeTagLayer`] and [`Rendered`]: the tower (axum) layer;
//! - [`InvalidationPlan`], [`ContractGuard`], [`SchemaChange`]: what to purge;
//! - [`Purger`], [`PurgeExecutor`], [`VarnishExecutor`], [`FastlyExecutor`],
//!   [`CloudflareExecutor`]: how, with retries, resumably;
//! - [`EdgeBridge`]: from any invalidation subscriber to an executor.

mod bridge;
mod cdn;
mod execute;
mod layer;
mod plan;
mod tag;
mod tags;

pub use bridge::{BridgeConfig, BridgeStats, EdgeBridge};
pub use cdn::{Cdn, CdnLimits};
pub use execute::{
    ApiExecutor, AttemptError, BatchFailure, Body, Cloudflare, CloudflareExecutor, Execution,
    Fastly, FastlyExecutor, Flavor, HttpClient, PurgeExecutor, Purger, Reply, RetryPolicy,
    RunReport, VarnishExecutor, Verified, vcl,
};
pub use layer::{EdgeTagFuture, EdgeTagLayer, EdgeTagService, Rendered};
pub use plan::{
    Batch, ContractGuard, GuardError, InvalidationPlan, PLAN_VERSION, Purge, SchemaChange,
};
pub use tag::{MAX_TAG_LEN, Scope, Tag};
pub use tags::{EdgeTags, TagOverflow};
