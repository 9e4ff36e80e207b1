//! Discovery: every supported layout, numeric ordering, ignored files and duplicates.

use std::fs;
use std::path::Path;

use schema_check::discover::{Layout, discover};

/// Creates `files` (paths relative to `root`, `/`-separated) with a one-line body.
fn layout(files: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for f in files {
        let path = dir.path().join(f);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, "SELECT 1;\n").unwrap();
    }
    dir
}

fn displays(dir: &Path, prefix: Option<&str>) -> Vec<String> {
    discover(dir, prefix)
        .unwrap()
        .migrations
        .into_iter()
        .map(|m| m.display)
        .collect()
}

fn ignored(dir: &Path) -> Vec<(String, String)> {
    discover(dir, Some("m"))
        .unwrap()
        .ignored
        .into_iter()
        .map(|i| (i.file, i.reason))
        .collect()
}

#[test]
fn flyway_versions_order_numerically() {
    let dir = layout(&[
        "V10__ten.sql",
        "V2__two.sql",
        "V1__one.sql",
        "V1_1__one_one.sql",
        "V1.2__one_two.sql",
    ]);
    assert_eq!(
        displays(dir.path(), Some("db/migration")),
        [
            "db/migration/V1__one.sql",
            "db/migration/V1_1__one_one.sql",
            "db/migration/V1.2__one_two.sql",
            "db/migration/V2__two.sql",
            "db/migration/V10__ten.sql",
        ]
    );
}

#[test]
fn flyway_repeatables_run_last_and_undo_files_are_ignored() {
    let dir = layout(&[
        "R__b_views.sql",
        "R__a_functions.sql",
        "V3__x.sql",
        "U3__x.sql",
    ]);
    let found = discover(dir.path(), Some("m")).unwrap();
    let order: Vec<_> = found
        .migrations
        .iter()
        .map(|m| (m.display.as_str(), m.layout))
        .collect();
    assert_eq!(
        order,
        [
            ("m/V3__x.sql", Layout::Flyway),
            ("m/R__a_functions.sql", Layout::FlywayRepeatable),
            ("m/R__b_views.sql", Layout::FlywayRepeatable),
        ]
    );
    assert!(found.migrations[1].version.is_none());
    let ignored = ignored(dir.path());
    assert_eq!(ignored.len(), 1);
    assert_eq!(ignored[0].0, "m/U3__x.sql");
    assert!(ignored[0].1.contains("undo"), "{}", ignored[0].1);
}

/// refinery runs `U<n>__` ("unversioned") files in version order with the `V` ones
/// (refinery-core sorts every migration by its `i32` version); a `U` file with the
/// version of a `V` file is Flyway's undo of it, never run forward.
#[test]
fn a_lone_u_file_is_a_refinery_migration_in_version_order() {
    let dir = layout(&["V1__a.sql", "U2__b.sql", "V10__c.sql", "U10__undo_c.sql"]);
    let found = discover(dir.path(), Some("m")).unwrap();
    let order: Vec<_> = found
        .migrations
        .iter()
        .map(|m| (m.display.as_str(), m.layout))
        .collect();
    assert_eq!(
        order,
        [
            ("m/V1__a.sql", Layout::Flyway),
            ("m/U2__b.sql", Layout::RefineryUnversioned),
            ("m/V10__c.sql", Layout::Flyway),
        ]
    );
    assert!(found.errors.is_empty(), "{:?}", found.errors);
    let ignored = ignored(dir.path());
    assert_eq!(ignored.len(), 1);
    assert_eq!(ignored[0].0, "m/U10__undo_c.sql");
}

#[test]
fn sqlx_simple_and_reversible() {
    let dir = layout(&[
        "20240102000000_users.up.sql",
        "20240102000000_users.down.sql",
        "20240101000000_init.sql",
        "seed.sql",
        "schema.sql",
        "README.md",
        ".keep",
    ]);
    let found = discover(dir.path(), Some("migrations")).unwrap();
    let got: Vec<_> = found
        .migrations
        .iter()
        .map(|m| (m.display.as_str(), m.name.as_str(), m.layout))
        .collect();
    assert_eq!(
        got,
        [
            ("migrations/20240101000000_init.sql", "init", Layout::Flat),
            (
                "migrations/20240102000000_users.up.sql",
                "users",
                Layout::SqlxUp
            ),
        ]
    );
    assert!(found.errors.is_empty());
    let ignored = ignored(dir.path());
    let files: Vec<_> = ignored.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        files,
        [
            "m/.keep",
            "m/20240102000000_users.down.sql",
            "m/README.md",
            "m/schema.sql",
            "m/seed.sql"
        ]
    );
    for (file, reason) in &ignored {
        assert!(!reason.is_empty(), "{file}");
    }
    assert!(ignored[1].1.contains("down migration"));
    assert!(ignored[3].1.contains("not a migration name"));
}

