//! Where Redis is — one node or a Redis Cluster — and the connections the Redis tier and
//! the transports open to it.
//!
//! A list of URLs selects the transport: one URL is one node, several are a cluster's seed
//! nodes ([`RedisEndpoint::from_urls`]); [`RedisEndpoint::cluster`] takes a cluster given by
//! a single seed. Everything else — [`RedisTier`](crate::tiered::RedisTier), the Pub/Sub
//! and Streams [`Publisher`](crate::Publisher)s and [`Subscriber`](crate::Subscriber)s —
//! has the same API on both.
//!
//! ```
//! use cache_contract::endpoint::RedisEndpoint;
//! let one = RedisEndpoint::from_urls(["redis://127.0.0.1:6379"]).unwrap();
//! assert!(!one.is_cluster());
//! let cluster = RedisEndpoint::from_urls(["redis://:secret@10.0.0.1:7000", "redis://10.0.0.2:7000"]).unwrap();
//! assert!(cluster.is_cluster());
//! // Passwords never show.
//! assert_eq!(format!("{cluster:?}"), "RedisEndpoint::Cluster([10.0.0.1:7000, 10.0.0.2:7000])");
//! ```

use std::fmt;
use std::time::Duration;

use redis::aio::{
    ConnectionLike, ConnectionManager, ConnectionManagerConfig, MultiplexedConnection,
};
use redis::cluster::{ClusterClient, ClusterClientBuilder};
use redis::cluster_async::ClusterConnection;
use redis::{Cmd, ConnectionInfo, IntoConnectionInfo, Pipeline, RedisFuture, RedisResult, Value};

/// One Redis node or a Redis Cluster. Cheap to clone; connects nothing by itself.
#[derive(Clone)]
pub struct RedisEndpoint(Kind);

#[derive(Clone)]
enum Kind {
    Node(redis::Client),
    Cluster(Vec<ConnectionInfo>),
}

impl fmt::Debug for RedisEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Addresses only: URLs may carry passwords.
        match &self.0 {
            Kind::Node(client) => {
                write!(
                    f,
                    "RedisEndpoint::Node({})",
                    client.get_connection_info().addr()
                )
            }
            Kind::Cluster(nodes) => {
                f.write_str("RedisEndpoint::Cluster([")?;
                for (i, node) in nodes.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}", node.addr())?;
                }
                f.write_str("])")
            }
        }
    }
}

impl From<redis::Client> for RedisEndpoint {
    fn from(client: redis::Client) -> Self {
        RedisEndpoint(Kind::Node(client))
    }
}

impl From<&redis::Client> for RedisEndpoint {
    fn from(client: &redis::Client) -> Self {
        RedisEndpoint(Kind::Node(client.clone()))
    }
}

impl From<&RedisEndpoint> for RedisEndpoint {
    fn from(endpoint: &RedisEndpoint) -> Self {
        endpoint.clone()
    }
}

impl RedisEndpoint {
    /// One Redis node at `url` (`redis://[:password@]host:port[/db]`, `rediss://...`).
    pub fn node(url: impl IntoConnectionInfo) -> RedisResult<Self> {
        Ok(RedisEndpoint(Kind::Node(redis::Client::open(url)?)))
    }

    /// A Redis Cluster reached through any of `urls` (seed nodes: the topology is
    /// discovered from them).
    pub fn cluster<U: IntoConnectionInfo>(urls: impl IntoIterator<Item = U>) -> RedisResult<Self> {
        let nodes = urls
            .into_iter()
            .map(IntoConnectionInfo::into_connection_info)
            .collect::<RedisResult<Vec<_>>>()?;
        if nodes.is_empty() {
            return Err(no_urls());
        }
        Ok(RedisEndpoint(Kind::Cluster(nodes)))
    }

    /// One URL: a node; several: a cluster's seed nodes.
    pub fn from_urls<U: IntoConnectionInfo>(
        urls: impl IntoIterator<Item = U>,
    ) -> RedisResult<Self> {
        let mut nodes = urls
            .into_iter()
            .map(IntoConnectionInfo::into_connection_info)
            .collect::<RedisResult<Vec<_>>>()?;
        match nodes.len() {
            0 => Err(no_urls()),
            1 => RedisEndpoint::node(nodes.remove(0)),
            _ => Ok(RedisEndpoint(Kind::Cluster(nodes))),
        }
    }

    /// Whether this is a Redis Cluster.
    pub fn is_cluster(&self) -> bool {
        matches!(self.0, Kind::Cluster(_))
    }

    /// The single node's client, if this is one node.
    pub(crate) fn node_client(&self) -> Option<&redis::Client> {
        match &self.0 {
            Kind::Node(client) => Some(client),
            Kind::Cluster(_) => None,
        }
    }

