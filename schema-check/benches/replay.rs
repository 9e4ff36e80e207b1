//! Replay cost against its floor: parsing the same statements with sqlparser.
//!
//! A deterministic history of 1,000 PostgreSQL migrations (CREATE/ALTER/RENAME/DROP mixed
//! with functions, INSERTs, COMMENT ON and GRANT noise) is
//! (a) parsed statement by statement with `Parser::parse_sql` — the baseline — and
//! (b) replayed (parse + apply) with `Replayer`.
//! Criterion measures both; then the ratio replay/baseline is printed from the medians of
//! 41 interleaved runs measured in the same process, in thread CPU time and wall time.
//!
//! The same comparison runs on a second history of 2,000 migrations that creates 500
//! views over tables and over other views and rebuilds them over time (`DROP VIEW ...
//! CASCADE`, `DROP COLUMN ... CASCADE` of the columns they read, tables renamed and
//! dropped under them): dependency tracking must keep the replay linear.
//!
//! Last, `replay_dir` of the first history written as files, parsing on one thread against
//! one per core.
//!
//! Run: `cargo bench -p schema-check --bench replay`
//!
//! For instruction counts, `--only parse|replay|parse-views|replay-views` runs one side on
//! one history once and exits (no criterion), e.g.
//! `valgrind --tool=callgrind --toggle-collect='replay::run_once' target/release/deps/replay-* --only replay-views`.

use std::hint::black_box;
use std::num::NonZeroUsize;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use schema_check::{Dialect, Location, ReplayOptions, Replayer, Statement, replay_dir};
use sqlparser::parser::Parser;

/// A tiny deterministic generator (xorshift), so every run replays the same history.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const TYPES: &[&str] = &[
    "integer",
    "bigint",
    "text",
    "varchar(120)",
    "timestamptz",
    "boolean",
    "numeric(12,2)",
    "uuid",
    "jsonb",
    "text[]",
];

/// Live tables and their columns, so every generated statement applies cleanly.
struct State {
    tables: Vec<(String, Vec<String>)>,
    next_table: usize,
    next_column: usize,
}

fn migration(rng: &mut Rng, state: &mut State, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    let kind = if state.tables.len() < 5 {
        0
    } else {
        rng.below(10)
    };
    match kind {
        0 | 1 => {
            let name = format!("t{}", state.next_table);
            state.next_table += 1;
            let mut cols = vec!["id".to_string(), "tenant_id".to_string()];
            let mut defs = vec![
                "id bigserial PRIMARY KEY".to_string(),
                "tenant_id uuid NOT NULL".to_string(),
            ];
            for _ in 0..(3 + rng.below(6)) {
                let c = format!("c{}", state.next_column);
                state.next_column += 1;
                let ty = TYPES[rng.below(TYPES.len())];
                let null = if rng.below(2) == 0 { " NOT NULL" } else { "" };
                defs.push(format!("{c} {ty}{null}"));
                cols.push(c);
            }
            out.push(format!(
                "CREATE TABLE IF NOT EXISTS public.{name} (\n    {},\n    UNIQUE (tenant_id, id)\n)",
                defs.join(",\n    ")
            ));
            out.push(format!("CREATE INDEX {name}_tenant ON {name} (tenant_id)"));
            state.tables.push((name, cols));
        }
        2 | 3 => {
            let t = rng.below(state.tables.len());
            let c = format!("c{}", state.next_column);
            state.next_column += 1;
            let ty = TYPES[rng.below(TYPES.len())];
            let (name, cols) = &mut state.tables[t];
            out.push(format!(
                "ALTER TABLE {name} ADD COLUMN {c} {ty} DEFAULT NULL, ALTER COLUMN tenant_id SET NOT NULL"
            ));
            cols.push(c);
        }
        4 => {
            let t = rng.below(state.tables.len());
            let (name, cols) = &mut state.tables[t];
            if cols.len() > 3 {
                let c = cols.remove(2 + rng.below(cols.len() - 2));
                out.push(format!("ALTER TABLE {name} DROP COLUMN IF EXISTS {c}"));
            }
        }
        5 => {
            let t = rng.below(state.tables.len());
            let fresh = format!("c{}", state.next_column);
            state.next_column += 1;
            let (name, cols) = &mut state.tables[t];
            let i = 2 + rng.below(cols.len() - 2);
            let old = std::mem::replace(&mut cols[i], fresh.clone());
            out.push(format!("ALTER TABLE {name} RENAME COLUMN {old} TO {fresh}"));
            out.push(format!(
                "ALTER TABLE {name} ALTER COLUMN {fresh} TYPE text USING {fresh}::text"
            ));
        }
        6 => {
            let t = rng.below(state.tables.len());
            let fresh = format!("t{}", state.next_table);
            state.next_table += 1;
            let old = std::mem::replace(&mut state.tables[t].0, fresh.clone());
            out.push(format!("ALTER TABLE {old} RENAME TO {fresh}"));
        }
        7 => {
            let t = rng.below(state.tables.len());
            let (name, _) = state.tables.remove(t);
            out.push(format!("DROP TABLE IF EXISTS {name} CASCADE"));
        }
        _ => {
            let (name, cols) = &state.tables[rng.below(state.tables.len())];
            out.push(format!(
                "CREATE OR REPLACE FUNCTION touch_{n}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  NEW.{} := now();\n  RETURN NEW;\nEND\n$$",
                cols[0]
            ));
            out.push(format!(
                "INSERT INTO {name} (id, tenant_id) VALUES ({n}, '00000000-0000-0000-0000-000000000000')"
            ));
            out.push(format!("COMMENT ON TABLE {name} IS 'migration {n}'"));
            out.push(format!("GRANT SELECT, INSERT ON {name} TO app_{}", n % 7));
        }
    }
    out
}

