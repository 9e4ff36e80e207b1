//! PostgreSQL's `search_path`: which schema an unqualified name means. The one owner of
//! that rule; every name the replay turns into a key goes through
//! [`Replayer::create_key`] or [`Replayer::lookup_key`].
//!
//! - Settings followed: `SET [SESSION | LOCAL] search_path {TO | =} ...` (identifiers fold,
//!   string literals are taken as written), `SELECT [pg_catalog.]set_config('search_path',
//!   'a, b', is_local)` (the list parsed as PostgreSQL parses it: unquoted names fold),
//!   `RESET search_path`, `RESET ALL` and `SET search_path TO DEFAULT`.
//! - Scope. sqlx, diesel and refinery run a whole history on one connection, each file in
//!   its own transaction (sqlx and diesel send the file's text as one simple query): a
//!   session setting holds for the rest of the history, `SET LOCAL` (and `set_config(...,
//!   true)`) until the end of its file, or an earlier `COMMIT` / `ROLLBACK` in the file.
//!   A history deployed over time runs later files in new sessions, where the default path
//!   is back; the replay follows the fresh database, which is what tests and CI build.
//! - An unqualified name created goes to the first schema of the path that exists; one
//!   looked up is the first schema's of the path that has it. `pg_catalog` (searched first,
//!   but holding no modelled object) and `pg_temp` (temporary tables are not modelled, see
//!   [`super::unmodelled`]) are left aside, and so is `$user`: a schema named after the role
//!   that runs the migrations is assumed absent.
//! - The schemas that exist: `public`, those `CREATE SCHEMA` made (and no `DROP SCHEMA`
//!   removed since), and any holding a modelled object. When no schema of the path exists
//!   the server refused the creation; the history ran, so the first schema the path names
//!   (else `public`) is taken.
//!
//! Keys are as [`super::ident::object_name`] makes them: bare in `public`, `schema.name`
//! elsewhere.

use super::maps::HashSet;

use sqlparser::ast::{
    ContextModifier, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Ident, ObjectName,
    ObjectNamePart, Reset, SelectItem, Set, SetExpr, Statement as Ast, Value,
};

use super::ident::{fold, object_name};
use super::{Ctx, Replayer};
use crate::dialect::Dialect;
use crate::model::{Location, Schema};

/// The path in force and the schemas known to exist.
#[derive(Debug, Clone, Default)]
pub(crate) struct SearchPath {
    /// The session's path (`None`: the default, `"$user", public`).
    session: Option<Vec<String>>,
    /// `SET LOCAL`'s path and the file it ends with.
    local: Option<(Vec<String>, std::sync::Arc<str>)>,
    /// Schemas `CREATE SCHEMA` made (and no `DROP SCHEMA` removed since).
    created: HashSet<String>,
}

/// What an unqualified name is looked up among.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Among {
    /// Relations: tables, views, indexes, sequences, composite types.
    Relations,
    /// Types: enums, domains, composite types, and the row types of tables and views.
    Types,
}

/// A `search_path` change a statement makes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Change {
    /// `SET` / `set_config`: the path (`None`: back to the default) and whether only for
    /// the transaction.
    Set {
        path: Option<Vec<String>>,
        local: bool,
    },
    /// `RESET`: the default, also over a `SET LOCAL`.
    Reset,
}

impl SearchPath {
    /// The schemas of the path in force that can hold modelled objects, in order; `None`
    /// when that is `public` alone (or nothing), where every name is as written.
    fn schemas(&self) -> Option<&[String]> {
        let path = match (&self.local, &self.session) {
            (Some((p, _)), _) | (None, Some(p)) => p,
            (None, None) => return None,
        };
        path.iter()
            .any(|s| !matches!(s.as_str(), "public" | "$user" | "pg_catalog" | "pg_temp"))
            .then_some(path.as_slice())
    }

