//! A model of a MySQL/MariaDB schema that turns random operation seeds into a valid
//! migration history and predicts what MariaDB builds (the MySQL counterpart of
//! [`crate::ddl_model`]; same design: seeds pick by [`Index`], inapplicable seeds drop out).
//!
//! It exercises what is specific to MySQL: `CHANGE` (rename + redefine), `MODIFY` (which
//! replaces the whole definition, nullability included), `ADD COLUMN ... FIRST/AFTER`,
//! `RENAME TABLE`, backticks, display widths, `boolean` = `tinyint(1)`, `json` =
//! `longtext` (MariaDB), and a one-column primary key dropped with its column.

use proptest::prelude::*;
use proptest::sample::Index;

use crate::history::History;
use crate::observed::{ObservedColumn, ObservedSchema, ObservedTable};

/// One random operation, before it is resolved against the model.
#[derive(Debug, Clone)]
pub enum MySeed {
    /// `CREATE TABLE` with 1–4 columns, maybe a primary key on the first.
    CreateTable {
        /// Column types.
        types: Vec<Index>,
        /// Primary key on the first column.
        pk: bool,
    },
    /// `ADD COLUMN`, at the end, `FIRST` or `AFTER` another column.
    AddColumn {
        /// Which table.
        table: Index,
        /// Which type.
        ty: Index,
        /// NOT NULL.
        not_null: bool,
        /// `None`: at the end; `Some(None)`: FIRST; `Some(Some(i))`: AFTER column i.
        position: Option<Option<Index>>,
    },
    /// `DROP COLUMN`.
    DropColumn {
        /// Which table.
        table: Index,
        /// Which column.
        column: Index,
    },
    /// `CHANGE old new <definition>`: rename and redefine.
    Change {
        /// Which table.
        table: Index,
        /// Which column.
        column: Index,
        /// New type.
        ty: Index,
        /// NOT NULL.
        not_null: bool,
        /// Move it: `None` stays; `Some(None)`: FIRST; `Some(Some(i))`: AFTER column i.
        position: Option<Option<Index>>,
    },
    /// `MODIFY col <definition>`.
    Modify {
        /// Which table.
        table: Index,
        /// Which column.
        column: Index,
        /// New type.
        ty: Index,
        /// NOT NULL.
        not_null: bool,
        /// Move it: `None` stays; `Some(None)`: FIRST; `Some(Some(i))`: AFTER column i.
        position: Option<Option<Index>>,
    },
    /// `RENAME COLUMN`.
    RenameColumn {
        /// Which table.
        table: Index,
        /// Which column.
        column: Index,
    },
    /// `ADD PRIMARY KEY` on one or two columns.
    AddPrimaryKey {
        /// Which table.
        table: Index,
        /// First key column.
        first: Index,
        /// Maybe a second one.
        second: Option<Index>,
    },
    /// `DROP PRIMARY KEY`.
    DropPrimaryKey {
        /// Which table.
        table: Index,
    },
    /// `RENAME TABLE` / `ALTER TABLE ... RENAME TO`.
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

/// How migrations may spell a type, how MariaDB reports it (display widths removed),
/// and whether it can be a primary-key column without a prefix length.
struct MyType {
    spellings: &'static [&'static str],
    canonical: &'static str,
    keyable: bool,
}

const TYPES: &[MyType] = &[
    MyType {
        spellings: &["int", "integer", "int(11)"],
        canonical: "int",
        keyable: true,
    },
    MyType {
        spellings: &["bigint", "bigint(20)"],
        canonical: "bigint",
        keyable: true,
    },
    MyType {
        spellings: &["int unsigned", "int(10) unsigned"],
        canonical: "int unsigned",
        keyable: true,
    },
    MyType {
        spellings: &["smallint"],
        canonical: "smallint",
        keyable: true,
    },
    MyType {
        spellings: &["boolean", "bool", "tinyint(1)"],
        canonical: "tinyint(1)",
        keyable: true,
    },
    MyType {
        spellings: &["decimal(10,2)", "numeric(10, 2)"],
        canonical: "decimal(10,2)",
        keyable: true,
    },
    MyType {
        spellings: &["double"],
        canonical: "double",
        keyable: true,
    },
    MyType {
        spellings: &["varchar(40)", "VARCHAR(40)"],
        canonical: "varchar(40)",
        keyable: true,
    },
    MyType {
        spellings: &["char(3)"],
        canonical: "char(3)",
        keyable: true,
    },
    MyType {
        spellings: &["text"],
        canonical: "text",
        keyable: false,
    },
    MyType {
        spellings: &["datetime"],
        canonical: "datetime",
        keyable: true,
    },
    MyType {
        spellings: &["datetime(3)"],
        canonical: "datetime(3)",
        keyable: true,
    },
    MyType {
        spellings: &["timestamp"],
        canonical: "timestamp",
        keyable: true,
    },
    MyType {
        spellings: &["date"],
        canonical: "date",
        keyable: true,
    },
    MyType {
        spellings: &["json"],
        canonical: "longtext",
        keyable: false,
    },
    MyType {
        spellings: &["enum('a','b')", "ENUM('a', 'b')"],
        canonical: "enum('a','b')",
        keyable: true,
    },
];

