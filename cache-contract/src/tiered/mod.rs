//! `TieredCache`: a bounded local tier (moka, with TTL) over an optional Redis tier, kept
//! coherent by invalidations, never storing a value an invalidation overtook.
//!
//! - **Lookups** ([`get`](TieredCache::get), [`get_or_load`](TieredCache::get_or_load)) try
//!   the local tier, then Redis, then the loader; concurrent misses of one key run the loader
//!   once (single-flight).
//! - **No stale set**: a lookup first takes a *lease* (the counters guarding its key, see
//!   [`generation`](crate::invalidation::generation)); a loaded value is stored in a tier
//!   only if that tier's counters are unchanged. In Redis the check and the `SET` are one
//!   Lua script. A load that began before an invalidation of its key, table or tenant
//!   therefore never stores its value after it (it is still returned to its caller, whose
//!   request began before the invalidation).
//! - **Invalidations** ([`invalidate_key`](TieredCache::invalidate_key) and friends) update
//!   Redis (row version bump and delete, or a generation bump), the local tier, then publish,
//!   so other instances evict their local tiers.
//! - **Subscriber**: a background task applies received invalidations to the local tier; on
//!   [`Event::Disconnected`] it flushes and stops serving the local tier, on
//!   [`Event::Resync`] it flushes (epoch bump) and serves again.
//! - **Entries** in Redis are [envelopes](crate::envelope), optionally sealed with a
//!   deployment keyring ([`RedisTier::with_keyring`]): another tenant's entry, or an entry
//!   holding another row than its key names, is refused and deleted; another schema is a
//!   miss; corrupt and forged entries are counted and deleted.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use cache_contract::{TenantId, tiered::TieredCache, invalidation::bus::InProcessBus};
//! use cache_contract::CacheContract;
//! #[derive(CacheContract, serde::Serialize, serde::Deserialize, Debug, PartialEq)]
//! #[cache(table = "users", migrations = "tests/doc_migrations")]
//! struct User { tenant_id: String, id: i64, name: String }
//! let bus = InProcessBus::new();
//! let users = TieredCache::<User>::builder()
//!     .publisher(bus.publisher())
//!     .subscriber(bus.subscriber())
//!     .build()
//!     .unwrap();
//! let acme = TenantId::new("acme");
//! let ada = users
//!     .get_or_load(&acme, &1, || async { Ok::<_, std::io::Error>(User { tenant_id: "acme".into(), id: 1, name: "Ada".into() }) })
//!     .await
//!     .unwrap();
//! assert_eq!(ada.name, "Ada");
//! assert!(users.get(&acme, &1).await.unwrap().is_some());
//! users.invalidate_key(&acme, &1).await.unwrap();
//! assert!(users.get(&acme, &1).await.unwrap().is_none());
//! # });
//! ```

mod flight;
mod local;
#[cfg(feature = "redis")]
mod redis_tier;

#[cfg(feature = "redis")]
pub use redis_tier::RedisTier;

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::{Arc, Weak};
use std::time::Duration;

use tracing::Instrument;

use crate::contract::CacheContract;
#[cfg(feature = "redis")]
use crate::envelope::OpenError;
use crate::envelope::SealError;
use crate::invalidation::{
    Event, Invalidation, PublishError, Publisher, RecentIds, Subscriber, Target, TaskGuard,
    TimeoutError,
};
use crate::key::CacheKey;
use crate::metrics as m;
use crate::tenant::TenantId;

use flight::{Flights, Role};

/// How many of its own published invalidation ids a cache remembers (to skip their echo).
const OWN_IDS_REMEMBERED: usize = 4096;
use local::LocalTier;

/// Why a cache operation failed.
#[derive(Debug)]
pub enum CacheError {
    /// The Redis tier failed.
    #[cfg(feature = "redis")]
    Redis(redis::RedisError),
    /// Publishing the invalidation failed: other instances may keep the old value in their
    /// local tier until its TTL, or until their subscriber resyncs.
    Publish(PublishError),
    /// The value could not be sealed into an envelope.
    Seal(SealError),
}

