//! One audit run: walk the entries, read them in batches, open them, fetch their rows,
//! compare.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use futures_util::StreamExt;

use super::contract::{Audited, Unopened};
use super::finding::{Finding, FindingKind, ValuePair};
use super::normalize;
use super::query::TableSpec;
use super::report::Report;
use super::rows::{Row, RowKey, RowSource};
use super::scan::{RateLimit, Walk, mget};
use super::{Audit, AuditError, Progress, Scope};
use crate::envelope::{Keyring, OpenError};
use crate::key::EntryKey;
use crate::tenant::TenantId;
use crate::tiered::RedisTier;

/// What one batch found.
#[derive(Default)]
struct BatchResult {
    findings: Vec<Finding>,
    other_tables: u64,
}

/// An entry that opened, waiting for its row.
struct Opened {
    redis_key: String,
    entry: EntryKey,
    checksum: String,
    values: Vec<serde_json::Value>,
}

/// What every batch of one run reads, shared by the batches' tasks.
struct Batches {
    tier: RedisTier,
    keyring: Option<Arc<Keyring>>,
    rows: Arc<dyn RowSource>,
    contracts: HashMap<&'static str, Arc<dyn Audited>>,
    show_values: bool,
    limit: RateLimit,
}

/// A spawned batch, aborted if the run is dropped before it ends.
struct BatchTask(tokio::task::JoinHandle<Result<BatchResult, AuditError>>);

