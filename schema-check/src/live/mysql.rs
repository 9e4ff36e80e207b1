//! MySQL and MariaDB introspection from `information_schema`.

use std::collections::BTreeMap;

use mysql::prelude::Queryable;
use mysql::{Conn, Opts, OptsBuilder};

use super::{DatabaseUrl, LiveError, live_provenance, referential_action, reported_type};
use crate::dialect::Dialect;
use crate::drift::expr::normalize;
use crate::model::{
    Check, Column, ForeignKey, Generated, Index, Schema, Table, UniqueConstraint, UniqueKind, View,
};
use crate::types::TypeFamily;

fn fail(url: &DatabaseUrl, what: &str, e: &mysql::Error) -> LiveError {
    LiveError(url.scrub(&format!("MySQL at {url}: {what}: {e}")))
}

/// Connects to the server `url` names, to `database` when given (else the URL's).
pub fn connect(url: &DatabaseUrl, database: Option<&str>) -> Result<Conn, LiveError> {
    let raw = url.secret_url();
    // The mysql crate knows the `mysql://` scheme only.
    let raw = match raw.get(..10) {
        Some(p) if p.eq_ignore_ascii_case("mariadb://") => format!("mysql://{}", &raw[10..]),
        _ => raw.to_string(),
    };
    let opts = Opts::from_url(&raw)
        .map_err(|e| LiveError(url.scrub(&format!("invalid MySQL URL `{url}`: {e}"))))?;
    let mut builder = OptsBuilder::from_opts(opts);
    if let Some(db) = database {
        builder = builder.db_name(Some(db));
    }
    Conn::new(builder).map_err(|e| fail(url, "cannot connect", &e))
}

/// The databases whose names match `pattern`, sorted.
pub fn list_databases(
    url: &DatabaseUrl,
    conn: &mut Conn,
    pattern: &glob::Pattern,
) -> Result<Vec<String>, LiveError> {
    let names: Vec<String> = conn
        .query("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA ORDER BY SCHEMA_NAME")
        .map_err(|e| fail(url, "listing databases", &e))?;
    Ok(names.into_iter().filter(|n| pattern.matches(n)).collect())
}

/// `COLUMN_TYPE` without integer display widths (`int(11)` is `int`), except `tinyint(1)`,
/// MySQL's boolean: the canonical spelling of [`crate::types`].
///
/// ```
/// use schema_check::live::mysql::canonical_column_type;
/// assert_eq!(canonical_column_type("bigint(20) unsigned"), "bigint unsigned");
/// assert_eq!(canonical_column_type("tinyint(1)"), "tinyint(1)");
/// assert_eq!(canonical_column_type("varchar(255)"), "varchar(255)");
/// ```
pub fn canonical_column_type(ty: &str) -> String {
    for int in ["tinyint", "smallint", "mediumint", "int", "bigint"] {
        if let Some(rest) = ty.strip_prefix(int).and_then(|r| r.strip_prefix('('))
            && let Some((width, tail)) = rest.split_once(')')
            && width.bytes().all(|b| b.is_ascii_digit())
        {
            if int == "tinyint" && width == "1" {
                return ty.to_string();
            }
            return format!("{int}{tail}");
        }
    }
    ty.to_string()
}

/// Introspects the database `tenant` (empty: the URL's database).
pub fn introspect(url: &DatabaseUrl, conn: &mut Conn, tenant: &str) -> Result<Schema, LiveError> {
    let err = |what: &'static str| move |e: mysql::Error| fail(url, what, &e);
    let database: String = if tenant.is_empty() {
        let db: Option<Option<String>> = conn
            .query_first("SELECT DATABASE()")
            .map_err(err("reading the current database"))?;
        db.flatten().ok_or_else(|| {
            LiveError(format!(
                "the URL {url} names no database: add one (mysql://host/app) or select \
                 tenants with --databases"
            ))
        })?
    } else {
        tenant.to_string()
    };
    let version: Option<String> = conn
        .query_first("SELECT VERSION()")
        .map_err(err("reading the server version"))?;
    let mariadb = version.unwrap_or_default().contains("MariaDB");
    conn.query_drop("START TRANSACTION READ ONLY")
        .map_err(err("starting a read-only transaction"))?;
    let result = read(url, conn, &database, mariadb);
    conn.query_drop("COMMIT")
        .map_err(err("ending the read-only transaction"))?;
    result
}

