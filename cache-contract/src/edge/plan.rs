//! [`InvalidationPlan`]: from invalidation messages and schema changes to a deterministic,
//! de-duplicated, widest-first list of purges, batched per CDN.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use serde::Serialize;

use super::cdn::Cdn;
use super::tag::{Scope, Tag};
use crate::contract::CacheContract;
use crate::invalidation::{Invalidation, Target};
use crate::key::ContractHash;
use crate::tenant::TenantId;

/// The version of the plan's JSON form.
pub const PLAN_VERSION: u64 = 1;

/// A table's contract was replaced: objects rendered under `previous` are purged in every
/// tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaChange {
    /// The table.
    pub table: String,
    /// The contract hash objects at the edge were rendered under.
    pub previous: ContractHash,
    /// The contract hash deployed now (checked by the [`ContractGuard`]).
    pub deployed: ContractHash,
}

/// The deployed contracts: the contract hash of each table, as this release's structs have it.
#[derive(Debug, Clone, Default)]
pub struct ContractGuard {
    deployed: BTreeMap<String, ContractHash>,
}

impl ContractGuard {
    /// No contracts: every message passes, whatever contract hash it carries.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `T`'s contract.
    pub fn contract<T: CacheContract>(self) -> Self {
        self.table(T::TABLE, T::CONTRACT_HASH)
    }

    /// Adds the contract `hash` of `table`.
    pub fn table(mut self, table: impl Into<String>, hash: ContractHash) -> Self {
        self.deployed.insert(table.into(), hash);
        self
    }

    /// Checks one message: a contract hash it carries must be the deployed contract's of its
    /// table (when the guard knows the table).
    pub fn check(&self, msg: &Invalidation) -> Result<(), GuardError> {
        let (Some(table), Some(hash)) = (msg.target.table(), msg.contract_hash) else {
            return Ok(());
        };
        match self.deployed.get(table) {
            Some(deployed) if *deployed != hash => Err(GuardError {
                table: table.to_string(),
                deployed: *deployed,
                found: hash,
                what: format!("invalidation `{}` from `{}`", msg.id, msg.source),
            }),
            _ => Ok(()),
        }
    }

    fn check_change(&self, change: &SchemaChange) -> Result<(), GuardError> {
        match self.deployed.get(&change.table) {
            Some(deployed) if *deployed != change.deployed => Err(GuardError {
                table: change.table.clone(),
                deployed: *deployed,
                found: change.deployed,
                what: "schema change".to_string(),
            }),
            _ => Ok(()),
        }
    }
}

/// A plan refused by the [`ContractGuard`]: nothing was purged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardError {
    /// The table.
    pub table: String,
    /// The deployed contract's hash.
    pub deployed: ContractHash,
    /// The hash the message or change carried.
    pub found: ContractHash,
    /// What carried it.
    pub what: String,
}

impl fmt::Display for GuardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "refusing the purge plan: {} for table `{}` carries contract hash {}, but the deployed contract's hash is {}; \
             it was published by a release with another schema (finish or roll back the deploy, then purge again)",
            self.what, self.table, self.found, self.deployed
        )
    }
}

impl std::error::Error for GuardError {}

/// One purge of a plan: a scope and its tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purge {
    /// What is purged.
    pub scope: Scope,
    /// Its tag.
    pub tag: Tag,
}

/// One purge request's worth of tags for one CDN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// The batch's position in the plan's batches for that CDN.
    pub index: usize,
    /// The tags, in plan order.
    pub tags: Vec<Tag>,
}

/// A deterministic purge plan.
///
/// - **De-duplicated and widest first**: a tenant purge covers that tenant's table and row
///   purges, a table purge its rows; covered purges are dropped. Purges are listed by width
///   (contract, tenant, table, row), then by tag.
/// - **Deterministic**: the plan depends only on the set of purges, so the same messages in
///   any order (message ids, sources and timestamps do not matter) give a byte-identical
///   plan, JSON and [`hash`](InvalidationPlan::hash).
/// - **Contract guard**: a message carrying a contract hash that is not the deployed
///   contract's, or a schema change to a contract that is not deployed, refuses the whole
///   plan before anything is purged, naming both hashes.
///
/// ```
/// use cache_contract::edge::{Cdn, ContractGuard, InvalidationPlan};
/// use cache_contract::invalidation::{Invalidation, Target};
/// use cache_contract::TenantId;
///
/// let acme = TenantId::new("acme");
/// let row = Invalidation::new(acme.clone(), Target::Keys { table: "users".into(), keys: vec![vec!["7".into()]] });
/// let table = Invalidation::new(acme.clone(), Target::Table { table: "users".into() });
/// let plan = InvalidationPlan::build([&row, &table], &[], &ContractGuard::new()).unwrap();
/// assert_eq!(plan.purges().len(), 1); // the table purge covers the row
/// let again = InvalidationPlan::build([&table, &row], &[], &ContractGuard::new()).unwrap();
/// assert_eq!(plan.to_json(), again.to_json());
/// assert_eq!(plan.batches(Cdn::Fastly).len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidationPlan {
    purges: Vec<Purge>,
    hash: String,
}

