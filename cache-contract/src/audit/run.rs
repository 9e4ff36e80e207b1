//! One audit run: walk the entries, read them in batches, open them, fetch their rows,
//! compare.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hasher, RandomState};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use futures_util::{FutureExt, StreamExt};
use serde_json::Value;
use tokio_util::task::AbortOnDropHandle;

use super::contract::{Audited, Unopened};
use super::finding::{Finding, FindingKind, ValuePair};
use super::normalize;
use super::query::TableSpec;
use super::ranges::Ranges;
use super::report::{Report, Verdict};
use super::rows::{Row, RowKey, RowSource};
use super::scan::{RateLimit, Walk, mget};
use super::{Audit, AuditError, Progress, Scope};
use crate::envelope::{Keyring, OpenError};
use crate::key::EntryKey;
use crate::tenant::TenantId;
use crate::tiered::RedisTier;

/// What one batch found: verdicts by tenant (`None`: the global scope and unreadable keys).
#[derive(Default)]
struct BatchResult {
    tenants: Vec<(Option<String>, Vec<Verdict>)>,
    audited: u64,
    other_tables: u64,
}

/// What a run has found so far: by tenant, each batch's verdicts (joined when the report is
/// built, tenant by tenant).
#[derive(Default)]
struct RunResult {
    tenants: BTreeMap<Option<String>, Vec<Vec<Verdict>>>,
    other_tables: u64,
}

/// A listed key that parses as an entry of a registered contract.
struct Parsed {
    entry: EntryKey,
    contract: Arc<dyn Audited>,
    /// Where its tenant's verdicts go in [`BatchResult::tenants`].
    slot: usize,
    /// Its tenant and table's place among the batch's generation pairs.
    group: usize,
}

/// An entry that opened, waiting for its row.
struct Opened {
    /// Its index in the batch's parsed entries.
    at: usize,
    checksum: blake3::Hash,
    values: Vec<Value>,
}

/// What every batch of one run reads, shared by the batches' tasks.
struct Batches {
    tier: RedisTier,
    keyring: Option<Arc<Keyring>>,
    rows: Arc<dyn RowSource>,
    contracts: HashMap<&'static str, Arc<dyn Audited>>,
    show_values: bool,
    fresh_findings: bool,
    limit: RateLimit,
    /// The tenants' rows read by range this run.
    ranges: Ranges,
    /// Rows read from the database so far, by key and by range.
    row_reads: AtomicU64,
}

/// A listed key, and how far its walk was through the keyspace when `SCAN` listed it.
type Listed = (Vec<u8>, f64);

