//! Names of the metrics cache-contract records through the [`metrics`](https://docs.rs/metrics)
//! facade. Install any recorder (Prometheus, StatsD, ...) to export them; without one they
//! cost almost nothing.
//!
//! | name | kind | labels | meaning |
//! |------|------|--------|---------|
//! | `cache_contract_hits_total` | counter | `table`, `tier` (`local`/`redis`) | values served from a tier |
//! | `cache_contract_misses_total` | counter | `table` | lookups no tier could answer |
//! | `cache_contract_stale_total` | counter | `table` | entries of another contract hash or format version, or keyed entries read without a keyring, read as misses |
//! | `cache_contract_corrupt_total` | counter | `table` | corrupt entries (bad checksum, truncated, undecodable), deleted |
//! | `cache_contract_forged_total` | counter | `table` | entries whose tag does not verify under the Redis tier's keyring (forged, re-keyed or unkeyed), deleted |
//! | `cache_contract_foreign_tenant_total` | counter | `table` | entries of another tenant, table or row, refused and deleted |
//! | `cache_contract_stale_sets_refused_total` | counter | `table`, `tier` | loads not stored because an invalidation overtook them |
//! | `cache_contract_loads_total` | counter | `table` | loader calls (one per single-flight group) |
//! | `cache_contract_redis_errors_total` | counter | `table` | Redis tier failures (the lookup degrades to a miss) |
//! | `cache_contract_invalidations_sent_total` | counter | `transport` | invalidations published |
//! | `cache_contract_publish_errors_total` | counter | `transport` | failed publishes |
//! | `cache_contract_publish_seconds` | histogram | `transport` | publish latency (a batch) |
//! | `cache_contract_invalidations_received_total` | counter | `transport` | valid invalidations received |
//! | `cache_contract_invalidations_malformed_total` | counter | `transport` | malformed messages skipped |
//! | `cache_contract_invalidations_duplicate_total` | counter | `transport` | repeated ids dropped |
//! | `cache_contract_resyncs_total` | counter | `transport` | resyncs (local tiers flushed) |
//! | `cache_contract_invalidations_applied_total` | counter | `table` | invalidations applied to a cache |
//! | `cache_contract_edge_purge_requests_total` | counter | `cdn`, `outcome` (`ok`/`error`) | purge requests sent to an edge (feature `edge`) |
//! | `cache_contract_edge_purged_tags_total` | counter | `cdn` | tags in acknowledged purge requests |
//! | `cache_contract_edge_purge_seconds` | histogram | `cdn` | purge request latency |
//! | `cache_contract_edge_purge_retries_total` | counter | `cdn` | purge requests retried |
//! | `cache_contract_edge_purge_failures_total` | counter | `cdn` | (batch, endpoint) pairs given up on in a run |
//! | `cache_contract_edge_tag_overflows_total` | counter | `cdn` | responses sent uncacheable because their tags exceed the CDN's limits |
//! | `cache_contract_edge_bridged_total` | counter | | invalidations the edge bridge received |
//! | `cache_contract_edge_refused_total` | counter | | invalidations the contract guard refused |
//! | `cache_contract_edge_bridge_gaps_total` | counter | `transport` | disconnects and resyncs seen by the edge bridge (invalidations may be lost) |

/// Values served from a tier.
pub const HITS: &str = "cache_contract_hits_total";
/// Lookups no tier could answer.
pub const MISSES: &str = "cache_contract_misses_total";
/// Entries of another contract hash or format version.
pub const STALE: &str = "cache_contract_stale_total";
/// Corrupt entries.
pub const CORRUPT: &str = "cache_contract_corrupt_total";
/// Entries whose tag does not verify under the keyring.
pub const FORGED: &str = "cache_contract_forged_total";
/// Entries of another tenant, table or row.
pub const FOREIGN_TENANT: &str = "cache_contract_foreign_tenant_total";
/// Loads not stored because an invalidation overtook them.
pub const STALE_SETS_REFUSED: &str = "cache_contract_stale_sets_refused_total";
/// Loader calls.
pub const LOADS: &str = "cache_contract_loads_total";
/// Redis tier failures.
pub const REDIS_ERRORS: &str = "cache_contract_redis_errors_total";
/// Invalidations published.
pub const INVALIDATIONS_SENT: &str = "cache_contract_invalidations_sent_total";
/// Failed publishes.
pub const PUBLISH_ERRORS: &str = "cache_contract_publish_errors_total";
/// Publish latency, in seconds.
pub const PUBLISH_SECONDS: &str = "cache_contract_publish_seconds";
/// Valid invalidations received.
pub const INVALIDATIONS_RECEIVED: &str = "cache_contract_invalidations_received_total";
/// Malformed messages skipped.
pub const INVALIDATIONS_MALFORMED: &str = "cache_contract_invalidations_malformed_total";
/// Repeated ids dropped.
pub const INVALIDATIONS_DUPLICATE: &str = "cache_contract_invalidations_duplicate_total";
/// Resyncs.
pub const RESYNCS: &str = "cache_contract_resyncs_total";
/// Invalidations applied to a cache.
pub const INVALIDATIONS_APPLIED: &str = "cache_contract_invalidations_applied_total";
/// Purge requests sent to an edge.
pub const EDGE_PURGE_REQUESTS: &str = "cache_contract_edge_purge_requests_total";
/// Tags in acknowledged purge requests.
pub const EDGE_PURGED_TAGS: &str = "cache_contract_edge_purged_tags_total";
/// Purge request latency, in seconds.
pub const EDGE_PURGE_SECONDS: &str = "cache_contract_edge_purge_seconds";
/// Purge requests retried.
pub const EDGE_PURGE_RETRIES: &str = "cache_contract_edge_purge_retries_total";
/// (batch, endpoint) pairs given up on in a run.
pub const EDGE_PURGE_FAILURES: &str = "cache_contract_edge_purge_failures_total";
/// Responses made uncacheable because their tags overflow a CDN's limits.
pub const EDGE_TAG_OVERFLOWS: &str = "cache_contract_edge_tag_overflows_total";
/// Invalidations the edge bridge received.
pub const EDGE_BRIDGED: &str = "cache_contract_edge_bridged_total";
/// Invalidations the contract guard refused.
pub const EDGE_REFUSED: &str = "cache_contract_edge_refused_total";
/// Disconnects and resyncs seen by the edge bridge.
pub const EDGE_BRIDGE_GAPS: &str = "cache_contract_edge_bridge_gaps_total";