impl InvalidationPlan {
    /// Builds the plan of `messages` and `changes`, or refuses it (see [`ContractGuard`]).
    pub fn build<'a>(
        messages: impl IntoIterator<Item = &'a Invalidation>,
        changes: &[SchemaChange],
        guard: &ContractGuard,
    ) -> Result<Self, GuardError> {
        // Tenant and table purges first (few): they decide which rows are covered. Rows are
        // not hashed: their duplicates meet in the sort below, which the plan needs anyway.
        let messages: Vec<&Invalidation> = messages.into_iter().collect();
        let mut tenants: HashSet<&TenantId> = HashSet::new();
        let mut tables: HashSet<(&TenantId, &str)> = HashSet::new();
        for msg in &messages {
            guard.check(msg)?;
            match &msg.target {
                Target::Tenant => {
                    tenants.insert(&msg.tenant);
                }
                Target::Table { table } => {
                    tables.insert((&msg.tenant, table));
                }
                Target::Keys { .. } => {}
            }
        }
        for change in changes {
            guard.check_change(change)?;
        }
        tables.retain(|(tenant, _)| !tenants.contains(tenant));
        let mut pending: Vec<Pending<'_>> = Vec::with_capacity(messages.len() + changes.len());
        let buf = &mut String::with_capacity(64);
        pending.extend(changes.iter().map(|change| {
            Pending::new(
                Source::Contract(change),
                Scope::contract_tag(buf, &change.table, &change.previous),
            )
        }));
        pending.extend(
            tenants
                .iter()
                .map(|t| Pending::new(Source::Tenant(t), Scope::tenant_tag(buf, t))),
        );
        pending.extend(tables.iter().map(|(t, table)| {
            Pending::new(Source::Table(t, table), Scope::table_tag(buf, t, table))
        }));
        for msg in &messages {
            let Target::Keys { table, keys } = &msg.target else {
                continue;
            };
            if tenants.contains(&msg.tenant) || tables.contains(&(&msg.tenant, table.as_str())) {
                continue;
            }
            pending.extend(keys.iter().map(|key| {
                Pending::new(
                    Source::Row(&msg.tenant, table, key),
                    Scope::row_tag(buf, &msg.tenant, table, key),
                )
            }));
        }
        // Sorted by width, then tag. Two scopes share a tag only as the same scope (tags are
        // injective): keep one. Scopes are built (cloned out of the messages) only for the
        // purges that remain.
        pending.sort_unstable_by(|a, b| (a.rank, &a.tag).cmp(&(b.rank, &b.tag)));
        pending.dedup_by(|a, b| a.tag == b.tag);
        let purges: Vec<Purge> = pending
            .into_iter()
            .map(|p| Purge {
                scope: p.source.scope(),
                tag: p.tag,
            })
            .collect();
        let hash = body_hash(&purges);
        Ok(InvalidationPlan { purges, hash })
    }

    /// The purges, widest first.
    pub fn purges(&self) -> &[Purge] {
        &self.purges
    }

    /// `true` when there is nothing to purge.
    pub fn is_empty(&self) -> bool {
        self.purges.is_empty()
    }

    /// blake3 (64 hex digits) of the plan's purges in their JSON form: the same purges give
    /// the same hash, for the audit log.
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// The plan as JSON (version [`PLAN_VERSION`]): `{"v":1,"hash":..,"purges":[{"scope":
    /// "row","tenant":"acme","table":"users","key":["42"],"tag":"ccr.tacme.users.42"}, ..]}`;
    /// `tenant` is `null` for the global scope, contract purges carry `hash`. Fields are only
    /// ever added.
    pub fn to_json(&self) -> String {
        let purges: Vec<PurgeJson<'_>> = self.purges.iter().map(PurgeJson::from).collect();
        serde_json::to_string(&PlanJson {
            v: PLAN_VERSION,
            hash: &self.hash,
            purges,
        })
        .expect("a plan serializes to JSON")
    }

    /// The plan's tags cut into purge requests within `cdn`'s limits (tag count and bytes
    /// per request), in plan order: wider purges go out first.
    pub fn batches(&self, cdn: Cdn) -> Vec<Batch> {
        let limits = cdn.limits();
        let mut batches: Vec<Batch> = Vec::new();
        let mut current: Vec<Tag> = Vec::new();
        let mut bytes = 0usize;
        for purge in &self.purges {
            let cost = purge.tag.as_str().len() + limits.purge_tag_overhead;
            if !current.is_empty()
                && (current.len() == limits.max_tags_per_purge
                    || bytes + cost > limits.max_purge_bytes)
            {
                batches.push(Batch {
                    index: batches.len(),
                    tags: std::mem::take(&mut current),
                });
                bytes = 0;
            }
            bytes += cost;
            current.push(purge.tag.clone());
        }
        if !current.is_empty() {
            batches.push(Batch {
                index: batches.len(),
                tags: current,
            });
        }
        batches
    }
}

