//! Property test: random histories of tables, views and materialized views over tables and
//! over views, unnamed indexes over columns and expressions, unnamed keys and checks,
//! CASCADE drops (of views, tables and columns), renames of the tables and columns views
//! read, type changes and name collisions. Statements are drawn blindly from small name
//! pools and offered one by one to a real PostgreSQL: the server decides which are valid
//! (a refused statement is left out of the history). The history it accepted is then
//! replayed: the replay must report no error and end with the server's schema — tables,
//! columns, types, nullability, keys, views, and every index and constraint name.

use cache_contract_tests::diff::compare;
use cache_contract_tests::postgres_db::PgDatabase;
use cache_contract_tests::replay::replay;
use proptest::prelude::*;
use proptest::test_runner::{FileFailurePersistence, TestCaseError};
use schema_check::Dialect;

const TABLES: &[&str] = &["t0", "t1", "t2"];
const COLUMNS: &[&str] = &["a", "b", "c"];
const VIEWS: &[&str] = &["v0", "v1", "v2"];

/// One statement, from four choices.
fn statement(kind: u8, x: u8, y: u8, z: u8) -> String {
    let t = TABLES[x as usize % TABLES.len()];
    let t2 = TABLES[y as usize % TABLES.len()];
    let c = COLUMNS[y as usize % COLUMNS.len()];
    let c2 = COLUMNS[z as usize % COLUMNS.len()];
    let v = VIEWS[x as usize % VIEWS.len()];
    let v2 = VIEWS[z as usize % VIEWS.len()];
    let cascade = if z.is_multiple_of(2) { " CASCADE" } else { "" };
    match kind % 20 {
        0 | 1 => format!(
            "CREATE TABLE {t} (id serial PRIMARY KEY, a text, b text UNIQUE, c int CHECK (c > 0){})",
            if z.is_multiple_of(3) {
                format!(", UNIQUE (a, c), p int REFERENCES {t2}")
            } else {
                String::new()
            }
        ),
        2 => format!("ALTER TABLE {t} ADD COLUMN {c} text"),
        3 => format!("ALTER TABLE {t} DROP COLUMN {c}{cascade}"),
        4 => format!("ALTER TABLE {t} RENAME COLUMN {c} TO {c2}"),
        5 => format!("ALTER TABLE {t} RENAME TO {t2}"),
        6 => format!("DROP TABLE {t}{cascade}"),
        7 => {
            let unique = if z.is_multiple_of(3) { "UNIQUE " } else { "" };
            let on = match z % 5 {
                0 => c.to_string(),
                1 => format!("lower({c}::text)"),
                2 => format!("{c}, id"),
                3 => format!("({c}::text || 'x')"),
                _ => format!("upper({c}::text), {c2}"),
            };
            let target = if y.is_multiple_of(4) { v } else { t };
            format!("CREATE {unique}INDEX ON {target} ({on})")
        }
        8 => match z % 4 {
            0 => format!("CREATE VIEW {v} AS SELECT {t}.id, {t}.{c} FROM {t}"),
            1 => format!("CREATE VIEW {v} AS SELECT * FROM {t}"),
            2 => format!("CREATE VIEW {v} AS SELECT x.* FROM {v2} x"),
            _ => format!("CREATE VIEW {v} AS SELECT {c}, id FROM {t} WHERE id > 0"),
        },
        9 => match z % 2 {
            0 => format!("CREATE MATERIALIZED VIEW {v} AS SELECT * FROM {t}"),
            _ => format!("CREATE MATERIALIZED VIEW {v} AS SELECT y.* FROM {v2} y"),
        },
        10 => format!("DROP VIEW {v}{cascade}"),
        11 => format!("DROP MATERIALIZED VIEW {v}{cascade}"),
        12 => format!("ALTER TABLE {t} ALTER COLUMN {c} TYPE varchar(50)"),
        13 => format!("ALTER VIEW {v} RENAME TO {v2}"),
        14 => {
            let name = match z % 6 {
                0 => format!("{t}_{c}_idx"),
                1 => format!("{t}_lower_idx"),
                2 => format!("{t}_expr_idx"),
                3 => format!("{t}_{c}_id_idx"),
                4 => format!("{t}_lower_idx1"),
                _ => format!("{v}_id_idx"),
            };
            format!("DROP INDEX {name}")
        }
        15 => {
            let name = match z % 4 {
                0 => format!("{t}_{c}_key"),
                1 => format!("{t}_c_check"),
                2 => format!("{t}_pkey"),
                _ => format!("{t}_p_fkey"),
            };
            format!("ALTER TABLE {t} DROP CONSTRAINT {name}{cascade}")
        }
        16 => format!("ALTER TABLE {t} ADD UNIQUE ({c})"),
        17 => format!("ALTER TABLE {t} ADD CHECK (length({c}::text) < 99)"),
        18 => format!("CREATE OR REPLACE VIEW {v} AS SELECT {t}.id, {t}.{c} FROM {t}"),
        _ => format!("ALTER MATERIALIZED VIEW {v} RENAME TO {v2}"),
    }
}

/// Offers each statement to a fresh database, keeps the accepted ones as one migration
/// file each, and checks the replay of those files against what the server built.
fn check(ops: &[(u8, u8, u8, u8)]) -> Result<(), String> {
    let mut db = PgDatabase::create()?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut kept = Vec::new();
    for &(k, x, y, z) in ops {
        let sql = statement(k, x, y, z);
        if db.execute(&sql, "a generated statement").is_ok() {
            kept.push(sql);
        }
    }
    if kept.is_empty() {
        return Ok(());
    }
    for (i, sql) in kept.iter().enumerate() {
        std::fs::write(
            dir.path().join(format!("{:04}_m.sql", i + 1)),
            format!("{sql};\n"),
        )
        .map_err(|e| e.to_string())?;
    }
    let server = db.introspect()?;
    let replayed = replay(dir.path(), Dialect::Postgres)?;
    let history = kept.join(";\n");
    if let Some(errors) = replayed.error_report() {
        return Err(format!("{errors}\nhistory:\n{history}"));
    }
    let report = compare(
        "replay",
        &replayed.observed,
        "postgres",
        &server,
        Some(&replayed.schema),
    );
    if !report.is_empty() {
        return Err(format!("{report}\nhistory:\n{history}"));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        // 24 keeps the suite fast; PROPTEST_CASES=500 hunts harder.
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(24),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/proptest-regressions/property_views_postgres.txt"
        )))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_view_and_name_histories_match_postgres(
        ops in prop::collection::vec((any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>()), 1..60),
    ) {
        check(&ops).map_err(TestCaseError::fail)?;
    }
}
