//! Cache keys and every Redis key the library writes: the one place the key format is
//! defined (format version 2, namespace `cc2`). Every other module calls it.
//!
//! # A row's identity: [`CacheKey`]
//!
//! ```text
//! cc2:{<scope>}:<table>:<hash8>[:<part>]*
//! ```
//!
//! - `cc2` is the namespace and format version (version 1, `cc1:<scope>:...` without
//!   braces, predates Redis Cluster support: its keys are never read by this version);
//! - `{<scope>}` is `{t.<tenant>}` for a tenant's row, or `{global}` for a table that opted
//!   out of tenancy with `#[cache(global)]` (the two never meet: `global` has no `.`). The
//!   braces make it a Redis Cluster *hash tag*: every key of one tenant lives in one hash
//!   slot ([`tenant_slot`]), so the scripts that read an entry together with its
//!   generations run on one node, while tenants spread over the 16 384 slots;
//! - `<table>` is the table name;
//! - `<hash8>` is the first 8 hex digits of the struct's `CONTRACT_HASH`, so entries written
//!   before a migration are never read after it;
//! - each `<part>` is one key field's value.
//!
//! Every variable component is *escaped*: bytes outside `[A-Za-z0-9_.-]` become `%XX`
//! (upper-case hex). The separator `:`, the glob characters `* ? [ ] \`, the hash-tag
//! braces `{ }`, `%` itself, white space and non-ASCII bytes therefore never appear raw
//! inside a component, which makes the encoding injective (distinct tenant, table, hash and
//! parts always give distinct keys), makes keys safe to use literally in Redis and in
//! `SCAN MATCH` patterns, and lets [`CacheKey::parse`] give the parts back.
//!
//! ```
//! use cache_contract::{CacheKey, ContractHash, TenantId};
//! let hash = ContractHash::from_bytes([0xab; 32]);
//! let key = CacheKey::new(&TenantId::new("acme:eu"), "users", &hash, vec!["42".into()]);
//! assert_eq!(key.as_str(), "cc2:{t.acme%3Aeu}:users:abababab:42");
//! let back = CacheKey::parse(key.as_str()).unwrap();
//! assert_eq!(back.tenant(), &TenantId::new("acme:eu"));
//! assert_eq!(back.parts(), ["42"]);
//! ```
//!
//! # In Redis: [`RedisKeys`]
//!
//! A cache configured with the prefix `<p>` (often empty; `%`, `{` and `}` in it are
//! escaped as `%XX` so that the hash tag stays the first braces of every key) writes, per
//! tenant, only these keys:
//!
//! | key | holds |
//! |-----|-------|
//! | `<p>cc2:{<scope>}:g` | the tenant's generation (integer; missing = 0; no TTL) |
//! | `<p>cc2:{<scope>}:g:<table>` | the table's generation within the tenant (missing = 0; no TTL) |
//! | `<p>cc2:{<scope>}:v:<table>:<hash8>[:<part>]*` | the row's version (missing = 0; expires a while after the entries it guards) |
//! | `<p>cc2:{<scope>}:e:<table>:<hash8>:g<tenant gen>.<table gen>[:<part>]*` | the entry: an [envelope](crate::envelope), with a TTL |
//!
//! Wide invalidations bump a generation, which moves every later read of the tenant (or
//! table) to new entry keys: nothing ever scans the keyspace to invalidate. A tool that
//! inspects entries (an audit) may list a tenant's entries of one table with
//! [`RedisKeys::entry_pattern`] and read them back with [`RedisKeys::parse_entry`].
//!
//! ```
//! use cache_contract::{CacheKey, ContractHash, TenantId};
//! use cache_contract::key::RedisKeys;
//! let tenant = TenantId::new("a:*");
//! let key = CacheKey::new(&tenant, "users", &ContractHash::from_bytes([0; 32]), vec!["7".into()]);
//! let keys = RedisKeys::new("app:");
//! assert_eq!(keys.tenant_generation(&tenant), "app:cc2:{t.a%3A%2A}:g");
//! assert_eq!(keys.table_generation(&tenant, "users"), "app:cc2:{t.a%3A%2A}:g:users");
//! assert_eq!(keys.row_version(&key), "app:cc2:{t.a%3A%2A}:v:users:00000000:7");
//! assert_eq!(keys.entry(&key, 3, 5), "app:cc2:{t.a%3A%2A}:e:users:00000000:g3.5:7");
//! assert_eq!(keys.entry_pattern(&tenant, "users"), "app:cc2:{t.a%3A%2A}:e:users:*");
//! ```

