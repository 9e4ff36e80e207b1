//! What the lint is told: tenant column names, global tables, per-rule levels, read from
//! `[package.metadata.cache-contract]` of a `Cargo.toml` or from a `--config` file.
//!
//! ```toml
//! [package.metadata.cache-contract]
//! tenant-columns = ["tenant_id", "org_id"]   # default: ["tenant_id"]
//! global-tables = ["countries", "plans"]
//!
//! [package.metadata.cache-contract.lint]
//! index-not-tenant-first = "allow"           # allow | warn | deny
//! ```
//!
//! A `--config` file holds the same keys at its top level. The other keys of the section
//! (`migrations`, `dialect`, `strict`) belong to the derive and are left to it.

use std::collections::BTreeMap;
use std::path::Path;

use crate::report::Level;
use crate::suggest::closest;

use super::rules::{RULES, rule};

/// The lint's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintConfig {
    /// Column names that hold the tenant, as `schema-check schema` prints them; a table
    /// with one of them (the first in this order) is a tenant table.
    pub tenant_columns: Vec<String>,
    /// Tables shared by every tenant: not tenant tables, whatever their columns.
    pub global_tables: Vec<String>,
    /// Tables known to be tenant tables and their tenant column, whatever its name: the
    /// tables cached structs map, with their `#[cache(tenant)]` field's column.
    pub mapped_tables: BTreeMap<String, String>,
    /// Rule id to level, for the rules whose level is not their default.
    pub levels: BTreeMap<String, Level>,
}

impl Default for LintConfig {
    /// `tenant_id` is the tenant column; no global tables; every rule at its default level.
    fn default() -> LintConfig {
        LintConfig {
            tenant_columns: vec!["tenant_id".to_string()],
            global_tables: Vec::new(),
            mapped_tables: BTreeMap::new(),
            levels: BTreeMap::new(),
        }
    }
}

impl LintConfig {
    /// The configuration in a `--config` file's text (the keys at the top level).
    ///
    /// ```
    /// use schema_check::lint::config::LintConfig;
    /// use schema_check::report::{Level, Severity};
    /// let c = LintConfig::from_file_text(
    ///     "tenant-columns = [\"org_id\"]\nglobal-tables = [\"plans\"]\n[lint]\nindex-not-tenant-first = \"deny\"\n",
    ///     "lint.toml",
    /// ).unwrap();
    /// assert_eq!(c.tenant_columns, ["org_id"]);
    /// assert_eq!(c.levels["index-not-tenant-first"], Level::Report(Severity::Error));
    /// let e = LintConfig::from_file_text("[lint]\nindex-not-tenant-frist = \"deny\"\n", "lint.toml").unwrap_err();
    /// assert!(e.contains("did you mean `index-not-tenant-first`?"), "{e}");
    /// ```
    pub fn from_file_text(text: &str, file: &str) -> Result<LintConfig, String> {
        let doc = parse(text, file)?;
        from_table(&doc, file, "the file")
    }

    /// The configuration in a `Cargo.toml`'s text: `[package.metadata.cache-contract]`, or
    /// the defaults when the manifest has none.
    ///
    /// ```
    /// use schema_check::lint::config::LintConfig;
    /// let c = LintConfig::from_manifest_text(
    ///     "[package]\nname = \"app\"\n[package.metadata.cache-contract]\nmigrations = \"db\"\nglobal-tables = [\"plans\"]\n",
    ///     "Cargo.toml",
    /// ).unwrap();
    /// assert_eq!(c.global_tables, ["plans"]);
    /// assert_eq!(c.tenant_columns, ["tenant_id"]);
    /// ```
    pub fn from_manifest_text(text: &str, file: &str) -> Result<LintConfig, String> {
        let doc = parse(text, file)?;
        let section = doc
            .get("package")
            .and_then(|p| p.get("metadata"))
            .and_then(|m| m.get("cache-contract"));
        match section {
            None => Ok(LintConfig::default()),
            Some(toml::Value::Table(t)) => {
                from_table(t, file, "`[package.metadata.cache-contract]`")
            }
            Some(_) => Err(format!(
                "{file}: `package.metadata.cache-contract` must be a table"
            )),
        }
    }

    /// Reads the configuration: `config` when given; else the nearest `Cargo.toml` at or
    /// above `dir` (the migrations directory); else the defaults.
    pub fn load(config: Option<&Path>, dir: &Path) -> Result<LintConfig, String> {
        if let Some(file) = config {
            let text = std::fs::read_to_string(file)
                .map_err(|e| format!("cannot read the configuration {}: {e}", file.display()))?;
            return LintConfig::from_file_text(&text, &file.display().to_string());
        }
        let start = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
        for d in start.ancestors() {
            let manifest = d.join("Cargo.toml");
            if manifest.is_file() {
                let text = std::fs::read_to_string(&manifest)
                    .map_err(|e| format!("cannot read {}: {e}", manifest.display()))?;
                return LintConfig::from_manifest_text(&text, &manifest.display().to_string());
            }
        }
        Ok(LintConfig::default())
    }

