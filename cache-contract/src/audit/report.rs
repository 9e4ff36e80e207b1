//! An audit's result: findings, per-tenant counts and digests, the JSON Lines audit log, and
//! the baseline a later run compares with.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::finding::{Counts, Finding, FindingKind};

/// The version of the audit log's and the baseline's JSON formats.
pub const LOG_VERSION: u64 = 1;

/// One tenant's part of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantSummary {
    /// The tenant (`None`: the global scope).
    pub tenant: Option<String>,
    /// Findings by kind (every entry has exactly one).
    pub counts: Counts,
    /// blake3 (hex) over the tenant's entries sorted by Redis key, each as its key, entry
    /// checksum and row checksum: two audits of an unchanged system give the same digest.
    pub digest: String,
}

/// One audited entry as a run keeps it until the report is built: what the counts and the
/// digest need, and its finding when it has one (every entry that is not fresh).
pub(crate) struct Verdict {
    /// The Redis key.
    pub(crate) redis_key: String,
    /// The table its key names (`None` for an unreadable key).
    pub(crate) table: Option<&'static str>,
    /// The verdict.
    pub(crate) kind: FindingKind,
    /// blake3 of the entry's bytes (`None`: nothing was read).
    pub(crate) entry_checksum: Option<blake3::Hash>,
    /// blake3 of the row's canonical values (`None`: no row).
    pub(crate) row_checksum: Option<blake3::Hash>,
    /// The finding, for entries that are not fresh (and fresh ones when asked for).
    pub(crate) finding: Option<Box<Finding>>,
}

/// The result of one audit run.
#[derive(Debug, Clone)]
pub struct Report {
    /// The findings: one per entry that is not fresh (and one per fresh entry too with
    /// [`AuditConfig::fresh_findings`](super::AuditConfig::fresh_findings)), sorted by
    /// tenant, table and Redis key.
    pub findings: Vec<Finding>,
    /// Per tenant, sorted by tenant id (the global scope first).
    pub tenants: Vec<TenantSummary>,
    /// Per tenant (`None`: the global scope) and table: the counts of its entries (keys
    /// that do not parse belong to no table and are counted only in [`tenants`](Self::tenants)).
    pub tables: BTreeMap<(Option<String>, String), Counts>,
    /// All entries by kind.
    pub counts: Counts,
    /// Keys listed that belong to tables no registered contract caches (not audited).
    pub other_tables: u64,
    /// When the run started, in milliseconds since the Unix epoch.
    pub started_at_ms: u64,
    /// How long the run took.
    pub duration: Duration,
    /// Rows read from the database, by tenant range and by key (an entry checked again by
    /// key after its range counts twice).
    pub row_reads: u64,
}

/// How many bytes a digest is fed at a time.
const DIGEST_BUFFER: usize = 64 * 1024;

/// Counts by kind while a report is built: an array indexed by the kind's position in
/// [`FindingKind::ALL`].
#[derive(Default)]
struct Tally([u64; FindingKind::ALL.len()]);

impl Tally {
    fn add(&mut self, kind: FindingKind) {
        self.0[kind as usize] += 1;
    }

    fn counts(&self) -> Counts {
        Counts(
            FindingKind::ALL
                .into_iter()
                .zip(self.0)
                .filter(|(_, n)| *n > 0)
                .collect(),
        )
    }
}

/// Verdicts in all below which a report is built on the calling thread alone (spawning
/// threads costs more than it saves).
const PARALLEL_FROM: usize = 8192;

/// One tenant's part of a report, built on its own.
struct TenantPart {
    summary: TenantSummary,
    tally: Tally,
    /// Its tables' counts, by table.
    tables: BTreeMap<&'static str, Tally>,
    /// Its findings, sorted by table and Redis key.
    findings: Vec<Finding>,
}

/// A tenant and its verdicts, batch by batch.
type TenantVerdicts = (Option<String>, Vec<Vec<Verdict>>);

