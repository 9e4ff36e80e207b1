//! Envelopes: the bytes a cached value is stored as.
//!
//! An envelope wraps a value's serialized payload with everything a reader must check before
//! trusting it: the format version, the tenant and table it belongs to, the struct's
//! [`CONTRACT_HASH`](crate::CacheContract::CONTRACT_HASH) and a blake3 checksum.
//!
//! # Binary layout (format version 1)
//!
//! All integers are little-endian. Offsets are in bytes.
//!
//! | offset | size | field                                                         |
//! |-------:|-----:|---------------------------------------------------------------|
//! | 0      | 3    | magic `CCE` (`0x43 0x43 0x45`)                                |
//! | 3      | 1    | format version, `1`                                           |
//! | 4      | 32   | blake3 checksum of every byte from offset 36 to the end       |
//! | 36     | 32   | the struct's `CONTRACT_HASH`                                  |
//! | 68     | 1    | scope: `0` = global, `1` = tenant                             |
//! | 69     | 2    | tenant id length `t` (`0` when global)                        |
//! | 71     | 2    | table name length `n`                                         |
//! | 73     | 4    | payload length `p`                                            |
//! | 77     | t    | tenant id (UTF-8)                                             |
//! | 77+t   | n    | table name (UTF-8)                                            |
//! | 77+t+n | p    | payload                                                       |
//!
//! The total length must be exactly `77 + t + n + p`; trailing bytes are corruption.
//!
//! # Payload format
//!
//! The payload is the value serialized with [postcard](https://docs.rs/postcard) 1.x, whose
//! wire format is [specified](https://postcard.jamesmunns.com/wire-format) and stable across
//! its 1.x releases. It is compact (varints, no field names) and fast. It is not
//! self-describing, so a changed struct cannot be read from old bytes — which is exactly what
//! the contract hash guards against: an entry written under another `CONTRACT_HASH` is never
//! decoded (it reads as [`OpenError::Stale`]). Serde attributes that need a self-describing
//! format (`#[serde(flatten)]`, `skip_serializing_if`, untagged enums) are not supported in
//! cached structs.
//!
//! # Checks when opening, in order
//!
//! 1. magic and a complete header, else [`OpenError::Corrupt`];
//! 2. the format version, else [`OpenError::UnsupportedVersion`] (a miss: written by a newer
//!    release);
//! 3. lengths consistent with the buffer and the checksum, else [`OpenError::Corrupt`];
//! 4. the tenant, else [`OpenError::ForeignTenant`] (never the value);
//! 5. the table, else [`OpenError::WrongTable`];
//! 6. the contract hash, else [`OpenError::Stale`] (a miss);
//! 7. the payload decodes, else [`OpenError::Corrupt`].
//!
//! No input makes [`open`] panic; a fuzz target (`fuzz/fuzz_targets/envelope_open.rs`)
//! checks that.
//!
//! ```
//! use cache_contract::envelope::{self, OpenError};
//! use cache_contract::{CacheContract, TenantId};
//! #[derive(CacheContract, serde::Serialize, serde::Deserialize, Debug, PartialEq)]
//! #[cache(table = "users", migrations = "tests/doc_migrations")]
//! struct User { tenant_id: String, id: i64, name: String }
//! let user = User { tenant_id: "acme".into(), id: 1, name: "Ada".into() };
//! let bytes = envelope::seal(&user).unwrap();
//! assert_eq!(envelope::open::<User>(&bytes, &TenantId::new("acme")).unwrap(), user);
//! // Another tenant's entry is an error, never the value.
//! assert!(matches!(
//!     envelope::open::<User>(&bytes, &TenantId::new("globex")),
//!     Err(OpenError::ForeignTenant { .. })
//! ));
//! // Garbage is corruption, never a panic.
//! assert!(matches!(envelope::open::<User>(b"\x00garbage", &TenantId::new("acme")), Err(OpenError::Corrupt(_))));
//! ```

use std::fmt;

use crate::contract::CacheContract;
use crate::key::ContractHash;
use crate::tenant::TenantId;

/// The three magic bytes that start every envelope.
pub const MAGIC: [u8; 3] = *b"CCE";
/// The envelope format version written by this release.
pub const FORMAT_VERSION: u8 = 1;
/// The length of the fixed header, before the tenant, table and payload.
pub const HEADER_LEN: usize = 77;

