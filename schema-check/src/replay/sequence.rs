//! PostgreSQL sequences: the ones serial and identity columns own, `CREATE SEQUENCE`,
//! `ALTER SEQUENCE ... OWNED BY` (as `pg_dump` writes them) and `DROP SEQUENCE`.

use sqlparser::ast::ObjectName;

use super::ident::object_name;
use super::names::{PgNameSpace, pg_choose_known_name};
use super::{Applied, Ctx, Replayer};
use crate::model::{ColumnRef, Provenance, Sequence, Table};

/// `name` as PostgreSQL prints it inside `nextval('...')`: quoted unless it is a plain
/// lower-case identifier ([`super::ident::pg_quote_ident`]).
///
/// ```
/// use schema_check::replay::sequence::pg_quote;
/// assert_eq!(pg_quote("users_id_seq"), "users_id_seq");
/// assert_eq!(pg_quote("Users_id_seq"), "\"Users_id_seq\"");
/// ```
pub fn pg_quote(name: &str) -> String {
    super::ident::pg_quote_ident(name)
}

/// The default of a serial column over the sequence `key` (canonical, schema-qualified
/// outside `public`): `nextval('users_id_seq'::regclass)`, as PostgreSQL prints it.
pub(crate) fn nextval_default(key: &str) -> String {
    let shown = match key.split_once('.') {
        Some((schema, name)) => format!("{}.{}", pg_quote(schema), pg_quote(name)),
        None => pg_quote(key),
    };
    format!("nextval('{shown}'::regclass)")
}

impl Replayer {
    /// Creates the sequence the serial or identity column `column` of `table` owns, named
    /// as PostgreSQL names it (`<table>_<column>_seq`, suffixed when taken); returns its
    /// canonical name. `current` is the table while it is being built or changed.
    pub(crate) fn owned_sequence(
        &mut self,
        ctx: &Ctx<'_>,
        current: Option<&Table>,
        table: &str,
        column: &str,
    ) -> String {
        let name = pg_choose_known_name(
            &self.schema,
            &self.constraint_names,
            &self.relation_index,
            current,
            table,
            Some(column),
            "seq",
            PgNameSpace::Relations,
        );
        let key = match table.split_once('.') {
            Some((schema, _)) => format!("{schema}.{name}"),
            None => name,
        };
        self.relation_index.note_sequence(&key, Some(table));
        self.schema.sequences.insert(
            key.clone(),
            Sequence {
                name: key.clone(),
                owned_by: Some(ColumnRef {
                    table: table.to_string(),
                    column: column.to_string(),
                }),
                provenance: Provenance::new(ctx.at().clone()),
            },
        );
        key
    }

    /// `CREATE SEQUENCE [IF NOT EXISTS] name ... [OWNED BY t.c]`.
    pub(crate) fn create_sequence(
        &mut self,
        ctx: &Ctx<'_>,
        name: &ObjectName,
        if_not_exists: bool,
        temporary: bool,
        owned_by: Option<&ObjectName>,
    ) -> Applied {
        let key = self.create_key(name);
        if temporary {
            self.skip(
                ctx,
                format!("temporary sequence `{key}` does not outlive the migration"),
            );
            return Ok(());
        }
        if let Some(existing) = self.schema.sequences.get(&key) {
            if if_not_exists {
                self.skip(
                    ctx,
                    format!("sequence `{key}` already exists (IF NOT EXISTS)"),
                );
                return Ok(());
            }
            return Err(ctx.error(
                format!(
                    "sequence `{key}` already exists (created at {})",
                    existing.provenance.created
                ),
                "drop it first, or use CREATE SEQUENCE IF NOT EXISTS",
            ));
        }
        let owned_by = match owned_by {
            Some(o) => self.owner(ctx, o)?,
            None => None,
        };
        self.relation_index
            .note_sequence(&key, owned_by.as_ref().map(|o| o.table.as_str()));
        self.schema.sequences.insert(
            key.clone(),
            Sequence {
                name: key,
                owned_by,
                provenance: Provenance::new(ctx.at().clone()),
            },
        );
        Ok(())
    }

    /// The column an `OWNED BY table.column` names (`None` for `OWNED BY NONE`).
    fn owner(
        &self,
        ctx: &Ctx<'_>,
        target: &ObjectName,
    ) -> Result<Option<ColumnRef>, crate::Diagnostic> {
        let mut parts = target.0.clone();
        if parts.len() == 1 && parts[0].to_string().eq_ignore_ascii_case("none") {
            return Ok(None);
        }
        let Some(column) = parts.pop() else {
            return Ok(None);
        };
        let column = match column {
            sqlparser::ast::ObjectNamePart::Identifier(i) => super::ident::fold(self.dialect, &i),
            other => other.to_string(),
        };
        let table = self.lookup_key(&ObjectName(parts), super::search_path::Among::Relations);
        let Some(key) = self.table_key(&table) else {
            return Err(self.missing_table(ctx, &table, "OWNED BY"));
        };
        let t = &self.schema.tables[&key];
        let Some(c) = super::alter_table::column_index(self.dialect, t, &column) else {
            return Err(self.missing_column(ctx, &key, &column, "own a sequence by"));
        };
        Ok(Some(ColumnRef {
            table: key,
            column: t.columns[c].name.clone(),
        }))
    }

