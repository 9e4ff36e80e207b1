//! Deployment keys: what seals envelopes with a keyed MAC instead of a plain checksum.
//!
//! An [`EnvelopeKey`] is a numbered deployment secret; a [`Keyring`] holds the *current*
//! key, which seals, and any *previous* keys, which still verify during a rotation.
//! Secrets never appear in `Debug` output or messages: only key ids do.
//!
//! ```
//! use cache_contract::envelope::{EnvelopeKey, Keyring};
//! let ring = Keyring::new(EnvelopeKey::new(2, b"a secret of at least 16 bytes").unwrap())
//!     .with_previous(EnvelopeKey::new(1, b"the secret before that one").unwrap())
//!     .unwrap();
//! assert_eq!(ring.current_id(), 2);
//! assert_eq!(format!("{ring:?}"), "Keyring { current: 2, previous: [1] }");
//! // The same ring from text, e.g. an environment variable: `id=secret`, current first.
//! let parsed = Keyring::parse("2=a secret of at least 16 bytes,1=the secret before that one").unwrap();
//! assert_eq!(parsed.current_id(), 2);
//! ```

use std::fmt;

/// The context string blake3 derives MAC keys under (domain separation: a deployment
/// secret used elsewhere never yields the same key material).
const KEY_CONTEXT: &str = "cache-contract 2025-06 envelope MAC key v2";

/// The shortest secret accepted, in bytes.
pub const MIN_SECRET_LEN: usize = 16;

/// One deployment secret, numbered. The MAC key is derived from the secret with blake3's
/// key derivation, so a secret of any length (at least [`MIN_SECRET_LEN`] bytes) will do.
#[derive(Clone)]
pub struct EnvelopeKey {
    id: u32,
    key: [u8; 32],
}

impl EnvelopeKey {
    /// The key numbered `id` (written in every envelope it seals) from `secret`.
    pub fn new(id: u32, secret: &[u8]) -> Result<Self, KeyringError> {
        if secret.len() < MIN_SECRET_LEN {
            return Err(KeyringError::ShortSecret { id });
        }
        Ok(EnvelopeKey {
            id,
            key: blake3::derive_key(KEY_CONTEXT, secret),
        })
    }

    /// The key's id.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The MAC of `bytes` under this key.
    pub(crate) fn mac(&self, bytes: &[u8]) -> blake3::Hash {
        blake3::keyed_hash(&self.key, bytes)
    }
}

impl fmt::Debug for EnvelopeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EnvelopeKey({}, <secret>)", self.id)
    }
}

/// The keys of a deployment: the current one seals and verifies, previous ones only verify.
///
/// # Rotation
///
/// 1. Deploy everywhere `Keyring::new(old).with_previous(new)`: every reader accepts the
///    new key before anyone seals with it.
/// 2. Deploy everywhere `Keyring::new(new).with_previous(old)`: entries are sealed with the
///    new key; entries sealed with the old one still verify until they expire.
/// 3. After the entry TTL, deploy `Keyring::new(new)`: the old key is retired.
///
/// Skipping step 1 is safe too: while step 2 rolls out, instances that do not know the new
/// key refuse the entries sealed with it (counted as forged, deleted, reloaded).
#[derive(Clone)]
pub struct Keyring {
    current: EnvelopeKey,
    previous: Vec<EnvelopeKey>,
}

impl Keyring {
    /// A keyring sealing with `current`.
    pub fn new(current: EnvelopeKey) -> Self {
        Keyring {
            current,
            previous: Vec::new(),
        }
    }

    /// Also verifies entries sealed with `key`. Refuses a second key with an id already in
    /// the ring (an entry names its key by id only).
    pub fn with_previous(mut self, key: EnvelopeKey) -> Result<Self, KeyringError> {
        if self.key(key.id).is_some() {
            return Err(KeyringError::DuplicateId(key.id));
        }
        self.previous.push(key);
        Ok(self)
    }