#[derive(Debug, Clone)]
struct Col {
    name: String,
    ty: usize,
    not_null: bool,
}

#[derive(Debug, Clone)]
struct Tbl {
    name: String,
    cols: Vec<Col>,
    pk: Option<Vec<String>>,
}

impl Tbl {
    fn in_pk(&self, column: &str) -> bool {
        self.pk
            .as_ref()
            .is_some_and(|k| k.iter().any(|c| c == column))
    }
}

/// The model: tables and a counter for fresh names.
#[derive(Debug, Default)]
pub struct MyModel {
    tables: Vec<Tbl>,
    next: usize,
}

/// Backticks some names (MySQL accepts both forms).
fn ident(name: &str) -> String {
    if name.len().is_multiple_of(2) {
        format!("`{name}`")
    } else {
        name.to_string()
    }
}

impl MyModel {
    fn fresh(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}{}", self.next)
    }

    fn spelling(&self, ty: usize) -> &'static str {
        let s = TYPES[ty].spellings;
        s[self.next % s.len()]
    }

    fn table_index(&self, table: &Index) -> Option<usize> {
        (!self.tables.is_empty()).then(|| table.index(self.tables.len()))
    }

    fn column_index(&self, table: &Index, column: &Index) -> Option<(usize, usize)> {
        let t = self.table_index(table)?;
        let n = self.tables[t].cols.len();
        (n > 0).then(|| (t, column.index(n)))
    }

    /// A column definition: type and nullability (`NULL` written out half the time).
    fn definition(&self, ty: usize, not_null: bool) -> String {
        let null = match (not_null, self.next.is_multiple_of(2)) {
            (true, _) => " NOT NULL",
            (false, true) => " NULL",
            (false, false) => "",
        };
        format!("{}{null}", self.spelling(ty))
    }

    /// Applies one seed; returns its SQL, or `None` when it does not apply.
    pub fn apply(&mut self, seed: &MySeed) -> Option<String> {
        match seed {
            MySeed::CreateTable { types, pk } => {
                let name = self.fresh("t");
                let mut cols = Vec::new();
                let mut defs = Vec::new();
                for ty in types {
                    let ty = ty.index(TYPES.len());
                    let not_null = self.next.is_multiple_of(3);
                    let cname = self.fresh("c");
                    defs.push(format!(
                        "  {} {}",
                        ident(&cname),
                        self.definition(ty, not_null)
                    ));
                    cols.push(Col {
                        name: cname,
                        ty,
                        not_null,
                    });
                }
                let mut key = None;
                if *pk && TYPES[cols[0].ty].keyable {
                    defs.push(format!("  PRIMARY KEY ({})", ident(&cols[0].name)));
                    cols[0].not_null = true; // PRIMARY KEY columns are NOT NULL
                    key = Some(vec![cols[0].name.clone()]);
                }
                let sql = format!(
                    "CREATE TABLE {} (\n{}\n) ENGINE=InnoDB;",
                    ident(&name),
                    defs.join(",\n")
                );
                self.tables.push(Tbl {
                    name,
                    cols,
                    pk: key,
                });
                Some(sql)
            }
            MySeed::AddColumn {
                table,
                ty,
                not_null,
                position,
            } => {
                let t = self.table_index(table)?;
                let ty = ty.index(TYPES.len());
                let cname = self.fresh("c");
                let def = self.definition(ty, *not_null);
                let tbl = &mut self.tables[t];
                let col = Col {
                    name: cname.clone(),
                    ty,
                    not_null: *not_null,
                };
                let place = match position {
                    None => {
                        tbl.cols.push(col);
                        String::new()
                    }
                    Some(None) => {
                        tbl.cols.insert(0, col);
                        " FIRST".to_string()
                    }
                    Some(Some(after)) if !tbl.cols.is_empty() => {
                        let i = after.index(tbl.cols.len());
                        let after_name = tbl.cols[i].name.clone();
                        tbl.cols.insert(i + 1, col);
                        format!(" AFTER {}", ident(&after_name))
                    }
                    Some(Some(_)) => {
                        tbl.cols.push(col);
                        String::new()
                    }
                };
                Some(format!(
                    "ALTER TABLE {} ADD COLUMN {} {def}{place};",
                    ident(&tbl.name),
                    ident(&cname)
                ))
            }
            MySeed::DropColumn { table, column } => {
                let (t, c) = self.column_index(table, column)?;
                let tbl = &mut self.tables[t];
                if tbl.cols.len() == 1 {
                    return None; // MySQL refuses to drop a table's last column
                }
                // MariaDB drops a one-column key with its column, but refuses to drop a
                // column of a composite key ("Key column ... doesn't exist in table").
                let name = &tbl.cols[c].name;
                match &tbl.pk {
                    Some(k) if k.len() > 1 && k.contains(name) => return None,
                    Some(k) if k.contains(name) => tbl.pk = None,
                    _ => {}
                }
                let col = tbl.cols.remove(c);
                Some(format!(
                    "ALTER TABLE {} DROP COLUMN {};",
                    ident(&tbl.name),
                    ident(&col.name)
                ))
            }
            MySeed::Change {
                table,
                column,
                ty,
                not_null,
                position,
            }
            | MySeed::Modify {
                table,
                column,
                ty,
                not_null,
                position,
            } => {
                let (t, c) = self.column_index(table, column)?;
                let ty = ty.index(TYPES.len());
                let new_name = matches!(seed, MySeed::Change { .. }).then(|| self.fresh("c"));
                let in_pk = self.tables[t].in_pk(&self.tables[t].cols[c].name);
                if in_pk && !TYPES[ty].keyable {
                    return None;
                }
                // A key column stays NOT NULL whatever the definition says; say it.
                let not_null = *not_null || in_pk;
                let def = self.definition(ty, not_null);
                let tbl = &mut self.tables[t];
                let col = &mut tbl.cols[c];
                let old = col.name.clone();
                col.ty = ty;
                col.not_null = not_null;
                let mut sql = match new_name {
                    Some(new) => {
                        col.name = new.clone();
                        if let Some(k) = &mut tbl.pk {
                            k.iter_mut()
                                .filter(|n| **n == old)
                                .for_each(|n| *n = new.clone());
                        }
                        format!(
                            "ALTER TABLE {} CHANGE COLUMN {} {} {def}",
                            ident(&tbl.name),
                            ident(&old),
                            ident(&new)
                        )
                    }
                    None => format!(
                        "ALTER TABLE {} MODIFY {} {def}",
                        ident(&tbl.name),
                        ident(&old)
                    ),
                };
                // FIRST / AFTER another column (AFTER refers to the other columns' names).
                match position {
                    Some(None) => {
                        let moved = tbl.cols.remove(c);
                        tbl.cols.insert(0, moved);
                        sql.push_str(" FIRST");
                    }
                    Some(Some(after)) if tbl.cols.len() > 1 => {
                        let moved = tbl.cols.remove(c);
                        let i = after.index(tbl.cols.len());
                        sql.push_str(&format!(" AFTER {}", ident(&tbl.cols[i].name)));
                        tbl.cols.insert(i + 1, moved);
                    }
                    _ => {}
                }
                sql.push(';');
                Some(sql)
            }
            MySeed::RenameColumn { table, column } => {
                let (t, c) = self.column_index(table, column)?;
                let new = self.fresh("c");
                let tbl = &mut self.tables[t];
                let old = std::mem::replace(&mut tbl.cols[c].name, new.clone());
                if let Some(k) = &mut tbl.pk {
                    k.iter_mut()
                        .filter(|n| **n == old)
                        .for_each(|n| *n = new.clone());
                }
                Some(format!(
                    "ALTER TABLE {} RENAME COLUMN {} TO {};",
                    ident(&tbl.name),
                    ident(&old),
                    ident(&new)
                ))
            }
            MySeed::AddPrimaryKey {
                table,
                first,
                second,
            } => {
                let t = self.table_index(table)?;
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
                if keys.iter().any(|k| !TYPES[tbl.cols[*k].ty].keyable) {
                    return None;
                }
                for k in &keys {
                    tbl.cols[*k].not_null = true;
                }
                let names: Vec<String> = keys.iter().map(|k| tbl.cols[*k].name.clone()).collect();
                let list: Vec<String> = names.iter().map(|n| ident(n)).collect();
                let sql = format!(
                    "ALTER TABLE {} ADD PRIMARY KEY ({});",
                    ident(&tbl.name),
                    list.join(", ")
                );
                tbl.pk = Some(names);
                Some(sql)
            }
            MySeed::DropPrimaryKey { table } => {
                let t = self.table_index(table)?;
                let tbl = &mut self.tables[t];
                tbl.pk.take()?; // the columns stay NOT NULL
                Some(format!(
                    "ALTER TABLE {} DROP PRIMARY KEY;",
                    ident(&tbl.name)
                ))
            }
            MySeed::RenameTable { table } => {
                let t = self.table_index(table)?;
                let new = self.fresh("t");
                let form = self.next.is_multiple_of(2);
                let tbl = &mut self.tables[t];
                let old = std::mem::replace(&mut tbl.name, new.clone());
                Some(if form {
                    format!("RENAME TABLE {} TO {};", ident(&old), ident(&new))
                } else {
                    format!("ALTER TABLE {} RENAME TO {};", ident(&old), ident(&new))
                })
            }
            MySeed::DropTable { table } => {
                let t = self.table_index(table)?;
                let tbl = self.tables.remove(t);
                Some(format!("DROP TABLE {};", ident(&tbl.name)))
            }
        }
    }

    /// The schema MariaDB should report after the statements applied so far.
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
                        ty: TYPES[c.ty].canonical.to_string(),
                        nullable: !c.not_null,
                    })
                    .collect();
                (
                    t.name.clone(),
                    ObservedTable {
                        columns,
                        primary_key: t.pk.clone(),
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
pub fn history(seeds: &[MySeed], per_file: usize) -> History {
    let mut model = MyModel::default();
    let statements: Vec<String> = seeds.iter().filter_map(|s| model.apply(s)).collect();
    History::new(statements, per_file, model.expected())
}

/// Seeds, weighted so tables exist for later operations to act on.
pub fn my_seed() -> impl Strategy<Value = MySeed> {
    let idx = any::<Index>;
    prop_oneof![
        3 => (prop::collection::vec(idx(), 1..4), any::<bool>())
            .prop_map(|(types, pk)| MySeed::CreateTable { types, pk }),
        3 => (idx(), idx(), any::<bool>(), prop::option::of(prop::option::of(idx())))
            .prop_map(|(table, ty, not_null, position)| MySeed::AddColumn { table, ty, not_null, position }),
        2 => (idx(), idx()).prop_map(|(table, column)| MySeed::DropColumn { table, column }),
        2 => (idx(), idx(), idx(), any::<bool>(), prop::option::weighted(0.3, prop::option::of(idx())))
            .prop_map(|(table, column, ty, not_null, position)| MySeed::Change { table, column, ty, not_null, position }),
        2 => (idx(), idx(), idx(), any::<bool>(), prop::option::weighted(0.3, prop::option::of(idx())))
            .prop_map(|(table, column, ty, not_null, position)| MySeed::Modify { table, column, ty, not_null, position }),
        1 => (idx(), idx()).prop_map(|(table, column)| MySeed::RenameColumn { table, column }),
        2 => (idx(), idx(), prop::option::of(idx()))
            .prop_map(|(table, first, second)| MySeed::AddPrimaryKey { table, first, second }),
        1 => idx().prop_map(|table| MySeed::DropPrimaryKey { table }),
        1 => idx().prop_map(|table| MySeed::RenameTable { table }),
        1 => idx().prop_map(|table| MySeed::DropTable { table }),
    ]
}
