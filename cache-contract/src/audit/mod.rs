//! The consistency audit (feature `audit`): every Redis entry of the registered contracts
//! against its database row, per tenant, with digests, a baseline, a JSON Lines audit log
//! and remediation.
//!
//! ```no_run
//! use cache_contract::audit::{Audit, AuditConfig, RowSource, Scope};
//! use cache_contract::tiered::RedisTier;
//! # #[derive(cache_contract::CacheContract, serde::Serialize, serde::Deserialize)]
//! # #[cache(table = "users", migrations = "tests/doc_migrations")]
//! # struct User { tenant_id: String, id: i64, name: String }
//! // `rows`: e.g. `audit::rows::PostgresRows::connect(url).await?` (feature `audit-postgres`).
//! async fn audit(rows: impl RowSource + 'static) -> Result<bool, Box<dyn std::error::Error>> {
//!     let tier = RedisTier::connect("redis://127.0.0.1/", "app:", std::time::Duration::from_secs(600)).await?;
//!     let audit = Audit::new(tier, rows)
//!         .contract::<User>()
//!         .config(AuditConfig { rate_limit: Some(50_000), ..AuditConfig::default() });
//!     let report = audit.run(&Scope::AllTenants).await?;
//!     report.write_log(&mut std::io::stdout(), None)?;
//!     if !report.is_consistent() {
//!         println!("{}", audit.plan_fix(&report)); // the dry run
//!     }
//!     Ok(report.is_consistent())
//! }
//! ```
//!
//! # How it works
//!
//! 1. **List** the entries with `SCAN` and a `MATCH` pattern from
//!    [`RedisKeys`](crate::key::RedisKeys) ([`all_entries_pattern`](crate::key::RedisKeys::all_entries_pattern),
//!    or [`tenant_entries_pattern`](crate::key::RedisKeys::tenant_entries_pattern) per tenant
//!    asked for), `COUNT` [`AuditConfig::scan_count`] at a time, never `KEYS`. Tenant ids are
//!    escaped in keys, so a tenant id holding `:*?[]\` matches only its own keys. The walk and
//!    the reads are paced to [`AuditConfig::rate_limit`] key reads per second.
//! 2. **Read** them in batches ([`AuditConfig::batch`]) with one `MGET` each, together with
//!    the generations of their tenants and tables; several batches are in flight
//!    ([`AuditConfig::concurrency`]), each on a tokio task of its own, so that opening and
//!    comparing use every worker thread.
//! 3. **Open** each [envelope](crate::envelope) as the registered contract type (with the
//!    deployment keyring of the Redis tier, if it has one) and turn the value into its
//!    columns through the contract's column mapping (the value is serialized field by field
//!    into JSON values: fields are found by their Rust names, so cached structs must not
//!    rename fields for serde).
//! 4. **Fetch** the rows, with statements generated from the contract, each row as one JSON
//!    array of its columns in [`TableSpec::selected`] order (PostgreSQL `json_build_array`,
//!    MySQL and MariaDB `JSON_ARRAY`, SQLite `json_array`; no `FromRow` is needed):
//!    - **by tenant range**: once the walk has listed enough entries of a tenant's table to
//!      estimate that most of its rows are cached, all its rows with one statement
//!      ([`TableSpec::select_tenant`], bounded by a few times the estimate; only where an
//!      index begins with the tenant column). The rows are kept for the batches still to
//!      come, packed (a hash of each row's key and 64 bits of the checksum of its canonical
//!      values), up to [`AuditConfig::cached_rows`] rows (least recently used tenants go
//!      first). A `SCAN` over every tenant lists each tenant's
//!      entries spread over the whole walk, so the rows are cached, not the entries held:
//!      the walk streams on. A range that comes back full, or was dropped to make room, is
//!      not read again: its tenant is checked by key for the rest of the run (and
//!      a table whose ranges mostly come back full reads no more of them).
//!    - **by key** for the other entries: one statement per contract and batch
//!      ([`TableSpec::select`]), filtered on the tenant column and the key columns.
//!      PostgreSQL prepares the statements once per connection and runs them with a generic
//!      plan (one index probe per key; see `rows::PostgresRows`).
//!
//!    [`Report::row_reads`] counts the rows read both ways.
//! 5. **Compare** column by column after [normalization](#normalization); with a cached
//!    range, the checksum of the entry's canonical values with its row's. An entry that
//!    differs from its row in a cached range, or whose row the range lacks, is checked again
//!    by key: its row may have been written since the range was read. So `stale` and
//!    `orphan` are always judged against a row read after the entry; `fresh` means the entry
//!    equals its row as read during the run.
//!
//! # Findings
//!
//! Each entry gets exactly one [`FindingKind`]: `fresh`; `stale` (names the differing
//! columns; the values only with [`AuditConfig::show_values`]); `orphan` (the row is gone);
//! `corrupt` (checksum, truncation, undecodable payload, or another row than its key names);
//! `older_schema` (another contract hash: never read, harmless); `wrong_tenant` (an entry
//! under one tenant's key that claims another tenant — a security finding); `unreadable_key`;
//! `forged` (a keyed audit met an entry whose MAC does not verify — a security finding);
//! `unverifiable` (keyed entry, unkeyed audit; or a newer envelope format); `superseded`
//! (under an earlier generation: unreachable, harmless). The status is `DRIFT` when any
//! entry is stale, orphan, corrupt, wrong-tenant, unreadable or forged, else `CONSISTENT`.
//!
//! A [`Report`] keeps a [`Finding`] for every entry that is not fresh (and for fresh ones
//! too with [`AuditConfig::fresh_findings`]); fresh entries are counted and digested. A key
//! the `SCAN` walk lists twice (Redis may, while it rehashes) counts once.
//!
//! Per tenant, the report counts the kinds and computes a **digest**: blake3 over the
//! tenant's entries sorted by Redis key, each as (key, entry checksum, row checksum), where
//! the entry checksum is blake3 of the entry's bytes and the row checksum blake3 of the row's
//! canonical column values. An unchanged system gives the same digests run after run; a
//! [`Baseline`] keeps them with the counts, reports [regressions](Baseline::regressions)
//! (more stale, orphan, corrupt, ... entries for a tenant than in the baseline) and is
//! written atomically.
//!
//! # Normalization
//!
//! Entry and row values are both JSON; each is reduced to one canonical text per column by
//! the column's type family ([`ColumnMapping::family`](crate::ColumnMapping::family)), and
//! the texts compared ([`normalize::canonical`]):
//!
//! | family | canonical form |
//! |--------|----------------|
//! | integers | the decimal integer (`42` and `"42"` are equal) |
//! | `Numeric` | the shortest exact decimal: no `+`, no leading or trailing zeros, exponents expanded (`12.50` = `12.5` = `1.25e1`); rows select it as text, so no precision is lost |
//! | `Float4` / `Float8` | the value rounded to `f32` / `f64` |
//! | `Bool` | `true` / `false` (`1`, `0`, `t`, `f` accepted) |
//! | `Timestamp` / `Timestamptz` | the instant in UTC, truncated to microseconds; `T` or a blank, any offset; no offset reads as UTC (MySQL sessions run in UTC) |
//! | `Time` | `HH:MM:SS` with the fraction's trailing zeros dropped |
//! | `Bytes` | lower-case hex (serde's byte arrays, the row's hex) |
//! | `Enum` | the label in lower case without `_`, `-` and blanks (`InProgress` = `in_progress`) |
//! | `Uuid` | lower case |
//! | `Json` | sorted keys, integral numbers as integers; JSON kept as text is parsed |
//! | `Text` | as is (`character(n)`: trailing blanks dropped) |
//! | `Array<E>` | each element by `E` |
//! | others | a string as is, anything else as compact JSON |
//!
//! SQL `NULL` and JSON `null` are one value, distinct from every text.
//!
//! # The audit log
//!
//! [`Report::write_log`] writes JSON Lines, format version 1 (`"v": 1` on every line).
//! One line per finding (so fresh entries only with [`AuditConfig::fresh_findings`]), in
//! tenant, table, key order:
//!
//! ```json
//! {"v":1,"type":"finding","kind":"stale","security":false,"tenant":"acme","table":"users","redis_key":"app:cc2:{t.acme}:e:users:1a2b3c4d:g0.0:7","key":["7"],"columns":["name"],"detail":"differs in name","entry_checksum":"…","row_checksum":"…"}
//! ```
//!
//! `tenant` is `null` for the global scope and for unreadable keys; `table` and `key` are
//! `null` for unreadable keys; `columns` (stale only), `values` (stale, with `show_values`:
//! `{"<column>": {"entry": …, "row": …}}`, canonical texts or `null`) and `detail` are
//! omitted when empty; checksums are `""` when there is nothing to hash. Then one summary line:
//!
//! ```json
//! {"v":1,"type":"summary","status":"DRIFT","entries":1000,"counts":{"fresh":998,"stale":2},"other_tables":0,"tenants":[{"tenant":"acme","counts":{"fresh":998,"stale":2},"digest":"…"}],"started_at_ms":1733500000000,"duration_ms":812,"row_reads":1000,"regressions":[{"tenant":"acme","kind":"stale","before":0,"after":2}]}
//! ```
//!
//! `regressions` is present when the run was compared with a baseline. New fields may be
//! added to either line within a version; a field is never removed or retyped.
//!
//! # Remediation
//!
//! [`Audit::plan_fix`] is the dry run: a [`FixPlan`] whose `Display` lists each step.
//! [`Audit::apply_fix`] invalidates stale, orphan and corrupt entries as writes would (row
//! versions bumped, entries deleted, a `keys` invalidation published on the transport you
//! pass, so running services drop their local copies), bumps a table's generation for a
//! tenant whose entries of it are mostly stale, and deletes wrong-tenant and forged entries
//! and unreadable keys (keys under the entry namespace, which only this library writes).

