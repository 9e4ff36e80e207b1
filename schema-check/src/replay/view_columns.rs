//! Which table columns a view's query reads, for PostgreSQL's column dependencies:
//! `ALTER TABLE ... DROP COLUMN` refuses (or, with CASCADE, drops the view) and
//! `ALTER COLUMN ... TYPE` refuses when a view reads the column.
//!
//! A reference is *definite* when the replay knows which table it names: `alias.col` whose
//! alias names one table throughout the query, `alias.*` and `*` over a table (every column
//! the table had when the view was created, as PostgreSQL expands them), and a bare `col`
//! that only one table of the query has, in a query that reads tables and nothing else
//! (no CTE, subquery, view or function in `FROM`). Any other reference that could
//! name a table's column (a bare name in a join, an alias used for two tables, a column
//! of `JOIN ... USING` or of a NATURAL join) is *maybe*: the replay never refuses a
//! statement over a maybe, and never drops the view for one.
//!
//! The walk allocates little: the names it meets are folded into one buffer, and the
//! tables and columns it reports are borrowed from the schema it is given.
//!
//! ```
//! use schema_check::replay::view_columns::view_reads;
//! use sqlparser::{dialect::PostgreSqlDialect, parser::Parser, ast::Statement};
//! let sql = "CREATE VIEW v AS SELECT u.name, p.* FROM users u JOIN posts p ON p.uid = u.id";
//! let Statement::CreateView(cv) = &Parser::parse_sql(&PostgreSqlDialect {}, sql).unwrap()[0]
//! else { unreachable!() };
//! let tables: [(&str, &[&str]); 2] = [("users", &["id", "name"]), ("posts", &["uid", "title"])];
//! let (names, uses) = view_reads(schema_check::Dialect::Postgres, &cv.query, |t| {
//!     let (key, columns) = tables.iter().find(|(key, _)| *key == t)?;
//!     Some((*key, columns.iter().copied()))
//! });
//! assert_eq!(names.relations().collect::<Vec<_>>(), ["users", "posts"]);
//! assert!(uses.definite.contains(&("users", "name")));
//! assert!(uses.definite.contains(&("users", "id")));
//! assert!(uses.definite.contains(&("posts", "title")));
//! assert!(uses.maybe.is_empty());
//! ```

use std::ops::ControlFlow;

use sqlparser::ast::{
    Expr, FunctionArg, FunctionArgExpr, FunctionArguments, GroupByExpr, JoinConstraint,
    JoinOperator, ObjectName, Query, Select, SelectItem, SelectItemQualifiedWildcardKind, SetExpr,
    TableFactor, TableWithJoins, Visit, Visitor,
};

use super::ident::{fold_into, last_part_into, object_name_into};
use crate::dialect::Dialect;

/// The `(table, column)` pairs a view reads, borrowed from the schema it was read against,
/// each pair once, sorted; no pair is in both lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnUse<'s> {
    /// Columns the view surely reads.
    pub definite: Vec<(&'s str, &'s str)>,
    /// Columns the view may read (the replay cannot tell which relation a name belongs to).
    pub maybe: Vec<(&'s str, &'s str)>,
}

/// Where a name lies in a buffer of names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: usize,
    end: usize,
}

impl Span {
    fn of(self, text: &str) -> &str {
        &text[self.start..self.end]
    }
}

/// A table a query reads: its key and its columns (as the caller's `tables` gave them).
#[derive(Clone)]
struct Table<'s, I> {
    key: &'s str,
    columns: I,
}

impl<'s, I: Iterator<Item = &'s str> + Clone> Table<'s, I> {
    /// The table's column `col`, if it has one.
    fn column(&self, col: &str) -> Option<&'s str> {
        self.columns.clone().find(|c| *c == col)
    }
}

