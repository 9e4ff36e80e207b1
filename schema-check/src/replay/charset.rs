//! MySQL/MariaDB character sets, as far as they change column types. Every text column
//! has a character set: the one its definition names (`CHARACTER SET x` or `COLLATE
//! x_...`), else its table's default when the column was defined. Two rules depend on it:
//!
//! - `TEXT(n)` is the smallest of TINYTEXT/TEXT/MEDIUMTEXT/LONGTEXT that holds `n`
//!   characters of that set, in bytes (`TEXT(100)` is TINYTEXT in latin1, TEXT in utf8mb4);
//! - `ALTER TABLE ... CONVERT TO CHARACTER SET` keeps a text column's capacity in
//!   characters (its type's bytes divided by the old set's bytes per character), so the
//!   type is the smallest that holds as many characters of the new set (`latin1` TEXT
//!   becomes `utf8mb4` MEDIUMTEXT; `utf8mb3` TINYTEXT stays TINYTEXT in `ucs2`).
//!
//! The replay knows a column's set when its definition or its table's (`CREATE TABLE`,
//! `ALTER TABLE ... [DEFAULT] CHARSET`, an earlier `CONVERT TO`) declared one; otherwise
//! it has the database's default, which the migrations do not say: the replay takes MySQL
//! 8's and MariaDB's packaged default, `utf8mb4`, and warns when a conversion depends on
//! that.

use super::maps::HashMap;

use sqlparser::ast::ColumnOption;

use super::{Ctx, Replayer};
use crate::diagnostic::Warning;
use crate::types::{SqlType, TypeFamily};

/// The character set the replay takes for a column whose set no migration declared.
pub const DATABASE_DEFAULT: &str = "utf8mb4";

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

/// The character set a column definition names (`CHARACTER SET x`, or the set of its
/// `COLLATE x_...` collation), if any.
pub(crate) fn column_option_charset<'o>(
    options: impl IntoIterator<Item = &'o ColumnOption>,
) -> Option<String> {
    let mut collation = None;
    for option in options {
        match option {
            ColumnOption::CharacterSet(name) => {
                return declared_charset(&format!("CHARACTER SET {name}"));
            }
            ColumnOption::Collation(name) => {
                collation = declared_charset(&format!("COLLATE {name}"));
            }
            _ => {}
        }
    }
    collation
}

/// The capacity in bytes of MySQL's text types (`None` for other types).
fn text_bytes(canonical: &str) -> Option<u64> {
    match canonical {
        "tinytext" => Some(255),
        "text" => Some(65_535),
        "mediumtext" => Some(16_777_215),
        "longtext" => Some(4_294_967_295),
        _ => None,
    }
}

/// The text type `TEXT(chars)` is in the character set `charset` (`None`: the database's
/// default): the smallest that holds `chars` characters of it.
///
/// ```
/// use schema_check::replay::charset::sized_text;
/// assert_eq!(sized_text(100, Some("latin1")).canonical, "tinytext");
/// assert_eq!(sized_text(100, None).canonical, "text");
/// assert_eq!(sized_text(85, Some("utf8mb3")).canonical, "tinytext");
/// assert_eq!(sized_text(16_384, Some("utf8mb4")).canonical, "mediumtext");
/// ```
pub fn sized_text(chars: u64, charset: Option<&str>) -> SqlType {
    let per_char = charset.and_then(max_bytes).unwrap_or(4);
    SqlType::new(
        crate::canonical::mysql_sized("text", chars.saturating_mul(u64::from(per_char))),
        TypeFamily::Text { max_len: None },
    )
}

/// The type a character column of type `ty` has in the `binary` character set, which
/// makes it a byte string (MariaDB reports `CHAR(n) CHARACTER SET binary` as `binary(n)`,
/// `VARCHAR(n)` as `varbinary(n)`, each TEXT type as its BLOB twin); `None` for a type
/// the set leaves alone (ENUM and SET keep their type; numbers have no set).
///
/// ```
/// use schema_check::replay::charset::binary_twin;
/// use schema_check::types::{SqlType, TypeFamily};
/// let text = |s: &str| SqlType::new(s, TypeFamily::Text { max_len: None });
/// assert_eq!(binary_twin(&text("char(10)")).unwrap().canonical, "binary(10)");
/// assert_eq!(binary_twin(&text("varchar(20)")).unwrap().canonical, "varbinary(20)");
/// assert_eq!(binary_twin(&text("mediumtext")).unwrap().canonical, "mediumblob");
/// assert!(binary_twin(&text("enum('a')")).is_none());
/// ```
pub fn binary_twin(ty: &SqlType) -> Option<SqlType> {
    let c = ty.canonical.as_str();
    let twin = if let Some(rest) = c.strip_prefix("char(") {
        format!("binary({rest}")
    } else if let Some(rest) = c.strip_prefix("varchar(") {
        format!("varbinary({rest}")
    } else if let Some(size) = c.strip_suffix("text")
        && matches!(size, "tiny" | "" | "medium" | "long")
    {
        format!("{size}blob")
    } else {
        return None;
    };
    Some(SqlType::new(twin, TypeFamily::Bytes))
}

/// Whether `charset` (a name as the replay records it) is MySQL's `binary` set.
pub(crate) fn is_binary(charset: Option<&str>) -> bool {
    charset.is_some_and(|c| c.eq_ignore_ascii_case("binary"))
}