impl TenantPart {
    /// Joins a tenant's batches, counts them and digests them (any order within a tenant; a
    /// key listed twice by the `SCAN` walk counts once).
    fn new((tenant, batches): TenantVerdicts) -> Self {
        let mut verdicts = Vec::with_capacity(batches.iter().map(Vec::len).sum());
        batches.into_iter().for_each(|b| verdicts.extend(b));
        // The digest takes the tenant's entries in Redis key order.
        verdicts.sort_unstable_by(|a, b| a.redis_key.cmp(&b.redis_key));
        verdicts.dedup_by(|a, b| a.redis_key == b.redis_key);
        let mut tally = Tally::default();
        let mut tables: BTreeMap<&'static str, Tally> = BTreeMap::new();
        let mut findings = Vec::new();
        let mut hasher = blake3::Hasher::new();
        // The hashed bytes are laid out in a buffer and fed in large pieces: blake3 hashes
        // those several chunks at a time (the digest is the same).
        let mut pending: Vec<u8> = Vec::with_capacity(DIGEST_BUFFER + 512);
        for v in verdicts {
            tally.add(v.kind);
            if let Some(table) = v.table {
                tables.entry(table).or_default().add(v.kind);
            }
            let hex = |h: Option<blake3::Hash>| h.map(|h| h.to_hex());
            let (entry, row) = (hex(v.entry_checksum), hex(v.row_checksum));
            for field in [
                v.redis_key.as_str(),
                entry.as_ref().map_or("", |h| h.as_str()),
                row.as_ref().map_or("", |h| h.as_str()),
            ] {
                pending.extend_from_slice(&(field.len() as u64).to_le_bytes());
                pending.extend_from_slice(field.as_bytes());
            }
            if pending.len() >= DIGEST_BUFFER {
                hasher.update(&pending);
                pending.clear();
            }
            if let Some(f) = v.finding {
                findings.push(*f);
            }
        }
        hasher.update(&pending);
        findings.sort_by(|a, b| (&a.table, &a.redis_key).cmp(&(&b.table, &b.redis_key)));
        TenantPart {
            summary: TenantSummary {
                tenant,
                counts: tally.counts(),
                digest: hasher.finalize().to_hex().to_string(),
            },
            tally,
            tables,
            findings,
        }
    }

    /// The parts of all tenants, in the order given: built on as many threads as there are
    /// cores (each thread takes the next tenant not yet taken) when there are enough
    /// verdicts to be worth it.
    fn all(tenants: Vec<TenantVerdicts>) -> Vec<TenantPart> {
        let verdicts: usize = tenants
            .iter()
            .map(|(_, batches)| batches.iter().map(Vec::len).sum::<usize>())
            .sum();
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(tenants.len());
        if threads <= 1 || verdicts < PARALLEL_FROM {
            return tenants.into_iter().map(TenantPart::new).collect();
        }
        let count = tenants.len();
        let queue = std::sync::Mutex::new(tenants.into_iter().enumerate());
        let next = || queue.lock().unwrap_or_else(|e| e.into_inner()).next();
        let mut built: Vec<Option<TenantPart>> =
            std::iter::repeat_with(|| None).take(count).collect();
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| {
                        let mut parts = Vec::new();
                        while let Some((at, tenant)) = next() {
                            parts.push((at, TenantPart::new(tenant)));
                        }
                        parts
                    })
                })
                .collect();
            for worker in workers {
                let parts = worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                for (at, part) in parts {
                    built[at] = Some(part);
                }
            }
        });
        built
            .into_iter()
            .map(|part| part.expect("every tenant is taken by one thread"))
            .collect()
    }
}

impl Report {
    /// Builds a report from the verdicts of a run, by tenant, each tenant's in batches (any
    /// order within a tenant; a key listed twice by the `SCAN` walk counts once). Tenants
    /// are built in parallel ([`TenantPart::all`]); the result does not depend on it.
    pub(crate) fn new(
        verdicts: BTreeMap<Option<String>, Vec<Vec<Verdict>>>,
        other_tables: u64,
        started_at_ms: u64,
        duration: Duration,
    ) -> Self {
        let parts = TenantPart::all(verdicts.into_iter().collect());
        let mut findings = Vec::with_capacity(parts.iter().map(|p| p.findings.len()).sum());
        let mut all = Tally::default();
        let mut tenants = Vec::with_capacity(parts.len());
        let mut tables = BTreeMap::new();
        for part in parts {
            for (kind, n) in all.0.iter_mut().zip(part.tally.0) {
                *kind += n;
            }
            for (table, t) in part.tables {
                tables.insert((part.summary.tenant.clone(), table.to_string()), t.counts());
            }
            findings.extend(part.findings);
            tenants.push(part.summary);
        }
        // Each tenant's findings are sorted already and the tenants come in order: this
        // sort only confirms it (one pass over a single sorted run).
        findings.sort_by(|a, b| {
            (&a.tenant, &a.table, &a.redis_key).cmp(&(&b.tenant, &b.table, &b.redis_key))
        });
        Report {
            findings,
            tenants,
            tables,
            counts: all.counts(),
            other_tables,
            started_at_ms,
            duration,
            row_reads: 0,
        }
    }

