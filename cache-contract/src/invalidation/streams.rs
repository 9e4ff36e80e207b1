//! Redis Streams: the durable, at-least-once transport.
//!
//! # Design
//!
//! - The [`publisher`] appends each message as one stream entry with a single field
//!   `m` holding the JSON wire message, a batch as one pipeline of
//!   `XADD <stream> MAXLEN ~ <max_len> * m <json>`. `MAXLEN ~` trims the stream cheaply
//!   (whole macro nodes), keeping at least `max_len` recent entries.
//! - Every subscriber **instance** has its own consumer group, named
//!   `<group_prefix>:<instance>`, with one consumer. Groups give each instance every message
//!   (a group is an independent cursor), and Redis keeps the cursor (`last-delivered-id`)
//!   and the pending-entries list, so nothing needs persisting on the client. `instance`
//!   must be stable across restarts of the same instance (a pod name, a host name).
//! - The subscriber first re-reads its pending entries (delivered before a crash but not
//!   acknowledged: `XREADGROUP ... STREAMS <stream> 0`), then new ones (`>`), blocking up to
//!   `block` per call. Each entry is handed to subscriptions, then acknowledged (`XACK`):
//!   at-least-once. Repeats (a redelivery after a restart) are dropped by message id.
//! - A first start creates the group at the stream's end (`$`): only later messages count.
//! - The group is created with `ENTRIESREAD` set to the stream's `entries-added` (one Lua
//!   script), so Redis counts what the group has read. If trimming removed entries the group
//!   had not read yet (`entries-added - entries-read` exceeds the stream's length), a pending
//!   entry was trimmed before being handled, or the group vanished (a Redis restart without
//!   persistence: `NOGROUP`), messages were lost: the subscriber emits
//!   [`Event::Resync`](super::Event::Resync) saying so and logs a warning.
//! - A connection failure (commands time out after `block + timeout`, so half-open
//!   connections are noticed too) emits [`Event::Disconnected`](super::Event::Disconnected);
//!   after reconnecting the subscriber emits `Resync` (caches flush; nothing was lost, but
//!   they stopped serving their local tier meanwhile) and continues from the group's cursor.
//! - Groups of instances that are gone for good can be removed with [`remove_instance`].
//! - A message is acknowledged by the primary before it is replicated; a failover right
//!   then loses it. With `replica_acks` > 0 each publish also waits (`WAIT`) until that many
//!   replicas have it, and fails with [`PublishError::NotReplicated`] otherwise.
//!
//! # On a Redis Cluster
//!
//! Given a cluster [`RedisEndpoint`], there is one stream per shard, `cluster_shards` of
//! them named after `stream` (see [`shards`](super::shards)); a tenant's messages go to the
//! stream of its hash slot. Each instance has its consumer group on every stream and reads
//! each stream on its own cluster connection (a blocking `XREADGROUP` holds its
//! connection). The group's cursor and pending entries are replicated with the stream, so
//! after a failover the promoted replica resumes them: entries delivered but not yet
//! acknowledged are re-read, entries whose delivery was not replicated are delivered again
//! (repeats are dropped by id) — at-least-once, provided the publisher waited for a
//! replica (`replica_acks` ≥ 1). The subscriber is `Disconnected` while any stream's reader
//! is, and resyncs when the last one is back.
//!
//! ```no_run
//! # async fn demo() -> redis::RedisResult<()> {
//! use cache_contract::endpoint::RedisEndpoint;
//! use cache_contract::invalidation::streams::{self, StreamsConfig};
//! let cluster = RedisEndpoint::from_urls(["redis://10.0.0.1:7000", "redis://10.0.0.2:7000"])?;
//! let mut config = StreamsConfig::new("myapp:invalidations", "pod-7");
//! config.replica_acks = 1;
//! let subscriber = streams::subscriber(cluster.clone(), config.clone());
//! let publisher = streams::publisher(cluster, &config).await?;
//! # Ok(()) }
//! ```

use std::sync::Arc;
use std::time::Duration;

use redis::Value;

use super::redis_link::{self, Connected};
use super::shards::{ShardHealth, Shards};
use super::{Hub, PublishError, Publisher, Subscriber, TaskGuard, Transport};
use crate::endpoint::{RedisConnection, RedisEndpoint};
use crate::invalidation::Invalidation;

