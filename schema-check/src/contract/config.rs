//! Where a struct's migrations are and which dialect they are in: the struct's attributes,
//! else `[package.metadata.cache-contract]` of the crate's `Cargo.toml`, else `migrations/`
//! and PostgreSQL.

use std::path::{Path, PathBuf};

use proc_macro2::Span;

use super::attr::{ContainerAttrs, Located};
use super::errors::{CONFIG, Errors};
use crate::Dialect;

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

impl Config {
    /// The error when the migration directory does not exist ([`missing_dir`]).
    pub fn missing_dir(&self) -> Option<String> {
        missing_dir(&self.dir, &self.display)
    }
}

/// The error when the migration directory `dir` (shown as `display`) does not exist,
/// saying where it was looked for and how to point to another.
pub fn missing_dir(dir: &Path, display: &str) -> Option<String> {
    (!dir.is_dir()).then(|| {
        format!(
            "the migration directory `{display}` does not exist (looked in {}); create it, or point to yours with `#[cache(migrations = \"...\")]` or `migrations = \"...\"` in `[package.metadata.cache-contract]` of Cargo.toml",
            dir.display()
        )
    })
}

/// The crate-wide settings of `[package.metadata.cache-contract]` that the contract check
/// reads (other commands read their own keys of the table).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Metadata {
    /// `migrations`: the migration directory, relative to the crate.
    pub migrations: Option<String>,
    /// `dialect`.
    pub dialect: Option<String>,
    /// `strict`: the replay's warnings are errors.
    pub strict: bool,
}

/// A crate: its directory and the settings of its `Cargo.toml` (or why they cannot be
/// read).
#[derive(Debug, Clone)]
pub struct Manifest {
    /// The directory of `Cargo.toml`, where relative migration paths start.
    pub dir: PathBuf,
    /// `[package.metadata.cache-contract]`, or the error reading it.
    pub metadata: Result<Metadata, String>,
}

impl Manifest {
    /// Reads the manifest of the crate in `dir` (no `Cargo.toml`: the defaults).
    pub fn read(dir: &Path) -> Manifest {
        Manifest {
            dir: dir.to_path_buf(),
            metadata: read_metadata(&dir.join("Cargo.toml")),
        }
    }
}

/// Resolves the configuration of one struct of the crate `crate_`; `None` when it cannot
/// be (errors recorded). Errors without an attribute to point at go to `call_site` (the
/// derive's name).
pub fn resolve(
    attrs: &ContainerAttrs,
    crate_: &Manifest,
    call_site: Span,
    errors: &mut Errors,
) -> Option<Config> {
    let manifest_dir = &crate_.dir;
    let manifest = manifest_dir.join("Cargo.toml");
    let default = Metadata::default();
    let metadata = match &crate_.metadata {
        Ok(m) => m,
        Err(e) => {
            errors.at(&CONFIG, call_site, e);
            &default
        }
    };

    let dialect = match &attrs.dialect {
        Some(Located { value, span }) => match value.parse::<Dialect>() {
            Ok(d) => d,
            Err(e) => {
                errors.at(&CONFIG, *span, e);
                return None;
            }
        },
        None => match &metadata.dialect {
            Some(value) => match value.parse::<Dialect>() {
                Ok(d) => d,
                Err(e) => {
                    errors.at(
                        &CONFIG,
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
                        &CONFIG,
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

/// The settings of the manifest `manifest` (none when it does not exist).
pub fn read_metadata(manifest: &Path) -> Result<Metadata, String> {
    let text = match std::fs::read_to_string(manifest) {
        Ok(t) => t,
        // No manifest (e.g. rustc driven by hand): the defaults apply.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Metadata::default()),
        Err(e) => return Err(format!("cannot read {}: {e}", manifest.display())),
    };
    parse_metadata(&text).map_err(|e| format!("{}: {e}", manifest.display()))
}

/// The settings in the text of a manifest.
pub fn parse_metadata(text: &str) -> Result<Metadata, String> {
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
        if crate::lint::METADATA_KEYS.contains(&key.as_str()) {
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
    fn a_missing_directory_says_where_it_looked() {
        let dir = std::env::temp_dir().join("schema-check-config-test-nope");
        let config = Config {
            dir: dir.clone(),
            display: "nope".into(),
            dialect: Dialect::Postgres,
            span: Span::call_site(),
            strict: false,
        };
        let e = config.missing_dir().expect("missing");
        assert!(
            e.contains("the migration directory `nope` does not exist")
                && e.contains(&dir.display().to_string()),
            "{e}"
        );
        let here = Config {
            dir: std::env::temp_dir(),
            ..config
        };
        assert!(here.missing_dir().is_none());
    }

    #[test]
    fn absolute_paths_are_recognised() {
        assert!(is_absolute("/srv/migrations"));
        assert!(is_absolute("C:\\migrations"));
        assert!(!is_absolute("db/migrations"));
    }
}
