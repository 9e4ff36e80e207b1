//! `CREATE TABLE new AS SELECT ...` whose columns the replay can know: a query over one
//! table (MySQL: also joined tables, `DISTINCT`, `GROUP BY`) whose select list is `*`,
//! `t.*` and plain column references (aliased or not). Each column is copied with the
//! type the server gives it:
//!
//! - PostgreSQL: the same type, nullable (no constraint, default or identity is copied);
//! - MySQL/MariaDB: the same type, nullability and default (no key), nullable when it
//!   comes from the optional side of a `LEFT`/`RIGHT JOIN`; an `AUTO_INCREMENT` column
//!   becomes a plain one with `DEFAULT 0`. Another expression (aggregates, literals,
//!   arithmetic, string and conditional functions, casts; aliased or named as written)
//!   is typed by `ctas_mysql` (a private module).
//!
//! PostgreSQL queries beyond that (expressions, aggregates, `UNION`, joins, views) are
//! typed by `query_types` (a private module). SQLite's, all of them, are typed by
//! `ctas_sqlite` (also private: literals, expressions, casts, joins, compound selects; a
//! column's declared type is its affinity's name, [`sqlite_affinity_name`]). Any other
//! query is `None`: the caller records that it cannot know the columns.

use sqlparser::ast::{
    Expr, GroupByExpr, JoinConstraint, JoinOperator, Query, SelectItem,
    SelectItemQualifiedWildcardKind, SetExpr, TableFactor,
};

use super::ident::{fold, object_name, same_column};
use crate::dialect::Dialect;
use crate::model::{Column, Generated, Location, Provenance, Table};
use crate::types::SqlType;

