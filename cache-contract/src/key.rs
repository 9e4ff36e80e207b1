//! Tenant-prefixed, injective cache keys.
//!
//! # Format
//!
//! ```text
//! cc1:<scope>:<table>:<hash8>[:<part>]*
//! ```
//!
//! - `cc1` is the fixed namespace and format version;
//! - `<scope>` is `t.<tenant>` for a tenant's row, or `global` for a table that opted out of
//!   tenancy with `#[cache(global)]` (the two can never be confused: `global` has no `.`);
//! - `<table>` is the table name;
//! - `<hash8>` is the first 8 hex digits of the struct's `SCHEMA_HASH`, so entries written
//!   before a migration are never read after it;
//! - each `<part>` is one key field's value.
//!
//! Every variable component is *escaped*: bytes outside `[A-Za-z0-9_.-]` become `%XX`
//! (upper-case hex). The separator `:`, the glob characters `* ? [ ] \`, the hash-tag braces
//! `{ }`, `%` itself, white space and non-ASCII bytes therefore never appear raw inside a
//! component, which makes the encoding injective (distinct tenant, table, hash and parts
//! always give distinct keys), makes keys safe to use literally in Redis, and lets
//! [`CacheKey::parse`] give the parts back.
//!
//! ```
//! use cache_contract::{CacheKey, SchemaHash, TenantId};
//! let hash = SchemaHash::from_bytes([0xab; 32]);
//! let key = CacheKey::new(&TenantId::new("acme:eu"), "users", &hash, vec!["42".into()]);
//! assert_eq!(key.as_str(), "cc1:t.acme%3Aeu:users:abababab:42");
//! let back = CacheKey::parse(key.as_str()).unwrap();
//! assert_eq!(back.tenant(), &TenantId::new("acme:eu"));
//! assert_eq!(back.parts(), ["42"]);
//! ```

use std::fmt;

use crate::tenant::TenantId;

/// The fixed namespace and format version that starts every key.
pub const KEY_NAMESPACE: &str = "cc1";

/// The scope segment of keys of `#[cache(global)]` tables.
const GLOBAL_SCOPE: &str = "global";

/// The prefix of the scope segment of a tenant's keys.
const TENANT_SCOPE_PREFIX: &str = "t.";

/// A blake3 schema hash, as embedded by the derive in `SCHEMA_HASH`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SchemaHash([u8; 32]);

impl SchemaHash {
    /// Wraps 32 hash bytes.
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        SchemaHash(bytes)
    }

    /// The hash bytes.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The first 8 hex digits, as used in keys.
    ///
    /// ```
    /// use cache_contract::SchemaHash;
    /// assert_eq!(SchemaHash::from_bytes([0x0f; 32]).short(), "0f0f0f0f");
    /// ```
    pub fn short(&self) -> String {
        hex(&self.0[..4])
    }

    /// All 64 hex digits.
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }
}

impl fmt::Debug for SchemaHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SchemaHash({})", self.to_hex())
    }
}

impl fmt::Display for SchemaHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// A cache key: always scoped to a tenant (or explicitly global), built only through
/// [`CacheContract`](crate::CacheContract) implementations or [`CacheKey::new`], which
/// requires a [`TenantId`]. See the [module docs](self) for the format.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CacheKey {
    encoded: String,
    tenant: TenantId,
    table: String,
    hash8: String,
    parts: Vec<String>,
}

impl CacheKey {
    /// Builds the key of the row identified by `parts` in `table`, for `tenant`.
    pub fn new(tenant: &TenantId, table: &str, hash: &SchemaHash, parts: Vec<String>) -> Self {
        let hash8 = hash.short();
        CacheKey {
            encoded: encode(tenant, table, &hash8, &parts, None),
            tenant: tenant.clone(),
            table: table.to_string(),
            hash8,
            parts,
        }
    }

    /// The encoded key.
    pub fn as_str(&self) -> &str {
        &self.encoded
    }

    /// The tenant the key belongs to.
    pub fn tenant(&self) -> &TenantId {
        &self.tenant
    }

    /// The table name.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// The first 8 hex digits of the schema hash.
    pub fn schema_hash_prefix(&self) -> &str {
        &self.hash8
    }

    /// The key parts (unescaped).
    pub fn parts(&self) -> &[String] {
        &self.parts
    }

    /// The key as stored, with the tenant's and table's invalidation generations
    /// inserted after the scope and after the table:
    /// `cc1:<scope>:g<tenant_gen>:<table>:g<table_gen>:<hash8>[:<part>]*`.
    /// Bumping either generation makes every older key of that tenant (or table)
    /// unreachable without scanning the keyspace.
    ///
    /// ```
    /// use cache_contract::{CacheKey, SchemaHash, TenantId};
    /// let key = CacheKey::new(&TenantId::new("acme"), "users", &SchemaHash::from_bytes([0; 32]), vec!["7".into()]);
    /// assert_eq!(key.storage_key(3, 1), "cc1:t.acme:g3:users:g1:00000000:7");
    /// ```
    pub fn storage_key(&self, tenant_generation: u64, table_generation: u64) -> String {
        encode(
            &self.tenant,
            &self.table,
            &self.hash8,
            &self.parts,
            Some((tenant_generation, table_generation)),
        )
    }

