//! Table constraints (PRIMARY KEY, UNIQUE, FOREIGN KEY, CHECK, MySQL KEY/INDEX), shared
//! by CREATE TABLE and ALTER TABLE ... ADD CONSTRAINT.

use sqlparser::ast::{
    ForeignKeyConstraint, Ident, IndexColumn, ReferentialAction as SqlAction, TableConstraint,
};

use super::Ctx;
use super::column::index_column;
use super::constraint_names::ConstraintNames;
use super::ident::{fold, same_column};
use super::names::{
    PgNameSpace, mysql_check_name, mysql_foreign_key_name, mysql_key_name, name_addition,
    pg_choose_known_name,
};
use super::relation_index::RelationIndex;
use crate::diagnostic::Diagnostic;
use crate::dialect::Dialect;
use crate::model::{
    Check, ForeignKey, Index, Provenance, ReferentialAction, Schema, Table, UniqueConstraint,
    UniqueKind,
};

/// What a constraint may touch besides its table: the rest of the schema (the table
/// being changed is not in it while it changes).
pub(crate) struct Env<'a> {
    pub dialect: Dialect,
    pub schema: &'a mut Schema,
    /// PostgreSQL: the `search_path` a referenced table's name resolves by.
    pub search_path: &'a super::search_path::SearchPath,
    /// MySQL: the indexes the server created for foreign keys, by [`generated_mark`] (it
    /// drops one when a later index can serve its foreign key).
    pub fk_indexes: &'a mut super::maps::HashSet<String>,
    /// Where an index the constraint adds is recorded.
    pub relation_index: &'a mut RelationIndex,
    /// MySQL `CREATE TABLE`: foreign keys (their position in the table's list and the
    /// index name given) whose index waits for the whole statement, since any key of the
    /// statement, before or after the foreign key, spares it; `None`: created at once.
    pub pending_fk_indexes: Option<Vec<(usize, Option<String>)>>,
}

/// MySQL: what marks an index the server created for a foreign key in
/// [`Env::fk_indexes`]: where it was created and its name, which survive renames of its
/// table and columns (a key would not, and would mark a later index of the same name).
pub(crate) fn generated_mark(ix: &Index) -> String {
    let at = &ix.provenance.created;
    format!("{}:{}:{}|{}", at.file, at.line, at.column, ix.name)
}

/// MySQL: a new index on `table` whose leading columns serve a foreign key replaces the
/// index the server had created for that foreign key.
pub(crate) fn mysql_supersede(
    indexes: &mut std::collections::BTreeMap<String, Index>,
    fk_indexes: &mut super::maps::HashSet<String>,
    table: &str,
    new_key: &str,
    columns: &[String],
) {
    let prefix = format!("{table}.");
    let replaced: Vec<(String, String)> = indexes
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .filter(|(k, _)| k.as_str() != new_key)
        .map(|(k, ix)| (k, ix, generated_mark(ix)))
        .filter(|(_, ix, mark)| {
            fk_indexes.contains(mark)
                && ix.columns.len() <= columns.len()
                && ix
                    .columns
                    .iter()
                    .zip(columns)
                    .all(|(a, b)| a.eq_ignore_ascii_case(b))
        })
        .map(|(k, _, mark)| (k.clone(), mark))
        .collect();
    for (k, mark) in replaced {
        indexes.remove(&k);
        fk_indexes.remove(&mark);
    }
}

/// The key of an index in [`crate::model::Schema::indexes`]: index names are per schema
/// in PostgreSQL and SQLite, per table in MySQL (`table.index`).
pub(crate) fn index_key(dialect: Dialect, table: &str, name: &str) -> String {
    match dialect {
        Dialect::Mysql => format!("{table}.{name}"),
        Dialect::Postgres | Dialect::Sqlite => name.to_string(),
    }
}

/// Resolves key columns to the table's canonical column names; every one must exist
/// and be a plain column.
pub(crate) fn key_columns(
    ctx: &Ctx<'_>,
    dialect: Dialect,
    table: &Table,
    cols: &[IndexColumn],
    what: &str,
) -> Result<Vec<String>, Diagnostic> {
    cols.iter()
        .map(|c| {
            let name = index_column(dialect, c).ok_or_else(|| {
                ctx.error(
                    format!(
                        "{what} of table `{}` uses an expression `{}`",
                        table.name, c
                    ),
                    "use plain column names in key constraints",
                )
            })?;
            existing_column(ctx, dialect, table, &name, what)
        })
        .collect()
}