/// The character sets of one MySQL table: its default, for columns defined later, and
/// each column's, where known.
#[derive(Debug, Clone, Default)]
pub(crate) struct TableCharsets {
    default: Option<String>,
    columns: HashMap<String, String>,
}

impl Replayer {
    /// Records the character set `CREATE TABLE` declared for `table` (canonical key) in its
    /// options, and forgets an earlier table's of the same name.
    pub(crate) fn note_table_charset(&mut self, table: &str, options: &str) {
        let sets = TableCharsets {
            default: declared_charset(options),
            columns: HashMap::default(),
        };
        self.mysql_charsets.insert(table.to_string(), sets);
    }

    /// `ALTER TABLE table [DEFAULT] CHARSET charset`: columns defined later take it;
    /// existing ones keep theirs.
    pub(crate) fn set_table_charset(&mut self, table: &str, charset: &str) {
        if let Some(key) = self.table_key(table) {
            self.mysql_charsets.entry(key).or_default().default =
                Some(charset.to_ascii_lowercase());
        }
    }

    /// The character set of a column of `table` being defined with `options`: the one
    /// it names, else the table's default (`None`: the database's).
    pub(crate) fn column_charset<'o>(
        &self,
        table: &str,
        options: impl IntoIterator<Item = &'o ColumnOption>,
    ) -> Option<String> {
        column_option_charset(options).or_else(|| self.mysql_charsets.get(table)?.default.clone())
    }

    /// Records the character set of the column `column` of `table` just defined.
    pub(crate) fn note_column_charset(
        &mut self,
        table: &str,
        column: &str,
        charset: Option<String>,
    ) {
        let sets = self.mysql_charsets.entry(table.to_string()).or_default();
        match charset {
            Some(cs) => sets.columns.insert(column.to_string(), cs),
            None => sets.columns.remove(column),
        };
    }

    /// A column of `table` was renamed: its character set goes with it.
    pub(crate) fn rename_column_charset(&mut self, table: &str, old: &str, new: &str) {
        if let Some(sets) = self.mysql_charsets.get_mut(table) {
            match sets.columns.remove(old) {
                Some(cs) => sets.columns.insert(new.to_string(), cs),
                None => sets.columns.remove(new),
            };
        }
    }

    /// `ALTER TABLE table CONVERT TO CHARACTER SET charset`: resizes each text column to
    /// hold as many characters of the new set as it held of its old one, and records the
    /// new set for the table and every column.
    pub(crate) fn convert_charset(&mut self, ctx: &Ctx<'_>, table: &str, charset: &str) {
        let Some(key) = self.table_key(table) else {
            return;
        };
        let charset = charset.to_ascii_lowercase();
        let new = max_bytes(&charset);
        let mut sets = self.mysql_charsets.remove(&key).unwrap_or_default();
        let Some(t) = self.schema.tables.get_mut(&key) else {
            return;
        };
        // Text columns whose old set the replay does not know, when that matters.
        let mut unsure = Vec::new();
        for c in &mut t.columns {
            let Some(bytes) = text_bytes(&c.ty.canonical) else {
                continue;
            };
            let old = sets.columns.get(&c.name).map(String::as_str);
            let (Some(new), Some(old_max)) = (new, old.map_or(Some(4), max_bytes)) else {
                unsure.push(c.name.clone());
                continue;
            };
            if old.is_none() && new > 1 {
                unsure.push(c.name.clone());
            }
            let chars = bytes / u64::from(old_max);
            let resized = sized_text(chars, Some(&charset)).canonical;
            if resized != c.ty.canonical {
                c.ty.canonical = resized;
                c.provenance.touch(ctx.at());
            }
        }
        if is_binary(Some(&charset)) {
            // Every character column becomes its byte-string twin.
            for c in &mut t.columns {
                if let Some(twin) = binary_twin(&c.ty) {
                    c.ty = twin;
                    c.provenance.touch(ctx.at());
                }
            }
        }
        sets.columns = t
            .columns
            .iter()
            .map(|c| (c.name.clone(), charset.clone()))
            .collect();
        sets.default = Some(charset.clone());
        let created = t.provenance.created.clone();
        self.mysql_charsets.insert(key.clone(), sets);
        if unsure.is_empty() {
            return;
        }
        self.warnings.push(Warning {
            message: format!(
                "`CONVERT TO CHARACTER SET {charset}` resizes the text columns of `{key}` by \
                 their old character set; the replay does not know the set of `{}` (created \
                 with the database's default, taken as {DATABASE_DEFAULT}, or a set not known \
                 here) and takes it that {} their type",
                unsure.join("`, `"),
                if unsure.len() == 1 {
                    "it keeps"
                } else {
                    "they keep"
                },
            ),
            location: ctx.at().clone(),
            source_line: ctx.stmt.source_line.clone(),
            cause_line: format!("CREATE TABLE {key} ..."),
            cause: created,
            cause_note: "the table was created here".to_string(),
            help: "declare the character set when creating the table (`DEFAULT \
                   CHARSET=...`), or state the resulting types with MODIFY COLUMN \
                   (strict mode makes this an error)"
                .to_string(),
        });
    }
}
