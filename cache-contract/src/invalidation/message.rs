//! The invalidation message and its JSON wire format (version 1).
//!
//! Any service, in any language, may publish invalidations: one UTF-8 JSON object per
//! Redis Pub/Sub message (or per Redis Streams entry, in the field `m`).
//!
//! ```json
//! {
//!   "v": 1,
//!   "id": "3f9a0c2be4d17a55-42",
//!   "tenant": "acme:eu",
//!   "kind": "keys",
//!   "table": "users",
//!   "keys": [["42"], ["43"]],
//!   "schema": "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a",
//!   "source": "billing-svc/pod-7",
//!   "ts": 1763700000000
//! }
//! ```
//!
//! | field    | type              | rule                                                                 |
//! |----------|-------------------|----------------------------------------------------------------------|
//! | `v`      | integer           | required, `1`                                                        |
//! | `id`     | string            | required, 1..=128 bytes, unique per message (receivers drop repeats) |
//! | `tenant` | string or `null`  | required; the tenant id as the application knows it (any characters, 1..=65535 bytes), `null` for `#[cache(global)]` tables |
//! | `kind`   | string            | required: `key`, `keys`, `table` or `tenant`                         |
//! | `table`  | string            | required for `key`, `keys`, `table`; absent or `null` for `tenant`   |
//! | `keys`   | array of arrays of strings | `key`: exactly one key; `keys`: 1..=10000 keys; absent otherwise. A key is its parts in key-column order (1..=12 parts, [`MAX_KEY_PARTS`], of at most 4096 bytes), each the key field's [`KeyPart`](crate::KeyPart) string, unescaped |
//! | `schema` | string or `null`  | optional: the publisher's 64-hex-digit `CONTRACT_HASH`; informational (receivers invalidate whatever their own schema) |
//! | `source` | string            | required, 1..=256 bytes: who published (service / instance)          |
//! | `ts`     | integer           | required: milliseconds since the Unix epoch when published           |
//!
//! Unknown fields, wrong types, out-of-range lengths and messages over 1 MiB are rejected:
//! receivers count them (`cache_contract_invalidations_malformed_total`) and skip them.
//!
//! Meaning: `key`/`keys` evict those rows of `table` for `tenant`; `table` evicts every row
//! of `table` for `tenant`; `tenant` evicts every row of every table for `tenant`. An
//! invalidation for one tenant never touches another tenant's entries.
//!
//! ```
//! use cache_contract::TenantId;
//! use cache_contract::invalidation::{Invalidation, Target};
//! let json = br#"{"v":1,"id":"a-1","tenant":"a:b*?[","kind":"table","table":"users","source":"svc","ts":1}"#;
//! let msg = Invalidation::from_json(json).unwrap();
//! assert_eq!(msg.tenant, TenantId::new("a:b*?["));
//! assert_eq!(msg.target, Target::Table { table: "users".into() });
//! assert_eq!(Invalidation::from_json(msg.to_json().as_bytes()).unwrap(), msg);
//! assert!(Invalidation::from_json(b"{\"v\":1}").is_err());
//! ```

use std::fmt;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::contract::CacheContract;
use crate::key::ContractHash;
use crate::tenant::TenantId;

/// The wire format version this release reads and writes.
pub const WIRE_VERSION: u64 = 1;
/// The largest message accepted, in bytes.
pub const MAX_MESSAGE_BYTES: usize = 1 << 20;
/// The most keys one `keys` message may carry.
pub const MAX_KEYS: usize = 10_000;
/// The most parts one key may have: as many as a cache struct's key can have.
pub use crate::key_part::MAX_KEY_PARTS;
/// The longest key part, in bytes.
pub const MAX_PART_BYTES: usize = 4096;

/// What an invalidation evicts, within its tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Rows of `table` (wire kinds `key` and `keys`); each key is its parts in key order.
    Keys {
        /// The table.
        table: String,
        /// The keys' parts.
        keys: Vec<Vec<String>>,
    },
    /// Every row of `table` (wire kind `table`).
    Table {
        /// The table.
        table: String,
    },
    /// Every row of every table (wire kind `tenant`).
    Tenant,
}

impl Target {
    /// The table targeted, or `None` for a whole tenant.
    pub fn table(&self) -> Option<&str> {
        match self {
            Target::Keys { table, .. } | Target::Table { table } => Some(table),
            Target::Tenant => None,
        }
    }

    /// The wire `kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            Target::Keys { keys, .. } if keys.len() == 1 => "key",
            Target::Keys { .. } => "keys",
            Target::Table { .. } => "table",
            Target::Tenant => "tenant",
        }
    }
}

