//! Measures the statement splitter against a baseline measured in the same run: the
//! sqlparser tokenizer on the same text (the least any SQL-aware splitter must do), and
//! the full replay (parse + apply) of the same statements.
//!
//! Run with `cargo run --release -p schema-check --example split_ratio`.
//! Prints ratios only; absolute times depend on the machine.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use schema_check::replay::Replayer;
use schema_check::split::split;
use schema_check::{Dialect, ReplayOptions, replay_dir};
use sqlparser::tokenizer::Tokenizer;

/// The fastest of `rounds` timings of `f` (the minimum is the least noisy estimate).
fn best(rounds: u32, mut f: impl FnMut()) -> Duration {
    (0..rounds)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/saas/migrations");
    let replay = replay_dir(&dir, &ReplayOptions::default()).expect("the example replays");
    let mut one = String::new();
    for m in &replay.migrations {
        one.push_str(&std::fs::read_to_string(&m.path).expect("readable"));
        one.push('\n');
    }
    // About 1 MB of realistic migration text.
    let big = one.repeat((1 << 20) / one.len() + 1);
    let dialect = Dialect::Postgres;
    let parser_dialect = dialect.parser_dialect();

    let t_split = best(15, || {
        black_box(split(black_box(&big), "big.sql", dialect));
    });
    let t_tokenize = best(15, || {
        let tokens = Tokenizer::new(&*parser_dialect, black_box(&big)).tokenize();
        black_box(tokens.map(|t| t.len()).unwrap_or(0));
    });
    let statements = split(&one, "one.sql", dialect).statements;
    let t_split_one = best(200, || {
        black_box(split(black_box(&one), "one.sql", dialect));
    });
    let t_replay_one = best(200, || {
        let mut r = Replayer::new(dialect);
        for s in &statements {
            r.apply(s);
        }
        black_box(r.finish());
    });

    let mb = big.len() as f64 / (1 << 20) as f64;
    println!(
        "input: {mb:.2} MiB ({} statements per copy of the example)",
        statements.len()
    );
    println!(
        "split / sqlparser tokenize (same text):       {:.2}",
        t_split.as_secs_f64() / t_tokenize.as_secs_f64()
    );
    println!(
        "split / replay of the split statements:       {:.3}",
        t_split_one.as_secs_f64() / t_replay_one.as_secs_f64()
    );
}
