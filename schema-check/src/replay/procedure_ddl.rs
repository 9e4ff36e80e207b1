//! MySQL procedures whose body runs DDL itself, under conditions on `information_schema`
//! (the other idempotence idiom beside prepared statements, [`super::prepared`]):
//!
//! ```sql
//! CREATE PROCEDURE add_props()
//! BEGIN
//!   IF NOT EXISTS (SELECT * FROM information_schema.columns WHERE table_schema = DATABASE()
//!                  AND table_name = 'teams' AND column_name = 'props') THEN
//!     ALTER TABLE teams ADD props JSON;
//!   END IF;
//! END;
//! CALL add_props();
//! ```
//!
//! A body of `ALTER`/`CREATE`/`DROP`/`RENAME` (and `UPDATE`/`INSERT`/`DELETE`) statements and `IF ... THEN ... [ELSEIF
//! ... THEN ...] [ELSE ...] END IF` is recorded when the procedure is created; a `CALL`
//! without arguments runs it on the schema as it is then, each condition evaluated by
//! [`super::info_schema`]. Local variables may carry what `information_schema` says:
//! `DECLARE v TYPE [DEFAULT literal]`, `SELECT expr INTO v FROM information_schema.T ...`
//! or `SELECT expr FROM ... INTO v` (the forms [`super::info_schema::select_value`] reads,
//! such as a primary key's columns through `GROUP_CONCAT(column_name ORDER BY
//! seq_in_index)`), and conditions over them, as [`super::locals`] reads them. A body
//! with anything else, a procedure with parameters, or a
//! condition the replay cannot evaluate makes the `CALL` a skip with a warning (the tables
//! it changes may differ), recorded as possibly changing the schema unseen.

use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

use super::Replayer;
use super::info_schema::Value;
use super::words::is_word;
use crate::statement::Statement;

/// One item of a procedure body.
#[derive(Debug, Clone)]
pub(crate) enum Item {
    /// A statement (DDL, or `UPDATE`/`INSERT`/`DELETE`), as written.
    Ddl(String),
    /// `IF`: each branch's condition (its text; `None` for `ELSE`) and items.
    If(Vec<(Option<String>, Vec<Item>)>),
    /// `DECLARE v [, w] TYPE [DEFAULT literal]`: the names (lower case: local variables
    /// match without case) and the value they start with.
    Declare(Vec<String>, Value),
    /// `SELECT expr INTO v FROM ...`: the variable and the query without `INTO v`.
    SelectInto(String, String),
}

/// Reads the body of `CREATE PROCEDURE name () BEGIN ... END` in `text`: `None` when the
/// procedure has parameters or the body holds anything but DDL and `IF`s.
pub(crate) fn body(text: &str) -> Option<Vec<Item>> {
    let tokens: Vec<TokenWithSpan> = Tokenizer::new(&sqlparser::dialect::MySqlDialect {}, text)
        .tokenize_with_location()
        .ok()?
        .into_iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_)))
        .collect();
    // `(` `)` right after the name: no parameters.
    let proc_at = tokens.iter().position(|t| is_word(&t.token, "PROCEDURE"))?;
    let open = tokens[proc_at..]
        .iter()
        .position(|t| t.token == Token::LParen)?
        + proc_at;
    if tokens.get(open + 1)?.token != Token::RParen {
        return None;
    }
    let begin = tokens[open..]
        .iter()
        .position(|t| is_word(&t.token, "BEGIN"))?
        + open;
    let mut reader = Reader {
        text,
        tokens: &tokens,
        at: begin + 1,
    };
    let items = reader.items(&["END"])?;
    // `END` and nothing after it but `;`.
    let rest = &tokens[reader.at + 1..];
    rest.iter()
        .all(|t| t.token == Token::SemiColon)
        .then_some(items)
}

struct Reader<'a> {
    text: &'a str,
    tokens: &'a [TokenWithSpan],
    at: usize,
}

