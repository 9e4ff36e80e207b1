//! The crate being compiled: its directory (`CARGO_MANIFEST_DIR`, or
//! [`ROOT_OVERRIDE`]) and `[package.metadata.cache-contract]` of its `Cargo.toml`, read once
//! per compiler process while the file is unchanged.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use proc_macro2::Span;
use schema_check::contract::Errors;
use schema_check::contract::config::Manifest;
use schema_check::contract::errors::CONFIG;

use crate::stamp_cache::StampCache;

/// Overrides `CARGO_MANIFEST_DIR` as the directory relative migration paths start from
/// (and whose `Cargo.toml` is read), for harnesses that compile code outside its crate, such
/// as trybuild, which builds test cases in a generated crate under `target/`.
pub const ROOT_OVERRIDE: &str = "CACHE_CONTRACT_MANIFEST_DIR";

/// A manifest's size and modification time.
type Stamp = Option<(u64, Option<SystemTime>)>;

static MANIFESTS: StampCache<PathBuf, Stamp, Manifest> = StampCache::new();

/// The crate being compiled; `None` (reported at `call_site`) outside cargo.
pub fn current(call_site: Span, errors: &mut Errors) -> Option<Arc<Manifest>> {
    let Some(dir) = std::env::var_os(ROOT_OVERRIDE)
        .or_else(|| std::env::var_os("CARGO_MANIFEST_DIR"))
        .map(PathBuf::from)
    else {
        errors.at(
            &CONFIG,
            call_site,
            "CARGO_MANIFEST_DIR is not set: build with cargo, which sets it to the crate's directory",
        );
        return None;
    };
    let path = dir.join("Cargo.toml");
    let stamp = || {
        std::fs::metadata(&path)
            .ok()
            .map(|m| (m.len(), m.modified().ok()))
    };
    let read = |_: &Stamp| Ok::<_, std::convert::Infallible>(Manifest::read(&dir));
    let Ok(manifest) = MANIFESTS.get(dir.clone(), Duration::ZERO, stamp, read);
    Some(manifest)
}
