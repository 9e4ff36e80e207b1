//! `--as-migration`: where the remediation goes as a new migration, in the directory's own
//! layout and naming (the next version, or a timestamp when the versions are timestamps).

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::discover::{Layout, Migration};

/// The files a new migration named `name` consists of, after `existing` (in replay order):
/// `(path relative to the directory, contents)`; the up file gets `sql`, a down file (where
/// the layout has one) says it cannot be undone.
///
/// ```
/// use schema_check::drift::migration_file::new_migration;
/// let files = new_migration(&[], "drift_fix", "SELECT 1;\n", 20240101120000);
/// assert_eq!(files[0].0.to_str(), Some("0001_drift_fix.sql"));
/// ```
pub fn new_migration(
    existing: &[Migration],
    name: &str,
    sql: &str,
    now: u64,
) -> Vec<(PathBuf, String)> {
    let last = existing.iter().rev().find(|m| m.version.is_some());
    let layout = last.map_or(Layout::Flat, |m| m.layout);
    let last_text = last
        .and_then(|m| m.version.as_ref())
        .map(|v| v.as_str().to_string())
        .unwrap_or_default();
    let digits: String = last_text.chars().filter(char::is_ascii_digit).collect();
    let timestamp = digits.len() >= 14 || layout == Layout::Diesel;
    let version = if timestamp {
        let mut v = now;
        if let Ok(prev) = digits.parse::<u64>() {
            v = v.max(prev + 1);
        }
        v.to_string()
    } else {
        let (head, tail) = match last_text.rsplit_once('.') {
            Some((h, t)) => (format!("{h}."), t.to_string()),
            None => (String::new(), last_text.clone()),
        };
        let next = tail.parse::<u64>().map_or(1, |n| n + 1);
        let width = if tail.starts_with('0') || tail.is_empty() {
            tail.len().max(4)
        } else {
            0
        };
        format!("{head}{next:0width$}")
    };
    let down = "-- The remediation of `schema-check drift` cannot be undone automatically.\n";
    match layout {
        Layout::Flyway | Layout::FlywayRepeatable | Layout::RefineryUnversioned => {
            vec![(
                PathBuf::from(format!("V{version}__{name}.sql")),
                sql.to_string(),
            )]
        }
        Layout::SqlxUp => vec![
            (
                PathBuf::from(format!("{version}_{name}.up.sql")),
                sql.to_string(),
            ),
            (
                PathBuf::from(format!("{version}_{name}.down.sql")),
                down.to_string(),
            ),
        ],
        Layout::Diesel => {
            let v = &version;
            let dir = format!(
                "{}-{}-{}-{}_{name}",
                &v[0..4],
                &v[4..6],
                &v[6..8],
                &v[8..14]
            );
            vec![
                (Path::new(&dir).join("up.sql"), sql.to_string()),
                (Path::new(&dir).join("down.sql"), down.to_string()),
            ]
        }
        Layout::Flat => vec![(
            PathBuf::from(format!("{version}_{name}.sql")),
            sql.to_string(),
        )],
        // The project's own runner lists its files in code: the new one must be added there.
        Layout::Numbered => vec![(
            PathBuf::from(format!("{version}-{name}.sql")),
            sql.to_string(),
        )],
    }
}

/// The current UTC time as `YYYYMMDDHHMMSS`.
pub fn utc_timestamp() -> u64 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (h, m, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    format!("{year:04}{month:02}{day:02}{h:02}{m:02}{s:02}")
        .parse()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::discover;

    fn after(files: &[&str]) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        for f in files {
            let p = dir.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "SELECT 1;").unwrap();
        }
        let found = discover(dir.path(), None).unwrap();
        new_migration(&found.migrations, "drift_fix", "", 20250102030405)
            .into_iter()
            .map(|(p, _)| p.display().to_string())
            .collect()
    }

    #[test]
    fn follows_the_directory_layout_and_numbering() {
        assert_eq!(after(&["0001_a.sql", "0009_b.sql"]), ["0010_drift_fix.sql"]);
        assert_eq!(after(&["V1__a.sql", "V12__b.sql"]), ["V13__drift_fix.sql"]);
        assert_eq!(
            after(&["20240101000000_a.sql"]),
            ["20250102030405_drift_fix.sql"]
        );
        assert_eq!(
            after(&["1_a.up.sql", "1_a.down.sql"]),
            ["2_drift_fix.up.sql", "2_drift_fix.down.sql"]
        );
        assert_eq!(
            after(&["2024-03-06-170000_a/up.sql"]),
            [
                "2025-01-02-030405_drift_fix/up.sql",
                "2025-01-02-030405_drift_fix/down.sql"
            ]
        );
        assert_eq!(after(&["001-a.sql", "002-b.sql"]), ["0003-drift_fix.sql"]);
        assert!(utc_timestamp() > 20_240_000_000_000);
    }
}
