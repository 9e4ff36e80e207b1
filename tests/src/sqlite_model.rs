//! A model of a SQLite schema that turns random operation seeds into a valid migration
//! history and predicts what SQLite builds (the SQLite counterpart of
//! [`crate::ddl_model`]; seeds pick by [`Index`], inapplicable seeds drop out).
//!
//! It exercises what is specific to SQLite: declared types kept as written (any case and
//! spacing, or none), the rowid alias (`INTEGER PRIMARY KEY` never holds NULL, `INT
//! PRIMARY KEY` does), `WITHOUT ROWID`, `ADD COLUMN ... NOT NULL DEFAULT`, and the
//! rebuild idiom (create `new_x`, copy, drop `x`, rename) that stands in for ALTER COLUMN.

use proptest::prelude::*;
use proptest::sample::Index;

use crate::history::History;
use crate::observed::{ObservedColumn, ObservedSchema, ObservedTable};

/// Declared types as migrations write them; SQLite reports them verbatim.
const TYPES: &[&str] = &[
    "INTEGER",
    "integer",
    "INT",
    "BIGINT",
    "TEXT",
    "text",
    "VARCHAR(40)",
    "varchar (40)",
    "REAL",
    "BLOB",
    "NUMERIC(10, 2)",
    "BOOLEAN",
    "DATETIME",
    "",
    "UNSIGNED  BIG INT",
    "double precision",
    "Decimal(8,3)",
];

/// One random operation, before it is resolved against the model.
#[derive(Debug, Clone)]
pub enum LiteSeed {
    /// `CREATE TABLE` with 1–4 columns.
    CreateTable {
        /// Declared types.
        types: Vec<Index>,
        /// NOT NULL flags (cycled).
        not_null: Vec<bool>,
        /// 0: no key, 1: inline `PRIMARY KEY` on the first column, 2: a composite key
        /// on the first two columns.
        key: u8,
        /// `WITHOUT ROWID` (only with a key).
        without_rowid: bool,
    },
    /// `ADD COLUMN` (NOT NULL needs a default in SQLite).
    AddColumn {
        /// Which table.
        table: Index,
        /// Declared type.
        ty: Index,
        /// NOT NULL DEFAULT ...
        not_null: bool,
    },
    /// `DROP COLUMN` (never a key column, never the last one).
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
    },
    /// The rebuild idiom, changing one column's declared type and nullability.
    Rebuild {
        /// Which table.
        table: Index,
        /// Which column.
        column: Index,
        /// Its new declared type.
        ty: Index,
        /// Its new NOT NULL.
        not_null: bool,
    },
    /// `ALTER TABLE ... RENAME TO`.
    RenameTable {
        /// Which table.
        table: Index,
    },
    /// `DROP TABLE`.
    DropTable {
        /// Which table.
        table: Index,
    },
}

#[derive(Debug, Clone)]
struct Col {
    name: String,
    ty: &'static str,
    not_null: bool,
}

#[derive(Debug, Clone)]
struct Tbl {
    name: String,
    cols: Vec<Col>,
    /// Key columns; one key column is declared inline, several as a table constraint.
    pk: Vec<String>,
    without_rowid: bool,
}

impl Tbl {
    /// The `CREATE TABLE` statement for this table under `name`.
    fn create_sql(&self, name: &str) -> String {
        let mut defs: Vec<String> = self
            .cols
            .iter()
            .map(|c| {
                let mut d = format!("    {}", c.name);
                if !c.ty.is_empty() {
                    d.push(' ');
                    d.push_str(c.ty);
                }
                if c.not_null {
                    d.push_str(" NOT NULL");
                }
                if self.pk.len() == 1 && self.pk[0] == c.name {
                    d.push_str(" PRIMARY KEY");
                }
                d
            })
            .collect();
        if self.pk.len() > 1 {
            defs.push(format!("    PRIMARY KEY ({})", self.pk.join(", ")));
        }
        let suffix = if self.without_rowid {
            " WITHOUT ROWID"
        } else {
            ""
        };
        format!("CREATE TABLE {name} (\n{}\n){suffix};", defs.join(",\n"))
    }

    /// Whether SQLite can return NULL from the column (see `SqliteDatabase::introspect`).
    fn nullable(&self, c: &Col) -> bool {
        let in_pk = self.pk.contains(&c.name);
        let rowid_alias = in_pk
            && self.pk.len() == 1
            && !self.without_rowid
            && c.ty.eq_ignore_ascii_case("integer");
        !(c.not_null || rowid_alias || (in_pk && self.without_rowid))
    }
}

/// The model: tables and a counter for fresh names.
#[derive(Debug, Default)]
pub struct LiteModel {
    tables: Vec<Tbl>,
    next: usize,
}

