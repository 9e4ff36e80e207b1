//! Envelopes: the bytes a cached value is stored as.
//!
//! An envelope wraps a value's serialized payload with everything a reader must check before
//! trusting it: the format version, the tenant and table it belongs to, the struct's
//! [`CONTRACT_HASH`](crate::CacheContract::CONTRACT_HASH) and a 32-byte *tag* over all of it:
//!
//! - **unkeyed** (format version 3, [`seal`] / [`open`]): the tag is a blake3 checksum. It
//!   detects corruption, not forgery: anyone who can write to Redis can write an entry that
//!   opens.
//! - **keyed** (format version 4, [`seal_with`] / [`open_with`] and a [`Keyring`]): the tag
//!   is a keyed blake3 MAC under a deployment secret, and the header names the key's id. Only
//!   holders of the secret can write an entry that opens; a forged entry, or one sealed under
//!   a key the reader does not hold, is refused ([`OpenError::Forged`]) like a corrupt one.
//!   A keyed reader also refuses unkeyed entries (otherwise a forger would simply write
//!   those); an unkeyed reader cannot check a keyed entry and reads it as a miss
//!   ([`OpenError::Unverifiable`]).
//!
//! # Binary layouts
//!
//! All integers are little-endian. Offsets are in bytes. The tag covers every byte from
//! offset 36 to the end (in format 4 that includes the key id).
//!
//! | format 3 (unkeyed) | format 4 (keyed) | size | field                                   |
//! |-------------------:|-----------------:|-----:|-----------------------------------------|
//! | 0                  | 0                | 3    | magic `CCE` (`0x43 0x43 0x45`)          |
//! | 3                  | 3                | 1    | format version: `3` or `4`              |
//! | 4                  | 4                | 32   | tag: blake3 checksum (3) or keyed blake3 MAC (4) |
//! | —                  | 36               | 4    | key id (`u32`)                          |
//! | 36                 | 40               | 32   | the struct's `CONTRACT_HASH`              |
//! | 68                 | 72               | 1    | scope: `0` = global, `1` = tenant       |
//! | 69                 | 73               | 2    | tenant id length `t` (`0` when global)  |
//! | 71                 | 75               | 2    | table name length `n`                   |
//! | 73                 | 77               | 4    | payload length `p`                      |
//! | 77                 | 81               | t    | tenant id (UTF-8)                       |
//! | 77+t               | 81+t             | n    | table name (UTF-8)                      |
//! | 77+t+n             | 81+t+n           | p    | payload                                 |
//!
//! The total length must be exactly the header plus `t + n + p`; trailing bytes are
//! corruption. The MAC key is derived from the deployment secret with blake3's
//! `derive_key` (see [`EnvelopeKey`]); tags are compared in constant time.
//!
//! # Payload format
//!
//! The payload is the value serialized as [MessagePack](https://msgpack.org) (rmp-serde,
//! structs as arrays: no field names), a specified format with readers in every language.
//! It is compact, and it is self-describing, so every serde type reads back, including those
//! that ask the format what comes next: `serde_json::Value`, `rust_decimal::Decimal`,
//! `#[serde(flatten)]`, untagged enums. A changed struct is never decoded from old bytes:
//! an entry written under another `CONTRACT_HASH` reads as [`OpenError::Stale`]. One serde
//! attribute stays unsupported on cached structs: `skip_serializing_if`, which shifts the
//! positions of the fields after it.
//!
//! Formats 1 and 2, written by earlier releases with [postcard](https://docs.rs/postcard)
//! payloads (postcard cannot read the types above back), read as
//! [`OpenError::UnsupportedVersion`]: a miss, never deleted. After an upgrade each entry is
//! loaded once more, as after a migration of its table; during a rolling deploy old and new
//! instances read each other's entries as misses.
//!
//! # Checks when opening, in order
//!
//! 1. magic and a complete header, else [`OpenError::Corrupt`];
//! 2. the format version, else [`OpenError::UnsupportedVersion`] (a miss: written by a newer
//!    release);
//! 3. lengths consistent with the buffer, else [`OpenError::Corrupt`];
//! 4. the tag: a checksum mismatch is [`OpenError::Corrupt`]; with a keyring, an unkeyed
//!    entry, an unknown key id or a MAC mismatch is [`OpenError::Forged`]; without one, a
//!    keyed entry is [`OpenError::Unverifiable`] (a miss);
//! 5. the tenant, else [`OpenError::ForeignTenant`] (never the value);
//! 6. the table, else [`OpenError::WrongTable`];
//! 7. the contract hash, else [`OpenError::Stale`] (a miss);
//! 8. the payload decodes, else [`OpenError::Corrupt`].
//!
//! No input makes [`open`] or [`open_with`] panic; a fuzz target
//! (`fuzz/fuzz_targets/envelope_open.rs`) checks that.
//!
//! ```
//! use cache_contract::envelope::{self, EnvelopeKey, Keyring, OpenError};
//! use cache_contract::{CacheContract, TenantId};
//! #[derive(CacheContract, serde::Serialize, serde::Deserialize, Debug, PartialEq)]
//! #[cache(table = "users", migrations = "tests/doc_migrations")]
//! struct User { tenant_id: String, id: i64, name: String }
//! let user = User { tenant_id: "acme".into(), id: 1, name: "Ada".into() };
//! let acme = TenantId::new("acme");
//! let bytes = envelope::seal(&user).unwrap();
//! assert_eq!(envelope::open::<User>(&bytes, &acme).unwrap(), user);
//! // Another tenant's entry is an error, never the value.
//! assert!(matches!(
//!     envelope::open::<User>(&bytes, &TenantId::new("globex")),
//!     Err(OpenError::ForeignTenant { .. })
//! ));
//! // Garbage is corruption, never a panic.
//! assert!(matches!(envelope::open::<User>(b"\x00garbage", &acme), Err(OpenError::Corrupt(_))));
//!
//! // Keyed: only a holder of the deployment secret writes entries that open.
//! let ring = Keyring::new(EnvelopeKey::new(1, b"our deployment secret").unwrap());
//! let keyed = envelope::seal_with(Some(&ring), &user).unwrap();
//! assert_eq!(envelope::open_with::<User>(Some(&ring), &keyed, &acme).unwrap(), user);
//! let forger = Keyring::new(EnvelopeKey::new(1, b"a guess at the secret").unwrap());
//! let forged = envelope::seal_with(Some(&forger), &user).unwrap();
//! assert!(matches!(envelope::open_with::<User>(Some(&ring), &forged, &acme), Err(OpenError::Forged(_))));
//! // An unkeyed entry is refused by a keyed reader.
//! assert!(matches!(envelope::open_with::<User>(Some(&ring), &bytes, &acme), Err(OpenError::Forged(_))));
//! ```