const CHECKSUM_AT: usize = 4;
const CHECKED_FROM: usize = 36;
const CONTRACT_HASH_AT: usize = 36;
const SCOPE_AT: usize = 68;
const TENANT_LEN_AT: usize = 69;
const TABLE_LEN_AT: usize = 71;
const PAYLOAD_LEN_AT: usize = 73;

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
    /// Truncated, garbage or tampered bytes, or a payload that does not decode.
    Corrupt(String),
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
            OpenError::UnsupportedVersion(v) => write!(
                f,
                "cache entry has envelope format version {v}, this release reads version {FORMAT_VERSION}"
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

/// Seals `value` into envelope bytes (see the [module docs](self) for the layout).
///
/// The header is written first and the value is serialized straight after it into the same
/// buffer; the checksum is then computed over the buffer in place and patched into the
/// header: no intermediate payload buffer, no copy.
pub fn seal<T: CacheContract>(value: &T) -> Result<Vec<u8>, SealError> {
    let tenant = value.tenant();
    seal_parts(&tenant, T::TABLE, &T::CONTRACT_HASH, |buf| {
        postcard::to_extend(value, buf).map_err(|e| SealError::Serialize(e.to_string()))
    })
}

/// Seals an already built payload; the building block of [`seal`], public for tools and
/// fuzzing that need envelopes of arbitrary content.
pub fn seal_raw(
    tenant: &TenantId,
    table: &str,
    contract_hash: &ContractHash,
    payload: &[u8],
) -> Result<Vec<u8>, SealError> {
    seal_parts(tenant, table, contract_hash, |mut buf| {
        buf.extend_from_slice(payload);
        Ok(buf)
    })
}

fn seal_parts(
    tenant: &TenantId,
    table: &str,
    contract_hash: &ContractHash,
    write_payload: impl FnOnce(Vec<u8>) -> Result<Vec<u8>, SealError>,
) -> Result<Vec<u8>, SealError> {
    let tenant_bytes = tenant.as_str().unwrap_or("").as_bytes();
    let tenant_len =
        u16::try_from(tenant_bytes.len()).map_err(|_| SealError::TooLarge("tenant id"))?;
    let table_len = u16::try_from(table.len()).map_err(|_| SealError::TooLarge("table name"))?;
    let mut buf = Vec::with_capacity(HEADER_LEN + tenant_bytes.len() + table.len() + 256);
    buf.extend_from_slice(&MAGIC);
    buf.push(FORMAT_VERSION);
    buf.extend_from_slice(&[0; 32]); // checksum, patched below
    buf.extend_from_slice(contract_hash.as_bytes());
    buf.push(u8::from(!tenant.is_global()));
    buf.extend_from_slice(&tenant_len.to_le_bytes());
    buf.extend_from_slice(&table_len.to_le_bytes());
    buf.extend_from_slice(&[0; 4]); // payload length, patched below
    buf.extend_from_slice(tenant_bytes);
    buf.extend_from_slice(table.as_bytes());
    let payload_at = buf.len();
    let mut buf = write_payload(buf)?;
    let payload_len =
        u32::try_from(buf.len() - payload_at).map_err(|_| SealError::TooLarge("payload"))?;
    buf[PAYLOAD_LEN_AT..PAYLOAD_LEN_AT + 4].copy_from_slice(&payload_len.to_le_bytes());
    let checksum = blake3::hash(&buf[CHECKED_FROM..]);
    buf[CHECKSUM_AT..CHECKSUM_AT + 32].copy_from_slice(checksum.as_bytes());
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
    /// The payload bytes.
    pub payload: &'a [u8],
}

/// Checks magic, version, lengths and checksum, and returns the envelope's contents without
/// judging tenant, table or contract hash. [`open`] makes the same checks without copying.
pub fn inspect(bytes: &[u8]) -> Result<Opened<'_>, OpenError> {
    let raw = Raw::parse(bytes)?;
    Ok(Opened {
        tenant: raw.tenant_id(),
        table: raw.table,
        contract_hash: ContractHash::from_bytes(*raw.contract_hash),
        payload: raw.payload,
    })
}