    /// A keyring from text: `id=secret` pairs separated by `,`, the current key first, e.g.
    /// the value of an environment variable. Secrets are taken as UTF-8 bytes, verbatim
    /// (no trimming: they may not contain `,`).
    pub fn parse(spec: &str) -> Result<Self, KeyringError> {
        let mut keys = spec.split(',').enumerate().map(|(at, pair)| {
            let (id, secret) = pair
                .split_once('=')
                .ok_or(KeyringError::Syntax { pair: at + 1 })?;
            let id = id
                .trim()
                .parse()
                .map_err(|_| KeyringError::Syntax { pair: at + 1 })?;
            EnvelopeKey::new(id, secret.as_bytes())
        });
        let current = keys.next().ok_or(KeyringError::Syntax { pair: 1 })??;
        keys.try_fold(Keyring::new(current), |ring, key| ring.with_previous(key?))
    }

    /// The id of the key that seals.
    pub fn current_id(&self) -> u32 {
        self.current.id
    }

    /// The key that seals.
    pub(crate) fn current(&self) -> &EnvelopeKey {
        &self.current
    }

    /// The key numbered `id`, current or previous.
    pub(crate) fn key(&self, id: u32) -> Option<&EnvelopeKey> {
        std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|k| k.id == id)
    }
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyring")
            .field("current", &self.current.id)
            .field(
                "previous",
                &self.previous.iter().map(|k| k.id).collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// Why a key or keyring could not be made. Never contains a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyringError {
    /// The secret of key `id` is shorter than [`MIN_SECRET_LEN`] bytes.
    ShortSecret {
        /// The key's id.
        id: u32,
    },
    /// Two keys have the same id.
    DuplicateId(u32),
    /// The `pair`th (1-based) `id=secret` pair of a keyring spec is not of that form.
    Syntax {
        /// Which pair, from 1.
        pair: usize,
    },
}

impl fmt::Display for KeyringError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyringError::ShortSecret { id } => write!(
                f,
                "the secret of envelope key {id} is shorter than {MIN_SECRET_LEN} bytes; use a longer random secret"
            ),
            KeyringError::DuplicateId(id) => write!(
                f,
                "two envelope keys have the id {id}; give every key of a keyring its own id"
            ),
            KeyringError::Syntax { pair } => write!(
                f,
                "keyring spec: pair {pair} is not `<id>=<secret>` with a numeric id (pairs are separated by `,`, the current key first)"
            ),
        }
    }
}

impl std::error::Error for KeyringError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_secrets_and_duplicate_ids_are_refused() {
        assert_eq!(
            EnvelopeKey::new(1, b"short").unwrap_err(),
            KeyringError::ShortSecret { id: 1 }
        );
        let k = || EnvelopeKey::new(7, b"0123456789abcdef").unwrap();
        assert_eq!(
            Keyring::new(k()).with_previous(k()).unwrap_err(),
            KeyringError::DuplicateId(7)
        );
    }

    #[test]
    fn specs_parse_and_errors_never_show_secrets() {
        let ring = Keyring::parse("3=0123456789abcdef,1=fedcba9876543210").unwrap();
        assert_eq!(ring.current_id(), 3);
        assert!(ring.key(1).is_some() && ring.key(2).is_none());
        for (spec, pair) in [
            ("", 1),
            ("3", 1),
            ("x=0123456789abcdef", 1),
            ("3=0123456789abcdef,nope", 2),
        ] {
            assert_eq!(
                Keyring::parse(spec).unwrap_err(),
                KeyringError::Syntax { pair },
                "{spec}"
            );
        }
        let err = Keyring::parse("3=0123456789abcdef,4=tooshortsecret").unwrap_err();
        assert!(!err.to_string().contains("tooshort"), "{err}");
        assert!(!format!("{ring:?}").contains("0123"));
    }

    #[test]
    fn keys_derive_distinct_macs() {
        let a = EnvelopeKey::new(1, b"0123456789abcdef").unwrap();
        let b = EnvelopeKey::new(1, b"0123456789abcdeg").unwrap();
        assert_ne!(a.mac(b"x"), b.mac(b"x"));
        assert_ne!(a.mac(b"x"), blake3::hash(b"x"));
    }
}