mod keyring;
mod payload;

pub use keyring::{EnvelopeKey, Keyring, KeyringError, MIN_SECRET_LEN};
pub use payload::encode_payload;

use std::fmt;

use crate::contract::CacheContract;
use crate::key::ContractHash;
use crate::tenant::TenantId;

/// The three magic bytes that start every envelope.
pub const MAGIC: [u8; 3] = *b"CCE";
/// The format version of unkeyed envelopes (blake3 checksum, MessagePack payload).
pub const FORMAT_VERSION: u8 = 3;
/// The format version of keyed envelopes (keyed blake3 MAC and key id, MessagePack payload).
pub const KEYED_FORMAT_VERSION: u8 = 4;
/// The length of the fixed header of an unkeyed envelope, before the tenant, table and
/// payload.
pub const HEADER_LEN: usize = UNKEYED.header_len;
/// The length of the fixed header of a keyed envelope.
pub const KEYED_HEADER_LEN: usize = KEYED.header_len;

/// Where the tag sits, in both formats.
const TAG_AT: usize = 4;
/// The tag covers every byte from here to the end, in both formats.
const TAGGED_FROM: usize = 36;

/// Where the fields of one format version sit (see the module docs' table).
struct Layout {
    version: u8,
    key_id_at: Option<usize>,
    contract_hash_at: usize,
    scope_at: usize,
    tenant_len_at: usize,
    table_len_at: usize,
    payload_len_at: usize,
    header_len: usize,
}