struct Collector<'a, 's, T, I> {
    dialect: Dialect,
    tables_of: &'a T,
    /// The names of the query's CTEs (when known: see [`view_reads`]).
    ctes: &'a [&'a str],
    /// The names met (FROM names, column references, aliases, the names of
    /// [`QueryNames`]), end to end; the spans below point into it.
    text: String,
    /// Each name a `FROM` item is known by, with what it stands for (an index in `tables`,
    /// `None` for a CTE, subquery, view or function), each pair once.
    names: Vec<(Span, Option<usize>)>,
    /// The tables the query reads, each once.
    tables: Vec<Table<'s, I>>,
    others: bool,
    qualified: Vec<(Span, Span)>,
    bare: Vec<Span>,
    aliases: Vec<Span>,
    uses: ColumnUse<'s>,
    /// The names the query mentions, gathered in the same walk.
    functions: Vec<Span>,
    relations: Vec<Span>,
    cte_names: Vec<Span>,
}

impl<'a, 's, T, I> Collector<'a, 's, T, I>
where
    T: Fn(&str) -> Option<(&'s str, I)>,
    I: Iterator<Item = &'s str> + Clone,
{
    fn new(dialect: Dialect, tables_of: &'a T, ctes: &'a [&'a str]) -> Self {
        let Buffers {
            mut text,
            names,
            qualified,
            bare,
            aliases,
            functions,
            relations,
            cte_names,
        } = Buffers::take();
        // Room for the names of most queries.
        text.reserve(256);
        Collector {
            dialect,
            tables_of,
            ctes,
            text,
            names,
            tables: Vec::new(),
            others: false,
            qualified,
            bare,
            aliases,
            uses: ColumnUse::default(),
            functions,
            relations,
            cte_names,
        }
    }

    /// Appends what `write` writes (given the dialect) to the buffer, as a span of it.
    fn appended(&mut self, write: impl FnOnce(Dialect, &mut String)) -> Span {
        let start = self.text.len();
        write(self.dialect, &mut self.text);
        Span {
            start,
            end: self.text.len(),
        }
    }

    /// Appends the canonical spelling of `ident` to the buffer.
    fn ident(&mut self, ident: &sqlparser::ast::Ident) -> Span {
        self.appended(|d, out| fold_into(d, ident, out))
    }

    /// Appends the canonical name of `name` to the buffer.
    fn object(&mut self, name: &ObjectName) -> Span {
        self.appended(|d, out| object_name_into(d, name, out))
    }

    /// Appends the last part of the canonical name of `name` (`t` of `s.t`; `a.b` of a
    /// quoted `"a.b"`) to the buffer.
    fn last_part(&mut self, name: &ObjectName) -> Span {
        self.appended(|d, out| last_part_into(d, name, out))
    }

    /// The table a `FROM` item names (`None` for a CTE, subquery, view or function).
    fn factor_table(&mut self, f: &TableFactor) -> Option<Table<'s, I>> {
        match f {
            TableFactor::Table { name, args, .. } if args.is_none() => {
                let mark = self.text.len();
                let n = self.object(name);
                let n = n.of(&self.text);
                let found = if self.ctes.contains(&n) {
                    None
                } else if let Some(t) = self.tables.iter().find(|t| t.key == n) {
                    // A table's key denotes that table: no need to ask again.
                    Some(t.clone())
                } else {
                    (self.tables_of)(n).map(|(key, columns)| Table { key, columns })
                };
                self.text.truncate(mark);
                found
            }
            _ => None,
        }
    }

    /// The name a `FROM` item is known by in its query (its alias, else its last name
    /// part), appended to the buffer.
    fn factor_name(&mut self, f: &TableFactor) -> Option<Span> {
        match f {
            TableFactor::Table { name, alias, .. } => Some(match alias {
                Some(a) => self.ident(&a.name),
                None => self.last_part(name),
            }),
            TableFactor::Derived { alias, .. }
            | TableFactor::Function { alias, .. }
            | TableFactor::UNNEST { alias, .. }
            | TableFactor::NestedJoin { alias, .. } => alias.as_ref().map(|a| self.ident(&a.name)),
            _ => None,
        }
    }

    /// The index of `t` in `tables`, added if new.
    fn table_index(&mut self, t: Table<'s, I>) -> usize {
        match self.tables.iter().position(|x| x.key == t.key) {
            Some(i) => i,
            None => {
                self.tables.push(t);
                self.tables.len() - 1
            }
        }
    }

    fn all_columns(&mut self, table: &Table<'s, I>) {
        let key = table.key;
        self.uses
            .definite
            .extend(table.columns.clone().map(|c| (key, c)));
    }

    /// The `FROM` items of one select, nested joins flattened.
    fn factors<'f>(from: &'f [TableWithJoins], out: &mut Vec<&'f TableFactor>) {
        for twj in from {
            Self::factor(&twj.relation, out);
            for j in &twj.joins {
                Self::factor(&j.relation, out);
            }
        }
    }

    fn factor<'f>(f: &'f TableFactor, out: &mut Vec<&'f TableFactor>) {
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
        // The FROM items, listed when a wildcard or a join needs them.
        let mut factors = Vec::new();
        let mut listed = false;
        let mut list = |factors: &mut Vec<_>| {
            if !listed {
                Self::factors(&s.from, factors);
                listed = true;
            }
        };
        for item in &s.projection {
            if matches!(
                item,
                SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..)
            ) {
                list(&mut factors);
            }
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
                    let mark = self.text.len();
                    let q = self.last_part(q);
                    let hit = factors.iter().find(|f| {
                        let at = self.text.len();
                        let same = self
                            .factor_name(f)
                            .is_some_and(|n| n.of(&self.text) == q.of(&self.text));
                        self.text.truncate(at);
                        same
                    });
                    if let Some(t) = hit.and_then(|f| self.factor_table(f)) {
                        self.all_columns(&t);
                    }
                    self.text.truncate(mark);
                }
                SelectItem::ExprWithAlias { alias, .. } => {
                    let a = self.ident(alias);
                    self.aliases.push(a);
                }
                _ => {}
            }
        }
        // `JOIN ... USING (c)` and NATURAL joins read columns no expression names.
        let mut tables: Option<Vec<Table<'s, I>>> = None;
        for twj in &s.from {
            for j in &twj.joins {
                let constraint = join_constraint(&j.join_operator);
                if !matches!(
                    constraint,
                    Some(JoinConstraint::Using(_) | JoinConstraint::Natural)
                ) {
                    continue;
                }
                list(&mut factors);
                let tables = tables.get_or_insert_with(|| {
                    factors
                        .iter()
                        .filter_map(|f| self.factor_table(f))
                        .collect()
                });
                match constraint {
                    Some(JoinConstraint::Using(cols)) => {
                        for c in cols {
                            let mark = self.text.len();
                            let c = self.object(c);
                            for t in tables.iter() {
                                if let Some(col) = t.column(c.of(&self.text)) {
                                    self.uses.maybe.push((t.key, col));
                                }
                            }
                            self.text.truncate(mark);
                        }
                    }
                    Some(JoinConstraint::Natural) => {
                        for t in tables.iter() {
                            let key = t.key;
                            self.uses.maybe.extend(t.columns.clone().map(|c| (key, c)));
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

/// The walk of a query: the shapes a view's query usually has are followed here, calling
/// the [`Visitor`] methods sqlparser's visitor would call, in its order; any other node is
/// handed to sqlparser's visitor whole (the same calls, only slower).
impl<'s, T, I> Collector<'_, 's, T, I>
where
    T: Fn(&str) -> Option<(&'s str, I)>,
    I: Iterator<Item = &'s str> + Clone,
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

impl<'s, T, I> Visitor for Collector<'_, 's, T, I>
where
    T: Fn(&str) -> Option<(&'s str, I)>,
    I: Iterator<Item = &'s str> + Clone,
{
    type Break = ();

    fn pre_visit_query(&mut self, q: &Query) -> ControlFlow<()> {
        if let Some(with) = &q.with {
            for cte in &with.cte_tables {
                let n = self.ident(&cte.alias.name);
                let text = &self.text;
                if self.cte_names.iter().any(|c| c.of(text) == n.of(text)) {
                    self.text.truncate(n.start);
                } else {
                    self.cte_names.push(n);
                }
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_relation(&mut self, relation: &ObjectName) -> ControlFlow<()> {
        let n = self.object(relation);
        self.relations.push(n);
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
            Some(t) => Some(self.table_index(t)),
            None => {
                self.others = true;
                None
            }
        };
        if let Some(n) = self.factor_name(f) {
            let text = &self.text;
            let known = self
                .names
                .iter()
                .any(|(m, t)| *t == target && m.of(text) == n.of(text));
            if known {
                self.text.truncate(n.start);
            } else {
                self.names.push((n, target));
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
        match e {
            Expr::Function(f) => {
                let n = self.object(&f.name);
                self.functions.push(n);
            }
            Expr::CompoundIdentifier(parts) if parts.len() >= 2 => {
                let n = parts.len();
                let q = self.ident(&parts[n - 2]);
                let c = self.ident(&parts[n - 1]);
                self.qualified.push((q, c));
            }
            Expr::Identifier(i) => {
                let c = self.ident(i);
                self.bare.push(c);
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }
}

/// What a view's query reads: the names it mentions ([`QueryNames`]) and the table
/// columns it reads ([`ColumnUse`]), in one walk of the query when it has no CTE (a CTE may
/// be read before, textually, its `WITH` is visited, so the columns of a query with CTEs are
/// found in a second walk, once their names are known). `tables` gives, for a name, the
/// key of the table it denotes and that table's current columns (`None` for views and
/// unknown names); a table's key must denote that table (it is not asked twice).
pub fn view_reads<'s, T, I>(
    dialect: Dialect,
    query: &Query,
    tables: T,
) -> (QueryNames, ColumnUse<'s>)
where
    T: Fn(&str) -> Option<(&'s str, I)>,
    I: Iterator<Item = &'s str> + Clone,
{
    let (names, uses) = walk(dialect, query, &[], &tables);
    if names.0.cte_names.is_empty() {
        return (names, uses);
    }
    let ctes: Vec<&str> = names.ctes().collect();
    let (_, uses) = walk(dialect, query, &ctes, &tables);
    (names, uses)
}

/// One walk of `query`: the names it mentions and, taking `ctes` as the names of its CTEs,
/// the columns it reads.
fn walk<'s, T, I>(
    dialect: Dialect,
    query: &Query,
    ctes: &[&str],
    tables: &T,
) -> (QueryNames, ColumnUse<'s>)
where
    T: Fn(&str) -> Option<(&'s str, I)>,
    I: Iterator<Item = &'s str> + Clone,
{
    let mut c = Collector::new(dialect, tables, ctes);
    c.walk_query(query);
    let mut uses = std::mem::take(&mut c.uses);
    // Each reference names at most one column surely: room for them all at once.
    uses.definite.reserve(c.qualified.len() + c.bare.len());
    let text = c.text.as_str();
    for (q, col) in &c.qualified {
        let (q, col) = (q.of(text), col.of(text));
        let mut targets = c
            .names
            .iter()
            .filter(|(n, _)| n.of(text) == q)
            .map(|(_, t)| *t)
            .peekable();
        match targets.next() {
            Some(Some(t)) if targets.peek().is_none() => {
                let t = &c.tables[t];
                if let Some(col) = t.column(col) {
                    uses.definite.push((t.key, col));
                }
            }
            Some(first) => {
                for t in std::iter::once(first).chain(targets).flatten() {
                    let t = &c.tables[t];
                    if let Some(col) = t.column(col) {
                        uses.maybe.push((t.key, col));
                    }
                }
            }
            // Not a FROM name: a schema-qualified table, a composite field, a variable.
            None => {
                for t in &c.tables {
                    if let Some(col) = t.column(col) {
                        uses.maybe.push((t.key, col));
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
        let col = col.of(text);
        let mut owners = c
            .tables
            .iter()
            .filter_map(|t| Some((t.key, t.column(col)?)))
            .peekable();
        let Some(first) = owners.next() else {
            continue;
        };
        let sure = plain && owners.peek().is_none() && !c.aliases.iter().any(|a| a.of(text) == col);
        if sure {
            uses.definite.push(first);
        } else {
            uses.maybe.push(first);
            uses.maybe.extend(owners);
        }
    }
    let ColumnUse {
        mut definite,
        mut maybe,
    } = uses;
    definite.sort_unstable();
    definite.dedup();
    maybe.sort_unstable();
    maybe.dedup();
    maybe.retain(|u| definite.binary_search(u).is_err());
    let Collector {
        text,
        mut names,
        mut qualified,
        mut bare,
        mut aliases,
        functions,
        relations,
        cte_names,
        ..
    } = c;
    names.clear();
    qualified.clear();
    bare.clear();
    aliases.clear();
    let names = QueryNames(Buffers {
        text,
        names,
        qualified,
        bare,
        aliases,
        functions,
        relations,
        cte_names,
    });
    (names, ColumnUse { definite, maybe })
}

/// The buffers of a walk that borrow nothing (the names met and the spans into them),
/// kept per thread between walks so that their room is reused (a query is walked for
/// every view created): a walk takes them, the [`QueryNames`] it returns gives them back
/// when dropped.
#[derive(Debug, Clone, Default)]
struct Buffers {
    text: String,
    names: Vec<(Span, Option<usize>)>,
    qualified: Vec<(Span, Span)>,
    bare: Vec<Span>,
    aliases: Vec<Span>,
    functions: Vec<Span>,
    relations: Vec<Span>,
    cte_names: Vec<Span>,
}

thread_local! {
    /// The buffers the last walk gave back, emptied.
    static SPARE: std::cell::Cell<Buffers> = const {
        std::cell::Cell::new(Buffers {
            text: String::new(),
            names: Vec::new(),
            qualified: Vec::new(),
            bare: Vec::new(),
            aliases: Vec::new(),
            functions: Vec::new(),
            relations: Vec::new(),
            cte_names: Vec::new(),
        })
    };
}

impl Buffers {
    /// The spare buffers (empty), or new ones.
    fn take() -> Buffers {
        SPARE.with(std::cell::Cell::take)
    }
}

/// The names a view's query mentions, gathered in one walk of it (canonical names, in
/// one buffer).
#[derive(Debug, Clone, Default)]
pub struct QueryNames(Buffers);

impl QueryNames {
    /// The functions it calls (canonical names as written, qualified or not), in order.
    pub fn functions(&self) -> impl Iterator<Item = &str> {
        self.0.functions.iter().map(|s| s.of(&self.0.text))
    }

    /// The relations it reads (canonical names), in order, CTEs included.
    pub fn relations(&self) -> impl Iterator<Item = &str> {
        self.0.relations.iter().map(|s| s.of(&self.0.text))
    }

    /// The names of its CTEs, nested ones included, each once.
    pub fn ctes(&self) -> impl Iterator<Item = &str> {
        self.0.cte_names.iter().map(|s| s.of(&self.0.text))
    }
}

impl Drop for QueryNames {
    /// Gives the buffers back, emptied, for the next walk.
    fn drop(&mut self) {
        let mut spare = std::mem::take(&mut self.0);
        spare.text.clear();
        spare.functions.clear();
        spare.relations.clear();
        spare.cte_names.clear();
        SPARE.with(|s| s.set(spare));
    }
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

    const TABLES: [(&str, &[&str]); 2] = [("users", &["id", "name"]), ("posts", &["uid", "title"])];

    fn tables(
        t: &str,
    ) -> Option<(
        &'static str,
        std::iter::Copied<std::slice::Iter<'static, &'static str>>,
    )> {
        let (key, columns) = TABLES.iter().find(|(key, _)| *key == t)?;
        Some((*key, columns.iter().copied()))
    }

    type Seen = (
        Vec<(String, Option<&'static str>)>,
        Vec<&'static str>,
        bool,
        Vec<(String, String)>,
        Vec<String>,
        Vec<String>,
        ColumnUse<'static>,
        [Vec<String>; 3],
    );

    /// What a collector gathered, its spans read.
    fn seen<T, I>(c: &Collector<'_, 'static, T, I>) -> Seen
    where
        T: Fn(&str) -> Option<(&'static str, I)>,
        I: Iterator<Item = &'static str> + Clone,
    {
        let s = |span: &Span| span.of(&c.text).to_string();
        let all = |v: &[Span]| v.iter().map(s).collect::<Vec<_>>();
        (
            c.names
                .iter()
                .map(|(n, t)| (s(n), t.map(|t| c.tables[t].key)))
                .collect(),
            c.tables.iter().map(|t| t.key).collect(),
            c.others,
            c.qualified.iter().map(|(q, col)| (s(q), s(col))).collect(),
            all(&c.bare),
            all(&c.aliases),
            c.uses.clone(),
            [all(&c.functions), all(&c.relations), all(&c.cte_names)],
        )
    }

    /// The walk makes the calls sqlparser's visitor makes, in the same order, on the shapes
    /// it follows itself and on those it hands over.
    #[test]
    fn the_walk_calls_what_the_visitor_calls() {
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
            let mut walked = Collector::new(Dialect::Postgres, &tables, &[]);
            walked.walk_query(q);
            let mut visited = Collector::new(Dialect::Postgres, &tables, &[]);
            let _ = q.visit(&mut visited);
            assert_eq!(seen(&walked), seen(&visited), "{sql}");
        }
    }

    fn reads(sql: &str) -> (QueryNames, ColumnUse<'static>) {
        let Statement::Query(q) = &Parser::parse_sql(&PostgreSqlDialect {}, sql).unwrap()[0] else {
            panic!("{sql} is a query");
        };
        view_reads(Dialect::Postgres, q, tables)
    }

    #[test]
    fn definite_and_maybe_reads() {
        // One alias per table: definite; a bare name in a join: maybe when both have it.
        let (names, uses) = reads(
            "SELECT u.name, title, id FROM users u JOIN posts p ON p.uid = u.id WHERE Name = 'x'",
        );
        assert_eq!(names.relations().collect::<Vec<_>>(), ["users", "posts"]);
        assert_eq!(
            uses.definite,
            [
                ("posts", "title"),
                ("posts", "uid"),
                ("users", "id"),
                ("users", "name")
            ]
        );
        assert!(uses.maybe.is_empty());
        // An alias used for two tables, USING and NATURAL joins: maybe, and only columns
        // the tables have.
        let (_, uses) = reads("SELECT x.id FROM users x, posts x");
        assert_eq!(uses.definite, []);
        assert_eq!(uses.maybe, [("users", "id")]);
        let (_, uses) = reads("SELECT 1 FROM users JOIN posts USING (uid)");
        assert_eq!(uses.maybe, [("posts", "uid")]);
        let (_, uses) = reads("SELECT 1 FROM users NATURAL JOIN posts");
        assert_eq!(
            uses.maybe,
            [
                ("posts", "title"),
                ("posts", "uid"),
                ("users", "id"),
                ("users", "name")
            ]
        );
        // An output name, a CTE, a quoted name folded differently.
        let (_, uses) = reads("SELECT name AS id FROM users ORDER BY id");
        assert_eq!(uses.definite, [("users", "name")]);
        assert_eq!(uses.maybe, [("users", "id")]);
        let (names, uses) = reads("WITH users AS (SELECT 1 AS id) SELECT id FROM users");
        assert_eq!(names.ctes().collect::<Vec<_>>(), ["users"]);
        assert_eq!(uses, ColumnUse::default());
        let (_, uses) = reads(r#"SELECT "Name", NAME FROM users"#);
        assert_eq!(uses.definite, [("users", "name")]);
        // Functions, as written.
        let (names, _) = reads("SELECT Public.Twice(id), now() FROM users");
        assert_eq!(names.functions().collect::<Vec<_>>(), ["twice", "now"]);
    }
}