    /// `true` when no finding makes the status `DRIFT` (see [`FindingKind::is_drift`]).
    pub fn is_consistent(&self) -> bool {
        self.counts.drift() == 0
    }

    /// `CONSISTENT` or `DRIFT`.
    pub fn status(&self) -> &'static str {
        if self.is_consistent() {
            "CONSISTENT"
        } else {
            "DRIFT"
        }
    }

    /// The findings of `kind`.
    pub fn of_kind(&self, kind: FindingKind) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| f.kind == kind)
    }

    /// The summary of `tenant` (`None`: the global scope).
    pub fn tenant(&self, tenant: Option<&str>) -> Option<&TenantSummary> {
        self.tenants.iter().find(|t| t.tenant.as_deref() == tenant)
    }

    /// Writes the audit log (JSON Lines, see the [format](super#the-audit-log)): one line
    /// per finding (fresh entries have one only with
    /// [`AuditConfig::fresh_findings`](super::AuditConfig::fresh_findings)), then one
    /// summary line, with the regressions against a baseline when given.
    pub fn write_log(
        &self,
        out: &mut dyn Write,
        regressions: Option<&[Regression]>,
    ) -> io::Result<()> {
        for f in &self.findings {
            let mut line = serde_json::to_value(f).map_err(io::Error::other)?;
            if let Some(obj) = line.as_object_mut() {
                obj.insert("v".into(), json!(LOG_VERSION));
                obj.insert("type".into(), json!("finding"));
                obj.insert("security".into(), json!(f.kind.is_security()));
            }
            writeln!(out, "{line}")?;
        }
        let mut summary = json!({
            "v": LOG_VERSION,
            "type": "summary",
            "status": self.status(),
            "entries": self.counts.total(),
            "counts": self.counts,
            "other_tables": self.other_tables,
            "tenants": self.tenants,
            "started_at_ms": self.started_at_ms,
            "duration_ms": self.duration.as_millis() as u64,
            "row_reads": self.row_reads,
        });
        if let (Some(regressions), Some(obj)) = (regressions, summary.as_object_mut()) {
            obj.insert("regressions".into(), json!(regressions));
        }
        writeln!(out, "{summary}")
    }
}

/// A tenant's counts and digest as a baseline keeps them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    /// [`LOG_VERSION`].
    pub v: u64,
    /// Per tenant.
    pub tenants: Vec<TenantSummary>,
}

/// More entries of a drift kind for a tenant than the baseline had.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Regression {
    /// The tenant (`None`: the global scope).
    pub tenant: Option<String>,
    /// The kind.
    pub kind: FindingKind,
    /// Entries of that kind in the baseline.
    pub before: u64,
    /// Entries of that kind now.
    pub after: u64,
}

impl Baseline {
    /// The baseline of `report`.
    pub fn of(report: &Report) -> Self {
        Baseline {
            v: LOG_VERSION,
            tenants: report.tenants.clone(),
        }
    }

