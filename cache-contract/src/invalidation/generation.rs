//! Generations: wide invalidations without scanning the keyspace.
//!
//! Every stored key carries two counters (see [`CacheKey::storage_key`]):
//!
//! ```text
//! cc1:<scope>:g<tenant generation>:<table>:g<table generation>:<hash8>[:<part>]*
//! ```
//!
//! Invalidating a whole tenant increments the tenant's generation; invalidating a table
//! within a tenant increments that table's generation. Readers build keys with the current
//! generations, so every older entry becomes unreachable at once and simply expires by its
//! TTL. Nothing ever runs `KEYS` or `SCAN` with a pattern (slow, and with tenant ids
//! containing `*` `?` `[` an injection risk).
//!
//! # In Redis
//!
//! | key | holds |
//! |-----|-------|
//! | `<prefix>ccg:<scope>` | the tenant's generation (`INCR`ed by a `tenant` invalidation) |
//! | `<prefix>ccg:<scope>:<table>` | the table's generation within the tenant |
//! | `<prefix>ccv:<cache key>` | the row's version (`INCR`ed by a `key`/`keys` invalidation) |
//! | `<prefix><storage key>` | the entry (an [envelope](crate::envelope)) |
//!
//! `<scope>` and `<table>` are escaped exactly as in keys, so generation keys of distinct
//! tenants never collide, whatever characters tenant ids contain. A missing counter reads
//! as `0`. Generation keys have no TTL; row versions expire a while after the entries they
//! guard. Use a `noeviction` or `volatile-*` `maxmemory-policy`: an evicted generation key
//! would make older entries reachable again.
//!
//! Each read is one Lua script round trip: it reads both generations and the row version,
//! builds the storage key from a [`StorageKeyTemplate`] and returns the entry together with
//! the three counters — the *lease*. Storing a loaded value is another script that writes
//! only if all three counters still equal the lease, so a load that began before an
//! invalidation never stores its old value after it (no stale set), atomically in Redis.
//!
//! # In process
//!
//! The local tier keeps the same three counters per cache (a map of bumped tenant and table
//! generations, plus row versions in hashed stripes) and an *epoch* that a resync bumps,
//! which makes every local entry unreachable at once.
//!
//! ```
//! use cache_contract::{CacheKey, ContractHash, TenantId};
//! use cache_contract::invalidation::generation::{self, StorageKeyTemplate};
//! let key = CacheKey::new(&TenantId::new("a:*"), "users", &ContractHash::from_bytes([0; 32]), vec!["7".into()]);
//! let template = StorageKeyTemplate::new("app:", &key);
//! assert_eq!(template.render(3, 5), format!("app:{}", key.storage_key(3, 5)));
//! assert_eq!(generation::tenant_generation_key("app:", key.tenant()), "app:ccg:t.a%3A%2A");
//! assert_eq!(generation::table_generation_key("app:", key.tenant(), "users"), "app:ccg:t.a%3A%2A:users");
//! assert_eq!(generation::row_version_key("app:", &key), format!("app:ccv:{}", key.as_str()));
//! ```

use crate::key::{CacheKey, escape};
use crate::tenant::TenantId;

/// The scope segment of a tenant's keys (`t.<escaped id>` or `global`).
pub fn scope(tenant: &TenantId) -> String {
    match tenant.as_str() {
        Some(t) => format!("t.{}", escape(t)),
        None => "global".to_string(),
    }
}

/// The Redis key of `tenant`'s generation.
pub fn tenant_generation_key(prefix: &str, tenant: &TenantId) -> String {
    format!("{prefix}ccg:{}", scope(tenant))
}

/// The Redis key of the generation of `table` within `tenant`.
pub fn table_generation_key(prefix: &str, tenant: &TenantId, table: &str) -> String {
    format!("{prefix}ccg:{}:{}", scope(tenant), escape(table))
}

/// The Redis key of the row version of `key`.
pub fn row_version_key(prefix: &str, key: &CacheKey) -> String {
    format!("{prefix}ccv:{}", key.as_str())
}

/// A storage key with holes for the two generations: `head <tenant gen> mid <table gen>
/// tail`. Lua scripts fill the holes with the generations they read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageKeyTemplate {
    /// Up to and including `:g` after the scope.
    pub head: String,
    /// From `:` before the table up to and including `:g` after it.
    pub mid: String,
    /// From `:` before the contract hash to the end.
    pub tail: String,
}

impl StorageKeyTemplate {
    /// The template of `key`'s storage keys, prefixed with `prefix`.
    pub fn new(prefix: &str, key: &CacheKey) -> Self {
        // `storage_key` is `cc1:<scope>:g<n>:<table>:g<n>:<rest>`; no escaped component
        // contains `:`, so splitting on the first five colons is exact.
        let full = key.storage_key(0, 0);
        let mut seg = full.splitn(6, ':');
        let (ns, scope, _tg, table, _tbg) = (
            seg.next().unwrap_or_default(),
            seg.next().unwrap_or_default(),
            seg.next().unwrap_or_default(),
            seg.next().unwrap_or_default(),
            seg.next().unwrap_or_default(),
        );
        let rest = seg.next().unwrap_or_default();
        StorageKeyTemplate {
            head: format!("{prefix}{ns}:{scope}:g"),
            mid: format!(":{table}:g"),
            tail: format!(":{rest}"),
        }
    }

    /// The storage key for the given generations.
    pub fn render(&self, tenant_generation: u64, table_generation: u64) -> String {
        format!(
            "{}{tenant_generation}{}{table_generation}{}",
            self.head, self.mid, self.tail
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::ContractHash;

    #[test]
    fn templates_render_storage_keys_for_awkward_tenants() {
        for t in ["a", "a:b", "*", "?", "[x]", "g1:users:g2", ""] {
            for parts in [vec![], vec!["1".to_string()], vec!["a:b".into(), "".into()]] {
                let key = CacheKey::new(
                    &TenantId::new(t),
                    "users",
                    &ContractHash::from_bytes([1; 32]),
                    parts,
                );
                let tpl = StorageKeyTemplate::new("p:", &key);
                assert_eq!(tpl.render(9, 4), format!("p:{}", key.storage_key(9, 4)));
            }
        }
        let global = CacheKey::new(
            &TenantId::global(),
            "c",
            &ContractHash::from_bytes([1; 32]),
            vec![],
        );
        assert_eq!(
            StorageKeyTemplate::new("", &global).render(1, 2),
            global.storage_key(1, 2)
        );
    }

    #[test]
    fn generation_keys_of_distinct_tenants_differ() {
        let a = TenantId::new("a:b");
        let b = TenantId::new("a");
        assert_ne!(
            table_generation_key("", &a, "c"),
            table_generation_key("", &b, "b:c")
        );
        assert_ne!(
            tenant_generation_key("", &TenantId::new("global")),
            tenant_generation_key("", &TenantId::global())
        );
    }
}
