//! PostgreSQL typed tables and the composite types behind them, in the forms sqlparser
//! 0.63 does not parse:
//!
//! - `CREATE TABLE t OF type [(col [WITH OPTIONS] options..., table constraints...)]`:
//!   the columns are the composite type's attributes, in order, each with the options
//!   given for it (PostgreSQL refuses a column the type does not have, or one given twice);
//!   the statement is read as the `CREATE TABLE t (col type options, ...)` it means;
//! - `ALTER TABLE t OF type` / `ALTER TABLE t NOT OF`: the table becomes (or stops being)
//!   a typed table;
//! - `ALTER TYPE type ADD | DROP | ALTER ATTRIBUTE ...` and `RENAME ATTRIBUTE a TO b`: the
//!   type's attributes change, and with `CASCADE` so do its typed tables' columns (without
//!   it PostgreSQL refuses to alter a type that has typed tables).

use sqlparser::ast::{AlterColumnOperation, DataType, Ident, ObjectName, Statement as Ast};
use sqlparser::dialect::Dialect as ParserDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Span, Token, Tokenizer};

use super::ident::fold;
use super::search_path::Among;
use super::{Ctx, Replayer};
use crate::model::{CompositeAttribute, CompositeType};

/// A statement's tokens (white space and comments included) and the positions of its
/// significant ones.
struct Toks {
    tokens: Vec<Token>,
    sig: Vec<usize>,
}

impl Toks {
    fn of(grammar: &dyn ParserDialect, text: &str) -> Option<Toks> {
        let tokens = Tokenizer::new(grammar, text).tokenize().ok()?;
        let sig = tokens
            .iter()
            .enumerate()
            .filter(|(_, t)| !matches!(t, Token::Whitespace(_) | Token::SemiColon))
            .map(|(i, _)| i)
            .collect();
        Some(Toks { tokens, sig })
    }

    /// Significant token `n`.
    fn get(&self, n: usize) -> Option<&Token> {
        self.sig.get(n).map(|&i| &self.tokens[i])
    }

    /// Whether significant token `n` is the unquoted word `w`, in any case.
    fn is(&self, n: usize, w: &str) -> bool {
        matches!(self.get(n), Some(Token::Word(x)) if x.quote_style.is_none() && x.value.eq_ignore_ascii_case(w))
    }

    /// The identifier significant token `n` spells, if it is a word.
    fn ident(&self, n: usize) -> Option<Ident> {
        let Some(Token::Word(w)) = self.get(n) else {
            return None;
        };
        Some(Ident {
            value: w.value.clone(),
            quote_style: w.quote_style,
            span: Span::empty(),
        })
    }

    /// The dotted name starting at significant token `n`, and the position after it.
    fn name_at(&self, mut n: usize) -> Option<(ObjectName, usize)> {
        let mut parts = Vec::new();
        while let Some(ident) = self.ident(n) {
            parts.push(ident);
            n += 1;
            if self.get(n) == Some(&Token::Period) {
                n += 1;
            } else {
                break;
            }
        }
        (!parts.is_empty()).then(|| (ObjectName::from(parts), n))
    }

    /// The text of significant tokens `from..to` (with the white space between them).
    fn text(&self, from: usize, to: usize) -> String {
        if from >= to {
            return String::new();
        }
        self.tokens[self.sig[from]..=self.sig[to - 1]]
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    /// The text of every token from significant token `from` to the end.
    fn rest(&self, from: usize) -> String {
        match self.sig.get(from) {
            Some(&i) => self.tokens[i..].iter().map(ToString::to_string).collect(),
            None => String::new(),
        }
    }

    /// The ranges of significant tokens between `from` and `to` separated by commas
    /// outside parentheses.
    fn split_commas(&self, from: usize, to: usize) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let (mut depth, mut start) = (0usize, from);
        for n in from..to {
            match self.get(n) {
                Some(Token::LParen | Token::LBracket) => depth += 1,
                Some(Token::RParen | Token::RBracket) => depth = depth.saturating_sub(1),
                Some(Token::Comma) if depth == 0 => {
                    out.push((start, n));
                    start = n + 1;
                }
                _ => {}
            }
        }
        if start < to {
            out.push((start, to));
        }
        out
    }

