//! Shards: on a Redis Cluster, invalidations travel over a fixed number of shard channels
//! (sharded Pub/Sub) or streams, the one of a tenant chosen by the tenant's hash slot, so
//! that each primary carries its share; on one node there is a single channel or stream.
//!
//! # Names
//!
//! Shard `i` of `n` covers the slots `[i·16384/n, (i+1)·16384/n)`: a tenant whose keys are
//! in slot `s` ([`tenant_slot`]) publishes on shard `s·n/16384`. Shard `i`'s channel or
//! stream is named `<base>{<k>}`, where `<base>` is the configured name (its `%`, `{` and
//! `}` escaped as `%XX`) and `<k>` is the smallest non-negative integer, in decimal, whose
//! slot (CRC16 of its digits) falls in shard `i`'s range. So shard `i` lives in the same
//! slot range as its tenants' keys, and the shards spread over the primaries as evenly as
//! the slots do.
//!
//! ```
//! use cache_contract::TenantId;
//! use cache_contract::invalidation::shards;
//! let names = shards::shard_names("inv", 4);
//! assert_eq!(names.len(), 4);
//! assert!(names.iter().all(|n| n.starts_with("inv{")));
//! let acme = TenantId::new("acme");
//! assert_eq!(shards::shard_of(&acme, 1), 0);
//! assert!(shards::shard_of(&acme, 4) < 4);
//! ```

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use super::Hub;
use crate::key::{CLUSTER_SLOTS, slot_of_tag, tenant_slot};
use crate::tenant::TenantId;

/// The most shards there can be: one per hash slot.
pub const MAX_SHARDS: usize = CLUSTER_SLOTS as usize;

/// The shard, among `count` (clamped to `1..=`[`MAX_SHARDS`]), that carries `tenant`'s
/// invalidations.
pub fn shard_of(tenant: &TenantId, count: usize) -> usize {
    usize::from(tenant_slot(tenant)) * count.clamp(1, MAX_SHARDS) / MAX_SHARDS
}

/// The names of `count` shard channels or streams over `base` (see the
/// [module docs](self)); `count` is clamped to `1..=`[`MAX_SHARDS`].
pub fn shard_names(base: &str, count: usize) -> Vec<String> {
    let count = count.clamp(1, MAX_SHARDS);
    let mut escaped = String::with_capacity(base.len());
    crate::key::escape_prefix_into(&mut escaped, base);
    let mut tags: Vec<Option<u64>> = vec![None; count];
    let mut missing = count;
    let mut k = 0u64;
    while missing > 0 {
        let shard = usize::from(slot_of_tag(k.to_string().as_bytes())) * count / MAX_SHARDS;
        if tags[shard].is_none() {
            tags[shard] = Some(k);
            missing -= 1;
        }
        k += 1;
    }
    tags.into_iter()
        .map(|k| format!("{escaped}{{{}}}", k.unwrap_or_default()))
        .collect()
}

/// The channels or streams one transport uses, and which one carries a tenant.
#[derive(Debug, Clone)]
pub(crate) struct Shards {
    names: Vec<String>,
}

impl Shards {
    /// On one node, `base` itself; on a cluster, `count` shards over `base`.
    pub(crate) fn new(base: &str, cluster: bool, count: usize) -> Self {
        Shards {
            names: if cluster {
                shard_names(base, count)
            } else {
                vec![base.to_string()]
            },
        }
    }

    /// Every shard's name, in shard order.
    pub(crate) fn names(&self) -> &[String] {
        &self.names
    }

    /// The shard of `tenant` and its name.
    pub(crate) fn for_tenant(&self, tenant: &TenantId) -> (usize, &str) {
        let i = shard_of(tenant, self.names.len());
        (i, &self.names[i])
    }
}

/// Which of a subscriber's shards are receiving. The subscriber is connected while all
/// are: it emits [`Event::Disconnected`](super::Event::Disconnected) when the first goes
/// down and [`Event::Resync`](super::Event::Resync) when the last comes back, so a cache
/// never serves its local tier while any shard may be losing invalidations.
pub(crate) struct ShardHealth {
    hub: Arc<Hub>,
    down: Mutex<BTreeSet<usize>>,
}

impl ShardHealth {
    /// `count` shards, none receiving yet.
    pub(crate) fn new(hub: Arc<Hub>, count: usize) -> Self {
        ShardHealth {
            hub,
            down: Mutex::new((0..count).collect()),
        }
    }

