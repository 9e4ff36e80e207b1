//! A model of a PostgreSQL schema that turns random operation "seeds" into a valid SQL
//! migration history and predicts the schema PostgreSQL builds from it.
//!
//! Seeds refer to tables, columns and types by [`Index`], so every sequence of seeds is a
//! valid history: an operation that does not apply to the current model (no table yet, a
//! type change without a cast...) is dropped. That keeps proptest's shrinking simple and
//! effective: removing or simplifying seeds still yields a valid history.

use proptest::prelude::*;
use proptest::sample::Index;

use crate::history::History;
use crate::observed::{ObservedColumn, ObservedSchema, ObservedTable};

/// One random operation, before it is resolved against the model.
#[derive(Debug, Clone)]
pub enum OpSeed {
    /// `CREATE TABLE` with 1–4 columns (type indexes) and maybe a primary key on the first.
    CreateTable {
        /// Column types (indexes into the type table).
        types: Vec<Index>,
        /// Give the first column a primary key.
        pk: bool,
        /// Use a quoted, capitalised name.
        quoted: bool,
        /// Create it in the `app` schema.
        in_schema: bool,
    },
    /// `ADD COLUMN`.
    AddColumn {
        /// Which table.
        table: Index,
        /// Which type.
        ty: Index,
        /// Declare it NOT NULL.
        not_null: bool,
        /// Use a quoted, capitalised name.
        quoted: bool,
    },
    /// `DROP COLUMN` (drops the primary key with it when the column is part of it).
    DropColumn {
        /// Which table.
        table: Index,
        /// Which column.
        column: Index,
    },
    /// `RENAME COLUMN`.
    RenameColumn {
        /// Which table.
        table: Index,
        /// Which column.
        column: Index,
        /// Use a quoted, capitalised name.
        quoted: bool,
    },
    /// `ALTER COLUMN ... TYPE ... USING`.
    AlterType {
        /// Which table.
        table: Index,
        /// Which column.
        column: Index,
        /// The new type.
        ty: Index,
        /// Spell it `SET DATA TYPE`.
        set_data: bool,
    },
    /// `SET NOT NULL` / `DROP NOT NULL`.
    SetNotNull {
        /// Which table.
        table: Index,
        /// Which column.
        column: Index,
        /// `true`: SET, `false`: DROP.
        not_null: bool,
    },
    /// `ADD CONSTRAINT ... PRIMARY KEY` on one or two columns.
    AddPrimaryKey {
        /// Which table.
        table: Index,
        /// First key column.
        first: Index,
        /// Maybe a second one.
        second: Option<Index>,
    },
    /// `DROP CONSTRAINT <pk>`.
    DropPrimaryKey {
        /// Which table.
        table: Index,
    },
    /// `ALTER TABLE ... RENAME TO`.
    RenameTable {
        /// Which table.
        table: Index,
        /// Use a quoted, capitalised name.
        quoted: bool,
    },
    /// `DROP TABLE`.
    DropTable {
        /// Which table.
        table: Index,
    },
    /// `CREATE TYPE ... AS ENUM`.
    CreateEnum {
        /// Number of labels (1–3).
        labels: u8,
    },
    /// `ALTER TYPE ... ADD VALUE` or `RENAME VALUE`.
    AlterEnum {
        /// Which enum.
        which: Index,
        /// `true`: rename the first label, `false`: add one.
        rename: bool,
    },
    /// `CREATE DOMAIN ... AS <base> [NOT NULL] [CHECK (...)]`.
    CreateDomain {
        /// Base type.
        base: Index,
        /// The domain's own NOT NULL (columns of it still report attnotnull = false).
        not_null: bool,
        /// Add a CHECK constraint.
        check: bool,
    },
    /// A statement PostgreSQL accepts but that changes nothing: `CREATE TABLE IF NOT
    /// EXISTS` of an existing table, `ADD COLUMN IF NOT EXISTS` of an existing column,
    /// `DROP COLUMN IF EXISTS` / `ALTER TABLE IF EXISTS` / `DROP TABLE IF EXISTS` of a
    /// missing one.
    NoOp {
        /// Which form (taken modulo 5).
        kind: u8,
        /// Which table.
        table: Index,
        /// Which column.
        column: Index,
    },
}

