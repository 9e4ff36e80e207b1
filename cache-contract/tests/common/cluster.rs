//! A Redis Cluster owned by one test: 3 primaries and 3 replicas on free loopback ports
//! (`redis-server --cluster-enabled yes`, joined with `redis-cli --cluster create`), in a
//! temporary directory, with a short `cluster-node-timeout` so failovers are fast. Every
//! process it started is killed and the directory removed when it is dropped, also when
//! the test panics.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cache_contract::endpoint::RedisEndpoint;
use redis::Value;

/// How long a node has to answer before the cluster declares it failed.
pub const NODE_TIMEOUT_MS: u64 = 500;

/// How long cluster operations (start, failover, migration) may take in a test.
const DEADLINE: Duration = Duration::from_secs(30);

struct Node {
    port: u16,
    dir: std::path::PathBuf,
    child: Option<Child>,
}

/// Starts (or restarts: its `nodes.conf` remembers the cluster) the node at `port`.
fn spawn_node(port: u16, dir: &std::path::Path) -> Child {
    Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--cluster-enabled", "yes"])
        .args(["--cluster-node-timeout", &NODE_TIMEOUT_MS.to_string()])
        .args(["--cluster-config-file", "nodes.conf"])
        .args(["--save", "", "--appendonly", "no"])
        // A rejoining replica syncs at once (the default waits 5 s for more replicas).
        .args(["--repl-diskless-sync-delay", "0"])
        .arg("--dir")
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("the cluster tests need `redis-server` (7.0 or later) on PATH: {e}")
        })
}

/// A running test cluster.
pub struct TestCluster {
    nodes: Vec<Node>,
    _dir: tempfile::TempDir,
}

/// A free port `p` whose cluster bus port `p + 10000` is free too.
fn free_port_pair(taken: &[u16]) -> u16 {
    loop {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        if port > 55_535 || taken.contains(&port) {
            continue;
        }
        if TcpListener::bind(("127.0.0.1", port + 10_000)).is_ok() {
            return port;
        }
    }
}

fn connect(port: u16) -> redis::RedisResult<redis::Connection> {
    redis::Client::open(format!("redis://127.0.0.1:{port}"))?
        .get_connection_with_timeout(Duration::from_millis(500))
}

/// Fails the test, saying what to install, unless `redis-server` is 7.0 or later (sharded
/// Pub/Sub).
fn require_redis_7() {
    let out = Command::new("redis-server")
        .arg("--version")
        .output()
        .unwrap_or_else(|e| {
            panic!("the cluster tests need `redis-server` 7.0 or later on PATH: {e}")
        });
    let text = String::from_utf8_lossy(&out.stdout);
    let major = text
        .split_once(" v=")
        .and_then(|(_, v)| v.split('.').next())
        .and_then(|m| m.parse::<u32>().ok());
    assert!(
        major.is_some_and(|m| m >= 7),
        "the cluster tests need redis-server 7.0 or later (sharded Pub/Sub); found: {text}"
    );
}

/// Polls `check` every 50 ms until it returns `Some`, failing the test after the deadline.
fn wait_until<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + DEADLINE;
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "test cluster: timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