    /// `file` is being replayed: a `SET LOCAL` of an earlier file has ended.
    pub(crate) fn enter(&mut self, file: &str) {
        if self.local.as_ref().is_some_and(|(_, f)| **f != *file) {
            self.local = None;
        }
    }

    /// The transaction ended (`COMMIT`, `ROLLBACK`): `SET LOCAL` ends with it.
    pub(crate) fn end_transaction(&mut self) {
        self.local = None;
    }

    /// `CREATE SCHEMA name`.
    pub(crate) fn schema_created(&mut self, name: &str) {
        self.created.insert(name.to_string());
    }

    /// `DROP SCHEMA name`.
    pub(crate) fn schema_dropped(&mut self, name: &str) {
        self.created.remove(name);
    }

    fn apply(&mut self, change: Change, at: &Location) {
        match change {
            Change::Set { path, local: true } => {
                // `SET LOCAL ... TO DEFAULT` is the session's value for the transaction.
                let path = path.or_else(|| self.session.clone()).unwrap_or_default();
                self.local = Some((path, at.file.clone()));
            }
            Change::Set { path, local: false } => {
                self.session = path;
                self.local = None;
            }
            Change::Reset => {
                self.session = None;
                self.local = None;
            }
        }
    }
}

impl SearchPath {
    /// The unqualified name of `name` and the schemas to try, when the path decides.
    fn unqualified(&self, dialect: Dialect, name: &ObjectName) -> Option<(String, Vec<&str>)> {
        if dialect != Dialect::Postgres {
            return None;
        }
        let schemas = self.schemas()?;
        let [ObjectNamePart::Identifier(i)] = name.0.as_slice() else {
            return None;
        };
        let usable = schemas
            .iter()
            .map(String::as_str)
            .filter(|s| !matches!(*s, "$user" | "pg_catalog" | "pg_temp"))
            .collect();
        Some((fold(dialect, i), usable))
    }

    /// Whether the schema `name` exists in `schema` (see the module docs).
    fn schema_exists(&self, schema: &Schema, name: &str) -> bool {
        if name == "public" || self.created.contains(name) {
            return true;
        }
        let prefix = format!("{name}.");
        let holds = |k: &String| k.starts_with(&prefix);
        schema.tables.keys().any(holds)
            || schema.views.keys().any(holds)
            || schema.enums.keys().any(holds)
            || schema.domains.keys().any(holds)
            || schema.composite_types.keys().any(holds)
            || schema.sequences.keys().any(holds)
    }

    /// What `current_schema()` returns on `schema`: the first schema of the path that
    /// exists (`pg_catalog` always does); `None` when none does (the server's `NULL`).
    pub(crate) fn current_schema(&self, schema: &Schema) -> Option<String> {
        let path = match (&self.local, &self.session) {
            (Some((p, _)), _) | (None, Some(p)) => p,
            (None, None) => return Some("public".to_string()),
        };
        path.iter()
            .filter(|s| !matches!(s.as_str(), "$user" | "pg_temp"))
            .find(|s| s.as_str() == "pg_catalog" || self.schema_exists(schema, s))
            .cloned()
    }

    /// The key of an object `name` creates in `schema`: in the first schema of the path
    /// that exists.
    pub(crate) fn create_key(
        &self,
        schema: &Schema,
        dialect: Dialect,
        name: &ObjectName,
    ) -> String {
        let Some((bare, schemas)) = self.unqualified(dialect, name) else {
            return object_name(dialect, name);
        };
        let home = schemas
            .iter()
            .find(|s| self.schema_exists(schema, s))
            .or(schemas.first())
            .copied()
            .unwrap_or("public");
        key_in(home, &bare)
    }

