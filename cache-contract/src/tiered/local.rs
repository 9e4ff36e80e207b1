//! The local tier: a bounded moka cache whose keys carry an epoch, the tenant's and table's
//! local generations; row versions live in hashed stripes (see
//! [`generation`](crate::invalidation::generation)).

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use crate::key::CacheKey;
use crate::tenant::TenantId;

/// Row-version stripes; a key invalidation bumps one stripe (false sharing between keys of
/// one stripe only costs a refused store, never a stale one).
const STRIPES: usize = 1024;

/// A local-tier key: an entry is reachable only while the epoch and both generations it was
/// stored under are current.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct LocalKey {
    epoch: u64,
    tenant_generation: u64,
    table_generation: u64,
    key: String,
}

/// What a reader observed before looking a key up; a store succeeds only if nothing
/// invalidated the key since.
#[derive(Debug, Clone)]
pub(crate) struct Lease {
    key: LocalKey,
    stripe: usize,
    version: u64,
}

impl Lease {
    /// A string identifying the lease, for single-flight grouping.
    pub(crate) fn flight_id(&self) -> String {
        format!(
            "{}|{}|{}|{}|{}",
            self.key.epoch,
            self.key.tenant_generation,
            self.key.table_generation,
            self.version,
            self.key.key
        )
    }
}

pub(crate) struct LocalTier<T> {
    cache: moka::sync::Cache<LocalKey, Arc<T>>,
    epoch: AtomicU64,
    enabled: AtomicBool,
    tenant_generations: RwLock<HashMap<TenantId, u64>>,
    table_generations: RwLock<HashMap<TenantId, u64>>,
    stripes: Box<[Mutex<u64>]>,
}

fn read<K: std::hash::Hash + Eq>(map: &RwLock<HashMap<K, u64>>, k: &K) -> u64 {
    map.read()
        .unwrap_or_else(|p| p.into_inner())
        .get(k)
        .copied()
        .unwrap_or(0)
}

fn bump(map: &RwLock<HashMap<TenantId, u64>>, k: &TenantId) {
    *map.write()
        .unwrap_or_else(|p| p.into_inner())
        .entry(k.clone())
        .or_insert(0) += 1;
}

