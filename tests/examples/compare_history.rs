//! Applies a migration directory to a fresh database on the local server (in the order
//! its migration tool runs it), replays it with `schema-check`, and prints every
//! difference: tables, columns and their order, types, nullability, primary keys, views,
//! index and constraint names.
//! Used by `scripts/compare-history.sh [--no-foreign-key-checks] DIR DIALECT`
//! (`--no-foreign-key-checks`: the MariaDB session runs with `FOREIGN_KEY_CHECKS = 0`).
//!
//! Exit codes: 0 the replay agrees with the server and reports no error; 1 differences or
//! replay errors (printed); 2 usage, or the server refused the history (printed).

use std::path::PathBuf;
use std::process::ExitCode;

use cache_contract_tests::database::{Session, build_in, server_name};
use cache_contract_tests::diff::compare;
use cache_contract_tests::replay::replay;
use schema_check::Dialect;

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let session = Session {
        mysql_without_foreign_key_checks: take_flag(&mut args, "--no-foreign-key-checks"),
    };
    let [dir, dialect] = args.as_slice() else {
        eprintln!(
            "usage: compare-history [--no-foreign-key-checks] DIR DIALECT   \
             (DIALECT: postgres, mysql or sqlite)"
        );
        return ExitCode::from(2);
    };
    let dialect: Dialect = match dialect.parse() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let dir = PathBuf::from(dir);
    let server = server_name(dialect);
    let database = match build_in(dialect, &dir, session) {
        Ok(schema) => schema,
        Err(e) => {
            eprintln!("error: the history does not build on {server}: {e}");
            return ExitCode::from(2);
        }
    };
    let replayed = match replay(&dir, dialect) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let report = compare(
        "replay",
        &replayed.observed,
        server,
        &database,
        Some(&replayed.schema),
    );
    let errors = replayed.error_report();
    println!(
        "{}: {} tables and {} views on {server}",
        dir.display(),
        database.tables.len(),
        database.views.len()
    );
    print!("{report}");
    if !replayed.warnings.is_empty() {
        println!(
            "the replay is unsure of {} thing(s) (warnings; they do not fail the comparison):\n{}",
            replayed.warnings.len(),
            replayed.warnings.join("\n")
        );
    }
    if let Some(errors) = &errors {
        println!("{errors}");
    }
    if report.is_empty() && errors.is_none() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Removes `flag` from `args`, saying whether it was there.
fn take_flag(args: &mut Vec<String>, flag: &str) -> bool {
    let before = args.len();
    args.retain(|a| a != flag);
    args.len() != before
}