impl LiteModel {
    fn fresh(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}{}", self.next)
    }

    fn table_index(&self, table: &Index) -> Option<usize> {
        (!self.tables.is_empty()).then(|| table.index(self.tables.len()))
    }

    fn column_index(&self, table: &Index, column: &Index) -> Option<(usize, usize)> {
        let t = self.table_index(table)?;
        let n = self.tables[t].cols.len();
        (n > 0).then(|| (t, column.index(n)))
    }

    /// Applies one seed; returns its SQL, or `None` when it does not apply.
    pub fn apply(&mut self, seed: &LiteSeed) -> Option<String> {
        match seed {
            LiteSeed::CreateTable {
                types,
                not_null,
                key,
                without_rowid,
            } => {
                let name = self.fresh("t");
                let mut cols = Vec::new();
                for (i, ty) in types.iter().enumerate() {
                    let nn = not_null
                        .get(i % not_null.len().max(1))
                        .copied()
                        .unwrap_or(false);
                    cols.push(Col {
                        name: self.fresh("c"),
                        ty: TYPES[ty.index(TYPES.len())],
                        not_null: nn,
                    });
                }
                let pk: Vec<String> = match key {
                    1 => vec![cols[0].name.clone()],
                    2 if cols.len() >= 2 => vec![cols[0].name.clone(), cols[1].name.clone()],
                    _ => Vec::new(),
                };
                let without_rowid = *without_rowid && !pk.is_empty();
                let tbl = Tbl {
                    name: name.clone(),
                    cols,
                    pk,
                    without_rowid,
                };
                let sql = tbl.create_sql(&name);
                self.tables.push(tbl);
                Some(sql)
            }
            LiteSeed::AddColumn {
                table,
                ty,
                not_null,
            } => {
                let t = self.table_index(table)?;
                let name = self.fresh("c");
                let ty = TYPES[ty.index(TYPES.len())];
                let tbl = &mut self.tables[t];
                let typed = if ty.is_empty() {
                    String::new()
                } else {
                    format!(" {ty}")
                };
                let nn = if *not_null { " NOT NULL DEFAULT 0" } else { "" };
                let sql = format!("ALTER TABLE {} ADD COLUMN {name}{typed}{nn};", tbl.name);
                tbl.cols.push(Col {
                    name,
                    ty,
                    not_null: *not_null,
                });
                Some(sql)
            }
            LiteSeed::DropColumn { table, column } => {
                let (t, c) = self.column_index(table, column)?;
                let tbl = &mut self.tables[t];
                if tbl.cols.len() == 1 || tbl.pk.contains(&tbl.cols[c].name) {
                    return None; // SQLite refuses both
                }
                let col = tbl.cols.remove(c);
                Some(format!(
                    "ALTER TABLE {} DROP COLUMN {};",
                    tbl.name, col.name
                ))
            }
            LiteSeed::RenameColumn { table, column } => {
                let (t, c) = self.column_index(table, column)?;
                let new = self.fresh("c");
                let tbl = &mut self.tables[t];
                let old = std::mem::replace(&mut tbl.cols[c].name, new.clone());
                tbl.pk
                    .iter_mut()
                    .filter(|k| **k == old)
                    .for_each(|k| *k = new.clone());
                Some(format!(
                    "ALTER TABLE {} RENAME COLUMN {old} TO {new};",
                    tbl.name
                ))
            }
            LiteSeed::Rebuild {
                table,
                column,
                ty,
                not_null,
            } => {
                let (t, c) = self.column_index(table, column)?;
                let ty = TYPES[ty.index(TYPES.len())];
                let tmp = format!("new_{}", self.tables[t].name);
                let tbl = &mut self.tables[t];
                tbl.cols[c].ty = ty;
                tbl.cols[c].not_null = *not_null;
                let list: Vec<&str> = tbl.cols.iter().map(|c| c.name.as_str()).collect();
                let list = list.join(", ");
                Some(format!(
                    "{}\nINSERT INTO {tmp} ({list}) SELECT {list} FROM {name};\nDROP TABLE {name};\nALTER TABLE {tmp} RENAME TO {name};",
                    tbl.create_sql(&tmp),
                    name = tbl.name
                ))
            }
            LiteSeed::RenameTable { table } => {
                let t = self.table_index(table)?;
                let new = self.fresh("t");
                let tbl = &mut self.tables[t];
                let old = std::mem::replace(&mut tbl.name, new.clone());
                Some(format!("ALTER TABLE {old} RENAME TO {new};"))
            }
            LiteSeed::DropTable { table } => {
                let t = self.table_index(table)?;
                let tbl = self.tables.remove(t);
                Some(format!("DROP TABLE {};", tbl.name))
            }
        }
    }

    /// The schema SQLite should report after the statements applied so far.
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
                        ty: crate::sqlite_db::canonical_declared_type(c.ty),
                        nullable: t.nullable(c),
                    })
                    .collect();
                let primary_key = (!t.pk.is_empty()).then(|| t.pk.clone());
                (
                    t.name.clone(),
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
pub fn history(seeds: &[LiteSeed], per_file: usize) -> History {
    let mut model = LiteModel::default();
    let statements: Vec<String> = seeds.iter().filter_map(|s| model.apply(s)).collect();
    History::new(statements, per_file, model.expected())
}

/// Seeds, weighted so tables exist for later operations to act on.
pub fn lite_seed() -> impl Strategy<Value = LiteSeed> {
    let idx = any::<Index>;
    prop_oneof![
        3 => (
            prop::collection::vec(idx(), 1..5),
            prop::collection::vec(any::<bool>(), 1..4),
            0u8..3,
            prop::bool::weighted(0.25),
        )
            .prop_map(|(types, not_null, key, without_rowid)| LiteSeed::CreateTable { types, not_null, key, without_rowid }),
        3 => (idx(), idx(), any::<bool>()).prop_map(|(table, ty, not_null)| LiteSeed::AddColumn { table, ty, not_null }),
        2 => (idx(), idx()).prop_map(|(table, column)| LiteSeed::DropColumn { table, column }),
        2 => (idx(), idx()).prop_map(|(table, column)| LiteSeed::RenameColumn { table, column }),
        2 => (idx(), idx(), idx(), any::<bool>())
            .prop_map(|(table, column, ty, not_null)| LiteSeed::Rebuild { table, column, ty, not_null }),
        1 => idx().prop_map(|table| LiteSeed::RenameTable { table }),
        1 => idx().prop_map(|table| LiteSeed::DropTable { table }),
    ]
}