/// Format 3.
const UNKEYED: Layout = Layout {
    version: FORMAT_VERSION,
    key_id_at: None,
    contract_hash_at: 36,
    scope_at: 68,
    tenant_len_at: 69,
    table_len_at: 71,
    payload_len_at: 73,
    header_len: 77,
};

/// Format 4: format 3 with the key id inserted at the start of the tagged bytes.
const KEYED: Layout = Layout {
    version: KEYED_FORMAT_VERSION,
    key_id_at: Some(36),
    contract_hash_at: 40,
    scope_at: 72,
    tenant_len_at: 73,
    table_len_at: 75,
    payload_len_at: 77,
    header_len: 81,
};

/// Why a value could not be sealed.
#[derive(Debug)]
pub enum SealError {
    /// The value does not serialize (e.g. a map with a failing `Serialize` impl).
    Serialize(String),
    /// The tenant id, table name or payload exceeds the lengths the layout can hold
    /// (64 KiB, 64 KiB, 4 GiB).
    TooLarge(&'static str),
}

impl fmt::Display for SealError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SealError::Serialize(e) => write!(f, "cannot serialize the cached value: {e}"),
            SealError::TooLarge(what) => {
                write!(f, "cannot seal the cached value: {what} too large")
            }
        }
    }
}

impl std::error::Error for SealError {}

/// Why the bytes of an entry were not turned into a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenError {
    /// Truncated, garbage or damaged bytes, or a payload that does not decode.
    Corrupt(String),
    /// A keyed reader met an entry whose tag it cannot verify with its keys: a MAC that does
    /// not verify (forged or damaged), a key id not in its keyring (sealed by another
    /// deployment, or re-keyed), or an unkeyed entry. Refused like a corrupt entry.
    Forged(String),
    /// A reader without keys met a keyed entry: it cannot tell a genuine one from a forgery,
    /// so it reads it as a miss (and leaves it: its deployment may hold the key).
    Unverifiable {
        /// The id of the key the entry names.
        key_id: u32,
    },
    /// Written by a format version this release cannot read; treat as a miss.
    UnsupportedVersion(u8),
    /// The entry belongs to another tenant. Never serve it.
    ForeignTenant {
        /// The tenant the reader asked for.
        expected: TenantId,
        /// The tenant recorded in the entry.
        found: TenantId,
    },
    /// The entry caches another table's row.
    WrongTable {
        /// The reader's table.
        expected: &'static str,
        /// The table recorded in the entry.
        found: String,
    },
    /// Written under another contract hash (before or after a migration); treat as a miss.
    Stale {
        /// The contract hash recorded in the entry.
        found: ContractHash,
    },
}

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpenError::Corrupt(why) => write!(f, "corrupt cache entry: {why}"),
            OpenError::Forged(why) => write!(f, "unauthenticated cache entry: {why}"),
            OpenError::Unverifiable { key_id } => write!(
                f,
                "cache entry is sealed with envelope key {key_id} and this reader has no keyring; reading it as a miss"
            ),
            OpenError::UnsupportedVersion(v) => write!(
                f,
                "cache entry has envelope format version {v}, this release reads versions {FORMAT_VERSION} and {KEYED_FORMAT_VERSION}"
            ),
            OpenError::ForeignTenant { expected, found } => write!(
                f,
                "cache entry belongs to tenant `{found}`, not to `{expected}`; refusing to serve it"
            ),
            OpenError::WrongTable { expected, found } => {
                write!(f, "cache entry caches table `{found}`, not `{expected}`")
            }
            OpenError::Stale { found } => write!(
                f,
                "cache entry was written under contract hash {}, which is not the current one",
                found.short()
            ),
        }
    }
}