/// The statements of 1,000 migrations, located as the splitter would locate them.
pub(crate) fn history() -> Vec<Statement> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut state = State {
        tables: Vec::new(),
        next_table: 0,
        next_column: 0,
    };
    let mut out = Vec::new();
    for n in 0..1000 {
        let file: std::sync::Arc<str> = format!("migrations/{:04}_m.sql", n + 1).into();
        let mut line = 1;
        for text in migration(&mut rng, &mut state, n) {
            let source_line = text.lines().next().unwrap_or("").to_string();
            let lines = text.lines().count() as u32;
            out.push(Statement {
                source_line,
                at: Location {
                    file: file.clone(),
                    line,
                    column: 1,
                },
                text,
            });
            line += lines + 1;
        }
    }
    out
}

/// A view of the views history: what it reads, to drop what PostgreSQL's CASCADE drops.
struct ViewState {
    name: String,
    materialized: bool,
    /// Tables it reads (their uids) and the columns it reads of them.
    tables: Vec<usize>,
    columns: Vec<(usize, String)>,
    /// Views it reads.
    views: Vec<String>,
}

/// Tables (uid, name, columns) and views of the views history.
#[derive(Default)]
struct ViewsState {
    tables: Vec<(usize, String, Vec<String>)>,
    views: Vec<ViewState>,
    next_table: usize,
    next_column: usize,
    next_view: usize,
    created_views: usize,
}

impl ViewsState {
    /// Forgets the views `gone` says must go, and every view built on them.
    fn cascade(&mut self, gone: impl Fn(&ViewState) -> bool) {
        let mut dropped: Vec<String> = Vec::new();
        self.views.retain(|v| {
            let g = gone(v);
            if g {
                dropped.push(v.name.clone());
            }
            !g
        });
        while !dropped.is_empty() {
            let mut next = Vec::new();
            self.views.retain(|v| {
                let g = v.views.iter().any(|d| dropped.contains(d));
                if g {
                    next.push(v.name.clone());
                }
                !g
            });
            dropped = next;
        }
    }