    /// `CREATE [TEMP] SEQUENCE [IF NOT EXISTS] name ...` that sqlparser 0.63 cannot parse
    /// (it wants the options in its own order; pg_dump writes `START WITH` before
    /// `INCREMENT BY`): the name, `IF NOT EXISTS` and `OWNED BY` are read from the tokens,
    /// the other options cannot change the schema. Returns `false` when `ctx` is not one.
    pub(crate) fn create_sequence_text(&mut self, ctx: &Ctx<'_>) -> bool {
        let words = super::skip::leading_words(&ctx.stmt.text, 3);
        let temporary = words.starts_with("CREATE TEMP");
        if !(words.starts_with("CREATE SEQUENCE")
            || (words.split(' ').nth(2) == Some("SEQUENCE")
                && (temporary || words.starts_with("CREATE UNLOGGED"))))
        {
            return false;
        }
        let Some(sig) = significant_tokens(&*self.parser, &ctx.stmt.text) else {
            return false;
        };
        let word = |i: usize, w: &str| is_word(&sig, i, w);
        let mut start = if word(1, "SEQUENCE") { 2 } else { 3 };
        let if_not_exists =
            word(start, "IF") && word(start + 1, "NOT") && word(start + 2, "EXISTS");
        if if_not_exists {
            start += 3;
        }
        let (name, mut i) = name_at(&sig, start);
        let mut owned_by = None;
        while i < sig.len() {
            if word(i, "OWNED") && word(i + 1, "BY") {
                owned_by = Some(name_at(&sig, i + 2).0);
                break;
            }
            i += 1;
        }
        if let Err(e) =
            self.create_sequence(ctx, &name, if_not_exists, temporary, owned_by.as_ref())
        {
            self.errors.push(e);
        }
        true
    }

    /// `ALTER SEQUENCE name ... OWNED BY t.c | NONE` and `ALTER SEQUENCE name RENAME TO n`
    /// (sqlparser 0.63 does not parse ALTER SEQUENCE); other forms cannot change the
    /// schema and are skipped. Returns `false` when `ctx` is not an ALTER SEQUENCE.
    pub(crate) fn alter_sequence_text(&mut self, ctx: &Ctx<'_>) -> bool {
        if super::skip::leading_words(&ctx.stmt.text, 2) != "ALTER SEQUENCE" {
            return false;
        }
        let Some(sig) = super::words::Words::of(&*self.parser, &ctx.stmt.text) else {
            return false;
        };
        let word = |i: usize, w: &str| sig.is(i, w);
        // A dotted name starting at `i`: its identifiers and the index after it.
        let name_at = |i: usize| {
            sig.name_at(i)
                .unwrap_or_else(|| (ObjectName::from(Vec::<sqlparser::ast::Ident>::new()), i))
        };
        let mut start = 2;
        let if_exists = word(2, "IF") && word(3, "EXISTS");
        if if_exists {
            start = 4;
        }
        let (name, mut i) = name_at(start);
        let key = self.lookup_key(&name, super::search_path::Among::Relations);
        if !self.schema.sequences.contains_key(&key) {
            if if_exists {
                self.skip(ctx, format!("sequence `{key}` does not exist (IF EXISTS)"));
            } else if let Some(w) = self.unsure(ctx, &key) {
                self.warnings.push(w);
            } else {
                self.errors.push(ctx.error(
                    format!("sequence `{key}` does not exist"),
                    "create the sequence first (CREATE SEQUENCE, or a serial column)",
                ));
            }
            return true;
        }
        let mut changed = false;
        while i < sig.len() {
            if word(i, "OWNED") && word(i + 1, "BY") {
                let (target, next) = name_at(i + 2);
                i = next;
                match self.owner(ctx, &target) {
                    Ok(owner) => {
                        if let Some(s) = self.schema.sequences.get_mut(&key) {
                            self.relation_index
                                .note_sequence(&key, owner.as_ref().map(|o| o.table.as_str()));
                            s.owned_by = owner;
                            s.provenance.touch(ctx.at());
                        }
                        changed = true;
                    }
                    Err(e) => {
                        self.errors.push(e);
                        return true;
                    }
                }
            } else if word(i, "RENAME") && word(i + 1, "TO") {
                let (new, _) = name_at(i + 2);
                self.rename_sequence(ctx, &key, &new);
                changed = true;
                break;
            } else {
                i += 1;
            }
        }
        if !changed {
            self.skip(
                ctx,
                "ALTER SEQUENCE options cannot change table columns".to_string(),
            );
        }
        true
    }

