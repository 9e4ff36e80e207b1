//! A one-line build-script helper that makes cargo re-run the derive's checks when a
//! migration file is added or removed.
//!
//! The derive already includes every migration it reads with `include_bytes!`, so editing a
//! migration re-runs the check on the next build. Cargo cannot know about a *new* file,
//! though: for that, add a `build.rs` to the crate that holds your cache structs:
//!
//! ```no_run
//! // build.rs, in `fn main`:
//! cache_contract::build::track_migrations();
//! ```
//!
//! and `cache-contract` to its `[build-dependencies]`.

use std::path::{Path, PathBuf};

/// Emits `cargo:rerun-if-changed` for the crate's migration directory (`migrations/`, or the
/// `migrations` of `[package.metadata.cache-contract]` in its `Cargo.toml`), and for the
/// manifest itself. Directories given to `#[cache(migrations = "...")]` on single structs are
/// tracked with [`track_migrations_in`].
pub fn track_migrations() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let manifest = manifest_dir.join("Cargo.toml");
    let dir = configured_dir(&manifest).unwrap_or_else(|| "migrations".to_string());
    println!("cargo:rerun-if-changed={}", manifest.display());
    track_migrations_in(manifest_dir.join(dir));
}

/// Emits `cargo:rerun-if-changed` for `dir` (relative to the crate root, or absolute). Cargo
/// scans a directory given this way recursively, so adding, removing or editing any file
/// below it (including diesel's per-migration directories) re-runs the build script and
/// recompiles the crate.
pub fn track_migrations_in(dir: impl AsRef<Path>) {
    println!("cargo:rerun-if-changed={}", dir.as_ref().display());
}

/// The `migrations` entry of `[package.metadata.cache-contract]`, read without a TOML parser
/// dependency (build scripts should stay light): the first `migrations = "..."` line after
/// the section header.
fn configured_dir(manifest: &Path) -> Option<String> {
    let text = std::fs::read_to_string(manifest).ok()?;
    let mut in_section = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_section = line == "[package.metadata.cache-contract]";
            continue;
        }
        if !in_section {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        if k.trim() == "migrations" {
            let v = v.trim();
            return v
                .strip_prefix('"')
                .and_then(|v| v.split_once('"'))
                .map(|(s, _)| s.to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_configured_directory() {
        let dir = std::env::temp_dir().join(format!("cc-build-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let manifest = dir.join("Cargo.toml");
        std::fs::write(
            &manifest,
            "[package]\nname = \"x\"\n\n[package.metadata.cache-contract]\ndialect = \"sqlite\"\nmigrations = \"db/migrations\" # here\n",
        )
        .unwrap();
        assert_eq!(configured_dir(&manifest).as_deref(), Some("db/migrations"));
        std::fs::write(&manifest, "[package]\nname = \"x\"\nmigrations = \"no\"\n").unwrap();
        assert_eq!(configured_dir(&manifest), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
