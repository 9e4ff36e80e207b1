//! Database URLs: which server and dialect, and the same URL with its password replaced by
//! `***` — the only form ever printed.

use std::fmt;
use std::path::PathBuf;

use crate::dialect::Dialect;

/// A parsed `--database-url`.
#[derive(Clone)]
pub struct DatabaseUrl {
    /// The URL as given (holds the password: never print it).
    raw: String,
    /// The password, if any, to scrub from every message.
    secret: Option<String>,
    /// Which kind of server.
    pub kind: Kind,
}

/// The kind of database a URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// `postgres://` or `postgresql://`.
    Postgres,
    /// `mysql://` or `mariadb://`.
    Mysql,
    /// `sqlite://PATH` or `sqlite:PATH`; the path may be a glob (`tenants/*.db`) naming
    /// several files.
    Sqlite(PathBuf),
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseUrl")
            .field("url", &self.redacted())
            .field("kind", &self.kind)
            .finish()
    }
}

impl fmt::Display for DatabaseUrl {
    /// The redacted URL.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl DatabaseUrl {
    /// Parses `url`; the error names the accepted schemes (and never holds the password).
    ///
    /// ```
    /// use schema_check::live::DatabaseUrl;
    /// let url = DatabaseUrl::parse("postgres://app:s3cret@db:5432/prod").unwrap();
    /// assert_eq!(url.to_string(), "postgres://app:***@db:5432/prod");
    /// assert_eq!(url.scrub("auth failed for s3cret"), "auth failed for ***");
    /// assert!(DatabaseUrl::parse("oracle://x").is_err());
    /// ```
    pub fn parse(url: &str) -> Result<Self, String> {
        let lower = url.to_ascii_lowercase();
        let kind = if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            Kind::Postgres
        } else if lower.starts_with("mysql://") || lower.starts_with("mariadb://") {
            Kind::Mysql
        } else if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                return Err("`sqlite://` needs a path, e.g. `sqlite://data/app.db`".into());
            }
            Kind::Sqlite(PathBuf::from(path))
        } else {
            let shown = redact(url);
            return Err(format!(
                "unsupported database URL `{shown}`: expected postgres://, mysql:// (MySQL and \
                 MariaDB) or sqlite://PATH"
            ));
        };
        Ok(DatabaseUrl {
            secret: password(url),
            raw: url.to_string(),
            kind,
        })
    }

    /// The dialect of the server.
    pub fn dialect(&self) -> Dialect {
        match self.kind {
            Kind::Postgres => Dialect::Postgres,
            Kind::Mysql => Dialect::Mysql,
            Kind::Sqlite(_) => Dialect::Sqlite,
        }
    }

    /// The URL with the password replaced by `***`.
    pub fn redacted(&self) -> String {
        redact(&self.raw)
    }

    /// The URL as given, for the client libraries only.
    pub(crate) fn secret_url(&self) -> &str {
        &self.raw
    }

    /// `message` with every occurrence of the password (as written and percent-decoded)
    /// and of the full URL replaced.
    pub fn scrub(&self, message: &str) -> String {
        let mut out = message.replace(&self.raw, &self.redacted());
        if let Some(secret) = &self.secret {
            for form in [secret.clone(), percent_decode(secret)] {
                if !form.is_empty() {
                    out = out.replace(&form, "***");
                }
            }
        }
        out
    }
}

/// The `user:password@` part's password, or a `password=` query parameter's value.
fn password(url: &str) -> Option<String> {
    let (start, end) = userinfo_span(url)?;
    let userinfo = &url[start..end];
    if let Some((_, pass)) = userinfo.split_once(':') {
        return Some(pass.to_string());
    }
    query_password(url).map(|(s, e)| url[s..e].to_string())
}

/// Byte range of the user info (before the last `@` of the authority).
fn userinfo_span(url: &str) -> Option<(usize, usize)> {
    let start = url.find("://")? + 3;
    let rest = &url[start..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let at = rest[..authority_end].rfind('@')?;
    Some((start, start + at))
}

/// Byte range of a `password=` query value.
fn query_password(url: &str) -> Option<(usize, usize)> {
    let q = url.find('?')?;
    let mut offset = q + 1;
    for pair in url[q + 1..].split('&') {
        if let Some(value) = pair.strip_prefix("password=") {
            let s = offset + "password=".len();
            return Some((s, s + value.len()));
        }
        offset += pair.len() + 1;
    }
    None
}

/// `url` with its password (in the user info or a `password=` parameter) replaced by `***`.
///
/// ```
/// use schema_check::live::url::redact;
/// assert_eq!(redact("mysql://root:p%40ss@127.0.0.1/app"), "mysql://root:***@127.0.0.1/app");
/// assert_eq!(redact("postgres://u@h/db?password=x&sslmode=disable"),
///            "postgres://u@h/db?password=***&sslmode=disable");
/// assert_eq!(redact("sqlite://data/app.db"), "sqlite://data/app.db");
/// ```
pub fn redact(url: &str) -> String {
    let mut out = url.to_string();
    if let Some((s, e)) = query_password(&out) {
        out.replace_range(s..e, "***");
    }
    if let Some((start, end)) = userinfo_span(&out)
        && let Some(colon) = out[start..end].find(':')
    {
        out.replace_range(start + colon + 1..end, "***");
    }
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(h) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(h, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