    /// Parses an encoded key back into its parts.
    ///
    /// ```
    /// use cache_contract::CacheKey;
    /// assert!(CacheKey::parse("cc1:global:countries:0011aabb:FR").is_ok());
    /// assert!(CacheKey::parse("cc1:acme:users:0011aabb:1").is_err()); // scope without `t.`
    /// ```
    pub fn parse(encoded: &str) -> Result<CacheKey, KeyParseError> {
        let mut segments = encoded.split(':');
        if segments.next() != Some(KEY_NAMESPACE) {
            return Err(KeyParseError::new(encoded, "does not start with `cc1:`"));
        }
        let scope = segments
            .next()
            .ok_or_else(|| KeyParseError::new(encoded, "missing scope"))?;
        let tenant = if scope == GLOBAL_SCOPE {
            TenantId::global()
        } else if let Some(t) = scope.strip_prefix(TENANT_SCOPE_PREFIX) {
            TenantId::new(
                unescape(t).ok_or_else(|| KeyParseError::new(encoded, "bad escape in tenant"))?,
            )
        } else {
            return Err(KeyParseError::new(
                encoded,
                "scope is neither `global` nor `t.<tenant>`",
            ));
        };
        let table = segments
            .next()
            .ok_or_else(|| KeyParseError::new(encoded, "missing table"))?;
        let table =
            unescape(table).ok_or_else(|| KeyParseError::new(encoded, "bad escape in table"))?;
        let hash8 = segments
            .next()
            .ok_or_else(|| KeyParseError::new(encoded, "missing schema hash"))?;
        if hash8.len() != 8
            || !hash8
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(KeyParseError::new(
                encoded,
                "schema hash is not 8 lower-case hex digits",
            ));
        }
        let parts = segments
            .map(|p| {
                unescape(p).ok_or_else(|| KeyParseError::new(encoded, "bad escape in key part"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let key = CacheKey {
            encoded: encoded.to_string(),
            tenant,
            table,
            hash8: hash8.to_string(),
            parts,
        };
        // Only canonical encodings parse: re-encoding must give the input back.
        let canonical = encode(&key.tenant, &key.table, &key.hash8, &key.parts, None);
        if canonical != key.encoded {
            return Err(KeyParseError::new(encoded, "not in canonical form"));
        }
        Ok(key)
    }
}

impl fmt::Debug for CacheKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CacheKey({})", self.encoded)
    }
}

impl fmt::Display for CacheKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.encoded)
    }
}

/// Why a string is not a cache key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyParseError {
    key: String,
    reason: &'static str,
}

impl KeyParseError {
    fn new(key: &str, reason: &'static str) -> Self {
        KeyParseError {
            key: key.to_string(),
            reason,
        }
    }
}

impl fmt::Display for KeyParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not a cache key: {}", self.key, self.reason)
    }
}

impl std::error::Error for KeyParseError {}

/// Encodes a key; `generations` (tenant's, table's) are inserted for storage keys.
fn encode(
    tenant: &TenantId,
    table: &str,
    hash8: &str,
    parts: &[String],
    generations: Option<(u64, u64)>,
) -> String {
    let mut s = String::with_capacity(
        KEY_NAMESPACE.len() + table.len() + 48 + parts.iter().map(|p| p.len() + 1).sum::<usize>(),
    );
    s.push_str(KEY_NAMESPACE);
    s.push(':');
    push_scope(&mut s, tenant);
    if let Some((tenant_gen, _)) = generations {
        s.push_str(":g");
        s.push_str(&tenant_gen.to_string());
    }
    s.push(':');
    escape_into(&mut s, table);
    if let Some((_, table_gen)) = generations {
        s.push_str(":g");
        s.push_str(&table_gen.to_string());
    }
    s.push(':');
    s.push_str(hash8);
    for part in parts {
        s.push(':');
        escape_into(&mut s, part);
    }
    s
}

fn push_scope(out: &mut String, tenant: &TenantId) {
    match tenant.as_str() {
        None => out.push_str(GLOBAL_SCOPE),
        Some(t) => {
            out.push_str(TENANT_SCOPE_PREFIX);
            escape_into(out, t);
        }
    }
}

/// Whether `b` may appear unescaped in a key component.
fn is_plain(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.'
}

/// Appends `component` to `out`, escaping every byte outside `[A-Za-z0-9_.-]` as `%XX`.
pub(crate) fn escape_into(out: &mut String, component: &str) {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    for &b in component.as_bytes() {
        if is_plain(b) {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(DIGITS[(b >> 4) as usize] as char);
            out.push(DIGITS[(b & 15) as usize] as char);
        }
    }
}

/// Escapes one key component (see the [module docs](self)).
///
/// ```
/// assert_eq!(cache_contract::key::escape("a:b*"), "a%3Ab%2A");
/// ```
pub fn escape(component: &str) -> String {
    let mut s = String::with_capacity(component.len());
    escape_into(&mut s, component);
    s
}

fn unescape(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hi = hex_val(*bytes.get(i + 1)?)?;
                let lo = hex_val(*bytes.get(i + 2)?)?;
                out.push(hi << 4 | lo);
                i += 3;
            }
            b if is_plain(b) => {
                out.push(b);
                i += 1;
            }
            _ => return None,
        }
    }
    String::from_utf8(out).ok()
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}