/// Settings of the Streams transport.
#[derive(Debug, Clone)]
pub struct StreamsConfig {
    /// The stream key (on a cluster: the base name of the shard streams).
    pub stream: String,
    /// On a cluster, how many shard streams (default 16; at most 16 384). Every publisher
    /// and subscriber of one stream must agree.
    pub cluster_shards: usize,
    /// How many replicas must have each published batch before `publish` returns Ok
    /// (default 0: do not wait). 1 or more makes messages survive a failover.
    pub replica_acks: usize,
    /// How long a publish waits for `replica_acks` replicas (default 1 s).
    pub replica_ack_timeout: Duration,
    /// This subscriber instance's stable name.
    pub instance: String,
    /// Consumer groups are named `<group_prefix>:<instance>` (default `cache-contract`).
    pub group_prefix: String,
    /// Approximate number of entries the stream keeps (default 100 000).
    pub max_len: usize,
    /// Entries read per call (default 512).
    pub batch: usize,
    /// How long a read blocks waiting for entries (default 1 s).
    pub block: Duration,
    /// Extra time a command may take before the connection is declared dead (default 1 s).
    pub timeout: Duration,
    /// The first reconnect delay (default 50 ms).
    pub backoff_min: Duration,
    /// The longest reconnect delay (default 2 s).
    pub backoff_max: Duration,
    /// Events buffered per subscription before a slow one is told to resync (default 65 536).
    pub buffer: usize,
    /// Recent message ids remembered to drop repeats (default 16 384).
    pub dedup_capacity: usize,
}

impl StreamsConfig {
    /// Defaults for `stream`, as instance `instance`.
    pub fn new(stream: impl Into<String>, instance: impl Into<String>) -> Self {
        StreamsConfig {
            stream: stream.into(),
            cluster_shards: 16,
            replica_acks: 0,
            replica_ack_timeout: Duration::from_secs(1),
            instance: instance.into(),
            group_prefix: "cache-contract".to_string(),
            max_len: 100_000,
            batch: 512,
            block: Duration::from_secs(1),
            timeout: Duration::from_secs(1),
            backoff_min: Duration::from_millis(50),
            backoff_max: Duration::from_secs(2),
            buffer: 65_536,
            dedup_capacity: 16_384,
        }
    }

    /// This instance's consumer group.
    pub fn group(&self) -> String {
        format!("{}:{}", self.group_prefix, self.instance)
    }
}

/// The sending half of the Streams transport (wrapped in a [`Publisher`]).
#[derive(Clone)]
pub(crate) struct StreamsPublisher {
    conn: RedisConnection,
    shards: Shards,
    max_len: usize,
    replica_acks: usize,
    replica_ack_timeout: Duration,
}

impl StreamsPublisher {
    pub(crate) async fn publish(&self, msgs: &[Invalidation]) -> Result<(), PublishError> {
        let wanted = self.replica_acks as u64;
        redis_link::send_sharded(
            &self.conn,
            &self.shards,
            msgs,
            |pipe, stream, msg| {
                pipe.cmd("XADD")
                    .arg(stream)
                    .arg("MAXLEN")
                    .arg("~")
                    .arg(self.max_len)
                    .arg("*")
                    .arg("m")
                    .arg(msg.to_json())
                    .ignore();
            },
            |pipe| {
                if wanted > 0 {
                    pipe.cmd("WAIT")
                        .arg(wanted)
                        .arg(self.replica_ack_timeout.as_millis().max(1) as u64);
                }
            },
            |replies| match replies {
                [Value::Int(acked)] if (*acked as u64) < wanted => {
                    Err(PublishError::NotReplicated {
                        acked: *acked as u64,
                        wanted,
                    })
                }
                _ => Ok(()),
            },
        )
        .await
    }
}

/// A publisher appending to `config.stream` (the shard streams on a cluster), over a
/// reconnecting connection.
pub async fn publisher(
    endpoint: impl Into<RedisEndpoint>,
    config: &StreamsConfig,
) -> redis::RedisResult<Publisher> {
    let endpoint = endpoint.into();
    let conn = redis_link::publisher_connection(&endpoint).await?;
    Ok(Publisher::with_transport(Transport::Streams(
        StreamsPublisher {
            shards: streams_of(&endpoint, config),
            conn,
            max_len: config.max_len,
            replica_acks: config.replica_acks,
            replica_ack_timeout: config.replica_ack_timeout,
        },
    )))
}