impl fmt::Display for CacheError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            #[cfg(feature = "redis")]
            CacheError::Redis(e) => write!(f, "Redis cache tier failed: {e}"),
            CacheError::Publish(e) => e.fmt(f),
            CacheError::Seal(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for CacheError {}

#[cfg(feature = "redis")]
impl From<redis::RedisError> for CacheError {
    fn from(e: redis::RedisError) -> Self {
        CacheError::Redis(e)
    }
}

/// Why [`TieredCache::get_or_load`] failed.
#[derive(Debug)]
pub enum LoadError<E> {
    /// The loader failed.
    Loader(E),
    /// The loader returned a row of another key or tenant; it is neither cached nor
    /// returned.
    WrongRow {
        /// The key asked for.
        expected: Box<CacheKey>,
        /// The key of the row the loader returned.
        found: Box<CacheKey>,
    },
}

impl<E: fmt::Display> fmt::Display for LoadError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Loader(e) => write!(f, "loading the cached value failed: {e}"),
            LoadError::WrongRow { expected, found } => write!(
                f,
                "the loader for `{expected}` returned the row `{found}`; check the loader's query filters by tenant and key"
            ),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for LoadError<E> {}

/// Why a [`TieredCache`] could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError(&'static str);

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for BuildError {}

/// Configures a [`TieredCache`].
pub struct TieredCacheBuilder<T> {
    capacity: u64,
    local_ttl: Duration,
    #[cfg(feature = "redis")]
    redis: Option<RedisTier>,
    publisher: Option<Publisher>,
    subscriber: Option<Subscriber>,
    _t: PhantomData<fn() -> T>,
}

impl<T: CacheContract> TieredCacheBuilder<T> {
    /// The most entries the local tier holds (default 10 000).
    pub fn local_capacity(mut self, entries: u64) -> Self {
        self.capacity = entries;
        self
    }

    /// How long a local entry lives at most (default 60 s). It bounds staleness even if
    /// every invalidation were lost.
    pub fn local_ttl(mut self, ttl: Duration) -> Self {
        self.local_ttl = ttl;
        self
    }

    /// Adds a Redis tier (without one, the cache is local only: the embedded mode).
    #[cfg(feature = "redis")]
    pub fn redis(mut self, tier: RedisTier) -> Self {
        self.redis = Some(tier);
        self
    }

    /// Publishes invalidations made through this cache.
    pub fn publisher(mut self, publisher: Publisher) -> Self {
        self.publisher = Some(publisher);
        self
    }

    /// Applies invalidations received by `subscriber` to the local tier.
    pub fn subscriber(mut self, subscriber: Subscriber) -> Self {
        self.subscriber = Some(subscriber);
        self
    }

    /// Builds the cache. With a subscriber, this must run inside a tokio runtime (it spawns
    /// the task applying invalidations).
    pub fn build(self) -> Result<TieredCache<T>, BuildError> {
        let local = LocalTier::new(self.capacity, self.local_ttl);
        #[cfg(feature = "redis")]
        if self.redis.is_some() && self.subscriber.is_none() {
            tracing::warn!(
                table = T::TABLE,
                "TieredCache with a Redis tier but no subscriber: its local tier will not hear \
                 of other instances' invalidations (entries live up to the local TTL)"
            );
        }
        let subscription = match &self.subscriber {
            Some(s) => {
                if tokio::runtime::Handle::try_current().is_err() {
                    return Err(BuildError(
                        "a TieredCache with a subscriber must be built inside a tokio runtime",
                    ));
                }
                // Subscribe first: a connection made after the check below is then seen
                // as a `Resync` event.
                let subscription = s.subscribe();
                if !s.is_connected() {
                    // Until the subscriber is connected, invalidations may be missed.
                    local.disable();
                }
                Some(subscription)
            }
            None => None,
        };
        let inner = Arc::new(Inner {
            local,
            #[cfg(feature = "redis")]
            redis: self.redis,
            publisher: self.publisher,
            flights: Flights::new(),
            task: std::sync::OnceLock::new(),
            applied: tokio::sync::watch::Sender::new(0),
            own_ids: std::sync::Mutex::new(RecentIds::new(OWN_IDS_REMEMBERED)),
            _subscriber: self.subscriber,
        });
        if let Some(mut sub) = subscription {
            let weak: Weak<Inner<T>> = Arc::downgrade(&inner);
            let task = tokio::spawn(
                async move {
                    while let Some(event) = sub.recv().await {
                        let Some(inner) = weak.upgrade() else { break };
                        inner.apply(&event);
                    }
                }
                .instrument(tracing::debug_span!(
                    "cache_contract.subscriber",
                    table = T::TABLE
                )),
            );
            let _ = inner.task.set(TaskGuard(task));
        }
        Ok(TieredCache { inner })
    }
}

struct Inner<T> {
    local: LocalTier<T>,
    #[cfg(feature = "redis")]
    redis: Option<RedisTier>,
    publisher: Option<Publisher>,
    flights: Flights<T>,
    task: std::sync::OnceLock<TaskGuard>,
    applied: tokio::sync::watch::Sender<u64>,
    /// Ids of the invalidations this cache published: it applied them to its local tier
    /// before publishing, so their echo from the subscriber is not applied again (a second
    /// generation bump would throw away loads that began after the first).
    own_ids: std::sync::Mutex<RecentIds>,
    // Keeps the subscriber's background task alive as long as the cache.
    _subscriber: Option<Subscriber>,
}

/// A two-tier cache of `T` rows. Cheap to clone; clones share the cache. See the
/// [module docs](self).
pub struct TieredCache<T> {
    inner: Arc<Inner<T>>,
}

impl<T> Clone for TieredCache<T> {
    fn clone(&self) -> Self {
        TieredCache {
            inner: self.inner.clone(),
        }
    }
}

impl<T: CacheContract> fmt::Debug for TieredCache<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TieredCache")
            .field("table", &T::TABLE)
            .finish_non_exhaustive()
    }
}