impl Reader<'_> {
    fn is(&self, i: usize, w: &str) -> bool {
        self.tokens.get(i).is_some_and(|t| is_word(&t.token, w))
    }

    /// The text of tokens `from..to`.
    fn text(&self, from: usize, to: usize) -> Option<String> {
        let start = super::words::byte_offset(self.text, self.tokens.get(from)?.span.start)?;
        let end = super::words::byte_offset(self.text, self.tokens.get(to - 1)?.span.end)?;
        Some(self.text.get(start..end)?.to_string())
    }

    /// Items up to one of the words `stops` (not consumed).
    fn items(&mut self, stops: &[&str]) -> Option<Vec<Item>> {
        let mut out = Vec::new();
        loop {
            let t = &self.tokens.get(self.at)?.token;
            if stops.iter().any(|s| is_word(t, s)) {
                return Some(out);
            }
            if *t == Token::SemiColon {
                self.at += 1;
            } else if is_word(t, "IF") {
                out.push(self.if_item()?);
            } else if [
                "ALTER", "CREATE", "DROP", "RENAME", "UPDATE", "INSERT", "DELETE",
            ]
            .iter()
            .any(|w| is_word(t, w))
            {
                let from = self.at;
                let end = self.tokens[from..]
                    .iter()
                    .position(|t| t.token == Token::SemiColon)?
                    + from;
                out.push(Item::Ddl(self.text(from, end)?));
                self.at = end + 1;
            } else if is_word(t, "DECLARE") {
                out.push(self.declare()?);
            } else if is_word(t, "SELECT") {
                out.push(self.select_into()?);
            } else {
                return None;
            }
        }
    }

    /// The index of the `;` ending the statement at `self.at`.
    fn statement_end(&self) -> Option<usize> {
        Some(
            self.tokens[self.at..]
                .iter()
                .position(|t| t.token == Token::SemiColon)?
                + self.at,
        )
    }

    /// `DECLARE a [, b] TYPE [DEFAULT literal];` (not a cursor, condition or handler).
    fn declare(&mut self) -> Option<Item> {
        let end = self.statement_end()?;
        let mut names = Vec::new();
        let mut i = self.at + 1;
        loop {
            match &self.tokens.get(i)?.token {
                Token::Word(w)
                    if !["CONTINUE", "EXIT", "UNDO"]
                        .iter()
                        .any(|k| is_word(&self.tokens[i].token, k)) =>
                {
                    names.push(w.value.to_ascii_lowercase());
                }
                _ => return None,
            }
            i += 1;
            if self.tokens.get(i)?.token != Token::Comma {
                break;
            }
            i += 1;
        }
        if self.is(i, "CURSOR") || self.is(i, "CONDITION") {
            return None;
        }
        let default = (i..end).find(|&j| self.is(j, "DEFAULT"));
        let value = match default {
            None => None,
            Some(d) if d + 2 == end => super::locals::literal(&self.tokens[d + 1].token)?,
            Some(_) => return None,
        };
        self.at = end + 1;
        Some(Item::Declare(names, value))
    }

    /// `SELECT expr INTO v FROM ...;`, kept as the variable and the query without `INTO v`.
    fn select_into(&mut self) -> Option<Item> {
        let end = self.statement_end()?;
        let into = (self.at..end).find(|&i| self.is(i, "INTO"))?;
        let Token::Word(var) = &self.tokens.get(into + 1)?.token else {
            return None;
        };
        if var.quote_style.is_some() || into + 2 > end || into == self.at + 1 {
            return None;
        }
        // `INTO v` after the select list or at the end.
        let mut query = self.text(self.at, into)?;
        if into + 2 < end {
            query = format!("{query} {}", self.text(into + 2, end)?);
        }
        let item = Item::SelectInto(var.value.to_ascii_lowercase(), query);
        self.at = end + 1;
        Some(item)
    }

    /// `IF cond THEN items {ELSEIF cond THEN items} [ELSE items] END IF`.
    fn if_item(&mut self) -> Option<Item> {
        let mut branches = Vec::new();
        self.at += 1;
        loop {
            let from = self.at;
            let then = self.tokens[from..]
                .iter()
                .position(|t| is_word(&t.token, "THEN"))?
                + from;
            let condition = self.text(from, then)?;
            self.at = then + 1;
            let items = self.items(&["ELSEIF", "ELSE", "END"])?;
            branches.push((Some(condition), items));
            if self.is(self.at, "ELSEIF") {
                self.at += 1;
                continue;
            }
            if self.is(self.at, "ELSE") {
                self.at += 1;
                let items = self.items(&["END"])?;
                branches.push((None, items));
            }
            // END IF
            if !self.is(self.at + 1, "IF") {
                return None;
            }
            self.at += 2;
            return Some(Item::If(branches));
        }
    }
}

