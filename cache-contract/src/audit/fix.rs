//! Remediation: what an audit's findings call for, planned first (the dry run) and applied
//! on request.

use std::collections::BTreeMap;
use std::fmt;

use super::finding::FindingKind;
use super::report::Report;
use super::{Audit, AuditError};
use crate::invalidation::message::MAX_KEYS;
use crate::invalidation::{Invalidation, Publisher, Target};
use crate::key::CacheKey;
use crate::tenant::TenantId;

/// One remediation step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FixAction {
    /// Invalidate rows as a write would: bump their row versions, delete their entries and
    /// publish one `keys` invalidation, so running services drop them from their local
    /// tiers too. For stale, orphan and corrupt entries (under a readable key).
    InvalidateKeys {
        /// The tenant.
        tenant: TenantId,
        /// The table.
        table: String,
        /// The rows' keys.
        keys: Vec<CacheKey>,
        /// How many of them were stale, orphan and corrupt.
        counts: BTreeMap<FindingKind, u64>,
    },
    /// Bump the table's generation for the tenant (one `INCR`: every entry of the table
    /// becomes unreachable) and publish a `table` invalidation: chosen instead of
    /// per-key invalidations when most of the tenant's entries of the table are stale.
    BumpTable {
        /// The tenant.
        tenant: TenantId,
        /// The table.
        table: String,
        /// Stale entries.
        stale: u64,
        /// Entries under the current generations.
        entries: u64,
    },
    /// Delete one entry that must not stay but names no row to invalidate: an entry of
    /// another tenant under this key, a forged entry, a key under the entry namespace that
    /// is not an entry key (only this library writes there).
    Delete {
        /// The Redis key.
        redis_key: String,
        /// Why.
        kind: FindingKind,
    },
}

impl fmt::Display for FixAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tenant = |t: &TenantId| t.as_str().map_or("(global)".to_string(), str::to_string);
        match self {
            FixAction::InvalidateKeys {
                tenant: t,
                table,
                keys,
                counts,
            } => {
                let what: Vec<String> = counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
                write!(
                    f,
                    "invalidate {} entries of `{table}` for tenant {} ({}): bump their row versions, delete them, publish",
                    keys.len(),
                    tenant(t),
                    what.join(", ")
                )
            }
            FixAction::BumpTable {
                tenant: t,
                table,
                stale,
                entries,
            } => write!(
                f,
                "bump the generation of `{table}` for tenant {} ({stale} of {entries} entries stale), publish",
                tenant(t)
            ),
            FixAction::Delete { redis_key, kind } => write!(f, "delete {kind} entry {redis_key}"),
        }
    }
}

/// The remediation of one report: its actions, in order. Printing it is the dry run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FixPlan {
    /// The actions.
    pub actions: Vec<FixAction>,
}

impl fmt::Display for FixPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.actions.is_empty() {
            return writeln!(f, "nothing to fix");
        }
        for a in &self.actions {
            writeln!(f, "{a}")?;
        }
        Ok(())
    }
}

/// What applying a plan did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FixOutcome {
    /// Rows invalidated (row version bumped, entry deleted).
    pub invalidated: u64,
    /// Table generations bumped.
    pub bumped: u64,
    /// Entries deleted outright.
    pub deleted: u64,
    /// Invalidation messages published.
    pub published: u64,
}

