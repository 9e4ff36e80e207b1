//! Where a struct's migrations are and which dialect they are in: the struct's attributes,
//! else `[package.metadata.cache-contract]` of the crate's `Cargo.toml`, else `migrations/`
//! and PostgreSQL.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use proc_macro2::Span;
use schema_check::Dialect;

use crate::attr::{ContainerAttrs, Errors, Located};

/// Overrides `CARGO_MANIFEST_DIR` as the directory relative migration paths start from
/// (and whose `Cargo.toml` is read), for harnesses that compile code outside its crate, such
/// as trybuild, which builds test cases in a generated crate under `target/`.
pub const ROOT_OVERRIDE: &str = "CACHE_CONTRACT_MANIFEST_DIR";

/// The resolved migration directory and dialect of one struct.
#[derive(Debug, Clone)]
pub struct Config {
    /// The migration directory, absolute.
    pub dir: PathBuf,
    /// The directory as shown in messages: relative to the crate root, with `/`.
    pub display: String,
    /// The dialect.
    pub dialect: Dialect,
    /// Where errors about the migrations go: the `migrations = ".."` literal, if any.
    pub span: Span,
    /// `strict = true`: warnings of the replay (conflicts a skipped statement could
    /// explain) are errors.
    pub strict: bool,
}

/// The crate-wide settings of `[package.metadata.cache-contract]`.
#[derive(Debug, Default, Clone)]
struct Metadata {
    migrations: Option<String>,
    dialect: Option<String>,
    strict: bool,
}

/// Resolves the configuration of one struct; `None` when it cannot be (errors recorded).
pub fn resolve(attrs: &ContainerAttrs, call_site: Span, errors: &mut Errors) -> Option<Config> {
    let Some(manifest_dir) = std::env::var_os(ROOT_OVERRIDE)
        .or_else(|| std::env::var_os("CARGO_MANIFEST_DIR"))
        .map(PathBuf::from)
    else {
        errors.at(
            call_site,
            "CARGO_MANIFEST_DIR is not set: build with cargo, which sets it to the crate's directory",
        );
        return None;
    };
    let manifest = manifest_dir.join("Cargo.toml");
    let metadata = match cached_metadata(&manifest) {
        Ok(m) => m,
        Err(e) => {
            errors.at(call_site, e);
            Metadata::default()
        }
    };

    let dialect = match &attrs.dialect {
        Some(Located { value, span }) => match value.parse::<Dialect>() {
            Ok(d) => d,
            Err(e) => {
                errors.at(*span, e);
                return None;
            }
        },
        None => match &metadata.dialect {
            Some(value) => match value.parse::<Dialect>() {
                Ok(d) => d,
                Err(e) => {
                    errors.at(
                        call_site,
                        format!(
                            "{e} (in `[package.metadata.cache-contract]` of {})",
                            manifest.display()
                        ),
                    );
                    return None;
                }
            },
            None => Dialect::Postgres,
        },
    };

    let (display, span) = match &attrs.migrations {
        Some(Located { value, span }) => (value.clone(), *span),
        None => (
            metadata
                .migrations
                .clone()
                .unwrap_or_else(|| "migrations".to_string()),
            call_site,
        ),
    };
    if is_absolute(&display) {
        let whence = if attrs.migrations.is_some() {
            String::new()
        } else {
            format!(
                " (in `[package.metadata.cache-contract]` of {})",
                manifest.display()
            )
        };
        errors.at(
            span,
            format!(
                "the migration directory `{display}` is absolute{whence}: it would only exist on this machine; give it relative to the crate's Cargo.toml, e.g. `migrations`"
            ),
        );
        return None;
    }
    let display = display.replace('\\', "/").trim_end_matches('/').to_string();
    Some(Config {
        dir: manifest_dir.join(&display),
        display,
        dialect,
        span,
        strict: metadata.strict,
    })
}

fn is_absolute(p: &str) -> bool {
    Path::new(p).is_absolute()
        || p.starts_with('/')
        || p.starts_with('\\')
        || p.get(1..2) == Some(":")
}

/// [`read_metadata`], cached per manifest while its size and modification time stay the
/// same: the derives of one crate read one `Cargo.toml`.
fn cached_metadata(manifest: &Path) -> Result<Metadata, String> {
    type Stamp = Option<(u64, Option<SystemTime>)>;
    type Cache = HashMap<PathBuf, (Stamp, Result<Metadata, String>)>;
    static CACHE: Mutex<Option<Cache>> = Mutex::new(None);
    let stamp: Stamp = std::fs::metadata(manifest)
        .ok()
        .map(|m| (m.len(), m.modified().ok()));
    let mut guard = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    let cache = guard.get_or_insert_with(HashMap::new);
    if let Some((s, result)) = cache.get(manifest)
        && *s == stamp
    {
        return result.clone();
    }
    let result = read_metadata(manifest);
    cache.insert(manifest.to_path_buf(), (stamp, result.clone()));
    result
}

