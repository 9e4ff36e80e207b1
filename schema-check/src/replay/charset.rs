//! MySQL/MariaDB character sets, as far as they change column types: `ALTER TABLE ...
//! CONVERT TO CHARACTER SET` keeps a text column's capacity in characters, so widening
//! the character set (more bytes per character) moves TINYTEXT/TEXT/MEDIUMTEXT one size
//! up (`latin1` or `utf8mb3` TEXT becomes `utf8mb4` MEDIUMTEXT).
//!
//! The replay knows a table's character set when its `CREATE TABLE` (or an earlier
//! `CONVERT TO`) declared it; otherwise the columns have the database's default, which
//! the migrations do not say: the replay takes MySQL 8's and MariaDB's packaged default,
//! `utf8mb4`, and warns when a conversion depends on that.

use super::{Ctx, Replayer};
use crate::diagnostic::Warning;

/// The most bytes one character takes in the character set `name` (MySQL's
/// `mbmaxlen`), or `None` for a name not known here.
///
/// ```
/// use schema_check::replay::charset::max_bytes;
/// assert_eq!(max_bytes("latin1"), Some(1));
/// assert_eq!(max_bytes("UTF8"), Some(3));
/// assert_eq!(max_bytes("utf8mb4"), Some(4));
/// assert_eq!(max_bytes("klingon"), None);
/// ```
pub fn max_bytes(name: &str) -> Option<u8> {
    let name = name.to_ascii_lowercase();
    Some(match name.as_str() {
        "latin1" | "latin2" | "latin5" | "latin7" | "ascii" | "binary" | "cp1250" | "cp1251"
        | "cp1256" | "cp1257" | "cp850" | "cp852" | "cp866" | "koi8r" | "koi8u" | "greek"
        | "hebrew" | "armscii8" | "geostd8" | "keybcs2" | "macce" | "macroman" | "swe7"
        | "tis620" | "hp8" | "dec8" => 1,
        "ucs2" | "big5" | "gbk" | "sjis" | "cp932" | "euckr" | "gb2312" => 2,
        "utf8" | "utf8mb3" | "ujis" | "eucjpms" => 3,
        "utf8mb4" | "utf16" | "utf16le" | "utf32" | "gb18030" => 4,
        _ => return None,
    })
}

/// The character set a table option list or column definition names: `[DEFAULT]
/// CHARSET [=] x`, `CHARACTER SET [=] x`, or else the one a `COLLATE [=] x_...` collation
/// belongs to.
///
/// ```
/// use schema_check::replay::charset::declared_charset;
/// assert_eq!(declared_charset("ENGINE=InnoDB DEFAULT CHARSET=latin1").as_deref(), Some("latin1"));
/// assert_eq!(declared_charset("CHARACTER SET utf8 COLLATE utf8_bin").as_deref(), Some("utf8"));
/// assert_eq!(declared_charset("COLLATE = utf8mb4_unicode_ci").as_deref(), Some("utf8mb4"));
/// assert_eq!(declared_charset("ENGINE=InnoDB"), None);
/// ```
pub fn declared_charset(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| c.is_whitespace() || c == '=')
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.trim_matches(|c| c == '\'' || c == '"' || c == '`')
                .to_ascii_lowercase()
        })
        .collect();
    let after = |i: usize| words.get(i + 1).cloned();
    for (i, w) in words.iter().enumerate() {
        if w == "charset" {
            return after(i);
        }
        if w == "character" && words.get(i + 1).is_some_and(|n| n == "set") {
            return after(i + 1);
        }
    }
    let collation = words.iter().position(|w| w == "collate").and_then(after)?;
    collation.split('_').next().map(str::to_string)
}

/// The text type one size up (`tinytext` → `text` → `mediumtext` → `longtext`), for a
/// column whose character set widens; `None` for other types.
fn wider_text(canonical: &str) -> Option<&'static str> {
    match canonical {
        "tinytext" => Some("text"),
        "text" => Some("mediumtext"),
        "mediumtext" | "longtext" => Some("longtext"),
        _ => None,
    }
}

impl Replayer {
    /// Records the character set `CREATE TABLE` declared for `table` (canonical key), or
    /// forgets an earlier table's of the same name.
    pub(crate) fn note_table_charset(&mut self, table: &str, options: &str) {
        match declared_charset(options) {
            Some(cs) => self.mysql_charsets.insert(table.to_string(), cs),
            None => self.mysql_charsets.remove(table),
        };
    }

    /// `ALTER TABLE table CONVERT TO CHARACTER SET charset`: widens the text columns whose
    /// character set took fewer bytes per character, and records the new set.
    pub(crate) fn convert_charset(&mut self, ctx: &Ctx<'_>, table: &str, charset: &str) {
        let Some(key) = self.table_key(table) else {
            return;
        };
        let new = max_bytes(charset);
        let declared = self.mysql_charsets.get(&key).cloned();
        let old = declared.as_deref().map_or(Some(4), max_bytes);
        let Some(t) = self.schema.tables.get_mut(&key) else {
            return;
        };
        let texts = t
            .columns
            .iter()
            .any(|c| wider_text(&c.ty.canonical).is_some());
        if let (Some(old), Some(new)) = (old, new)
            && new > old
        {
            for c in &mut t.columns {
                if let Some(wider) = wider_text(&c.ty.canonical) {
                    c.ty.canonical = wider.to_string();
                    c.provenance.touch(ctx.at());
                }
            }
        }
        // Unsure when a widening was possible but the replay cannot tell.
        let unsure = texts
            && match (old, new) {
                (Some(_), Some(n)) => declared.is_none() && n > 1,
                _ => true,
            };
        if unsure {
            let created = t.provenance.created.clone();
            self.warnings.push(Warning {
                message: format!(
                    "`CONVERT TO CHARACTER SET {charset}` widens the text columns of `{key}` \
                     only if their character set took fewer bytes per character; the replay \
                     does not know it ({}) and takes it that they keep their types",
                    match &declared {
                        Some(cs) => format!("`{cs}`"),
                        None => "the table was created with the database's default, taken \
                                 as utf8mb4"
                            .to_string(),
                    }
                ),
                location: ctx.at().clone(),
                source_line: ctx.stmt.source_line.clone(),
                cause_line: format!("CREATE TABLE {key} ..."),
                cause: created,
                help: "declare the character set when creating the table (`DEFAULT \
                       CHARSET=...`), or state the resulting types with MODIFY COLUMN \
                       (strict mode makes this an error)"
                    .to_string(),
            });
        }
        self.mysql_charsets
            .insert(key, charset.to_ascii_lowercase());
    }
}