    /// A cluster client builder over the seed nodes, if this is a cluster.
    pub(crate) fn cluster_builder(&self) -> Option<ClusterClientBuilder> {
        match &self.0 {
            Kind::Node(_) => None,
            Kind::Cluster(nodes) => Some(ClusterClientBuilder::new(nodes.clone())),
        }
    }

    /// A connection that reconnects by itself (on a cluster: to each node, following the
    /// topology), with the given connect and response timeouts. What publishers and the
    /// Redis tier use.
    pub async fn connect(&self, timeout: Duration) -> RedisResult<RedisConnection> {
        match &self.0 {
            Kind::Node(client) => {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(timeout))
                    .set_response_timeout(Some(timeout))
                    .set_number_of_retries(1);
                Ok(RedisConnection(Conn::Node(
                    client.get_connection_manager_with_config(config).await?,
                )))
            }
            Kind::Cluster(_) => {
                let client = self.cluster_client(timeout, |b| b)?;
                Ok(RedisConnection(Conn::Cluster(
                    client.get_async_connection().await?,
                )))
            }
        }
    }

    /// A connection of the caller's own (not shared with other users of the endpoint),
    /// whose commands fail after `response_timeout`: on one node, a connection that does not
    /// reconnect (a failure ends it); on a cluster, a new cluster connection. What a
    /// subscriber's blocking reads use.
    pub(crate) async fn connect_dedicated(
        &self,
        connect_timeout: Duration,
        response_timeout: Duration,
    ) -> RedisResult<RedisConnection> {
        match &self.0 {
            Kind::Node(client) => {
                let config = redis::AsyncConnectionConfig::new()
                    .set_connection_timeout(Some(connect_timeout))
                    .set_response_timeout(Some(response_timeout));
                Ok(RedisConnection(Conn::Dedicated(
                    client
                        .get_multiplexed_async_connection_with_config(&config)
                        .await?,
                )))
            }
            Kind::Cluster(_) => {
                let client =
                    self.cluster_client(connect_timeout, |b| b.response_timeout(response_timeout))?;
                Ok(RedisConnection(Conn::Cluster(
                    client.get_async_connection().await?,
                )))
            }
        }
    }

    /// A cluster client with the given connect and response timeouts, further configured
    /// by `configure`. Fails on a single node.
    pub(crate) fn cluster_client(
        &self,
        timeout: Duration,
        configure: impl FnOnce(ClusterClientBuilder) -> ClusterClientBuilder,
    ) -> RedisResult<ClusterClient> {
        let builder = self.cluster_builder().ok_or_else(|| {
            redis::RedisError::from((redis::ErrorKind::Client, "not a Redis Cluster endpoint"))
        })?;
        configure(
            builder
                .connection_timeout(timeout)
                .response_timeout(timeout)
                .retries(2),
        )
        .build()
    }
}

fn no_urls() -> redis::RedisError {
    redis::RedisError::from((
        redis::ErrorKind::Client,
        "no Redis URL given: name one node, or a cluster's seed nodes",
    ))
}

/// A connection to a [`RedisEndpoint`]: a reconnecting `ConnectionManager` to one node, or
/// a `ClusterConnection` that routes each command to the node serving its key's slot (and
/// reconnects to each node). Cheap to clone.
#[derive(Clone)]
pub struct RedisConnection(Conn);

#[derive(Clone)]
enum Conn {
    Node(ConnectionManager),
    /// A subscriber's own connection to one node, which does not reconnect.
    Dedicated(MultiplexedConnection),
    Cluster(ClusterConnection),
}

impl From<ConnectionManager> for RedisConnection {
    fn from(conn: ConnectionManager) -> Self {
        RedisConnection(Conn::Node(conn))
    }
}

impl From<ClusterConnection> for RedisConnection {
    fn from(conn: ClusterConnection) -> Self {
        RedisConnection(Conn::Cluster(conn))
    }
}

impl RedisConnection {
    /// Whether this connection is to a Redis Cluster.
    pub fn is_cluster(&self) -> bool {
        matches!(self.0, Conn::Cluster(_))
    }
}

impl ConnectionLike for RedisConnection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match &mut self.0 {
            Conn::Node(c) => c.req_packed_command(cmd),
            Conn::Dedicated(c) => c.req_packed_command(cmd),
            Conn::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match &mut self.0 {
            Conn::Node(c) => c.req_packed_commands(pipeline, offset, count),
            Conn::Dedicated(c) => c.req_packed_commands(pipeline, offset, count),
            Conn::Cluster(c) => c.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match &self.0 {
            Conn::Node(c) => c.get_db(),
            Conn::Dedicated(c) => c.get_db(),
            Conn::Cluster(c) => c.get_db(),
        }
    }
}
