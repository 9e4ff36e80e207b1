//! PostgreSQL `DO` blocks the replay can follow: an anonymous PL/pgSQL block, with an
//! optional `DECLARE` section, whose body is made of plain SQL statements, `SELECT expr
//! INTO v ...` and `IF cond THEN ... {ELSIF cond THEN ...} [ELSE ...] END IF`, with
//! optionally an `EXCEPTION` handler.
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
//! - variables start with their declaration's literal (`:=`, `=` or `DEFAULT`; else
//!   `NULL`) and take what `SELECT expr INTO v FROM information_schema.T WHERE ...` reads
//!   on the replayed schema (no row stores `NULL`, as PostgreSQL does without `STRICT`);
//!   conditions over them and over `information_schema` are evaluated as
//!   [`super::locals`] reads them, and the first branch whose condition holds runs (a
//!   `NULL` condition does not hold). DML in a branch is ignored, as the replay ignores
//!   DML;
//! - a condition the replay cannot evaluate (a look at `pg_catalog`, a variable whose
//!   value it could not compute) is not guessed at: the server accepted the history, so
//!   the branch it ran is one that applies cleanly: from that condition on, the first
//!   branch that does (or none). Such a block stays a possible cause of later conflicts
//!   (they are warnings), as a skipped one is;
//! - otherwise the statements run in order and their errors stand.
//!
//! DML through common table expressions (`WITH q AS (...) UPDATE ...`) is DML too.
//! Anything else in the body (assignments, `PERFORM`, `EXECUTE`, loops, nested blocks,
//! cursors, `SELECT ... INTO STRICT` or into several targets, `RAISE EXCEPTION`) leaves
//! the block to the usual skip, which makes later conflicts warnings.

use sqlparser::tokenizer::Token;

use super::info_schema::Value;
use super::locals::Locals;
use super::skip::leading_words;
use super::words::Words;
use super::words::is_word;
use super::{Ctx, Replayer};
use crate::dialect::Dialect;
use crate::model::Location;
use crate::statement::Statement;

/// One piece of a followed body.
#[derive(Debug, Clone)]
enum Item {
    /// A plain SQL statement.
    Sql(Statement),
    /// `IF cond THEN ... {ELSIF cond THEN ...} [ELSE ...] END IF`: each branch's condition
    /// (its text; `None` for `ELSE`) and items.
    If(Vec<(Option<String>, Vec<Item>)>),
    /// `SELECT expr INTO v ...`: the variable (lower case) and the query without `INTO v`.
    SelectInto(String, String),
}

/// A body the replay can follow.
#[derive(Debug)]
struct Block {
    /// The variables `DECLARE` names (lower case) and the value each starts with (`None`:
    /// one the replay does not compute).
    declared: Vec<(String, Option<Value>)>,
    items: Vec<Item>,
    /// It has an `EXCEPTION` handler.
    handled: bool,
    /// That handler does more than ignore or report the error: the replay cannot run it.
    handler_acts: bool,
}