/// One invalidation, as published and received. See the [module docs](self) for the wire
/// format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalidation {
    /// Unique message id (receivers drop repeats).
    pub id: String,
    /// The tenant whose entries are evicted.
    pub tenant: TenantId,
    /// What is evicted.
    pub target: Target,
    /// The publisher's contract hash, if it sent one (informational).
    pub contract_hash: Option<ContractHash>,
    /// Who published.
    pub source: String,
    /// Milliseconds since the Unix epoch at publication.
    pub timestamp_ms: u64,
}

impl Invalidation {
    /// An invalidation of `target` for `tenant`, with a fresh id, this process's default
    /// source and the current time.
    pub fn new(tenant: TenantId, target: Target) -> Self {
        Invalidation {
            id: next_id(),
            tenant,
            target,
            contract_hash: None,
            source: default_source().to_string(),
            timestamp_ms: now_ms(),
        }
    }

    /// Evicts the row `key` of `T` for `tenant`.
    pub fn key<T: CacheContract>(tenant: &TenantId, key: &T::Key) -> Self {
        Self::keys::<T>(tenant, std::slice::from_ref(key))
    }

    /// Evicts the rows `keys` of `T` for `tenant`.
    pub fn keys<T: CacheContract>(tenant: &TenantId, keys: &[T::Key]) -> Self {
        let mut msg = Self::new(
            tenant.clone(),
            Target::Keys {
                table: T::TABLE.to_string(),
                keys: keys.iter().map(T::key_parts).collect(),
            },
        );
        msg.contract_hash = Some(T::CONTRACT_HASH);
        msg
    }

    /// Evicts every row of `T`'s table for `tenant`.
    pub fn table<T: CacheContract>(tenant: &TenantId) -> Self {
        let mut msg = Self::new(
            tenant.clone(),
            Target::Table {
                table: T::TABLE.to_string(),
            },
        );
        msg.contract_hash = Some(T::CONTRACT_HASH);
        msg
    }

    /// Evicts every row of every table for `tenant`.
    pub fn tenant(tenant: &TenantId) -> Self {
        Self::new(tenant.clone(), Target::Tenant)
    }

    /// Replaces the source.
    pub fn with_source(mut self, source: impl Into<String>) -> Self {
        self.source = source.into();
        self
    }

    /// Serializes to the JSON wire format.
    pub fn to_json(&self) -> String {
        let (table, keys) = match &self.target {
            Target::Keys { table, keys } => (Some(table.as_str()), Some(keys.as_slice())),
            Target::Table { table } => (Some(table.as_str()), None),
            Target::Tenant => (None, None),
        };
        let wire = WireOut {
            v: WIRE_VERSION,
            id: &self.id,
            tenant: self.tenant.as_str(),
            kind: self.target.kind(),
            table,
            keys,
            schema: self.contract_hash.map(|s| s.to_hex()),
            source: &self.source,
            ts: self.timestamp_ms,
        };
        serde_json::to_string(&wire).expect("serializing strings and integers to JSON cannot fail")
    }

    /// Parses and strictly validates a wire message.
    pub fn from_json(bytes: &[u8]) -> Result<Self, MessageError> {
        if bytes.len() > MAX_MESSAGE_BYTES {
            return Err(MessageError::new(format!(
                "message of {} bytes exceeds the {MAX_MESSAGE_BYTES}-byte limit",
                bytes.len()
            )));
        }
        let wire: WireIn = serde_json::from_slice(bytes)
            .map_err(|e| MessageError::new(format!("not a valid invalidation: {e}")))?;
        wire.validate()
    }
}

/// Why bytes are not a valid invalidation message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageError {
    reason: String,
}

impl MessageError {
    fn new(reason: String) -> Self {
        MessageError { reason }
    }
}

impl fmt::Display for MessageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "malformed invalidation message: {}", self.reason)
    }
}

impl std::error::Error for MessageError {}

#[derive(Serialize)]
struct WireOut<'a> {
    v: u64,
    id: &'a str,
    tenant: Option<&'a str>,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    table: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    keys: Option<&'a [Vec<String>]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    schema: Option<String>,
    source: &'a str,
    ts: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireIn {
    v: u64,
    id: String,
    // `Option<Option<_>>` tells an absent tenant (an error) from `null` (global).
    #[serde(default, deserialize_with = "present")]
    tenant: Option<Option<String>>,
    kind: String,
    #[serde(default)]
    table: Option<String>,
    #[serde(default)]
    keys: Option<Vec<Vec<String>>>,
    #[serde(default)]
    schema: Option<String>,
    source: String,
    ts: u64,
}

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

fn check_len(what: &str, s: &str, max: usize) -> Result<(), MessageError> {
    if s.is_empty() || s.len() > max {
        return Err(MessageError::new(format!(
            "`{what}` must be 1..={max} bytes, got {}",
            s.len()
        )));
    }
    Ok(())
}