/// What the Redis tier answered.
enum RedisRead<T> {
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    Hit(Arc<T>),
    Miss(Option<RedisLeaseOpt>),
}

#[cfg(feature = "redis")]
type RedisLeaseOpt = redis_tier::RedisLease;
#[cfg(not(feature = "redis"))]
type RedisLeaseOpt = ();

impl<T: CacheContract> Inner<T> {
    fn apply(&self, event: &Event) {
        match event {
            Event::Invalidate(msg) if self.published_here(&msg.id) => {}
            Event::Invalidate(msg) => self.apply_local(msg),
            Event::Disconnected { .. } => self.local.disable(),
            Event::Resync { .. } => self.local.resync(),
        }
        self.applied.send_modify(|n| *n += 1);
    }

    fn published_here(&self, id: &str) -> bool {
        self.own_ids
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(id)
    }

    fn apply_local(&self, msg: &Invalidation) {
        match &msg.target {
            Target::Keys { table, keys } if table == T::TABLE => {
                for parts in keys {
                    let key =
                        CacheKey::new(&msg.tenant, T::TABLE, &T::CONTRACT_HASH, parts.clone());
                    self.local.invalidate_key(&key);
                }
            }
            Target::Table { table } if table == T::TABLE => {
                self.local.invalidate_table(&msg.tenant)
            }
            Target::Tenant => self.local.invalidate_tenant(&msg.tenant),
            _ => return,
        }
        metrics::counter!(m::INVALIDATIONS_APPLIED, "table" => T::TABLE).increment(1);
    }