/// A base type: how migrations may spell it, and how `format_type` reports it.
struct BaseType {
    spellings: &'static [&'static str],
    canonical: &'static str,
    kind: Kind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Number,
    Text,
    Other,
    /// Has no btree operator class: cannot be in a primary key.
    Unkeyable,
}

const TYPES: &[BaseType] = &[
    BaseType {
        spellings: &["smallint", "int2"],
        canonical: "smallint",
        kind: Kind::Number,
    },
    BaseType {
        spellings: &["integer", "int", "int4"],
        canonical: "integer",
        kind: Kind::Number,
    },
    BaseType {
        spellings: &["bigint", "int8"],
        canonical: "bigint",
        kind: Kind::Number,
    },
    BaseType {
        spellings: &["numeric(10,2)", "decimal(10, 2)"],
        canonical: "numeric(10,2)",
        kind: Kind::Number,
    },
    BaseType {
        spellings: &["double precision", "float8"],
        canonical: "double precision",
        kind: Kind::Number,
    },
    BaseType {
        spellings: &["real", "float4"],
        canonical: "real",
        kind: Kind::Number,
    },
    BaseType {
        spellings: &["text"],
        canonical: "text",
        kind: Kind::Text,
    },
    BaseType {
        spellings: &["varchar(20)", "character varying(20)"],
        canonical: "character varying(20)",
        kind: Kind::Text,
    },
    BaseType {
        spellings: &["varchar"],
        canonical: "character varying",
        kind: Kind::Text,
    },
    BaseType {
        spellings: &["char(3)", "character(3)"],
        canonical: "character(3)",
        kind: Kind::Text,
    },
    BaseType {
        spellings: &["boolean", "bool"],
        canonical: "boolean",
        kind: Kind::Other,
    },
    BaseType {
        spellings: &["timestamptz", "timestamp with time zone"],
        canonical: "timestamp with time zone",
        kind: Kind::Other,
    },
    BaseType {
        spellings: &["timestamp", "timestamp without time zone"],
        canonical: "timestamp without time zone",
        kind: Kind::Other,
    },
    BaseType {
        spellings: &["date"],
        canonical: "date",
        kind: Kind::Other,
    },
    BaseType {
        spellings: &["uuid"],
        canonical: "uuid",
        kind: Kind::Other,
    },
    BaseType {
        spellings: &["jsonb"],
        canonical: "jsonb",
        kind: Kind::Unkeyable,
    },
    BaseType {
        spellings: &["int[]", "integer[]"],
        canonical: "integer[]",
        kind: Kind::Other,
    },
];

/// A column type in the model: a base type or an enum (by name).
#[derive(Debug, Clone, PartialEq, Eq)]
enum ColType {
    Base(usize),
    /// An enum or a domain, by name.
    Named(String),
}

impl ColType {
    fn canonical(&self) -> String {
        match self {
            ColType::Base(i) => TYPES[*i].canonical.to_string(),
            ColType::Named(name) => name.clone(),
        }
    }

    fn kind(&self) -> Kind {
        match self {
            ColType::Base(i) => TYPES[*i].kind,
            ColType::Named(_) => Kind::Other,
        }
    }

    /// A way to write it, chosen by `pick`.
    fn spelling(&self, pick: usize) -> String {
        match self {
            ColType::Base(i) => {
                let s = TYPES[*i].spellings;
                s[pick % s.len()].to_string()
            }
            ColType::Named(name) => name.clone(),
        }
    }

    /// Whether `ALTER COLUMN ... TYPE to USING col::to` works on an empty table.
    fn casts_to(&self, to: &ColType) -> bool {
        let (a, b) = (self.kind(), to.kind());
        a == Kind::Text || b == Kind::Text || (a == Kind::Number && b == Kind::Number) || self == to
    }
}

#[derive(Debug, Clone)]
struct Col {
    name: String,
    ty: ColType,
    not_null: bool,
}

#[derive(Debug, Clone)]
struct Tbl {
    /// `Some("app")` for a table in the `app` schema (created on first use).
    schema: Option<&'static str>,
    name: String,
    cols: Vec<Col>,
    /// Constraint name and columns.
    pk: Option<(String, Vec<String>)>,
}

