//! Conversion of sqlparser's [`DataType`] into the canonical [`SqlType`] of a dialect.
//!
//! The spelling rules are in the [`crate::types`] module docs: PostgreSQL spells a type
//! the way `format_type()` prints it, MySQL/MariaDB the way `COLUMN_TYPE` shows it
//! (without integer display widths, except `tinyint(1)`), SQLite keeps the declared type,
//! lower-cased with white space collapsed.

use sqlparser::ast::{
    ArrayElemTypeDef, CharacterLength, DataType, EnumMember, ExactNumberInfo, ObjectName,
    ObjectNamePart, TimezoneInfo,
};

use crate::dialect::Dialect;
use crate::model::Schema;
use crate::types::{SqlType, TypeFamily};

/// A canonical type plus what the declaration implies beyond the type itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Canonical {
    /// The canonical type.
    pub ty: SqlType,
    /// `SERIAL`-like pseudo type: the column is NOT NULL with an identity default
    /// (PostgreSQL `serial`/`bigserial`/`smallserial`, MySQL `SERIAL`).
    pub serial: bool,
}

impl Canonical {
    fn plain(canonical: impl Into<String>, family: TypeFamily) -> Self {
        Canonical {
            ty: SqlType::new(canonical, family),
            serial: false,
        }
    }
}

/// Canonicalizes `data_type` as written in `dialect`; `schema` resolves user-defined
/// types (PostgreSQL enums and domains).
///
/// Returns an error message (without location) for a type that names nothing known,
/// e.g. a PostgreSQL enum that was never created.
///
/// ```
/// use schema_check::canonical::canonical_type;
/// use schema_check::{Dialect, model::Schema};
/// use sqlparser::ast::DataType;
/// let ty = canonical_type(Dialect::Postgres, &DataType::Int4(None), &Schema::default()).unwrap();
/// assert_eq!(ty.ty.canonical, "integer");
/// let ty = canonical_type(Dialect::Mysql, &DataType::Boolean, &Schema::default()).unwrap();
/// assert_eq!(ty.ty.canonical, "tinyint(1)");
/// ```
pub fn canonical_type(
    dialect: Dialect,
    data_type: &DataType,
    schema: &Schema,
) -> Result<Canonical, String> {
    match dialect {
        Dialect::Postgres => postgres(data_type, schema),
        Dialect::Mysql => Ok(mysql(data_type)),
        Dialect::Sqlite => Ok(sqlite(data_type)),
    }
}

fn char_len(len: &Option<CharacterLength>) -> Option<u64> {
    match len {
        Some(CharacterLength::IntegerLength { length, .. }) => Some(*length),
        _ => None,
    }
}

fn text_family(max_len: Option<u64>) -> TypeFamily {
    TypeFamily::Text {
        max_len: max_len.and_then(|n| u32::try_from(n).ok()),
    }
}

fn numeric_family(info: &ExactNumberInfo) -> TypeFamily {
    let (precision, scale) = match info {
        ExactNumberInfo::None => (None, None),
        ExactNumberInfo::Precision(p) => (Some(*p), Some(0)),
        ExactNumberInfo::PrecisionAndScale(p, s) => (Some(*p), Some(*s)),
    };
    TypeFamily::Numeric {
        precision: precision.and_then(|p| u32::try_from(p).ok()),
        scale: scale.and_then(|s| u32::try_from(s).ok()),
    }
}

/// The last part of a possibly qualified type name, plus its schema when not default.
fn type_name(name: &ObjectName, dialect: Dialect) -> String {
    crate::replay::ident::object_name(dialect, name)
}

fn precision_suffix(p: Option<u64>) -> String {
    p.map(|p| format!("({p})")).unwrap_or_default()
}

/// MySQL's fractional-seconds precision suffix: `(0)` is the default, and the server
/// shows `TIMESTAMP(0)`, `DATETIME(0)` and `TIME(0)` without it.
fn mysql_fsp_suffix(p: Option<u64>) -> String {
    precision_suffix(p.filter(|&p| p != 0))
}

