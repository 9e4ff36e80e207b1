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
//! - `<hash8>` is the first 8 hex digits of the struct's `CONTRACT_HASH`, so entries written
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
//! use cache_contract::{CacheKey, ContractHash, TenantId};
//! let hash = ContractHash::from_bytes([0xab; 32]);
//! let key = CacheKey::new(&TenantId::new("acme:eu"), "users", &hash, vec!["42".into()]);
//! assert_eq!(key.as_str(), "cc1:t.acme%3Aeu:users:abababab:42");
//! let back = CacheKey::parse(key.as_str()).unwrap();
//! assert_eq!(back.tenant(), &TenantId::new("acme:eu"));
//! assert_eq!(back.parts(), ["42"]);
//! ```

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt::{self, Write as _};
use std::hash::{Hash, Hasher};

use crate::tenant::TenantId;

/// The fixed namespace and format version that starts every key.
pub const KEY_NAMESPACE: &str = "cc1";

/// The scope segment of keys of `#[cache(global)]` tables.
const GLOBAL_SCOPE: &str = "global";

/// The prefix of the scope segment of a tenant's keys.
const TENANT_SCOPE_PREFIX: &str = "t.";

/// A contract hash: blake3 of a table's canonical definition (its `table_hash`) and a
/// struct's field mapping, as the derive embeds it in `CacheContract::CONTRACT_HASH`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ContractHash([u8; 32]);

impl ContractHash {
    /// Wraps 32 hash bytes.
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        ContractHash(bytes)
    }

    /// The hash bytes.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The first 8 hex digits, as used in keys.
    ///
    /// ```
    /// use cache_contract::ContractHash;
    /// assert_eq!(ContractHash::from_bytes([0x0f; 32]).short(), "0f0f0f0f");
    /// ```
    pub fn short(&self) -> String {
        hash8_str(&self.short_bytes()).to_string()
    }

    /// The first 8 hex digits as bytes, without allocating.
    fn short_bytes(&self) -> [u8; 8] {
        let mut out = [0u8; 8];
        for (i, b) in self.0[..4].iter().enumerate() {
            out[2 * i] = HEX_DIGITS[(b >> 4) as usize];
            out[2 * i + 1] = HEX_DIGITS[(b & 15) as usize];
        }
        out
    }

    /// All 64 hex digits.
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }
}

impl fmt::Debug for ContractHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ContractHash({})", self.to_hex())
    }
}

impl fmt::Display for ContractHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(HEX_DIGITS[(b >> 4) as usize] as char);
        s.push(HEX_DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// The 8 hex digits of a contract-hash prefix as text (they are always ASCII).
fn hash8_str(hash8: &[u8; 8]) -> &str {
    std::str::from_utf8(hash8).unwrap_or("")
}

/// A cache key: always scoped to a tenant (or explicitly global), built only through
/// [`CacheContract`](crate::CacheContract) implementations or [`CacheKey::new`], which
/// requires a [`TenantId`]. See the [module docs](self) for the format.
///
/// Equality, ordering and hashing compare the encoded key (the encoding is injective, so
/// this is the same as comparing the parts).
#[derive(Clone)]
pub struct CacheKey {
    encoded: String,
    tenant: TenantId,
    table: Cow<'static, str>,
    hash8: [u8; 8],
    parts: Vec<String>,
}

impl PartialEq for CacheKey {
    fn eq(&self, other: &Self) -> bool {
        self.encoded == other.encoded
    }
}

impl Eq for CacheKey {}

impl Hash for CacheKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.encoded.hash(state);
    }
}

impl PartialOrd for CacheKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for CacheKey {
    fn cmp(&self, other: &Self) -> Ordering {
        self.encoded.cmp(&other.encoded)
    }
}

impl CacheKey {
    /// Builds the key of the row identified by `parts` in `table`, for `tenant`.
    pub fn new(tenant: &TenantId, table: &str, hash: &ContractHash, parts: Vec<String>) -> Self {
        Self::build(tenant.clone(), Cow::Owned(table.to_string()), hash, parts)
    }

