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

/// The result of one audit run.
#[derive(Debug, Clone)]
pub struct Report {
    /// One finding per entry, sorted by tenant, table and Redis key.
    pub findings: Vec<Finding>,
    /// Per tenant, sorted by tenant id (the global scope first).
    pub tenants: Vec<TenantSummary>,
    /// All findings by kind.
    pub counts: Counts,
    /// Keys listed that belong to tables no registered contract caches (not audited).
    pub other_tables: u64,
    /// When the run started, in milliseconds since the Unix epoch.
    pub started_at_ms: u64,
    /// How long the run took.
    pub duration: Duration,
}

impl Report {
    /// Builds a report from its findings (any order).
    pub(crate) fn new(
        mut findings: Vec<Finding>,
        other_tables: u64,
        started_at_ms: u64,
        duration: Duration,
    ) -> Self {
        findings.sort_by(|a, b| {
            (&a.tenant, &a.table, &a.redis_key).cmp(&(&b.tenant, &b.table, &b.redis_key))
        });
        let mut counts = Counts::default();
        let mut tenants: BTreeMap<Option<&str>, (Counts, blake3::Hasher)> = BTreeMap::new();
        let mut by_key: Vec<&Finding> = findings.iter().collect();
        by_key.sort_by(|a, b| a.redis_key.cmp(&b.redis_key));
        for f in by_key {
            counts.add(f.kind);
            let (c, hasher) = tenants.entry(f.tenant.as_deref()).or_default();
            c.add(f.kind);
            for field in [&f.redis_key, &f.entry_checksum, &f.row_checksum] {
                hasher.update(&(field.len() as u64).to_le_bytes());
                hasher.update(field.as_bytes());
            }
        }
        let tenants = tenants
            .into_iter()
            .map(|(tenant, (counts, hasher))| TenantSummary {
                tenant: tenant.map(str::to_string),
                counts,
                digest: hasher.finalize().to_hex().to_string(),
            })
            .collect();
        Report {
            findings,
            tenants,
            counts,
            other_tables,
            started_at_ms,
            duration,
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
    /// per finding (fresh entries only with `log_fresh`), then one summary line, with the
    /// regressions against a baseline when given.
    pub fn write_log(
        &self,
        out: &mut dyn Write,
        log_fresh: bool,
        regressions: Option<&[Regression]>,
    ) -> io::Result<()> {
        for f in &self.findings {
            if f.kind == FindingKind::Fresh && !log_fresh {
                continue;
            }
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