impl Audit {
    /// The remediation `report` calls for (nothing is changed): stale, orphan and corrupt
    /// entries are invalidated, or the table's generation bumped for a tenant whose entries
    /// of it are mostly stale ([`AuditConfig::mostly_stale`](super::AuditConfig::mostly_stale));
    /// wrong-tenant and forged entries, and unreadable keys under the entry namespace, are
    /// deleted; older-schema, unverifiable and superseded entries are harmless and expire
    /// with their TTL.
    pub fn plan_fix(&self, report: &Report) -> FixPlan {
        type Group = (Vec<CacheKey>, BTreeMap<FindingKind, u64>, u64);
        let mut groups: BTreeMap<(TenantId, String), Group> = BTreeMap::new();
        let mut actions = Vec::new();
        let keys = self.tier.keys();
        for f in &report.findings {
            match f.kind {
                FindingKind::Stale | FindingKind::Orphan | FindingKind::Corrupt => {
                    let Ok(entry) = keys.parse_entry(&f.redis_key) else {
                        continue;
                    };
                    let group = groups
                        .entry((entry.key.tenant().clone(), entry.key.table().to_string()))
                        .or_default();
                    if f.kind == FindingKind::Stale {
                        group.2 += 1;
                    }
                    group.0.push(entry.key);
                    *group.1.entry(f.kind).or_default() += 1;
                }
                FindingKind::WrongTenant | FindingKind::Forged | FindingKind::UnreadableKey => {
                    actions.push(FixAction::Delete {
                        redis_key: f.redis_key.clone(),
                        kind: f.kind,
                    })
                }
                _ => {}
            }
        }
        let mut fixes = Vec::new();
        for ((tenant, table), (keys, counts, stale)) in groups {
            if keys.is_empty() {
                continue;
            }
            let fresh = report
                .tables
                .get(&(tenant.as_str().map(str::to_string), table.clone()))
                .map_or(0, |c| c.get(FindingKind::Fresh));
            let entries = fresh + counts.values().sum::<u64>();
            let bump = stale >= 2 && stale as f64 > entries as f64 * self.config.mostly_stale;
            if bump {
                fixes.push(FixAction::BumpTable {
                    tenant: tenant.clone(),
                    table: table.clone(),
                    stale,
                    entries,
                });
            }
            // After a bump, stale entries are unreachable; orphans and corrupt ones are
            // still invalidated (their local copies too).
            let (keys, counts): (Vec<CacheKey>, BTreeMap<FindingKind, u64>) = if bump {
                let keep: Vec<CacheKey> = report
                    .findings
                    .iter()
                    .filter(|f| matches!(f.kind, FindingKind::Orphan | FindingKind::Corrupt))
                    .filter_map(|f| self.tier.keys().parse_entry(&f.redis_key).ok())
                    .map(|e| e.key)
                    .filter(|k| k.tenant() == &tenant && k.table() == table)
                    .collect();
                let counts = counts
                    .into_iter()
                    .filter(|(k, _)| *k != FindingKind::Stale)
                    .collect();
                (keep, counts)
            } else {
                (keys, counts)
            };
            if !keys.is_empty() {
                fixes.push(FixAction::InvalidateKeys {
                    tenant,
                    table,
                    keys,
                    counts,
                });
            }
        }
        fixes.extend(actions);
        FixPlan { actions: fixes }
    }

    /// Applies `plan` to Redis and publishes its invalidations with `publisher` (the
    /// services' configured transport; `None` changes Redis only, and running services keep
    /// what their local tiers hold until its TTL).
    pub async fn apply_fix(
        &self,
        plan: &FixPlan,
        publisher: Option<&Publisher>,
    ) -> Result<FixOutcome, AuditError> {
        let mut outcome = FixOutcome::default();
        let mut messages = Vec::new();
        for action in &plan.actions {
            match action {
                FixAction::InvalidateKeys {
                    tenant,
                    table,
                    keys,
                    ..
                } => {
                    for chunk in keys.chunks(MAX_KEYS) {
                        self.tier.invalidate_keys(chunk).await?;
                        outcome.invalidated += chunk.len() as u64;
                        messages.push(Invalidation::new(
                            tenant.clone(),
                            Target::Keys {
                                table: table.clone(),
                                keys: chunk.iter().map(|k| k.parts().to_vec()).collect(),
                            },
                        ));
                    }
                }
                FixAction::BumpTable { tenant, table, .. } => {
                    self.tier.invalidate_table(tenant, table).await?;
                    outcome.bumped += 1;
                    messages.push(Invalidation::new(
                        tenant.clone(),
                        Target::Table {
                            table: table.clone(),
                        },
                    ));
                }
                FixAction::Delete { redis_key, .. } => {
                    let mut conn = self.tier.connection().clone();
                    let n: u64 = redis::cmd("DEL")
                        .arg(redis_key)
                        .query_async(&mut conn)
                        .await?;
                    outcome.deleted += n;
                }
            }
        }
        if let Some(publisher) = publisher {
            outcome.published = messages.len() as u64;
            publisher.publish_batch(messages).await?;
        }
        Ok(outcome)
    }
}