impl Tbl {
    /// How statements refer to the table.
    fn sql_name(&self) -> String {
        match self.schema {
            Some(schema) => format!("{schema}.{}", ident(&self.name)),
            None => ident(&self.name),
        }
    }

    /// The canonical name: schema-qualified outside `public`.
    fn canonical(&self) -> String {
        match self.schema {
            Some(schema) => format!("{schema}.{}", self.name),
            None => self.name.clone(),
        }
    }
}

/// The model: tables, enums, and a counter for fresh names.
#[derive(Debug, Default)]
pub struct Model {
    tables: Vec<Tbl>,
    enums: Vec<(String, Vec<String>)>,
    domains: Vec<String>,
    next: usize,
    schema_created: bool,
}

/// How statements spell a name: quoted when it has capitals; a lower-case name is
/// sometimes written in upper case without quotes (PostgreSQL folds it back).
fn ident(name: &str) -> String {
    if name.chars().any(|c| c.is_ascii_uppercase()) {
        format!("\"{name}\"")
    } else if name
        .bytes()
        .map(usize::from)
        .sum::<usize>()
        .is_multiple_of(3)
    {
        name.to_uppercase()
    } else {
        name.to_string()
    }
}

impl Model {
    fn fresh(&mut self, prefix: &str, quoted: bool) -> String {
        self.next += 1;
        if quoted {
            let mut p = prefix.to_string();
            p[..1].make_ascii_uppercase();
            format!("{p}{}", self.next)
        } else {
            format!("{prefix}{}", self.next)
        }
    }

    fn col_type(&self, ty: &Index) -> ColType {
        let n = TYPES.len() + self.enums.len() + self.domains.len();
        let i = ty.index(n);
        if i < TYPES.len() {
            ColType::Base(i)
        } else if i < TYPES.len() + self.enums.len() {
            ColType::Named(self.enums[i - TYPES.len()].0.clone())
        } else {
            ColType::Named(self.domains[i - TYPES.len() - self.enums.len()].clone())
        }
    }