    /// The key of the object of `among` that `name` refers to in `schema`: in the first
    /// schema of the path that has one (else where it would be created: the caller reports
    /// it missing).
    pub(crate) fn lookup_key(
        &self,
        schema: &Schema,
        dialect: Dialect,
        name: &ObjectName,
        among: Among,
    ) -> String {
        let Some((bare, schemas)) = self.unqualified(dialect, name) else {
            return object_name(dialect, name);
        };
        schemas
            .iter()
            .map(|s| key_in(s, &bare))
            .find(|k| has(schema, among, k))
            .unwrap_or_else(|| self.create_key(schema, dialect, name))
    }
}

/// Whether an object of `among` has the key `key` in `schema`.
fn has(schema: &Schema, among: Among, key: &str) -> bool {
    let s = schema;
    match among {
        Among::Relations => {
            s.tables.contains_key(key)
                || s.views.contains_key(key)
                || s.indexes.contains_key(key)
                || s.sequences.contains_key(key)
                || s.composite_types.contains_key(key)
        }
        Among::Types => {
            s.enums.contains_key(key)
                || s.domains.contains_key(key)
                || s.composite_types.contains_key(key)
                || s.tables.contains_key(key)
                || s.views.contains_key(key)
        }
    }
}

/// The names of the CTEs anywhere in `query`.
fn collect_ctes(query: &sqlparser::ast::Query, out: &mut HashSet<String>) {
    struct Ctes<'a>(&'a mut HashSet<String>);
    impl sqlparser::ast::Visitor for Ctes<'_> {
        type Break = ();
        fn pre_visit_query(&mut self, q: &sqlparser::ast::Query) -> std::ops::ControlFlow<()> {
            if let Some(with) = &q.with {
                for cte in &with.cte_tables {
                    self.0.insert(fold(Dialect::Postgres, &cte.alias.name));
                }
            }
            std::ops::ControlFlow::Continue(())
        }
    }
    let _ = sqlparser::ast::Visit::visit(query, &mut Ctes(out));
}

/// The key of `name` in `schema` (bare in `public`).
fn key_in(schema: &str, name: &str) -> String {
    if schema == "public" {
        name.to_string()
    } else {
        format!("{schema}.{name}")
    }
}

/// The schemas of a path as written in `set_config`'s text (PostgreSQL's
/// `SplitIdentifierString`: comma-separated, unquoted names fold, `""` escapes `"`).
fn parse_path_text(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let mut name = String::new();
        if chars.next_if_eq(&'"').is_some() {
            while let Some(c) = chars.next() {
                if c == '"' && chars.next_if_eq(&'"').is_none() {
                    break;
                }
                name.push(c);
            }
        } else {
            while let Some(c) = chars.next_if(|c| *c != ',' && !c.is_whitespace()) {
                name.push(c.to_ascii_lowercase());
            }
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if !name.is_empty() {
            out.push(name);
        }
        if chars.next().is_none() {
            return out;
        }
    }
}

/// The path `SET search_path TO values` gives (`None`: `DEFAULT`).
fn set_values(values: &[Expr]) -> Option<Vec<String>> {
    let mut path = Vec::new();
    for v in values {
        match v {
            Expr::Identifier(i)
                if i.quote_style.is_none() && i.value.eq_ignore_ascii_case("default") =>
            {
                return None;
            }
            Expr::Identifier(i) => path.push(fold(Dialect::Postgres, i)),
            Expr::Value(v) => match &v.value {
                Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => path.push(s.clone()),
                other => path.push(other.to_string()),
            },
            other => path.push(other.to_string().to_ascii_lowercase()),
        }
    }
    Some(path)
}

/// Whether `name` is `search_path` (any case, possibly quoted as written).
fn is_search_path(name: &str) -> bool {
    name.eq_ignore_ascii_case("search_path")
}

/// A string literal argument.
fn string_arg(arg: &FunctionArg) -> Option<&str> {
    let FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Value(v))) = arg else {
        return None;
    };
    match &v.value {
        Value::SingleQuotedString(s) => Some(s),
        _ => None,
    }
}

