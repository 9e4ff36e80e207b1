//! The Redis tier: envelopes under generation-carrying keys, read and written by Lua
//! scripts that check the lease atomically (see
//! [`generation`](crate::invalidation::generation)).
//!
//! On a Redis Cluster nothing changes: every key a script touches carries its tenant's
//! hash tag ([`crate::key`]), so each script runs on the primary serving that tenant's slot.

use std::sync::Arc;
use std::time::Duration;

use redis::{FromRedisValue, Script, ScriptInvocation};

use crate::contract::CacheContract;
use crate::endpoint::{RedisConnection, RedisEndpoint};
use crate::envelope::{self, Keyring, OpenError, SealError};
use crate::invalidation::retry_once;
use crate::key::{CacheKey, RedisKeys};
use crate::tenant::TenantId;

/// Reads both generations and the row version, and the entry under them.
const READ: &str = r"
local tg = redis.call('GET', KEYS[1]) or '0'
local tbg = redis.call('GET', KEYS[2]) or '0'
local rv = redis.call('GET', KEYS[3]) or '0'
local v = redis.call('GET', ARGV[1] .. tg .. ARGV[2] .. tbg .. ARGV[3])
return {tg, tbg, rv, v}
";

/// Stores an entry if the lease (ARGV[4..6]) still holds; an empty ARGV[4] stores
/// unconditionally under the current generations.
const STORE: &str = r"
local tg = redis.call('GET', KEYS[1]) or '0'
local tbg = redis.call('GET', KEYS[2]) or '0'
local rv = redis.call('GET', KEYS[3]) or '0'
if ARGV[4] ~= '' and (tg ~= ARGV[4] or tbg ~= ARGV[5] or rv ~= ARGV[6]) then
  return 0
end
redis.call('SET', ARGV[1] .. tg .. ARGV[2] .. tbg .. ARGV[3], ARGV[7], 'PX', ARGV[8])
return 1
";

/// Bumps each row version (KEYS[3..]) and deletes its entry under the current generations.
/// ARGV: row-version TTL (ms), head, mid, then one tail per key.
const INVALIDATE_KEYS: &str = r"
local tg = redis.call('GET', KEYS[1]) or '0'
local tbg = redis.call('GET', KEYS[2]) or '0'
for i = 3, #KEYS do
  redis.call('INCR', KEYS[i])
  redis.call('PEXPIRE', KEYS[i], ARGV[1])
  redis.call('DEL', ARGV[2] .. tg .. ARGV[3] .. tbg .. ARGV[i + 1])
end
return #KEYS - 2
";

/// The counters a read observed: a store succeeds only while they are unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RedisLease {
    tenant_generation: String,
    table_generation: String,
    row_version: String,
}

/// The Redis tier of a [`TieredCache`](super::TieredCache): entries (envelopes) with a TTL
/// under generation-carrying keys, unkeyed or sealed with a deployment [`Keyring`]
/// ([`with_keyring`](Self::with_keyring)).
#[derive(Clone)]
pub struct RedisTier {
    conn: RedisConnection,
    prefix: String,
    keys: RedisKeys,
    ttl: Duration,
    keyring: Option<Arc<Keyring>>,
    read: Script,
    store: Script,
    invalidate_keys: Script,
}

impl std::fmt::Debug for RedisTier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisTier")
            .field("prefix", &self.prefix)
            .field("ttl", &self.ttl)
            .field("keyring", &self.keyring)
            .finish_non_exhaustive()
    }
}

/// How long row versions outlive the entries they guard, covering slow loaders.
const ROW_VERSION_MARGIN: Duration = Duration::from_secs(300);

impl RedisTier {
    /// A Redis tier over `conn` (a `ConnectionManager`, a cluster connection or a
    /// [`RedisConnection`]), storing entries for `ttl`. `prefix` is prepended to every key
    /// (e.g. `"myapp:"`, or `""`).
    pub fn new(conn: impl Into<RedisConnection>, prefix: impl Into<String>, ttl: Duration) -> Self {
        let prefix = prefix.into();
        RedisTier {
            conn: conn.into(),
            keys: RedisKeys::new(&prefix),
            prefix,
            ttl,
            keyring: None,
            read: Script::new(READ),
            store: Script::new(STORE),
            invalidate_keys: Script::new(INVALIDATE_KEYS),
        }
    }

    /// Connects to one node at `url` (reconnecting, 2 s connect and response timeouts) and
    /// builds a tier over it.
    pub async fn connect(
        url: &str,
        prefix: impl Into<String>,
        ttl: Duration,
    ) -> redis::RedisResult<Self> {
        Self::connect_to(&RedisEndpoint::node(url)?, prefix, ttl).await
    }

    /// Connects to `endpoint`, one node or a cluster (reconnecting, 2 s connect and
    /// response timeouts), and builds a tier over it.
    pub async fn connect_to(
        endpoint: &RedisEndpoint,
        prefix: impl Into<String>,
        ttl: Duration,
    ) -> redis::RedisResult<Self> {
        let conn = endpoint.connect(Duration::from_secs(2)).await?;
        Ok(Self::new(conn, prefix, ttl))
    }

    /// Seals entries with `keyring`'s current key (a keyed MAC) and refuses entries that do
    /// not verify under one of its keys, unkeyed ones included: see
    /// [`envelope`](crate::envelope). Without a keyring entries carry a checksum only.
    pub fn with_keyring(mut self, keyring: Keyring) -> Self {
        self.keyring = Some(Arc::new(keyring));
        self
    }

    /// The keyring entries are sealed and verified with, if any.
    pub fn keyring(&self) -> Option<&Keyring> {
        self.keyring.as_deref()
    }