/// The canonical name of the existing column `name` (looked up per the dialect's rules).
pub(crate) fn existing_column(
    ctx: &Ctx<'_>,
    dialect: Dialect,
    table: &Table,
    name: &str,
    what: &str,
) -> Result<String, Diagnostic> {
    table
        .columns
        .iter()
        .find(|c| same_column(dialect, &c.name, name))
        .map(|c| c.name.clone())
        .ok_or_else(|| {
            ctx.error(
                format!(
                    "{what}: column `{name}` does not exist in table `{}`",
                    table.name
                ),
                format!(
                    "table `{}` has columns: {}",
                    table.name,
                    table
                        .columns
                        .iter()
                        .map(|c| c.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })
}

fn folded(dialect: Dialect, i: &Option<Ident>) -> Option<String> {
    i.as_ref().map(|i| fold(dialect, i))
}

/// Sets the primary key of `table`; an unnamed one is named by [`assign_names`].
pub(crate) fn set_primary_key(
    ctx: &Ctx<'_>,
    env: &mut Env<'_>,
    table: &mut Table,
    columns: Vec<String>,
    name: Option<String>,
) -> Result<(), Diagnostic> {
    if let Some(existing) = &table.primary_key {
        return Err(ctx.error(
            format!(
                "table `{}` already has a primary key ({})",
                table.name,
                existing.join(", ")
            ),
            "a table has at most one primary key: drop the existing one first",
        ));
    }
    if env.dialect != Dialect::Sqlite {
        for c in &mut table.columns {
            if columns.contains(&c.name) && c.nullable {
                c.nullable = false;
                c.provenance.touch(ctx.at());
            }
        }
    }
    table.primary_key_name = name;
    table.primary_key_provenance = Some(Provenance::new(ctx.at().clone()));
    table.primary_key = Some(columns);
    Ok(())
}

/// PostgreSQL `CREATE TABLE`: a UNIQUE constraint on exactly the columns (in the same
/// order) of the primary key or of an earlier UNIQUE of the same statement is not created;
/// its name, if it has one, goes to the earlier key when that one is unnamed
/// (`id int PRIMARY KEY, CONSTRAINT u UNIQUE (id)` makes one key, named `u`).
/// `from`: the first entry of `table.unique` that this statement declared.
pub(crate) fn pg_merge_duplicate_keys(table: &mut Table, from: usize) {
    let mut kept: Vec<UniqueConstraint> = Vec::new();
    for u in table.unique.drain(from..) {
        if u.kind == UniqueKind::Constraint && table.primary_key.as_ref() == Some(&u.columns) {
            if table.primary_key_name.is_none() {
                table.primary_key_name = u.name;
            }
            continue;
        }
        if let Some(prior) = kept
            .iter_mut()
            .find(|k| k.kind == UniqueKind::Constraint && k.columns == u.columns)
            .filter(|_| u.kind == UniqueKind::Constraint)
        {
            if prior.name.is_none() {
                prior.name = u.name;
            }
            continue;
        }
        kept.push(u);
    }
    table.unique.extend(kept);
}

/// The model's action for a written `ON DELETE` / `ON UPDATE` (`None`: not written, the
/// server's default).
pub(crate) fn action(dialect: Dialect, written: Option<&SqlAction>) -> ReferentialAction {
    match written {
        Some(SqlAction::Restrict) => ReferentialAction::Restrict,
        Some(SqlAction::Cascade) => ReferentialAction::Cascade,
        Some(SqlAction::SetNull) => ReferentialAction::SetNull,
        Some(SqlAction::NoAction) => ReferentialAction::NoAction,
        Some(SqlAction::SetDefault) => ReferentialAction::SetDefault,
        // MariaDB reports an unwritten action as RESTRICT.
        None if dialect == Dialect::Mysql => ReferentialAction::Restrict,
        None => ReferentialAction::NoAction,
    }
}

/// A foreign key of `table` from `fk`, to the table of key `foreign_table` (given name
/// only: [`assign_names`] names the rest); `column`: the column whose definition
/// declares it (see [`ForeignKey::column`]).
pub(crate) fn foreign_key(
    ctx: &Ctx<'_>,
    dialect: Dialect,
    columns: Vec<String>,
    fk: &ForeignKeyConstraint,
    given: Option<String>,
    column: Option<String>,
    foreign_table: String,
) -> ForeignKey {
    ForeignKey {
        column: column.filter(|_| dialect == Dialect::Sqlite),
        name: given,
        columns,
        foreign_table,
        foreign_columns: fk
            .referred_columns
            .iter()
            .map(|i| fold(dialect, i))
            .collect(),
        on_delete: action(dialect, fk.on_delete.as_ref()),
        on_update: action(dialect, fk.on_update.as_ref()),
        provenance: Provenance::new(ctx.at().clone()),
    }
}

/// The column a CHECK expression uses, when it uses exactly one column of `table`
/// (PostgreSQL then names an unnamed check `<table>_<column>_check`).
fn single_column(dialect: Dialect, table: &Table, expr: &str) -> Option<String> {
    use sqlparser::tokenizer::{Token, Tokenizer};
    let grammar = dialect.parser_dialect();
    let tokens = Tokenizer::new(&*grammar, expr).tokenize().ok()?;
    let mut found: Vec<&str> = Vec::new();
    let significant: Vec<&Token> = tokens
        .iter()
        .filter(|t| !matches!(t, Token::Whitespace(_)))
        .collect();
    for (i, t) in significant.iter().enumerate() {
        let Token::Word(w) = t else { continue };
        if significant.get(i + 1) == Some(&&Token::LParen) {
            continue; // a function name
        }
        let name = if w.quote_style.is_some() || dialect != Dialect::Postgres {
            w.value.clone()
        } else {
            w.value.to_lowercase()
        };
        if let Some(c) = table
            .columns
            .iter()
            .find(|c| same_column(dialect, &c.name, &name))
            && !found.contains(&c.name.as_str())
        {
            found.push(&c.name);
        }
    }
    match found.as_slice() {
        [one] => Some((*one).to_string()),
        _ => None,
    }
}

/// Names every unnamed constraint of `table` as the server does, in the order it does:
/// PostgreSQL checks, then the primary key, unique constraints and foreign keys
/// (PostgreSQL `ChooseConstraintName`/`ChooseIndexName`, MySQL `<col>`, `<col>_2`,
/// `<table>_ibfk_<n>`, `CONSTRAINT_<n>`). SQLite names nothing. `schema` holds every
/// other table; `known` records the table's names, given and generated; `relations`, the
/// keys the schema's relations have had.
pub(crate) fn assign_names(
    dialect: Dialect,
    schema: &Schema,
    known: &mut ConstraintNames,
    relations: &RelationIndex,
    table: &mut Table,
) {
    name_unnamed(dialect, schema, known, relations, table);
    known.note_table(table);
}

/// Names the unnamed constraints of `table` ([`assign_names`], without recording).
fn name_unnamed(
    dialect: Dialect,
    schema: &Schema,
    known: &ConstraintNames,
    relations: &RelationIndex,
    table: &mut Table,
) {
    match dialect {
        Dialect::Sqlite => {}
        Dialect::Postgres => {
            for i in 0..table.checks.len() {
                if table.checks[i].name.is_none() {
                    let col = single_column(dialect, table, &table.checks[i].expr);
                    let name = pg_choose_known_name(
                        schema,
                        known,
                        relations,
                        Some(table),
                        &table.name,
                        col.as_deref(),
                        "check",
                        PgNameSpace::Constraints,
                    );
                    table.checks[i].name = Some(name);
                }
            }
            if table.primary_key.is_some() && table.primary_key_name.is_none() {
                let name = pg_choose_known_name(
                    schema,
                    known,
                    relations,
                    Some(table),
                    &table.name,
                    None,
                    "pkey",
                    PgNameSpace::Both,
                );
                table.primary_key_name = Some(name);
            }
            for i in 0..table.unique.len() {
                if table.unique[i].name.is_none() {
                    let addition = name_addition(&table.unique[i].columns);
                    let name = pg_choose_known_name(
                        schema,
                        known,
                        relations,
                        Some(table),
                        &table.name,
                        Some(&addition),
                        "key",
                        PgNameSpace::Both,
                    );
                    table.unique[i].name = Some(name);
                }
            }
            for i in 0..table.foreign_keys.len() {
                if table.foreign_keys[i].name.is_none() {
                    let addition = name_addition(&table.foreign_keys[i].columns);
                    let name = pg_choose_known_name(
                        schema,
                        known,
                        relations,
                        Some(table),
                        &table.name,
                        Some(&addition),
                        "fkey",
                        PgNameSpace::Constraints,
                    );
                    table.foreign_keys[i].name = Some(name);
                }
            }
        }
        Dialect::Mysql => {
            // Every primary key is `PRIMARY`, whatever its `CONSTRAINT name` says.
            if table.primary_key.is_some() && table.primary_key_name.as_deref() != Some("PRIMARY") {
                table.primary_key_name = Some("PRIMARY".to_string());
            }
            mysql_name_uniques(schema, table);
            for i in 0..table.foreign_keys.len() {
                if table.foreign_keys[i].name.is_none() {
                    let name = mysql_foreign_key_name(
                        &table.name,
                        table.foreign_keys.iter().filter_map(|f| f.name.as_deref()),
                    );
                    table.foreign_keys[i].name = Some(name);
                }
            }
            for i in 0..table.checks.len() {
                if table.checks[i].name.is_none() {
                    let name =
                        mysql_check_name(table.checks.iter().filter_map(|c| c.name.as_deref()));
                    table.checks[i].name = Some(name);
                }
            }
        }
    }
}

/// MySQL: names the unnamed UNIQUE keys of `table` after their first column
/// ([`mysql_key_name`]). MariaDB names keys in the order the statements declare them, so
/// this runs as each one is added (an index added later takes the next free name).
pub(crate) fn mysql_name_uniques(schema: &Schema, table: &mut Table) {
    let prefix = format!("{}.", table.name);
    for i in 0..table.unique.len() {
        if table.unique[i].name.is_none() {
            let first = table.unique[i].columns.first().cloned().unwrap_or_default();
            let taken = table.unique.iter().filter_map(|u| u.name.as_deref()).chain(
                schema
                    .indexes
                    .range(prefix.clone()..)
                    .take_while(|(k, _)| k.starts_with(&prefix))
                    .map(|(_, ix)| ix.name.as_str()),
            );
            table.unique[i].name = Some(mysql_key_name(&first, taken));
        }
    }
}

/// MySQL: a foreign key needs an index whose leading columns are its columns; when the
/// table has none, the server creates one, named like the constraint (or, unnamed, like
/// an unnamed index on its first column).
///
/// MariaDB's rule (`mysql_prepare_create_table`) when another key's leading columns
/// match: a key the user declared keeps serving and no index is made; an index the
/// server made for an earlier foreign key is kept when it is longer, and otherwise
/// replaced by the new one (which takes the new constraint's name).
pub(crate) fn mysql_foreign_key_index(
    ctx: &Ctx<'_>,
    env: &mut Env<'_>,
    table: &Table,
    fk: &ForeignKey,
    given: Option<&str>,
) {
    let leads = |long: &[String], short: &[String]| {
        long.len() >= short.len()
            && long
                .iter()
                .zip(short)
                .all(|(a, b)| a.eq_ignore_ascii_case(b))
    };
    let prefix = format!("{}.", table.name);
    let existing: Vec<(String, Index)> = env
        .schema
        .indexes
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .map(|(k, ix)| (k.clone(), ix.clone()))
        .collect();
    let declared = |ix: &Index| !env.fk_indexes.contains(&generated_mark(ix));
    if table
        .primary_key
        .as_deref()
        .is_some_and(|pk| leads(pk, &fk.columns))
        || table.unique.iter().any(|u| leads(&u.columns, &fk.columns))
        || existing
            .iter()
            .any(|(_, ix)| declared(ix) && leads(&ix.columns, &fk.columns))
    {
        return;
    }
    let mut replaced = None;
    for (k, ix) in existing.iter().filter(|(_, ix)| !declared(ix)) {
        if fk.columns.len() < ix.columns.len() && leads(&ix.columns, &fk.columns) {
            return;
        }
        if leads(&fk.columns, &ix.columns) {
            replaced = Some(k.clone());
            env.fk_indexes.remove(&generated_mark(ix));
            break;
        }
    }
    if let Some(k) = &replaced {
        env.schema.indexes.remove(k);
    }
    let name = match given {
        Some(n) => n.to_string(),
        None => {
            let first = fk.columns.first().cloned().unwrap_or_default();
            let taken: Vec<String> = table
                .unique
                .iter()
                .filter_map(|u| u.name.clone())
                .chain(
                    existing
                        .iter()
                        .filter(|(k, _)| Some(k) != replaced.as_ref())
                        .map(|(_, ix)| ix.name.clone()),
                )
                .collect();
            mysql_key_name(&first, taken.iter().map(String::as_str))
        }
    };
    let key = index_key(Dialect::Mysql, &table.name, &name);
    let index = Index {
        name,
        table: table.name.clone(),
        columns: fk.columns.clone(),
        unique: false,
        predicate: None,
        provenance: Provenance::new(ctx.at().clone()),
    };
    env.fk_indexes.insert(generated_mark(&index));
    env.relation_index.note_index(&key, &index.table);
    env.schema.indexes.insert(key, index);
}

/// PostgreSQL: the name `constraint` gives, when `table` already has a constraint of that
/// name (checks, keys and foreign keys share one namespace per table: PostgreSQL refuses
/// the second, "constraint ... already exists").
pub(crate) fn pg_taken_name(table: &Table, constraint: &TableConstraint) -> Option<String> {
    let given = match constraint {
        TableConstraint::PrimaryKey(c) => &c.name,
        TableConstraint::Unique(c) => &c.name,
        TableConstraint::ForeignKey(c) => &c.name,
        TableConstraint::Check(c) => &c.name,
        TableConstraint::Exclude(c) => &c.name,
        _ => return None,
    };
    let name = fold(Dialect::Postgres, given.as_ref()?);
    let taken = table
        .checks
        .iter()
        .filter_map(|c| c.name.as_deref())
        .chain(table.foreign_keys.iter().filter_map(|f| f.name.as_deref()))
        .chain(
            table
                .unique
                .iter()
                .filter(|u| u.kind == UniqueKind::Constraint)
                .filter_map(|u| u.name.as_deref()),
        )
        .chain(table.primary_key_name.as_deref())
        .any(|n| n == name);
    taken.then_some(name)
}

/// Adds `constraint` to `table` (unnamed constraints are named by [`assign_names`]).
pub(crate) fn add(
    ctx: &Ctx<'_>,
    env: &mut Env<'_>,
    table: &mut Table,
    constraint: &TableConstraint,
) -> Result<(), Diagnostic> {
    let dialect = env.dialect;
    match constraint {
        TableConstraint::PrimaryKey(pk) => {
            let cols = key_columns(ctx, dialect, table, &pk.columns, "PRIMARY KEY")?;
            set_primary_key(ctx, env, table, cols, folded(dialect, &pk.name))
        }
        TableConstraint::Unique(u) => {
            let cols = key_columns(ctx, dialect, table, &u.columns, "UNIQUE")?;
            let name = folded(dialect, &u.name).or_else(|| folded(dialect, &u.index_name));
            if dialect == Dialect::Mysql {
                mysql_supersede(
                    &mut env.schema.indexes,
                    env.fk_indexes,
                    &table.name,
                    "",
                    &cols,
                );
            }
            table.unique.push(UniqueConstraint {
                name,
                columns: cols,
                kind: UniqueKind::Constraint,
                provenance: Provenance::new(ctx.at().clone()),
            });
            if dialect == Dialect::Mysql {
                mysql_name_uniques(env.schema, table);
            }
            Ok(())
        }
        TableConstraint::ForeignKey(fk) => {
            let cols = fk
                .columns
                .iter()
                .map(|i| existing_column(ctx, dialect, table, &fold(dialect, i), "FOREIGN KEY"))
                .collect::<Result<Vec<_>, _>>()?;
            let given = folded(dialect, &fk.name);
            let target = env.search_path.lookup_key(
                env.schema,
                dialect,
                &fk.foreign_table,
                super::search_path::Among::Relations,
            );
            let key = foreign_key(ctx, dialect, cols, fk, given.clone(), None, target);
            if dialect == Dialect::Mysql {
                let index = given.or_else(|| folded(dialect, &fk.index_name));
                match &mut env.pending_fk_indexes {
                    Some(pending) => pending.push((table.foreign_keys.len(), index)),
                    None => mysql_foreign_key_index(ctx, env, table, &key, index.as_deref()),
                }
            }
            table.foreign_keys.push(key);
            Ok(())
        }
        TableConstraint::Check(c) => {
            table.checks.push(Check {
                name: folded(dialect, &c.name),
                expr: c.expr.to_string(),
                column: None,
                provenance: Provenance::new(ctx.at().clone()),
            });
            Ok(())
        }
        TableConstraint::Index(ix) => {
            mysql_add_index(
                ctx,
                env,
                table,
                folded(dialect, &ix.name),
                &ix.columns,
                true,
            );
            Ok(())
        }
        TableConstraint::FulltextOrSpatial(ix) if dialect == Dialect::Mysql => {
            // The server names it like any index; it never serves a foreign key.
            let name = folded(dialect, &ix.opt_index_name);
            mysql_add_index(ctx, env, table, name, &ix.columns, false);
            Ok(())
        }
        // EXCLUDE constraints do not change columns or uniqueness in a way the model
        // records.
        TableConstraint::FulltextOrSpatial(_) | TableConstraint::Exclude(_) => Ok(()),
        TableConstraint::PrimaryKeyUsingIndex(c) | TableConstraint::UniqueUsingIndex(c) => {
            // `ADD CONSTRAINT name PRIMARY KEY/UNIQUE USING INDEX idx`: the unique index
            // becomes the constraint (and takes its name).
            let index = fold(dialect, &c.index_name);
            let key = match table.name.split_once('.') {
                Some((schema, _)) if !index.contains('.') => format!("{schema}.{index}"),
                _ => index.clone(),
            };
            let Some(ix) = env
                .schema
                .indexes
                .get(&key)
                .filter(|ix| ix.table == table.name)
            else {
                return Err(ctx.error(
                    format!("index `{index}` does not exist on table `{}`", table.name),
                    "create the unique index first (CREATE UNIQUE INDEX ... ON the table)",
                ));
            };
            if !ix.unique || ix.predicate.is_some() {
                return Err(ctx.error(
                    format!("index `{index}` is not a plain unique index"),
                    "USING INDEX needs a non-partial unique index on columns",
                ));
            }
            let cols = ix.columns.clone();
            let name = c
                .name
                .as_ref()
                .map(|n| fold(dialect, n))
                .unwrap_or_else(|| index.clone());
            env.schema.indexes.remove(&key);
            table
                .unique
                .retain(|u| u.name.as_deref() != Some(index.as_str()));
            if matches!(constraint, TableConstraint::PrimaryKeyUsingIndex(_)) {
                set_primary_key(ctx, env, table, cols, Some(name))
            } else {
                table.unique.push(UniqueConstraint {
                    name: Some(name),
                    columns: cols,
                    kind: UniqueKind::Constraint,
                    provenance: Provenance::new(ctx.at().clone()),
                });
                Ok(())
            }
        }
    }
}

/// MySQL `KEY`/`INDEX`/`FULLTEXT`/`SPATIAL` in a table definition: an index named as
/// given or, unnamed, after its first column ([`mysql_key_name`]). `serves_foreign_keys`:
/// it replaces an index the server made for a foreign key it can serve
/// ([`mysql_supersede`]).
fn mysql_add_index(
    ctx: &Ctx<'_>,
    env: &mut Env<'_>,
    table: &Table,
    given: Option<String>,
    columns: &[IndexColumn],
    serves_foreign_keys: bool,
) {
    let dialect = env.dialect;
    let cols: Vec<String> = columns
        .iter()
        .map(|c| index_column(dialect, c).unwrap_or_else(|| c.to_string()))
        .collect();
    let name = given.unwrap_or_else(|| {
        let first = cols.first().cloned().unwrap_or_default();
        let prefix = format!("{}.", table.name);
        let taken: Vec<String> = table
            .unique
            .iter()
            .filter_map(|u| u.name.clone())
            .chain(
                env.schema
                    .indexes
                    .range(prefix.clone()..)
                    .take_while(|(k, _)| k.starts_with(&prefix))
                    .map(|(_, ix)| ix.name.clone()),
            )
            .collect();
        mysql_key_name(&first, taken.iter().map(String::as_str))
    });
    let key = index_key(dialect, &table.name, &name);
    if serves_foreign_keys {
        mysql_supersede(
            &mut env.schema.indexes,
            env.fk_indexes,
            &table.name,
            &key,
            &cols,
        );
    }
    env.relation_index.note_index(&key, &table.name);
    env.schema.indexes.insert(
        key,
        Index {
            name,
            table: table.name.clone(),
            columns: cols,
            unique: false,
            predicate: None,
            provenance: Provenance::new(ctx.at().clone()),
        },
    );
}