/// The `search_path` change `ast` makes, if any.
fn change(ast: &Ast) -> Option<Change> {
    match ast {
        Ast::Set(Set::SingleAssignment {
            scope,
            variable,
            values,
            ..
        }) if is_search_path(&object_name(Dialect::Postgres, variable)) => Some(Change::Set {
            path: set_values(values),
            local: matches!(scope, Some(ContextModifier::Local)),
        }),
        Ast::Reset(r) => match &r.reset {
            Reset::ALL => Some(Change::Reset),
            Reset::ConfigurationParameter(name)
                if is_search_path(&object_name(Dialect::Postgres, name)) =>
            {
                Some(Change::Reset)
            }
            _ => None,
        },
        Ast::Query(q) => {
            let SetExpr::Select(select) = q.body.as_ref() else {
                return None;
            };
            select.projection.iter().find_map(|item| {
                let (SelectItem::UnnamedExpr(Expr::Function(f))
                | SelectItem::ExprWithAlias {
                    expr: Expr::Function(f),
                    ..
                }) = item
                else {
                    return None;
                };
                let last = f.name.0.last().and_then(ObjectNamePart::as_ident)?;
                if !last.value.eq_ignore_ascii_case("set_config") {
                    return None;
                }
                let FunctionArguments::List(list) = &f.args else {
                    return None;
                };
                let [name, value, local] = list.args.as_slice() else {
                    return None;
                };
                if !is_search_path(string_arg(name)?) {
                    return None;
                }
                let local = match local {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Value(v))) => {
                        matches!(v.value, Value::Boolean(true))
                    }
                    _ => false,
                };
                Some(Change::Set {
                    path: Some(parse_path_text(string_arg(value)?)),
                    local,
                })
            })
        }
        _ => None,
    }
}

impl Replayer {
    /// Follows what `ast` does to `search_path` and the set of schemas (PostgreSQL);
    /// whether it was such a statement (then recorded as skipped: it changes no table).
    pub(crate) fn follow_search_path(&mut self, ctx: &Ctx<'_>, ast: &Ast) -> bool {
        if self.dialect != Dialect::Postgres {
            return false;
        }
        match ast {
            Ast::Commit { .. } | Ast::Rollback { .. } => {
                self.search_path.end_transaction();
                false
            }
            Ast::CreateSchema { schema_name, .. } => {
                use sqlparser::ast::SchemaName as S;
                let name = match schema_name {
                    S::Simple(n) | S::NamedAuthorization(n, _) => object_name(self.dialect, n),
                    S::UnnamedAuthorization(role) => fold(self.dialect, role),
                };
                self.search_path.schema_created(&name);
                false
            }
            _ => match change(ast) {
                Some(c) => {
                    self.search_path.apply(c, ctx.at());
                    self.skip(
                        ctx,
                        "a search_path setting: later unqualified names resolve by it".to_string(),
                    );
                    true
                }
                None => false,
            },
        }
    }

    /// The key of an object `name` creates: in the first schema of the path that exists.
    pub(crate) fn create_key(&self, name: &ObjectName) -> String {
        self.search_path
            .create_key(&self.schema, self.dialect, name)
    }

    /// The key of the object `name` refers to, among `among` (see
    /// [`SearchPath::lookup_key`]).
    pub(crate) fn lookup_key(&self, name: &ObjectName, among: Among) -> String {
        self.search_path
            .lookup_key(&self.schema, self.dialect, name, among)
    }