    /// Reads the baseline at `path`; `Ok(None)` when there is none yet.
    pub fn load(path: &Path) -> io::Result<Option<Self>> {
        let text = match std::fs::read(path) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let baseline: Baseline = serde_json::from_slice(&text).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{}: not an audit baseline ({e}); move it away to start a new one",
                    path.display()
                ),
            )
        })?;
        if baseline.v != LOG_VERSION {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{}: baseline format {} (this release reads {LOG_VERSION})",
                    path.display(),
                    baseline.v
                ),
            ));
        }
        Ok(Some(baseline))
    }

    /// Writes the baseline to `path` atomically: to a temporary file in the same directory,
    /// synced, then renamed over `path` (a reader sees the old or the new file, never half).
    pub fn write_atomic(&self, path: &Path) -> io::Result<()> {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = path
            .file_name()
            .ok_or_else(|| io::Error::other(format!("{}: not a file path", path.display())))?;
        let tmp = dir.join(format!(
            ".{}.tmp-{}",
            name.to_string_lossy(),
            std::process::id()
        ));
        let write = || -> io::Result<()> {
            let mut file = std::fs::File::create(&tmp)?;
            serde_json::to_writer_pretty(&mut file, self).map_err(io::Error::other)?;
            file.write_all(b"\n")?;
            file.sync_all()?;
            std::fs::rename(&tmp, path)
        };
        write().inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
    }

    /// What got worse since this baseline: per tenant, every drift kind with more entries
    /// now than then (a tenant new since the baseline counts from zero).
    pub fn regressions(&self, report: &Report) -> Vec<Regression> {
        let mut out = Vec::new();
        for now in &report.tenants {
            let then = self.tenants.iter().find(|t| t.tenant == now.tenant);
            for kind in FindingKind::ALL.into_iter().filter(|k| k.is_drift()) {
                let before = then.map_or(0, |t| t.counts.get(kind));
                let after = now.counts.get(kind);
                if after > before {
                    out.push(Regression {
                        tenant: now.tenant.clone(),
                        kind,
                        before,
                        after,
                    });
                }
            }
        }
        out
    }

    /// The tenants whose digest differs from the baseline's (or that are new or gone).
    pub fn changed_tenants(&self, report: &Report) -> Vec<Option<String>> {
        let mut changed: Vec<Option<String>> = report
            .tenants
            .iter()
            .filter(|now| {
                self.tenants
                    .iter()
                    .find(|t| t.tenant == now.tenant)
                    .is_none_or(|then| then.digest != now.digest)
            })
            .map(|t| t.tenant.clone())
            .collect();
        changed.extend(
            self.tenants
                .iter()
                .filter(|then| report.tenant(then.tenant.as_deref()).is_none())
                .map(|t| t.tenant.clone()),
        );
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(key: &str, kind: FindingKind, tag: u8) -> Verdict {
        Verdict {
            redis_key: key.to_string(),
            table: Some("users"),
            kind,
            entry_checksum: Some(blake3::hash(&[tag])),
            row_checksum: (kind == FindingKind::Fresh).then(|| blake3::hash(b"row")),
            finding: None,
        }
    }

    fn report(tenant: &str, verdicts: Vec<Verdict>) -> Report {
        let by_tenant = BTreeMap::from([(Some(tenant.to_string()), vec![verdicts])]);
        Report::new(by_tenant, 0, 0, Duration::ZERO)
    }

    /// The tally's index of a kind is its place in `FindingKind::ALL`.
    #[test]
    fn kinds_index_the_tally_in_report_order() {
        for (i, kind) in FindingKind::ALL.into_iter().enumerate() {
            assert_eq!(kind as usize, i);
            let mut tally = Tally::default();
            tally.add(kind);
            assert_eq!(tally.counts().0, BTreeMap::from([(kind, 1)]));
        }
    }

    /// The digest takes the entries in key order, whatever order the batches gave them
    /// in, and a key the walk listed twice counts once; a changed entry changes it.
    #[test]
    fn digests_are_in_key_order_and_count_each_key_once() {
        let a = report(
            "t",
            vec![
                verdict("k1", FindingKind::Fresh, 1),
                verdict("k2", FindingKind::Orphan, 2),
            ],
        );
        let b = report(
            "t",
            vec![
                verdict("k2", FindingKind::Orphan, 2),
                verdict("k1", FindingKind::Fresh, 1),
                verdict("k2", FindingKind::Orphan, 2),
            ],
        );
        assert_eq!(a.tenants, b.tenants);
        assert_eq!(b.counts.total(), 2);
        assert_eq!(
            b.tables[&(Some("t".to_string()), "users".to_string())].get(FindingKind::Orphan),
            1
        );
        let c = report(
            "t",
            vec![
                verdict("k1", FindingKind::Fresh, 1),
                verdict("k2", FindingKind::Orphan, 3),
            ],
        );
        assert_ne!(a.tenants[0].digest, c.tenants[0].digest);
        // As documented: blake3 over each entry in key order as its key, entry checksum
        // and row checksum (hex; empty when absent), each preceded by its length.
        let mut expected = blake3::Hasher::new();
        for (key, entry, row) in [
            (
                "k1",
                blake3::hash(&[1]).to_hex().to_string(),
                blake3::hash(b"row").to_hex().to_string(),
            ),
            ("k2", blake3::hash(&[2]).to_hex().to_string(), String::new()),
        ] {
            for field in [key, entry.as_str(), row.as_str()] {
                expected.update(&(field.len() as u64).to_le_bytes());
                expected.update(field.as_bytes());
            }
        }
        assert_eq!(
            a.tenants[0].digest,
            expected.finalize().to_hex().to_string()
        );
    }

    /// A report large enough to be built on several threads is the one its tenants give
    /// built one by one (each below the threshold, so built on the calling thread): the
    /// same summaries, table counts and findings in the same order, whichever batch
    /// order the verdicts came in.
    #[test]
    fn a_report_built_in_parallel_is_the_one_built_tenant_by_tenant() {
        let tenants: Vec<Option<String>> = std::iter::once(None)
            .chain((0..11).map(|t| Some(format!("t{t:02}"))))
            .collect();
        let per_tenant = PARALLEL_FROM / tenants.len() + 100;
        assert!(per_tenant < PARALLEL_FROM && per_tenant * tenants.len() >= PARALLEL_FROM);
        let verdicts = |tenant: &Option<String>| -> Vec<Vec<Verdict>> {
            let mut batches: Vec<Vec<Verdict>> = (0..3).map(|_| Vec::new()).collect();
            for i in 0..per_tenant {
                let kind = FindingKind::ALL[i % FindingKind::ALL.len()];
                let mut v = verdict(&format!("k{}", (i * 7919) % per_tenant), kind, i as u8);
                v.table = Some(if i % 2 == 0 { "users" } else { "orders" });
                if kind != FindingKind::Fresh {
                    v.finding = Some(Box::new(Finding {
                        kind,
                        tenant: tenant.clone(),
                        table: v.table.map(str::to_string),
                        redis_key: v.redis_key.clone(),
                        key: None,
                        columns: Vec::new(),
                        values: None,
                        detail: format!("{i}"),
                        entry_checksum: String::new(),
                        row_checksum: String::new(),
                    }));
                }
                batches[i % 3].push(v);
            }
            batches
        };
        let whole = Report::new(
            tenants.iter().map(|t| (t.clone(), verdicts(t))).collect(),
            0,
            0,
            Duration::ZERO,
        );
        let alone: Vec<Report> = tenants
            .iter()
            .map(|t| {
                let by_tenant = BTreeMap::from([(t.clone(), verdicts(t))]);
                Report::new(by_tenant, 0, 0, Duration::ZERO)
            })
            .collect();
        let tenants_alone: Vec<TenantSummary> =
            alone.iter().flat_map(|r| r.tenants.clone()).collect();
        assert_eq!(whole.tenants, tenants_alone);
        let tables_alone: BTreeMap<_, _> = alone.iter().flat_map(|r| r.tables.clone()).collect();
        assert_eq!(whole.tables, tables_alone);
        let findings_alone: Vec<Finding> = alone.iter().flat_map(|r| r.findings.clone()).collect();
        assert_eq!(
            serde_json::to_string(&whole.findings).unwrap(),
            serde_json::to_string(&findings_alone).unwrap()
        );
        assert!(whole.findings.len() > PARALLEL_FROM / 2);
        assert!(whole.findings.windows(2).all(|w| {
            (&w[0].tenant, &w[0].table, &w[0].redis_key)
                < (&w[1].tenant, &w[1].table, &w[1].redis_key)
        }));
        assert_eq!(whole.counts.total(), (per_tenant * tenants.len()) as u64);
    }
}
