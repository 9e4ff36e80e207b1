//! trybuild cases for `#[derive(CacheContract)]` live in `tests/ui/`: `fail/<category>/<case>.rs`
//! with its `.stderr` snapshot, `pass/<case>.rs`, each next to its own `<case>/migrations/`.
//!
//! Regenerate the snapshots with `TRYBUILD=overwrite cargo test -p cache-contract-ui-tests`
//! and review every diff.