    /// Looks `key` up in Redis, opening and judging the envelope.
    async fn redis_read(&self, key: &CacheKey) -> RedisRead<T> {
        #[cfg(feature = "redis")]
        if let Some(redis) = &self.redis {
            match redis.read(key).await {
                Ok((lease, None)) => return RedisRead::Miss(Some(lease)),
                Ok((lease, Some(bytes))) => {
                    let bad = match redis.open::<T>(&bytes, key) {
                        // An entry moved under another row's key (its tenant and table
                        // match) is refused too.
                        Ok(v) if v.cache_key() == *key => {
                            metrics::counter!(m::HITS, "table" => T::TABLE, "tier" => "redis")
                                .increment(1);
                            return RedisRead::Hit(Arc::new(v));
                        }
                        Ok(v) => (
                            m::FOREIGN_TENANT,
                            format!("the entry holds the row `{}`", v.cache_key()),
                        ),
                        Err(
                            OpenError::Stale { .. }
                            | OpenError::UnsupportedVersion(_)
                            | OpenError::Unverifiable { .. },
                        ) => {
                            metrics::counter!(m::STALE, "table" => T::TABLE).increment(1);
                            return RedisRead::Miss(Some(lease));
                        }
                        Err(
                            e @ (OpenError::ForeignTenant { .. } | OpenError::WrongTable { .. }),
                        ) => (m::FOREIGN_TENANT, e.to_string()),
                        Err(e @ OpenError::Forged(_)) => (m::FORGED, e.to_string()),
                        Err(e @ OpenError::Corrupt(_)) => (m::CORRUPT, e.to_string()),
                    };
                    let (name, error) = bad;
                    metrics::counter!(name, "table" => T::TABLE).increment(1);
                    tracing::error!(key = %key, %error, "deleting a bad cache entry");
                    if let Err(e) = redis.delete(key, &lease).await {
                        tracing::warn!(key = %key, error = %e, "could not delete a bad cache entry");
                    }
                    return RedisRead::Miss(Some(lease));
                }
                Err(e) => {
                    metrics::counter!(m::REDIS_ERRORS, "table" => T::TABLE).increment(1);
                    tracing::warn!(key = %key, error = %e, "Redis tier read failed; treating as a miss");
                    return RedisRead::Miss(None);
                }
            }
        }
        let _ = key;
        RedisRead::Miss(None)
    }

    /// Stores a loaded value in Redis under `lease`; `false` if an invalidation overtook it.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    async fn redis_store(&self, key: &CacheKey, value: &T, lease: Option<&RedisLeaseOpt>) -> bool {
        #[cfg(feature = "redis")]
        if let (Some(redis), Some(lease)) = (&self.redis, lease) {
            let bytes = match redis.seal(value) {
                Ok(b) => b,
                Err(e) => {
                    tracing::warn!(key = %key, error = %e, "cannot seal value; not cached in Redis");
                    return true;
                }
            };
            match redis.store(key, Some(lease), &bytes).await {
                Ok(true) => {}
                Ok(false) => {
                    metrics::counter!(m::STALE_SETS_REFUSED, "table" => T::TABLE, "tier" => "redis")
                        .increment(1);
                    return false;
                }
                Err(e) => {
                    metrics::counter!(m::REDIS_ERRORS, "table" => T::TABLE).increment(1);
                    tracing::warn!(key = %key, error = %e, "Redis tier store failed");
                    // Unknown whether an invalidation overtook us: do not cache locally either.
                    return false;
                }
            }
        }
        let _ = (key, value, lease);
        true
    }

    fn local_store(&self, lease: &local::Lease, value: Arc<T>) {
        if !self.local.insert(lease, value) && self.local.enabled() {
            metrics::counter!(m::STALE_SETS_REFUSED, "table" => T::TABLE, "tier" => "local")
                .increment(1);
        }
    }
}

impl<T: CacheContract> TieredCache<T> {
    /// A builder with a 10 000-entry, 60-second local tier, no Redis tier, no transport.
    pub fn builder() -> TieredCacheBuilder<T> {
        TieredCacheBuilder {
            capacity: 10_000,
            local_ttl: Duration::from_secs(60),
            #[cfg(feature = "redis")]
            redis: None,
            publisher: None,
            subscriber: None,
            _t: PhantomData,
        }
    }