fn postgres(data_type: &DataType, schema: &Schema) -> Result<Canonical, String> {
    use DataType as D;
    use TypeFamily as F;
    let c = match data_type {
        D::SmallInt(_) | D::Int2(_) => Canonical::plain("smallint", F::Int { bytes: 2 }),
        D::Int(_) | D::Integer(_) | D::Int4(_) => Canonical::plain("integer", F::Int { bytes: 4 }),
        D::BigInt(_) | D::Int8(_) => Canonical::plain("bigint", F::Int { bytes: 8 }),
        D::Real | D::Float4 => Canonical::plain("real", F::Float4),
        D::DoublePrecision | D::Float8 | D::Double(ExactNumberInfo::None) => {
            Canonical::plain("double precision", F::Float8)
        }
        D::Float(ExactNumberInfo::Precision(p)) if *p <= 24 => Canonical::plain("real", F::Float4),
        D::Float(_) => Canonical::plain("double precision", F::Float8),
        D::Numeric(info) | D::Decimal(info) | D::Dec(info) => {
            let text = match info {
                ExactNumberInfo::None => "numeric".to_string(),
                ExactNumberInfo::Precision(p) => format!("numeric({p},0)"),
                ExactNumberInfo::PrecisionAndScale(p, s) => format!("numeric({p},{s})"),
            };
            Canonical::plain(text, numeric_family(info))
        }
        D::Bool | D::Boolean => Canonical::plain("boolean", F::Bool),
        D::Text => Canonical::plain("text", F::Text { max_len: None }),
        D::Varchar(len) | D::CharacterVarying(len) | D::CharVarying(len) | D::Nvarchar(len) => {
            match char_len(len) {
                Some(n) => {
                    Canonical::plain(format!("character varying({n})"), text_family(Some(n)))
                }
                None => Canonical::plain("character varying", text_family(None)),
            }
        }
        D::Char(len) | D::Character(len) => {
            let n = char_len(len).unwrap_or(1);
            Canonical::plain(format!("character({n})"), text_family(Some(n)))
        }
        D::Bytea => Canonical::plain("bytea", F::Bytes),
        D::Date => Canonical::plain("date", F::Date),
        D::Time(p, tz) => match tz {
            TimezoneInfo::WithTimeZone | TimezoneInfo::Tz => Canonical::plain(
                format!("time{} with time zone", precision_suffix(*p)),
                F::TimeTz,
            ),
            _ => Canonical::plain(
                format!("time{} without time zone", precision_suffix(*p)),
                F::Time,
            ),
        },
        D::Timestamp(p, tz) => match tz {
            TimezoneInfo::WithTimeZone | TimezoneInfo::Tz => Canonical::plain(
                format!("timestamp{} with time zone", precision_suffix(*p)),
                F::TimestampTz,
            ),
            _ => Canonical::plain(
                format!("timestamp{} without time zone", precision_suffix(*p)),
                F::Timestamp,
            ),
        },
        D::Interval { .. } => {
            Canonical::plain(data_type.to_string().to_ascii_lowercase(), F::Interval)
        }
        D::Uuid => Canonical::plain("uuid", F::Uuid),
        D::JSON => Canonical::plain("json", F::Json),
        D::JSONB => Canonical::plain("jsonb", F::Json),
        D::Bit(n) => Canonical::plain(format!("bit({})", n.unwrap_or(1)), F::Other),
        D::BitVarying(n) | D::VarBit(n) => Canonical::plain(
            match n {
                Some(n) => format!("bit varying({n})"),
                None => "bit varying".to_string(),
            },
            F::Other,
        ),
        D::Regclass => Canonical::plain("regclass", F::Other),
        D::TsVector => Canonical::plain("tsvector", F::Other),
        D::TsQuery => Canonical::plain("tsquery", F::Other),
        D::Array(elem) => {
            let inner = match elem {
                ArrayElemTypeDef::SquareBracket(t, _)
                | ArrayElemTypeDef::Qualified(t, _)
                | ArrayElemTypeDef::AngleBracket(t)
                | ArrayElemTypeDef::Parenthesis(t) => postgres(t, schema)?,
                ArrayElemTypeDef::None => {
                    return Err("an ARRAY type needs an element type (e.g. `integer[]`)".into());
                }
            };
            if inner.serial {
                return Err("an array of a serial type does not exist".into());
            }
            // format_type prints one `[]` whatever the declared dimensions.
            let canonical = if inner.ty.canonical.ends_with("[]") {
                inner.ty.canonical.clone()
            } else {
                format!("{}[]", inner.ty.canonical)
            };
            let element = match inner.ty.family {
                F::Array { element } => element,
                other => Box::new(other),
            };
            Canonical::plain(canonical, F::Array { element })
        }
        D::Custom(name, modifiers) => postgres_named(name, modifiers, schema)?,
        other => Canonical::plain(other.to_string().to_ascii_lowercase(), F::Other),
    };
    Ok(c)
}

