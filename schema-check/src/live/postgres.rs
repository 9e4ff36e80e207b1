//! PostgreSQL introspection from `pg_catalog`.

use std::collections::HashMap;

use postgres::{Client, IsolationLevel, NoTls};

use super::{
    DatabaseUrl, LiveError, live_provenance, quote_double, referential_action, reported_type,
};
use crate::dialect::Dialect;
use crate::model::{
    Check, Column, Domain, EnumType, ForeignKey, Generated, Index, Schema, Table, UniqueConstraint,
    UniqueKind, View,
};

fn fail(url: &DatabaseUrl, what: &str, e: &postgres::Error) -> LiveError {
    let detail = match e.as_db_error() {
        Some(db) => db.message().to_string(),
        None => e.to_string(),
    };
    LiveError(url.scrub(&format!("PostgreSQL at {url}: {what}: {detail}")))
}

/// Connects to the database `url` names (without TLS).
pub fn connect(url: &DatabaseUrl) -> Result<Client, LiveError> {
    let config: postgres::Config = url.secret_url().parse().map_err(|e: postgres::Error| {
        LiveError(url.scrub(&format!("invalid PostgreSQL URL `{url}`: {e}")))
    })?;
    config.connect(NoTls).map_err(|e| {
        LiveError(url.scrub(&format!(
            "cannot connect to PostgreSQL at {url}: {e}{}",
            if e.to_string().contains("TLS") {
                " (this build connects without TLS: use a local or tunnelled connection with \
                 sslmode=disable)"
            } else {
                ""
            }
        )))
    })
}

/// The schemas whose names match `pattern`, sorted.
pub fn list_schemas(
    url: &DatabaseUrl,
    client: &mut Client,
    pattern: &glob::Pattern,
) -> Result<Vec<String>, LiveError> {
    let rows = client
        .query(
            "SELECT nspname::text FROM pg_namespace ORDER BY nspname",
            &[],
        )
        .map_err(|e| fail(url, "listing schemas", &e))?;
    Ok(rows
        .iter()
        .map(|r| r.get::<_, String>(0))
        .filter(|n| pattern.matches(n))
        .collect())
}