/// The streams of `config` on `endpoint`: `config.stream`, or its shard streams.
fn streams_of(endpoint: &RedisEndpoint, config: &StreamsConfig) -> Shards {
    Shards::new(&config.stream, endpoint.is_cluster(), config.cluster_shards)
}

/// A subscriber reading `config.stream` (every shard stream on a cluster) as instance
/// `config.instance`. Spawns its background task on the current tokio runtime; it stops
/// when the last clone of the subscriber is dropped.
pub fn subscriber(endpoint: impl Into<RedisEndpoint>, config: StreamsConfig) -> Subscriber {
    let endpoint = endpoint.into();
    let hub = Hub::new("redis-streams", config.buffer, config.dedup_capacity);
    let streams = streams_of(&endpoint, &config);
    let health = Arc::new(ShardHealth::new(hub.clone(), streams.names().len()));
    let task = tokio::spawn(async move {
        // One reader per stream; dropping the set (when this task is aborted) aborts them.
        let mut readers = tokio::task::JoinSet::new();
        for (shard, stream) in streams.names().iter().enumerate() {
            let reader = Reader {
                endpoint: endpoint.clone(),
                config: config.clone(),
                stream: stream.clone(),
                shard,
                health: health.clone(),
            };
            readers.spawn(reader.run());
        }
        while readers.join_next().await.is_some() {}
    });
    Subscriber::new(hub, Some(TaskGuard(task)))
}

/// Deletes the consumer groups of an instance that is gone for good (on every shard
/// stream of a cluster).
pub async fn remove_instance(
    endpoint: impl Into<RedisEndpoint>,
    config: &StreamsConfig,
) -> redis::RedisResult<()> {
    let endpoint = endpoint.into();
    let mut conn = endpoint
        .connect(config.timeout + Duration::from_secs(1))
        .await?;
    for stream in streams_of(&endpoint, config).names() {
        redis::cmd("XGROUP")
            .arg("DESTROY")
            .arg(stream)
            .arg(config.group())
            .exec_async(&mut conn)
            .await?;
    }
    Ok(())
}

/// The reader of one stream.
struct Reader {
    endpoint: RedisEndpoint,
    config: StreamsConfig,
    stream: String,
    shard: usize,
    health: Arc<ShardHealth>,
}

impl Reader {
    async fn run(self) {
        redis_link::reconnect_forever(self.config.backoff_min, self.config.backoff_max, || {
            self.session()
        })
        .await
    }

    /// One connection: sets up the consumer group, reports the stream up, consumes until
    /// the connection dies.
    async fn session(&self) -> Connected {
        let (config, stream) = (&self.config, &self.stream);
        let connect = self.endpoint.connect_dedicated(
            config.timeout + Duration::from_secs(1),
            config.block + config.timeout,
        );
        let mut conn = match connect.await {
            Ok(conn) => conn,
            Err(e) => {
                tracing::warn!(%stream, error = %e, "cannot connect; retrying");
                return Connected::No;
            }
        };
        match ensure_group(&mut conn, config, stream).await {
            Ok(gap) => {
                let reason = match gap {
                    Some(why) => {
                        tracing::warn!(%stream, %why, "invalidations were lost");
                        why
                    }
                    None => format!("reading `{stream}` as group `{}`", config.group()),
                };
                self.health.up(self.shard, reason);
                let why = consume(&mut conn, config, stream, self.shard, &self.health).await;
                self.health.down(self.shard, why);
                Connected::Yes
            }
            Err(e) => {
                tracing::warn!(%stream, error = %e, "cannot set up the consumer group; retrying");
                Connected::No
            }
        }
    }
}