#[test]
fn diesel_directories_with_mixed_version_widths() {
    let dir = layout(&[
        "2017-09-23-182408_b/up.sql",
        "2017-09-23-182408_b/down.sql",
        "20140924113530_a/up.sql",
        "20140924113530_a/down.sql",
        "00000000000000_setup/up.sql",
        "00000000000000_setup/down.sql",
        "not_a_version/up.sql",
        ".diesel_lock",
    ]);
    let found = discover(dir.path(), Some("migrations")).unwrap();
    let got: Vec<_> = found
        .migrations
        .iter()
        .map(|m| (m.display.as_str(), m.version.as_ref().unwrap().to_string()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "migrations/00000000000000_setup/up.sql",
                "00000000000000".to_string()
            ),
            (
                "migrations/20140924113530_a/up.sql",
                "20140924113530".to_string()
            ),
            (
                "migrations/2017-09-23-182408_b/up.sql",
                "20170923182408".to_string()
            ),
            // diesel takes any text before the first `_` as a version, compared as text.
            ("migrations/not_a_version/up.sql", "not".to_string()),
        ]
    );
    assert!(found.migrations.iter().all(|m| m.layout == Layout::Diesel));
    let ignored = ignored(dir.path());
    let files: Vec<_> = ignored.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        files,
        [
            "m/.diesel_lock",
            "m/00000000000000_setup/down.sql",
            "m/20140924113530_a/down.sql",
            "m/2017-09-23-182408_b/down.sql",
        ]
    );
}

#[test]
fn flat_numbering_is_numeric_not_lexical() {
    let dir = layout(&[
        "10_ten.sql",
        "9_nine.sql",
        "0100_hundred.sql",
        "011_eleven.sql",
    ]);
    assert_eq!(
        displays(dir.path(), Some("m")),
        [
            "m/9_nine.sql",
            "m/10_ten.sql",
            "m/011_eleven.sql",
            "m/0100_hundred.sql"
        ]
    );
}

#[test]
fn dash_numbered_files_are_the_migrations_of_a_directory_of_only_them() {
    // As a `rusqlite_migration` user names them, listing them in code in version order.
    let dir = layout(&[
        "10-ten.sql",
        "2-two.sql",
        "001-init.sql",
        "3.sql",
        "notes.sql",
    ]);
    let found = discover(dir.path(), Some("m")).unwrap();
    let order: Vec<_> = found
        .migrations
        .iter()
        .map(|m| m.display.as_str())
        .collect();
    assert_eq!(
        order,
        ["m/001-init.sql", "m/2-two.sql", "m/3.sql", "m/10-ten.sql"]
    );
    assert!(
        found
            .migrations
            .iter()
            .all(|m| m.layout == Layout::Numbered)
    );
    assert_eq!(found.migrations[0].name, "init");
    assert_eq!(ignored(dir.path()).len(), 1, "notes.sql");
    // A date with dashes is not version 2024, and `.up`/`.down` files are another layout's.
    let dated = layout(&["2024-03-06-x.sql", "1-a.down.sql", "2-b.up.sql"]);
    assert!(displays(dated.path(), Some("m")).is_empty());
    // `-down` files revert their `-up` twins (tokio-postgres-migration's naming).
    let twins = layout(&[
        "0001-users-down.sql",
        "0001-users-up.sql",
        "0002-pets-up.sql",
    ]);
    assert_eq!(
        displays(twins.path(), Some("m")),
        ["m/0001-users-up.sql", "m/0002-pets-up.sql"]
    );
}

#[test]
fn dash_numbered_files_beside_sqlx_migrations_are_ignored_as_sqlx_ignores_them() {
    let dir = layout(&["0001_init.sql", "0002-extra.sql", "0003_more.sql"]);
    assert_eq!(
        displays(dir.path(), Some("m")),
        ["m/0001_init.sql", "m/0003_more.sql"]
    );
    let ignored = ignored(dir.path());
    assert_eq!(ignored.len(), 1);
    assert_eq!(ignored[0].0, "m/0002-extra.sql");
    assert!(
        ignored[0]
            .1
            .contains("sqlx, diesel, refinery and Flyway skip"),
        "{ignored:?}"
    );
}