    /// [`CacheKey::new`] without copying the tenant or a `'static` table name: what
    /// [`CacheContract::cache_key`](crate::CacheContract::cache_key) uses on the hot path.
    pub fn from_parts(
        tenant: TenantId,
        table: &'static str,
        hash: &ContractHash,
        parts: Vec<String>,
    ) -> Self {
        Self::build(tenant, Cow::Borrowed(table), hash, parts)
    }

    fn build(
        tenant: TenantId,
        table: Cow<'static, str>,
        hash: &ContractHash,
        parts: Vec<String>,
    ) -> Self {
        let hash8 = hash.short_bytes();
        CacheKey {
            encoded: encode(&tenant, &table, hash8_str(&hash8), &parts, None),
            tenant,
            table,
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

    /// The first 8 hex digits of the contract hash.
    pub fn contract_hash_prefix(&self) -> &str {
        hash8_str(&self.hash8)
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
    /// use cache_contract::{CacheKey, ContractHash, TenantId};
    /// let key = CacheKey::new(&TenantId::new("acme"), "users", &ContractHash::from_bytes([0; 32]), vec!["7".into()]);
    /// assert_eq!(key.storage_key(3, 1), "cc1:t.acme:g3:users:g1:00000000:7");
    /// ```
    pub fn storage_key(&self, tenant_generation: u64, table_generation: u64) -> String {
        encode(
            &self.tenant,
            &self.table,
            hash8_str(&self.hash8),
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
            .ok_or_else(|| KeyParseError::new(encoded, "missing contract hash"))?;
        if hash8.len() != 8
            || !hash8
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(KeyParseError::new(
                encoded,
                "contract hash is not 8 lower-case hex digits",
            ));
        }
        let parts = segments
            .map(|p| {
                unescape(p).ok_or_else(|| KeyParseError::new(encoded, "bad escape in key part"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut hash8_bytes = [0u8; 8];
        hash8_bytes.copy_from_slice(hash8.as_bytes());
        let key = CacheKey {
            encoded: encoded.to_string(),
            tenant,
            table: Cow::Owned(table),
            hash8: hash8_bytes,
            parts,
        };
        // Only canonical encodings parse: re-encoding must give the input back.
        let canonical = encode(
            &key.tenant,
            &key.table,
            hash8_str(&key.hash8),
            &key.parts,
            None,
        );
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
    // Room for every separator, prefix and generation, and the components unescaped: a key
    // without escapes is built in one allocation.
    let tenant_len = tenant.as_str().map_or(GLOBAL_SCOPE.len(), |t| t.len() + 2);
    let mut s = String::with_capacity(
        KEY_NAMESPACE.len()
            + tenant_len
            + table.len()
            + hash8.len()
            + 48
            + parts.iter().map(|p| p.len() + 1).sum::<usize>(),
    );
    s.push_str(KEY_NAMESPACE);
    s.push(':');
    push_scope(&mut s, tenant);
    if let Some((tenant_gen, _)) = generations {
        let _ = write!(s, ":g{tenant_gen}");
    }
    s.push(':');
    escape_into(&mut s, table);
    if let Some((_, table_gen)) = generations {
        let _ = write!(s, ":g{table_gen}");
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
    PLAIN[b as usize]
}

/// [`is_plain`] as a table, so escaping costs one load per byte.
static PLAIN: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.';
        b += 1;
    }
    table
};

/// Appends `component` to `out`, escaping every byte outside `[A-Za-z0-9_.-]` as `%XX`.
pub(crate) fn escape_into(out: &mut String, component: &str) {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let bytes = component.as_bytes();
    let mut plain_from = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !is_plain(b) {
            // A run of plain bytes is ASCII, so both ends are char boundaries.
            if plain_from < i {
                out.push_str(&component[plain_from..i]);
            }
            out.push('%');
            out.push(DIGITS[(b >> 4) as usize] as char);
            out.push(DIGITS[(b & 15) as usize] as char);
            plain_from = i + 1;
        }
    }
    if plain_from < bytes.len() {
        out.push_str(&component[plain_from..]);
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