    /// A `CREATE [MATERIALIZED] VIEW` over a table or another view.
    fn create_view(&mut self, rng: &mut Rng, name: String, out: &mut Vec<String>) {
        self.created_views += 1;
        let materialized = rng.below(5) == 0;
        let kw = if materialized {
            "MATERIALIZED VIEW"
        } else {
            "VIEW"
        };
        if !self.views.is_empty() && rng.below(3) == 0 {
            let base = &self.views[rng.below(self.views.len())];
            out.push(format!(
                "CREATE {kw} {name} AS
SELECT b.*, now() AS seen_at FROM {} b WHERE b.id > 0",
                base.name
            ));
            let state = ViewState {
                name: name.clone(),
                materialized,
                tables: base.tables.clone(),
                columns: Vec::new(),
                views: vec![base.name.clone()],
            };
            self.views.push(state);
        } else {
            let (uid, table, cols) = &self.tables[rng.below(self.tables.len())];
            let picked: Vec<String> = (0..2)
                .map(|_| cols[2 + rng.below(cols.len() - 2)].clone())
                .collect();
            out.push(format!(
                "CREATE {kw} {name} AS
SELECT t.id, t.tenant_id, t.{}, t.{} AS second,
       (SELECT count(*) FROM {table} x WHERE x.tenant_id = t.tenant_id) AS siblings
FROM {table} t
WHERE t.tenant_id IS NOT NULL",
                picked[0], picked[1]
            ));
            let mut columns = vec![(*uid, "id".to_string()), (*uid, "tenant_id".to_string())];
            columns.extend(picked.into_iter().map(|c| (*uid, c)));
            self.views.push(ViewState {
                name: name.clone(),
                materialized,
                tables: vec![*uid],
                columns,
                views: Vec::new(),
            });
        }
        if materialized {
            out.push(format!("CREATE UNIQUE INDEX ON {name} (id)"));
        }
    }
}

fn views_migration(rng: &mut Rng, st: &mut ViewsState, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    let kind = if st.tables.len() < 5 {
        0
    } else {
        rng.below(20)
    };
    match kind {
        0..=2 => {
            let uid = st.next_table;
            let name = format!("t{uid}");
            st.next_table += 1;
            let mut cols = vec!["id".to_string(), "tenant_id".to_string()];
            let mut defs = vec![
                "id bigserial PRIMARY KEY".to_string(),
                "tenant_id uuid NOT NULL".to_string(),
            ];
            for _ in 0..(3 + rng.below(6)) {
                let c = format!("c{}", st.next_column);
                st.next_column += 1;
                defs.push(format!("{c} {}", TYPES[rng.below(TYPES.len())]));
                cols.push(c);
            }
            out.push(format!(
                "CREATE TABLE {name} (
    {},
    UNIQUE (tenant_id, id)
)",
                defs.join(
                    ",
    "
                )
            ));
            out.push(format!(
                "CREATE INDEX ON {name} (tenant_id, lower(id::text))"
            ));
            st.tables.push((uid, name, cols));
        }
        3 | 4 => {
            let c = format!("c{}", st.next_column);
            st.next_column += 1;
            let t = rng.below(st.tables.len());
            let (_, name, cols) = &mut st.tables[t];
            out.push(format!("ALTER TABLE {name} ADD COLUMN {c} text"));
            cols.push(c);
        }
        5 => {
            // DROP COLUMN ... CASCADE: the views reading it go, and the views on them.
            let t = rng.below(st.tables.len());
            let (uid, name, cols) = &mut st.tables[t];
            if cols.len() > 4 {
                let c = cols.remove(2 + rng.below(cols.len() - 2));
                out.push(format!("ALTER TABLE {name} DROP COLUMN {c} CASCADE"));
                let key = (*uid, c);
                st.cascade(|v| v.columns.contains(&key));
            }
        }
        6 => {
            let fresh = format!("c{}", st.next_column);
            st.next_column += 1;
            let t = rng.below(st.tables.len());
            let (uid, name, cols) = &mut st.tables[t];
            let i = 2 + rng.below(cols.len() - 2);
            let old = std::mem::replace(&mut cols[i], fresh.clone());
            out.push(format!("ALTER TABLE {name} RENAME COLUMN {old} TO {fresh}"));
            let uid = *uid;
            let read = st.views.iter_mut().fold(false, |read, v| {
                let mut hit = false;
                for (u, c) in &mut v.columns {
                    if *u == uid && *c == old {
                        *c = fresh.clone();
                        hit = true;
                    }
                }
                read || hit
            });
            if !read {
                let name = &st.tables.iter().find(|t| t.0 == uid).expect("live").1;
                out.push(format!(
                    "ALTER TABLE {name} ALTER COLUMN {fresh} TYPE text USING {fresh}::text"
                ));
            }
        }
        7 => {
            let t = rng.below(st.tables.len());
            let fresh = format!("t{}", st.next_table);
            st.next_table += 1;
            let old = std::mem::replace(&mut st.tables[t].1, fresh.clone());
            out.push(format!("ALTER TABLE {old} RENAME TO {fresh}"));
        }
        8 => {
            let (uid, name, _) = st.tables.remove(rng.below(st.tables.len()));
            out.push(format!("DROP TABLE {name} CASCADE"));
            st.cascade(|v| v.tables.contains(&uid));
        }
        9..=14 => {
            let name = format!("v{}", st.next_view);
            st.next_view += 1;
            st.create_view(rng, name, &mut out);
        }
        15..=17 if !st.views.is_empty() => {
            // A view rebuilt: dropped with what is built on it, created again.
            let v = &st.views[rng.below(st.views.len())];
            let (name, materialized) = (v.name.clone(), v.materialized);
            let kw = if materialized {
                "MATERIALIZED VIEW"
            } else {
                "VIEW"
            };
            out.push(format!("DROP {kw} {name} CASCADE"));
            st.cascade(|v| v.name == name);
            st.create_view(rng, name, &mut out);
        }
        _ => {
            let (_, name, _) = &st.tables[rng.below(st.tables.len())];
            out.push(format!(
                "CREATE OR REPLACE FUNCTION touch_{n}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  NEW.id := NEW.id;\n  RETURN NEW;\nEND\n$$"
            ));
            out.push(format!("COMMENT ON TABLE {name} IS 'migration {n}'"));
        }
    }
    out
}