impl TestCluster {
    /// Starts 6 nodes, joins them into 3 primaries with a replica each, and waits until
    /// every node sees a healthy cluster and every replica is in sync.
    pub fn start() -> Self {
        require_redis_7();
        let dir = tempfile::tempdir().unwrap();
        let mut cluster = TestCluster {
            nodes: Vec::new(),
            _dir: dir,
        };
        let mut ports = Vec::new();
        for _ in 0..6 {
            ports.push(free_port_pair(&ports));
        }
        for &port in &ports {
            let node_dir = cluster._dir.path().join(port.to_string());
            std::fs::create_dir(&node_dir).unwrap();
            let child = spawn_node(port, &node_dir);
            cluster.nodes.push(Node {
                port,
                dir: node_dir,
                child: Some(child),
            });
        }
        for &port in &ports {
            wait_until(&format!("redis-server on port {port} to start"), || {
                let mut c = connect(port).ok()?;
                redis::cmd("PING").query::<String>(&mut c).ok()
            });
        }
        let status = Command::new("redis-cli")
            .arg("--cluster")
            .arg("create")
            .args(ports.iter().map(|p| format!("127.0.0.1:{p}")))
            .args(["--cluster-replicas", "1", "--cluster-yes"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap_or_else(|e| panic!("the cluster tests need `redis-cli` on PATH: {e}"));
        assert!(status.success(), "redis-cli --cluster create failed");
        cluster.wait_healthy();
        cluster
    }

    /// Waits until every running node reports `cluster_state:ok` and knows every running
    /// node, and every replica's link to its primary is up.
    pub fn wait_healthy(&self) {
        let running: Vec<u16> = self.running_ports();
        wait_until("the cluster to be healthy", || {
            for &port in &running {
                let mut c = connect(port).ok()?;
                let info: String = redis::cmd("CLUSTER").arg("INFO").query(&mut c).ok()?;
                if !info.contains("cluster_state:ok") {
                    return None;
                }
                let nodes: String = redis::cmd("CLUSTER").arg("NODES").query(&mut c).ok()?;
                let connected = nodes
                    .lines()
                    .filter(|l| l.contains("connected") && !l.contains("fail"))
                    .count();
                if connected < running.len() {
                    return None;
                }
                let replication: String =
                    redis::cmd("INFO").arg("replication").query(&mut c).ok()?;
                if replication.contains("role:slave")
                    && !replication.contains("master_link_status:up")
                {
                    return None;
                }
            }
            Some(())
        });
    }

    fn running_ports(&self) -> Vec<u16> {
        self.nodes
            .iter()
            .filter(|n| n.child.is_some())
            .map(|n| n.port)
            .collect()
    }

    /// The seed URLs of every node.
    pub fn urls(&self) -> Vec<String> {
        self.nodes
            .iter()
            .map(|n| format!("redis://127.0.0.1:{}", n.port))
            .collect()
    }

    /// The cluster as an endpoint.
    pub fn endpoint(&self) -> RedisEndpoint {
        RedisEndpoint::from_urls(self.urls()).unwrap()
    }

    /// A command on the node at `port`.
    pub fn query<T: redis::FromRedisValue>(&self, port: u16, cmd: &redis::Cmd) -> T {
        let mut c = connect(port).unwrap();
        cmd.query(&mut c)
            .unwrap_or_else(|e| panic!("{:?} on port {port}: {e}", cmd.args_iter().count()))
    }

    /// The port of the primary serving `slot`, as a running node sees it.
    pub fn primary_of(&self, slot: u16) -> u16 {
        let port = self.running_ports()[0];
        let slots: Value = self.query(port, redis::cmd("CLUSTER").arg("SLOTS"));
        let Value::Array(ranges) = slots else {
            panic!("CLUSTER SLOTS: {slots:?}")
        };
        for range in ranges {
            let Value::Array(fields) = range else {
                continue;
            };
            let (Some(Value::Int(lo)), Some(Value::Int(hi)), Some(Value::Array(primary))) =
                (fields.first(), fields.get(1), fields.get(2))
            else {
                continue;
            };
            if (*lo..=*hi).contains(&i64::from(slot))
                && let Some(Value::Int(p)) = primary.get(1)
            {
                return *p as u16;
            }
        }
        panic!("no primary serves slot {slot}")
    }

    /// The ports of the running primaries.
    pub fn primaries(&self) -> Vec<u16> {
        self.running_ports()
            .into_iter()
            .filter(|&p| {
                let role: Value = self.query(p, &redis::cmd("ROLE"));
                matches!(&role, Value::Array(f) if matches!(f.first(), Some(Value::BulkString(r)) if r == b"master"))
            })
            .collect()
    }

    fn node_id(&self, port: u16) -> String {
        self.query(port, redis::cmd("CLUSTER").arg("MYID"))
    }

    /// Moves `slot` (and its keys) from its primary to the primary at `to`, the way
    /// `redis-cli --cluster reshard` does: `IMPORTING`/`MIGRATING`, `MIGRATE` the keys,
    /// then `SETSLOT ... NODE` on both and on every other primary.
    pub fn migrate_slot(&self, slot: u16, to: u16) {
        let from = self.primary_of(slot);
        assert_ne!(from, to, "slot {slot} is already on {to}");
        let (from_id, to_id) = (self.node_id(from), self.node_id(to));
        let setslot = |port: u16, state: &str, id: &str| {
            let _: () = self.query(
                port,
                redis::cmd("CLUSTER")
                    .arg("SETSLOT")
                    .arg(slot)
                    .arg(state)
                    .arg(id),
            );
        };
        setslot(to, "IMPORTING", &from_id);
        setslot(from, "MIGRATING", &to_id);
        loop {
            let keys: Vec<String> = self.query(
                from,
                redis::cmd("CLUSTER")
                    .arg("GETKEYSINSLOT")
                    .arg(slot)
                    .arg(100),
            );
            if keys.is_empty() {
                break;
            }
            let _: () = self.query(
                from,
                redis::cmd("MIGRATE")
                    .arg("127.0.0.1")
                    .arg(to)
                    .arg("")
                    .arg(0)
                    .arg(5000)
                    .arg("KEYS")
                    .arg(keys),
            );
        }
        setslot(to, "NODE", &to_id);
        setslot(from, "NODE", &to_id);
        for p in self.primaries() {
            if p != from && p != to {
                setslot(p, "NODE", &to_id);
            }
        }
        wait_until("every node to see the slot's new primary", || {
            (self.primary_of(slot) == to).then_some(())
        });
    }

    /// Promotes the replica of the primary serving `slot` with `CLUSTER FAILOVER` (a
    /// coordinated, lossless switch: the old primary becomes its replica); returns the new
    /// primary's port once every node sees it.
    pub fn manual_failover(&self, slot: u16) -> u16 {
        let primary = self.primary_of(slot);
        let replication: String = self.query(primary, redis::cmd("INFO").arg("replication"));
        let replica = replication
            .lines()
            .find_map(|l| l.strip_prefix("slave0:"))
            .and_then(|l| l.split(',').find_map(|f| f.strip_prefix("port=")))
            .and_then(|p| p.parse::<u16>().ok())
            .unwrap_or_else(|| panic!("primary {primary} has no replica: {replication}"));
        let _: () = self.query(replica, redis::cmd("CLUSTER").arg("FAILOVER"));
        wait_until("the replica to take over", || {
            (self.primary_of(slot) == replica).then_some(())
        });
        self.wait_healthy();
        replica
    }

    /// Kills (SIGKILL) the node at `port`.
    pub fn kill(&mut self, port: u16) {
        let node = self.nodes.iter_mut().find(|n| n.port == port).unwrap();
        if let Some(mut child) = node.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the killed node at `port` again: it rejoins as a replica of the primary that
    /// took its slots over. Waits until the cluster is healthy.
    pub fn restart(&mut self, port: u16) {
        let node = self.nodes.iter_mut().find(|n| n.port == port).unwrap();
        assert!(node.child.is_none(), "node {port} is running");
        node.child = Some(spawn_node(port, &node.dir));
        self.wait_healthy();
    }

    /// Waits until a node other than `old` serves `slot` (its replica was promoted) and the
    /// cluster is healthy again; returns the new primary's port.
    pub fn wait_failover(&self, slot: u16, old: u16) -> u16 {
        let new = wait_until("a replica to take over", || {
            let p = self.primary_of(slot);
            (p != old).then_some(p)
        });
        wait_until("the cluster to accept writes again", || {
            let running = self.running_ports();
            running
                .iter()
                .all(|&p| {
                    connect(p)
                        .ok()
                        .and_then(|mut c| {
                            redis::cmd("CLUSTER")
                                .arg("INFO")
                                .query::<String>(&mut c)
                                .ok()
                        })
                        .is_some_and(|i| i.contains("cluster_state:ok"))
                })
                .then_some(())
        });
        new
    }
}

impl Drop for TestCluster {
    fn drop(&mut self) {
        for node in &mut self.nodes {
            if let Some(mut child) = node.child.take() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}
