//! MySQL dynamic SQL the replay can follow: a statement's text built from string literals
//! into a user variable (`SET @s = CONCAT('ALTER TABLE ', 't', ...)`, or
//! `SET @s = (SELECT IF(condition, 'ALTER TABLE ...', 'SELECT 1'))`), then
//! `PREPARE p FROM @s` and `EXECUTE p`; at the top level of a migration, or in the body of
//! a procedure the history defined (`CREATE PROCEDURE drop_fk(IN t VARCHAR(64), ...)`)
//! that a later `CALL drop_fk('orders', 'orders_user_fk')` runs with literal arguments.
//!
//! Migrations use these to make DDL idempotent (MySQL has no `DROP INDEX IF EXISTS`). A
//! top-level `IF(condition, ...)` over `information_schema` that [`super::info_schema`]
//! can evaluate on the replayed schema picks its branch. Any other condition is not
//! evaluated: the server accepted the history, so a guarded statement that would fail
//! here is one the condition kept from running. Each text is applied as a statement at the `EXECUTE` or
//! `CALL`: under a condition, the first candidate that applies cleanly is the one the
//! server ran, and one that would fail is recorded as skipped; without a condition, its
//! errors stand. Anything else (a text read from a table, a non-literal argument) leaves
//! the statement to the usual skip, which makes later conflicts warnings.

use super::maps::HashMap;

use sqlparser::tokenizer::Token;

use super::Replayer;
use super::words::Words;
use crate::dialect::Dialect;
use crate::model::Skipped;
use crate::statement::Statement;

/// Piece of a statement text: literal text, or a procedure parameter (by position).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Param(usize),
}

/// The texts a value may hold (several under `IF(...)`), each a sequence of parts.
type Candidates = Vec<Vec<Part>>;

/// At most this many candidate texts for one value (`CONCAT` of `IF`s multiplies them).
const MAX_CANDIDATES: usize = 16;

/// One statement of a procedure body the replay follows.
#[derive(Debug, Clone)]
enum Step {
    /// `SET @var = value`.
    Set(String, Candidates),
    /// `PREPARE name FROM @var` / `FROM 'text'`.
    Prepare(String, Source),
    /// `EXECUTE name`.
    Execute(String),
}

/// Where `PREPARE` takes its text.
#[derive(Debug, Clone)]
enum Source {
    Var(String),
    Text(Candidates),
}

/// A procedure whose body builds and runs statements.
#[derive(Debug, Clone)]
struct Procedure {
    params: usize,
    steps: Vec<Step>,
    /// The body has a condition (`IF`, `CASE`, `WHILE`...) the replay does not evaluate.
    guarded: bool,
}

/// The session state dynamic SQL reads: user variables, prepared statements, and the
/// procedures the history defined (names lower case).
#[derive(Debug, Clone, Default)]
pub(crate) struct Dynamic {
    /// `@var` -> its candidate texts, and whether an `IF` chose among them.
    vars: HashMap<String, (Vec<String>, bool)>,
    prepared: HashMap<String, (Vec<String>, bool)>,
    procedures: HashMap<String, Procedure>,
    /// Procedures without parameters whose body runs DDL itself ([`super::procedure_ddl`]).
    scripts: HashMap<String, Vec<super::procedure_ddl::Item>>,
    /// Procedures whose body has DDL statements or runs dynamic SQL (followed or not), for
    /// the warning at a `CALL` the replay cannot follow.
    schema_changers: HashMap<String, SchemaChanger>,
}

/// A procedure that may change the schema, as the warning at a `CALL` the replay cannot
/// follow describes it.
#[derive(Debug, Clone)]
struct SchemaChanger {
    /// Where the procedure was defined.
    defined: crate::model::Location,
    /// The definition's first line.
    first_line: String,
    /// Its body has no DDL statement of its own, only dynamic SQL (`PREPARE ... EXECUTE`).
    dynamic_only: bool,
}

/// Reads values from a statement's significant tokens.
struct Reader<'a> {
    w: &'a Words,
    params: &'a [String],
    vars: &'a HashMap<String, (Vec<String>, bool)>,
    /// The schema an `IF` condition is evaluated on when the value is read where the
    /// server evaluates it (a top-level `SET`; `None` in a procedure body, read at its
    /// definition).
    schema: Option<&'a crate::model::Schema>,
    /// An `IF(...)` was read that the replay could not evaluate: the value is conditional.
    conditional: bool,
}