fn read(
    url: &DatabaseUrl,
    conn: &mut Conn,
    database: &str,
    mariadb: bool,
) -> Result<Schema, LiveError> {
    let err = |what: &'static str| move |e: mysql::Error| fail(url, what, &e);
    let mut schema = Schema::default();
    let tables: Vec<(String, String)> = conn
        .exec(
            "SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?",
            (database,),
        )
        .map_err(err("reading tables"))?;
    for (name, kind) in tables {
        if kind == "VIEW" {
            schema.views.insert(
                name.clone(),
                View {
                    name,
                    materialized: false,
                    provenance: live_provenance(),
                },
            );
        } else if kind != "SEQUENCE" {
            schema.tables.insert(
                name.clone(),
                Table::new(name, Vec::new(), live_provenance()),
            );
        }
    }

    type ColumnRow = (
        String,
        String,
        String,
        String,
        Option<String>,
        String,
        Option<String>,
    );
    let columns: Vec<ColumnRow> = conn
        .exec(
            "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, \
                    GENERATION_EXPRESSION \
             FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? \
             ORDER BY TABLE_NAME, ORDINAL_POSITION",
            (database,),
        )
        .map_err(err("reading columns"))?;
    for (table, name, ty, nullable, default, extra, generation) in columns {
        let Some(t) = schema.tables.get_mut(&table) else {
            continue;
        };
        let ty = reported_type(
            Dialect::Mysql,
            &canonical_column_type(&ty),
            &Schema::default(),
        );
        let extra_lower = extra.to_ascii_lowercase();
        let generated = if extra_lower.contains("auto_increment") {
            Some(Generated::Identity { always: false })
        } else if extra_lower.contains("generated") && !extra_lower.contains("default_generated") {
            generation
                .filter(|g| !g.is_empty())
                .map(|expr| Generated::Expression {
                    expr,
                    stored: extra_lower.contains("stored") || extra_lower.contains("persistent"),
                })
        } else {
            None
        };
        let default = if generated.is_some() {
            None
        } else if mariadb {
            // MariaDB reports the default as an SQL expression (`'a'`, `0`, `NULL`).
            default
        } else {
            // MySQL reports literals bare, and expressions with DEFAULT_GENERATED.
            default.map(|d| {
                if extra_lower.contains("default_generated") || d.parse::<f64>().is_ok() {
                    d
                } else {
                    format!("'{}'", d.replace('\'', "''"))
                }
            })
        };
        t.columns.push(Column {
            name,
            ty,
            nullable: nullable == "YES",
            default,
            generated,
            provenance: live_provenance(),
        });
    }

    // Keys and indexes, column by column.
    type IndexRow = (
        String,
        String,
        i64,
        String,
        Option<String>,
        Option<i64>,
        String,
    );
    let rows: Vec<IndexRow> = conn
        .exec(
            "SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, INDEX_TYPE, COLUMN_NAME, SUB_PART, \
                    CAST(SEQ_IN_INDEX AS CHAR) \
             FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? \
             ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX",
            (database,),
        )
        .map_err(err("reading indexes"))?;
    let mut indexes: BTreeMap<(String, String), (bool, Vec<String>)> = BTreeMap::new();
    for (table, index, non_unique, kind, column, sub_part, _) in rows {
        if kind == "FULLTEXT" || kind == "SPATIAL" {
            continue; // not recorded by the replay either
        }
        let column = column.unwrap_or_default();
        let column = match sub_part {
            Some(n) => format!("{column}({n})"),
            None => column,
        };
        indexes
            .entry((table, index))
            .or_insert_with(|| (non_unique == 0, Vec::new()))
            .1
            .push(column);
    }
    for ((table, index), (unique, columns)) in indexes {
        let Some(t) = schema.tables.get_mut(&table) else {
            continue;
        };
        if index == "PRIMARY" {
            t.primary_key = Some(columns);
            t.primary_key_name = Some(index);
            t.primary_key_provenance = Some(live_provenance());
            continue;
        }
        if unique {
            // MySQL has no unique index apart from the constraint: it is both.
            t.unique.push(UniqueConstraint {
                name: Some(index.clone()),
                columns: columns.clone(),
                kind: UniqueKind::Constraint,
                provenance: live_provenance(),
            });
        }
        schema.indexes.insert(
            crate::replay::constraint::index_key(Dialect::Mysql, &table, &index),
            Index {
                name: index,
                table,
                columns,
                unique,
                predicate: None,
                provenance: live_provenance(),
            },
        );
    }

    type FkRow = (String, String, String, String, String, String, String);
    let fks: Vec<FkRow> = conn
        .exec(
            "SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_NAME, \
                    k.REFERENCED_COLUMN_NAME, r.DELETE_RULE, r.UPDATE_RULE \
             FROM information_schema.KEY_COLUMN_USAGE k \
             JOIN information_schema.REFERENTIAL_CONSTRAINTS r \
               ON r.CONSTRAINT_SCHEMA = k.TABLE_SCHEMA AND r.TABLE_NAME = k.TABLE_NAME \
              AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME \
             WHERE k.TABLE_SCHEMA = ? AND k.REFERENCED_TABLE_NAME IS NOT NULL \
             ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION",
            (database,),
        )
        .map_err(err("reading foreign keys"))?;
    for (table, name, column, foreign_table, foreign_column, on_delete, on_update) in fks {
        let Some(t) = schema.tables.get_mut(&table) else {
            continue;
        };
        match t
            .foreign_keys
            .iter_mut()
            .find(|fk| fk.name.as_deref() == Some(name.as_str()))
        {
            Some(fk) => {
                fk.columns.push(column);
                fk.foreign_columns.push(foreign_column);
            }
            None => t.foreign_keys.push(ForeignKey {
                name: Some(name),
                columns: vec![column],
                foreign_table,
                foreign_columns: vec![foreign_column],
                on_delete: referential_action(&on_delete),
                on_update: referential_action(&on_update),
                column: None,
                provenance: live_provenance(),
            }),
        }
    }

    let checks: Vec<(String, String, String)> = if mariadb {
        conn.exec(
            "SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE \
             FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?",
            (database,),
        )
    } else {
        conn.exec(
            "SELECT tc.TABLE_NAME, cc.CONSTRAINT_NAME, cc.CHECK_CLAUSE \
             FROM information_schema.CHECK_CONSTRAINTS cc \
             JOIN information_schema.TABLE_CONSTRAINTS tc \
               ON tc.CONSTRAINT_SCHEMA = cc.CONSTRAINT_SCHEMA \
              AND tc.CONSTRAINT_NAME = cc.CONSTRAINT_NAME AND tc.CONSTRAINT_TYPE = 'CHECK' \
             WHERE cc.CONSTRAINT_SCHEMA = ?",
            (database,),
        )
    }
    .map_err(err("reading check constraints"))?;
    for (table, name, clause) in checks {
        let Some(t) = schema.tables.get_mut(&table) else {
            continue;
        };
        // MariaDB names a column's CHECK after the column; a JSON column is LONGTEXT with
        // a `json_valid(col)` check of that kind.
        let column = t.columns.iter_mut().find(|c| c.name == name).map(|c| {
            if normalize(Dialect::Mysql, &clause)
                == normalize(Dialect::Mysql, &format!("json_valid(`{}`)", c.name))
            {
                c.ty.family = TypeFamily::Json;
            }
            c.name.clone()
        });
        t.checks.push(Check {
            name: Some(name),
            expr: clause,
            column,
            provenance: live_provenance(),
        });
    }
    Ok(schema)
}