/// An envelope's checked contents, all borrowed from its bytes.
struct Raw<'a> {
    /// The tenant id; `None` for a global entry.
    tenant: Option<&'a str>,
    table: &'a str,
    contract_hash: &'a [u8; 32],
    payload: &'a [u8],
}

impl<'a> Raw<'a> {
    /// Checks magic, version, lengths and checksum (steps 1-3 of the module docs).
    fn parse(bytes: &'a [u8]) -> Result<Self, OpenError> {
        let corrupt = |why: &str| OpenError::Corrupt(why.to_string());
        if bytes.len() < 4 || bytes[..3] != MAGIC {
            return Err(corrupt("not an envelope (bad magic bytes)"));
        }
        if bytes[3] != FORMAT_VERSION {
            return Err(OpenError::UnsupportedVersion(bytes[3]));
        }
        let Some(header) = bytes.first_chunk::<HEADER_LEN>() else {
            return Err(corrupt("truncated header"));
        };
        let u16_at = |at: usize| usize::from(u16::from_le_bytes([header[at], header[at + 1]]));
        let tenant_len = u16_at(TENANT_LEN_AT);
        let table_len = u16_at(TABLE_LEN_AT);
        let payload_len = u32::from_le_bytes([
            header[PAYLOAD_LEN_AT],
            header[PAYLOAD_LEN_AT + 1],
            header[PAYLOAD_LEN_AT + 2],
            header[PAYLOAD_LEN_AT + 3],
        ]) as usize;
        let expected_len = HEADER_LEN + tenant_len + table_len + payload_len;
        if bytes.len() < expected_len {
            return Err(corrupt("truncated body"));
        }
        if bytes.len() > expected_len {
            return Err(corrupt("trailing bytes after the payload"));
        }
        if blake3::hash(&bytes[CHECKED_FROM..]).as_bytes()[..]
            != header[CHECKSUM_AT..CHECKSUM_AT + 32]
        {
            return Err(corrupt("checksum mismatch"));
        }
        let tenant_at = HEADER_LEN;
        let table_at = tenant_at + tenant_len;
        let payload_at = table_at + table_len;
        let tenant = match header[SCOPE_AT] {
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
        let Some(contract_hash) = header[CONTRACT_HASH_AT..].first_chunk::<32>() else {
            return Err(corrupt("truncated header"));
        };
        Ok(Raw {
            tenant,
            table,
            contract_hash,
            payload: &bytes[payload_at..],
        })
    }

    /// The recorded tenant, owned.
    fn tenant_id(&self) -> TenantId {
        self.tenant.map_or_else(TenantId::global, TenantId::new)
    }
}

/// Opens envelope bytes written for `T`, refusing entries of any other tenant than
/// `expected_tenant`. See the [module docs](self) for the checks and their order.
///
/// Nothing is copied before the payload is decoded: the tenant, table and contract hash are
/// compared in place.
pub fn open<T: CacheContract>(bytes: &[u8], expected_tenant: &TenantId) -> Result<T, OpenError> {
    let raw = Raw::parse(bytes)?;
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
    let value: T = postcard::from_bytes(raw.payload)
        .map_err(|e| OpenError::Corrupt(format!("payload does not decode: {e}")))?;
    // A checksummed payload of the right schema that decodes into another tenant's value can
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
mod tests {
    use super::*;
    use crate::testing::{Row, row};

    fn acme() -> TenantId {
        TenantId::new("acme")
    }

    #[test]
    fn round_trips() {
        let r = row("acme", 7, "seven");
        let bytes = seal(&r).unwrap();
        assert_eq!(&bytes[..3], b"CCE");
        assert_eq!(bytes[3], FORMAT_VERSION);
        assert_eq!(open::<Row>(&bytes, &acme()).unwrap(), r);
    }

    #[test]
    fn layout_lengths_are_explicit() {
        let r = row("acme", 7, "seven");
        let bytes = seal(&r).unwrap();
        let opened = inspect(&bytes).unwrap();
        assert_eq!(opened.tenant, acme());
        assert_eq!(opened.table, "rows");
        assert_eq!(
            opened.payload,
            postcard::to_allocvec(&r).unwrap().as_slice()
        );
        assert_eq!(bytes.len(), HEADER_LEN + 4 + 4 + opened.payload.len());
    }

    #[test]
    fn tenant_with_special_characters_round_trips() {
        let t = "a:b*c?d[e]\\%é";
        let r = row(t, 1, "x");
        let bytes = seal(&r).unwrap();
        assert_eq!(open::<Row>(&bytes, &TenantId::new(t)).unwrap(), r);
        assert!(matches!(
            open::<Row>(&bytes, &TenantId::new("a")),
            Err(OpenError::ForeignTenant { .. })
        ));
    }

    #[test]
    fn another_contract_hash_is_stale() {
        let bytes = seal_raw(&acme(), "rows", &ContractHash::from_bytes([9; 32]), b"").unwrap();
        assert!(matches!(
            open::<Row>(&bytes, &acme()),
            Err(OpenError::Stale { .. })
        ));
    }

    #[test]
    fn other_table_is_refused() {
        let payload = postcard::to_allocvec(&row("acme", 1, "x")).unwrap();
        let bytes = seal_raw(&acme(), "orders", &Row::CONTRACT_HASH, &payload).unwrap();
        assert!(matches!(
            open::<Row>(&bytes, &acme()),
            Err(OpenError::WrongTable { .. })
        ));
    }

    #[test]
    fn forged_header_tenant_is_refused_by_payload_check() {
        // Header says acme, payload says globex: never served.
        let payload = postcard::to_allocvec(&row("globex", 1, "x")).unwrap();
        let bytes = seal_raw(&acme(), "rows", &Row::CONTRACT_HASH, &payload).unwrap();
        assert!(matches!(
            open::<Row>(&bytes, &acme()),
            Err(OpenError::ForeignTenant { .. })
        ));
    }

    #[test]
    fn every_flipped_bit_is_detected() {
        let bytes = seal(&row("acme", 7, "seven")).unwrap();
        for i in 0..bytes.len() {
            for bit in 0..8 {
                let mut b = bytes.clone();
                b[i] ^= 1 << bit;
                let result = open::<Row>(&b, &acme());
                assert!(
                    result.is_err(),
                    "flip of bit {bit} of byte {i} went unnoticed"
                );
            }
        }
    }

    #[test]
    fn every_truncation_is_corrupt() {
        let bytes = seal(&row("acme", 7, "seven")).unwrap();
        for len in 0..bytes.len() {
            assert!(
                matches!(
                    open::<Row>(&bytes[..len], &acme()),
                    Err(OpenError::Corrupt(_))
                ),
                "truncation to {len} bytes"
            );
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(matches!(
            open::<Row>(&longer, &acme()),
            Err(OpenError::Corrupt(_))
        ));
    }

    #[test]
    fn future_version_is_unsupported() {
        let mut bytes = seal(&row("acme", 7, "seven")).unwrap();
        bytes[3] = 2;
        assert_eq!(
            open::<Row>(&bytes, &acme()),
            Err(OpenError::UnsupportedVersion(2))
        );
    }

    #[test]
    fn undecodable_payload_is_corrupt() {
        let bytes = seal_raw(&acme(), "rows", &Row::CONTRACT_HASH, &[0xff; 3]).unwrap();
        assert!(matches!(
            open::<Row>(&bytes, &acme()),
            Err(OpenError::Corrupt(_))
        ));
    }

    #[test]
    fn global_entries() {
        let bytes = seal_raw(&TenantId::global(), "rows", &Row::CONTRACT_HASH, b"").unwrap();
        assert_eq!(inspect(&bytes).unwrap().tenant, TenantId::global());
        assert!(matches!(
            open::<Row>(&bytes, &acme()),
            Err(OpenError::ForeignTenant { .. })
        ));
    }

    proptest::proptest! {
        #[test]
        fn open_never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            let _ = open::<Row>(&bytes, &acme());
        }

        #[test]
        fn open_never_panics_on_valid_prefix(tail in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)) {
            let mut bytes = seal(&row("acme", 1, "x")).unwrap();
            bytes.truncate(40);
            bytes.extend_from_slice(&tail);
            proptest::prop_assert!(open::<Row>(&bytes, &acme()).is_err());
        }
    }
}
