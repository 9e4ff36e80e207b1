//! Which table columns a view's query reads, for PostgreSQL's column dependencies:
//! `ALTER TABLE ... DROP COLUMN` refuses (or, with CASCADE, drops the view) and
//! `ALTER COLUMN ... TYPE` refuses when a view reads the column.
//!
//! A reference is *definite* when the replay knows which table it names: `alias.col` whose
//! alias names one table throughout the query, `alias.*` and `*` over a table (every column
//! the table had when the view was created, as PostgreSQL expands them), and a bare `col`
//! that only one table of the query has, in a query that reads tables and nothing else
//! (no CTE, subquery, view or function in `FROM`). Any other reference that could
//! name a table's column (a bare name in a join, an alias used for two tables) is *maybe*:
//! the replay never refuses a statement over a maybe, and never drops the view for one.
//!
//! ```
//! use schema_check::replay::view_columns::view_reads;
//! use sqlparser::{dialect::PostgreSqlDialect, parser::Parser, ast::Statement};
//! let sql = "CREATE VIEW v AS SELECT u.name, p.* FROM users u JOIN posts p ON p.uid = u.id";
//! let Statement::CreateView(cv) = &Parser::parse_sql(&PostgreSqlDialect {}, sql).unwrap()[0]
//! else { unreachable!() };
//! let (names, uses) = view_reads(
//!     schema_check::Dialect::Postgres,
//!     &cv.query,
//!     |t| ["users", "posts"].contains(&t).then(|| t.to_string()),
//!     |t| if t == "users" { vec!["id".into(), "name".into()] } else { vec!["uid".into(), "title".into()] },
//! );
//! assert_eq!(names.relations, ["users", "posts"]);
//! assert!(uses.definite.contains(&("users".into(), "name".into())));
//! assert!(uses.definite.contains(&("users".into(), "id".into())));
//! assert!(uses.definite.contains(&("posts".into(), "title".into())));
//! assert!(uses.maybe.is_empty());
//! ```

use std::collections::{BTreeSet, HashSet};
use std::ops::ControlFlow;

use sqlparser::ast::{
    Expr, FunctionArg, FunctionArgExpr, FunctionArguments, GroupByExpr, JoinConstraint,
    JoinOperator, ObjectName, Query, Select, SelectItem, SelectItemQualifiedWildcardKind, SetExpr,
    TableFactor, TableWithJoins, Visit, Visitor,
};

use super::ident::{fold, object_name};
use crate::dialect::Dialect;

/// The `(table, column)` pairs a view reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnUse {
    /// Columns the view surely reads.
    pub definite: BTreeSet<(String, String)>,
    /// Columns the view may read (the replay cannot tell which relation a name belongs to).
    pub maybe: BTreeSet<(String, String)>,
}

/// What a name in a `FROM` clause stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// A table of the schema (its key).
    Table(String),
    /// A CTE, a subquery, a view, a function: not a table's columns.
    Other,
}

struct Collector<'a, R, C> {
    dialect: Dialect,
    resolve: &'a R,
    columns_of: &'a C,
    ctes: &'a HashSet<String>,
    names: super::maps::HashMap<String, Vec<Target>>,
    tables: BTreeSet<String>,
    others: bool,
    qualified: Vec<(String, String)>,
    bare: Vec<String>,
    aliases: super::maps::HashSet<String>,
    uses: ColumnUse,
    /// The names the query mentions, gathered in the same walk.
    mentioned: QueryNames,
}