    /// Applies one seed to the model; returns its SQL, or `None` when it does not apply.
    pub fn apply(&mut self, seed: &OpSeed) -> Option<String> {
        let pick = self.next;
        match seed {
            OpSeed::CreateTable {
                types,
                pk,
                quoted,
                in_schema,
            } => {
                let name = self.fresh("tbl", *quoted);
                let mut cols = Vec::new();
                let mut defs = Vec::new();
                for ty in types {
                    let ty = self.col_type(ty);
                    let cname = self.fresh("col", false);
                    defs.push(format!("    {} {}", ident(&cname), ty.spelling(pick)));
                    cols.push(Col {
                        name: cname,
                        ty,
                        not_null: false,
                    });
                }
                let mut pk_def = None;
                if *pk && cols[0].ty.kind() != Kind::Unkeyable {
                    let cname = if pick.is_multiple_of(2) {
                        let cname = format!("{}_pk", name.to_lowercase());
                        defs.push(format!(
                            "    CONSTRAINT {cname} PRIMARY KEY ({})",
                            ident(&cols[0].name)
                        ));
                        cname
                    } else {
                        // PostgreSQL names it `<table>_pkey`, keeping the table's case.
                        defs[0].push_str(" PRIMARY KEY");
                        format!("{name}_pkey")
                    };
                    cols[0].not_null = true;
                    pk_def = Some((cname, vec![cols[0].name.clone()]));
                }
                let tbl = Tbl {
                    schema: in_schema.then_some("app"),
                    name,
                    cols,
                    pk: pk_def,
                };
                let mut sql = String::new();
                if *in_schema && !self.schema_created {
                    self.schema_created = true;
                    sql.push_str("CREATE SCHEMA IF NOT EXISTS app;\n");
                }
                sql.push_str(&format!(
                    "CREATE TABLE {} (\n{}\n);",
                    tbl.sql_name(),
                    defs.join(",\n")
                ));
                self.tables.push(tbl);
                Some(sql)
            }
            OpSeed::AddColumn {
                table,
                ty,
                not_null,
                quoted,
            } => {
                let t = self.table_index(table)?;
                let ty = self.col_type(ty);
                let cname = self.fresh("col", *quoted);
                let tbl = &mut self.tables[t];
                let nn = if *not_null { " NOT NULL" } else { "" };
                let sql = format!(
                    "ALTER TABLE {} ADD COLUMN {} {}{nn};",
                    tbl.sql_name(),
                    ident(&cname),
                    ty.spelling(pick)
                );
                tbl.cols.push(Col {
                    name: cname,
                    ty,
                    not_null: *not_null,
                });
                Some(sql)
            }
            OpSeed::DropColumn { table, column } => {
                let (t, c) = self.column_index(table, column)?;
                let tbl = &mut self.tables[t];
                let col = tbl.cols.remove(c);
                if tbl
                    .pk
                    .as_ref()
                    .is_some_and(|(_, cols)| cols.contains(&col.name))
                {
                    tbl.pk = None;
                }
                Some(format!(
                    "ALTER TABLE {} DROP COLUMN {};",
                    tbl.sql_name(),
                    ident(&col.name)
                ))
            }
            OpSeed::RenameColumn {
                table,
                column,
                quoted,
            } => {
                let (t, c) = self.column_index(table, column)?;
                let new = self.fresh("col", *quoted);
                let tbl = &mut self.tables[t];
                let old = std::mem::replace(&mut tbl.cols[c].name, new.clone());
                if let Some((_, cols)) = &mut tbl.pk {
                    cols.iter_mut()
                        .filter(|k| **k == old)
                        .for_each(|k| *k = new.clone());
                }
                Some(format!(
                    "ALTER TABLE {} RENAME COLUMN {} TO {};",
                    tbl.sql_name(),
                    ident(&old),
                    ident(&new)
                ))
            }
            OpSeed::AlterType {
                table,
                column,
                ty,
                set_data,
            } => {
                let (t, c) = self.column_index(table, column)?;
                let to = self.col_type(ty);
                let tbl = &mut self.tables[t];
                let in_pk = tbl
                    .pk
                    .as_ref()
                    .is_some_and(|(_, k)| k.contains(&tbl.cols[c].name));
                let table_sql = tbl.sql_name();
                let col = &mut tbl.cols[c];
                if !col.ty.casts_to(&to) || (in_pk && to.kind() == Kind::Unkeyable) {
                    return None;
                }
                let spelled = to.spelling(pick);
                let verb = if *set_data { "SET DATA TYPE" } else { "TYPE" };
                let sql = format!(
                    "ALTER TABLE {table_sql} ALTER COLUMN {} {verb} {spelled} USING {}::{spelled};",
                    ident(&col.name),
                    ident(&col.name)
                );
                col.ty = to;
                Some(sql)
            }
            OpSeed::SetNotNull {
                table,
                column,
                not_null,
            } => {
                let (t, c) = self.column_index(table, column)?;
                let tbl = &mut self.tables[t];
                let in_pk = tbl
                    .pk
                    .as_ref()
                    .is_some_and(|(_, k)| k.contains(&tbl.cols[c].name));
                if in_pk && !*not_null {
                    return None; // PostgreSQL refuses: the column is in the primary key
                }
                let table_sql = tbl.sql_name();
                let col = &mut tbl.cols[c];
                col.not_null = *not_null;
                let verb = if *not_null { "SET" } else { "DROP" };
                Some(format!(
                    "ALTER TABLE {table_sql} ALTER COLUMN {} {verb} NOT NULL;",
                    ident(&col.name)
                ))
            }
            OpSeed::AddPrimaryKey {
                table,
                first,
                second,
            } => {
                let t = self.table_index(table)?;
                let cname = format!("pk{}", self.fresh("_", false));
                let tbl = &mut self.tables[t];
                if tbl.pk.is_some() || tbl.cols.is_empty() {
                    return None;
                }
                let mut keys = vec![first.index(tbl.cols.len())];
                if let Some(s) = second {
                    let s = s.index(tbl.cols.len());
                    if !keys.contains(&s) {
                        keys.push(s);
                    }
                }
                if keys
                    .iter()
                    .any(|k| tbl.cols[*k].ty.kind() == Kind::Unkeyable)
                {
                    return None;
                }
                let names: Vec<String> = keys.iter().map(|k| tbl.cols[*k].name.clone()).collect();
                for k in &keys {
                    tbl.cols[*k].not_null = true; // PRIMARY KEY implies NOT NULL
                }
                let list: Vec<String> = names.iter().map(|n| ident(n)).collect();
                let (constraint, cname) = if pick.is_multiple_of(2) {
                    (format!("CONSTRAINT {cname} "), cname)
                } else {
                    // PostgreSQL names it after the table's current name.
                    (String::new(), format!("{}_pkey", tbl.name))
                };
                let sql = format!(
                    "ALTER TABLE {} ADD {constraint}PRIMARY KEY ({});",
                    tbl.sql_name(),
                    list.join(", ")
                );
                tbl.pk = Some((cname, names));
                Some(sql)
            }
            OpSeed::DropPrimaryKey { table } => {
                let t = self.table_index(table)?;
                let tbl = &mut self.tables[t];
                // The columns keep their NOT NULL.
                let (cname, _) = tbl.pk.take()?;
                let if_exists = if pick.is_multiple_of(3) {
                    "IF EXISTS "
                } else {
                    ""
                };
                Some(format!(
                    "ALTER TABLE {} DROP CONSTRAINT {if_exists}{};",
                    tbl.sql_name(),
                    ident(&cname)
                ))
            }
            OpSeed::RenameTable { table, quoted } => {
                let t = self.table_index(table)?;
                let new = self.fresh("tbl", *quoted);
                let tbl = &mut self.tables[t];
                let old = tbl.sql_name();
                tbl.name = new.clone();
                Some(format!("ALTER TABLE {old} RENAME TO {};", ident(&new)))
            }
            OpSeed::DropTable { table } => {
                let t = self.table_index(table)?;
                let tbl = self.tables.remove(t);
                let if_exists = if pick.is_multiple_of(2) {
                    "IF EXISTS "
                } else {
                    ""
                };
                Some(format!("DROP TABLE {if_exists}{};", tbl.sql_name()))
            }
            OpSeed::CreateDomain {
                base,
                not_null,
                check,
            } => {
                let base = ColType::Base(base.index(TYPES.len()));
                if base.kind() == Kind::Unkeyable {
                    return None;
                }
                let name = self.fresh("dom", false);
                let nn = if *not_null { " NOT NULL" } else { "" };
                let ck = if *check {
                    " CHECK (VALUE IS NOT NULL)"
                } else {
                    ""
                };
                let sql = format!("CREATE DOMAIN {name} AS {}{nn}{ck};", base.spelling(pick));
                self.domains.push(name);
                Some(sql)
            }
            OpSeed::CreateEnum { labels } => {
                let name = self.fresh("mood", false);
                let values: Vec<String> = (0..(*labels).clamp(1, 3))
                    .map(|i| format!("label{i}"))
                    .collect();
                let list: Vec<String> = values.iter().map(|v| format!("'{v}'")).collect();
                let sql = format!("CREATE TYPE {name} AS ENUM ({});", list.join(", "));
                self.enums.push((name, values));
                Some(sql)
            }
            OpSeed::NoOp {
                kind,
                table,
                column,
            } => {
                let missing = self.fresh("missing", false);
                match kind % 5 {
                    0 => Some(format!("DROP TABLE IF EXISTS {missing};")),
                    1 => Some(format!(
                        "ALTER TABLE IF EXISTS {missing} ADD COLUMN x integer;"
                    )),
                    kind => {
                        let (t, c) = self.column_index(table, column)?;
                        let tbl = &self.tables[t];
                        let col = ident(&tbl.cols[c].name);
                        Some(match kind {
                            2 => format!(
                                "CREATE TABLE IF NOT EXISTS {} ({col} text, other_{missing} bigint);",
                                tbl.sql_name()
                            ),
                            3 => format!(
                                "ALTER TABLE {} ADD COLUMN IF NOT EXISTS {col} text;",
                                tbl.sql_name()
                            ),
                            _ => format!(
                                "ALTER TABLE {} DROP COLUMN IF EXISTS {missing};",
                                tbl.sql_name()
                            ),
                        })
                    }
                }
            }
            OpSeed::AlterEnum { which, rename } => {
                if self.enums.is_empty() {
                    return None;
                }
                let e = which.index(self.enums.len());
                let label = self.fresh("v", false);
                let (name, values) = &mut self.enums[e];
                if *rename {
                    let old = std::mem::replace(&mut values[0], label.clone());
                    Some(format!(
                        "ALTER TYPE {name} RENAME VALUE '{old}' TO '{label}';"
                    ))
                } else {
                    values.push(label.clone());
                    Some(format!("ALTER TYPE {name} ADD VALUE '{label}';"))
                }
            }
        }
    }