/// The statements of 2,000 migrations creating 500 views, rebuilt over time.
pub(crate) fn views_history() -> (Vec<Statement>, usize) {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut st = ViewsState::default();
    let mut out = Vec::new();
    for n in 0..2000 {
        let file: std::sync::Arc<str> = format!("migrations/{:04}_v.sql", n + 1).into();
        let mut line = 1;
        for text in views_migration(&mut rng, &mut st, n) {
            let lines = text.lines().count() as u32;
            out.push(Statement {
                source_line: text.lines().next().unwrap_or("").to_string(),
                at: Location {
                    file: file.clone(),
                    line,
                    column: 1,
                },
                text,
            });
            line += lines + 1;
        }
    }
    (out, st.created_views)
}

#[inline(never)]
fn parse_only(stmts: &[Statement]) -> usize {
    let dialect = Dialect::Postgres.parser_dialect();
    let mut n = 0;
    for s in stmts {
        if let Ok(asts) = Parser::parse_sql(&*dialect, &s.text) {
            n += asts.len();
        }
    }
    n
}

#[inline(never)]
fn replay(stmts: &[Statement]) -> usize {
    let mut r = Replayer::new(Dialect::Postgres);
    for s in stmts {
        r.apply(s);
    }
    let out = r.finish();
    out.schema.tables.len() + out.skipped.len() + out.errors.len()
}

fn bench(c: &mut Criterion) {
    let stmts = history();
    let mut group = c.benchmark_group("replay_1000_migrations");
    group.bench_function("baseline_parse_only", |b| {
        b.iter(|| parse_only(black_box(&stmts)))
    });
    group.bench_function("replay_parse_and_apply", |b| {
        b.iter(|| replay(black_box(&stmts)))
    });
    group.finish();
    let (views, _) = views_history();
    let mut group = c.benchmark_group("replay_2000_migrations_500_views");
    group.bench_function("baseline_parse_only", |b| {
        b.iter(|| parse_only(black_box(&views)))
    });
    group.bench_function("replay_parse_and_apply", |b| {
        b.iter(|| replay(black_box(&views)))
    });
    group.finish();
}

criterion_group!(benches, bench);

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// One side of the comparison: parse-only or replay.
type Side = fn(&[Statement]) -> usize;

/// One side on one history, once: what `--only` runs (callgrind's `--toggle-collect`
/// target, so generating the history is not counted).
#[inline(never)]
fn run_once(side: Side, stmts: &[Statement]) -> usize {
    side(stmts)
}

