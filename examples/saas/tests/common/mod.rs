//! Shared by the service's tests: a configuration of the test's own (database, Redis prefix
//! and channel) and the guard that removes them, also when the test panics.
#![allow(dead_code)]

use saas::app::Config;

pub const POSTGRES: &str = "postgres://postgres@127.0.0.1:5432";
pub const REDIS: &str = "redis://127.0.0.1:6379";

/// Drops the test's database and Redis keys.
pub struct Cleanup {
    database: String,
    prefix: String,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let (database, prefix) = (self.database.clone(), self.prefix.clone());
        // Blocking clients, on a thread of their own (not inside the test's runtime).
        std::thread::spawn(move || {
            if let Ok(mut pg) =
                postgres::Client::connect(&format!("{POSTGRES}/postgres"), postgres::NoTls)
            {
                let _ = pg.batch_execute(&format!(
                    "DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)"
                ));
            }
            if let Ok(mut conn) = redis::Client::open(REDIS).and_then(|c| c.get_connection()) {
                let keys: Vec<String> =
                    redis::Commands::scan_match(&mut conn, format!("{prefix}*"))
                        .map(|i| i.filter_map(Result::ok).collect())
                        .unwrap_or_default();
                if !keys.is_empty() {
                    let _: redis::RedisResult<()> = redis::cmd("DEL").arg(keys).query(&mut conn);
                }
            }
        })
        .join()
        .unwrap();
    }
}

/// A configuration of this test's own, named after `name` and the run (database
/// `saas_<name>_<run>`, prefix `saas-<name>-<run>:`), and its cleanup guard.
pub fn isolated(name: &str) -> (Config, Cleanup) {
    let run = format!(
        "{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let config = Config {
        database_url: format!("{POSTGRES}/saas_{name}_{run}"),
        redis_url: REDIS.into(),
        listen: "127.0.0.1:0".parse().unwrap(),
        redis_prefix: format!("saas-{name}-{run}:"),
        channel: format!("saas-{name}-{run}:invalidations"),
        varnish_nodes: Vec::new(),
        migrations: concat!(env!("CARGO_MANIFEST_DIR"), "/migrations").into(),
    };
    let cleanup = Cleanup {
        database: format!("saas_{name}_{run}"),
        prefix: config.redis_prefix.clone(),
    };
    (config, cleanup)
}

/// A unique suffix for names inside the test's database (tenant slugs).
pub fn suffix(config: &Config) -> String {
    config.redis_prefix.trim_end_matches(':').replace(':', "-")
}