    fn table_index(&self, table: &Index) -> Option<usize> {
        (!self.tables.is_empty()).then(|| table.index(self.tables.len()))
    }

    fn column_index(&self, table: &Index, column: &Index) -> Option<(usize, usize)> {
        let t = self.table_index(table)?;
        let n = self.tables[t].cols.len();
        (n > 0).then(|| (t, column.index(n)))
    }

    /// The schema PostgreSQL should report after the statements applied so far.
    pub fn expected(&self) -> ObservedSchema {
        let tables = self
            .tables
            .iter()
            .map(|t| {
                let columns = t
                    .cols
                    .iter()
                    .map(|c| ObservedColumn {
                        name: c.name.clone(),
                        ty: c.ty.canonical(),
                        nullable: !c.not_null,
                    })
                    .collect();
                let primary_key = t.pk.as_ref().map(|(_, cols)| cols.clone());
                (
                    t.canonical(),
                    ObservedTable {
                        columns,
                        primary_key,
                    },
                )
            })
            .collect();
        ObservedSchema {
            tables,
            ..ObservedSchema::default()
        }
    }
}

/// Resolves seeds into a history; `per_file` statements go into each file.
pub fn history(seeds: &[OpSeed], per_file: usize) -> History {
    let mut model = Model::default();
    let statements: Vec<String> = seeds.iter().filter_map(|s| model.apply(s)).collect();
    History::new(statements, per_file, model.expected())
}