impl<T: Send + Sync + 'static> LocalTier<T> {
    pub(crate) fn new(capacity: u64, ttl: Duration) -> Self {
        LocalTier {
            cache: moka::sync::Cache::builder()
                .max_capacity(capacity)
                .time_to_live(ttl)
                .build(),
            epoch: AtomicU64::new(0),
            enabled: AtomicBool::new(true),
            tenant_generations: RwLock::new(HashMap::new()),
            table_generations: RwLock::new(HashMap::new()),
            stripes: (0..STRIPES).map(|_| Mutex::new(0)).collect(),
        }
    }

    fn stripe_of(key: &CacheKey) -> usize {
        (BuildHasherDefault::<DefaultHasher>::default().hash_one(key.as_str()) as usize) % STRIPES
    }

    fn stripe(&self, i: usize) -> std::sync::MutexGuard<'_, u64> {
        self.stripes[i].lock().unwrap_or_else(|p| p.into_inner())
    }

    fn current_key(&self, key: &CacheKey) -> LocalKey {
        LocalKey {
            epoch: self.epoch.load(Ordering::Acquire),
            tenant_generation: read(&self.tenant_generations, key.tenant()),
            table_generation: read(&self.table_generations, key.tenant()),
            key: key.as_str().to_string(),
        }
    }

    /// Observes the counters guarding `key`.
    pub(crate) fn lease(&self, key: &CacheKey) -> Lease {
        let stripe = Self::stripe_of(key);
        // The row version is read first: an invalidation racing with this lease bumps it
        // after we read it, and the store is refused.
        let version = *self.stripe(stripe);
        Lease {
            key: self.current_key(key),
            stripe,
            version,
        }
    }

    /// Whether the tier serves (it does not while invalidations may be getting lost).
    pub(crate) fn enabled(&self) -> bool {
        self.enabled.load(Ordering::Acquire)
    }

    pub(crate) fn get(&self, lease: &Lease) -> Option<Arc<T>> {
        if !self.enabled() {
            return None;
        }
        self.cache.get(&lease.key)
    }

    /// Stores `value` unless the key was invalidated since `lease`; `false` if refused.
    pub(crate) fn insert(&self, lease: &Lease, value: Arc<T>) -> bool {
        if !self.enabled() {
            return false;
        }
        let stripe = self.stripe(lease.stripe);
        if *stripe != lease.version {
            return false;
        }
        // Generations and epoch are part of the key: a store under old ones is unreachable.
        self.cache.insert(lease.key.clone(), value);
        true
    }

    pub(crate) fn invalidate_key(&self, key: &CacheKey) {
        let mut stripe = self.stripe(Self::stripe_of(key));
        *stripe += 1;
        self.cache.invalidate(&self.current_key(key));
    }

    pub(crate) fn invalidate_table(&self, tenant: &TenantId) {
        bump(&self.table_generations, tenant);
    }

    pub(crate) fn invalidate_tenant(&self, tenant: &TenantId) {
        bump(&self.tenant_generations, tenant);
    }

    /// Makes every entry unreachable (epoch bump) and frees them.
    pub(crate) fn flush(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        self.cache.invalidate_all();
    }

    /// Stops serving and flushes (invalidations may be getting lost).
    pub(crate) fn disable(&self) {
        self.enabled.store(false, Ordering::Release);
        self.flush();
    }

    /// Flushes, then serves again.
    pub(crate) fn resync(&self) {
        self.flush();
        self.enabled.store(true, Ordering::Release);
    }

    pub(crate) fn entry_count(&self) -> u64 {
        self.cache.run_pending_tasks();
        self.cache.entry_count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CacheContract;
    use crate::testing::{Row, row};

    fn tier() -> LocalTier<Row> {
        LocalTier::new(100, Duration::from_secs(60))
    }

    #[test]
    fn store_after_invalidation_is_refused() {
        let t = tier();
        let r = row("a", 1, "x");
        let k = r.cache_key();
        let lease = t.lease(&k);
        t.invalidate_key(&k);
        assert!(!t.insert(&lease, Arc::new(r.clone())));
        assert!(t.get(&t.lease(&k)).is_none());
        let lease = t.lease(&k);
        assert!(t.insert(&lease, Arc::new(r)));
        assert!(t.get(&t.lease(&k)).is_some());
    }

    #[test]
    fn wide_invalidations_and_flush_make_entries_unreachable() {
        let t = tier();
        let a = row("a", 1, "x");
        let b = row("b", 1, "x");
        for r in [&a, &b] {
            assert!(t.insert(&t.lease(&r.cache_key()), Arc::new(r.clone())));
        }
        t.invalidate_table(&TenantId::new("a"));
        assert!(t.get(&t.lease(&a.cache_key())).is_none());
        assert!(
            t.get(&t.lease(&b.cache_key())).is_some(),
            "other tenant untouched"
        );
        t.invalidate_tenant(&TenantId::new("b"));
        assert!(t.get(&t.lease(&b.cache_key())).is_none());
        assert!(t.insert(&t.lease(&a.cache_key()), Arc::new(a.clone())));
        let old = t.lease(&a.cache_key());
        t.flush();
        assert!(t.get(&old).is_none());
        assert!(t.get(&t.lease(&a.cache_key())).is_none());
    }

    #[test]
    fn disabled_tier_neither_serves_nor_stores() {
        let t = tier();
        let a = row("a", 1, "x");
        t.disable();
        assert!(!t.insert(&t.lease(&a.cache_key()), Arc::new(a.clone())));
        t.resync();
        assert!(t.insert(&t.lease(&a.cache_key()), Arc::new(a.clone())));
        assert!(t.get(&t.lease(&a.cache_key())).is_some());
    }
}
