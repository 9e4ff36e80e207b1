//! [`EdgeTags`]: the tags of one response, collected from the contracts it rendered, and
//! their header value for each CDN.

use std::collections::BTreeSet;
use std::fmt;

use super::cdn::Cdn;
use super::tag::{Scope, Tag};
use crate::contract::CacheContract;
use crate::tenant::TenantId;

/// The set of tags one response carries. Adding a row adds its tenant, table, row and
/// contract tags; adding a list of a table adds its tenant, table and contract tags (and
/// the rows' tags with [`rows`](Self::rows)). Sets merge, so several contracts' tags
/// combine into one header.
///
/// ```
/// use cache_contract::edge::{Cdn, EdgeTags, Scope};
/// use cache_contract::TenantId;
///
/// let mut tags = EdgeTags::new();
/// tags.insert(Scope::Tenant { tenant: TenantId::new("acme") });
/// tags.insert(Scope::Table { tenant: TenantId::new("acme"), table: "users".into() });
/// assert_eq!(tags.header_value(Cdn::Varnish).unwrap(), "ccb.tacme.users cct.tacme");
/// assert_eq!(tags.header_value(Cdn::Cloudflare).unwrap(), "ccb.tacme.users,cct.tacme");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EdgeTags {
    tags: BTreeSet<Tag>,
}

impl EdgeTags {
    /// No tags.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the tag of `scope`.
    pub fn insert(&mut self, scope: Scope) {
        self.tags.insert(scope.tag());
    }

    /// Adds the tags of a response showing `row`: its tenant, its table (within the tenant),
    /// the row itself, and the table's contract.
    pub fn row<T: CacheContract>(&mut self, row: &T) {
        self.key::<T>(&row.tenant(), &row.key());
    }

    /// Adds the tags of a response showing the row `key` of `T` for `tenant`.
    pub fn key<T: CacheContract>(&mut self, tenant: &TenantId, key: &T::Key) {
        self.table::<T>(tenant);
        self.insert(Scope::Row {
            tenant: tenant.clone(),
            table: T::TABLE.to_string(),
            key: T::key_parts(key),
        });
    }

    /// Adds the tags of a response showing rows of `T` for `tenant` as a whole (a list, a
    /// count): its tenant, its table and the contract. A write that changes which rows
    /// such a response shows (an insert, a delete) must invalidate the table, not a key.
    pub fn table<T: CacheContract>(&mut self, tenant: &TenantId) {
        self.insert(Scope::Tenant {
            tenant: tenant.clone(),
        });
        self.insert(Scope::Table {
            tenant: tenant.clone(),
            table: T::TABLE.to_string(),
        });
        self.insert(Scope::Contract {
            table: T::TABLE.to_string(),
            hash: T::CONTRACT_HASH,
        });
    }

    /// Adds the tags of a response listing `rows` of `T` for `tenant`: the table's tags and
    /// each row's.
    pub fn rows<'a, T: CacheContract>(
        &mut self,
        tenant: &TenantId,
        rows: impl IntoIterator<Item = &'a T>,
    ) {
        self.table::<T>(tenant);
        for row in rows {
            self.key::<T>(tenant, &row.key());
        }
    }

    /// Adds every tag of `other`.
    pub fn merge(&mut self, other: &EdgeTags) {
        self.tags.extend(other.tags.iter().cloned());
    }

    /// The tags, in order.
    pub fn iter(&self) -> impl Iterator<Item = &Tag> {
        self.tags.iter()
    }

    /// How many tags.
    pub fn len(&self) -> usize {
        self.tags.len()
    }

    /// `true` without tags.
    pub fn is_empty(&self) -> bool {
        self.tags.is_empty()
    }

    /// The value of `cdn`'s tag header ([`CdnLimits::response_header`](super::CdnLimits)),
    /// or why the tags do not fit in it. Tags are never dropped to make them fit: a response
    /// missing one of its tags would outlive a purge of it.
    pub fn header_value(&self, cdn: Cdn) -> Result<String, TagOverflow> {
        let limits = cdn.limits();
        if self.tags.len() > limits.max_tags_per_object {
            return Err(TagOverflow {
                cdn,
                tags: self.tags.len(),
                bytes: None,
            });
        }
        let mut value = String::new();
        for tag in &self.tags {
            if !value.is_empty() {
                value.push(limits.separator);
            }
            value.push_str(tag.as_str());
        }
        if value.len() > limits.max_header_bytes {
            return Err(TagOverflow {
                cdn,
                tags: self.tags.len(),
                bytes: Some(value.len()),
            });
        }
        Ok(value)
    }
}

/// A response's tags exceed a CDN's limit (see [`EdgeTags::header_value`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagOverflow {
    /// The CDN.
    pub cdn: Cdn,
    /// How many tags the response had.
    pub tags: usize,
    /// How many bytes their header would take, when the byte limit was the one exceeded.
    pub bytes: Option<usize>,
}

impl fmt::Display for TagOverflow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let limits = self.cdn.limits();
        match self.bytes {
            Some(bytes) => write!(
                f,
                "{} tags take {bytes} bytes in `{}`, over {}'s limit of {} bytes",
                self.tags, limits.response_header, self.cdn, limits.max_header_bytes
            ),
            None => write!(
                f,
                "{} tags exceed {}'s limit of {} tags per object",
                self.tags, self.cdn, limits.max_tags_per_object
            ),
        }
    }
}

impl std::error::Error for TagOverflow {}