#[derive(Serialize)]
struct PlanJson<'a> {
    v: u64,
    hash: &'a str,
    purges: Vec<PurgeJson<'a>>,
}

#[derive(Serialize)]
struct BodyJson<'a> {
    v: u64,
    purges: Vec<PurgeJson<'a>>,
}

#[derive(Serialize)]
struct PurgeJson<'a> {
    scope: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    tenant: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    table: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hash: Option<String>,
    tag: &'a str,
}

impl<'a> From<&'a Purge> for PurgeJson<'a> {
    fn from(p: &'a Purge) -> Self {
        let (tenant, table, key, hash) = match &p.scope {
            Scope::Contract { table, hash } => {
                (None, Some(table.as_str()), None, Some(hash.to_hex()))
            }
            Scope::Tenant { tenant } => (Some(tenant.as_str()), None, None, None),
            Scope::Table { tenant, table } => {
                (Some(tenant.as_str()), Some(table.as_str()), None, None)
            }
            Scope::Row { tenant, table, key } => (
                Some(tenant.as_str()),
                Some(table.as_str()),
                Some(key.as_slice()),
                None,
            ),
        };
        PurgeJson {
            scope: p.scope.kind(),
            tenant,
            table,
            key,
            hash,
            tag: p.tag.as_str(),
        }
    }
}

/// A purge before the sort: its width, its tag, and where its scope comes from.
struct Pending<'a> {
    rank: u8,
    tag: Tag,
    source: Source<'a>,
}

impl<'a> Pending<'a> {
    fn new(source: Source<'a>, tag: Tag) -> Self {
        Pending {
            rank: source.width_rank(),
            tag,
            source,
        }
    }
}

/// The parts of a [`Scope`], borrowed from the messages and changes.
enum Source<'a> {
    Contract(&'a SchemaChange),
    Tenant(&'a TenantId),
    Table(&'a TenantId, &'a str),
    Row(&'a TenantId, &'a str, &'a [String]),
}

impl Source<'_> {
    fn width_rank(&self) -> u8 {
        match self {
            Source::Contract(_) => Scope::CONTRACT_RANK,
            Source::Tenant(_) => Scope::TENANT_RANK,
            Source::Table(..) => Scope::TABLE_RANK,
            Source::Row(..) => Scope::ROW_RANK,
        }
    }

    fn scope(&self) -> Scope {
        match *self {
            Source::Contract(change) => Scope::Contract {
                table: change.table.clone(),
                hash: change.previous,
            },
            Source::Tenant(tenant) => Scope::Tenant {
                tenant: tenant.clone(),
            },
            Source::Table(tenant, table) => Scope::Table {
                tenant: tenant.clone(),
                table: table.to_string(),
            },
            Source::Row(tenant, table, key) => Scope::Row {
                tenant: tenant.clone(),
                table: table.to_string(),
                key: key.to_vec(),
            },
        }
    }
}

/// blake3 of the plan's JSON without its hash, streamed (no copy of a large plan's text)
/// through a buffer: blake3 hashes large updates several times faster per byte than the
/// few-byte writes of a JSON serializer.
fn body_hash(purges: &[Purge]) -> String {
    let mut hasher = blake3::Hasher::new();
    let mut buffered = std::io::BufWriter::with_capacity(64 * 1024, &mut hasher);
    serde_json::to_writer(
        &mut buffered,
        &BodyJson {
            v: PLAN_VERSION,
            purges: purges.iter().map(PurgeJson::from).collect(),
        },
    )
    .expect("a plan serializes to JSON");
    std::io::Write::flush(&mut buffered).expect("hashing never fails");
    drop(buffered);
    hasher.finalize().to_hex().to_string()
}