/// A PostgreSQL user-defined type (enum, domain, composite) as `format_type` prints it,
/// from its key in the replayed schema (`name`, or `schema.name` outside `public`): each
/// part quoted as `quote_identifier` quotes it (`"JobStatus"`, `audit."Level"`).
///
/// ```
/// use schema_check::canonical::pg_type_text;
/// assert_eq!(pg_type_text("mood"), "mood");
/// assert_eq!(pg_type_text("JobStatus"), "\"JobStatus\"");
/// assert_eq!(pg_type_text("audit.Level"), "audit.\"Level\"");
/// ```
pub fn pg_type_text(key: &str) -> String {
    use crate::replay::ident::pg_quote_ident;
    match key.split_once('.') {
        Some((schema, name)) => format!("{}.{}", pg_quote_ident(schema), pg_quote_ident(name)),
        None => pg_quote_ident(key),
    }
}

/// The key in the replayed schema of a user-defined type printed as [`pg_type_text`]
/// prints it (quotes removed); other type names come back as they are.
///
/// ```
/// use schema_check::canonical::pg_type_key;
/// assert_eq!(pg_type_key("\"JobStatus\""), "JobStatus");
/// assert_eq!(pg_type_key("audit.\"Level\""), "audit.Level");
/// assert_eq!(pg_type_key("\"a\"\"b\""), "a\"b");
/// assert_eq!(pg_type_key("mood"), "mood");
/// ```
pub fn pg_type_key(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('"') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut key = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                key.push('"');
            }
            '"' => quoted = !quoted,
            c => key.push(c),
        }
    }
    std::borrow::Cow::Owned(key)
}

/// PostgreSQL type names sqlparser leaves as `Custom`: aliases, serials, built-in and
/// common extension types, then enums and domains from the replayed schema.
fn postgres_named(
    name: &ObjectName,
    modifiers: &[String],
    schema: &Schema,
) -> Result<Canonical, String> {
    use TypeFamily as F;
    // `"char"` (quoted) is PostgreSQL's internal one-byte type, not character(1).
    if let [ObjectNamePart::Identifier(i)] = name.0.as_slice()
        && i.quote_style == Some('"')
        && i.value == "char"
    {
        return Ok(Canonical::plain("\"char\"", F::Text { max_len: Some(1) }));
    }
    let full = type_name(name, Dialect::Postgres);
    let serial = |canonical: &str, bytes: u8| Canonical {
        ty: SqlType::new(canonical, F::Int { bytes }),
        serial: true,
    };
    let mods = if modifiers.is_empty() {
        String::new()
    } else {
        format!("({})", modifiers.join(","))
    };
    let c = match full.as_str() {
        "serial" | "serial4" => serial("integer", 4),
        "bigserial" | "serial8" => serial("bigint", 8),
        "smallserial" | "serial2" => serial("smallint", 2),
        "timestamptz" => {
            Canonical::plain(format!("timestamp{mods} with time zone"), F::TimestampTz)
        }
        "timetz" => Canonical::plain(format!("time{mods} with time zone"), F::TimeTz),
        // format_type prints `bpchar` without a length, `character(n)` with one.
        "bpchar" if mods.is_empty() => Canonical::plain("bpchar", F::Text { max_len: None }),
        "bpchar" => Canonical::plain(
            format!("character{mods}"),
            F::Text {
                max_len: modifiers.first().and_then(|m| m.trim().parse().ok()),
            },
        ),
        "citext" | "name" => Canonical::plain(full.clone(), F::Text { max_len: None }),
        "inet" | "cidr" | "macaddr" | "macaddr8" | "money" | "point" | "line" | "lseg" | "box"
        | "path" | "polygon" | "circle" | "xml" | "oid" | "hstore" | "ltree" | "int4range"
        | "int8range" | "numrange" | "tsrange" | "tstzrange" | "daterange" | "int4multirange"
        | "int8multirange" | "nummultirange" | "tsmultirange" | "tstzmultirange"
        | "datemultirange" | "pg_lsn" | "txid_snapshot" | "pg_snapshot" | "geometry"
        | "geography" | "vector" | "halfvec" | "sparsevec" | "regproc" | "regtype" | "regclass"
        | "regnamespace" | "regrole" | "xid" | "cid" | "tid" => {
            Canonical::plain(format!("{full}{mods}"), F::Other)
        }
        _ => {
            if let Some(e) = schema.enums.get(&full) {
                Canonical::plain(
                    pg_type_text(&full),
                    F::Enum {
                        name: Some(full.clone()),
                        values: e.values.clone(),
                    },
                )
            } else if let Some(d) = schema.domains.get(&full) {
                Canonical::plain(pg_type_text(&full), d.base.family.clone())
            } else if schema.composite_types.contains_key(&full) {
                Canonical::plain(pg_type_text(&full), F::Other)
            } else {
                return Err(format!(
                    "type `{full}` does not exist: it is neither a built-in type nor an enum \
                     or domain created by an earlier migration"
                ));
            }
        }
    };
    Ok(c)
}