    /// The hub the shards deliver into.
    pub(crate) fn hub(&self) -> &Hub {
        &self.hub
    }

    fn down_set(&self) -> std::sync::MutexGuard<'_, BTreeSet<usize>> {
        self.down.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Shard `shard` stopped receiving.
    pub(crate) fn down(&self, shard: usize, reason: String) {
        let mut down = self.down_set();
        if down.is_empty() {
            self.hub.disconnected(reason);
        }
        down.insert(shard);
    }

    /// Shard `shard` receives (again).
    pub(crate) fn up(&self, shard: usize, reason: String) {
        let mut down = self.down_set();
        if down.remove(&shard) && down.is_empty() {
            self.hub.resync(reason);
        }
    }

    /// Shard `shard` receives but lost invalidations before: resync now if every shard
    /// receives (else the last one to come back resyncs).
    pub(crate) fn lost(&self, shard: usize, reason: String) {
        let down = self.down_set();
        if down.is_empty() {
            self.hub.resync(reason);
        } else {
            tracing::warn!(shard, %reason, "invalidations were lost");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invalidation::{Event, Subscriber};

    #[test]
    fn each_shard_name_is_in_its_shards_slot_range() {
        for count in [1, 2, 3, 16, 100, 1000] {
            let names = shard_names("a{b}:", count);
            assert_eq!(names.len(), count);
            for (i, name) in names.iter().enumerate() {
                let tag = name
                    .strip_prefix("a%7Bb%7D:{")
                    .and_then(|t| t.strip_suffix('}'))
                    .unwrap_or_else(|| panic!("{name}"));
                let slot = usize::from(slot_of_tag(tag.as_bytes()));
                assert_eq!(slot * count / MAX_SHARDS, i, "{name}");
            }
        }
    }

    #[test]
    fn the_sixteen_shard_names_are_those_wire_md_lists() {
        let tags: Vec<String> = shard_names("", 16)
            .into_iter()
            .map(|n| n.trim_matches(|c| c == '{' || c == '}').to_string())
            .collect();
        assert_eq!(
            tags,
            [
                "10", "3", "61", "43", "11", "2", "60", "42", "12", "1", "63", "41", "13", "0",
                "62", "40"
            ]
        );
    }

    #[test]
    fn tenants_go_to_the_shard_of_their_slot() {
        let shards = Shards::new("x", true, 8);
        for t in ["a", "b", "acme", "a:*?["] {
            let tenant = TenantId::new(t);
            let (i, name) = shards.for_tenant(&tenant);
            assert_eq!(i, usize::from(tenant_slot(&tenant)) * 8 / MAX_SHARDS);
            assert_eq!(name, shards.names()[i]);
        }
        let single = Shards::new("x{y}", false, 8);
        assert_eq!(single.names(), ["x{y}"]);
        assert_eq!(single.for_tenant(&TenantId::new("a")), (0, "x{y}"));
    }

    #[test]
    fn the_subscriber_is_connected_while_every_shard_is() {
        let hub = Hub::new("test", 64, 64);
        let subscriber = Subscriber::new(hub.clone(), None);
        let mut sub = subscriber.subscribe();
        let health = ShardHealth::new(hub, 3);
        health.down(0, "never up".into());
        health.up(0, "0 up".into());
        health.up(1, "1 up".into());
        assert!(!subscriber.is_connected());
        health.lost(1, "lost while 2 is down".into());
        health.up(2, "2 up".into());
        assert!(subscriber.is_connected());
        health.down(1, "1 down".into());
        health.down(2, "2 down".into());
        health.up(1, "1 back".into());
        assert!(!subscriber.is_connected());
        health.up(2, "2 back".into());
        health.lost(0, "0 lost".into());
        let events: Vec<Event> = std::iter::from_fn(|| sub.rx.try_recv().ok()).collect();
        let reasons: Vec<String> = events
            .iter()
            .map(|e| match e {
                Event::Resync { reason } => format!("resync: {reason}"),
                Event::Disconnected { reason } => format!("disconnected: {reason}"),
                Event::Invalidate(_) => "invalidate".into(),
            })
            .collect();
        assert_eq!(
            reasons,
            [
                "resync: 2 up",
                "disconnected: 1 down",
                "resync: 2 back",
                "resync: 0 lost"
            ]
        );
    }
}
