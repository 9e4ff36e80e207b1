//! What the audit finds about each entry.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// The verdict on one Redis entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// The entry holds what its row holds.
    Fresh,
    /// The entry differs from its row in some columns.
    Stale,
    /// The entry's row is gone.
    Orphan,
    /// The entry's bytes are damaged: bad checksum, truncated, does not decode, or holds
    /// another row than its key names.
    Corrupt,
    /// Written under another contract hash (before a migration): never read, harmless.
    OlderSchema,
    /// An entry under one tenant's key that claims another tenant: a security finding.
    WrongTenant,
    /// A key under the entry namespace that is not an entry key of this format.
    UnreadableKey,
    /// A keyed audit met an entry whose MAC does not verify under its keyring (forged,
    /// re-keyed, or unkeyed).
    Forged,
    /// An entry this audit cannot check: sealed with a key while the audit has no keyring,
    /// or written by a newer envelope format. Harmless: readers treat it as a miss.
    Unverifiable,
    /// An entry under an earlier tenant or table generation: no reader reaches it any more
    /// (it expires with its TTL). Harmless.
    Superseded,
}

impl FindingKind {
    /// Every kind, in report order.
    pub const ALL: [FindingKind; 10] = [
        FindingKind::Fresh,
        FindingKind::Stale,
        FindingKind::Orphan,
        FindingKind::Corrupt,
        FindingKind::OlderSchema,
        FindingKind::WrongTenant,
        FindingKind::UnreadableKey,
        FindingKind::Forged,
        FindingKind::Unverifiable,
        FindingKind::Superseded,
    ];

    /// The kind's name in the audit log (`stale`, `wrong_tenant`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Fresh => "fresh",
            FindingKind::Stale => "stale",
            FindingKind::Orphan => "orphan",
            FindingKind::Corrupt => "corrupt",
            FindingKind::OlderSchema => "older_schema",
            FindingKind::WrongTenant => "wrong_tenant",
            FindingKind::UnreadableKey => "unreadable_key",
            FindingKind::Forged => "forged",
            FindingKind::Unverifiable => "unverifiable",
            FindingKind::Superseded => "superseded",
        }
    }

    /// Whether the kind makes the audit's status `DRIFT`: stale, orphan, corrupt, wrong
    /// tenant, unreadable key and forged. Fresh, older-schema, unverifiable and superseded
    /// entries are never served wrong.
    pub fn is_drift(self) -> bool {
        matches!(
            self,
            FindingKind::Stale
                | FindingKind::Orphan
                | FindingKind::Corrupt
                | FindingKind::WrongTenant
                | FindingKind::UnreadableKey
                | FindingKind::Forged
        )
    }

    /// Whether the kind is a security finding (someone or something put data where a
    /// tenant could be served it).
    pub fn is_security(self) -> bool {
        matches!(self, FindingKind::WrongTenant | FindingKind::Forged)
    }
}

impl fmt::Display for FindingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Two values of one differing column, canonical (see the [normalization](super#normalization));
/// only with [`AuditConfig::show_values`](super::AuditConfig::show_values).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValuePair {
    /// The entry's value (`None`: SQL `NULL`).
    pub entry: Option<String>,
    /// The row's value.
    pub row: Option<String>,
}

/// The verdict on one entry, with what it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The verdict.
    pub kind: FindingKind,
    /// The tenant whose key holds the entry (`None`: the global scope, or a key that does
    /// not parse).
    pub tenant: Option<String>,
    /// The table the key names (`None` for a key that does not parse).
    pub table: Option<String>,
    /// The Redis key.
    pub redis_key: String,
    /// The row's key parts (`None` for a key that does not parse).
    pub key: Option<Vec<String>>,
    /// The differing columns of a stale entry, in declaration order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    /// The differing values, by column, when the audit shows values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<BTreeMap<String, ValuePair>>,
    /// What was found, in words (never a value unless values are shown).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
    /// blake3 of the entry's bytes (hex; empty when the entry could not be read).
    pub entry_checksum: String,
    /// blake3 of the row's canonical values (hex; empty without a row).
    pub row_checksum: String,
}

/// Counts of findings by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Counts(pub BTreeMap<FindingKind, u64>);

impl Counts {
    /// The count of `kind`.
    pub fn get(&self, kind: FindingKind) -> u64 {
        self.0.get(&kind).copied().unwrap_or(0)
    }

    /// Adds one of `kind`.
    pub fn add(&mut self, kind: FindingKind) {
        *self.0.entry(kind).or_default() += 1;
    }

    /// Adds every count of `other`.
    pub fn merge(&mut self, other: &Counts) {
        for (k, n) in &other.0 {
            *self.0.entry(*k).or_default() += n;
        }
    }

    /// Entries counted, of every kind.
    pub fn total(&self) -> u64 {
        self.0.values().sum()
    }

    /// Entries of kinds that make the status `DRIFT`.
    pub fn drift(&self) -> u64 {
        self.0
            .iter()
            .filter(|(k, _)| k.is_drift())
            .map(|(_, n)| n)
            .sum()
    }
}