impl<R, C> Collector<'_, R, C>
where
    R: Fn(&str) -> Option<String>,
    C: Fn(&str) -> Vec<String>,
{
    /// The table a `FROM` item names (`None` for a CTE, subquery, view or function).
    fn factor_table(&self, f: &TableFactor) -> Option<String> {
        match f {
            TableFactor::Table { name, args, .. } if args.is_none() => {
                let n = object_name(self.dialect, name);
                if self.ctes.contains(&n) {
                    None
                } else {
                    (self.resolve)(&n)
                }
            }
            _ => None,
        }
    }

    /// The name a `FROM` item is known by in its query (its alias, else its last name part).
    fn factor_name(&self, f: &TableFactor) -> Option<String> {
        match f {
            TableFactor::Table { name, alias, .. } => Some(match alias {
                Some(a) => fold(self.dialect, &a.name),
                None => {
                    let n = object_name(self.dialect, name);
                    n.rsplit('.').next().unwrap_or(&n).to_string()
                }
            }),
            TableFactor::Derived { alias, .. }
            | TableFactor::Function { alias, .. }
            | TableFactor::UNNEST { alias, .. }
            | TableFactor::NestedJoin { alias, .. } => {
                alias.as_ref().map(|a| fold(self.dialect, &a.name))
            }
            _ => None,
        }
    }

    fn all_columns(&mut self, table: &str) {
        for c in (self.columns_of)(table) {
            self.uses.definite.insert((table.to_string(), c));
        }
    }

    /// The `FROM` items of one select, nested joins flattened.
    fn factors<'s>(from: &'s [TableWithJoins], out: &mut Vec<&'s TableFactor>) {
        for twj in from {
            Self::factor(&twj.relation, out);
            for j in &twj.joins {
                Self::factor(&j.relation, out);
            }
        }
    }

    fn factor<'s>(f: &'s TableFactor, out: &mut Vec<&'s TableFactor>) {
        if let TableFactor::NestedJoin {
            table_with_joins, ..
        } = f
        {
            Self::factors(std::slice::from_ref(table_with_joins.as_ref()), out);
        } else {
            out.push(f);
        }
    }

    fn select(&mut self, s: &Select) {
        let mut factors = Vec::new();
        Self::factors(&s.from, &mut factors);
        for item in &s.projection {
            match item {
                SelectItem::Wildcard(_) => {
                    for f in &factors {
                        if let Some(t) = self.factor_table(f) {
                            self.all_columns(&t);
                        }
                    }
                }
                SelectItem::QualifiedWildcard(
                    SelectItemQualifiedWildcardKind::ObjectName(q),
                    _,
                ) => {
                    let q = object_name(self.dialect, q);
                    let q = q.rsplit('.').next().unwrap_or(&q).to_string();
                    let hit = factors
                        .iter()
                        .find(|f| self.factor_name(f).as_deref() == Some(q.as_str()));
                    if let Some(t) = hit.and_then(|f| self.factor_table(f)) {
                        self.all_columns(&t);
                    }
                }
                SelectItem::ExprWithAlias { alias, .. } => {
                    self.aliases.insert(fold(self.dialect, alias));
                }
                _ => {}
            }
        }
        // `JOIN ... USING (c)` and NATURAL joins read columns no expression names.
        let mut tables: Option<Vec<String>> = None;
        for twj in &s.from {
            for j in &twj.joins {
                let constraint = join_constraint(&j.join_operator);
                if !matches!(
                    constraint,
                    Some(JoinConstraint::Using(_) | JoinConstraint::Natural)
                ) {
                    continue;
                }
                let tables = tables.get_or_insert_with(|| {
                    factors
                        .iter()
                        .filter_map(|f| self.factor_table(f))
                        .collect()
                });
                match constraint {
                    Some(JoinConstraint::Using(cols)) => {
                        for c in cols {
                            let c = object_name(self.dialect, c);
                            for t in tables.iter() {
                                self.uses.maybe.insert((t.clone(), c.clone()));
                            }
                        }
                    }
                    Some(JoinConstraint::Natural) => {
                        for t in tables.iter() {
                            for c in (self.columns_of)(t) {
                                self.uses.maybe.insert((t.clone(), c));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

impl<'a, R, C> Collector<'a, R, C> {
    fn new(dialect: Dialect, resolve: &'a R, columns_of: &'a C, ctes: &'a HashSet<String>) -> Self {
        Collector {
            dialect,
            resolve,
            columns_of,
            ctes,
            names: Default::default(),
            tables: BTreeSet::new(),
            others: false,
            qualified: Vec::new(),
            bare: Vec::new(),
            aliases: Default::default(),
            uses: ColumnUse::default(),
            mentioned: QueryNames::default(),
        }
    }
}

/// The walk of a query: the shapes a view's query usually has are followed here, calling
/// the [`Visitor`] methods sqlparser's visitor would call, in its order; any other node is
/// handed to sqlparser's visitor whole (the same calls, only slower).
impl<R, C> Collector<'_, R, C>
where
    R: Fn(&str) -> Option<String>,
    C: Fn(&str) -> Vec<String>,
{
    fn walk_query(&mut self, q: &Query) {
        let Query {
            with,
            body,
            order_by,
            limit_clause,
            fetch,
            locks,
            for_clause,
            settings,
            format_clause,
            pipe_operators,
        } = q;
        let plain = with.is_none()
            && order_by.is_none()
            && limit_clause.is_none()
            && fetch.is_none()
            && locks.is_empty()
            && for_clause.is_none()
            && settings.is_none()
            && format_clause.is_none()
            && pipe_operators.is_empty();
        match body.as_ref() {
            SetExpr::Select(select) if plain => {
                let _ = self.pre_visit_query(q);
                self.walk_select(select);
            }
            _ => {
                let _ = q.visit(self);
            }
        }
    }

    fn walk_select(&mut self, s: &Select) {
        let Select {
            select_token: _,
            optimizer_hints,
            distinct,
            select_modifiers,
            top,
            top_before_distinct: _,
            projection,
            exclude,
            into,
            from,
            lateral_views,
            prewhere,
            selection,
            connect_by,
            group_by,
            cluster_by,
            distribute_by,
            sort_by,
            having,
            named_window,
            qualify,
            window_before_qualify: _,
            value_table_mode: _,
            flavor: _,
        } = s;
        let plain = optimizer_hints.is_empty()
            && distinct.is_none()
            && select_modifiers.is_none()
            && top.is_none()
            && exclude.is_none()
            && into.is_none()
            && lateral_views.is_empty()
            && prewhere.is_none()
            && connect_by.is_empty()
            && matches!(group_by, GroupByExpr::Expressions(e, m) if e.is_empty() && m.is_empty())
            && cluster_by.is_empty()
            && distribute_by.is_empty()
            && sort_by.is_empty()
            && having.is_none()
            && named_window.is_empty()
            && qualify.is_none();
        if !plain {
            let _ = s.visit(self);
            return;
        }
        let _ = self.pre_visit_select(s);
        for item in projection {
            match item {
                SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                    self.walk_expr(e)
                }
                other => {
                    let _ = other.visit(self);
                }
            }
        }
        for twj in from {
            self.walk_factor(&twj.relation);
            for join in &twj.joins {
                match join_constraint(&join.join_operator) {
                    Some(JoinConstraint::On(e)) if !join.global => {
                        self.walk_factor(&join.relation);
                        self.walk_expr(e);
                    }
                    _ => {
                        let _ = join.visit(self);
                    }
                }
            }
        }
        if let Some(e) = selection {
            self.walk_expr(e);
        }
    }

    fn walk_factor(&mut self, f: &TableFactor) {
        match f {
            TableFactor::Table {
                name,
                alias,
                args: None,
                with_hints,
                version: None,
                with_ordinality: _,
                partitions,
                json_path: None,
                sample: None,
                index_hints,
            } if plain_name(name)
                && with_hints.is_empty()
                && partitions.is_empty()
                && index_hints.is_empty()
                && alias.as_ref().is_none_or(|a| a.columns.is_empty()) =>
            {
                let _ = self.pre_visit_table_factor(f);
                let _ = self.pre_visit_relation(name);
            }
            _ => {
                let _ = f.visit(self);
            }
        }
    }

    fn walk_expr(&mut self, e: &Expr) {
        match e {
            Expr::Identifier(_) | Expr::CompoundIdentifier(_) | Expr::Value(_) => {
                let _ = self.pre_visit_expr(e);
            }
            Expr::BinaryOp { left, right, .. } => {
                let _ = self.pre_visit_expr(e);
                self.walk_expr(left);
                self.walk_expr(right);
            }
            Expr::IsNull(inner) | Expr::IsNotNull(inner) | Expr::Nested(inner) => {
                let _ = self.pre_visit_expr(e);
                self.walk_expr(inner);
            }
            Expr::Subquery(q) => {
                let _ = self.pre_visit_expr(e);
                self.walk_query(q);
            }
            Expr::Function(f) if plain_call(f) => {
                let _ = self.pre_visit_expr(e);
                if let FunctionArguments::List(list) = &f.args {
                    for arg in &list.args {
                        if let FunctionArg::Unnamed(FunctionArgExpr::Expr(a)) = arg {
                            self.walk_expr(a);
                        }
                    }
                }
            }
            _ => {
                let _ = e.visit(self);
            }
        }
    }
}

/// Whether `name` is identifiers only (no part computed by a function call).
fn plain_name(name: &ObjectName) -> bool {
    name.0
        .iter()
        .all(|p| matches!(p, sqlparser::ast::ObjectNamePart::Identifier(_)))
}

/// Whether the call `f` is `name(args)` with plain arguments (expressions, `*`) and
/// nothing else the visitor would walk.
fn plain_call(f: &sqlparser::ast::Function) -> bool {
    let sqlparser::ast::Function {
        name,
        uses_odbc_syntax: _,
        parameters,
        args,
        within_group,
        filter,
        null_treatment: _,
        over,
    } = f;
    let args = match args {
        FunctionArguments::None => true,
        FunctionArguments::List(list) => {
            list.duplicate_treatment.is_none()
                && list.clauses.is_empty()
                && list.args.iter().all(|a| {
                    matches!(
                        a,
                        FunctionArg::Unnamed(FunctionArgExpr::Expr(_) | FunctionArgExpr::Wildcard)
                    )
                })
        }
        FunctionArguments::Subquery(_) => false,
    };
    args && plain_name(name)
        && matches!(parameters, FunctionArguments::None)
        && within_group.is_empty()
        && filter.is_none()
        && over.is_none()
}

impl<R, C> Visitor for Collector<'_, R, C>
where
    R: Fn(&str) -> Option<String>,
    C: Fn(&str) -> Vec<String>,
{
    type Break = ();

    fn pre_visit_query(&mut self, q: &Query) -> ControlFlow<()> {
        if let Some(with) = &q.with {
            for cte in &with.cte_tables {
                self.mentioned
                    .ctes
                    .insert(fold(self.dialect, &cte.alias.name));
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_relation(&mut self, relation: &ObjectName) -> ControlFlow<()> {
        self.mentioned
            .relations
            .push(object_name(self.dialect, relation));
        ControlFlow::Continue(())
    }

    fn pre_visit_select(&mut self, s: &Select) -> ControlFlow<()> {
        self.select(s);
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, f: &TableFactor) -> ControlFlow<()> {
        if matches!(f, TableFactor::NestedJoin { alias: None, .. }) {
            return ControlFlow::Continue(());
        }
        let target = match self.factor_table(f) {
            Some(t) => {
                self.tables.insert(t.clone());
                Target::Table(t)
            }
            None => {
                self.others = true;
                Target::Other
            }
        };
        if let Some(n) = self.factor_name(f) {
            let v = self.names.entry(n).or_default();
            if !v.contains(&target) {
                v.push(target);
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
        match e {
            Expr::Function(f) => self
                .mentioned
                .functions
                .push(object_name(self.dialect, &f.name)),
            Expr::CompoundIdentifier(parts) if parts.len() >= 2 => {
                let n = parts.len();
                self.qualified.push((
                    fold(self.dialect, &parts[n - 2]),
                    fold(self.dialect, &parts[n - 1]),
                ));
            }
            Expr::Identifier(i) => self.bare.push(fold(self.dialect, i)),
            _ => {}
        }
        ControlFlow::Continue(())
    }
}

/// What a view's query reads: the names it mentions ([`QueryNames`]) and the table
/// columns it reads ([`ColumnUse`]), in one walk of the query when it has no CTE (a CTE may
/// be read before, textually, its `WITH` is visited, so the columns of a query with CTEs are
/// found in a second walk, once their names are known). `resolve` gives the key of the
/// table a name denotes (`None` for views and unknown names); `columns_of` a table's
/// current columns.
pub fn view_reads<R, C>(
    dialect: Dialect,
    query: &Query,
    resolve: R,
    columns_of: C,
) -> (QueryNames, ColumnUse)
where
    R: Fn(&str) -> Option<String>,
    C: Fn(&str) -> Vec<String>,
{
    let (names, uses) = walk(dialect, query, &HashSet::new(), &resolve, &columns_of);
    if names.ctes.is_empty() {
        return (names, uses);
    }
    let (_, uses) = walk(dialect, query, &names.ctes, &resolve, &columns_of);
    (names, uses)
}

/// One walk of `query`: the names it mentions and, taking `ctes` as the names of its CTEs,
/// the columns it reads.
fn walk<R, C>(
    dialect: Dialect,
    query: &Query,
    ctes: &HashSet<String>,
    resolve: &R,
    columns_of: &C,
) -> (QueryNames, ColumnUse)
where
    R: Fn(&str) -> Option<String>,
    C: Fn(&str) -> Vec<String>,
{
    let mut c = Collector::new(dialect, resolve, columns_of, ctes);
    c.walk_query(query);
    // Each table's columns, read once however many names are looked up in them.
    let read: std::cell::RefCell<Vec<(String, Vec<String>)>> = Default::default();
    let has = |t: &str, col: &str| {
        let mut read = read.borrow_mut();
        let i = match read.iter().position(|(name, _)| name == t) {
            Some(i) => i,
            None => {
                read.push((t.to_string(), columns_of(t)));
                read.len() - 1
            }
        };
        read[i].1.iter().any(|x| x == col)
    };
    let mut uses = std::mem::take(&mut c.uses);
    for (q, col) in &c.qualified {
        match c.names.get(q).map(Vec::as_slice) {
            Some([Target::Table(t)]) => {
                if has(t, col) {
                    uses.definite.insert((t.clone(), col.clone()));
                }
            }
            Some(targets) => {
                for t in targets {
                    if let Target::Table(t) = t
                        && has(t, col)
                    {
                        uses.maybe.insert((t.clone(), col.clone()));
                    }
                }
            }
            // Not a FROM name: a schema-qualified table, a composite field, a variable.
            None => {
                for t in &c.tables {
                    if has(t, col) {
                        uses.maybe.insert((t.clone(), col.clone()));
                    }
                }
            }
        }
    }
    // A bare name in a query of tables only (no CTE, subquery, view or function in FROM)
    // names a column of one of them, unless it is an output name: when one table alone
    // has such a column, it is that one.
    let plain = !c.others && c.ctes.is_empty();
    for col in &c.bare {
        let owners: Vec<&String> = c.tables.iter().filter(|t| has(t, col)).collect();
        let sure = plain && owners.len() == 1 && !c.aliases.contains(col);
        for t in owners {
            let u = (t.clone(), col.clone());
            if sure {
                uses.definite.insert(u);
            } else {
                uses.maybe.insert(u);
            }
        }
    }
    let ColumnUse {
        definite,
        mut maybe,
    } = uses;
    maybe.retain(|u| !definite.contains(u));
    (c.mentioned, ColumnUse { definite, maybe })
}

/// The names a view's query mentions, gathered in one walk of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryNames {
    /// The functions it calls (canonical names as written, qualified or not), in order.
    pub functions: Vec<String>,
    /// The relations it reads (canonical names), in order, CTEs included.
    pub relations: Vec<String>,
    /// The names of its CTEs, nested ones included.
    pub ctes: HashSet<String>,
}

/// The constraint (`ON`, `USING`, `NATURAL`, none) of an inner, outer or cross join;
/// `None` for the other operators (semi, anti, apply, as-of joins).
pub(super) fn join_constraint(op: &JoinOperator) -> Option<&JoinConstraint> {
    match op {
        JoinOperator::Join(c)
        | JoinOperator::Inner(c)
        | JoinOperator::Left(c)
        | JoinOperator::LeftOuter(c)
        | JoinOperator::Right(c)
        | JoinOperator::RightOuter(c)
        | JoinOperator::FullOuter(c)
        | JoinOperator::CrossJoin(c) => Some(c),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::ast::Statement;
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;

    /// The walk makes the calls sqlparser's visitor makes, in the same order, on the shapes
    /// it follows itself and on those it hands over.
    #[test]
    fn the_walk_calls_what_the_visitor_calls() {
        let resolve = |t: &str| ["users", "posts"].contains(&t).then(|| t.to_string());
        let columns_of = |t: &str| -> Vec<String> {
            match t {
                "users" => vec!["id".into(), "name".into()],
                _ => vec!["uid".into(), "title".into()],
            }
        };
        let queries = [
            "SELECT u.id, name AS n, now() AS seen, (SELECT count(*) FROM posts p WHERE p.uid = u.id) AS k \
             FROM users u WHERE u.name IS NOT NULL AND (id > 0)",
            "SELECT b.*, lower(b.name) FROM users b JOIN posts p ON p.uid = b.id, posts q",
            "SELECT * FROM users u LEFT JOIN posts USING (uid) NATURAL JOIN posts x",
            "SELECT DISTINCT count(*) FILTER (WHERE id > 1) OVER (PARTITION BY name) FROM users",
            "SELECT id FROM users GROUP BY id HAVING count(*) > 1 ORDER BY id LIMIT 2",
            "WITH w AS (SELECT id FROM users) SELECT w.id FROM w",
            "SELECT x.uid FROM (SELECT uid FROM posts) x, LATERAL f(x.uid) AS g(a) \
             WHERE EXISTS (SELECT 1 FROM users WHERE users.id = x.uid)",
            "SELECT CASE WHEN id IN (1, 2) THEN name END, public.twice(id), id::text FROM public.users",
            "SELECT id FROM users UNION SELECT uid FROM posts",
        ];
        for sql in queries {
            let Statement::Query(q) = &Parser::parse_sql(&PostgreSqlDialect {}, sql).unwrap()[0]
            else {
                panic!("{sql} is a query");
            };
            let ctes = HashSet::new();
            let mut walked = Collector::new(Dialect::Postgres, &resolve, &columns_of, &ctes);
            walked.walk_query(q);
            let mut visited = Collector::new(Dialect::Postgres, &resolve, &columns_of, &ctes);
            let _ = q.visit(&mut visited);
            let seen = |c: &Collector<'_, _, _>| {
                (
                    c.names.clone(),
                    c.tables.clone(),
                    c.others,
                    c.qualified.clone(),
                    c.bare.clone(),
                    c.aliases.clone(),
                    c.uses.clone(),
                    c.mentioned.clone(),
                )
            };
            assert_eq!(seen(&walked), seen(&visited), "{sql}");
        }
    }
}
