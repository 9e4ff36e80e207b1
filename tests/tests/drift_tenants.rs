//! `schema-check drift` over many tenants: 200 PostgreSQL schemas and 50 MariaDB databases,
//! a handful drifted in two kinds → exactly those tenants, in two groups.

use cache_contract_tests::live_db::{postgres_url, replayed};
use cache_contract_tests::mariadb_db::server_url;
use cache_contract_tests::naming::unique_db_name;
use cache_contract_tests::postgres_db::PgDatabase;
use mysql::prelude::Queryable;
use schema_check::Dialect;
use schema_check::drift::{Change, DiffOptions, Object, diff, group_tenants};
use schema_check::live::{DatabaseUrl, Tenants, introspect_all, list_tenants};

const HISTORY: [(&str, &str); 2] = [
    (
        "0001_init.sql",
        "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(200) NOT NULL UNIQUE, \
         note text);\n",
    ),
    (
        "0002_orders.sql",
        "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id), \
         total numeric(10,2) NOT NULL DEFAULT 0 CHECK (total >= 0));\n\
         CREATE INDEX orders_user_idx ON orders (user_id, total);\n",
    ),
];

fn migrations() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, sql) in HISTORY {
        std::fs::write(dir.path().join(name), sql).unwrap();
    }
    dir
}

/// Which tenants (by position) lose a column, and which gain an index, out of band.
struct Injected {
    dropped: [usize; 3],
    indexed: [usize; 2],
}

impl Injected {
    /// The out-of-band change tenant `i` gets, if any.
    fn sql(&self, i: usize) -> &'static str {
        if self.dropped.contains(&i) {
            "ALTER TABLE users DROP COLUMN note;"
        } else if self.indexed.contains(&i) {
            "CREATE INDEX hotfix_idx ON orders (total);"
        } else {
            ""
        }
    }
}

/// Introspects every tenant `pattern` selects (8 at a time), diffs each against the
/// migrations, groups, and checks: the clean ones, the dropped column, the extra index.
fn check_groups(url: &str, dialect: Dialect, pattern: &str, names: &[String], injected: &Injected) {
    let dir = migrations();
    let expected = replayed(dir.path(), dialect).unwrap();
    let url = DatabaseUrl::parse(url).unwrap();
    let tenants = list_tenants(&url, &Tenants::Matching(pattern.into())).unwrap();
    assert_eq!(tenants, names, "every tenant and nothing else is listed");
    let options = DiffOptions {
        dialect,
        ..Default::default()
    };
    let compared = introspect_all(&url, &tenants, 8, &|_| {})
        .into_iter()
        .map(|(t, r)| {
            let schema = r.unwrap_or_else(|e| panic!("{t}: {e}"));
            let d = diff(&expected, &schema, &options);
            (t, d)
        })
        .collect();
    let groups = group_tenants(compared);
    assert_eq!(
        groups.len(),
        3,
        "clean, dropped column, extra index: {groups:#?}"
    );
    assert!(groups[0].differences.is_empty());
    assert_eq!(groups[0].tenants.len(), names.len() - 5);
    let pick = |idx: &[usize]| idx.iter().map(|&i| names[i].clone()).collect::<Vec<_>>();
    assert_eq!(groups[1].tenants, pick(&injected.dropped));
    assert_eq!(
        groups[1].differences.len(),
        1,
        "{:#?}",
        groups[1].differences
    );
    assert_eq!(
        (
            &groups[1].differences[0].object,
            groups[1].differences[0].change
        ),
        (
            &Object::Column {
                table: "users".into(),
                column: "note".into()
            },
            Change::Missing
        )
    );
    assert_eq!(groups[2].tenants, pick(&injected.indexed));
    assert_eq!(
        groups[2].differences.len(),
        1,
        "{:#?}",
        groups[2].differences
    );
    assert_eq!(
        (
            &groups[2].differences[0].object,
            groups[2].differences[0].change
        ),
        (
            &Object::Index {
                table: "orders".into(),
                name: "hotfix_idx".into()
            },
            Change::Extra
        )
    );
}

#[test]
fn postgres_200_tenant_schemas_group_into_exactly_the_drifted_ones() {
    let injected = Injected {
        dropped: [7, 42, 99],
        indexed: [150, 151],
    };
    let mut db = PgDatabase::create().unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<String> = (0..200).map(|i| format!("tenant_{i:03}")).collect();
    let mut sql = String::new();
    for (i, name) in names.iter().enumerate() {
        sql.push_str(&format!(
            "CREATE SCHEMA {name}; SET search_path TO {name};\n"
        ));
        for (_, m) in HISTORY {
            sql.push_str(m);
        }
        sql.push_str(injected.sql(i));
    }
    // A schema that is not a tenant is left alone.
    sql.push_str("CREATE SCHEMA billing; CREATE TABLE billing.x (a int);");
    db.execute(&sql, "tenant setup").unwrap();
    check_groups(
        &postgres_url(db.name()),
        Dialect::Postgres,
        "tenant_*",
        &names,
        &injected,
    );
}

/// Drops the tenant databases, also on panic.
struct Databases(Vec<String>);

impl Drop for Databases {
    fn drop(&mut self) {
        if let Ok(mut conn) = mysql::Conn::new(mysql::Opts::from_url(&server_url()).unwrap()) {
            for db in &self.0 {
                let _ = conn.query_drop(format!("DROP DATABASE IF EXISTS `{db}`"));
            }
        }
    }
}

#[test]
fn mariadb_50_tenant_databases_group_into_exactly_the_drifted_ones() {
    let prefix = unique_db_name();
    let names: Vec<String> = (0..50).map(|i| format!("{prefix}_t{i:02}")).collect();
    let guard = Databases(names.clone());
    let opts = mysql::Opts::from_url(&server_url()).unwrap();
    let mut conn = mysql::Conn::new(opts).unwrap_or_else(|e| {
        panic!(
            "MariaDB is not reachable at {}: {e}; start it with `service mariadb start`",
            server_url()
        )
    });
    let injected = Injected {
        dropped: [7, 21, 33],
        indexed: [40, 41],
    };
    for (i, name) in names.iter().enumerate() {
        let mut sql = format!("CREATE DATABASE `{name}`; USE `{name}`;\n");
        for (_, m) in HISTORY {
            sql.push_str(m);
        }
        sql.push_str(injected.sql(i));
        conn.query_drop(sql).unwrap();
    }
    drop(conn);
    let url = format!("{}/{}", server_url().trim_end_matches('/'), names[0]);
    check_groups(
        &url,
        Dialect::Mysql,
        &format!("{prefix}_t*"),
        &names,
        &injected,
    );
    drop(guard);
}