#[test]
fn shared_versions_are_a_warning_naming_both_files_and_run_in_file_name_order() {
    // `01_b.sql` sorts before `1_a.sql` by file name, though its name part is later.
    let dir = layout(&["1_a.sql", "01_b.sql", "0002_c.sql", "002_a.sql", "2_b.sql"]);
    let found = discover(dir.path(), Some("m")).unwrap();
    assert!(found.errors.is_empty(), "{:?}", found.errors);
    assert_eq!(
        displays(dir.path(), Some("m")),
        [
            "m/01_b.sql",
            "m/1_a.sql",
            "m/0002_c.sql",
            "m/002_a.sql",
            "m/2_b.sql"
        ]
    );
    let places: Vec<(String, String)> = found
        .warnings
        .iter()
        .map(|w| (w.cause.to_string(), w.location.to_string()))
        .collect();
    assert_eq!(
        places,
        [
            ("m/01_b.sql:1:1".to_string(), "m/1_a.sql:1:1".to_string()),
            (
                "m/0002_c.sql:1:1".to_string(),
                "m/002_a.sql:1:1".to_string()
            ),
            ("m/002_a.sql:1:1".to_string(), "m/2_b.sql:1:1".to_string()),
        ]
    );
    let w = &found.warnings[0];
    assert_eq!(
        w.message,
        "migrations `m/01_b.sql` and `m/1_a.sql` have the same version 1; they are replayed \
         in file-name order"
    );
    assert_eq!(w.cause_note, "the other migration with version 1");
}

#[test]
fn display_prefix_defaults_to_the_directory_as_given() {
    let dir = layout(&["0001_init.sql", "2_x/up.sql"]);
    let given = format!("{}/", dir.path().display());
    let shown = displays(Path::new(&given), None);
    let base = dir.path().display().to_string().replace('\\', "/");
    assert_eq!(
        shown,
        [
            format!("{base}/0001_init.sql"),
            format!("{base}/2_x/up.sql")
        ]
    );
}

#[test]
fn missing_directory_is_a_clear_error() {
    let err = discover(Path::new("/no/such/migrations"), Some("no/such/migrations")).unwrap_err();
    assert!(
        err.message
            .starts_with("cannot read migration directory `no/such/migrations`"),
        "{}",
        err.message
    );
    assert!(err.help.is_some());
}

mod properties {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// A migration file name for `version` in one of the layouts, zero-padded to `width`.
    fn file_name(version: u64, width: usize, layout: u8, i: usize) -> String {
        let v = format!("{version:0width$}");
        match layout % 3 {
            0 => format!("{v}_m{i}.sql"),
            1 => format!("{v}_m{i}.up.sql"),
            _ => format!("V{v}__m{i}.sql"),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Any mix of layouts and paddings replays in numeric version order (file-name
        /// order among equal versions), and a shared-version warning is reported exactly
        /// for numerically equal versions.
        #[test]
        fn order_is_numeric_and_shared_versions_are_exact(
            files in prop::collection::vec((0u64..2000, 0usize..16, any::<u8>()), 1..12),
        ) {
            let names: Vec<String> = files
                .iter()
                .enumerate()
                .map(|(i, &(v, w, l))| file_name(v, w, l, i))
                .collect();
            let refs: Vec<&str> = names.iter().map(String::as_str).collect();
            let dir = layout(&refs);
            let found = discover(dir.path(), Some("m")).unwrap();
            prop_assert_eq!(found.migrations.len(), files.len());
            let got: Vec<u64> = found
                .migrations
                .iter()
                .map(|m| m.version.as_ref().unwrap().as_str().parse::<u64>().unwrap())
                .collect();
            let mut sorted = got.clone();
            sorted.sort_unstable();
            prop_assert_eq!(&got, &sorted);
            for pair in found.migrations.windows(2) {
                if pair[0].version == pair[1].version {
                    prop_assert!(pair[0].display < pair[1].display);
                }
            }
            let mut counts = BTreeMap::new();
            for &(v, _, _) in &files {
                *counts.entry(v).or_insert(0usize) += 1;
            }
            let expected_warnings: usize = counts.values().map(|c| c - 1).sum();
            prop_assert!(found.errors.is_empty(), "{:?}", found.errors);
            prop_assert_eq!(found.warnings.len(), expected_warnings, "{:?}", found.warnings);
        }
    }
}
