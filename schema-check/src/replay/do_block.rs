//! PostgreSQL `DO` blocks the replay can follow: an anonymous PL/pgSQL block whose body is
//! made of plain SQL statements, optionally under `IF [NOT] EXISTS (SELECT ...) THEN ...
//! [ELSE ...] END IF`, with optionally an `EXCEPTION` handler.
//!
//! Migrations use them for idempotent DDL that PostgreSQL has no `IF NOT EXISTS` for:
//!
//! ```sql
//! DO $$ BEGIN
//!     CREATE TYPE job_state AS ENUM ('new', 'done');
//! EXCEPTION
//!     WHEN duplicate_object THEN null;
//! END $$;
//! ```
//!
//! They are replayed as the server runs them:
//!
//! - a block with an exception handler is all or nothing: when one of its statements
//!   fails, the handler catches the error and PostgreSQL undoes everything the block did
//!   (so does the replay, and records the block as skipped). A handler that does more
//!   than ignore or report the error (`WHEN duplicate_object THEN BEGIN ALTER TYPE ...
//!   ADD VALUE ...; EXCEPTION ... END;`) runs only when the body fails: a body that
//!   applies cleanly is followed, one that fails leaves the whole block to the usual
//!   skip;
//! - the condition of an `IF [NOT] EXISTS (...)` (usually a look at the catalogs) is not
//!   evaluated: the server accepted the history, so the branch it ran is one that applies
//!   cleanly: the `THEN` branch if it does, else the `ELSE` branch (or nothing). Such a
//!   block stays a possible cause of later conflicts (they are warnings), as a skipped
//!   one is;
//! - without either, the statements run in order and their errors stand.
//!
//! Anything else in the body (variables, `PERFORM`, `EXECUTE`, loops, nested blocks,
//! `RAISE EXCEPTION`) leaves the block to the usual skip, which makes later conflicts
//! warnings.

use super::skip::leading_words;
use super::{Ctx, Replayer};
use crate::dialect::Dialect;
use crate::model::Location;
use crate::statement::Statement;

/// One piece of a followed body.
#[derive(Debug)]
enum Item {
    /// A plain SQL statement.
    Sql(Statement),
    /// `IF cond THEN ... [ELSE ...] END IF`: the branches.
    If(Vec<Item>, Vec<Item>),
}

/// A body the replay can follow.
#[derive(Debug)]
struct Block {
    items: Vec<Item>,
    /// It has an `EXCEPTION` handler.
    handled: bool,
    /// That handler does more than ignore or report the error: the replay cannot run it.
    handler_acts: bool,
}

/// PL/pgSQL statements the replay does not follow (the block is then skipped).
const PROCEDURAL: &[&str] = &[
    "PERFORM", "EXECUTE", "FOR", "FOREACH", "WHILE", "LOOP", "RETURN", "GET", "DECLARE", "BEGIN",
    "CASE", "EXIT", "CONTINUE", "ELSIF", "ELSEIF", "CALL", "COMMIT", "ROLLBACK", "ASSERT", "OPEN",
    "FETCH", "CLOSE", "MOVE", "SELECT", "WITH",
];

/// Whether a statement starting with `words` (its first two, upper-case) only reports: a
/// `RAISE` below `EXCEPTION`, which does not stop the block.
fn reports(words: &str) -> bool {
    matches!(
        words,
        "RAISE NOTICE" | "RAISE INFO" | "RAISE LOG" | "RAISE DEBUG" | "RAISE WARNING"
    )
}

/// The body of `DO [LANGUAGE plpgsql] $tag$ body $tag$ [LANGUAGE plpgsql]`, and where it
/// starts in `text`; `None` for another language or a body not dollar-quoted.
fn body(text: &str) -> Option<(&str, usize)> {
    let rest = text.trim_start().strip_prefix("DO").or_else(|| {
        let t = text.trim_start();
        t.get(..2)
            .filter(|w| w.eq_ignore_ascii_case("do"))
            .map(|_| &t[2..])
    })?;
    let open = rest.find('$')?;
    let before = rest[..open].trim();
    let tag_end = open + 1 + rest[open + 1..].find('$')?;
    let tag = &rest[open..=tag_end];
    if !tag[1..tag.len() - 1]
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_')
    {
        return None;
    }
    let start = tag_end + 1;
    let end = start + rest[start..].find(tag)?;
    let after = rest[end + tag.len()..].trim();
    let plpgsql = |s: &str| {
        s.is_empty() || {
            let w: Vec<&str> = s.split_whitespace().collect();
            w.len() == 2
                && w[0].eq_ignore_ascii_case("LANGUAGE")
                && w[1]
                    .trim_matches(['\'', '"'])
                    .eq_ignore_ascii_case("plpgsql")
        }
    };
    if !plpgsql(before) || !plpgsql(after) {
        return None;
    }
    let offset = text.len() - rest.len() + start;
    Some((&text[offset..offset + (end - start)], offset))
}