/// Seeds biased towards creating tables first so later operations have something to act on.
pub fn op_seed() -> impl Strategy<Value = OpSeed> {
    let idx = any::<Index>;
    prop_oneof![
        3 => (
            prop::collection::vec(idx(), 1..4),
            any::<bool>(),
            prop::bool::weighted(0.2),
            prop::bool::weighted(0.25),
        )
            .prop_map(|(types, pk, quoted, in_schema)| OpSeed::CreateTable { types, pk, quoted, in_schema }),
        3 => (idx(), idx(), any::<bool>(), prop::bool::weighted(0.2))
            .prop_map(|(table, ty, not_null, quoted)| OpSeed::AddColumn { table, ty, not_null, quoted }),
        2 => (idx(), idx()).prop_map(|(table, column)| OpSeed::DropColumn { table, column }),
        2 => (idx(), idx(), prop::bool::weighted(0.2))
            .prop_map(|(table, column, quoted)| OpSeed::RenameColumn { table, column, quoted }),
        3 => (idx(), idx(), idx(), any::<bool>())
            .prop_map(|(table, column, ty, set_data)| OpSeed::AlterType { table, column, ty, set_data }),
        2 => (idx(), idx(), any::<bool>())
            .prop_map(|(table, column, not_null)| OpSeed::SetNotNull { table, column, not_null }),
        2 => (idx(), idx(), prop::option::of(idx()))
            .prop_map(|(table, first, second)| OpSeed::AddPrimaryKey { table, first, second }),
        1 => idx().prop_map(|table| OpSeed::DropPrimaryKey { table }),
        1 => (idx(), prop::bool::weighted(0.2)).prop_map(|(table, quoted)| OpSeed::RenameTable { table, quoted }),
        1 => idx().prop_map(|table| OpSeed::DropTable { table }),
        1 => (1u8..4).prop_map(|labels| OpSeed::CreateEnum { labels }),
        1 => (idx(), any::<bool>()).prop_map(|(which, rename)| OpSeed::AlterEnum { which, rename }),
        1 => (any::<u8>(), idx(), idx()).prop_map(|(kind, table, column)| OpSeed::NoOp { kind, table, column }),
        1 => (idx(), any::<bool>(), any::<bool>())
            .prop_map(|(base, not_null, check)| OpSeed::CreateDomain { base, not_null, check }),
    ]
}