/// The columns `query` (in statement `text`) gives a table created from it, reading
/// tables from `tables` (by canonical name), or `None` when the replay cannot know them.
/// `default_widths` (MySQL): no integer column of the history has a display width
/// MariaDB's arithmetic reads (see `ctas_mysql`).
pub(crate) fn columns<'s>(
    dialect: Dialect,
    query: &Query,
    text: &str,
    at: &Location,
    tables: impl Fn(&str) -> Option<&'s Table>,
    default_widths: bool,
) -> Option<Vec<Column>> {
    if query.with.is_some() {
        return None;
    }
    let select = match query.body.as_ref() {
        SetExpr::Select(select) => select,
        // `AS (SELECT ...)`
        SetExpr::Query(inner) if query.order_by.is_none() && query.limit_clause.is_none() => {
            return columns(dialect, inner, text, at, tables, default_widths);
        }
        _ => return None,
    };
    // MySQL also copies columns through DISTINCT, GROUP BY and joins (a column from the
    // optional side of an outer join becomes nullable); elsewhere one table, no grouping.
    let mysql = dialect == Dialect::Mysql;
    let grouped = !matches!(&select.group_by, GroupByExpr::Expressions(e, _) if e.is_empty());
    if !mysql && (select.from.len() != 1 || select.distinct.is_some() || grouped) {
        return None;
    }
    let mut sources: Vec<Source<'s>> = Vec::new();
    let mut merges = false;
    for from in &select.from {
        sources.push(source(dialect, &from.relation, &tables)?);
        for join in &from.joins {
            if !mysql {
                return None;
            }
            let (constraint, left, right) = match &join.join_operator {
                JoinOperator::Join(c) | JoinOperator::Inner(c) => (c, false, false),
                JoinOperator::CrossJoin(c) => (c, false, false),
                JoinOperator::Left(c) | JoinOperator::LeftOuter(c) => (c, false, true),
                JoinOperator::Right(c) | JoinOperator::RightOuter(c) => (c, true, false),
                _ => return None,
            };
            merges |= matches!(
                constraint,
                JoinConstraint::Using(_) | JoinConstraint::Natural
            );
            if left {
                for s in &mut sources {
                    s.nullable = true;
                }
            }
            let mut joined = source(dialect, &join.relation, &tables)?;
            joined.nullable = right;
            sources.push(joined);
        }
    }
    let all = |s: &Source<'s>| -> Vec<Column> {
        s.table
            .columns
            .iter()
            .map(|c| {
                let mut c = c.clone();
                c.nullable |= s.nullable;
                c
            })
            .collect()
    };
    let find = |e: &Expr| -> Option<Column> {
        let (qualifier, col) = match e {
            Expr::Identifier(i) => (None, fold(dialect, i)),
            Expr::CompoundIdentifier(parts) => {
                let [.., q, c] = parts.as_slice() else {
                    return None;
                };
                (Some(fold(dialect, q)), fold(dialect, c))
            }
            _ => return None,
        };
        let mut found = sources
            .iter()
            .filter(|s| {
                qualifier
                    .as_ref()
                    .is_none_or(|q| same_column(dialect, &s.qualifier, q))
            })
            .flat_map(|s| {
                s.table
                    .columns
                    .iter()
                    .filter(|c| same_column(dialect, &c.name, &col))
                    .map(move |c| (s, c))
            });
        let (s, c) = found.next()?;
        if found.next().is_some() {
            return None;
        }
        let mut c = c.clone();
        c.nullable |= s.nullable;
        Some(c)
    };
    // MySQL: the text of each item, for the names of unaliased expressions.
    let written = std::cell::OnceCell::new();
    let written = |n: usize| -> Option<&str> {
        let texts = written.get_or_init(|| {
            super::select_texts::select_list_texts(
                &sqlparser::dialect::MySqlDialect {},
                text,
                select,
            )
            .filter(|t| t.len() == select.projection.len())
        });
        texts.as_ref()?.get(n)?.tokens
    };
    let computed = |expr: &Expr| -> Option<Column> {
        let (ty, nullable) = super::ctas_mysql::typed(expr, &find, default_widths)?;
        Some(Column {
            name: String::new(),
            ty,
            nullable,
            default: None,
            generated: None,
            provenance: Provenance::new(at.clone()),
        })
    };
    let mut out = Vec::new();
    for (n, item) in select.projection.iter().enumerate() {
        match item {
            SelectItem::Wildcard(_) => {
                if merges {
                    return None;
                }
                out.extend(sources.iter().flat_map(all));
            }
            SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::ObjectName(q), _) => {
                let q = object_name(dialect, q);
                let s = sources
                    .iter()
                    .find(|s| same_column(dialect, &s.qualifier, &q))?;
                out.extend(all(s));
            }
            SelectItem::UnnamedExpr(e) => match find(e) {
                Some(c) => out.push(c),
                // MySQL: named by the expression as written (`ctas_mysql`).
                None if mysql => {
                    let mut c = computed(e)?;
                    c.name = super::ctas_mysql::written_name(e, written(n))?;
                    out.push(c);
                }
                None => return None,
            },
            SelectItem::ExprWithAlias { expr, alias } => {
                let mut c = match find(expr) {
                    Some(c) => c,
                    // MySQL: typed by `ctas_mysql`.
                    None if mysql => computed(expr)?,
                    None => return None,
                };
                c.name = fold(dialect, alias);
                out.push(c);
            }
            _ => return None,
        }
    }
    for c in &mut out {
        copied(dialect, c, at);
    }
    Some(out)
}

/// One table of a `FROM` clause: the name it is referred to by, the table, and whether
/// an outer join makes its columns nullable.
struct Source<'s> {
    qualifier: String,
    table: &'s Table,
    nullable: bool,
}

/// The table `factor` names and the qualifier its columns go by (its alias, else its
/// name), or `None` for anything but a table of the schema.
pub(super) fn named_table<'s>(
    dialect: Dialect,
    factor: &TableFactor,
    tables: &impl Fn(&str) -> Option<&'s Table>,
) -> Option<(String, &'s Table)> {
    let TableFactor::Table {
        name, alias, args, ..
    } = factor
    else {
        return None;
    };
    if args.is_some() {
        return None;
    }
    let table = tables(&object_name(dialect, name))?;
    let qualifier = alias
        .as_ref()
        .map_or_else(|| table.name.clone(), |a| fold(dialect, &a.name));
    Some((qualifier, table))
}