impl Reader<'_> {
    /// The value starting at token `i`, and the index after it.
    fn value(&mut self, i: usize) -> Option<(Candidates, usize)> {
        let w = self.w;
        match w.get(i)? {
            Token::SingleQuotedString(s) | Token::DoubleQuotedString(s) => {
                Some((vec![vec![Part::Text(s.clone())]], i + 1))
            }
            Token::Number(n, _) => Some((vec![vec![Part::Text(n.clone())]], i + 1)),
            Token::LParen => {
                let (v, next) = if w.is(i + 1, "SELECT") {
                    self.value(i + 2)?
                } else {
                    self.value(i + 1)?
                };
                (w.get(next) == Some(&Token::RParen)).then_some((v, next + 1))
            }
            Token::Word(_) if w.is(i, "CONCAT") && w.get(i + 1) == Some(&Token::LParen) => {
                let mut out: Candidates = vec![Vec::new()];
                let mut at = i + 2;
                loop {
                    let (v, next) = self.value(at)?;
                    let mut product = Vec::new();
                    for a in &out {
                        for b in &v {
                            product.push(a.iter().chain(b).cloned().collect());
                        }
                    }
                    if product.len() > MAX_CANDIDATES {
                        return None;
                    }
                    out = product;
                    match w.get(next)? {
                        Token::Comma => at = next + 1,
                        Token::RParen => return Some((out, next + 1)),
                        _ => return None,
                    }
                }
            }
            Token::Word(_) if w.is(i, "IF") && w.get(i + 1) == Some(&Token::LParen) => {
                // IF(condition, then, else): the condition is not evaluated.
                let mut depth = 0i32;
                let mut at = i + 2;
                loop {
                    match w.get(at)? {
                        Token::LParen => depth += 1,
                        Token::RParen if depth == 0 => return None,
                        Token::RParen => depth -= 1,
                        Token::Comma if depth == 0 => break,
                        _ => {}
                    }
                    at += 1;
                }
                let holds = self.schema.and_then(|s| {
                    super::info_schema::evaluate(s, Dialect::Mysql, w.slice(i + 2, at))
                });
                let (mut then, next) = self.value(at + 1)?;
                if w.get(next) != Some(&Token::Comma) {
                    return None;
                }
                let (other, next) = self.value(next + 1)?;
                if w.get(next) != Some(&Token::RParen) {
                    return None;
                }
                match holds {
                    Some(true) => {}
                    Some(false) => then = other,
                    None => {
                        then.extend(other);
                        self.conditional = true;
                    }
                }
                (then.len() <= MAX_CANDIDATES).then_some((then, next + 1))
            }
            Token::Word(word) if word.quote_style.is_none() => {
                let name = word.value.to_lowercase();
                if let Some(p) = self.params.iter().position(|p| *p == name) {
                    return Some((vec![vec![Part::Param(p)]], i + 1));
                }
                let (texts, conditional) = self.vars.get(name.strip_prefix('@')?)?;
                self.conditional |= conditional;
                Some((
                    texts.iter().map(|t| vec![Part::Text(t.clone())]).collect(),
                    i + 1,
                ))
            }
            _ => None,
        }
    }
}

/// The lower-cased name of a user variable token (`@s` -> `s`).
fn user_var(w: &Words, i: usize) -> Option<String> {
    match w.get(i)? {
        Token::Word(x) if x.quote_style.is_none() => {
            x.value.strip_prefix('@').map(str::to_lowercase)
        }
        _ => None,
    }
}

/// The lower-cased last part of the name at token `i`, and the index after it.
fn name(w: &Words, i: usize) -> Option<(String, usize)> {
    let (n, next) = w.name_at(i)?;
    let last = n.0.last()?.as_ident()?.value.to_lowercase();
    Some((last, next))
}