    /// The position of the parenthesis closing the one at `open`.
    fn closing(&self, open: usize) -> Option<usize> {
        let mut depth = 0usize;
        for n in open..self.sig.len() {
            match self.get(n) {
                Some(Token::LParen) => depth += 1,
                Some(Token::RParen) => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(n);
                    }
                }
                _ => {}
            }
        }
        None
    }
}

/// `CREATE ... TABLE name OF type [(elements)] rest`, read.
struct CreateOf {
    /// `CREATE ... TABLE [IF NOT EXISTS] name `, as written.
    head: String,
    /// The composite type, as written.
    type_name: ObjectName,
    /// Column elements: the column, and its options as written (without `WITH OPTIONS`).
    columns: Vec<(Ident, String)>,
    /// Table constraints, as written.
    constraints: Vec<String>,
    /// What follows the elements (`PARTITION BY`, `WITH (...)`, `TABLESPACE`), as written.
    rest: String,
}

/// The words that start a table constraint in PostgreSQL's grammar (`TableConstraint`).
const CONSTRAINT_WORDS: &[&str] = &[
    "CONSTRAINT",
    "CHECK",
    "UNIQUE",
    "PRIMARY",
    "EXCLUDE",
    "FOREIGN",
];

fn read_create_of(t: &Toks) -> Option<CreateOf> {
    if !t.is(0, "CREATE") {
        return None;
    }
    let mut n = 1;
    while ["GLOBAL", "LOCAL", "TEMP", "TEMPORARY", "UNLOGGED"]
        .iter()
        .any(|w| t.is(n, w))
    {
        n += 1;
    }
    if !t.is(n, "TABLE") {
        return None;
    }
    n += 1;
    if t.is(n, "IF") && t.is(n + 1, "NOT") && t.is(n + 2, "EXISTS") {
        n += 3;
    }
    let (_, of) = t.name_at(n)?;
    if !t.is(of, "OF") {
        return None;
    }
    let (type_name, mut n) = t.name_at(of + 1)?;
    let head = t.rest(0);
    let head = head[..head.len() - t.rest(of).len()].to_string();
    let (mut columns, mut constraints) = (Vec::new(), Vec::new());
    if t.get(n) == Some(&Token::LParen) {
        let close = t.closing(n)?;
        for (a, b) in t.split_commas(n + 1, close) {
            if matches!(t.get(a), Some(Token::Word(w)) if w.quote_style.is_none())
                && CONSTRAINT_WORDS.iter().any(|w| t.is(a, w))
            {
                constraints.push(t.text(a, b));
                continue;
            }
            let column = t.ident(a)?;
            let options = if t.is(a + 1, "WITH") && t.is(a + 2, "OPTIONS") {
                a + 3
            } else {
                a + 1
            };
            columns.push((column, t.text(options, b)));
        }
        n = close + 1;
    }
    Some(CreateOf {
        head,
        type_name,
        columns,
        constraints,
        rest: t.rest(n),
    })
}

/// One action of `ALTER TYPE name ...` on a composite type's attributes.
enum AttributeAction {
    Add(Ident, DataType),
    Drop { name: Ident, if_exists: bool },
    Retype(Ident, DataType),
    Rename(Ident, Ident),
}

/// The data type spelled by significant tokens `from..to`.
fn data_type(grammar: &dyn ParserDialect, t: &Toks, from: usize, to: usize) -> Option<DataType> {
    let text = t.text(from, to);
    let mut parser = Parser::new(grammar).try_with_sql(&text).ok()?;
    let ty = parser.parse_data_type().ok()?;
    (parser.peek_token().token == Token::EOF).then_some(ty)
}

