//! Drives real `cargo` builds of a temporary crate to prove that editing, adding or removing
//! a migration re-runs the derive's checks (in the directory set crate-wide in
//! `[package.metadata.cache-contract]`), and that `CONTRACT_HASH` changes exactly when the
//! struct's table changes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const MANIFEST: &str = r#"[package]
name = "rebuild-probe"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
cache-contract = { path = "@CC", default-features = false, features = ["derive"] }
serde = { version = "1", features = ["derive"] }

[build-dependencies]
cache-contract = { path = "@CC", default-features = false }

[package.metadata.cache-contract]
migrations = "db/migrations"

[workspace]
"#;

const BUILD_RS: &str = "fn main() {\n    cache_contract::build::track_migrations();\n}\n";

const MAIN_RS: &str = r#"use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "users")]
struct User {
    tenant_id: String,
    id: i64,
    email: Option<String>,
}

fn main() {
    println!("{}", User::CONTRACT_HASH);
}
"#;

const INIT: &str = "CREATE TABLE users (\n    tenant_id text NOT NULL,\n    id bigint NOT NULL,\n    email text,\n    PRIMARY KEY (tenant_id, id)\n);\n";

struct Probe {
    dir: tempfile::TempDir,
    target: PathBuf,
}

impl Probe {
    fn new() -> Probe {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("workspace root");
        let dir = tempfile::tempdir().expect("temporary directory");
        let cc = workspace.join("cache-contract");
        let manifest = MANIFEST.replace("@CC", &cc.to_string_lossy());
        std::fs::write(dir.path().join("Cargo.toml"), manifest).unwrap();
        std::fs::write(dir.path().join("build.rs"), BUILD_RS).unwrap();
        std::fs::create_dir_all(dir.path().join("src")).unwrap();
        std::fs::write(dir.path().join("src/main.rs"), MAIN_RS).unwrap();
        std::fs::create_dir_all(dir.path().join("db/migrations")).unwrap();
        // The workspace's lock file pins the same versions, so `--offline` resolves.
        std::fs::copy(workspace.join("Cargo.lock"), dir.path().join("Cargo.lock")).unwrap();
        // And the workspace's pinned toolchain.
        std::fs::copy(
            workspace.join("rust-toolchain.toml"),
            dir.path().join("rust-toolchain.toml"),
        )
        .unwrap();
        // Shared between runs (and tests) so that dependencies build once.
        let target = workspace.join("target").join("rebuild-tracking");
        Probe { dir, target }
    }

    fn write(&self, migration: &str, sql: &str) {
        std::fs::write(self.dir.path().join("db/migrations").join(migration), sql).unwrap();
    }

    fn remove(&self, migration: &str) {
        std::fs::remove_file(self.dir.path().join("db/migrations").join(migration)).unwrap();
    }

    fn run(&self) -> Output {
        self.cargo(&["run", "--quiet", "--offline"])
    }

    /// `cargo <args>` in the probe, with its shared target directory.
    fn cargo(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO"))
            .args(args)
            .current_dir(self.dir.path())
            .env("CARGO_TARGET_DIR", &self.target)
            .env_remove("CACHE_CONTRACT_MANIFEST_DIR")
            .output()
            .expect("cargo runs")
    }

    /// Builds and runs the probe; returns the contract hash it prints.
    fn hash(&self) -> String {
        let out = self.run();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "the probe should build:\n{stderr}");
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    /// Builds the probe, expecting the derive to reject it; returns the compiler output.
    fn failure(&self) -> String {
        let out = self.run();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!out.status.success(), "the probe should not build");
        stderr
    }
}