/// The number of characters in `s`, as a column offset.
fn count(s: &str) -> u32 {
    u32::try_from(s.chars().count()).unwrap_or(u32::MAX)
}

/// The number of line breaks in `s`.
fn newlines(s: &str) -> u32 {
    u32::try_from(s.matches('\n').count()).unwrap_or(u32::MAX)
}

/// Where `inner` (a position in a body that starts at byte `offset` of `outer`) is in the
/// file.
fn shift(outer: &Statement, offset: usize, inner: &Location) -> Location {
    let before = &outer.text[..offset];
    let lines = newlines(before);
    let column = if inner.line > 1 {
        inner.column
    } else {
        match before.rfind('\n') {
            Some(nl) => count(&before[nl + 1..]) + inner.column,
            None => outer.at.column + count(before) + inner.column - 1,
        }
    };
    Location {
        file: outer.at.file.clone(),
        line: outer.at.line + lines + inner.line - 1,
        column,
    }
}

/// The byte position just after the word `word` at parenthesis depth 0 outside quotes,
/// and where the word starts.
fn find_word(text: &str, word: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let (mut depth, mut i, mut quote) = (0usize, 0, None::<u8>);
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None => match b {
                b'\'' | b'"' => quote = Some(b),
                b'(' => depth += 1,
                b')' => depth = depth.saturating_sub(1),
                _ if depth == 0
                    && text[i..]
                        .get(..word.len())
                        .is_some_and(|w| w.eq_ignore_ascii_case(word))
                    && (i == 0 || !is_ident(bytes[i - 1]))
                    && bytes.get(i + word.len()).is_none_or(|&a| !is_ident(a)) =>
                {
                    return Some((i, i + word.len()));
                }
                _ => {}
            },
        }
        i += 1;
    }
    None
}

/// `stmt` with its first `n` bytes removed (its position moved past them).
fn drop_head(stmt: &Statement, n: usize) -> Statement {
    let head = &stmt.text[..n];
    let rest = &stmt.text[n..];
    let trimmed = rest.trim_start();
    let skipped = &stmt.text[..n + rest.len() - trimmed.len()];
    let lines = newlines(skipped);
    let column = match skipped.rfind('\n') {
        Some(nl) => count(&skipped[nl + 1..]) + 1,
        None => stmt.at.column + count(head) + count(&rest[..rest.len() - trimmed.len()]),
    };
    Statement {
        text: trimmed.to_string(),
        at: Location {
            file: stmt.at.file.clone(),
            line: stmt.at.line + lines,
            column,
        },
        source_line: stmt.source_line.clone(),
    }
}

/// Reads the pieces of a body (cut at `;`) into items until `END`, `ELSE`, `END IF` or
/// `EXCEPTION`; `None` when something is not followed.
struct Reader {
    pieces: Vec<Statement>,
    next: usize,
}

impl Reader {
    fn peek_words(&self, n: usize) -> String {
        self.pieces
            .get(self.next)
            .map_or_else(String::new, |p| leading_words(&p.text, n))
    }

    /// Items until a piece starting with one of `stops` (not consumed).
    fn items(&mut self, stops: &[&str]) -> Option<Vec<Item>> {
        let mut items = Vec::new();
        loop {
            let piece = self.pieces.get(self.next)?.clone();
            let words = leading_words(&piece.text, 2);
            if stops
                .iter()
                .any(|s| words == *s || words.starts_with(&format!("{s} ")))
            {
                return Some(items);
            }
            let first = words.split(' ').next().unwrap_or_default();
            match first {
                "NULL" if words == "NULL" => self.next += 1,
                "RAISE" => {
                    if !reports(&words) {
                        return None;
                    }
                    self.next += 1;
                }
                "IF" => {
                    let (_, if_end) = find_word(&piece.text, "IF")?;
                    let (then_at, then_end) = find_word(&piece.text, "THEN")?;
                    let condition = piece.text.get(if_end..then_at)?.trim();
                    let condition = condition
                        .strip_prefix("NOT ")
                        .or_else(|| condition.strip_prefix("not "))
                        .unwrap_or(condition)
                        .trim_start();
                    if !leading_words(condition, 1).eq("EXISTS") {
                        return None;
                    }
                    // The rest of the piece is the branch's first statement.
                    self.pieces[self.next] = drop_head(&piece, then_end);
                    let then = self.items(&["ELSE", "END IF", "ELSIF", "ELSEIF"])?;
                    let mut otherwise = Vec::new();
                    if self.peek_words(1) == "ELSE" {
                        let at = self.next;
                        let p = self.pieces[at].clone();
                        self.pieces[at] = drop_head(&p, find_word(&p.text, "ELSE")?.1);
                        otherwise = self.items(&["END IF"])?;
                    }
                    if self.peek_words(2) != "END IF" {
                        return None;
                    }
                    self.next += 1;
                    items.push(Item::If(then, otherwise));
                }
                _ if PROCEDURAL.contains(&first)
                    || first.is_empty()
                    || piece.text.contains(":=") =>
                {
                    return None;
                }
                _ => {
                    self.next += 1;
                    items.push(Item::Sql(piece));
                }
            }
        }
    }