/// `ALTER TYPE name action [, ...]` on attributes: the type, and each action with whether
/// it cascades to typed tables.
fn read_alter_type(
    grammar: &dyn ParserDialect,
    t: &Toks,
) -> Option<(ObjectName, Vec<(AttributeAction, bool)>)> {
    if !(t.is(0, "ALTER") && t.is(1, "TYPE")) {
        return None;
    }
    let (name, n) = t.name_at(2)?;
    let mut actions = Vec::new();
    for (a, mut b) in t.split_commas(n, t.sig.len()) {
        let cascade = t.is(b - 1, "CASCADE");
        if cascade || t.is(b - 1, "RESTRICT") {
            b -= 1;
        }
        if !t.is(a + 1, "ATTRIBUTE") {
            return None;
        }
        // A type ends before its COLLATE clause.
        let type_end = |from: usize| (from..b).find(|&k| t.is(k, "COLLATE")).unwrap_or(b);
        let action = if t.is(a, "ADD") {
            let attr = t.ident(a + 2)?;
            AttributeAction::Add(attr, data_type(grammar, t, a + 3, type_end(a + 3))?)
        } else if t.is(a, "DROP") {
            let if_exists = t.is(a + 2, "IF") && t.is(a + 3, "EXISTS");
            let at = if if_exists { a + 4 } else { a + 2 };
            if at + 1 != b {
                return None;
            }
            AttributeAction::Drop {
                name: t.ident(at)?,
                if_exists,
            }
        } else if t.is(a, "ALTER") {
            let attr = t.ident(a + 2)?;
            let mut k = a + 3;
            if t.is(k, "SET") && t.is(k + 1, "DATA") {
                k += 2;
            }
            if !t.is(k, "TYPE") {
                return None;
            }
            AttributeAction::Retype(attr, data_type(grammar, t, k + 1, type_end(k + 1))?)
        } else if t.is(a, "RENAME") && t.is(a + 3, "TO") && a + 5 == b {
            AttributeAction::Rename(t.ident(a + 2)?, t.ident(a + 4)?)
        } else {
            return None;
        };
        actions.push((action, cascade));
    }
    (!actions.is_empty()).then_some((name, actions))
}

impl Replayer {
    /// Applies `ctx`'s statement when it is one of the forms this module reads (see its
    /// doc); `false` when it is not.
    pub(crate) fn typed_table_text(&mut self, ctx: &Ctx<'_>) -> bool {
        let head = super::skip::leading_words(&ctx.stmt.text, 2);
        if !matches!(
            head.as_str(),
            "CREATE TABLE"
                | "CREATE TEMP"
                | "CREATE TEMPORARY"
                | "CREATE UNLOGGED"
                | "CREATE GLOBAL"
                | "CREATE LOCAL"
                | "ALTER TABLE"
                | "ALTER TYPE"
        ) {
            return false;
        }
        let Some(t) = Toks::of(&*self.parser, &ctx.stmt.text) else {
            return false;
        };
        if let Some(form) = read_create_of(&t) {
            return self.create_typed_table(ctx, form);
        }
        if let Some((name, actions)) = read_alter_type(&*self.parser, &t) {
            self.alter_attributes(ctx, &name, actions);
            return true;
        }
        self.alter_table_of(ctx, &t)
    }

    /// `CREATE TABLE name OF type (...)`: read as the `CREATE TABLE` with the type's
    /// attributes as columns that it means.
    fn create_typed_table(&mut self, ctx: &Ctx<'_>, form: CreateOf) -> bool {
        let type_key = self.lookup_key(&form.type_name, Among::Types);
        let Some(ty) = self.composite_for(ctx, &type_key) else {
            return true;
        };
        let mut options: Vec<Option<String>> = vec![None; ty.attributes.len()];
        for (column, written) in form.columns {
            let name = fold(self.dialect, &column);
            let Some(i) = ty.attributes.iter().position(|a| a.name == name) else {
                self.errors.push(ctx.error(
                    format!("column `{name}` does not exist in type `{type_key}`"),
                    "a typed table's columns are its type's attributes: add the attribute \
                     with ALTER TYPE ... ADD ATTRIBUTE first, or fix the name",
                ));
                return true;
            };
            if options[i].replace(written).is_some() {
                self.errors.push(ctx.error(
                    format!("column `{name}` specified more than once"),
                    "give all of the column's options in one element",
                ));
                return true;
            }
        }
        // The type's attributes, with a placeholder type each: the columns take the
        // attributes' own types once created.
        let elements: Vec<String> = ty
            .attributes
            .iter()
            .zip(options)
            .map(|(a, o)| {
                let quoted = Ident::with_quote('"', a.name.as_str());
                format!("{quoted} text {}", o.unwrap_or_default())
            })
            .chain(form.constraints)
            .collect();
        let text = format!("{}({}) {}", form.head, elements.join(", "), form.rest);
        let Ok(asts) = Parser::parse_sql(&*self.parser, &text) else {
            return false;
        };
        let [Ast::CreateTable(ct)] = asts.as_slice() else {
            return false;
        };
        let key = self.create_key(&ct.name);
        let existed = self.table_key(&key).is_some();
        self.apply_all(ctx, asts, super::compat::Fixup::None);
        if !existed && let Some(table) = self.schema.tables.get_mut(&key) {
            for (c, a) in table.columns.iter_mut().zip(&ty.attributes) {
                c.ty = a.ty.clone();
            }
            table.of_type = Some(type_key);
        }
        true
    }