/// The steps at token `i` onwards (a procedure body, or one top-level statement), with
/// `params` readable. Unreadable statements in between are passed over.
fn steps(
    w: &Words,
    from: usize,
    params: &[String],
    vars: &HashMap<String, (Vec<String>, bool)>,
    schema: Option<&crate::model::Schema>,
) -> (Vec<Step>, bool) {
    let mut out = Vec::new();
    let mut conditional = false;
    let mut i = from;
    while i < w.len() {
        if w.is(i, "SET")
            && let Some(var) = user_var(w, i + 1)
            && matches!(w.get(i + 2), Some(Token::Eq | Token::Assignment))
        {
            let mut r = Reader {
                w,
                params,
                vars,
                schema,
                conditional: false,
            };
            if let Some((v, next)) = r.value(i + 3) {
                conditional |= r.conditional;
                out.push(Step::Set(var, v));
                i = next;
                continue;
            }
            // A value the replay cannot read: the variable is unknown from here on.
            out.push(Step::Set(var, Vec::new()));
        } else if w.is(i, "PREPARE")
            && let Some((stmt, next)) = name(w, i + 1)
            && w.is(next, "FROM")
        {
            if let Some(var) = user_var(w, next + 1) {
                out.push(Step::Prepare(stmt, Source::Var(var)));
                i = next + 2;
                continue;
            }
            let mut r = Reader {
                w,
                params,
                vars,
                schema,
                conditional: false,
            };
            if let Some((v, after)) = r.value(next + 1) {
                conditional |= r.conditional;
                out.push(Step::Prepare(stmt, Source::Text(v)));
                i = after;
                continue;
            }
        } else if w.is(i, "EXECUTE")
            && let Some((stmt, next)) = name(w, i + 1)
        {
            out.push(Step::Execute(stmt));
            i = next;
            continue;
        }
        i += 1;
    }
    (out, conditional)
}

/// The text of a candidate with the call's arguments in place.
fn text(parts: &[Part], args: &[String]) -> Option<String> {
    parts
        .iter()
        .map(|p| match p {
            Part::Text(t) => Some(t.as_str()),
            Part::Param(n) => args.get(*n).map(String::as_str),
        })
        .collect()
}

impl Replayer {
    /// Follows MySQL dynamic SQL in `stmt` (see the module docs): records what `SET @v`,
    /// `PREPARE` and `CREATE PROCEDURE` define (returns `false`: the statement is then
    /// skipped as usual), and applies what `EXECUTE` or `CALL` runs (returns `true`: done).
    pub(crate) fn follow_dynamic(&mut self, stmt: &Statement) -> bool {
        let head = super::skip::leading_words(&stmt.text, 6);
        let mut head_words = head.split(' ');
        let lead = head_words.next().unwrap_or_default();
        let wanted = match lead {
            "PREPARE" | "EXECUTE" | "CALL" | "SET" => true,
            "CREATE" => head_words.any(|w| w == "PROCEDURE"),
            _ => false,
        };
        if !wanted {
            return false;
        }
        let Some(w) = Words::of(&*self.parser, &stmt.text) else {
            return false;
        };
        match lead {
            "CREATE" => {
                self.define_procedure(&w, stmt);
                false
            }
            "CALL" => self.call(stmt, &w),
            _ => {
                let (steps, conditional) =
                    steps(&w, 0, &[], &self.dynamic.vars, Some(&self.schema));
                let executes = steps.iter().any(|s| matches!(s, Step::Execute(_)));
                if executes && !self.can_run(&steps, &[]) {
                    return false;
                }
                self.run(stmt, &steps, &[], conditional);
                executes
            }
        }
    }

    /// Records `CREATE [DEFINER = x] PROCEDURE [IF NOT EXISTS] name (params) ... body`
    /// (`stmt`) when its body builds and executes statements, or runs DDL itself.
    fn define_procedure(&mut self, w: &Words, stmt: &Statement) {
        let text = stmt.text.as_str();
        let Some(at) = (1..w.len().min(8)).find(|&i| w.is(i, "PROCEDURE")) else {
            return;
        };
        let mut i = at + 1;
        if w.is(i, "IF") {
            i += 3;
        }
        let Some((proc_name, next)) = name(w, i) else {
            return;
        };
        match super::procedure_ddl::body(text) {
            Some(items) => self.dynamic.scripts.insert(proc_name.clone(), items),
            None => self.dynamic.scripts.remove(&proc_name),
        };
        if w.get(next) != Some(&Token::LParen) {
            return;
        }
        // Parameters: `[IN | OUT | INOUT] name type`, separated by top-level commas.
        let mut params = Vec::new();
        let (mut depth, mut k, mut expect_name) = (0i32, next + 1, true);
        loop {
            match w.get(k) {
                None => return,
                Some(Token::LParen) => depth += 1,
                Some(Token::RParen) if depth == 0 => break,
                Some(Token::RParen) => depth -= 1,
                Some(Token::Comma) if depth == 0 => expect_name = true,
                Some(Token::Word(x))
                    if expect_name && !["IN", "OUT", "INOUT"].iter().any(|m| w.is(k, m)) =>
                {
                    params.push(x.value.to_lowercase());
                    expect_name = false;
                }
                _ => {}
            }
            k += 1;
        }
        let body = k + 1;
        let (steps, _) = steps(w, body, &params, &HashMap::default(), None);
        let executes = steps.iter().any(|s| matches!(s, Step::Execute(_)));
        let ddl = (body..w.len()).any(|i| {
            ["ALTER", "CREATE", "DROP", "RENAME"]
                .iter()
                .any(|d| w.is(i, d))
        });
        if ddl || executes {
            let changer = SchemaChanger {
                defined: stmt.at.clone(),
                first_line: stmt.first_line().to_string(),
                dynamic_only: !ddl,
            };
            self.dynamic
                .schema_changers
                .insert(proc_name.clone(), changer);
        } else {
            self.dynamic.schema_changers.remove(&proc_name);
        }
        if !executes {
            self.dynamic.procedures.remove(&proc_name);
            return;
        }
        let guarded = (body..w.len()).any(|i| {
            ["IF", "CASE", "WHILE", "LOOP", "REPEAT"]
                .iter()
                .any(|c| w.is(i, c))
        });
        self.dynamic.procedures.insert(
            proc_name,
            Procedure {
                params: params.len(),
                steps,
                guarded,
            },
        );
    }

