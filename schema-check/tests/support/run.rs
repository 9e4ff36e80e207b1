//! Running the `schema-check` binary for the CLI tests of every command
//! (`#[path = "support/run.rs"] mod run;`): one way to start it, with an environment that
//! does not leak the caller's colour settings or database URL into the output.

use std::path::Path;
use std::process::Command;

/// What one run printed, and its exit code.
pub struct Run {
    /// The exit code.
    pub code: i32,
    /// Standard output (UTF-8).
    pub stdout: String,
    /// Standard error (UTF-8).
    pub stderr: String,
}

/// Runs `schema-check <args>` in `dir` with `NO_COLOR`, `CLICOLOR_FORCE` and
/// `DATABASE_URL` removed, then `env` set.
pub fn run_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_schema-check"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("DATABASE_URL")
        .envs(env.iter().copied())
        .output()
        .expect("run schema-check");
    Run {
        code: out.status.code().expect("exit code"),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

/// Runs `schema-check <args>` in `dir`.
pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    run_with(dir, args, &[])
}

/// Runs `schema-check <args>` from the crate directory (fixture paths are relative to it).
#[allow(dead_code)] // not every test file runs from the crate directory
pub fn run(args: &[&str]) -> Run {
    run_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}
