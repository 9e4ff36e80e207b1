//! The payload codec: how a cached value becomes the bytes after an envelope's header, and
//! back. MessagePack through [rmp-serde](https://docs.rs/rmp-serde), structs as arrays (no
//! field names): compact, and self-describing, so types whose `Deserialize` asks the format
//! what comes next (`serde_json::Value`, `rust_decimal::Decimal`, `#[serde(flatten)]`,
//! untagged enums) read back. This module is the one place that names the codec.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Serializes `value` at the end of `buf`.
pub(super) fn write<T: Serialize + ?Sized>(value: &T, buf: &mut Vec<u8>) -> Result<(), String> {
    rmp_serde::encode::write(buf, value).map_err(|e| e.to_string())
}

/// Decodes a payload written by [`write`].
pub(super) fn read<T: DeserializeOwned>(payload: &[u8]) -> Result<T, String> {
    rmp_serde::from_slice(payload).map_err(|e| e.to_string())
}

/// The payload bytes of `value`, as [`seal`](super::seal) writes them after the header: for
/// tools and tests that build envelopes of their own with [`seal_raw`](super::seal_raw).
///
/// ```
/// # use cache_contract::envelope;
/// let bytes = envelope::encode_payload(&("acme", 7_i64)).unwrap();
/// assert_eq!(bytes, [0x92, 0xa4, b'a', b'c', b'm', b'e', 0x07]);
/// ```
pub fn encode_payload<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, super::SealError> {
    let mut buf = Vec::new();
    write(value, &mut buf).map_err(super::SealError::Serialize)?;
    Ok(buf)
}