/// Creates the group at the stream's end, recording how many entries it has "read" so far
/// (all of them) so that `entries-read` can later reveal trimmed, unread entries. Atomic.
const CREATE_GROUP: &str = r"
local r = redis.pcall('XGROUP', 'CREATE', KEYS[1], ARGV[1], '$', 'MKSTREAM')
if type(r) == 'table' and r.err then return r end
local info = redis.call('XINFO', 'STREAM', KEYS[1])
for i = 1, #info, 2 do
  if info[i] == 'entries-added' then
    redis.call('XGROUP', 'SETID', KEYS[1], ARGV[1], '$', 'ENTRIESREAD', info[i + 1])
  end
end
return 'OK'
";

/// Creates the group if missing. Returns why messages were lost, if they were.
async fn ensure_group(
    conn: &mut RedisConnection,
    config: &StreamsConfig,
    stream: &str,
) -> redis::RedisResult<Option<String>> {
    let created: redis::RedisResult<()> = redis::Script::new(CREATE_GROUP)
        .key(stream)
        .arg(config.group())
        .invoke_async(conn)
        .await;
    match created {
        Ok(()) => return Ok(None),
        Err(e) if e.code() == Some("BUSYGROUP") => {}
        Err(e) => return Err(e),
    }
    // The group existed: were entries it had not read trimmed away? Unread entries number
    // `entries-added - entries-read`; if the stream holds fewer, some are gone.
    let groups: Value = redis::cmd("XINFO")
        .arg("GROUPS")
        .arg(stream)
        .query_async(conn)
        .await?;
    let group = config.group();
    let entries_read = as_list(&groups)
        .iter()
        .find(|g| field(g, "name").as_deref() == Some(group.as_str()))
        .and_then(|g| field(g, "entries-read"))
        .and_then(|n| n.parse::<u64>().ok());
    let info: Value = redis::cmd("XINFO")
        .arg("STREAM")
        .arg(stream)
        .query_async(conn)
        .await?;
    let number = |name| field(&info, name).and_then(|n| n.parse::<u64>().ok());
    Ok(
        match (entries_read, number("entries-added"), number("length")) {
            (Some(read), Some(added), Some(len)) if added.saturating_sub(read) > len => {
                Some(format!(
                    "{} entries of `{}` were trimmed before group `{group}` read them",
                    added - read - len,
                    stream
                ))
            }
            (None, _, _) => Some(format!(
                "group `{group}` cannot tell whether entries were trimmed before it read them"
            )),
            _ => None,
        },
    )
}

/// One stream entry: its id and its `m` field (`None` if missing, or the entry was trimmed
/// while pending).
struct Entry {
    id: String,
    message: Option<Vec<u8>>,
}

/// Reads, delivers and acknowledges until the connection fails; returns why.
async fn consume(
    conn: &mut RedisConnection,
    config: &StreamsConfig,
    stream: &str,
    shard: usize,
    health: &ShardHealth,
) -> String {
    let hub = health.hub();
    // First the entries delivered before a restart but never acknowledged.
    let mut cursor = "0".to_string();
    loop {
        let mut cmd = redis::cmd("XREADGROUP");
        cmd.arg("GROUP")
            .arg(config.group())
            .arg(&config.instance)
            .arg("COUNT")
            .arg(config.batch);
        if cursor == ">" {
            cmd.arg("BLOCK").arg(config.block.as_millis() as u64);
        }
        cmd.arg("STREAMS").arg(stream).arg(&cursor);
        let reply: Value = match cmd.query_async(conn).await {
            Ok(r) => r,
            Err(e) if e.code() == Some("NOGROUP") => {
                return format!(
                    "consumer group vanished (Redis restarted or the stream was deleted): {e}"
                );
            }
            Err(e) => return format!("reading the stream failed: {e}"),
        };
        let entries = parse_entries(&reply);
        if entries.is_empty() {
            // Pending entries exhausted: switch to new ones.
            cursor = ">".to_string();
            continue;
        }
        let mut ids = Vec::with_capacity(entries.len());
        let mut trimmed = 0;
        for entry in entries {
            match &entry.message {
                Some(bytes) => hub.deliver_raw(bytes),
                None if cursor != ">" => trimmed += 1,
                None => hub.malformed(&format!(
                    "stream entry {} has no string field `m`",
                    entry.id
                )),
            }
            if cursor != ">" {
                cursor = entry.id.clone();
            }
            ids.push(entry.id);
        }
        if trimmed > 0 {
            health.lost(
                shard,
                format!(
                    "{trimmed} pending entries of `{stream}` were trimmed before being handled"
                ),
            );
        }
        let acked: redis::RedisResult<()> = redis::cmd("XACK")
            .arg(stream)
            .arg(config.group())
            .arg(&ids)
            .exec_async(conn)
            .await;
        if let Err(e) = acked {
            return format!("acknowledging failed: {e}");
        }
    }
}