    /// `EXCEPTION WHEN ... THEN NULL|RAISE NOTICE ...` up to `END`: whether the handler
    /// only ignores or reports errors.
    fn handler(&mut self) -> bool {
        let mut first = true;
        while let Some(piece) = self.pieces.get(self.next) {
            let mut text = piece.text.as_str();
            if first {
                let Some((_, end)) = find_word(text, "EXCEPTION") else {
                    return false;
                };
                text = text[end..].trim_start();
                first = false;
            }
            if leading_words(text, 1) == "END" {
                return true;
            }
            let action = if leading_words(text, 1) == "WHEN" {
                match find_word(text, "THEN") {
                    Some((_, end)) => text[end..].trim(),
                    None => return false,
                }
            } else {
                text
            };
            let words = leading_words(action, 2);
            if words != "NULL" && !reports(&words) {
                return false;
            }
            self.next += 1;
        }
        false
    }
}

/// The block `stmt` runs, if the replay can follow it (see the module docs).
fn read(stmt: &Statement) -> Option<Block> {
    let (text, offset) = body(&stmt.text)?;
    let split = crate::split::split(text, &stmt.at.file, Dialect::Postgres);
    if split.error.is_some() {
        return None;
    }
    let mut pieces: Vec<Statement> = split
        .statements
        .into_iter()
        .map(|p| Statement {
            at: shift(stmt, offset, &p.at),
            ..p
        })
        .collect();
    let first = pieces.first()?;
    if leading_words(&first.text, 1) != "BEGIN" {
        return None;
    }
    let rest = drop_head(first, find_word(&first.text, "BEGIN")?.1);
    if rest.text.is_empty() {
        pieces.remove(0);
    } else {
        pieces[0] = rest;
    }
    let mut reader = Reader { pieces, next: 0 };
    let items = reader.items(&["END", "EXCEPTION"])?;
    let handled = reader.peek_words(1) == "EXCEPTION";
    let handler_acts = handled && !reader.handler();
    if handler_acts {
        // Whatever it does, the handler runs up to the block's own (last) `END`.
        reader.next = reader.pieces.len() - 1;
    }
    // Only `END` (with an optional label) may follow.
    let last = reader.pieces.get(reader.next)?;
    if leading_words(&last.text, 1) != "END"
        || last.text.split_whitespace().count() > 2
        || reader.next + 1 != reader.pieces.len()
    {
        return None;
    }
    Some(Block {
        items,
        handled,
        handler_acts,
    })
}

impl Replayer {
    /// Follows the PostgreSQL `DO` block `stmt` if it can (see the module docs): `true`
    /// when done, `false` to leave it to the usual skip.
    pub(crate) fn follow_do_block(&mut self, stmt: &Statement) -> bool {
        if !super::skip::first_word_is(&stmt.text, "DO") {
            return false;
        }
        let Some(block) = read(stmt) else {
            return false;
        };
        let guarded = block.items.iter().any(|i| matches!(i, Item::If(..)));
        if block.handled {
            let saved = self.snapshot();
            self.run_items(block.items);
            if self.failed_since(&saved) && block.handler_acts {
                // The handler would run, and the replay cannot follow it.
                self.restore(saved);
                return false;
            }
            if self.failed_since(&saved) {
                let caught = self.errors[saved.errors..]
                    .first()
                    .map(|e| e.message.clone())
                    .unwrap_or_default();
                self.restore(saved);
                self.skip(
                    &Ctx { stmt },
                    format!(
                        "DO block whose exception handler catches the error of a statement in \
                         it ({caught}): PostgreSQL undoes the whole block"
                    ),
                );
                self.note_unseen(stmt);
                return true;
            }
        } else {
            self.run_items(block.items);
        }
        if guarded {
            // The replay chose the branches: later conflicts it could explain stay
            // warnings.
            self.note_unseen(stmt);
        }
        true
    }

