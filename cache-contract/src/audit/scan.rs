//! Listing entries: `SCAN` with `MATCH` and `COUNT` (never `KEYS`), and a rate limit on the
//! operations the audit sends to Redis.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use crate::endpoint::RedisConnection;

/// Paces Redis operations to at most `rate` per second, over the whole run. An *operation*
/// is one key read: a `SCAN` call counts as its `COUNT`, an `MGET` as its keys.
#[derive(Debug)]
pub(crate) struct RateLimit {
    rate: Option<f64>,
    started: Instant,
    ops: Mutex<u64>,
}

impl RateLimit {
    /// At most `ops_per_second` operations per second; `None`: unlimited.
    pub(crate) fn new(ops_per_second: Option<u32>) -> Self {
        RateLimit {
            rate: ops_per_second.filter(|r| *r > 0).map(f64::from),
            started: Instant::now(),
            ops: Mutex::new(0),
        }
    }

    /// Waits until `n` more operations fit the rate.
    pub(crate) async fn take(&self, n: u64) {
        let Some(rate) = self.rate else { return };
        let due = {
            let mut ops = self.ops.lock().unwrap_or_else(|p| p.into_inner());
            let before = *ops;
            *ops += n;
            Duration::from_secs_f64(before as f64 / rate)
        };
        let elapsed = self.started.elapsed();
        if due > elapsed {
            tokio::time::sleep(due - elapsed).await;
        }
    }
}

/// One `SCAN` walk over `pattern`: yields batches of keys. A walk may return a key twice
/// when the keyspace is rehashed during it; the report counts each key once.
pub(crate) struct Walk {
    conn: RedisConnection,
    pattern: String,
    count: u32,
    cursor: u64,
    done: bool,
}

impl Walk {
    pub(crate) fn new(conn: RedisConnection, pattern: String, count: u32) -> Self {
        Walk {
            conn,
            pattern,
            count: count.max(1),
            cursor: 0,
            done: false,
        }
    }

    /// How far the walk is through the keyspace, from 0 (not started) to 1 (over): Redis
    /// advances a `SCAN` cursor with its bits reversed, so the reversed cursor over 2^64 is
    /// the share of the hash table's buckets visited so far.
    pub(crate) fn progress(&self) -> f64 {
        if self.done {
            1.0
        } else {
            cursor_progress(self.cursor)
        }
    }

    /// The next keys, or `None` when the walk is over.
    pub(crate) async fn next(
        &mut self,
        limit: &RateLimit,
    ) -> redis::RedisResult<Option<Vec<Vec<u8>>>> {
        if self.done {
            return Ok(None);
        }
        limit.take(u64::from(self.count)).await;
        let (cursor, keys): (u64, Vec<Vec<u8>>) = redis::cmd("SCAN")
            .arg(self.cursor)
            .arg("MATCH")
            .arg(&self.pattern)
            .arg("COUNT")
            .arg(self.count)
            .query_async(&mut self.conn)
            .await?;
        self.cursor = cursor;
        self.done = cursor == 0;
        Ok(Some(keys))
    }
}

/// The share of the keyspace a `SCAN` walk whose next cursor is `cursor` has visited.
fn cursor_progress(cursor: u64) -> f64 {
    cursor.reverse_bits() as f64 / 2f64.powi(64)
}

/// `MGET` of `keys` (their values, `None` where missing).
pub(crate) async fn mget(
    conn: &RedisConnection,
    keys: &[&[u8]],
    limit: &RateLimit,
) -> redis::RedisResult<Vec<Option<Vec<u8>>>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    limit.take(keys.len() as u64).await;
    let mut conn = conn.clone();
    // `MGET` itself even for one key (redis-rs's `mget` sends `GET` then).
    let mut cmd = redis::cmd("MGET");
    for key in keys {
        cmd.arg(*key);
    }
    cmd.query_async(&mut conn).await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Redis walks a table of 8 buckets with the cursors 0, 4, 2, 6, 1, 5, 3, 7, 0: each
    /// step one more eighth of the buckets.
    #[test]
    fn progress_is_the_reversed_cursor() {
        let walk = [4u64, 2, 6, 1, 5, 3, 7];
        for (i, cursor) in walk.into_iter().enumerate() {
            assert_eq!(
                cursor_progress(cursor),
                (i + 1) as f64 / 8.0,
                "cursor {cursor}"
            );
        }
        // The high bits Redis keeps for a larger table do not change the share.
        assert_eq!(cursor_progress(4 | (1 << 40)), 0.125 + 2f64.powi(-41));
    }

    /// Lower bounds only: the limit may never let operations through early.
    #[tokio::test]
    async fn the_rate_limit_paces_operations() {
        let limit = RateLimit::new(Some(2000));
        let start = Instant::now();
        limit.take(100).await; // due at once
        limit.take(400).await; // due after the first 100: 50 ms
        assert!(start.elapsed() >= Duration::from_millis(50));
        limit.take(1).await; // due after 500: 250 ms
        assert!(start.elapsed() >= Duration::from_millis(250));
        let unlimited = RateLimit::new(None);
        let before = Instant::now();
        unlimited.take(1_000_000).await;
        assert!(before.elapsed() < Duration::from_secs(1)); // no sleep at all
    }
}