/// The table `factor` names, or `None` for anything but a table of the schema.
fn source<'s>(
    dialect: Dialect,
    factor: &TableFactor,
    tables: &impl Fn(&str) -> Option<&'s Table>,
) -> Option<Source<'s>> {
    let (qualifier, table) = named_table(dialect, factor, tables)?;
    Some(Source {
        qualifier,
        table,
        nullable: false,
    })
}

impl super::Replayer {
    /// The columns `CREATE TABLE ... AS query` (at `at`, in the statement `text`) gives
    /// its table, or `None` when the replay cannot know them.
    pub(crate) fn ctas_columns(
        &self,
        query: &Query,
        text: &str,
        at: &Location,
    ) -> Option<Vec<Column>> {
        let tables = |t: &str| self.table(t);
        if self.dialect == Dialect::Sqlite {
            let views = |v: &str| self.sqlite_views.get(&self.schema, v);
            let named = super::ctas_sqlite::columns(query, text, &tables, &views)?;
            return Some(
                named
                    .into_iter()
                    .map(|(name, declared)| Column {
                        name,
                        ty: SqlType::new(declared, crate::canonical::sqlite_family(declared)),
                        nullable: true,
                        default: None,
                        generated: None,
                        provenance: Provenance::new(at.clone()),
                    })
                    .collect(),
            );
        }
        let default_widths = !self.mysql_display_widths.get();
        if let Some(copied) = columns(self.dialect, query, text, at, tables, default_widths) {
            return Some(copied);
        }
        if self.dialect != Dialect::Postgres {
            return None;
        }
        let views = |v: &str| self.view_types.get(&self.schema, v);
        let functions = |f: &str| self.function_overloads(f);
        let typed =
            super::query_types::output_columns(query, &tables, &views, &functions, &self.schema)?;
        Some(
            typed
                .into_iter()
                .map(|(name, ty)| {
                    let mut c = Column {
                        name,
                        ty,
                        nullable: true,
                        default: None,
                        generated: None,
                        provenance: Provenance::new(at.clone()),
                    };
                    copied(Dialect::Postgres, &mut c, at);
                    c
                })
                .collect(),
        )
    }
}

/// What of column `c` a table created from a query keeps, per dialect (SQLite's columns
/// are typed by `ctas_sqlite`, never here).
fn copied(dialect: Dialect, c: &mut Column, at: &Location) {
    let generated = c.generated.take();
    c.provenance = Provenance::new(at.clone());
    match dialect {
        Dialect::Postgres | Dialect::Sqlite => {
            c.nullable = true;
            c.default = None;
        }
        Dialect::Mysql => {
            // An AUTO_INCREMENT column is copied as a plain column with DEFAULT 0
            // (MariaDB 10.11 and MySQL alike).
            if matches!(generated, Some(Generated::Identity { .. })) {
                c.default = Some("0".to_owned());
            }
        }
    }
}

/// The declared type SQLite gives a `CREATE TABLE ... AS SELECT` column of declared type
/// `declared` (lower case): its affinity's name (SQLite's rules, in their order).
///
/// ```
/// # use schema_check::replay::ctas::sqlite_affinity_name;
/// assert_eq!(sqlite_affinity_name("bigint"), "int");
/// assert_eq!(sqlite_affinity_name("varchar(20)"), "text");
/// assert_eq!(sqlite_affinity_name("blob"), "");
/// assert_eq!(sqlite_affinity_name(""), "");
/// assert_eq!(sqlite_affinity_name("double"), "real");
/// assert_eq!(sqlite_affinity_name("datetime"), "num");
/// ```
pub fn sqlite_affinity_name(declared: &str) -> &'static str {
    let has = |s: &str| declared.contains(s);
    if has("int") {
        "int"
    } else if has("char") || has("clob") || has("text") {
        "text"
    } else if has("blob") || declared.is_empty() {
        ""
    } else if has("real") || has("floa") || has("doub") {
        "real"
    } else {
        "num"
    }
}
