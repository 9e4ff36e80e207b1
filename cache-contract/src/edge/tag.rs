//! Surrogate-key tags: what a cached response shows, as strings every CDN accepts.

use std::fmt::{self, Write as _};
use std::sync::Arc;

use crate::key::ContractHash;
use crate::tenant::TenantId;

/// The longest tag written: Akamai's limit, the strictest of the four CDNs (Fastly allows
/// 1024 bytes, Cloudflare 1024 characters in a purge, Varnish xkey has no limit of its own).
pub const MAX_TAG_LEN: usize = 128;

/// Hex digits of a hash kept in a tag (128 bits).
const HASH_HEX_DIGITS: usize = 32;

/// One surrogate key, cache tag or xkey: only `[a-z0-9._-]`, at most [`MAX_TAG_LEN`] bytes.
/// Built from a [`Scope`]; ordered and compared as its string.
///
/// # Format
///
/// | scope | tag |
/// |-------|-----|
/// | a tenant | `cct.<scope>` |
/// | a table of a tenant | `ccb.<scope>.<table>` |
/// | a row of a table of a tenant | `ccr.<scope>.<table>.<part>[.<part>]*` |
/// | a table's contract (every tenant) | `ccc.<table>.<32 hex digits of the contract hash>` |
/// | any of the above, when longer than [`MAX_TAG_LEN`] | `cch.<32 hex digits of blake3(the long tag)>` |
///
/// `<scope>` is `t<tenant>` for a tenant, or `g` for the global scope of `#[cache(global)]`
/// tables. Every variable component is *encoded*: the bytes `a`-`z`, `0`-`9` and `-` stand
/// for themselves, every other byte (upper-case letters included) becomes `_` and two
/// lower-case hex digits. So a tag only ever holds `[a-z0-9._-]`, which every CDN allows (Akamai's
/// alphabet is the narrowest) and which cannot change meaning under Cloudflare's
/// case-insensitive matching; components never hold the separator `.`, and the kind before
/// the first `.` tells the five forms apart. Distinct scopes therefore always give distinct
/// tags: the encoding is injective, and the hashed form (a 128-bit blake3 prefix, used for
/// the rare tag over Akamai's 128-character limit) can only meet another hashed tag.
///
/// ```
/// use cache_contract::TenantId;
/// use cache_contract::edge::Scope;
///
/// let row = Scope::Row { tenant: TenantId::new("Acme, Inc"), table: "users".into(), key: vec!["42".into()] };
/// assert_eq!(row.tag().as_str(), "ccr.t_41cme_2c_20_49nc.users.42");
/// let tenant = Scope::Tenant { tenant: TenantId::new("acme") };
/// assert_eq!(tenant.tag().as_str(), "cct.tacme");
/// let long = Scope::Tenant { tenant: TenantId::new("x".repeat(200)) };
/// assert!(long.tag().as_str().starts_with("cch."));
/// ```
///
/// Shared, not copied: a clone (into a plan's batches, a retry) is a reference count.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(Arc<str>);

impl Tag {
    /// The tag's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tag({})", self.0)
    }
}

/// What a tag designates at the edge: the unit of tagging and purging.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Every object showing a table's rows under one contract, in every tenant: purged when
    /// that contract is replaced (a schema change).
    Contract {
        /// The table.
        table: String,
        /// The contract hash the objects were rendered under.
        hash: ContractHash,
    },
    /// Every object showing anything of a tenant.
    Tenant {
        /// The tenant.
        tenant: TenantId,
    },
    /// Every object showing rows of one table of a tenant.
    Table {
        /// The tenant.
        tenant: TenantId,
        /// The table.
        table: String,
    },
    /// Every object showing one row.
    Row {
        /// The tenant.
        tenant: TenantId,
        /// The table.
        table: String,
        /// The row's key parts, in key-column order (as in invalidation messages).
        key: Vec<String>,
    },
}

impl Scope {
    /// [`width_rank`](Self::width_rank) of a contract scope.
    pub(crate) const CONTRACT_RANK: u8 = 0;
    /// [`width_rank`](Self::width_rank) of a tenant scope.
    pub(crate) const TENANT_RANK: u8 = 1;
    /// [`width_rank`](Self::width_rank) of a table scope.
    pub(crate) const TABLE_RANK: u8 = 2;
    /// [`width_rank`](Self::width_rank) of a row scope.
    pub(crate) const ROW_RANK: u8 = 3;

    /// How wide the scope is: 0 for the widest (a contract, across tenants), then tenant,
    /// table, row. Purge plans list wider scopes first.
    pub fn width_rank(&self) -> u8 {
        match self {
            Scope::Contract { .. } => Self::CONTRACT_RANK,
            Scope::Tenant { .. } => Self::TENANT_RANK,
            Scope::Table { .. } => Self::TABLE_RANK,
            Scope::Row { .. } => Self::ROW_RANK,
        }
    }