fn read_metadata(manifest: &Path) -> Result<Metadata, String> {
    let text = match std::fs::read_to_string(manifest) {
        Ok(t) => t,
        // No manifest (e.g. rustc driven by hand): the defaults apply.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Metadata::default()),
        Err(e) => return Err(format!("cannot read {}: {e}", manifest.display())),
    };
    parse_metadata(&text).map_err(|e| format!("{}: {e}", manifest.display()))
}

fn parse_metadata(text: &str) -> Result<Metadata, String> {
    let doc: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| e.message().to_string())?;
    let Some(section) = doc
        .get("package")
        .and_then(|p| p.get("metadata"))
        .and_then(|m| m.get("cache-contract"))
    else {
        return Ok(Metadata::default());
    };
    let Some(section) = section.as_table() else {
        return Err("`package.metadata.cache-contract` must be a table".into());
    };
    let mut out = Metadata::default();
    for (key, value) in section {
        // `schema-check drift`'s setting, checked there: the derive has no use for it.
        if key == "drift-ignore" {
            continue;
        }
        if key == "strict" {
            out.strict = value.as_bool().ok_or_else(|| {
                "`strict` in `[package.metadata.cache-contract]` must be `true` or `false`"
                    .to_string()
            })?;
            continue;
        }
        if schema_check::lint::METADATA_KEYS.contains(&key.as_str()) {
            // `schema-check lint`'s configuration: its own to read.
            continue;
        }
        let slot = match key.as_str() {
            "migrations" => &mut out.migrations,
            "dialect" => &mut out.dialect,
            other => {
                return Err(format!(
                    "unknown key `{other}` in `[package.metadata.cache-contract]`; expected `migrations`, `dialect`, `strict`, `drift-ignore`, or the lint's `tenant-columns`, `global-tables`, `lint`"
                ));
            }
        };
        match value.as_str() {
            Some(s) => *slot = Some(s.to_string()),
            None => {
                return Err(format!(
                    "`{key}` in `[package.metadata.cache-contract]` must be a string, e.g. `{key} = \"...\"`"
                ));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_crate_wide_settings() {
        let m = parse_metadata(
            "[package]\nname = \"app\"\n[package.metadata.cache-contract]\nmigrations = \"db/migrations\"\ndialect = \"sqlite\"\n",
        )
        .unwrap();
        assert_eq!(m.migrations.as_deref(), Some("db/migrations"));
        assert_eq!(m.dialect.as_deref(), Some("sqlite"));
        assert!(!m.strict);
        let strict = parse_metadata("[package.metadata.cache-contract]\nstrict = true\n").unwrap();
        assert!(strict.strict);
        assert!(parse_metadata("[package.metadata.cache-contract]\nstrict = \"yes\"\n").is_err());
        let with_drift = parse_metadata(
            "[package.metadata.cache-contract]\ndialect = \"mysql\"\ndrift-ignore = [\"audit_*\"]\n",
        )
        .unwrap();
        assert_eq!(
            with_drift.dialect.as_deref(),
            Some("mysql"),
            "drift's key is left to it"
        );
        // The lint's keys are the lint's to read and check.
        let with_lint = parse_metadata(
            "[package.metadata.cache-contract]\ntenant-columns = [\"org_id\"]\nglobal-tables = []\n[package.metadata.cache-contract.lint]\nunused-allow = \"deny\"\n",
        )
        .unwrap();
        assert!(!with_lint.strict);
        assert!(
            parse_metadata("[package]\nname = \"app\"\n")
                .unwrap()
                .migrations
                .is_none()
        );
    }

    #[test]
    fn rejects_bad_settings() {
        let e =
            parse_metadata("[package.metadata.cache-contract]\nmigration = \"x\"\n").unwrap_err();
        assert!(e.contains("unknown key `migration`"), "{e}");
        let e = parse_metadata("[package.metadata.cache-contract]\ndialect = 3\n").unwrap_err();
        assert!(e.contains("must be a string"), "{e}");
        assert!(parse_metadata("[package").is_err());
    }

    #[test]
    fn absolute_paths_are_recognised() {
        assert!(is_absolute("/srv/migrations"));
        assert!(is_absolute("C:\\migrations"));
        assert!(!is_absolute("db/migrations"));
    }
}