    /// The composite type `key`; `None` after recording why it is not one (an error, or a
    /// warning when a skipped statement could have created it).
    fn composite_for(&mut self, ctx: &Ctx<'_>, key: &str) -> Option<CompositeType> {
        if let Some(ty) = self.schema.composite_types.get(key) {
            return Some(ty.clone());
        }
        if self.schema.enums.contains_key(key) || self.schema.domains.contains_key(key) {
            self.errors.push(ctx.error(
                format!("type `{key}` is not a composite type"),
                "name a type created with CREATE TYPE ... AS (attribute type, ...)",
            ));
            return None;
        }
        let error = ctx.error(
            format!("type `{key}` does not exist"),
            "create it with CREATE TYPE ... AS (attribute type, ...) in an earlier migration",
        );
        if let Err(e) = self.conflict(ctx, key, error) {
            self.errors.push(e);
        }
        None
    }

    /// `ALTER TABLE name OF type` / `ALTER TABLE name NOT OF`; `false` for other forms.
    fn alter_table_of(&mut self, ctx: &Ctx<'_>, t: &Toks) -> bool {
        if !(t.is(0, "ALTER") && t.is(1, "TABLE")) {
            return false;
        }
        let mut n = 2;
        let if_exists = t.is(n, "IF") && t.is(n + 1, "EXISTS");
        if if_exists {
            n += 2;
        }
        if t.is(n, "ONLY") {
            n += 1;
        }
        let Some((table, n)) = t.name_at(n) else {
            return false;
        };
        let type_name = if t.is(n, "NOT") && t.is(n + 1, "OF") && n + 2 == t.sig.len() {
            None
        } else if t.is(n, "OF") {
            match t.name_at(n + 1) {
                Some((ty, end)) if end == t.sig.len() => Some(ty),
                _ => return false,
            }
        } else {
            return false;
        };
        let name = self.lookup_key(&table, Among::Relations);
        let Some(key) = self.table_key(&name) else {
            if if_exists {
                self.skip(ctx, format!("table `{name}` does not exist (IF EXISTS)"));
                return true;
            }
            let error = self.missing_table(ctx, &name, "ALTER TABLE");
            if let Err(e) = self.conflict(ctx, &name, error) {
                self.errors.push(e);
            }
            return true;
        };
        let of_type = match type_name {
            Some(ty) => {
                let type_key = self.lookup_key(&ty, Among::Types);
                if self.composite_for(ctx, &type_key).is_none() {
                    return true;
                }
                Some(type_key)
            }
            None => None,
        };
        if let Some(table) = self.schema.tables.get_mut(&key) {
            table.of_type = of_type;
            table.provenance.touch(ctx.at());
        }
        true
    }

    /// `ALTER TYPE name` attribute actions: the composite type changes, and with
    /// `CASCADE` its typed tables' columns.
    fn alter_attributes(
        &mut self,
        ctx: &Ctx<'_>,
        name: &ObjectName,
        actions: Vec<(AttributeAction, bool)>,
    ) {
        let key = self.lookup_key(name, Among::Types);
        if self.composite_for(ctx, &key).is_none() {
            return;
        }
        for (action, cascade) in actions {
            if let Err(e) = self.alter_attribute(ctx, &key, action, cascade) {
                self.errors.push(e);
                return;
            }
        }
    }