impl WireIn {
    fn validate(self) -> Result<Invalidation, MessageError> {
        if self.v != WIRE_VERSION {
            return Err(MessageError::new(format!(
                "unsupported wire version {} (this release reads {WIRE_VERSION})",
                self.v
            )));
        }
        check_len("id", &self.id, 128)?;
        check_len("source", &self.source, 256)?;
        let tenant = match self.tenant {
            None => return Err(MessageError::new("missing field `tenant`".into())),
            Some(None) => TenantId::global(),
            Some(Some(t)) => {
                check_len("tenant", &t, usize::from(u16::MAX))?;
                TenantId::new(t)
            }
        };
        let contract_hash = self.schema.map(|s| parse_hash(&s)).transpose()?;
        let table = |table: Option<String>| -> Result<String, MessageError> {
            let table = table.ok_or_else(|| {
                MessageError::new(format!("kind `{}` needs a `table`", self.kind))
            })?;
            check_len("table", &table, 256)?;
            Ok(table)
        };
        let no_keys = |keys: &Option<Vec<Vec<String>>>| {
            if keys.is_some() {
                Err(MessageError::new(format!(
                    "kind `{}` takes no `keys`",
                    self.kind
                )))
            } else {
                Ok(())
            }
        };
        let target = match self.kind.as_str() {
            "key" | "keys" => {
                let keys = self.keys.clone().ok_or_else(|| {
                    MessageError::new(format!("kind `{}` needs `keys`", self.kind))
                })?;
                let (min, max) = if self.kind == "key" {
                    (1, 1)
                } else {
                    (1, MAX_KEYS)
                };
                if keys.len() < min || keys.len() > max {
                    return Err(MessageError::new(format!(
                        "kind `{}` needs {min}..={max} keys, got {}",
                        self.kind,
                        keys.len()
                    )));
                }
                for key in &keys {
                    if key.is_empty() || key.len() > MAX_KEY_PARTS {
                        return Err(MessageError::new(format!(
                            "a key needs 1..={MAX_KEY_PARTS} parts, got {}",
                            key.len()
                        )));
                    }
                    if let Some(p) = key.iter().find(|p| p.len() > MAX_PART_BYTES) {
                        return Err(MessageError::new(format!(
                            "a key part of {} bytes exceeds {MAX_PART_BYTES} bytes",
                            p.len()
                        )));
                    }
                }
                Target::Keys {
                    table: table(self.table.clone())?,
                    keys,
                }
            }
            "table" => {
                no_keys(&self.keys)?;
                Target::Table {
                    table: table(self.table.clone())?,
                }
            }
            "tenant" => {
                no_keys(&self.keys)?;
                if self.table.is_some() {
                    return Err(MessageError::new("kind `tenant` takes no `table`".into()));
                }
                Target::Tenant
            }
            other => {
                return Err(MessageError::new(format!(
                    "unknown kind `{other}` (expected key, keys, table or tenant)"
                )));
            }
        };
        Ok(Invalidation {
            id: self.id,
            tenant,
            target,
            contract_hash,
            source: self.source,
            timestamp_ms: self.ts,
        })
    }
}

fn parse_hash(s: &str) -> Result<ContractHash, MessageError> {
    let bad = || MessageError::new("`schema` must be 64 lower-case hex digits".into());
    if s.len() != 64 {
        return Err(bad());
    }
    let mut out = [0u8; 32];
    for (i, pair) in s.as_bytes().chunks(2).enumerate() {
        let digit = |b: u8| match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            _ => None,
        };
        out[i] = digit(pair[0]).ok_or_else(bad)? << 4 | digit(pair[1]).ok_or_else(bad)?;
    }
    Ok(ContractHash::from_bytes(out))
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// A random-enough 64-bit prefix unique to this process, as 16 hex digits.
fn process_prefix() -> &'static str {
    static PREFIX: OnceLock<String> = OnceLock::new();
    PREFIX.get_or_init(|| {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let local = 0u8;
        let mut h = blake3::Hasher::new();
        h.update(&nanos.to_le_bytes());
        h.update(&std::process::id().to_le_bytes());
        h.update(&(&local as *const u8 as usize).to_le_bytes());
        h.finalize().to_hex()[..16].to_string()
    })
}