/// PL/pgSQL statements the replay does not follow (the block is then skipped).
const PROCEDURAL: &[&str] = &[
    "PERFORM", "EXECUTE", "FOR", "FOREACH", "WHILE", "LOOP", "RETURN", "GET", "DECLARE", "BEGIN",
    "CASE", "EXIT", "CONTINUE", "CALL", "COMMIT", "ROLLBACK", "ASSERT", "OPEN", "FETCH", "CLOSE",
    "MOVE", "SELECT",
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
                    && text
                        .get(i..i + word.len())
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
                    let mut branches = Vec::new();
                    let mut keyword = "IF";
                    loop {
                        let at = self.next;
                        let p = self.pieces[at].clone();
                        let (_, word_end) = find_word(&p.text, keyword)?;
                        let (then_at, then_end) = find_word(&p.text, "THEN")?;
                        let condition = p.text.get(word_end..then_at)?.trim();
                        if condition.is_empty() || find_word(condition, "CASE").is_some() {
                            return None;
                        }
                        // The rest of the piece is the branch's first statement.
                        self.pieces[at] = drop_head(&p, then_end);
                        let then = self.items(&["ELSE", "END IF", "ELSIF", "ELSEIF"])?;
                        branches.push((Some(condition.to_string()), then));
                        keyword = match self.peek_words(1).as_str() {
                            "ELSIF" => "ELSIF",
                            "ELSEIF" => "ELSEIF",
                            _ => break,
                        };
                    }
                    if self.peek_words(1) == "ELSE" {
                        let at = self.next;
                        let p = self.pieces[at].clone();
                        self.pieces[at] = drop_head(&p, find_word(&p.text, "ELSE")?.1);
                        branches.push((None, self.items(&["END IF"])?));
                    }
                    if self.peek_words(2) != "END IF" {
                        return None;
                    }
                    self.next += 1;
                    items.push(Item::If(branches));
                }
                "SELECT" => {
                    items.push(select_into(&piece.text)?);
                    self.next += 1;
                }
                "WITH" if modifies_data(&piece.text) => {
                    self.next += 1;
                    items.push(Item::Sql(piece));
                }
                "WITH" => return None,
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

/// One declaration of a `DECLARE` section, `name [CONSTANT] type [NOT NULL] [{:= | = |
/// DEFAULT} literal]`: the name (lower case) and its first value (`NULL` without one;
/// `None` for a value not a literal). `None` (outer) for an alias or a cursor.
fn declaration(text: &str) -> Option<(String, Option<Value>)> {
    let w = Words::of(&sqlparser::dialect::PostgreSqlDialect {}, text)?;
    let tokens = w.slice(0, w.len());
    let Some(Token::Word(name)) = tokens.first() else {
        return None;
    };
    if name.quote_style.is_some()
        || tokens
            .iter()
            .any(|t| is_word(t, "ALIAS") || is_word(t, "CURSOR") || is_word(t, "REFCURSOR"))
        || tokens.len() < 2
    {
        return None;
    }
    let mut depth = 0usize;
    let default = tokens.iter().position(|t| {
        match t {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            _ => {}
        }
        depth == 0 && (matches!(t, Token::Assignment | Token::Eq) || is_word(t, "DEFAULT"))
    });
    let value = match default {
        None => Some(None),
        Some(d) => match &tokens[d + 1..] {
            [t] => super::locals::literal(t),
            _ => None,
        },
    };
    Some((name.value.to_ascii_lowercase(), value))
}

/// Whether `WITH ...` (`text`) is DML: its statement after the common table expressions
/// (the first of `SELECT`, `INSERT`, `UPDATE`, `DELETE` outside parentheses) changes data.
/// A `SELECT` there would set variables (`INTO`), which the replay does not follow.
fn modifies_data(text: &str) -> bool {
    ["SELECT", "INSERT", "UPDATE", "DELETE"]
        .iter()
        .filter_map(|w| find_word(text, w).map(|(at, _)| (at, *w)))
        .min()
        .is_some_and(|(_, w)| w != "SELECT")
}