    fn alter_attribute(
        &mut self,
        ctx: &Ctx<'_>,
        key: &str,
        action: AttributeAction,
        cascade: bool,
    ) -> super::Applied {
        let typed: Vec<String> = self
            .schema
            .tables
            .values()
            .filter(|t| t.of_type.as_deref() == Some(key))
            .map(|t| t.name.clone())
            .collect();
        if !typed.is_empty() && !cascade {
            return Err(ctx.error(
                format!(
                    "cannot alter type `{key}` because it is the type of a typed table ({})",
                    typed.join(", ")
                ),
                "use ALTER TYPE ... CASCADE to alter the typed tables too",
            ));
        }
        let dialect = self.dialect;
        let attributes: Vec<String> = self.schema.composite_types[key]
            .attributes
            .iter()
            .map(|a| a.name.clone())
            .collect();
        let position = |ident: &Ident| {
            let name = fold(dialect, ident);
            attributes.iter().position(|a| *a == name)
        };
        let missing = |ident: &Ident| {
            ctx.error(
                format!("type `{key}` has no attribute `{}`", fold(dialect, ident)),
                "check the attribute's name",
            )
        };
        match action {
            AttributeAction::Add(ident, data_type) => {
                let attr = fold(dialect, &ident);
                if position(&ident).is_some() {
                    return Err(ctx.error(
                        format!("type `{key}` already has an attribute `{attr}`"),
                        "choose another name",
                    ));
                }
                let ty = self.canonical(&data_type).map_err(|msg| {
                    ctx.error(
                        format!("attribute `{attr}` of type `{key}`: {msg}"),
                        "create the attribute's type in an earlier migration, or fix its name",
                    )
                })?;
                for table in &typed {
                    let spec =
                        self.column_spec(ctx, table, &ident, &data_type, std::iter::empty())?;
                    self.add_column(ctx, table, spec, false, None)?;
                }
                self.composite_mut(ctx, key)
                    .attributes
                    .push(CompositeAttribute {
                        name: attr,
                        ty: ty.ty,
                    });
            }
            AttributeAction::Drop { name, if_exists } => {
                let Some(i) = position(&name) else {
                    if if_exists {
                        self.skip(
                            ctx,
                            format!(
                                "type `{key}` has no attribute `{}` (IF EXISTS)",
                                fold(dialect, &name)
                            ),
                        );
                        return Ok(());
                    }
                    return Err(missing(&name));
                };
                let attr = fold(dialect, &name);
                for table in &typed {
                    self.drop_column(ctx, table, &attr, false, true)?;
                }
                self.composite_mut(ctx, key).attributes.remove(i);
            }
            AttributeAction::Retype(name, data_type) => {
                let Some(i) = position(&name) else {
                    return Err(missing(&name));
                };
                let attr = fold(dialect, &name);
                let ty = self.canonical(&data_type).map_err(|msg| {
                    ctx.error(
                        format!("attribute `{attr}` of type `{key}`: {msg}"),
                        "create the attribute's type in an earlier migration, or fix its name",
                    )
                })?;
                let op = AlterColumnOperation::SetDataType {
                    data_type,
                    using: None,
                    had_set: false,
                };
                for table in &typed {
                    self.alter_column(ctx, table, &attr, &op)?;
                }
                self.composite_mut(ctx, key).attributes[i].ty = ty.ty;
            }
            AttributeAction::Rename(from, to) => {
                let Some(i) = position(&from) else {
                    return Err(missing(&from));
                };
                let (old, new) = (fold(dialect, &from), fold(dialect, &to));
                if position(&to).is_some() {
                    return Err(ctx.error(
                        format!("type `{key}` already has an attribute `{new}`"),
                        "choose another name",
                    ));
                }
                for table in &typed {
                    self.rename_column(ctx, table, &old, &new)?;
                }
                self.composite_mut(ctx, key).attributes[i].name = new;
            }
        }
        Ok(())
    }