/// A new message id: this process's prefix and a counter.
pub(crate) fn next_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}-{}",
        process_prefix(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// The source stamped on messages built in this process: `rust/<process prefix>`.
pub fn default_source() -> &'static str {
    static SOURCE: OnceLock<String> = OnceLock::new();
    SOURCE.get_or_init(|| format!("rust/{}", process_prefix()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Row;

    fn parse(s: &str) -> Result<Invalidation, MessageError> {
        Invalidation::from_json(s.as_bytes())
    }

    #[test]
    fn every_kind_round_trips() {
        let t = TenantId::new("x:*?[");
        for msg in [
            Invalidation::key::<Row>(&t, &1),
            Invalidation::keys::<Row>(&t, &[1, 2, 3]),
            Invalidation::table::<Row>(&t),
            Invalidation::tenant(&t),
            Invalidation::tenant(&TenantId::global()),
        ] {
            let json = msg.to_json();
            assert_eq!(parse(&json).unwrap(), msg, "{json}");
        }
    }

    #[test]
    fn ids_are_unique() {
        assert_ne!(next_id(), next_id());
    }

    #[test]
    fn rejects_malformed_messages() {
        let ok = r#"{"v":1,"id":"i","tenant":"t","kind":"key","table":"rows","keys":[["1"]],"source":"s","ts":1}"#;
        assert!(parse(ok).is_ok());
        let bad = [
            "",
            "null",
            "[]",
            "{",
            "\u{0}",
            r#"{"v":2,"id":"i","tenant":"t","kind":"tenant","source":"s","ts":1}"#,
            r#"{"v":1,"id":"","tenant":"t","kind":"tenant","source":"s","ts":1}"#,
            r#"{"v":1,"id":"i","kind":"tenant","source":"s","ts":1}"#,
            r#"{"v":1,"id":"i","tenant":"","kind":"tenant","source":"s","ts":1}"#,
            r#"{"v":1,"id":"i","tenant":"t","kind":"tenant","table":"x","source":"s","ts":1}"#,
            r#"{"v":1,"id":"i","tenant":"t","kind":"table","source":"s","ts":1}"#,
            r#"{"v":1,"id":"i","tenant":"t","kind":"table","table":"x","keys":[["1"]],"source":"s","ts":1}"#,
            r#"{"v":1,"id":"i","tenant":"t","kind":"key","table":"x","keys":[],"source":"s","ts":1}"#,
            r#"{"v":1,"id":"i","tenant":"t","kind":"key","table":"x","keys":[["1"],["2"]],"source":"s","ts":1}"#,
            r#"{"v":1,"id":"i","tenant":"t","kind":"keys","table":"x","keys":[[]],"source":"s","ts":1}"#,
            r#"{"v":1,"id":"i","tenant":"t","kind":"keys","table":"x","keys":[[1]],"source":"s","ts":1}"#,
            r#"{"v":1,"id":"i","tenant":"t","kind":"row","table":"x","source":"s","ts":1}"#,
            r#"{"v":1,"id":"i","tenant":"t","kind":"tenant","source":"s","ts":-1}"#,
            r#"{"v":1,"id":"i","tenant":"t","kind":"tenant","source":"s","ts":1,"extra":0}"#,
            r#"{"v":1,"id":"i","tenant":"t","kind":"tenant","schema":"zz","source":"s","ts":1}"#,
            r#"{"v":1,"id":"i","tenant":"t","kind":"tenant","source":"","ts":1}"#,
        ];
        for b in bad {
            let err = parse(b).expect_err(b);
            assert!(
                err.to_string()
                    .starts_with("malformed invalidation message")
            );
        }
        assert!(Invalidation::from_json(&[0xff, 0xfe]).is_err());
        let huge = format!(
            r#"{{"v":1,"id":"i","tenant":"{}","kind":"tenant","source":"s","ts":1}}"#,
            "a".repeat(MAX_MESSAGE_BYTES)
        );
        assert!(parse(&huge).is_err());
    }

    #[test]
    fn keys_have_at_most_as_many_parts_as_a_struct_key() {
        let msg = |n: usize| {
            let parts: Vec<String> = (0..n).map(|i| format!("\"{i}\"")).collect();
            format!(
                r#"{{"v":1,"id":"i","tenant":"t","kind":"key","table":"x","keys":[[{}]],"source":"s","ts":1}}"#,
                parts.join(",")
            )
        };
        assert!(parse(&msg(MAX_KEY_PARTS)).is_ok());
        let err = parse(&msg(MAX_KEY_PARTS + 1)).unwrap_err();
        assert!(err.to_string().contains("1..=12 parts"), "{err}");
    }

    proptest::proptest! {
        #[test]
        fn parse_never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)) {
            let _ = Invalidation::from_json(&bytes);
        }

        #[test]
        fn any_tenant_round_trips(t in ".{1,40}", parts in proptest::collection::vec(".{0,20}", 1..4)) {
            let msg = Invalidation::new(TenantId::new(&t), Target::Keys { table: "rows".into(), keys: vec![parts] });
            proptest::prop_assert_eq!(parse(&msg.to_json()).unwrap(), msg);
        }
    }
}