fn unsigned(base: &str, bytes: u8) -> Canonical {
    Canonical::plain(format!("{base} unsigned"), TypeFamily::UInt { bytes })
}

fn mysql_decimal(info: &ExactNumberInfo, suffix: &str) -> Canonical {
    let (p, s) = match info {
        ExactNumberInfo::None => (10, 0),
        ExactNumberInfo::Precision(p) => (*p, 0),
        ExactNumberInfo::PrecisionAndScale(p, s) => (*p, *s),
    };
    Canonical::plain(
        format!("decimal({p},{s}){suffix}"),
        TypeFamily::Numeric {
            precision: u32::try_from(p).ok(),
            scale: u32::try_from(s).ok(),
        },
    )
}

fn quote_mysql_list<'a>(values: impl Iterator<Item = &'a str>) -> String {
    values
        .map(|v| format!("'{}'", v.replace('\'', "''")))
        .collect::<Vec<_>>()
        .join(",")
}

/// The smallest of MySQL's `tiny`/plain/`medium`/`long` variants of `kind` (`text` or
/// `blob`) that holds `bytes` bytes (0: the plain one, as `BLOB(0)` is `BLOB`).
pub(crate) fn mysql_sized(kind: &str, bytes: u64) -> String {
    let size = match bytes {
        0 => "",
        1..=255 => "tiny",
        256..=65_535 => "",
        65_536..=16_777_215 => "medium",
        _ => "long",
    };
    format!("{size}{kind}")
}

