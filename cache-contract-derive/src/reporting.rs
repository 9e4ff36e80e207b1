//! What one compiler process remembers between derives over the same replay: whether the
//! migrations were `include_bytes!`d already (once per crate is enough), and where their
//! errors were reported in full (the other structs point there); and how those errors read.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, Weak};

use schema_check::contract::Errors;
use schema_check::contract::errors::MIGRATIONS;

use crate::replay::{Replay, Source};

/// The state of one replay in this process.
struct State {
    /// The replay it is about: a new replay of the directory starts afresh.
    replay: Weak<Replay>,
    tracked: bool,
    reported_at: Option<String>,
}

static STATES: Mutex<Option<HashMap<Source, State>>> = Mutex::new(None);

fn with_state<R>(source: &Source, replay: &Arc<Replay>, f: impl FnOnce(&mut State) -> R) -> R {
    let mut guard = STATES.lock().unwrap_or_else(|e| e.into_inner());
    let states = guard.get_or_insert_with(HashMap::new);
    let fresh = || State {
        replay: Arc::downgrade(replay),
        tracked: false,
        reported_at: None,
    };
    let state = states.entry(source.clone()).or_insert_with(fresh);
    if !Weak::ptr_eq(&state.replay, &Arc::downgrade(replay)) {
        *state = fresh();
    }
    f(state)
}

/// Whether this derive is the first over `replay` to ask, and so must track its files
/// for rebuilds (every later one gets `false`).
pub fn first_to_track(source: &Source, replay: &Arc<Replay>) -> bool {
    with_state(source, replay, |s| !std::mem::replace(&mut s.tracked, true))
}

/// Where an earlier derive reported the errors of `replay` in full (`file:line:col`), for
/// this one to point at instead of repeating them; `None` for the first derive to ask,
/// which reports them at `here`. Only inside rustc, which expands each derive once: a
/// long-lived host (rust-analyzer) shows every struct's errors in full.
pub fn earlier_report(
    source: &Source,
    replay: &Arc<Replay>,
    here: impl FnOnce() -> String,
) -> Option<String> {
    if !in_compiler() {
        return None;
    }
    with_state(source, replay, |s| match &s.reported_at {
        Some(at) => Some(at.clone()),
        None => {
            s.reported_at = Some(here());
            None
        }
    })
}

/// Whether this process is rustc compiling one crate (its command line names the crate),
/// rather than a long-lived host of proc macros such as rust-analyzer's server.
pub fn in_compiler() -> bool {
    static IN_COMPILER: OnceLock<bool> = OnceLock::new();
    *IN_COMPILER.get_or_init(|| std::env::args_os().any(|a| a == "--crate-name"))
}

/// The migrations' errors: in full at the first struct over the directory, pointing there
/// at the others (every struct over it fails alike).
pub fn report_migration_errors(
    source: &Source,
    replay: &Arc<Replay>,
    span: proc_macro2::Span,
    errors: &mut Errors,
) {
    if replay.errors.is_empty() {
        return;
    }
    match earlier_report(source, replay, || location(span)) {
        None => {
            for e in &replay.errors {
                errors.at(&MIGRATIONS, span, migration_error(e));
            }
        }
        Some(at) => {
            let n = replay.errors.len();
            let msg = format!(
                "the migrations in `{}` do not replay ({n} error{}, shown in full at {at}): cache structs cannot be checked against them until they do",
                source.display,
                if n == 1 { "" } else { "s" },
            );
            errors.at(&MIGRATIONS, span, msg);
        }
    }
}

/// `file:line:col` of `span`, as rustc shows it.
fn location(span: proc_macro2::Span) -> String {
    if !proc_macro::is_available() {
        return "an earlier derive".to_string(); // unit tests run outside the compiler
    }
    let span = span.unwrap();
    format!("{}:{}:{}", span.file(), span.line(), span.column())
}

/// A migration error as one compile error: where, what, the line, and what to do.
fn migration_error(d: &schema_check::Diagnostic) -> String {
    let mut msg = match &d.location {
        Some(at) => format!("{at}: {}", d.message),
        None => d.message.clone(),
    };
    if let (Some(at), Some(line)) = (&d.location, &d.source_line) {
        msg.push_str(&format!("\n{:>5} | {}", at.line, line.trim_end()));
    }
    if let Some(help) = &d.help {
        msg.push_str(&format!("\nhelp: {help}"));
    }
    msg.push_str(
        "\n(the migrations must replay cleanly before cache structs can be checked against them)",
    );
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_tracked_once_per_replay() {
        let source = Source {
            dir: "/nowhere/reporting-test".into(),
            display: "m".into(),
            dialect: schema_check::Dialect::Postgres,
            strict: false,
        };
        let replay = || {
            Arc::new(Replay {
                schema: Default::default(),
                files: vec![],
                errors: vec![],
            })
        };
        let (a, b) = (replay(), replay());
        assert!(first_to_track(&source, &a));
        assert!(!first_to_track(&source, &a));
        assert!(first_to_track(&source, &b), "a new replay of the directory");
        assert!(
            earlier_report(&source, &b, || "x".into()).is_none(),
            "outside rustc every struct reports in full"
        );
    }
}