fn main() {
    let stmts = history();
    let (views, created) = views_history();
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--only") {
        let (side, h): (Side, &[Statement]) = match args.get(i + 1).map(String::as_str) {
            Some("parse") => (parse_only, &stmts),
            Some("replay") => (replay, &stmts),
            Some("parse-views") => (parse_only, &views),
            Some("replay-views") => (replay, &views),
            other => {
                eprintln!(
                    "--only takes parse, replay, parse-views or replay-views (got {other:?})"
                );
                std::process::exit(2);
            }
        };
        println!("{}", black_box(run_once(side, black_box(h))));
        return;
    }
    // The generated histories must replay cleanly, or the comparison means nothing.
    for (what, h) in [("1,000 migrations", &stmts), ("views", &views)] {
        let mut r = Replayer::new(Dialect::Postgres);
        for s in h.iter() {
            r.apply(s);
        }
        let out = r.finish();
        if let Some(e) = out.errors.first() {
            eprintln!("the generated history ({what}) does not replay cleanly:\n{e}");
            std::process::exit(1);
        }
        println!(
            "history ({what}): {} statements, {} tables and {} views at the end, {} skipped",
            h.len(),
            out.schema.tables.len(),
            out.schema.views.len(),
            out.skipped.len()
        );
    }
    println!("views history: {created} views created");

    benches();
    Criterion::default().configure_from_args().final_summary();

    ratio("1,000 migrations", &stmts);
    ratio("2,000 migrations, 500 views", &views);
    threads(&stmts);
}

/// Interleaved runs, so machine load affects both sides alike. Besides wall time, the
/// thread's CPU time is measured: on a shared machine it is far less disturbed by other
/// processes than wall time (time spent preempted is not counted).
fn ratio(what: &str, stmts: &[Statement]) {
    let (mut base, mut full) = (Vec::new(), Vec::new());
    let (mut base_cpu, mut full_cpu) = (Vec::new(), Vec::new());
    for _ in 0..41 {
        let (t, c) = (Instant::now(), thread_cpu());
        black_box(parse_only(black_box(stmts)));
        base_cpu.push(thread_cpu() - c);
        base.push(t.elapsed());
        let (t, c) = (Instant::now(), thread_cpu());
        black_box(replay(black_box(stmts)));
        full_cpu.push(thread_cpu() - c);
        full.push(t.elapsed());
    }
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let (bw, fw, bc, fc) = (
        median(base),
        median(full),
        median(base_cpu),
        median(full_cpu),
    );
    println!(
        "schema-check replay ({what}), medians of 41 interleaved runs: baseline (parse only) {:.2} ms wall / {:.2} ms cpu; replay (parse + apply) {:.2} ms wall / {:.2} ms cpu",
        ms(bw),
        ms(bc),
        ms(fw),
        ms(fc)
    );
    println!(
        "ratio replay/baseline ({what}) = {:.3}x (cpu time), {:.3}x (wall time); target <= 1.3x",
        fc.as_secs_f64() / bc.as_secs_f64(),
        fw.as_secs_f64() / bw.as_secs_f64()
    );
}

/// `replay_dir` of the same history written out as 1,000 files, parsing on one thread
/// against one per core (wall time; the replay is the same, see `ReplayOptions::threads`).
fn threads(stmts: &[Statement]) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut files: Vec<(String, String)> = Vec::new();
    for s in stmts {
        let name = s.at.file.trim_start_matches("migrations/").to_string();
        if files.last().is_none_or(|(f, _)| *f != name) {
            files.push((name, String::new()));
        }
        let text = &mut files.last_mut().expect("just pushed").1;
        text.push_str(&s.text);
        text.push_str(";\n");
    }
    for (name, text) in &files {
        std::fs::write(dir.path().join(name), text).expect("writes a migration");
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let on = |threads: usize| {
        let options = ReplayOptions {
            threads: NonZeroUsize::new(threads),
            ..Default::default()
        };
        replay_dir(dir.path(), &options).expect("the directory replays")
    };
    if let Some(e) = on(cores).errors.first() {
        eprintln!("the written history does not replay cleanly:\n{e}");
        std::process::exit(1);
    }
    let (mut one, mut all) = (Vec::new(), Vec::new());
    for _ in 0..21 {
        let t = Instant::now();
        black_box(on(1));
        one.push(t.elapsed());
        let t = Instant::now();
        black_box(on(cores));
        all.push(t.elapsed());
    }
    let (one, all) = (median(one), median(all));
    println!(
        "replay_dir of {} files, medians of 21 interleaved runs: parsing on 1 thread {:.2} ms, on {cores} threads (one per core) {:.2} ms; ratio {:.3}x",
        files.len(),
        one.as_secs_f64() * 1e3,
        all.as_secs_f64() * 1e3,
        all.as_secs_f64() / one.as_secs_f64()
    );
}

/// CPU time consumed so far by the calling thread.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; CLOCK_THREAD_CPUTIME_ID is supported on
    // every platform this bench runs on (Linux, macOS).
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return Duration::ZERO;
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}