    /// `RENAME TO` of the sequence `key` (by `ALTER SEQUENCE` or `ALTER TABLE`): the new
    /// name stays in the sequence's schema.
    pub(crate) fn rename_sequence(&mut self, ctx: &Ctx<'_>, key: &str, new: &ObjectName) {
        let mut new = object_name(self.dialect, new);
        if let Some((schema, _)) = key.split_once('.') {
            new = format!("{schema}.{new}");
        }
        if let Some(mut s) = self.schema.sequences.remove(key) {
            s.name = new.clone();
            s.provenance.touch(ctx.at());
            self.relation_index
                .note_sequence(&new, s.owned_by.as_ref().map(|o| o.table.as_str()));
            self.schema.sequences.insert(new, s);
        }
    }

    /// `DROP SEQUENCE`: refused while a column default uses it, unless CASCADE (which
    /// drops those defaults); a sequence owned by a column cannot be dropped alone.
    pub(crate) fn drop_sequence(
        &mut self,
        ctx: &Ctx<'_>,
        key: &str,
        if_exists: bool,
        cascade: bool,
    ) -> Result<bool, crate::Diagnostic> {
        if !self.schema.sequences.contains_key(key) {
            if if_exists {
                return Ok(false);
            }
            if let Some(w) = self.unsure(ctx, key) {
                self.warnings.push(w);
                return Ok(false);
            }
            return Err(ctx.error(
                format!("sequence `{key}` does not exist"),
                "use DROP SEQUENCE IF EXISTS when its absence is expected",
            ));
        }
        let needle = format!("'{}'", key);
        let quoted = nextval_default(key);
        let users: Vec<(String, String)> = self
            .schema
            .tables
            .values()
            .flat_map(|t| {
                t.columns
                    .iter()
                    .filter(|c| {
                        c.default
                            .as_deref()
                            .is_some_and(|d| d == quoted || d.contains(&needle))
                    })
                    .map(|c| (t.name.clone(), c.name.clone()))
            })
            .collect();
        if !users.is_empty() && !cascade {
            let list: Vec<String> = users.iter().map(|(t, c)| format!("{t}.{c}")).collect();
            let error = ctx.error(
                format!(
                    "cannot drop sequence `{key}`: the default of column(s) {} uses it",
                    list.join(", ")
                ),
                "drop or change those defaults first, or use DROP SEQUENCE ... CASCADE",
            );
            let tables: Vec<String> = users.iter().map(|(t, _)| t.clone()).collect();
            self.dependents_unseen(ctx, &tables, error)?;
        }
        for (t, c) in &users {
            if let Some(col) = self.schema.tables.get_mut(t).and_then(|t| t.column_mut(c)) {
                col.default = None;
                col.provenance.touch(ctx.at());
            }
        }
        self.schema.sequences.remove(key);
        Ok(true)
    }

    /// Drops the sequences `table.column` owns (with the column or its table), and with
    /// `column` `None` every sequence a column of `table` owns.
    pub(crate) fn drop_owned_sequences(&mut self, table: &str, column: Option<&str>) {
        for k in self.relation_index.sequences_of(&self.schema, table) {
            let owned = self.schema.sequences[&k].owned_by.as_ref();
            if owned.is_some_and(|o| column.is_none_or(|c| c == o.column)) {
                self.schema.sequences.remove(&k);
            }
        }
        if column.is_none() {
            self.relation_index.forget_sequences(&self.schema, table);
        }
    }
}

/// The tokens of `text` without white space (and comments).
fn significant_tokens(
    grammar: &dyn sqlparser::dialect::Dialect,
    text: &str,
) -> Option<Vec<sqlparser::tokenizer::Token>> {
    use sqlparser::tokenizer::{Token, Tokenizer};
    let tokens = Tokenizer::new(grammar, text).tokenize().ok()?;
    Some(
        tokens
            .into_iter()
            .filter(|t| !matches!(t, Token::Whitespace(_)))
            .collect(),
    )
}

/// Whether token `i` is the unquoted keyword `w`.
fn is_word(sig: &[sqlparser::tokenizer::Token], i: usize, w: &str) -> bool {
    matches!(sig.get(i), Some(sqlparser::tokenizer::Token::Word(x))
        if x.quote_style.is_none() && x.value.eq_ignore_ascii_case(w))
}

/// The dotted name starting at token `i`, and the index of the token after it.
fn name_at(sig: &[sqlparser::tokenizer::Token], mut i: usize) -> (ObjectName, usize) {
    use sqlparser::tokenizer::Token;
    let mut parts = Vec::new();
    while let Some(Token::Word(w)) = sig.get(i) {
        parts.push(sqlparser::ast::Ident {
            value: w.value.clone(),
            quote_style: w.quote_style,
            span: sqlparser::tokenizer::Span::empty(),
        });
        if sig.get(i + 1) == Some(&Token::Period) {
            i += 2;
        } else {
            i += 1;
            break;
        }
    }
    (ObjectName::from(parts), i)
}