/// Parses an `XREADGROUP` reply of one stream (RESP2 arrays or RESP3 maps).
fn parse_entries(reply: &Value) -> Vec<Entry> {
    let streams: Vec<&Value> = match reply {
        Value::Array(items) => items.iter().filter_map(|s| as_list(s).get(1)).collect(),
        Value::Map(pairs) => pairs.iter().map(|(_, v)| v).collect(),
        _ => Vec::new(),
    };
    streams
        .into_iter()
        .flat_map(as_list)
        .filter_map(|entry| {
            let [id, fields] = as_list(entry) else {
                return None;
            };
            let id = match id {
                Value::BulkString(b) => String::from_utf8(b.clone()).ok()?,
                Value::SimpleString(s) => s.clone(),
                _ => return None,
            };
            let message = match fields {
                Value::Array(kv) => kv
                    .chunks(2)
                    .find(|kv| matches!(&kv[0], Value::BulkString(k) if k == b"m"))
                    .and_then(|kv| match kv.get(1) {
                        Some(Value::BulkString(v)) => Some(v.clone()),
                        _ => None,
                    }),
                Value::Map(pairs) => pairs.iter().find_map(|(k, v)| match (k, v) {
                    (Value::BulkString(k), Value::BulkString(v)) if k == b"m" => Some(v.clone()),
                    _ => None,
                }),
                _ => None,
            };
            Some(Entry { id, message })
        })
        .collect()
}

fn as_list(v: &Value) -> &[Value] {
    match v {
        Value::Array(items) | Value::Set(items) => items,
        _ => &[],
    }
}

/// A field of a RESP2 flat key/value array or a RESP3 map, as a string.
fn field(v: &Value, name: &str) -> Option<String> {
    let text = |v: &Value| match v {
        Value::BulkString(b) => String::from_utf8(b.clone()).ok(),
        Value::SimpleString(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        _ => None,
    };
    match v {
        Value::Map(pairs) => pairs
            .iter()
            .find(|(k, _)| text(k).as_deref() == Some(name))
            .and_then(|(_, v)| text(v)),
        Value::Array(items) => items
            .chunks(2)
            .find(|kv| kv.len() == 2 && text(&kv[0]).as_deref() == Some(name))
            .and_then(|kv| text(&kv[1])),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_entries_including_trimmed_pending_ones() {
        let bulk = |s: &str| Value::BulkString(s.as_bytes().to_vec());
        let reply = Value::Array(vec![Value::Array(vec![
            bulk("s"),
            Value::Array(vec![
                Value::Array(vec![bulk("1-0"), Value::Array(vec![bulk("m"), bulk("{}")])]),
                Value::Array(vec![bulk("2-0"), Value::Nil]),
                Value::Array(vec![bulk("3-0"), Value::Array(vec![bulk("x"), bulk("y")])]),
            ]),
        ])]);
        let entries = parse_entries(&reply);
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0].message.as_deref(), Some(&b"{}"[..]));
        assert_eq!(
            (entries[1].id.as_str(), entries[1].message.is_none()),
            ("2-0", true)
        );
        assert!(entries[2].message.is_none());
        assert!(parse_entries(&Value::Nil).is_empty());
    }

    #[test]
    fn fields_of_flat_arrays_and_maps() {
        let flat = Value::Array(vec![
            Value::BulkString(b"name".to_vec()),
            Value::BulkString(b"g".to_vec()),
            Value::BulkString(b"pending".to_vec()),
            Value::Int(3),
        ]);
        assert_eq!(field(&flat, "name").as_deref(), Some("g"));
        assert_eq!(field(&flat, "pending").as_deref(), Some("3"));
        let map = Value::Map(vec![(Value::SimpleString("a".into()), Value::Int(1))]);
        assert_eq!(field(&map, "a").as_deref(), Some("1"));
        assert_eq!(field(&map, "b"), None);
    }
}