    /// `CALL name(...)`: runs what [`Replayer::define_procedure`] recorded. A procedure
    /// whose body has DDL or dynamic SQL the replay cannot follow is skipped with a warning
    /// (the tables it changes may differ) and noted as a possible cause of later
    /// conflicts; `false` leaves any other `CALL` to the usual skip.
    fn call(&mut self, stmt: &Statement, w: &Words) -> bool {
        if self.try_call(stmt, w) {
            return true;
        }
        let Some((proc_name, _)) = name(w, 1) else {
            return false;
        };
        let Some(changer) = self.dynamic.schema_changers.get(&proc_name).cloned() else {
            return false;
        };
        let reason = if changer.dynamic_only {
            format!(
                "CALL of procedure `{proc_name}`, whose dynamic SQL (PREPARE ... EXECUTE) the \
                 replay cannot follow (arguments that are not literals, or a statement text \
                 or condition it cannot evaluate)"
            )
        } else {
            format!(
                "CALL of procedure `{proc_name}`, whose body changes the schema in a way the \
                 replay does not follow (arguments, or a statement or condition it cannot \
                 evaluate)"
            )
        };
        self.warnings.push(crate::diagnostic::Warning {
            message: format!("{reason}: the tables it changes may differ from the server's"),
            location: stmt.at.clone(),
            source_line: stmt.source_line.clone(),
            cause: changer.defined,
            cause_line: changer.first_line,
            cause_note: "the procedure is defined here".to_string(),
            help: "run the changes as plain statements, or guard them with IF conditions \
                   on information_schema columns, indexes or constraints (strict mode makes \
                   this an error)"
                .to_string(),
        });
        self.skipped.push(Skipped {
            at: stmt.at.clone(),
            reason,
            first_line: stmt.first_line().to_string(),
        });
        self.note_unseen(stmt);
        true
    }

    /// Runs a `CALL` of a procedure the replay follows; `false` when it cannot.
    fn try_call(&mut self, stmt: &Statement, w: &Words) -> bool {
        let Some((proc_name, next)) = name(w, 1) else {
            return false;
        };
        let Some(procedure) = self.dynamic.procedures.get(&proc_name).cloned() else {
            // A body that runs DDL itself, called without arguments.
            let no_args = match w.get(next) {
                None => true,
                Some(Token::LParen) => {
                    w.get(next + 1) == Some(&Token::RParen) && w.len() == next + 2
                }
                Some(_) => false,
            };
            return match self.dynamic.scripts.get(&proc_name).cloned() {
                Some(items) if no_args => self.run_procedure_ddl(stmt, &items),
                _ => false,
            };
        };
        let mut args = Vec::new();
        if w.get(next) == Some(&Token::LParen) {
            let mut k = next + 1;
            while w.get(k) != Some(&Token::RParen) {
                match w.get(k) {
                    Some(
                        Token::SingleQuotedString(s)
                        | Token::DoubleQuotedString(s)
                        | Token::Number(s, _),
                    ) => args.push(s.clone()),
                    _ => return false,
                }
                k += 1;
                match w.get(k) {
                    Some(Token::Comma) => k += 1,
                    Some(Token::RParen) => {}
                    _ => return false,
                }
            }
            if k + 1 != w.len() {
                return false;
            }
        }
        if args.len() != procedure.params || !self.can_run(&procedure.steps, &args) {
            return false;
        }
        self.run(stmt, &procedure.steps, &args, procedure.guarded);
        true
    }