mod escape;

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt::{self, Write as _};
use std::hash::{Hash, Hasher};

use crate::tenant::TenantId;

pub use escape::escape;
pub(crate) use escape::escape_prefix_into;
use escape::{escape_into, glob_literal_into, unescape_checked};

/// The namespace and format version that starts every key.
pub const KEY_NAMESPACE: &str = "cc2";

/// The namespace of format version 1, recognised only to say so when parsing.
const V1_NAMESPACE: &str = "cc1";

/// The scope of keys of `#[cache(global)]` tables.
const GLOBAL_SCOPE: &str = "global";

/// The prefix of the scope of a tenant's keys.
const TENANT_SCOPE_PREFIX: &str = "t.";

/// The kinds of Redis keys, written right after a key's hash tag.
const TENANT_GENERATION: &str = "g";
const TABLE_GENERATION: &str = "g:";
const ROW_VERSION: &str = "v:";
const ENTRY: &str = "e:";

/// The number of Redis Cluster hash slots.
pub const CLUSTER_SLOTS: u16 = 16_384;

/// Appends the scope of `tenant` (`t.<escaped id>` or `global`) to `out`.
fn push_scope(out: &mut String, tenant: &TenantId) {
    match tenant.as_str() {
        None => out.push_str(GLOBAL_SCOPE),
        Some(t) => {
            out.push_str(TENANT_SCOPE_PREFIX);
            escape_into(out, t);
        }
    }
}

/// Appends `cc2:{<scope>}:` to `out`.
fn push_head(out: &mut String, tenant: &TenantId) {
    out.push_str(KEY_NAMESPACE);
    out.push_str(":{");
    push_scope(out, tenant);
    out.push_str("}:");
}

/// The Redis Cluster hash slot of every key of `tenant`: CRC16 (XMODEM) of its hash tag's
/// content, modulo 16 384 — what the cluster computes for the keys themselves.
///
/// ```
/// use cache_contract::{TenantId, key};
/// assert_eq!(key::tenant_slot(&TenantId::new("acme")), key::tenant_slot(&TenantId::new("acme")));
/// assert!(key::tenant_slot(&TenantId::global()) < key::CLUSTER_SLOTS);
/// ```
pub fn tenant_slot(tenant: &TenantId) -> u16 {
    let mut scope = String::new();
    push_scope(&mut scope, tenant);
    slot_of_tag(scope.as_bytes())
}

