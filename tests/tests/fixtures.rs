//! Every fixture history is applied to a fresh database of its dialect; what the server
//! built must match the fixture's hand-reviewed `expected.txt`, and `schema-check`'s
//! replay of the same files (without a database) must agree with the server; its
//! discovery must find the same migrations in the same order as the harness.

use cache_contract_tests::fixture::Fixture;

fn check(id: &str) {
    let fixture = Fixture::named(id).unwrap_or_else(|e| panic!("{e}"));
    let database = fixture
        .database_schema()
        .unwrap_or_else(|e| panic!("fixture {id}: {e}"));
    let problems: Vec<String> = [
        fixture.check_expected(&database),
        fixture.check_discovery(),
        fixture.check_replay(&database),
    ]
    .into_iter()
    .filter_map(Result::err)
    .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

macro_rules! fixtures {
    ($($test:ident => $id:literal,)*) => {
        $(
            #[test]
            fn $test() {
                check($id);
            }
        )*

        /// A fixture added on disk without a test here would silently go unchecked.
        #[test]
        fn every_fixture_on_disk_has_a_test() {
            let listed = [$($id),*];
            let on_disk = Fixture::all_ids().unwrap();
            let missing: Vec<_> = on_disk.iter().filter(|id| !listed.contains(&id.as_str())).collect();
            assert!(missing.is_empty(), "fixtures without a test in tests/fixtures.rs: {missing:?}");
            assert!(!on_disk.is_empty(), "no fixtures found under {}", cache_contract_tests::fixture::fixtures_root().display());
        }
    };
}

fixtures! {
    postgres_flat_messy => "postgres/flat_messy",
    postgres_flyway => "postgres/flyway",
    postgres_sqlx => "postgres/sqlx",
    postgres_sqlx_reversible => "postgres/sqlx_reversible",
    postgres_diesel => "postgres/diesel",
    postgres_diesel_mixed_versions => "postgres/diesel_mixed_versions",
    postgres_mixed_width => "postgres/mixed_width",
    postgres_large_service => "postgres/large_service",
    postgres_edge_cases => "postgres/edge_cases",
    postgres_do_block_variables => "postgres/do_block_variables",
    postgres_search_path => "postgres/search_path",
    postgres_view_dependencies => "postgres/view_dependencies",
    postgres_rebuild_patterns => "postgres/rebuild_patterns",
    postgres_typed_tables => "postgres/typed_tables",
    postgres_unseen_dependents => "postgres/unseen_dependents",
    postgres_view_typed_ctas => "postgres/view_typed_ctas",
    postgres_ctas_expressions => "postgres/ctas_expressions",
    postgres_public_idioms => "postgres/public_idioms",
    postgres_up_down_sections => "postgres/up_down_sections",
    mysql_flat_messy => "mysql/flat_messy",
    mysql_flyway => "mysql/flyway",
    mysql_sqlx => "mysql/sqlx",
    mysql_sqlx_reversible => "mysql/sqlx_reversible",
    mysql_diesel => "mysql/diesel",
    mysql_mixed_width => "mysql/mixed_width",
    mysql_edge_cases => "mysql/edge_cases",
    mysql_ctas_expressions => "mysql/ctas_expressions",
    mysql_rebuild_patterns => "mysql/rebuild_patterns",
    mysql_public_idioms => "mysql/public_idioms",
    sqlite_flat_messy => "sqlite/flat_messy",
    sqlite_flyway => "sqlite/flyway",
    sqlite_sqlx => "sqlite/sqlx",
    sqlite_sqlx_reversible => "sqlite/sqlx_reversible",
    sqlite_diesel => "sqlite/diesel",
    sqlite_mixed_width => "sqlite/mixed_width",
    sqlite_edge_cases => "sqlite/edge_cases",
    sqlite_rebuild_patterns => "sqlite/rebuild_patterns",
    sqlite_refinery_unversioned => "sqlite/refinery_unversioned",
    sqlite_numbered => "sqlite/numbered",
}