/// Introspects `tenant` (a schema, compared unqualified), or with `tenant` empty the whole
/// database: every user schema, `public` unqualified and the others qualified.
pub fn introspect(
    url: &DatabaseUrl,
    client: &mut Client,
    tenant: &str,
) -> Result<Schema, LiveError> {
    let err = |what: &'static str| move |e: postgres::Error| fail(url, what, &e);
    let mut tx = client
        .build_transaction()
        .read_only(true)
        .isolation_level(IsolationLevel::RepeatableRead)
        .start()
        .map_err(err("starting a read-only transaction"))?;
    let default = if tenant.is_empty() { "public" } else { tenant };
    // format_type and pg_get_expr qualify what search_path does not show: show the default
    // schema's objects unqualified, as the migrations name them.
    let path = if default == "public" {
        "public".to_string()
    } else {
        format!("{}, public", quote_double(default))
    };
    // JIT off: the planner prices the index query's per-key subqueries (generate_series
    // is estimated at 1,000 rows) above `jit_above_cost`, and compiling it took ~1 s on a
    // 100-table schema, 25 times what running it takes (scripts/bench-drift.sh).
    tx.execute(
        "SELECT set_config('search_path', $1, true), set_config('jit', 'off', true)",
        &[&path],
    )
    .map_err(err("setting search_path and jit"))?;
    let schemas: Vec<String> = if tenant.is_empty() {
        tx.query(
            "SELECT n.nspname::text FROM pg_namespace n \
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') \
               AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%' \
               AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass \
                               AND d.objid = n.oid AND d.deptype = 'e')",
            &[],
        )
        .map_err(err("listing schemas"))?
        .iter()
        .map(|r| r.get(0))
        .collect()
    } else {
        vec![tenant.to_string()]
    };
    let qualify = |nsp: &str, name: &str| {
        if nsp == default {
            name.to_string()
        } else {
            format!("{nsp}.{name}")
        }
    };
    let mut schema = Schema::default();

    // Enums and domains first: column types resolve against them.
    for row in tx
        .query(
            "SELECT n.nspname::text, t.typname::text, t.typtype::text, \
                    ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid \
                          ORDER BY e.enumsortorder), \
                    format_type(t.typbasetype, t.typtypmod), t.typnotnull \
             FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
             WHERE n.nspname = ANY($1) AND t.typtype IN ('e', 'd') \
               AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass \
                               AND d.objid = t.oid AND d.deptype = 'e')",
            &[&schemas],
        )
        .map_err(err("reading types"))?
    {
        let name = qualify(row.get(0), row.get(1));
        let kind: String = row.get(2);
        if kind == "e" {
            schema.enums.insert(
                name.clone(),
                EnumType {
                    name,
                    values: row.get(3),
                    provenance: live_provenance(),
                },
            );
        } else {
            let base: String = row.get(4);
            let base = reported_type(Dialect::Postgres, &base, &schema);
            schema.domains.insert(
                name.clone(),
                Domain {
                    name,
                    base,
                    not_null: row.get(5),
                    provenance: live_provenance(),
                },
            );
        }
    }

    // Tables, partitions, views, materialized views.
    let mut by_oid: HashMap<u32, String> = HashMap::new();
    for row in tx
        .query(
            "SELECT c.oid, n.nspname::text, c.relname::text, c.relkind::text \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p', 'v', 'm') \
               AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass \
                               AND d.objid = c.oid AND d.deptype = 'e')",
            &[&schemas],
        )
        .map_err(err("reading tables"))?
    {
        let oid: u32 = row.get(0);
        let name = qualify(row.get(1), row.get(2));
        let kind: String = row.get(3);
        by_oid.insert(oid, name.clone());
        match kind.as_str() {
            "v" | "m" => {
                schema.views.insert(
                    name.clone(),
                    View {
                        name,
                        materialized: kind == "m",
                        provenance: live_provenance(),
                    },
                );
            }
            _ => {
                schema.tables.insert(
                    name.clone(),
                    Table::new(name, Vec::new(), live_provenance()),
                );
            }
        }
    }
    let oids: Vec<u32> = by_oid.keys().copied().collect();

    for row in tx
        .query(
            "SELECT a.attrelid, a.attname::text, format_type(a.atttypid, a.atttypmod), \
                    a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity::text, \
                    a.attgenerated::text \
             FROM pg_attribute a \
             LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
             WHERE a.attrelid = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped \
             ORDER BY a.attrelid, a.attnum",
            &[&oids],
        )
        .map_err(err("reading columns"))?
    {
        let oid: u32 = row.get(0);
        let Some(table) = by_oid.get(&oid) else {
            continue;
        };
        let ty: String = row.get(2);
        let ty = reported_type(Dialect::Postgres, &ty, &schema);
        let Some(t) = schema.tables.get_mut(table) else {
            continue; // a view's columns
        };
        let expr: Option<String> = row.get(4);
        let identity: String = row.get(5);
        let generated: String = row.get(6);
        let (default, generated) = match (identity.as_str(), generated.as_str()) {
            ("a", _) => (None, Some(Generated::Identity { always: true })),
            ("d", _) => (None, Some(Generated::Identity { always: false })),
            (_, "s") => (
                None,
                expr.map(|expr| Generated::Expression { expr, stored: true }),
            ),
            _ => (expr, None),
        };
        t.columns.push(Column {
            name: row.get(1),
            ty,
            nullable: !row.get::<_, bool>(3),
            default,
            generated,
            provenance: live_provenance(),
        });
    }

    for row in tx
        .query(
            "SELECT con.conrelid, con.conname::text, con.contype::text, \
                    ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, o) \
                          JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n \
                          ORDER BY k.o), \
                    fn.nspname::text, fc.relname::text, \
                    ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(n, o) \
                          JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n \
                          ORDER BY k.o), \
                    pg_get_expr(con.conbin, con.conrelid), con.confdeltype::text, \
                    con.confupdtype::text \
             FROM pg_constraint con \
             LEFT JOIN pg_class fc ON fc.oid = con.confrelid \
             LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace \
             WHERE con.conrelid = ANY($1) AND con.contype IN ('p', 'u', 'f', 'c') \
             ORDER BY con.conrelid, con.conname",
            &[&oids],
        )
        .map_err(err("reading constraints"))?
    {
        let oid: u32 = row.get(0);
        let Some(t) = by_oid.get(&oid).and_then(|n| schema.tables.get_mut(n)) else {
            continue;
        };
        let name: String = row.get(1);
        let kind: String = row.get(2);
        let columns: Vec<String> = row.get(3);
        match kind.as_str() {
            "p" => {
                t.primary_key = Some(columns);
                t.primary_key_name = Some(name);
                t.primary_key_provenance = Some(live_provenance());
            }
            "u" => t.unique.push(UniqueConstraint {
                name: Some(name),
                columns,
                kind: UniqueKind::Constraint,
                provenance: live_provenance(),
            }),
            "f" => {
                let (nsp, rel): (Option<String>, Option<String>) = (row.get(4), row.get(5));
                t.foreign_keys.push(ForeignKey {
                    name: Some(name),
                    columns,
                    foreign_table: qualify(&nsp.unwrap_or_default(), &rel.unwrap_or_default()),
                    foreign_columns: row.get(6),
                    on_delete: referential_action(&row.get::<_, String>(8)),
                    on_update: referential_action(&row.get::<_, String>(9)),
                    column: None,
                    provenance: live_provenance(),
                });
            }
            _ => t.checks.push(Check {
                name: Some(name),
                expr: row.get::<_, Option<String>>(7).unwrap_or_default(),
                column: None,
                provenance: live_provenance(),
            }),
        }
    }

    for row in tx
        .query(
            "SELECT i.indrelid, n.nspname::text, ic.relname::text, i.indisunique, \
                    pg_get_expr(i.indpred, i.indrelid), \
                    ARRAY(SELECT CASE WHEN i.indkey[k - 1] = 0 \
                                      THEN pg_get_indexdef(i.indexrelid, k, true) \
                                      ELSE (SELECT a.attname::text FROM pg_attribute a \
                                            WHERE a.attrelid = i.indrelid \
                                              AND a.attnum = i.indkey[k - 1]) END \
                          FROM generate_series(1, i.indnkeyatts) k ORDER BY k), \
                    EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conrelid = i.indrelid \
                            AND c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x')), \
                    NOT (0 = ANY (i.indkey::int2[])) \
             FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid \
             JOIN pg_namespace n ON n.oid = ic.relnamespace \
             WHERE i.indrelid = ANY($1)",
            &[&oids],
        )
        .map_err(err("reading indexes"))?
    {
        let oid: u32 = row.get(0);
        let Some(table) = by_oid.get(&oid).cloned() else {
            continue;
        };
        if row.get::<_, bool>(6) {
            continue; // the index behind a primary key, unique or exclusion constraint
        }
        let name = qualify(row.get(1), row.get(2));
        let unique: bool = row.get(3);
        let predicate: Option<String> = row.get(4);
        let columns: Vec<String> = row.get(5);
        let plain_columns: bool = row.get(7);
        if unique
            && predicate.is_none()
            && plain_columns
            && let Some(t) = schema.tables.get_mut(&table)
        {
            t.unique.push(UniqueConstraint {
                name: Some(name.clone()),
                columns: columns.clone(),
                kind: UniqueKind::Index,
                provenance: live_provenance(),
            });
        }
        schema.indexes.insert(
            name.clone(),
            Index {
                name,
                table,
                columns,
                unique,
                predicate,
                provenance: live_provenance(),
            },
        );
    }
    tx.commit()
        .map_err(err("ending the read-only transaction"))?;
    Ok(schema)
}