impl std::error::Error for OpenError {}

/// Seals `value` into unkeyed envelope bytes: [`seal_with`] without a keyring.
pub fn seal<T: CacheContract>(value: &T) -> Result<Vec<u8>, SealError> {
    seal_with(None, value)
}

/// Seals `value` into envelope bytes (see the [module docs](self) for the layouts): keyed
/// with the keyring's current key, or unkeyed without a keyring.
///
/// The header is written first and the value is serialized straight after it into the same
/// buffer; the tag is then computed over the buffer in place and patched into the header:
/// no intermediate payload buffer, no copy.
pub fn seal_with<T: CacheContract>(
    keys: Option<&Keyring>,
    value: &T,
) -> Result<Vec<u8>, SealError> {
    let tenant = value.tenant();
    seal_parts(keys, &tenant, T::TABLE, &T::CONTRACT_HASH, |mut buf| {
        payload::write(value, &mut buf).map_err(SealError::Serialize)?;
        Ok(buf)
    })
}

/// Seals an already built payload, unkeyed; the building block of [`seal`], public for
/// tools and fuzzing that need envelopes of arbitrary content.
pub fn seal_raw(
    tenant: &TenantId,
    table: &str,
    contract_hash: &ContractHash,
    payload: &[u8],
) -> Result<Vec<u8>, SealError> {
    seal_raw_with(None, tenant, table, contract_hash, payload)
}

/// [`seal_raw`], keyed with the keyring's current key when there is one.
pub fn seal_raw_with(
    keys: Option<&Keyring>,
    tenant: &TenantId,
    table: &str,
    contract_hash: &ContractHash,
    payload: &[u8],
) -> Result<Vec<u8>, SealError> {
    seal_parts(keys, tenant, table, contract_hash, |mut buf| {
        buf.extend_from_slice(payload);
        Ok(buf)
    })
}

fn seal_parts(
    keys: Option<&Keyring>,
    tenant: &TenantId,
    table: &str,
    contract_hash: &ContractHash,
    write_payload: impl FnOnce(Vec<u8>) -> Result<Vec<u8>, SealError>,
) -> Result<Vec<u8>, SealError> {
    let key = keys.map(Keyring::current);
    let layout = if key.is_some() { &KEYED } else { &UNKEYED };
    let tenant_bytes = tenant.as_str().unwrap_or("").as_bytes();
    let tenant_len =
        u16::try_from(tenant_bytes.len()).map_err(|_| SealError::TooLarge("tenant id"))?;
    let table_len = u16::try_from(table.len()).map_err(|_| SealError::TooLarge("table name"))?;
    let mut buf = Vec::with_capacity(layout.header_len + tenant_bytes.len() + table.len() + 256);
    buf.extend_from_slice(&MAGIC);
    buf.push(layout.version);
    buf.extend_from_slice(&[0; 32]); // tag, patched below
    if let Some(key) = key {
        buf.extend_from_slice(&key.id().to_le_bytes());
    }
    buf.extend_from_slice(contract_hash.as_bytes());
    buf.push(u8::from(!tenant.is_global()));
    buf.extend_from_slice(&tenant_len.to_le_bytes());
    buf.extend_from_slice(&table_len.to_le_bytes());
    buf.extend_from_slice(&[0; 4]); // payload length, patched below
    debug_assert_eq!(buf.len(), layout.header_len);
    buf.extend_from_slice(tenant_bytes);
    buf.extend_from_slice(table.as_bytes());
    let payload_at = buf.len();
    let mut buf = write_payload(buf)?;
    let payload_len =
        u32::try_from(buf.len() - payload_at).map_err(|_| SealError::TooLarge("payload"))?;
    let at = layout.payload_len_at;
    buf[at..at + 4].copy_from_slice(&payload_len.to_le_bytes());
    let tag = match key {
        Some(key) => key.mac(&buf[TAGGED_FROM..]),
        None => blake3::hash(&buf[TAGGED_FROM..]),
    };
    buf[TAG_AT..TAG_AT + 32].copy_from_slice(tag.as_bytes());
    Ok(buf)
}