/// `SELECT expr INTO v ...` (`INTO` after the select list or at the end): the variable
/// and the query without `INTO v`; `None` for several targets, `STRICT` or a `SELECT`
/// without `INTO`.
fn select_into(text: &str) -> Option<Item> {
    let (into_at, into_end) = find_word(text, "INTO")?;
    let rest = text[into_end..].trim_start();
    let var_len = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let var = &rest[..var_len];
    let after = rest[var_len..].trim_start();
    if var.is_empty()
        || var.eq_ignore_ascii_case("STRICT")
        || after.starts_with([',', '.'])
        || text[..into_at].trim().eq_ignore_ascii_case("SELECT")
    {
        return None;
    }
    let query = format!("{} {after}", text[..into_at].trim_end());
    Some(Item::SelectInto(
        var.to_ascii_lowercase(),
        query.trim().to_string(),
    ))
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
    // A label, `<<name>>`, may open the block (its `END` may repeat it).
    let first = pieces.first()?;
    if let Some(label) = first.text.strip_prefix("<<") {
        let end = label.find(">>")?;
        if !label[..end]
            .trim()
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_')
        {
            return None;
        }
        pieces[0] = drop_head(first, 2 + end + 2);
    }
    // `DECLARE` (which may be repeated) and its declarations, up to `BEGIN`.
    let mut declared = Vec::new();
    let mut declaring = false;
    loop {
        let first = pieces.first()?;
        if leading_words(&first.text, 1) == "DECLARE" {
            pieces[0] = drop_head(first, find_word(&first.text, "DECLARE")?.1);
            declaring = true;
        } else if leading_words(&first.text, 1) == "BEGIN" || !declaring {
            break;
        } else {
            declared.push(declaration(&pieces.remove(0).text)?);
        }
    }
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
        declared,
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
        let mut locals = Locals::default();
        for (name, value) in block.declared {
            if let Some(value) = value {
                locals.insert(name, value);
            }
        }
        let guessed;
        if block.handled {
            let saved = self.snapshot();
            guessed = self.run_items(block.items, &mut locals);
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
            guessed = self.run_items(block.items, &mut locals);
        }
        if guessed {
            // The replay chose branches it could not evaluate: later conflicts it could
            // explain stay warnings.
            self.note_unseen(stmt);
        }
        true
    }

    /// Applies `items` in order over `locals`, each `IF` by the first branch whose
    /// condition holds; `true` when some condition could not be evaluated (that `IF` then
    /// takes, from there on, the first branch that applies cleanly, or none).
    fn run_items(&mut self, items: Vec<Item>, locals: &mut Locals) -> bool {
        let mut guessed = false;
        for item in items {
            match item {
                Item::Sql(s) => self.apply(&s),
                Item::SelectInto(var, query) => {
                    let value = super::locals::select_into(&self.scope(), &query);
                    match value {
                        // No row stores NULL (PostgreSQL, without STRICT).
                        Some(v) => {
                            locals.insert(var, v.flatten());
                        }
                        None => {
                            locals.remove(&var);
                        }
                    }
                }
                Item::If(branches) => {
                    let mut unsure = false;
                    for (condition, body) in branches {
                        let holds = match &condition {
                            None => Some(Some(true)),
                            Some(c) => super::locals::condition(&self.scope(), c, locals),
                        };
                        match holds {
                            Some(Some(true)) => {}
                            // False, or NULL: not taken.
                            Some(_) => continue,
                            None => unsure = true,
                        }
                        if !unsure {
                            guessed |= self.run_items(body, locals);
                            break;
                        }
                        let saved = self.snapshot();
                        let before = locals.clone();
                        self.run_items(body, locals);
                        if !self.failed_since(&saved) {
                            break;
                        }
                        self.restore(saved);
                        *locals = before;
                    }
                    guessed |= unsure;
                }
            }
        }
        guessed
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
    fn words_are_found_past_text_that_is_not_ascii() {
        assert_eq!(find_word("SELECT é FROM café", "FROM"), Some((10, 14)));
        assert_eq!(find_word("IF naïve THEN", "CASE"), None);
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
        let [Item::If(branches)] = block.items.as_slice() else {
            panic!("{block:?}");
        };
        let [(Some(condition), then), (None, otherwise)] = branches.as_slice() else {
            panic!("{branches:?}");
        };
        assert!(condition.starts_with("NOT EXISTS (SELECT 1 FROM pg_type"));
        assert!(
            matches!(then.as_slice(), [Item::Sql(c)] if c.text.starts_with("CREATE TYPE") && c.at.line == 13)
        );
        assert!(otherwise.is_empty());
        for not_followed in [
            "DO $$ DECLARE c CURSOR FOR SELECT 1; BEGIN NULL; END $$",
            "DO $$ DECLARE x int; BEGIN SELECT 1 INTO STRICT x; END $$",
            "DO $$ DECLARE x int; y int; BEGIN SELECT 1, 2 INTO x, y; END $$",
            "DO $$ BEGIN SELECT 1; END $$",
            "DO $$ BEGIN PERFORM f(); END $$",
            "DO $$ BEGIN EXECUTE 'DROP TABLE t'; END $$",
            "DO $$ BEGIN IF CASE WHEN true THEN 1 END = 1 THEN DROP TABLE t; END IF; END $$",
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

    #[test]
    fn declarations_selects_into_and_elsif_are_read() {
        let s = stmt(
            "DO $$\n<<probe>>\nDECLARE\n  a boolean;\n  b text := 'x';\nDECLARE\n  c integer DEFAULT 3;\n  d varchar(3) = NULL;\n  e timestamp := now();\nBEGIN\n  SELECT count(*) > 0 INTO a FROM information_schema.tables WHERE table_name = 't';\n  SELECT data_type FROM information_schema.columns INTO b;\n  IF a THEN NULL; ELSIF c > 2 THEN DROP TABLE t; ELSEIF b = 'x' THEN NULL; END IF;\nEND probe $$",
        );
        let block = read(&s).unwrap();
        let declared: Vec<_> = block
            .declared
            .iter()
            .map(|(n, v)| format!("{n}={v:?}"))
            .collect();
        assert_eq!(
            declared,
            [
                "a=Some(None)",
                "b=Some(Some(\"x\"))",
                "c=Some(Some(\"3\"))",
                "d=Some(None)",
                "e=None"
            ]
        );
        let [
            Item::SelectInto(a, first),
            Item::SelectInto(b, second),
            Item::If(branches),
        ] = block.items.as_slice()
        else {
            panic!("{block:?}");
        };
        assert_eq!(
            (a.as_str(), first.as_str()),
            (
                "a",
                "SELECT count(*) > 0 FROM information_schema.tables WHERE table_name = 't'"
            )
        );
        assert_eq!(
            (b.as_str(), second.as_str()),
            ("b", "SELECT data_type FROM information_schema.columns")
        );
        let conditions: Vec<_> = branches.iter().map(|(c, _)| c.as_deref()).collect();
        assert_eq!(conditions, [Some("a"), Some("c > 2"), Some("b = 'x'")]);
        assert!(matches!(branches[1].1.as_slice(), [Item::Sql(d)] if d.text == "DROP TABLE t"));
    }

    /// The columns of table `t` after replaying `sql` (PostgreSQL), which must not fail,
    /// and the warnings.
    fn columns(sql: &str, t: &str) -> (Vec<String>, usize) {
        let out = crate::replay::tests::ok(Dialect::Postgres, sql);
        let columns = out.schema.tables[t]
            .columns
            .iter()
            .map(|c| format!("{} {}", c.name, c.ty.canonical))
            .collect();
        (columns, out.warnings.len())
    }

    /// A block probing table `table` as migrations do (PostgreSQL 15 ran it on both tables
    /// of [`both_directions`]).
    fn probe(table: &str) -> String {
        format!(
            "DO $$
             DECLARE has_old boolean; props_type text; name_len int; state_type text;
             BEGIN
               SELECT count(*) != 0 INTO has_old FROM information_schema.columns
                 WHERE table_schema = 'public' AND table_name = '{table}' AND column_name = 'old';
               SELECT data_type INTO props_type FROM information_schema.columns
                 WHERE table_name = '{table}' AND column_name = 'props';
               SELECT character_maximum_length INTO name_len FROM information_schema.columns
                 WHERE table_name = '{table}' AND column_name = 'name';
               SELECT data_type INTO state_type FROM information_schema.columns
                 WHERE table_name = '{table}' AND column_name = 'state';
               IF has_old OR props_type <> 'jsonb' THEN
                 IF has_old THEN
                   UPDATE {table} SET props = old;
                   ALTER TABLE {table} DROP COLUMN old;
                 END IF;
                 ALTER TABLE {table} ALTER COLUMN props TYPE jsonb USING props::jsonb;
               ELSE
                 ALTER TABLE {table} ADD COLUMN IF NOT EXISTS done boolean;
               END IF;
               IF name_len < 50 THEN
                 ALTER TABLE {table} ALTER COLUMN name TYPE varchar(50);
               ELSIF state_type = 'USER-DEFINED' AND NOT EXISTS (
                   SELECT 1 FROM information_schema.tables WHERE table_name = '{table}_log') THEN
                 CREATE TABLE {table}_log (id int);
               END IF;
             END $$;"
        )
    }

    #[test]
    fn both_directions() {
        let history = format!(
            "CREATE TYPE st AS ENUM ('a');
             CREATE TABLE a (old text, props text, name varchar(10), state st);
             CREATE TABLE b (props jsonb, name character varying(80), state st);
             {} {} {}",
            probe("a"),
            probe("b"),
            probe("b")
        );
        let out = crate::replay::tests::ok(Dialect::Postgres, &history);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        let (a, _) = columns(&history, "a");
        assert_eq!(a, ["props jsonb", "name character varying(50)", "state st"]);
        // The second run on `b` finds `done` and `b_log` there: nothing more.
        let (b, _) = columns(&history, "b");
        assert_eq!(
            b,
            [
                "props jsonb",
                "name character varying(80)",
                "state st",
                "done boolean"
            ]
        );
        assert!(out.schema.tables.contains_key("b_log"));
        assert!(!out.schema.tables.contains_key("a_log"));
    }

    #[test]
    fn what_cannot_be_evaluated_takes_the_branch_that_applies() {
        // A count over pg_catalog is not computed: the first branch fails (no column
        // `gone`), so the ELSE branch is the one the server ran.
        let (t, warnings) = columns(
            "CREATE TABLE t (id int);
             DO $$ DECLARE n int := 0; BEGIN
               SELECT count(*) INTO n FROM pg_catalog.pg_class WHERE relname = 'x';
               IF n > 0 THEN ALTER TABLE t DROP COLUMN gone;
               ELSE ALTER TABLE t ADD COLUMN b int; END IF;
             END $$;
             ALTER TABLE t ADD COLUMN c int;",
            "t",
        );
        assert_eq!(t, ["id integer", "b integer", "c integer"]);
        assert_eq!(warnings, 0);
    }

    #[test]
    fn data_changed_through_common_table_expressions_is_dml() {
        let (t, warnings) = columns(
            "CREATE TABLE t (id int, n int);
             DO $$ DECLARE has_n boolean; BEGIN
               SELECT count(*) > 0 INTO has_n FROM information_schema.columns
                 WHERE table_name = 't' AND column_name = 'n';
               ALTER TABLE t ADD COLUMN IF NOT EXISTS m int;
               WITH q AS (SELECT id, n FROM t) UPDATE t SET m = q.n FROM q WHERE t.id = q.id;
               IF has_n THEN ALTER TABLE t DROP COLUMN n; END IF;
             END $$;",
            "t",
        );
        assert_eq!(t, ["id integer", "m integer"]);
        assert_eq!(warnings, 0);
        let with_into =
            "DO $$ DECLARE v int; BEGIN WITH q AS (SELECT 1 AS a) SELECT a INTO v FROM q; END $$";
        assert!(read(&stmt(with_into)).is_none());
        assert!(modifies_data(
            "WITH q AS (SELECT 1), r AS (DELETE FROM u) INSERT INTO t SELECT 1"
        ));
    }
}