    /// Seals `value` as this tier stores it.
    pub(crate) fn seal<T: CacheContract>(&self, value: &T) -> Result<Vec<u8>, SealError> {
        envelope::seal_with(self.keyring(), value)
    }

    /// Opens an entry of this tier read for `key`.
    pub(crate) fn open<T: CacheContract>(
        &self,
        bytes: &[u8],
        key: &CacheKey,
    ) -> Result<T, OpenError> {
        envelope::open_with(self.keyring(), bytes, key.tenant())
    }

    /// Runs a script (once more after a dropped connection; every script here is harmless
    /// to repeat).
    async fn invoke<T: FromRedisValue>(&self, inv: &ScriptInvocation<'_>) -> redis::RedisResult<T> {
        retry_once(|| {
            let mut conn = self.conn.clone();
            async move { inv.invoke_async(&mut conn).await }
        })
        .await
    }

    /// Runs a command (once more after a dropped connection).
    async fn command(&self, cmd: &redis::Cmd) -> redis::RedisResult<()> {
        retry_once(|| {
            let mut conn = self.conn.clone();
            async move { cmd.exec_async(&mut conn).await }
        })
        .await
    }

    /// The connection the tier runs its commands on.
    #[cfg_attr(not(feature = "audit"), allow(dead_code))]
    pub(crate) fn connection(&self) -> &RedisConnection {
        &self.conn
    }

    /// The key prefix, as configured.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The Redis keys this tier reads and writes.
    pub fn keys(&self) -> &RedisKeys {
        &self.keys
    }

    /// The entry TTL.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    fn counters(&self, key: &CacheKey) -> [String; 3] {
        [
            self.keys.tenant_generation(key.tenant()),
            self.keys.table_generation(key.tenant(), key.table()),
            self.keys.row_version(key),
        ]
    }

    /// Reads `key`'s entry and the lease it was read under.
    pub(crate) async fn read(
        &self,
        key: &CacheKey,
    ) -> redis::RedisResult<(RedisLease, Option<Vec<u8>>)> {
        let tpl = self.keys.entry_template(key);
        let [a, b, c] = self.counters(key);
        let mut inv = self.read.prepare_invoke();
        inv.key(a)
            .key(b)
            .key(c)
            .arg(&tpl.head)
            .arg(tpl.mid)
            .arg(&tpl.tail);
        let (tg, tbg, rv, v): (String, String, String, Option<Vec<u8>>) = self.invoke(&inv).await?;
        Ok((
            RedisLease {
                tenant_generation: tg,
                table_generation: tbg,
                row_version: rv,
            },
            v,
        ))
    }

    /// Stores `bytes` for `key` if `lease` still holds (or unconditionally without one);
    /// `false` if an invalidation overtook the lease.
    pub(crate) async fn store(
        &self,
        key: &CacheKey,
        lease: Option<&RedisLease>,
        bytes: &[u8],
    ) -> redis::RedisResult<bool> {
        let tpl = self.keys.entry_template(key);
        let [a, b, c] = self.counters(key);
        let (tg, tbg, rv) = match lease {
            Some(l) => (
                l.tenant_generation.as_str(),
                l.table_generation.as_str(),
                l.row_version.as_str(),
            ),
            None => ("", "", ""),
        };
        let mut inv = self.store.prepare_invoke();
        inv.key(a)
            .key(b)
            .key(c)
            .arg(&tpl.head)
            .arg(tpl.mid)
            .arg(&tpl.tail)
            .arg(tg)
            .arg(tbg)
            .arg(rv)
            .arg(bytes)
            .arg(self.ttl.as_millis().max(1) as u64);
        let stored: i64 = self.invoke(&inv).await?;
        Ok(stored == 1)
    }

    /// Deletes the entry read under `lease` (a corrupt one), if still there.
    pub(crate) async fn delete(
        &self,
        key: &CacheKey,
        lease: &RedisLease,
    ) -> redis::RedisResult<()> {
        let tpl = self.keys.entry_template(key);
        let entry = format!(
            "{}{}{}{}{}",
            tpl.head, lease.tenant_generation, tpl.mid, lease.table_generation, tpl.tail
        );
        self.command(redis::cmd("DEL").arg(entry)).await
    }

    /// Invalidates rows (all of one tenant and table): bumps their row versions and deletes
    /// their entries, atomically.
    pub(crate) async fn invalidate_keys(&self, keys: &[CacheKey]) -> redis::RedisResult<()> {
        let Some(first) = keys.first() else {
            return Ok(());
        };
        let tpl = self.keys.entry_template(first);
        let mut inv = self.invalidate_keys.prepare_invoke();
        inv.key(self.keys.tenant_generation(first.tenant()))
            .key(self.keys.table_generation(first.tenant(), first.table()))
            .arg((self.ttl + ROW_VERSION_MARGIN).as_millis() as u64)
            .arg(&tpl.head)
            .arg(tpl.mid);
        for key in keys {
            debug_assert_eq!((key.tenant(), key.table()), (first.tenant(), first.table()));
            inv.key(self.keys.row_version(key))
                .arg(self.keys.entry_template(key).tail);
        }
        let _: i64 = self.invoke(&inv).await?;
        Ok(())
    }

    /// Invalidates every row of `table` for `tenant` (one `INCR`).
    pub(crate) async fn invalidate_table(
        &self,
        tenant: &TenantId,
        table: &str,
    ) -> redis::RedisResult<()> {
        self.command(redis::cmd("INCR").arg(self.keys.table_generation(tenant, table)))
            .await
    }

    /// Invalidates every row of every table for `tenant` (one `INCR`).
    pub(crate) async fn invalidate_tenant(&self, tenant: &TenantId) -> redis::RedisResult<()> {
        self.command(redis::cmd("INCR").arg(self.keys.tenant_generation(tenant)))
            .await
    }
}