/// The checked header of an envelope, with borrowed tenant, table and payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened<'a> {
    /// The recorded tenant.
    pub tenant: TenantId,
    /// The recorded table.
    pub table: &'a str,
    /// The recorded contract hash.
    pub contract_hash: ContractHash,
    /// The id of the key that sealed it, `None` for an unkeyed entry.
    pub key_id: Option<u32>,
    /// The payload bytes.
    pub payload: &'a [u8],
}

/// [`inspect_with`] without a keyring: reads unkeyed entries.
pub fn inspect(bytes: &[u8]) -> Result<Opened<'_>, OpenError> {
    inspect_with(None, bytes)
}

/// Checks magic, version, lengths and tag, and returns the envelope's contents without
/// judging tenant, table or contract hash. [`open_with`] makes the same checks without copying.
pub fn inspect_with<'a>(keys: Option<&Keyring>, bytes: &'a [u8]) -> Result<Opened<'a>, OpenError> {
    let raw = Raw::parse(keys, bytes)?;
    Ok(Opened {
        tenant: raw.tenant_id(),
        table: raw.table,
        contract_hash: ContractHash::from_bytes(*raw.contract_hash),
        key_id: raw.key_id,
        payload: raw.payload,
    })
}

/// An envelope's checked contents, all borrowed from its bytes.
struct Raw<'a> {
    /// The tenant id; `None` for a global entry.
    tenant: Option<&'a str>,
    table: &'a str,
    contract_hash: &'a [u8; 32],
    key_id: Option<u32>,
    payload: &'a [u8],
}

impl<'a> Raw<'a> {
    /// Checks magic, version, lengths and tag (steps 1-4 of the module docs).
    fn parse(keys: Option<&Keyring>, bytes: &'a [u8]) -> Result<Self, OpenError> {
        let corrupt = |why: &str| OpenError::Corrupt(why.to_string());
        if bytes.len() < 4 || bytes[..3] != MAGIC {
            return Err(corrupt("not an envelope (bad magic bytes)"));
        }
        let layout = match bytes[3] {
            FORMAT_VERSION => &UNKEYED,
            KEYED_FORMAT_VERSION => &KEYED,
            v => return Err(OpenError::UnsupportedVersion(v)),
        };
        let Some(header) = bytes.get(..layout.header_len) else {
            return Err(corrupt("truncated header"));
        };
        let u16_at = |at: usize| usize::from(u16::from_le_bytes([header[at], header[at + 1]]));
        let u32_at = |at: usize| {
            u32::from_le_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
        };
        let tenant_len = u16_at(layout.tenant_len_at);
        let table_len = u16_at(layout.table_len_at);
        let payload_len = u32_at(layout.payload_len_at) as usize;
        let expected_len = layout.header_len + tenant_len + table_len + payload_len;
        if bytes.len() < expected_len {
            return Err(corrupt("truncated body"));
        }
        if bytes.len() > expected_len {
            return Err(corrupt("trailing bytes after the payload"));
        }
        let key_id = layout.key_id_at.map(u32_at);
        verify_tag(keys, key_id, bytes)?;
        let tenant_at = layout.header_len;
        let table_at = tenant_at + tenant_len;
        let payload_at = table_at + table_len;
        let tenant = match header[layout.scope_at] {
            0 if tenant_len == 0 => None,
            0 => return Err(corrupt("global entry with a tenant id")),
            1 => Some(
                std::str::from_utf8(&bytes[tenant_at..table_at])
                    .map_err(|_| corrupt("tenant id is not UTF-8"))?,
            ),
            _ => return Err(corrupt("unknown scope byte")),
        };
        let table = std::str::from_utf8(&bytes[table_at..payload_at])
            .map_err(|_| corrupt("table name is not UTF-8"))?;
        let Some(contract_hash) = header[layout.contract_hash_at..].first_chunk::<32>() else {
            return Err(corrupt("truncated header"));
        };
        Ok(Raw {
            tenant,
            table,
            contract_hash,
            key_id,
            payload: &bytes[payload_at..],
        })
    }