/// The hash slot of a hash tag's content.
pub(crate) fn slot_of_tag(tag: &[u8]) -> u16 {
    crc16::State::<crc16::XMODEM>::calculate(tag) % CLUSTER_SLOTS
}

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
    /// Where `<table>` starts in `encoded` (after `cc2:{<scope>}:`).
    table_at: usize,
    /// Where the parts start in `encoded` (right after `<hash8>`: `:` or the end).
    parts_at: usize,
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
        let (encoded, table_at, parts_at) = encode(&tenant, &table, hash8_str(&hash8), &parts);
        CacheKey {
            encoded,
            tenant,
            table,
            hash8,
            parts,
            table_at,
            parts_at,
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

    /// The Redis Cluster hash slot of this key and of every Redis key of its tenant.
    pub fn slot(&self) -> u16 {
        tenant_slot(&self.tenant)
    }

    /// `cc2:{<scope>}:`
    fn head(&self) -> &str {
        &self.encoded[..self.table_at]
    }

    /// `<table>:<hash8>`, escaped.
    fn table_and_hash(&self) -> &str {
        &self.encoded[self.table_at..self.parts_at]
    }

    /// `[:<part>]*`, escaped.
    fn parts_suffix(&self) -> &str {
        &self.encoded[self.parts_at..]
    }

    /// Parses an encoded key back into its parts.
    ///
    /// ```
    /// use cache_contract::CacheKey;
    /// assert!(CacheKey::parse("cc2:{global}:countries:0011aabb:FR").is_ok());
    /// assert!(CacheKey::parse("cc2:{acme}:users:0011aabb:1").is_err()); // scope without `t.`
    /// let old = CacheKey::parse("cc1:t.acme:users:0011aabb:1").unwrap_err();
    /// assert!(old.to_string().contains("key format 1"), "{old}");
    /// ```
    pub fn parse(encoded: &str) -> Result<CacheKey, KeyParseError> {
        Self::parse_string(encoded.to_string())
    }

    /// [`parse`](Self::parse), keeping `encoded` as the key's text.
    pub(crate) fn parse_string(encoded: String) -> Result<CacheKey, KeyParseError> {
        let err = |reason| KeyParseError::new(&encoded, reason);
        let Some(rest) = encoded
            .strip_prefix(KEY_NAMESPACE)
            .and_then(|r| r.strip_prefix(":{"))
        else {
            return Err(err(if encoded.starts_with(V1_NAMESPACE) {
                "written in key format 1 (`cc1:`), which this version never reads"
            } else {
                "does not start with `cc2:{`"
            }));
        };
        let (scope, rest) = rest
            .split_once("}:")
            .ok_or_else(|| err("missing `}:` after the scope"))?;
        // Only canonical encodings parse: each component must be escaped as `encode` would
        // escape it (the layout around them is the one `encode` writes).
        let mut canonical = true;
        let tenant = if scope == GLOBAL_SCOPE {
            TenantId::global()
        } else if let Some(t) = scope.strip_prefix(TENANT_SCOPE_PREFIX) {
            let (t, c) = unescape_checked(t).ok_or_else(|| err("bad escape in tenant"))?;
            canonical &= c;
            TenantId::from_string(t)
        } else {
            return Err(err("scope is neither `global` nor `t.<tenant>`"));
        };
        let table_at = encoded.len() - rest.len();
        let mut segments = rest.split(':');
        let table = segments.next().ok_or_else(|| err("missing table"))?;
        let (table, c) = unescape_checked(table).ok_or_else(|| err("bad escape in table"))?;
        canonical &= c;
        let hash8_text = segments
            .next()
            .ok_or_else(|| err("missing contract hash"))?;
        let hash8: [u8; 8] = hash8_text
            .as_bytes()
            .try_into()
            .ok()
            .filter(|h: &[u8; 8]| h.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
            .ok_or_else(|| err("contract hash is not 8 lower-case hex digits"))?;
        let parts_at = hash8_text.as_ptr() as usize - encoded.as_ptr() as usize + 8;
        let parts = segments
            .map(|p| {
                let (part, c) = unescape_checked(p).ok_or_else(|| err("bad escape in key part"))?;
                canonical &= c;
                Ok(part)
            })
            .collect::<Result<Vec<_>, _>>()?;
        if !canonical {
            return Err(err("not in canonical form"));
        }
        debug_assert_eq!(
            encode(&tenant, &table, hash8_str(&hash8), &parts),
            (encoded.clone(), table_at, parts_at)
        );
        Ok(CacheKey {
            encoded,
            tenant,
            table: Cow::Owned(table),
            hash8,
            parts,
            table_at,
            parts_at,
        })
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

/// Why a string is not a cache key (or not a Redis key of this format).
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

/// Encodes a key; returns it with where its table and its parts start.
fn encode(tenant: &TenantId, table: &str, hash8: &str, parts: &[String]) -> (String, usize, usize) {
    // Room for every separator and the components unescaped: a key without escapes is
    // built in one allocation.
    let scope_len = tenant.as_str().map_or(GLOBAL_SCOPE.len(), |t| t.len() + 2);
    let mut s = String::with_capacity(
        KEY_NAMESPACE.len()
            + scope_len
            + table.len()
            + hash8.len()
            + 8
            + parts.iter().map(|p| p.len() + 1).sum::<usize>(),
    );
    push_head(&mut s, tenant);
    let table_at = s.len();
    escape_into(&mut s, table);
    s.push(':');
    s.push_str(hash8);
    let parts_at = s.len();
    for part in parts {
        s.push(':');
        escape_into(&mut s, part);
    }
    (s, table_at, parts_at)
}

/// The Redis keys of one cache: its prefix and the layout of format version 2 (see the
/// [module docs](self)). Cheap to clone.
#[derive(Clone, PartialEq, Eq)]
pub struct RedisKeys {
    /// The configured prefix, escaped.
    prefix: String,
}

impl fmt::Debug for RedisKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RedisKeys({:?})", self.prefix)
    }
}

impl RedisKeys {
    /// The keys of a cache whose keys start with `prefix` (e.g. `"myapp:"`, or `""`).
    /// `%`, `{` and `}` in the prefix are written as `%XX`.
    ///
    /// ```
    /// use cache_contract::key::RedisKeys;
    /// assert_eq!(RedisKeys::new("app{eu}:").prefix(), "app%7Beu%7D:");
    /// ```
    pub fn new(prefix: &str) -> Self {
        let mut escaped = String::with_capacity(prefix.len());
        escape_prefix_into(&mut escaped, prefix);
        RedisKeys { prefix: escaped }
    }

    /// The prefix as written in keys.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// `<p>cc2:{<scope>}:<kind>` with room for `extra` more bytes.
    fn start(&self, tenant: &TenantId, kind: &str, extra: usize) -> String {
        let mut s = String::with_capacity(self.prefix.len() + 16 + kind.len() + extra);
        s.push_str(&self.prefix);
        push_head(&mut s, tenant);
        s.push_str(kind);
        s
    }

    /// `<p>` + the key's head + `kind` + `<table>:<hash8>`.
    fn start_from_key(&self, key: &CacheKey, kind: &str) -> String {
        let mut s = String::with_capacity(self.prefix.len() + key.encoded.len() + kind.len() + 24);
        s.push_str(&self.prefix);
        s.push_str(key.head());
        s.push_str(kind);
        s.push_str(key.table_and_hash());
        s
    }

    /// The key of `tenant`'s generation.
    pub fn tenant_generation(&self, tenant: &TenantId) -> String {
        self.start(tenant, TENANT_GENERATION, 0)
    }

    /// The key of the generation of `table` within `tenant`.
    pub fn table_generation(&self, tenant: &TenantId, table: &str) -> String {
        let mut s = self.start(tenant, TABLE_GENERATION, table.len());
        escape_into(&mut s, table);
        s
    }

    /// The key of the row version of `key`.
    pub fn row_version(&self, key: &CacheKey) -> String {
        let mut s = self.start_from_key(key, ROW_VERSION);
        s.push_str(key.parts_suffix());
        s
    }

    /// The key of `key`'s entry under the given generations.
    pub fn entry(&self, key: &CacheKey, tenant_generation: u64, table_generation: u64) -> String {
        self.entry_template(key)
            .render(tenant_generation, table_generation)
    }

    /// `key`'s entry key with holes for the two generations, for scripts that fill them
    /// with the generations they read.
    pub fn entry_template(&self, key: &CacheKey) -> EntryKeyTemplate {
        let mut head = self.start_from_key(key, ENTRY);
        head.push_str(":g");
        EntryKeyTemplate {
            head,
            mid: ".",
            tail: key.parts_suffix().to_string(),
        }
    }

    /// The exact `SCAN MATCH` pattern of `tenant`'s entries of `table`, under every
    /// generation and contract hash: the prefix with its glob characters backslash-escaped,
    /// then `cc2:{<scope>}:e:<table>:*`. Escaped components contain no glob character and
    /// no separator, so the pattern matches no other tenant's or table's keys and no
    /// generation or row-version key. In a cluster, all of them are on the node that serves
    /// [`tenant_slot`].
    ///
    /// ```
    /// use cache_contract::TenantId;
    /// use cache_contract::key::RedisKeys;
    /// let keys = RedisKeys::new("a*b:");
    /// assert_eq!(keys.entry_pattern(&TenantId::new("x?y"), "users"), "a\\*b:cc2:{t.x%3Fy}:e:users:*");
    /// ```
    pub fn entry_pattern(&self, tenant: &TenantId, table: &str) -> String {
        let mut s = String::with_capacity(self.prefix.len() + 24 + table.len());
        glob_literal_into(&mut s, &self.prefix);
        push_head(&mut s, tenant);
        s.push_str(ENTRY);
        escape_into(&mut s, table);
        s.push_str(":*");
        s
    }

    /// The exact `SCAN MATCH` pattern of `tenant`'s entries of every table:
    /// `cc2:{<scope>}:e:*` after the glob-escaped prefix. Like [`entry_pattern`](Self::entry_pattern)
    /// it matches no other tenant's keys, whatever the tenant id holds.
    ///
    /// ```
    /// use cache_contract::TenantId;
    /// use cache_contract::key::RedisKeys;
    /// let keys = RedisKeys::new("app:");
    /// assert_eq!(keys.tenant_entries_pattern(&TenantId::new("a*")), "app:cc2:{t.a%2A}:e:*");
    /// ```
    pub fn tenant_entries_pattern(&self, tenant: &TenantId) -> String {
        let mut s = String::with_capacity(self.prefix.len() + 24);
        glob_literal_into(&mut s, &self.prefix);
        push_head(&mut s, tenant);
        s.push_str(ENTRY);
        s.push('*');
        s
    }

    /// The exact `SCAN MATCH` pattern of every entry of every tenant (the global scope
    /// included): `cc2:{*}:e:*` after the glob-escaped prefix. Escaped scopes hold no `}`,
    /// so the first `*` can only match one whole scope: the pattern matches entry keys and
    /// no generation or row-version key.
    ///
    /// ```
    /// use cache_contract::key::RedisKeys;
    /// assert_eq!(RedisKeys::new("a?:").all_entries_pattern(), "a\\?:cc2:{*}:e:*");
    /// ```
    pub fn all_entries_pattern(&self) -> String {
        let mut s = String::with_capacity(self.prefix.len() + 16);
        glob_literal_into(&mut s, &self.prefix);
        s.push_str(KEY_NAMESPACE);
        s.push_str(":{*}:");
        s.push_str(ENTRY);
        s.push('*');
        s
    }

    /// Reads an entry key (as listed by `SCAN`) back: the row's [`CacheKey`] and the
    /// generations it was stored under. Only keys exactly as [`RedisKeys::entry`] writes
    /// them parse.
    ///
    /// ```
    /// use cache_contract::{CacheKey, ContractHash, TenantId};
    /// use cache_contract::key::RedisKeys;
    /// let keys = RedisKeys::new("app:");
    /// let key = CacheKey::new(&TenantId::new("acme"), "users", &ContractHash::from_bytes([1; 32]), vec!["7".into()]);
    /// let entry = keys.parse_entry(&keys.entry(&key, 2, 9)).unwrap();
    /// assert_eq!((entry.key, entry.tenant_generation, entry.table_generation), (key, 2, 9));
    /// assert!(keys.parse_entry("app:cc2:{t.acme}:g").is_err());
    /// ```
    pub fn parse_entry(&self, redis_key: &str) -> Result<EntryKey, KeyParseError> {
        let err = |reason| KeyParseError::new(redis_key, reason);
        let rest = redis_key
            .strip_prefix(self.prefix.as_str())
            .ok_or_else(|| err("does not start with the cache's prefix"))?;
        let (scope_head, rest) = rest
            .split_once("}:")
            .ok_or_else(|| err("missing `}:` after the scope"))?;
        let rest = rest
            .strip_prefix(ENTRY)
            .ok_or_else(|| err("not an entry key (`e:` after the scope)"))?;
        // `<table>:<hash8>:g<tg>.<tbg>[:<part>]*`
        let mut fields = rest.splitn(3, ':');
        let (table, hash8) = (fields.next(), fields.next());
        let generations = fields.next().unwrap_or_default();
        let (generations, parts) = match generations.split_once(':') {
            Some((g, p)) => (g, Some(p)),
            None => (generations, None),
        };
        let (tenant_generation, table_generation) = generations
            .strip_prefix('g')
            .and_then(|g| g.split_once('.'))
            .and_then(|(a, b)| Some((canonical_u64(a)?, canonical_u64(b)?)))
            .ok_or_else(|| err("missing `g<tenant gen>.<table gen>` after the contract hash"))?;
        let (table, hash8) = (table.unwrap_or_default(), hash8.unwrap_or_default());
        let mut logical = String::with_capacity(
            scope_head.len() + table.len() + hash8.len() + parts.map_or(0, str::len) + 4,
        );
        for piece in [scope_head, "}:", table, ":", hash8] {
            logical.push_str(piece);
        }
        if let Some(parts) = parts {
            logical.push(':');
            logical.push_str(parts);
        }
        // A canonical logical key and canonical generations: the key is exactly what
        // `entry` writes (no need to write it again and compare).
        let key = CacheKey::parse_string(logical).map_err(|e| err(e.reason))?;
        debug_assert_eq!(
            self.entry(&key, tenant_generation, table_generation),
            redis_key
        );
        Ok(EntryKey {
            key,
            tenant_generation,
            table_generation,
        })
    }
}

/// A generation as entry keys write it: decimal digits without a sign or leading zeros.
fn canonical_u64(text: &str) -> Option<u64> {
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    let leading_zero = text.len() > 1 && text.starts_with('0');
    if digits && !leading_zero {
        text.parse().ok()
    } else {
        None
    }
}

/// An entry key read back by [`RedisKeys::parse_entry`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryKey {
    /// The row's key.
    pub key: CacheKey,
    /// The tenant generation the entry was stored under.
    pub tenant_generation: u64,
    /// The table generation the entry was stored under.
    pub table_generation: u64,
}