mod capture;
mod contract;
pub mod finding;
mod fix;
pub mod normalize;
pub mod query;
mod ranges;
mod report;
pub mod rows;
mod run;
mod scan;

pub use finding::{Counts, Finding, FindingKind, ValuePair};
pub use fix::{FixAction, FixOutcome, FixPlan};
pub use query::{Dialect, TableSpec};
pub use report::{Baseline, LOG_VERSION, Regression, Report, TenantSummary};
pub use rows::{RowError, RowKey, RowSource};

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use contract::{Audited, Contracted};

use crate::contract::CacheContract;
use crate::envelope::Keyring;
use crate::invalidation::PublishError;
use crate::tenant::TenantId;
use crate::tiered::RedisTier;

/// How an audit runs.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditConfig {
    /// `SCAN ... COUNT` (default 1000).
    pub scan_count: u32,
    /// Entries read with one `MGET` and checked against their rows with one statement per
    /// contract (default 1000).
    pub batch: usize,
    /// Batches in flight at once (default 4).
    pub concurrency: usize,
    /// At most this many key reads per second (a `SCAN` counts as its `COUNT`, an `MGET` as
    /// its keys); `None` (default): unlimited.
    pub rate_limit: Option<u32>,
    /// Put the differing values of stale entries in the findings (default `false`: only the
    /// columns are named, values are redacted).
    pub show_values: bool,
    /// Keep a [`Finding`] for every fresh entry too, e.g. for an audit log of every entry
    /// (default `false`: fresh entries are counted and digested, and only entries that are
    /// not fresh have findings; a finding per entry costs memory and time on large runs).
    pub fresh_findings: bool,
    /// The share of a tenant's entries of a table above which a fix bumps the table's
    /// generation instead of invalidating the stale entries one by one (default 0.5).
    pub mostly_stale: f64,
    /// At most this many rows read by tenant range are kept during a run, for the batches
    /// still to come (default 200,000; least recently used tenants go first; 0: every row
    /// is fetched by key). See [how it works](self#how-it-works).
    pub cached_rows: usize,
}