    /// Applies `items` in order, each `IF` by the branch that applies cleanly.
    fn run_items(&mut self, items: Vec<Item>) {
        for item in items {
            match item {
                Item::Sql(s) => self.apply(&s),
                Item::If(then, otherwise) => {
                    let saved = self.snapshot();
                    self.run_items(then);
                    if self.failed_since(&saved) {
                        self.restore(saved);
                        let saved = self.snapshot();
                        self.run_items(otherwise);
                        if self.failed_since(&saved) {
                            self.restore(saved);
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stmt(text: &str) -> Statement {
        Statement {
            text: text.to_string(),
            at: Location {
                file: "m.sql".into(),
                line: 10,
                column: 1,
            },
            source_line: text.lines().next().unwrap_or_default().to_string(),
        }
    }

    #[test]
    fn bodies_of_plpgsql_blocks_only() {
        assert!(body("DO $$ BEGIN NULL; END $$").is_some());
        assert!(body("DO LANGUAGE plpgsql $x$ BEGIN NULL; END $x$").is_some());
        assert!(body("DO $$ BEGIN NULL; END $$ LANGUAGE plpgsql").is_some());
        assert!(body("DO LANGUAGE plv8 $$ x $$").is_none());
        assert!(body("DO 'BEGIN NULL; END'").is_none());
    }

    #[test]
    fn the_create_type_idiom_is_followed_with_its_handler() {
        let s = stmt(
            "DO $$ BEGIN\n    CREATE TYPE s AS ENUM ('a');\nEXCEPTION\n    WHEN duplicate_object THEN null;\nEND $$",
        );
        let block = read(&s).unwrap();
        assert!(block.handled);
        let [Item::Sql(create)] = block.items.as_slice() else {
            panic!("{block:?}");
        };
        assert_eq!(create.text, "CREATE TYPE s AS ENUM ('a')");
        assert_eq!((create.at.line, create.at.column), (11, 5));
    }

    #[test]
    fn conditions_branches_and_what_is_not_followed() {
        let s = stmt(
            "DO $$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 's') THEN\n    CREATE TYPE s AS ENUM ('a');\n  ELSE\n    RAISE NOTICE 'exists';\n  END IF;\nEND\n$$",
        );
        let block = read(&s).unwrap();
        assert!(!block.handled);
        let [Item::If(then, otherwise)] = block.items.as_slice() else {
            panic!("{block:?}");
        };
        assert!(
            matches!(then.as_slice(), [Item::Sql(c)] if c.text.starts_with("CREATE TYPE") && c.at.line == 13)
        );
        assert!(otherwise.is_empty());
        for not_followed in [
            "DO $$ DECLARE x int; BEGIN NULL; END $$",
            "DO $$ BEGIN PERFORM f(); END $$",
            "DO $$ BEGIN EXECUTE 'DROP TABLE t'; END $$",
            "DO $$ BEGIN IF current_user = 'x' THEN DROP TABLE t; END IF; END $$",
            "DO $$ BEGIN x := 1; END $$",
            "DO $$ BEGIN RAISE EXCEPTION 'no'; END $$",
        ] {
            assert!(read(&stmt(not_followed)).is_none(), "{not_followed}");
        }
    }

    #[test]
    fn a_handler_that_acts_is_read_to_the_blocks_end() {
        // pgqrs's form: the handler runs a nested block of its own.
        let s = stmt(
            "DO $$\nBEGIN\n    CREATE TYPE s AS ENUM ('a');\nEXCEPTION\n    WHEN duplicate_object THEN\n        BEGIN\n            ALTER TYPE s ADD VALUE IF NOT EXISTS 'a';\n        EXCEPTION\n            WHEN duplicate_object THEN null;\n        END;\nEND $$",
        );
        let block = read(&s).unwrap();
        assert!(block.handled && block.handler_acts);
        assert!(
            matches!(block.items.as_slice(), [Item::Sql(c)] if c.text.starts_with("CREATE TYPE"))
        );
        let simple = read(&stmt(
            "DO $$ BEGIN CREATE TYPE s AS ENUM ('a'); EXCEPTION WHEN duplicate_object THEN null; END $$",
        ))
        .unwrap();
        assert!(simple.handled && !simple.handler_acts);
        // The body itself must still be plain SQL.
        assert!(
            read(&stmt(
                "DO $$ BEGIN PERFORM f(); EXCEPTION WHEN others THEN DROP TABLE u; END $$"
            ))
            .is_none()
        );
    }
}