impl Drop for BatchTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl std::future::Future for BatchTask {
    type Output = Result<BatchResult, AuditError>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        std::pin::Pin::new(&mut self.0).poll(cx).map(|joined| {
            joined.unwrap_or_else(|e| match e.try_into_panic() {
                Ok(panic) => std::panic::resume_unwind(panic),
                Err(e) => panic!("an audit batch was cancelled: {e}"),
            })
        })
    }
}

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
            limit: RateLimit::new(self.config.rate_limit),
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
        let (tx, rx) = tokio::sync::mpsc::channel::<Vec<Vec<u8>>>(concurrency);
        let walk = async {
            let mut pending: Vec<Vec<u8>> = Vec::new();
            for pattern in patterns {
                let mut walk = Walk::new(conn.clone(), pattern, self.config.scan_count);
                while let Some(listed) = walk.next(limit).await? {
                    scanned.fetch_add(listed.len() as u64, Ordering::Relaxed);
                    pending.extend(listed);
                    while pending.len() >= batch_size {
                        let batch: Vec<Vec<u8>> = pending.drain(..batch_size).collect();
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
            let mut results = BatchResult::default();
            let batches = futures_util::stream::unfold(rx, |mut rx| async move {
                rx.recv().await.map(|b| (b, rx))
            });
            let mut audited_batches = std::pin::pin!(
                batches
                    .map(|batch| BatchTask(tokio::spawn(shared.clone().audit_batch(batch))))
                    .buffer_unordered(concurrency)
            );
            while let Some(r) = audited_batches.next().await {
                absorb(&mut results, r?, &audited);
                report_progress();
            }
            Ok::<BatchResult, AuditError>(results)
        };
        let (walked, results) = futures_util::future::join(walk, audit).await;
        let results = results?;
        walked?;
        Ok(Report::new(
            results.findings,
            results.other_tables,
            started_at_ms,
            started.elapsed(),
        ))
    }
}

impl Batches {
    /// Audits one batch of listed keys.
    async fn audit_batch(self: Arc<Self>, batch: Vec<Vec<u8>>) -> Result<BatchResult, AuditError> {
        let this = &*self;
        let limit = &this.limit;
        let keys = self.tier.keys();
        let mut result = BatchResult::default();
        // Parse; unreadable keys are findings straight away.
        let mut parsed: Vec<(String, EntryKey, Arc<dyn Audited>)> = Vec::new();
        for raw in batch {
            let text = match String::from_utf8(raw) {
                Ok(t) => t,
                Err(e) => {
                    let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                    result.findings.push(bare(
                        FindingKind::UnreadableKey,
                        text,
                        "not UTF-8".into(),
                    ));
                    continue;
                }
            };
            match keys.parse_entry(&text) {
                Ok(entry) => match self.contracts.get(entry.key.table()) {
                    Some(c) => parsed.push((text, entry, c.clone())),
                    None => result.other_tables += 1,
                },
                Err(e) => {
                    let detail = e.to_string();
                    result
                        .findings
                        .push(bare(FindingKind::UnreadableKey, text, detail));
                }
            }
        }
        // One MGET: the entries, then the generations of every tenant and table among them
        // (each pair's two generation keys built once: where in the reply they are).
        let mut generation_at: HashMap<(&TenantId, &str), (usize, usize)> = HashMap::new();
        let mut wanted: Vec<Vec<u8>> = parsed
            .iter()
            .map(|(k, _, _)| k.as_bytes().to_vec())
            .collect();
        let mut tenant_at: HashMap<&TenantId, usize> = HashMap::new();
        for (_, entry, _) in &parsed {
            let (tenant, table) = (entry.key.tenant(), entry.key.table());
            if generation_at.contains_key(&(tenant, table)) {
                continue;
            }
            let tenant_index = *tenant_at.entry(tenant).or_insert_with(|| {
                wanted.push(keys.tenant_generation(tenant).into_bytes());
                wanted.len() - 1
            });
            wanted.push(keys.table_generation(tenant, table).into_bytes());
            generation_at.insert((tenant, table), (tenant_index, wanted.len() - 1));
        }
        let values = mget(self.tier.connection(), &wanted, limit).await?;
        let generation = |i: usize| -> u64 {
            values
                .get(i)
                .and_then(|v| v.as_deref())
                .and_then(|v| std::str::from_utf8(v).ok())
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        let generations = |entry: &EntryKey| -> (u64, u64) {
            generation_at
                .get(&(entry.key.tenant(), entry.key.table()))
                .map_or((0, 0), |(t, g)| (generation(*t), generation(*g)))
        };
        // Open every entry; group those that opened by contract.
        let mut waiting: HashMap<&'static str, (Arc<dyn Audited>, Vec<Opened>)> = HashMap::new();
        for ((redis_key, entry, contract), value) in parsed.iter().zip(&values) {
            let Some(bytes) = value else {
                continue; // expired or deleted since SCAN listed it
            };
            let checksum = blake3::hash(bytes).to_hex().to_string();
            let finding = |kind: FindingKind, detail: String| Finding {
                kind,
                tenant: entry.key.tenant().as_str().map(str::to_string),
                table: Some(entry.key.table().to_string()),
                redis_key: redis_key.clone(),
                key: Some(entry.key.parts().to_vec()),
                columns: Vec::new(),
                values: None,
                detail,
                entry_checksum: checksum.clone(),
                row_checksum: String::new(),
            };
            match contract.open(self.keyring.as_deref(), bytes, &entry.key) {
                Ok(values) => {
                    let current =
                        (entry.tenant_generation, entry.table_generation) == generations(entry);
                    if !current {
                        result.findings.push(finding(
                            FindingKind::Superseded,
                            "stored under an earlier generation; no reader reaches it".into(),
                        ));
                        continue;
                    }
                    let table = contract.spec().table;
                    waiting
                        .entry(table)
                        .or_insert_with(|| (contract.clone(), Vec::new()))
                        .1
                        .push(Opened {
                            redis_key: redis_key.clone(),
                            entry: entry.clone(),
                            checksum,
                            values,
                        });
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
                    result.findings.push(finding(kind, e.to_string()));
                }
                Err(Unopened::Misplaced(holds)) => {
                    let kind = if holds.tenant() != entry.key.tenant() {
                        FindingKind::WrongTenant
                    } else {
                        FindingKind::Corrupt
                    };
                    result
                        .findings
                        .push(finding(kind, format!("holds the row `{holds}`")));
                }
                Err(Unopened::Unmappable(field)) => {
                    return Err(AuditError::Unmappable {
                        table: contract.spec().table,
                        field,
                    });
                }
            }
        }
        // Fetch the rows of each contract's entries, all at once, and compare.
        let fetches = waiting.into_values().map(|(contract, opened)| async move {
            let spec = contract.spec();
            let row_keys: Vec<RowKey> = opened.iter().map(|o| row_key(&o.entry)).collect();
            let rows = this.rows.fetch(spec, &row_keys).await?;
            let mut by_key: HashMap<RowKey, Row> = HashMap::with_capacity(rows.len());
            for row in rows {
                let tenant = match spec.tenant_column {
                    Some(c) => match row.get(c.column).and_then(normalize::key_text) {
                        Some(t) => Some(t),
                        None => continue,
                    },
                    None => None,
                };
                let parts: Option<Vec<String>> = spec
                    .key_columns
                    .iter()
                    .map(|c| row.get(c.column).and_then(normalize::key_text))
                    .collect();
                if let Some(parts) = parts {
                    by_key.insert(RowKey { tenant, parts }, row);
                }
            }
            let findings: Vec<Finding> = opened
                .into_iter()
                .zip(row_keys)
                .map(|(o, k)| compare(spec, o, by_key.get(&k), this.show_values))
                .collect();
            Ok::<_, AuditError>(findings)
        });
        for findings in futures_util::future::join_all(fetches).await {
            result.findings.extend(findings?);
        }
        Ok(result)
    }
}

/// The verdict on an opened entry given its row.
fn compare(spec: &TableSpec, o: Opened, row: Option<&Row>, show_values: bool) -> Finding {
    let mut finding = Finding {
        kind: FindingKind::Orphan,
        tenant: o.entry.key.tenant().as_str().map(str::to_string),
        table: Some(spec.table.to_string()),
        redis_key: o.redis_key,
        key: Some(o.entry.key.parts().to_vec()),
        columns: Vec::new(),
        values: None,
        detail: String::new(),
        entry_checksum: o.checksum,
        row_checksum: String::new(),
    };
    let Some(row) = row else {
        finding.detail = "the row is gone".into();
        return finding;
    };
    let mut hasher = blake3::Hasher::new();
    let mut values = BTreeMap::new();
    let null = serde_json::Value::Null;
    for (i, c) in spec.columns.iter().enumerate() {
        let entry = normalize::canonical_text(&c, o.values.get(i).unwrap_or(&null));
        let now = normalize::canonical_text(&c, row.get(c.column).unwrap_or(&null));
        hash_value(&mut hasher, c.column, now.as_deref());
        if entry != now {
            finding.columns.push(c.column.to_string());
            if show_values {
                values.insert(
                    c.column.to_string(),
                    ValuePair {
                        entry: entry.map(Cow::into_owned),
                        row: now.map(Cow::into_owned),
                    },
                );
            }
        }
    }
    finding.row_checksum = hasher.finalize().to_hex().to_string();
    if finding.columns.is_empty() {
        finding.kind = FindingKind::Fresh;
    } else {
        finding.kind = FindingKind::Stale;
        finding.detail = format!("differs in {}", finding.columns.join(", "));
        if show_values {
            finding.values = Some(values);
        }
    }
    finding
}

/// Hashes one canonical column value, unambiguously.
fn hash_value(hasher: &mut blake3::Hasher, column: &str, value: Option<&str>) {
    hasher.update(&(column.len() as u64).to_le_bytes());
    hasher.update(column.as_bytes());
    match value {
        None => {
            hasher.update(b"N");
        }
        Some(v) => {
            hasher.update(b"S");
            hasher.update(&(v.len() as u64).to_le_bytes());
            hasher.update(v.as_bytes());
        }
    }
}

/// The row key an entry key names.
fn row_key(entry: &EntryKey) -> RowKey {
    RowKey {
        tenant: entry.key.tenant().as_str().map(str::to_string),
        parts: entry.key.parts().to_vec(),
    }
}

/// A finding about a key that names no row.
fn bare(kind: FindingKind, redis_key: String, detail: String) -> Finding {
    Finding {
        kind,
        tenant: None,
        table: None,
        redis_key,
        key: None,
        columns: Vec::new(),
        values: None,
        detail,
        entry_checksum: String::new(),
        row_checksum: String::new(),
    }
}

fn absorb(into: &mut BatchResult, batch: BatchResult, audited: &AtomicU64) {
    audited.fetch_add(batch.findings.len() as u64, Ordering::Relaxed);
    into.findings.extend(batch.findings);
    into.other_tables += batch.other_tables;
}