impl Default for AuditConfig {
    fn default() -> Self {
        AuditConfig {
            scan_count: 1000,
            batch: 1000,
            concurrency: 4,
            rate_limit: None,
            show_values: false,
            fresh_findings: false,
            mostly_stale: 0.5,
            cached_rows: 200_000,
        }
    }
}

/// Which tenants an audit covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every tenant and the global scope: one `SCAN` walk.
    AllTenants,
    /// These tenants only (one walk each; [`TenantId::global`] for global tables).
    Tenants(Vec<TenantId>),
}

/// How far a run is, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Keys listed by `SCAN` so far.
    pub keys_listed: u64,
    /// Entries given a verdict so far.
    pub entries_audited: u64,
}

/// Why an audit could not run.
#[derive(Debug)]
pub enum AuditError {
    /// Redis failed.
    Redis(redis::RedisError),
    /// The database failed.
    Rows(RowError),
    /// Publishing the fix's invalidations failed (Redis was changed).
    Publish(PublishError),
    /// The tier is a Redis Cluster connection: `SCAN` walks one node. Audit each primary
    /// with a node connection instead.
    Cluster,
    /// A contract's struct serializes without one of its mapped fields' names.
    Unmappable {
        /// The table.
        table: &'static str,
        /// The field.
        field: &'static str,
    },
}