    /// `ast` with the tables and views its query reads (`CREATE VIEW ... AS`, `CREATE
    /// TABLE ... AS`) named by their keys, when the path resolves one of them elsewhere
    /// than as written; `None` when nothing changes. The query's analyses
    /// ([`super::view_columns`], [`super::query_types`]) then read names as written.
    pub(crate) fn qualify_query(&self, ast: &Ast) -> Option<Ast> {
        self.search_path.schemas()?;
        let mut out = ast.clone();
        let query = match &mut out {
            Ast::CreateView(cv) => &mut cv.query,
            Ast::CreateTable(ct) => ct.query.as_mut()?,
            _ => return None,
        };
        let mut ctes = HashSet::default();
        collect_ctes(query, &mut ctes);
        let mut changed = false;
        let _ = sqlparser::ast::visit_relations_mut(&mut **query, |name| {
            if let Some(key) = self.existing_key(name, Among::Relations, &ctes)
                && key != object_name(self.dialect, name)
            {
                *name = ObjectName::from(
                    key.split('.')
                        .map(|p| Ident::with_quote('"', p))
                        .collect::<Vec<_>>(),
                );
                changed = true;
            }
            std::ops::ControlFlow::<()>::Continue(())
        });
        changed.then_some(out)
    }

    /// The key of an existing object of `among` that the unqualified `name` resolves to by
    /// the path (`None`: qualified, a CTE's name, or nothing of that name on the path).
    fn existing_key(
        &self,
        name: &ObjectName,
        among: Among,
        ctes: &HashSet<String>,
    ) -> Option<String> {
        let (bare, schemas) = self.search_path.unqualified(self.dialect, name)?;
        if ctes.contains(&bare) {
            return None;
        }
        schemas
            .iter()
            .map(|s| key_in(s, &bare))
            .find(|k| has(&self.schema, among, k))
    }

    /// [`crate::canonical::canonical_type`] of `data_type` in this replay: a user-defined
    /// type's unqualified name resolves by the path.
    pub(crate) fn canonical(
        &self,
        data_type: &sqlparser::ast::DataType,
    ) -> Result<crate::canonical::Canonical, String> {
        let resolved = self.resolve_type(data_type);
        let data_type = resolved.as_ref().unwrap_or(data_type);
        if self.dialect == crate::Dialect::Mysql
            && super::ctas_mysql::explicit_display_width(data_type)
        {
            self.mysql_display_widths.set(true);
        }
        crate::canonical::canonical_type(self.dialect, data_type, &self.schema)
    }

    /// `data_type` with a user-defined type's unqualified name resolved by the path;
    /// `None` when it is as written: qualified, or no schema of the path has a type of
    /// that name (a built-in sqlparser does not know, `serial`, `inet`, or a missing one).
    fn resolve_type(
        &self,
        data_type: &sqlparser::ast::DataType,
    ) -> Option<sqlparser::ast::DataType> {
        use sqlparser::ast::DataType as D;
        self.search_path.schemas()?;
        match data_type {
            D::Custom(name, modifiers) => {
                let key = self.existing_key(name, Among::Types, &HashSet::default())?;
                let parts: Vec<Ident> = key.split('.').map(|p| Ident::with_quote('"', p)).collect();
                Some(D::Custom(ObjectName::from(parts), modifiers.clone()))
            }
            D::Array(sqlparser::ast::ArrayElemTypeDef::SquareBracket(inner, size)) => {
                let inner = self.resolve_type(inner)?;
                Some(D::Array(sqlparser::ast::ArrayElemTypeDef::SquareBracket(
                    Box::new(inner),
                    *size,
                )))
            }
            D::Array(sqlparser::ast::ArrayElemTypeDef::AngleBracket(inner)) => {
                let inner = self.resolve_type(inner)?;
                Some(D::Array(sqlparser::ast::ArrayElemTypeDef::AngleBracket(
                    Box::new(inner),
                )))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_config_text_parses_like_postgres() {
        assert_eq!(parse_path_text("App, public"), ["app", "public"]);
        assert_eq!(parse_path_text("\"My \"\"S\"\"\",x"), ["My \"S\"", "x"]);
        assert_eq!(parse_path_text(""), Vec::<String>::new());
        assert_eq!(
            parse_path_text("  \"$user\" , public "),
            ["$user", "public"]
        );
    }
}