    /// The cached row `key` of `tenant`, from the local tier or Redis, or `None`. A failing
    /// Redis tier reads as a miss (counted in `cache_contract_redis_errors_total` and
    /// logged), like stale, corrupt or foreign entries; the `Result` is kept for errors a
    /// future tier may report.
    pub async fn get(&self, tenant: &TenantId, key: &T::Key) -> Result<Option<Arc<T>>, CacheError> {
        let ckey = T::cache_key_for(tenant, key);
        let span = tracing::debug_span!("cache_contract.get", table = T::TABLE);
        async {
            let lease = self.inner.local.lease(&ckey);
            if let Some(v) = self.inner.local.get(&lease) {
                metrics::counter!(m::HITS, "table" => T::TABLE, "tier" => "local").increment(1);
                return Ok(Some(v));
            }
            match self.inner.redis_read(&ckey).await {
                RedisRead::Hit(v) => {
                    self.inner.local_store(&lease, v.clone());
                    Ok(Some(v))
                }
                RedisRead::Miss(_) => {
                    metrics::counter!(m::MISSES, "table" => T::TABLE).increment(1);
                    Ok(None)
                }
            }
        }
        .instrument(span)
        .await
    }

    /// The cached row `key` of `tenant`, or the loader's value, which is cached unless an
    /// invalidation of the key (or its table or tenant) overtook the load. Concurrent
    /// callers for one key share one load. Redis failures degrade to loading (counted in
    /// `cache_contract_redis_errors_total`).
    pub async fn get_or_load<F, Fut, E>(
        &self,
        tenant: &TenantId,
        key: &T::Key,
        loader: F,
    ) -> Result<Arc<T>, LoadError<E>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let ckey = T::cache_key_for(tenant, key);
        let span = tracing::debug_span!("cache_contract.get_or_load", table = T::TABLE);
        let mut loader = Some(loader);
        async {
            loop {
                let lease = self.inner.local.lease(&ckey);
                if let Some(v) = self.inner.local.get(&lease) {
                    metrics::counter!(m::HITS, "table" => T::TABLE, "tier" => "local").increment(1);
                    return Ok(v);
                }
                let leader = match self.inner.flights.join(lease.flight_id()) {
                    Role::Follower(f) => match f.wait().await {
                        Some(v) => return Ok(v),
                        None => continue,
                    },
                    Role::Leader(l) => l,
                };
                let redis_lease = match self.inner.redis_read(&ckey).await {
                    RedisRead::Hit(v) => {
                        self.inner.local_store(&lease, v.clone());
                        leader.complete(v.clone());
                        return Ok(v);
                    }
                    RedisRead::Miss(l) => l,
                };
                metrics::counter!(m::MISSES, "table" => T::TABLE).increment(1);
                metrics::counter!(m::LOADS, "table" => T::TABLE).increment(1);
                let load = loader
                    .take()
                    .expect("the loader runs at most once: only a leader runs it, and it returns");
                let value = load().await.map_err(LoadError::Loader)?;
                let found = value.cache_key();
                if found != ckey {
                    return Err(LoadError::WrongRow {
                        expected: Box::new(ckey),
                        found: Box::new(found),
                    });
                }
                let value = Arc::new(value);
                #[cfg(feature = "redis")]
                let stored = self.inner.redis.is_none()
                    || self
                        .inner
                        .redis_store(&ckey, &value, redis_lease.as_ref())
                        .await;
                #[cfg(not(feature = "redis"))]
                let stored = {
                    let _ = redis_lease;
                    true
                };
                if stored {
                    self.inner.local_store(&lease, value.clone());
                }
                leader.complete(value.clone());
                return Ok(value);
            }
        }
        .instrument(span)
        .await
    }

    /// Stores `value` (a fresh row, e.g. just written) in both tiers under the current
    /// generations. Other instances' local tiers are not told: after changing a row, call
    /// [`invalidate_key`](Self::invalidate_key) instead (or as well).
    pub async fn insert(&self, value: T) -> Result<(), CacheError> {
        let ckey = value.cache_key();
        let lease = self.inner.local.lease(&ckey);
        #[cfg(feature = "redis")]
        if let Some(redis) = &self.inner.redis {
            let bytes = redis.seal(&value).map_err(CacheError::Seal)?;
            redis.store(&ckey, None, &bytes).await?;
        }
        self.inner.local_store(&lease, Arc::new(value));
        Ok(())
    }

    /// Evicts the row `key` of `tenant` everywhere: Redis, this local tier, and (published)
    /// other instances' local tiers.
    pub async fn invalidate_key(&self, tenant: &TenantId, key: &T::Key) -> Result<(), CacheError> {
        self.invalidate_keys(tenant, std::slice::from_ref(key))
            .await
    }

    /// Evicts the rows `keys` of `tenant` everywhere, in one Redis round trip and one message.
    pub async fn invalidate_keys(
        &self,
        tenant: &TenantId,
        keys: &[T::Key],
    ) -> Result<(), CacheError> {
        if keys.is_empty() {
            return Ok(());
        }
        #[cfg(feature = "redis")]
        if let Some(redis) = &self.inner.redis {
            let ckeys: Vec<CacheKey> = keys.iter().map(|k| T::cache_key_for(tenant, k)).collect();
            redis.invalidate_keys(&ckeys).await?;
        }
        self.apply_and_publish(Invalidation::keys::<T>(tenant, keys))
            .await
    }

    /// Evicts every row of `T`'s table for `tenant` everywhere (a generation bump: no scan).
    pub async fn invalidate_table(&self, tenant: &TenantId) -> Result<(), CacheError> {
        #[cfg(feature = "redis")]
        if let Some(redis) = &self.inner.redis {
            redis.invalidate_table(tenant, T::TABLE).await?;
        }
        self.apply_and_publish(Invalidation::table::<T>(tenant))
            .await
    }

    /// Evicts every row of every table for `tenant` everywhere (a generation bump: no scan).
    pub async fn invalidate_tenant(&self, tenant: &TenantId) -> Result<(), CacheError> {
        #[cfg(feature = "redis")]
        if let Some(redis) = &self.inner.redis {
            redis.invalidate_tenant(tenant).await?;
        }
        self.apply_and_publish(Invalidation::tenant(tenant)).await
    }

    /// Applies an invalidation to the local tier, then publishes it; its echo from this
    /// cache's own subscriber is recognised by id and not applied twice.
    async fn apply_and_publish(&self, msg: Invalidation) -> Result<(), CacheError> {
        self.inner.apply_local(&msg);
        match &self.inner.publisher {
            Some(p) => {
                self.inner
                    .own_ids
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(&msg.id);
                p.publish(msg).await.map_err(CacheError::Publish)
            }
            None => Ok(()),
        }
    }

    /// Empties the local tier (the Redis tier is untouched).
    pub fn flush_local(&self) {
        self.inner.local.flush();
    }

    /// Whether the local tier currently serves (it does not while the subscriber is
    /// disconnected).
    pub fn local_tier_enabled(&self) -> bool {
        self.inner.local.enabled()
    }

    /// How many subscriber events (invalidations, disconnects, resyncs) this cache has
    /// applied so far.
    pub fn applied_events(&self) -> u64 {
        *self.inner.applied.borrow()
    }

    /// Waits until this cache has applied at least `count` subscriber events, at most
    /// `timeout`. Useful in tests and at start-up.
    pub async fn wait_applied(&self, count: u64, timeout: Duration) -> Result<(), TimeoutError> {
        crate::invalidation::wait_count(
            self.inner.applied.subscribe(),
            count,
            timeout,
            "the cache to apply subscriber events",
        )
        .await
    }

    /// The number of entries in the local tier (including unreachable ones not yet evicted).
    pub fn local_entry_count(&self) -> u64 {
        self.inner.local.entry_count()
    }
}