impl fmt::Display for AuditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuditError::Redis(e) => write!(f, "audit: Redis failed: {e}"),
            AuditError::Rows(e) => write!(f, "audit: {e}"),
            AuditError::Publish(e) => write!(f, "audit fix: {e}"),
            AuditError::Cluster => f.write_str(
                "audit: SCAN needs a connection to one node; audit each primary of the cluster with a node connection",
            ),
            AuditError::Unmappable { table, field } => write!(
                f,
                "audit: the cached struct of `{table}` serializes without its field `{field}`; remove `#[serde(rename)]`/`skip` from cached structs' fields"
            ),
        }
    }
}

impl std::error::Error for AuditError {}

impl From<redis::RedisError> for AuditError {
    fn from(e: redis::RedisError) -> Self {
        AuditError::Redis(e)
    }
}

impl From<RowError> for AuditError {
    fn from(e: RowError) -> Self {
        AuditError::Rows(e)
    }
}

impl From<PublishError> for AuditError {
    fn from(e: PublishError) -> Self {
        AuditError::Publish(e)
    }
}

/// An audit of the entries of a [`RedisTier`] against the rows of a [`RowSource`], for the
/// registered contract types. Reads with the tier's keyring, if it has one.
pub struct Audit {
    tier: RedisTier,
    keyring: Option<Arc<Keyring>>,
    rows: Arc<dyn RowSource>,
    contracts: HashMap<&'static str, Arc<dyn Audited>>,
    config: AuditConfig,
}

impl fmt::Debug for Audit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut tables: Vec<_> = self.contracts.keys().collect();
        tables.sort();
        f.debug_struct("Audit")
            .field("tier", &self.tier)
            .field("dialect", &self.rows.dialect())
            .field("tables", &tables)
            .field("config", &self.config)
            .finish()
    }
}

impl Audit {
    /// An audit of `tier`'s entries against `rows`, with the default configuration and no
    /// contract registered yet.
    pub fn new(tier: RedisTier, rows: impl RowSource + 'static) -> Self {
        Audit {
            keyring: tier.keyring().cloned().map(Arc::new),
            tier,
            rows: Arc::new(rows),
            contracts: HashMap::new(),
            config: AuditConfig::default(),
        }
    }

    /// Audits the entries of `T`'s table (a later contract of the same table replaces it;
    /// entries of other contract hashes are older-schema findings).
    pub fn contract<T: CacheContract>(mut self) -> Self {
        self.contracts
            .insert(T::TABLE, Arc::new(Contracted::<T>::new()));
        self
    }

    /// Replaces the configuration.
    pub fn config(mut self, config: AuditConfig) -> Self {
        self.config = config;
        self
    }

    /// The configuration.
    pub fn configuration(&self) -> &AuditConfig {
        &self.config
    }

    /// Runs the audit over `scope`.
    pub async fn run(&self, scope: &Scope) -> Result<Report, AuditError> {
        self.execute(scope, &|_| {}).await
    }

    /// Runs the audit over `scope`, calling `progress` after every batch.
    pub async fn run_with_progress(
        &self,
        scope: &Scope,
        progress: impl Fn(Progress) + Send + Sync,
    ) -> Result<Report, AuditError> {
        self.execute(scope, &progress).await
    }
}