impl Audit {
    pub(super) async fn execute(
        &self,
        scope: &Scope,
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> Result<Report, AuditError> {
        let conn = self.tier.connection().clone();
        if conn.is_cluster() {
            return Err(AuditError::Cluster);
        }
        let started = Instant::now();
        let started_at_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let shared = Arc::new(Batches {
            tier: self.tier.clone(),
            keyring: self.keyring.clone(),
            rows: self.rows.clone(),
            contracts: self.contracts.clone(),
            show_values: self.config.show_values,
            fresh_findings: self.config.fresh_findings,
            limit: RateLimit::new(self.config.rate_limit),
            ranges: Ranges::new(self.config.cached_rows),
            row_reads: AtomicU64::new(0),
        });
        let limit = &shared.limit;
        let keys = self.tier.keys();
        let patterns: Vec<String> = match scope {
            Scope::AllTenants => vec![keys.all_entries_pattern()],
            Scope::Tenants(tenants) => tenants
                .iter()
                .map(|t| keys.tenant_entries_pattern(t))
                .collect(),
        };
        let scanned = AtomicU64::new(0);
        let audited = AtomicU64::new(0);
        let report_progress = || {
            progress(Progress {
                keys_listed: scanned.load(Ordering::Relaxed),
                entries_audited: audited.load(Ordering::Relaxed),
            })
        };
        let batch_size = self.config.batch.max(1);
        let concurrency = self.config.concurrency.max(1);
        // The walk feeds batches into a channel; the batches are audited concurrently while
        // the walk goes on (both futures are polled by one `join`), each batch on a task of
        // its own, so that opening and comparing run on every worker thread.
        let (tx, rx) = tokio::sync::mpsc::channel::<Vec<Listed>>(concurrency);
        let walk = async {
            let mut pending: Vec<Listed> = Vec::new();
            for pattern in patterns {
                let mut walk = Walk::new(conn.clone(), pattern, self.config.scan_count);
                while let Some(listed) = walk.next(limit).await? {
                    scanned.fetch_add(listed.len() as u64, Ordering::Relaxed);
                    let progress = walk.progress();
                    pending.extend(listed.into_iter().map(|key| (key, progress)));
                    while pending.len() >= batch_size {
                        let batch: Vec<Listed> = pending.drain(..batch_size).collect();
                        if tx.send(batch).await.is_err() {
                            return Ok(());
                        }
                    }
                }
            }
            if !pending.is_empty() {
                let _ = tx.send(pending).await;
            }
            drop(tx);
            Ok::<(), AuditError>(())
        };
        let audit = async {
            let mut results = RunResult::default();
            let batches = futures_util::stream::unfold(rx, |mut rx| async move {
                rx.recv().await.map(|b| (b, rx))
            });
            // Each batch a task of its own, aborted if the run is dropped before it ends.
            let mut audited_batches = std::pin::pin!(
                batches
                    .map(|batch| {
                        AbortOnDropHandle::new(tokio::spawn(shared.clone().audit_batch(batch)))
                            .map(|joined| joined_or_panic(joined, "an audit batch"))
                    })
                    .buffer_unordered(concurrency)
            );
            while let Some(r) = audited_batches.next().await {
                absorb(&mut results, r?, &audited);
                report_progress();
            }
            Ok::<RunResult, AuditError>(results)
        };
        let (walked, results) = futures_util::future::join(walk, audit).await;
        let results = results?;
        walked?;
        // Building the report is CPU work on threads of its own (tenants in parallel): off
        // the runtime's workers, which it would otherwise hold until it is done.
        let (tenants, other_tables, elapsed) =
            (results.tenants, results.other_tables, started.elapsed());
        let report = tokio::task::spawn_blocking(move || {
            Report::new(tenants, other_tables, started_at_ms, elapsed)
        })
        .await;
        let mut report = joined_or_panic(report, "building the audit report");
        report.row_reads = shared.row_reads.load(Ordering::Relaxed);
        Ok(report)
    }
}

impl Batches {
    /// Audits one batch of listed keys.
    async fn audit_batch(self: Arc<Self>, batch: Vec<Listed>) -> Result<BatchResult, AuditError> {
        let keys = self.tier.keys();
        let mut result = BatchResult::default();
        // Parse; unreadable keys get their verdict straight away. Each tenant's verdicts
        // go to a slot of `result.tenants`; each tenant and table is a group, whose two
        // generation keys are read with the entries.
        let mut unreadable = Vec::new();
        let mut redis_keys: Vec<String> = Vec::with_capacity(batch.len());
        let mut parsed: Vec<Parsed> = Vec::with_capacity(batch.len());
        let mut slots: HashMap<TenantId, usize> = HashMap::new();
        // Per slot: its tenant generation key's index, and its tables' groups.
        let mut slot_groups: Vec<(usize, Vec<(&'static str, usize)>)> = Vec::new();
        // Per group: the indexes of its tenant and table generation keys.
        let mut groups: Vec<(usize, usize)> = Vec::new();
        // Per group: its first entry in `parsed`, its entries, and how far the walk was
        // when the last of them was listed.
        let mut listed: Vec<(usize, u64, f64)> = Vec::new();
        let mut generation_keys: Vec<String> = Vec::new();
        for (raw, progress) in batch {
            let text = match String::from_utf8(raw) {
                Ok(t) => t,
                Err(e) => {
                    let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                    unreadable.push(bare(text, "not UTF-8".into()));
                    continue;
                }
            };
            let entry = match keys.parse_entry(&text) {
                Ok(entry) => entry,
                Err(e) => {
                    let detail = e.to_string();
                    unreadable.push(bare(text, detail));
                    continue;
                }
            };
            let Some(contract) = self.contracts.get(entry.key.table()) else {
                result.other_tables += 1;
                continue;
            };
            let tenant = entry.key.tenant();
            let slot = match slots.get(tenant) {
                Some(slot) => *slot,
                None => {
                    let slot = result.tenants.len();
                    result
                        .tenants
                        .push((tenant.as_str().map(str::to_string), Vec::new()));
                    slots.insert(tenant.clone(), slot);
                    generation_keys.push(keys.tenant_generation(tenant));
                    slot_groups.push((generation_keys.len() - 1, Vec::new()));
                    slot
                }
            };
            let table = contract.spec().table;
            let (tenant_generation, tables) = &mut slot_groups[slot];
            let group = match tables.iter().find(|(t, _)| *t == table) {
                Some((_, group)) => *group,
                None => {
                    generation_keys.push(keys.table_generation(tenant, table));
                    groups.push((*tenant_generation, generation_keys.len() - 1));
                    listed.push((parsed.len(), 0, 0.0));
                    tables.push((table, groups.len() - 1));
                    groups.len() - 1
                }
            };
            let (_, entries, walked) = &mut listed[group];
            *entries += 1;
            *walked = f64::max(*walked, progress);
            redis_keys.push(text);
            parsed.push(Parsed {
                entry,
                contract: contract.clone(),
                slot,
                group,
            });
        }
        result.audited += unreadable.len() as u64;
        if !unreadable.is_empty() {
            result.tenants.push((None, unreadable));
        }
        // One MGET: the entries, then the generation keys.
        let wanted: Vec<&[u8]> = redis_keys
            .iter()
            .chain(&generation_keys)
            .map(|k| k.as_bytes())
            .collect();
        let values = mget(self.tier.connection(), &wanted, &self.limit).await?;
        drop(wanted);
        let generation = |i: usize| -> u64 {
            values
                .get(parsed.len() + i)
                .and_then(|v| v.as_deref())
                .and_then(|v| std::str::from_utf8(v).ok())
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        let generations: Vec<(u64, u64)> = groups
            .iter()
            .map(|(t, g)| (generation(*t), generation(*g)))
            .collect();
        // Open every entry; group those that opened by tenant and table.
        let mut verdicts: Vec<Option<Verdict>> = Vec::with_capacity(parsed.len());
        let mut waiting: Vec<Vec<Opened>> = listed
            .iter()
            .map(|(_, entries, _)| Vec::with_capacity(*entries as usize))
            .collect();
        // Room for each tenant's verdicts (one per entry of its tables' groups).
        for ((_, verdicts), (_, tables)) in result.tenants.iter_mut().zip(&slot_groups) {
            let entries: u64 = tables.iter().map(|(_, group)| listed[*group].1).sum();
            verdicts.reserve_exact(entries as usize);
        }
        for (at, (p, value)) in parsed.iter().zip(&values).enumerate() {
            let Some(bytes) = value else {
                verdicts.push(None); // expired or deleted since SCAN listed it
                continue;
            };
            let checksum = blake3::hash(bytes);
            let contract = &p.contract;
            let refused = |kind: FindingKind, detail: String| Verdict {
                redis_key: String::new(), // filled in below
                table: Some(contract.spec().table),
                kind,
                entry_checksum: Some(checksum),
                row_checksum: None,
                finding: Some(Box::new(finding(p, kind, detail, checksum))),
            };
            let verdict = match contract.open(self.keyring.as_deref(), bytes, &p.entry.key) {
                Ok(values) => {
                    if (p.entry.tenant_generation, p.entry.table_generation) != generations[p.group]
                    {
                        Some(refused(
                            FindingKind::Superseded,
                            "stored under an earlier generation; no reader reaches it".into(),
                        ))
                    } else {
                        waiting[p.group].push(Opened {
                            at,
                            checksum,
                            values,
                        });
                        None
                    }
                }
                Err(Unopened::Envelope(e)) => {
                    let kind = match &e {
                        OpenError::Corrupt(_) | OpenError::WrongTable { .. } => {
                            FindingKind::Corrupt
                        }
                        OpenError::Forged(_) => FindingKind::Forged,
                        OpenError::Unverifiable { .. } | OpenError::UnsupportedVersion(_) => {
                            FindingKind::Unverifiable
                        }
                        OpenError::ForeignTenant { .. } => FindingKind::WrongTenant,
                        OpenError::Stale { .. } => FindingKind::OlderSchema,
                    };
                    Some(refused(kind, e.to_string()))
                }
                Err(Unopened::Misplaced(holds)) => {
                    let kind = if holds.tenant() != p.entry.key.tenant() {
                        FindingKind::WrongTenant
                    } else {
                        FindingKind::Corrupt
                    };
                    Some(refused(kind, format!("holds the row `{holds}`")))
                }
                Err(Unopened::Unmappable(field)) => {
                    return Err(AuditError::Unmappable {
                        table: contract.spec().table,
                        field,
                    });
                }
            };
            verdicts.push(verdict);
        }
        // Each group's rows by range, where the walk says it is time (all groups at once).
        let this = &*self;
        let (parsed, listed) = (&parsed, &listed);
        let ranged = waiting
            .iter()
            .enumerate()
            .filter(|(_, o)| !o.is_empty())
            .map(|(group, _)| async move {
                let (first, entries, progress) = listed[group];
                let p = &parsed[first];
                let rows = this
                    .ranges
                    .rows(
                        &*this.rows,
                        p.contract.spec(),
                        p.entry.key.tenant().as_str(),
                        entries,
                        progress,
                        &this.row_reads,
                    )
                    .await;
                (group, rows)
            });
        let ranged = futures_util::future::join_all(ranged).await;
        // Compare with the ranges. An entry that looks stale or orphan there is checked
        // again by key: its row may have been written since its range was read.
        let mut by_key: HashMap<&'static str, (Arc<dyn Audited>, Vec<Opened>)> = HashMap::new();
        let (mut scratch, mut key_scratch) = (Vec::new(), Vec::new());
        for (group, rows) in ranged {
            let opened = std::mem::take(&mut waiting[group]);
            let contract = &parsed[listed[group].0].contract;
            let pending = &mut by_key
                .entry(contract.spec().table)
                .or_insert_with(|| (contract.clone(), Vec::new()))
                .1;
            let Some(range) = rows? else {
                pending.extend(opened);
                continue;
            };
            let columns: Vec<_> = contract.spec().columns.iter().collect();
            for o in opened {
                let p = &parsed[o.at];
                // The entry is fresh when its values have its row's checksum.
                let values = normalize::checksum(&columns, &o.values, &mut scratch);
                if range.holds(row_key(&p.entry), &values, &mut key_scratch) {
                    let (fresh, row) = ((Vec::new(), None), Some(values));
                    verdicts[o.at] = Some(self.verdict(p, &o, FindingKind::Fresh, row, fresh));
                } else {
                    pending.push(o);
                }
            }
        }
        // Fetch the rows of the other entries by key, one statement per contract, all
        // contracts at once.
        let by_key: Vec<(Arc<dyn Audited>, Vec<Opened>)> = by_key
            .into_values()
            .filter(|(_, opened)| !opened.is_empty())
            .collect();
        let fetches = by_key.iter().map(|(contract, opened)| async move {
            let row_keys: Vec<RowKey> = opened
                .iter()
                .map(|o| row_key(&parsed[o.at].entry))
                .collect();
            let rows = this.rows.fetch(contract.spec(), &row_keys).await;
            if let Ok(rows) = &rows {
                this.row_reads
                    .fetch_add(rows.len() as u64, Ordering::Relaxed);
            }
            rows
        });
        let fetched = futures_util::future::join_all(fetches).await;
        // Compare.
        for ((contract, opened), rows) in by_key.into_iter().zip(fetched) {
            let rows = rows?;
            let spec = contract.spec();
            let columns: Vec<_> = spec.columns.iter().collect();
            let index = RowIndex::new(spec, &rows);
            for o in opened {
                let p = &parsed[o.at];
                let row = index.find(&rows, row_key(&p.entry));
                let (kind, row_checksum, differing) =
                    compare(&columns, &o.values, row, self.show_values, &mut scratch);
                verdicts[o.at] = Some(self.verdict(p, &o, kind, row_checksum, differing));
            }
        }
        for ((p, redis_key), verdict) in parsed.iter().zip(redis_keys).zip(verdicts) {
            let Some(mut verdict) = verdict else { continue };
            if let Some(f) = verdict.finding.as_mut() {
                f.redis_key.clone_from(&redis_key);
            }
            verdict.redis_key = redis_key;
            result.audited += 1;
            result.tenants[p.slot].1.push(verdict);
        }
        Ok(result)
    }
}

impl Batches {
    /// The verdict on an opened entry compared with its row.
    fn verdict(
        &self,
        p: &Parsed,
        o: &Opened,
        kind: FindingKind,
        row_checksum: Option<blake3::Hash>,
        differing: Differing,
    ) -> Verdict {
        let finding = (kind != FindingKind::Fresh || self.fresh_findings).then(|| {
            let mut f = finding(p, kind, String::new(), o.checksum);
            f.row_checksum = row_checksum.map_or_else(String::new, |h| h.to_hex().to_string());
            match kind {
                FindingKind::Orphan => f.detail = "the row is gone".into(),
                FindingKind::Stale => {
                    let (names, values) = differing;
                    f.detail = format!("differs in {}", names.join(", "));
                    f.columns = names;
                    f.values = values;
                }
                _ => {}
            }
            Box::new(f)
        });
        Verdict {
            redis_key: String::new(),
            table: Some(p.contract.spec().table),
            kind,
            entry_checksum: Some(o.checksum),
            row_checksum,
            finding,
        }
    }
}

/// The finding about an entry that opened or was refused, without its row's part.
fn finding(p: &Parsed, kind: FindingKind, detail: String, checksum: blake3::Hash) -> Finding {
    Finding {
        kind,
        tenant: p.entry.key.tenant().as_str().map(str::to_string),
        table: Some(p.contract.spec().table.to_string()),
        redis_key: String::new(),
        key: Some(p.entry.key.parts().to_vec()),
        columns: Vec::new(),
        values: None,
        detail,
        entry_checksum: checksum.to_hex().to_string(),
        row_checksum: String::new(),
    }
}

/// The differing columns of a stale entry, and their values when shown.
type Differing = (Vec<String>, Option<BTreeMap<String, ValuePair>>);

/// The verdict on an opened entry given its row: fresh, stale or orphan, the row's
/// checksum, and what differs. `scratch` is room to lay out the hashed bytes in.
fn compare(
    columns: &[crate::contract::ColumnMapping],
    entry: &[Value],
    row: Option<&Row>,
    show_values: bool,
    scratch: &mut Vec<u8>,
) -> (FindingKind, Option<blake3::Hash>, Differing) {
    let Some(row) = row else {
        return (FindingKind::Orphan, None, (Vec::new(), None));
    };
    // The row's canonical values, laid out and hashed at once (one `blake3::hash` is
    // cheaper than an update per value; the bytes, and so the checksum, are the same).
    scratch.clear();
    let mut names = Vec::new();
    let mut values = BTreeMap::new();
    let null = Value::Null;
    for (i, c) in columns.iter().enumerate() {
        let in_entry = normalize::canonical_text(c, entry.get(i).unwrap_or(&null));
        let in_row = normalize::canonical_text(c, row.get(i).unwrap_or(&null));
        normalize::hashed_value(scratch, c.column, in_row.as_deref());
        if in_entry != in_row {
            names.push(c.column.to_string());
            if show_values {
                values.insert(
                    c.column.to_string(),
                    ValuePair {
                        entry: in_entry.map(Cow::into_owned),
                        row: in_row.map(Cow::into_owned),
                    },
                );
            }
        }
    }
    let checksum = Some(blake3::hash(scratch));
    if names.is_empty() {
        (FindingKind::Fresh, checksum, (names, None))
    } else {
        let values = show_values.then_some(values);
        (FindingKind::Stale, checksum, (names, values))
    }
}

/// The row key an entry key names.
fn row_key(entry: &EntryKey) -> RowKey<'_> {
    RowKey {
        tenant: entry.key.tenant().as_str(),
        parts: entry.key.parts(),
    }
}

/// The fetched rows of one statement by their key (the tenant and key columns' texts, as
/// [`normalize::key_text`] reads them), without copying a key: a table of key hashes,
/// checked against the row on every hit.
struct RowIndex {
    state: RandomState,
    /// Where the tenant and key columns are in a row (tenant first).
    filter: Vec<usize>,
    /// The first row of each key hash.
    first: HashMap<u64, usize>,
    /// Rows whose hash an earlier row of another key has (almost never any).
    collided: Vec<usize>,
}

impl RowIndex {
    fn new(spec: &TableSpec, rows: &[Row]) -> Self {
        let filter = spec.filter_positions();
        let mut index = RowIndex {
            state: RandomState::new(),
            filter,
            first: HashMap::with_capacity(rows.len()),
            collided: Vec::new(),
        };
        for (i, row) in rows.iter().enumerate() {
            let Some(hash) = index.row_hash(row) else {
                continue; // a NULL key column: no entry names it
            };
            match index.first.get(&hash) {
                None => {
                    index.first.insert(hash, i);
                }
                Some(&other) if !index.same_key(&rows[other], row) => index.collided.push(i),
                Some(_) => {} // the same row twice (its key was asked for twice)
            }
        }
        index
    }

    /// The hash of a row's key texts; `None` when one is `NULL`.
    fn row_hash(&self, row: &Row) -> Option<u64> {
        let mut hasher = self.state.build_hasher();
        hasher.write_usize(self.filter.len());
        for &at in &self.filter {
            normalize::with_key_text(row.get(at)?, |text| hash_text(&mut hasher, text))?;
        }
        Some(hasher.finish())
    }

    fn same_key(&self, a: &Row, b: &Row) -> bool {
        self.filter.iter().all(|&at| {
            let (Some(a), Some(b)) = (a.get(at), b.get(at)) else {
                return false;
            };
            normalize::with_key_text(a, |a| normalize::with_key_text(b, |b| a == b))
                .flatten()
                .unwrap_or(false)
        })
    }

    /// Whether `row`'s key is `key`.
    fn is_row_of(&self, row: &Row, key: RowKey<'_>) -> bool {
        self.filter.len() == key.bound().count()
            && self.filter.iter().zip(key.bound()).all(|(&at, part)| {
                row.get(at)
                    .and_then(|v| normalize::with_key_text(v, |text| text == part))
                    .unwrap_or(false)
            })
    }

    /// The row of `key`, if it was fetched.
    fn find<'r>(&self, rows: &'r [Row], key: RowKey<'_>) -> Option<&'r Row> {
        let mut hasher = self.state.build_hasher();
        hasher.write_usize(key.bound().count());
        for part in key.bound() {
            hash_text(&mut hasher, part);
        }
        let hit = self
            .first
            .get(&hasher.finish())
            .map(|&i| &rows[i])
            .filter(|row| self.is_row_of(row, key));
        hit.or_else(|| {
            self.collided
                .iter()
                .map(|&i| &rows[i])
                .find(|row| self.is_row_of(row, key))
        })
    }
}

fn hash_text(hasher: &mut impl Hasher, text: &str) {
    hasher.write_usize(text.len());
    hasher.write(text.as_bytes());
}

/// The verdict on a key that names no row.
fn bare(redis_key: String, detail: String) -> Verdict {
    Verdict {
        redis_key: redis_key.clone(),
        table: None,
        kind: FindingKind::UnreadableKey,
        entry_checksum: None,
        row_checksum: None,
        finding: Some(Box::new(Finding {
            kind: FindingKind::UnreadableKey,
            tenant: None,
            table: None,
            redis_key,
            key: None,
            columns: Vec::new(),
            values: None,
            detail,
            entry_checksum: String::new(),
            row_checksum: String::new(),
        })),
    }
}

fn absorb(into: &mut RunResult, batch: BatchResult, audited: &AtomicU64) {
    audited.fetch_add(batch.audited, Ordering::Relaxed);
    for (tenant, verdicts) in batch.tenants {
        into.tenants.entry(tenant).or_default().push(verdicts);
    }
    into.other_tables += batch.other_tables;
}

/// What a spawned task returned; its panic goes on in this task (a cancelled task, which
/// nothing here cancels, panics naming `what`).
fn joined_or_panic<T>(joined: Result<T, tokio::task::JoinError>, what: &str) -> T {
    joined.unwrap_or_else(|e| match e.try_into_panic() {
        Ok(panic) => std::panic::resume_unwind(panic),
        Err(e) => panic!("{what} was cancelled: {e}"),
    })
}