    /// Whether every `EXECUTE` among `steps` runs a text the replay knows: prepared from
    /// literals, parameters and variables it read (here or before).
    fn can_run(&self, steps: &[Step], args: &[String]) -> bool {
        let mut vars: HashMap<&str, bool> = HashMap::default();
        let mut prepared: HashMap<&str, bool> = HashMap::default();
        for step in steps {
            match step {
                Step::Set(var, v) => {
                    let known = !v.is_empty() && v.iter().all(|c| text(c, args).is_some());
                    vars.insert(var, known);
                }
                Step::Prepare(p, Source::Var(var)) => {
                    let known = vars
                        .get(var.as_str())
                        .copied()
                        .unwrap_or_else(|| self.dynamic.vars.contains_key(var));
                    prepared.insert(p, known);
                }
                Step::Prepare(p, Source::Text(v)) => {
                    prepared.insert(p, v.iter().all(|c| text(c, args).is_some()));
                }
                Step::Execute(p) => {
                    let known = prepared
                        .get(p.as_str())
                        .copied()
                        .unwrap_or_else(|| self.dynamic.prepared.contains_key(p));
                    if !known {
                        return false;
                    }
                }
            }
        }
        true
    }

    /// Runs `steps` (see the module docs); `guarded`: a condition the replay does not
    /// evaluate decided whether each statement ran.
    fn run(&mut self, stmt: &Statement, steps: &[Step], args: &[String], guarded: bool) {
        for step in steps {
            match step {
                Step::Set(var, v) if v.is_empty() => {
                    self.dynamic.vars.remove(var);
                }
                Step::Set(var, v) => {
                    let texts = v.iter().filter_map(|c| text(c, args)).collect();
                    self.dynamic
                        .vars
                        .insert(var.clone(), (texts, guarded || v.len() > 1));
                }
                Step::Prepare(p, Source::Var(var)) => match self.dynamic.vars.get(var) {
                    Some(v) => {
                        let v = v.clone();
                        self.dynamic.prepared.insert(p.clone(), v);
                    }
                    None => {
                        self.dynamic.prepared.remove(p);
                    }
                },
                Step::Prepare(p, Source::Text(v)) => {
                    let texts = v.iter().filter_map(|c| text(c, args)).collect();
                    self.dynamic
                        .prepared
                        .insert(p.clone(), (texts, guarded || v.len() > 1));
                }
                Step::Execute(p) => match self.dynamic.prepared.get(p).cloned() {
                    Some((texts, conditional)) => {
                        self.execute(stmt, &texts, guarded || conditional);
                    }
                    None => self.skipped.push(Skipped {
                        at: stmt.at.clone(),
                        reason: format!(
                            "EXECUTE {p}: a statement the replay cannot read (prepared from \
                             text it does not know)"
                        ),
                        first_line: stmt.first_line().to_string(),
                    }),
                },
            }
        }
    }

    /// Applies the statement an `EXECUTE` at `stmt` ran, one of `texts`; `guarded`: the
    /// first that applies cleanly is the one the server ran (else none ran).
    fn execute(&mut self, stmt: &Statement, texts: &[String], guarded: bool) {
        let as_stmt = |t: &String| Statement {
            text: t.trim().trim_end_matches(';').trim_end().to_string(),
            at: stmt.at.clone(),
            source_line: stmt.source_line.clone(),
        };
        if !guarded {
            for t in texts {
                self.apply(&as_stmt(t));
            }
            return;
        }
        // Statements that change something first: `SELECT 1` is the "nothing to do" branch.
        let idle = |t: &&String| {
            let lead = super::skip::leading_words(t, 1);
            lead.is_empty() || lead == "SELECT" || lead == "DO"
        };
        let mut order: Vec<&String> = texts.iter().filter(|t| !idle(t)).collect();
        order.extend(texts.iter().filter(idle));
        for t in &order {
            let saved = self.snapshot();
            self.apply(&as_stmt(t));
            if !self.failed_since(&saved) {
                return;
            }
            self.restore(saved);
        }
        let first = order.first().map_or("", |t| t.trim());
        self.skipped.push(Skipped {
            at: stmt.at.clone(),
            reason: format!(
                "runs `{first}` only under a condition, and it would fail here: the server did \
                 not run it"
            ),
            first_line: stmt.first_line().to_string(),
        });
    }
}