#[test]
fn migrations_are_tracked_and_the_hash_follows_the_table() {
    let probe = Probe::new();
    probe.write("0001_init.sql", INIT);
    let h1 = probe.hash();
    assert_eq!(h1.len(), 64, "{h1}");

    // Editing a migration re-runs the check.
    probe.write(
        "0001_init.sql",
        &format!("{INIT}\nALTER TABLE users DROP COLUMN email;\n"),
    );
    let err = probe.failure();
    assert!(
        err.contains("no column `email` in table `users`")
            && err.contains("column `email` was dropped in db/migrations/0001_init.sql:8"),
        "{err}"
    );

    // Adding a migration (a new file: tracked by the build script) re-runs it too.
    probe.write(
        "0002_email_again.sql",
        "ALTER TABLE users ADD COLUMN email text;\n",
    );
    assert_eq!(probe.hash(), h1, "same final table, same hash");

    // A migration that only touches another table leaves the hash alone.
    probe.write(
        "0003_projects.sql",
        "CREATE TABLE projects (id bigint PRIMARY KEY);\n",
    );
    assert_eq!(probe.hash(), h1);

    // One that changes a mapped column changes it.
    probe.write(
        "0004_email_type.sql",
        "ALTER TABLE users ALTER COLUMN email TYPE varchar(320);\n",
    );
    let h2 = probe.hash();
    assert_ne!(h2, h1);

    // Removing a migration is noticed as well.
    probe.remove("0004_email_type.sql");
    assert_eq!(probe.hash(), h1);
}

impl Probe {
    /// The replay entries in the build's store (`target/debug/cache-contract/`) that name
    /// this probe's migrations, with their contents.
    fn stored_replays(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let store = self.target.join("debug").join("cache-contract");
        let ours = self.dir.path().join("db/migrations");
        let ours = ours.to_str().unwrap().as_bytes();
        let Ok(entries) = std::fs::read_dir(&store) else {
            return Vec::new();
        };
        entries
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "replay"))
            .map(|p| {
                let bytes = std::fs::read(&p).unwrap();
                (p, bytes)
            })
            .filter(|(_, bytes)| bytes.windows(ours.len()).any(|w| w == ours))
            .collect()
    }

    fn touch_source(&self) {
        let main = self.dir.path().join("src/main.rs");
        let file = std::fs::File::options().append(true).open(main).unwrap();
        file.set_modified(std::time::SystemTime::now()).unwrap();
    }
}

#[test]
fn the_replay_is_stored_in_the_target_directory_and_a_damaged_entry_is_replaced() {
    let probe = Probe::new();
    probe.write("0001_init.sql", INIT);
    let h1 = probe.hash();
    let [(entry, good)] = probe
        .stored_replays()
        .try_into()
        .unwrap_or_else(|v: Vec<_>| {
            panic!(
                "one stored replay of the probe's migrations, found {}",
                v.len()
            )
        });

    // A damaged entry is not believed: the rebuild replays, and stores it again.
    let mut bad = good.clone();
    let middle = bad.len() / 2;
    bad[middle] ^= 0x20;
    std::fs::write(&entry, &bad).unwrap();
    probe.touch_source();
    assert_eq!(probe.hash(), h1);
    assert_eq!(
        std::fs::read(&entry).unwrap(),
        good,
        "rewritten, byte for byte"
    );

    // A new state of the migrations replaces its entry.
    probe.write("0002_name.sql", "ALTER TABLE users ADD COLUMN name text;\n");
    assert_ne!(probe.hash(), h1, "another column in the struct's table");
    let stored = probe.stored_replays();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0].0, entry, "a new key");
}

/// A crate that only defines cache structs depends on the contract alone
/// (`default-features = false, features = ["derive"]`, as the probe does): none of the
/// runtime's dependencies are built for it or loaded by rustc when it compiles (the derive's
/// own dependencies live inside the proc-macro library, so they are left out).
#[test]
fn a_crate_of_cache_structs_needs_only_the_contract() {
    let probe = Probe::new();
    let out = probe.cargo(&[
        "tree",
        "--offline",
        "--prefix",
        "none",
        "--format",
        "{lib}",
        "-e",
        "normal,no-proc-macro",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let crates: Vec<&str> = stdout.lines().map(str::trim).collect();
    assert!(crates.contains(&"cache_contract"), "{stdout}");
    for runtime in [
        "tokio",
        "moka",
        "metrics",
        "tracing",
        "futures_util",
        "redis",
        "serde_json",
    ] {
        assert!(
            !crates.contains(&runtime),
            "`{runtime}` is a dependency of a crate of cache structs:\n{stdout}"
        );
    }
}