impl Replayer {
    /// Runs `items` of a procedure `CALL`ed at `stmt`: `false` (nothing changed) when a
    /// condition cannot be evaluated.
    pub(crate) fn run_procedure_ddl(&mut self, stmt: &Statement, items: &[Item]) -> bool {
        let saved = self.snapshot();
        if self.run_procedure_items(stmt, items, &mut super::locals::Locals::default()) {
            return true;
        }
        self.restore(saved);
        false
    }

    fn run_procedure_items(
        &mut self,
        stmt: &Statement,
        items: &[Item],
        locals: &mut super::locals::Locals,
    ) -> bool {
        for item in items {
            match item {
                Item::Declare(names, value) => {
                    for n in names {
                        locals.insert(n.clone(), value.clone());
                    }
                }
                Item::SelectInto(var, query) => {
                    if !locals.contains_key(var) {
                        return false;
                    }
                    let value = super::locals::select_into(&self.scope(), query);
                    match value {
                        None => return false,
                        // No row: the variable keeps its value.
                        Some(None) => {}
                        Some(Some(v)) => {
                            locals.insert(var.clone(), v);
                        }
                    }
                }
                Item::Ddl(text) => self.apply(&Statement {
                    text: text.clone(),
                    at: stmt.at.clone(),
                    source_line: stmt.source_line.clone(),
                }),
                Item::If(branches) => {
                    let mut chosen = None;
                    for (condition, items) in branches {
                        let holds = match condition {
                            None => Some(Some(true)),
                            Some(c) => super::locals::condition(&self.scope(), c, locals),
                        };
                        match holds {
                            None => return false,
                            Some(Some(true)) => {
                                chosen = Some(items);
                                break;
                            }
                            // False, or NULL: the branch is not taken.
                            Some(_) => {}
                        }
                    }
                    if let Some(items) = chosen
                        && !self.run_procedure_items(stmt, items, locals)
                    {
                        return false;
                    }
                }
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ddl_and_ifs_and_refuses_anything_else() {
        let body = |s: &str| body(s).map(|items| format!("{items:?}"));
        let read = body(
            "CREATE PROCEDURE p() BEGIN IF NOT EXISTS (SELECT 1) THEN ALTER TABLE t ADD a INT; \
             ELSEIF 1 THEN DROP INDEX i ON t; ELSE CREATE INDEX j ON t (a); END IF; \
             RENAME TABLE t TO u; END",
        )
        .unwrap();
        assert!(read.contains("Ddl(\"ALTER TABLE t ADD a INT\")"), "{read}");
        assert!(read.contains("Some(\"NOT EXISTS (SELECT 1)\")"), "{read}");
        assert!(
            read.contains("(None, [Ddl(\"CREATE INDEX j ON t (a)\")])"),
            "{read}"
        );
        assert!(read.ends_with("Ddl(\"RENAME TABLE t TO u\")]"), "{read}");
        // Parameters, other statements, and text after END are not followed.
        assert_eq!(
            body("CREATE PROCEDURE p(IN x INT) BEGIN DROP TABLE t; END"),
            None
        );
        assert_eq!(
            body("CREATE PROCEDURE p() BEGIN SELECT 1; DROP TABLE t; END"),
            None
        );
        assert_eq!(
            body("CREATE PROCEDURE p() BEGIN DROP TABLE t; END; DROP TABLE u"),
            None
        );
    }

    #[test]
    fn a_call_runs_the_branch_the_schema_picks() {
        let out = crate::replay::tests::ok(
            crate::Dialect::Mysql,
            "CREATE TABLE t (id INT);
             CREATE PROCEDURE p() BEGIN
               IF NOT EXISTS (SELECT * FROM information_schema.columns
                   WHERE table_schema = DATABASE() AND table_name = 't' AND column_name = 'a') THEN
                 ALTER TABLE t ADD a INT;
               ELSE
                 ALTER TABLE t ADD b INT;
               END IF;
             END;
             CALL p();
             CALL p();",
        );
        let names: Vec<_> = out.schema.tables["t"]
            .columns
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(names, ["id", "a", "b"]);
    }

    #[test]
    fn locals_carry_what_information_schema_says() {
        // MariaDB 10.11: the first CALL replaces the key (u, p) by (p, u, e); the second
        // reads `p,u,e`, equal to 'p,U,e' without case, and changes nothing.
        let out = crate::replay::tests::ok(
            crate::Dialect::Mysql,
            "CREATE TABLE r (u VARCHAR(9) NOT NULL, p VARCHAR(9) NOT NULL,
               e VARCHAR(9) NOT NULL, PRIMARY KEY (u, p));
             CREATE PROCEDURE fix_pk() BEGIN
               DECLARE existing VARCHAR(64) DEFAULT '';
               SELECT IFNULL(GROUP_CONCAT(column_name ORDER BY seq_in_index), '') INTO existing
               FROM information_schema.statistics
               WHERE table_schema = DATABASE() AND table_name = 'r' AND index_name = 'PRIMARY'
               GROUP BY index_name;
               IF existing != 'p,U,e' THEN
                 IF existing != '' THEN
                   ALTER TABLE r DROP PRIMARY KEY;
                 END IF;
                 ALTER TABLE r ADD PRIMARY KEY (p, u, e);
               END IF;
             END;
             CALL fix_pk();
             CALL fix_pk();",
        );
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        let pk = out.schema.tables["r"]
            .primary_key
            .clone()
            .unwrap_or_default();
        assert_eq!(pk, ["p", "u", "e"]);
    }

    #[test]
    fn conditions_combine_locals_read_at_either_place_of_into() {
        // MariaDB 10.11: the first CALL moves the data, changes both types and drops
        // `parent`; the second finds nothing to change.
        let out = crate::replay::tests::ok(
            crate::Dialect::Mysql,
            "CREATE TABLE posts (id INT PRIMARY KEY, root VARCHAR(9), parent VARCHAR(9),
               props TEXT, files VARCHAR(300));
             CREATE PROCEDURE move_parent() BEGIN
               DECLARE has_parent INT;
               DECLARE alter_files INT;
               DECLARE alter_props INT;
               SELECT COUNT(*) FROM information_schema.columns WHERE table_name = 'posts'
                 AND table_schema = DATABASE() AND column_name = 'parent' INTO has_parent;
               SELECT COUNT(*) FROM information_schema.columns WHERE table_name = 'posts'
                 AND table_schema = DATABASE() AND column_name = 'files'
                 AND column_type != 'text' INTO alter_files;
               SELECT COUNT(*) INTO alter_props FROM information_schema.columns
                 WHERE table_name = 'posts' AND table_schema = DATABASE()
                 AND column_name = 'props' AND column_type != 'longtext';
               IF (alter_props OR alter_files) THEN
                 IF (has_parent > 0) THEN
                   UPDATE posts SET root = parent WHERE root = '';
                   ALTER TABLE posts MODIFY files TEXT, MODIFY props LONGTEXT;
                   ALTER TABLE posts DROP COLUMN parent;
                 ELSE
                   ALTER TABLE posts ADD COLUMN never INT;
                 END IF;
               END IF;
             END;
             CALL move_parent();
             CALL move_parent();",
        );
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        let columns: Vec<_> = out.schema.tables["posts"]
            .columns
            .iter()
            .map(|c| format!("{} {}", c.name, c.ty.canonical))
            .collect();
        assert_eq!(
            columns,
            ["id int", "root varchar(9)", "props longtext", "files text"]
        );
    }

    #[test]
    fn a_call_the_replay_cannot_follow_is_a_warning() {
        let out = crate::replay::tests::ok(
            crate::Dialect::Mysql,
            "CREATE TABLE t (id INT);
             CREATE PROCEDURE p() BEGIN
               DECLARE n INT;
               SELECT COUNT(*) INTO n FROM t;
               IF n = 0 THEN ALTER TABLE t ADD a INT; END IF;
             END;
             CALL p();
             CREATE PROCEDURE q() BEGIN SELECT 1; END;
             CALL q();",
        );
        assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
        assert!(out.warnings[0].message.contains("procedure `p`"));
        assert_eq!(out.warnings[0].cause.line, 2);
        let call = out
            .skipped
            .iter()
            .find(|s| s.first_line.starts_with("CALL p"));
        assert!(call.is_some_and(|s| s.reason.contains("does not follow")));
    }
}