fn mysql(data_type: &DataType) -> Canonical {
    use DataType as D;
    use TypeFamily as F;
    match data_type {
        D::TinyInt(Some(1)) => Canonical::plain("tinyint(1)", F::Bool),
        D::Bool | D::Boolean => Canonical::plain("tinyint(1)", F::Bool),
        D::TinyInt(_) => Canonical::plain("tinyint", F::Int { bytes: 1 }),
        D::SmallInt(_) | D::Int2(_) => Canonical::plain("smallint", F::Int { bytes: 2 }),
        D::MediumInt(_) => Canonical::plain("mediumint", F::Int { bytes: 3 }),
        D::Int(_) | D::Integer(_) | D::Int4(_) => Canonical::plain("int", F::Int { bytes: 4 }),
        D::BigInt(_) | D::Int8(_) => Canonical::plain("bigint", F::Int { bytes: 8 }),
        // Display widths are dropped, except `tinyint(1)` (signed or not), as MariaDB
        // and MySQL 8 print it.
        D::TinyIntUnsigned(Some(1)) => unsigned("tinyint(1)", 1),
        D::TinyIntUnsigned(_) | D::UTinyInt => unsigned("tinyint", 1),
        D::SmallIntUnsigned(_) | D::Int2Unsigned(_) | D::USmallInt => unsigned("smallint", 2),
        D::MediumIntUnsigned(_) => unsigned("mediumint", 3),
        D::IntUnsigned(_) | D::IntegerUnsigned(_) | D::Int4Unsigned(_) | D::UnsignedInteger => {
            unsigned("int", 4)
        }
        D::BigIntUnsigned(_) | D::Int8Unsigned(_) | D::UBigInt => unsigned("bigint", 8),
        D::Decimal(info) | D::Numeric(info) | D::Dec(info) => mysql_decimal(info, ""),
        D::DecimalUnsigned(info) | D::DecUnsigned(info) => mysql_decimal(info, " unsigned"),
        D::Float(ExactNumberInfo::PrecisionAndScale(m, d)) => {
            Canonical::plain(format!("float({m},{d})"), F::Float4)
        }
        D::Float(ExactNumberInfo::Precision(p)) if *p > 24 => Canonical::plain("double", F::Float8),
        D::Float(_) | D::Float4 => Canonical::plain("float", F::Float4),
        D::Double(ExactNumberInfo::PrecisionAndScale(m, d)) => {
            Canonical::plain(format!("double({m},{d})"), F::Float8)
        }
        D::Double(_) | D::DoublePrecision | D::Real | D::Float8 => {
            Canonical::plain("double", F::Float8)
        }
        D::FloatUnsigned(_) => Canonical::plain("float unsigned", F::Float4),
        D::DoubleUnsigned(_) | D::DoublePrecisionUnsigned | D::RealUnsigned => {
            Canonical::plain("double unsigned", F::Float8)
        }
        D::Varchar(len) | D::CharacterVarying(len) | D::CharVarying(len) | D::Nvarchar(len) => {
            match char_len(len) {
                Some(n) => Canonical::plain(format!("varchar({n})"), text_family(Some(n))),
                None => Canonical::plain("varchar", text_family(None)),
            }
        }
        D::Char(len) | D::Character(len) => {
            let n = char_len(len).unwrap_or(1);
            Canonical::plain(format!("char({n})"), text_family(Some(n)))
        }
        D::Text => Canonical::plain("text", F::Text { max_len: None }),
        D::TinyText => Canonical::plain("tinytext", F::Text { max_len: None }),
        D::MediumText => Canonical::plain("mediumtext", F::Text { max_len: None }),
        D::LongText => Canonical::plain("longtext", F::Text { max_len: None }),
        // MariaDB stores JSON as LONGTEXT (with a JSON_VALID check) and reports `longtext`.
        D::JSON => Canonical::plain("longtext", F::Json),
        D::Blob(None) => Canonical::plain("blob", F::Bytes),
        // `BLOB(n)` is the smallest BLOB type that holds n bytes.
        D::Blob(Some(n)) => Canonical::plain(mysql_sized("blob", *n), F::Bytes),
        D::TinyBlob => Canonical::plain("tinyblob", F::Bytes),
        D::MediumBlob => Canonical::plain("mediumblob", F::Bytes),
        D::LongBlob => Canonical::plain("longblob", F::Bytes),
        D::Binary(n) => Canonical::plain(format!("binary({})", n.unwrap_or(1)), F::Bytes),
        D::Varbinary(len) => Canonical::plain(
            match len {
                Some(l) => format!("varbinary({l})"),
                None => "varbinary".into(),
            },
            F::Bytes,
        ),
        D::Date => Canonical::plain("date", F::Date),
        D::Datetime(p) => {
            Canonical::plain(format!("datetime{}", mysql_fsp_suffix(*p)), F::Timestamp)
        }
        D::Timestamp(p, _) => {
            Canonical::plain(format!("timestamp{}", mysql_fsp_suffix(*p)), F::TimestampTz)
        }
        D::Time(p, _) => Canonical::plain(format!("time{}", mysql_fsp_suffix(*p)), F::Time),
        D::Uuid => Canonical::plain("uuid", F::Uuid),
        D::Bit(n) => Canonical::plain(format!("bit({})", n.unwrap_or(1)), F::Other),
        D::Enum(members, _) => {
            let values: Vec<String> = members
                .iter()
                .map(|m| match m {
                    EnumMember::Name(n) | EnumMember::NamedValue(n, _) => n.clone(),
                })
                .collect();
            Canonical::plain(
                format!(
                    "enum({})",
                    quote_mysql_list(values.iter().map(String::as_str))
                ),
                F::Enum { name: None, values },
            )
        }
        D::Set(values) => Canonical::plain(
            format!(
                "set({})",
                quote_mysql_list(values.iter().map(String::as_str))
            ),
            F::Other,
        ),
        D::Custom(name, modifiers) => {
            let base = type_name(name, Dialect::Mysql).to_ascii_lowercase();
            match base.as_str() {
                "serial" => Canonical {
                    ty: SqlType::new("bigint unsigned", F::UInt { bytes: 8 }),
                    serial: true,
                },
                "year" => Canonical::plain("year(4)", F::UInt { bytes: 2 }),
                // `NCHAR(n)`: CHAR(n) in the national character set.
                "nchar" => {
                    let n = modifiers.first().and_then(|m| m.trim().parse::<u64>().ok());
                    let n = n.unwrap_or(1);
                    Canonical::plain(format!("char({n})"), text_family(Some(n)))
                }
                // `TEXT(n)`: the smallest TEXT type that holds n characters of the
                // database's default character set (the replay resizes it for a column
                // whose set it knows).
                "text" if modifiers.len() == 1 => match modifiers[0].trim().parse::<u64>() {
                    Ok(n) => Canonical {
                        ty: crate::replay::charset::sized_text(n, None),
                        serial: false,
                    },
                    Err(_) => {
                        Canonical::plain(format!("{base}({})", modifiers.join(",")), F::Other)
                    }
                },
                "int1" => Canonical::plain("tinyint", F::Int { bytes: 1 }),
                "int3" | "middleint" => Canonical::plain("mediumint", F::Int { bytes: 3 }),
                "fixed" => {
                    let num =
                        |i: usize| modifiers.get(i).and_then(|m| m.trim().parse::<u64>().ok());
                    let info = match (num(0), num(1)) {
                        (Some(p), Some(s)) => ExactNumberInfo::PrecisionAndScale(p, s as i64),
                        (Some(p), None) => ExactNumberInfo::Precision(p),
                        _ => ExactNumberInfo::None,
                    };
                    mysql_decimal(&info, "")
                }
                _ if modifiers.is_empty() => Canonical::plain(base, F::Other),
                _ => Canonical::plain(format!("{base}({})", modifiers.join(",")), F::Other),
            }
        }
        other => Canonical::plain(other.to_string().to_ascii_lowercase(), F::Other),
    }
}