    /// The scope's name in plans: `contract`, `tenant`, `table` or `row`.
    pub fn kind(&self) -> &'static str {
        match self {
            Scope::Contract { .. } => "contract",
            Scope::Tenant { .. } => "tenant",
            Scope::Table { .. } => "table",
            Scope::Row { .. } => "row",
        }
    }

    /// The scope's tag (see [`Tag`] for the format).
    pub fn tag(&self) -> Tag {
        let mut buf = String::new();
        match self {
            Scope::Contract { table, hash } => Self::contract_tag(&mut buf, table, hash),
            Scope::Tenant { tenant } => Self::tenant_tag(&mut buf, tenant),
            Scope::Table { tenant, table } => Self::table_tag(&mut buf, tenant, table),
            Scope::Row { tenant, table, key } => Self::row_tag(&mut buf, tenant, table, key),
        }
    }

    /// The tag of [`Scope::Contract`] from borrowed parts, written through `buf` (plans
    /// build tags before scopes, reusing one buffer).
    pub(crate) fn contract_tag(buf: &mut String, table: &str, hash: &ContractHash) -> Tag {
        buf.clear();
        buf.push_str("ccc.");
        encode_into(buf, table);
        buf.push('.');
        buf.push_str(&hash.to_hex()[..HASH_HEX_DIGITS]);
        finish(buf)
    }

    /// The tag of [`Scope::Tenant`] from borrowed parts, written through `buf`.
    pub(crate) fn tenant_tag(buf: &mut String, tenant: &TenantId) -> Tag {
        buf.clear();
        buf.push_str("cct.");
        scope_into(buf, tenant);
        finish(buf)
    }

    /// The tag of [`Scope::Table`] from borrowed parts, written through `buf`.
    pub(crate) fn table_tag(buf: &mut String, tenant: &TenantId, table: &str) -> Tag {
        buf.clear();
        buf.push_str("ccb.");
        scope_into(buf, tenant);
        buf.push('.');
        encode_into(buf, table);
        finish(buf)
    }

    /// The tag of [`Scope::Row`] from borrowed parts, written through `buf`.
    pub(crate) fn row_tag(buf: &mut String, tenant: &TenantId, table: &str, key: &[String]) -> Tag {
        buf.clear();
        buf.push_str("ccr.");
        scope_into(buf, tenant);
        buf.push('.');
        encode_into(buf, table);
        for part in key {
            buf.push('.');
            encode_into(buf, part);
        }
        finish(buf)
    }
}

/// The tag written in `buf`, or its hashed form when it is longer than [`MAX_TAG_LEN`].
fn finish(buf: &str) -> Tag {
    if buf.len() > MAX_TAG_LEN {
        let digest = blake3::hash(buf.as_bytes()).to_hex();
        return Tag(format!("cch.{}", &digest[..HASH_HEX_DIGITS]).into());
    }
    Tag(buf.into())
}

/// `t<encoded tenant>`, or `g` for the global scope.
fn scope_into(out: &mut String, tenant: &TenantId) {
    match tenant.as_str() {
        Some(id) => {
            out.push('t');
            encode_into(out, id);
        }
        None => out.push('g'),
    }
}

/// Appends `s` with every byte outside `[a-z0-9-]` written as `_` and two lower-case hex
/// digits.
fn encode_into(out: &mut String, s: &str) {
    for b in s.bytes() {
        if b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' {
            out.push(b as char);
        } else {
            let _ = write!(out, "_{b:02x}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_and_tenant_scopes_differ() {
        let global = Scope::Tenant {
            tenant: TenantId::global(),
        };
        let named = Scope::Tenant {
            tenant: TenantId::new("g"),
        };
        assert_eq!(global.tag().as_str(), "cct.g");
        assert_eq!(named.tag().as_str(), "cct.tg");
    }

    #[test]
    fn contract_tags_hold_the_hash_prefix() {
        let tag = Scope::Contract {
            table: "users".into(),
            hash: ContractHash::from_bytes([0xab; 32]),
        }
        .tag();
        assert_eq!(tag.as_str(), format!("ccc.users.{}", "ab".repeat(16)));
    }

    #[test]
    fn upper_case_is_encoded_so_case_insensitive_cdns_cannot_merge_tenants() {
        let upper = Scope::Tenant {
            tenant: TenantId::new("ACME"),
        }
        .tag();
        let lower = Scope::Tenant {
            tenant: TenantId::new("acme"),
        }
        .tag();
        assert_ne!(upper.as_str().to_lowercase(), lower.as_str().to_lowercase());
    }
}