/// An entry key with holes for the two generations: `head <tenant gen> mid <table gen>
/// tail`. The Redis tier's Lua scripts fill the holes with the generations they read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryKeyTemplate {
    /// Everything before the tenant generation.
    pub head: String,
    /// Between the two generations.
    pub mid: &'static str,
    /// Everything after the table generation.
    pub tail: String,
}

impl EntryKeyTemplate {
    /// The entry key for the given generations.
    pub fn render(&self, tenant_generation: u64, table_generation: u64) -> String {
        let mut s = String::with_capacity(self.head.len() + self.tail.len() + 24);
        s.push_str(&self.head);
        let _ = write!(s, "{tenant_generation}{}{table_generation}", self.mid);
        s.push_str(&self.tail);
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The slot Redis Cluster computes for a key: CRC16 of the content of the first
    /// `{...}` if it is non-empty, else of the whole key (the cluster specification's rule,
    /// written out independently of [`tenant_slot`]).
    fn redis_slot(key: &str) -> u16 {
        let bytes = key.as_bytes();
        let tagged = bytes.iter().position(|&b| b == b'{').and_then(|open| {
            let close = bytes[open + 1..].iter().position(|&b| b == b'}')?;
            (close > 0).then(|| &bytes[open + 1..open + 1 + close])
        });
        slot_of_tag(tagged.unwrap_or(bytes))
    }

    fn awkward_keys() -> Vec<CacheKey> {
        let mut keys = Vec::new();
        for t in [
            "a",
            "a:b",
            "*",
            "?",
            "[x]",
            "{x}",
            "}{",
            "g1:users:g2",
            "",
            "é",
        ] {
            for parts in [vec![], vec!["1".to_string()], vec!["a:b".into(), "".into()]] {
                keys.push(CacheKey::new(
                    &TenantId::new(t),
                    "users",
                    &ContractHash::from_bytes([1; 32]),
                    parts,
                ));
            }
        }
        keys.push(CacheKey::new(
            &TenantId::global(),
            "c",
            &ContractHash::from_bytes([1; 32]),
            vec![],
        ));
        keys
    }

    #[test]
    fn every_redis_key_of_a_tenant_is_in_the_tenant_slot() {
        for prefix in ["", "p:", "{x}", "a}{b", "%"] {
            let keys = RedisKeys::new(prefix);
            for key in awkward_keys() {
                let slot = tenant_slot(key.tenant());
                assert_eq!(key.slot(), slot);
                for redis_key in [
                    keys.tenant_generation(key.tenant()),
                    keys.table_generation(key.tenant(), key.table()),
                    keys.table_generation(key.tenant(), "other:{table}"),
                    keys.row_version(&key),
                    keys.entry(&key, 0, 0),
                    keys.entry(&key, 12, 345),
                ] {
                    assert_eq!(redis_slot(&redis_key), slot, "{redis_key}");
                }
            }
        }
    }

    #[test]
    fn templates_render_entry_keys_that_parse_back() {
        let keys = RedisKeys::new("p:");
        for key in awkward_keys() {
            let tpl = keys.entry_template(&key);
            let entry = tpl.render(9, 4);
            assert_eq!(entry, keys.entry(&key, 9, 4));
            let back = keys.parse_entry(&entry).unwrap();
            assert_eq!(
                (back.key, back.tenant_generation, back.table_generation),
                (key, 9, 4)
            );
        }
    }

    #[test]
    fn parse_entry_refuses_other_keys() {
        let keys = RedisKeys::new("p:");
        let key = CacheKey::new(
            &TenantId::new("a"),
            "t",
            &ContractHash::from_bytes([1; 32]),
            vec!["1".into()],
        );
        for other in [
            keys.row_version(&key),
            keys.tenant_generation(key.tenant()),
            keys.table_generation(key.tenant(), "t"),
            RedisKeys::new("q:").entry(&key, 1, 1),
            "p:cc2:{t.a}:e:t:01010101:g01.1:1".to_string(),
            "p:cc2:{t.a}:e:t:01010101:g1.+1:1".to_string(),
            "p:cc2:{t.a}:e:t:01010101:g1.00:1".to_string(),
            "p:cc2:{t.a}:e:t:01010101:g.1:1".to_string(),
            "p:cc2:{t.a}:e:t:01010101:g1:1".to_string(),
            "p:cc2:{t.a}:e:t:01010101".to_string(),
            "p:cc1:t.a:g1:t:g1:01010101:1".to_string(),
        ] {
            assert!(keys.parse_entry(&other).is_err(), "{other}");
        }
    }

    #[test]
    fn generation_keys_of_distinct_tenants_and_tables_differ() {
        let keys = RedisKeys::new("");
        let (a, b) = (TenantId::new("a:b"), TenantId::new("a"));
        assert_ne!(
            keys.table_generation(&a, "c"),
            keys.table_generation(&b, "b:c")
        );
        assert_ne!(
            keys.tenant_generation(&TenantId::new("global")),
            keys.tenant_generation(&TenantId::global())
        );
        assert_ne!(keys.tenant_generation(&a), keys.table_generation(&a, ""));
    }
}