    /// The level of rule `id`, if configured.
    pub fn level(&self, id: &str) -> Option<Level> {
        self.levels.get(id).copied()
    }
}

fn parse(text: &str, file: &str) -> Result<toml::Table, String> {
    text.parse::<toml::Table>().map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        match line {
            Some(line) => format!("{file}:{line}: {}", e.message()),
            None => format!("{file}: {}", e.message()),
        }
    })
}

fn from_table(t: &toml::Table, file: &str, place: &str) -> Result<LintConfig, String> {
    let mut out = LintConfig::default();
    if let Some(v) = t.get("tenant-columns") {
        out.tenant_columns = strings(v, file, place, "tenant-columns", "[\"tenant_id\"]")?;
        if out.tenant_columns.is_empty() {
            return Err(format!(
                "{file}: `tenant-columns` in {place} is empty: name at least one column, e.g. `tenant-columns = [\"tenant_id\"]`"
            ));
        }
    }
    if let Some(v) = t.get("global-tables") {
        out.global_tables = strings(v, file, place, "global-tables", "[\"countries\"]")?;
    }
    match t.get("lint") {
        None => {}
        Some(toml::Value::Table(levels)) => {
            for (id, value) in levels {
                if rule(id).is_none() {
                    let hint = match closest(id, RULES.iter().map(|r| r.id)) {
                        Some(best) => format!("did you mean `{best}`?"),
                        None => format!(
                            "the rules are: {}",
                            RULES.iter().map(|r| r.id).collect::<Vec<_>>().join(", ")
                        ),
                    };
                    return Err(format!(
                        "{file}: unknown rule `{id}` in the `lint` table of {place}; {hint}"
                    ));
                }
                let level = value
                    .as_str()
                    .ok_or_else(|| "not a string".to_string())
                    .and_then(str::parse)
                    .map_err(|e| {
                        format!(
                            "{file}: `{id}` in the `lint` table of {place}: {e}; write `{id} = \"allow\"`, `\"warn\"` or `\"deny\"`"
                        )
                    })?;
                out.levels.insert(id.clone(), level);
            }
        }
        Some(_) => {
            return Err(format!(
                "{file}: `lint` in {place} must be a table of rule levels, e.g. `lint = {{ index-not-tenant-first = \"allow\" }}`"
            ));
        }
    }
    Ok(out)
}

fn strings(
    v: &toml::Value,
    file: &str,
    place: &str,
    key: &str,
    example: &str,
) -> Result<Vec<String>, String> {
    v.as_array()
        .and_then(|a| {
            a.iter()
                .map(|x| x.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
        })
        .ok_or_else(|| {
            format!(
                "{file}: `{key}` in {place} must be an array of strings, e.g. `{key} = {example}`"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Severity;

    #[test]
    fn bad_values_name_the_file_the_key_and_the_fix() {
        let e =
            LintConfig::from_file_text("tenant-columns = \"tenant_id\"\n", "c.toml").unwrap_err();
        assert!(e.starts_with("c.toml: `tenant-columns`"), "{e}");
        assert!(e.contains("e.g. `tenant-columns = [\"tenant_id\"]`"), "{e}");
        let e = LintConfig::from_file_text("tenant-columns = []\n", "c.toml").unwrap_err();
        assert!(e.contains("is empty"), "{e}");
        let e =
            LintConfig::from_file_text("[lint]\nunused-allow = \"loud\"\n", "c.toml").unwrap_err();
        assert!(e.contains("unknown level `loud`"), "{e}");
        let e = LintConfig::from_file_text("a = 1\nb = [\n", "c.toml").unwrap_err();
        assert!(e.starts_with("c.toml:2: "), "{e}");
        let e = LintConfig::from_manifest_text(
            "[package.metadata.cache-contract]\nlint = 3\n",
            "Cargo.toml",
        )
        .unwrap_err();
        assert!(e.contains("must be a table of rule levels"), "{e}");
    }

    #[test]
    fn manifest_without_the_section_gives_defaults() {
        let c = LintConfig::from_manifest_text("[package]\nname = \"x\"\n", "Cargo.toml").unwrap();
        assert_eq!(c, LintConfig::default());
        let c = LintConfig::from_manifest_text(
            "[package.metadata.cache-contract.lint]\nunused-allow = \"deny\"\n",
            "Cargo.toml",
        )
        .unwrap();
        assert_eq!(
            c.level("unused-allow"),
            Some(Level::Report(Severity::Error))
        );
        assert_eq!(c.level("invalid-allow"), None);
    }
}