    /// The composite type `key` (which exists), marked changed at `ctx`.
    fn composite_mut(&mut self, ctx: &Ctx<'_>, key: &str) -> &mut CompositeType {
        let ty = self
            .schema
            .composite_types
            .get_mut(key)
            .expect("checked by the caller");
        ty.provenance.touch(ctx.at());
        ty
    }

    /// `ALTER TYPE old RENAME TO new` of a composite type: the type, the columns of it
    /// (or arrays of it) and its typed tables follow.
    pub(crate) fn rename_composite(
        &mut self,
        ctx: &Ctx<'_>,
        old: &str,
        new: &Ident,
    ) -> super::Applied {
        let bare = fold(self.dialect, new);
        let new = match old.rsplit_once('.') {
            Some((schema, _)) => format!("{schema}.{bare}"),
            None => bare,
        };
        if self.schema.composite_types.contains_key(&new)
            || self.schema.enums.contains_key(&new)
            || self.schema.domains.contains_key(&new)
        {
            return Err(ctx.error(
                format!("cannot rename type `{old}` to `{new}`: that type exists"),
                "choose another name",
            ));
        }
        let Some(mut ty) = self.schema.composite_types.remove(old) else {
            return Ok(());
        };
        ty.name.clone_from(&new);
        ty.provenance.touch(ctx.at());
        self.relation_index.note(&new);
        self.schema.composite_types.insert(new.clone(), ty);
        let array = format!("{old}[]");
        for t in self.schema.tables.values_mut() {
            if t.of_type.as_deref() == Some(old) {
                t.of_type = Some(new.clone());
            }
            for c in &mut t.columns {
                if c.ty.canonical == old {
                    c.ty.canonical.clone_from(&new);
                } else if c.ty.canonical == array {
                    c.ty.canonical = format!("{new}[]");
                }
            }
        }
        for ty in self.schema.composite_types.values_mut() {
            for a in &mut ty.attributes {
                if a.ty.canonical == old {
                    a.ty.canonical.clone_from(&new);
                } else if a.ty.canonical == array {
                    a.ty.canonical = format!("{new}[]");
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(sql: &str) -> Toks {
        Toks::of(&sqlparser::dialect::PostgreSqlDialect {}, sql).unwrap()
    }

    #[test]
    fn reads_create_of() {
        let t = toks(
            "CREATE TABLE IF NOT EXISTS s.t OF s.addr (zip WITH OPTIONS NOT NULL DEFAULT f(1, 2), \
             \"City\" PRIMARY KEY, CONSTRAINT c CHECK (zip > 0), UNIQUE (street)) \
             WITH (fillfactor = 70);",
        );
        let f = read_create_of(&t).unwrap();
        assert_eq!(f.head, "CREATE TABLE IF NOT EXISTS s.t ");
        assert_eq!(f.type_name.to_string(), "s.addr");
        let columns: Vec<_> = f.columns.iter().map(|(c, o)| format!("{c}: {o}")).collect();
        assert_eq!(
            columns,
            ["zip: NOT NULL DEFAULT f(1, 2)", "\"City\": PRIMARY KEY"]
        );
        assert_eq!(
            f.constraints,
            ["CONSTRAINT c CHECK (zip > 0)", "UNIQUE (street)"]
        );
        assert_eq!(f.rest, "WITH (fillfactor = 70);");

        let f = read_create_of(&toks("create table t of addr")).unwrap();
        assert!(f.columns.is_empty() && f.rest.is_empty());
        assert!(read_create_of(&toks("CREATE TABLE t (a int)")).is_none());
        assert!(read_create_of(&toks("CREATE TABLE p PARTITION OF t DEFAULT")).is_none());
    }

    #[test]
    fn reads_attribute_actions() {
        let d = sqlparser::dialect::PostgreSqlDialect {};
        let read = |sql: &str| read_alter_type(&d, &toks(sql));
        let (name, actions) = read(
            "ALTER TYPE addr ADD ATTRIBUTE n numeric(10, 2) COLLATE \"C\" CASCADE, \
             DROP ATTRIBUTE IF EXISTS zip, ALTER ATTRIBUTE city SET DATA TYPE text RESTRICT",
        )
        .unwrap();
        assert_eq!(name.to_string(), "addr");
        assert!(matches!(
            &actions[0],
            (AttributeAction::Add(n, DataType::Numeric(_)), true) if n.value == "n"
        ));
        assert!(matches!(
            &actions[1],
            (
                AttributeAction::Drop {
                    if_exists: true,
                    ..
                },
                false
            )
        ));
        assert!(matches!(&actions[2], (AttributeAction::Retype(..), false)));
        assert!(matches!(
            read("alter type a.b rename attribute x to y cascade")
                .unwrap()
                .1[0],
            (AttributeAction::Rename(..), true)
        ));
        assert!(read("ALTER TYPE mood ADD VALUE 'x'").is_none());
        assert!(read("ALTER TYPE addr OWNER TO admin").is_none());
    }
}

#[cfg(test)]
mod replay_tests {
    use crate::Dialect;
    use crate::replay::tests::{ok, one_error, table};

    const PG: Dialect = Dialect::Postgres;

    fn attributes(out: &crate::replay::ReplayOutput, ty: &str) -> Vec<String> {
        out.schema.composite_types[ty]
            .attributes
            .iter()
            .map(|a| format!("{} {}", a.name, a.ty))
            .collect()
    }

    #[test]
    fn typed_tables_follow_their_type() {
        // Each case checked against PostgreSQL 15.
        let out = ok(
            PG,
            "CREATE TYPE addr AS (street text, zip int);
             CREATE TABLE t OF addr (zip WITH OPTIONS NOT NULL, PRIMARY KEY (street));
             ALTER TYPE addr ADD ATTRIBUTE city varchar(9) CASCADE,
                 ALTER ATTRIBUTE zip TYPE bigint CASCADE;
             ALTER TYPE addr RENAME ATTRIBUTE street TO road CASCADE;
             ALTER TYPE addr RENAME TO address;
             CREATE TYPE loose AS (a int, b text);
             ALTER TYPE loose DROP ATTRIBUTE a, ADD ATTRIBUTE c date;",
        );
        let t = table(&out, "t");
        assert_eq!(t.of_type.as_deref(), Some("address"));
        let columns: Vec<_> = t
            .columns
            .iter()
            .map(|c| format!("{} {} {}", c.name, c.ty, c.nullable))
            .collect();
        assert_eq!(
            columns,
            [
                "road text false",
                "zip bigint false",
                "city character varying(9) true"
            ]
        );
        assert_eq!(t.primary_key, Some(vec!["road".to_string()]));
        assert_eq!(
            attributes(&out, "address"),
            ["road text", "zip bigint", "city character varying(9)"]
        );
        assert_eq!(attributes(&out, "loose"), ["b text", "c date"]);
        let out = ok(
            PG,
            "CREATE TYPE a AS (x int); CREATE TABLE t OF a; ALTER TABLE t NOT OF;",
        );
        assert_eq!(table(&out, "t").of_type, None);
    }

    #[test]
    fn refuses_what_postgres_refuses() {
        let e = one_error(
            PG,
            "CREATE TYPE a AS (x int); CREATE TABLE t OF a; ALTER TYPE a ADD ATTRIBUTE y int;",
        );
        assert!(e.message.contains("type of a typed table"), "{e}");
        let e = one_error(
            PG,
            "CREATE TYPE a AS (x int); CREATE TABLE t OF a (y NOT NULL);",
        );
        assert!(e.message.contains("column `y` does not exist"), "{e}");
        let e = one_error(
            PG,
            "CREATE TYPE a AS (x int); CREATE TABLE t OF a (x NOT NULL, x DEFAULT 1);",
        );
        assert!(e.message.contains("more than once"), "{e}");
        let e = one_error(PG, "CREATE TYPE m AS ENUM ('a'); CREATE TABLE t OF m;");
        assert!(e.message.contains("not a composite type"), "{e}");
        let e = one_error(
            PG,
            "CREATE TYPE a AS (x int); CREATE TABLE t OF a; DROP TYPE a;",
        );
        assert!(e.message.contains("typed table"), "{e}");
    }
}