    /// The recorded tenant, owned.
    fn tenant_id(&self) -> TenantId {
        self.tenant.map_or_else(TenantId::global, TenantId::new)
    }
}

/// Checks the tag of a complete envelope of the right length (step 4 of the module docs).
/// `key_id` is the header's, `None` for an unkeyed entry. Tags are compared in constant
/// time (`blake3::Hash`'s equality).
fn verify_tag(keys: Option<&Keyring>, key_id: Option<u32>, bytes: &[u8]) -> Result<(), OpenError> {
    let mut tag = [0; 32];
    tag.copy_from_slice(&bytes[TAG_AT..TAG_AT + 32]);
    let tag = blake3::Hash::from_bytes(tag);
    let tagged = &bytes[TAGGED_FROM..];
    match (keys, key_id) {
        (None, None) if blake3::hash(tagged) == tag => Ok(()),
        (None, None) => Err(OpenError::Corrupt("checksum mismatch".into())),
        (None, Some(key_id)) => Err(OpenError::Unverifiable { key_id }),
        (Some(_), None) => Err(OpenError::Forged(
            "an unkeyed entry, and this reader requires entries sealed with its keyring".into(),
        )),
        (Some(ring), Some(id)) => match ring.key(id) {
            None => Err(OpenError::Forged(format!(
                "sealed with envelope key {id}, which is not in this reader's keyring"
            ))),
            Some(key) if key.mac(tagged) == tag => Ok(()),
            Some(_) => Err(OpenError::Forged(format!(
                "the MAC does not verify under envelope key {id} (forged or damaged)"
            ))),
        },
    }
}

/// [`open_with`] without a keyring: opens unkeyed entries.
pub fn open<T: CacheContract>(bytes: &[u8], expected_tenant: &TenantId) -> Result<T, OpenError> {
    open_with(None, bytes, expected_tenant)
}

/// Opens envelope bytes written for `T`, refusing entries of any other tenant than
/// `expected_tenant`, verifying the tag with `keys` (a keyed MAC) or as an unkeyed
/// checksum. See the [module docs](self) for the checks and their order.
///
/// Nothing is copied before the payload is decoded: the tenant, table and contract hash are
/// compared in place.
pub fn open_with<T: CacheContract>(
    keys: Option<&Keyring>,
    bytes: &[u8],
    expected_tenant: &TenantId,
) -> Result<T, OpenError> {
    let raw = Raw::parse(keys, bytes)?;
    if raw.tenant != expected_tenant.as_str() {
        return Err(OpenError::ForeignTenant {
            expected: expected_tenant.clone(),
            found: raw.tenant_id(),
        });
    }
    if raw.table != T::TABLE {
        return Err(OpenError::WrongTable {
            expected: T::TABLE,
            found: raw.table.to_string(),
        });
    }
    if raw.contract_hash != T::CONTRACT_HASH.as_bytes() {
        return Err(OpenError::Stale {
            found: ContractHash::from_bytes(*raw.contract_hash),
        });
    }
    let value: T = payload::read(raw.payload)
        .map_err(|e| OpenError::Corrupt(format!("payload does not decode: {e}")))?;
    // A tagged payload of the right schema that decodes into another tenant's value can
    // only come from a buggy writer; it is still never served.
    let found = value.tenant();
    if &found != expected_tenant {
        return Err(OpenError::ForeignTenant {
            expected: expected_tenant.clone(),
            found,
        });
    }
    Ok(value)
}

#[cfg(test)]
mod tests;