/// SQLite keeps the declared type text; we reproduce it from the AST, lower-cased.
fn sqlite(data_type: &DataType) -> Canonical {
    let declared = match data_type {
        DataType::Unspecified => String::new(),
        // A quoted type name (`"INTEGER"`) is declared without its quotes.
        DataType::Custom(name, modifiers) => {
            let base = raw_name(name);
            if modifiers.is_empty() {
                base
            } else {
                format!("{base}({})", modifiers.join(","))
            }
        }
        other => other.to_string(),
    };
    let canonical = declared
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase();
    let family = sqlite_family(&canonical);
    Canonical::plain(canonical, family)
}

/// The family of a SQLite declared type (lower case), by SQLite's own name rules,
/// refined for names that say more than the affinity (BOOLEAN, DATE, UUID, JSON).
pub fn sqlite_family(declared: &str) -> TypeFamily {
    use TypeFamily as F;
    let has = |s: &str| declared.contains(s);
    if has("int") {
        F::Int { bytes: 8 }
    } else if has("bool") {
        F::Bool
    } else if has("char") || has("clob") || has("text") {
        F::Text { max_len: None }
    } else if has("real") || has("floa") || has("doub") {
        F::Float8
    } else if has("blob") {
        F::Bytes
    } else if has("datetime") || has("timestamp") {
        F::Timestamp
    } else if has("date") {
        F::Date
    } else if has("uuid") {
        F::Uuid
    } else if has("json") {
        F::Json
    } else if has("numeric") || has("decimal") {
        F::Numeric {
            precision: None,
            scale: None,
        }
    } else {
        F::Other
    }
}

/// Renders an [`ObjectName`] part list for messages (used by callers that need the raw text).
pub fn raw_name(name: &ObjectName) -> String {
    name.0
        .iter()
        .map(|p| match p {
            ObjectNamePart::Identifier(i) => i.value.clone(),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}
