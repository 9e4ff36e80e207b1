//! `cargo run -p saas -- [--varnish]`: the example service on 127.0.0.1:3000 (`SAAS_LISTEN`),
//! over PostgreSQL `DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/saas`,
//! created and migrated at start) and Redis `REDIS_URL` (default `redis://127.0.0.1:6379`).
//! With `--varnish`, a varnishd with vmod-xkey starts on 127.0.0.1:6081 (`SAAS_VARNISH_PORT`)
//! in front of it and every invalidation is purged there. `SAAS_VARNISH_NODES` (comma-
//! separated base URLs) purges Varnish nodes run elsewhere instead.

use std::time::Duration;

type Error = Box<dyn std::error::Error + Send + Sync>;

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let mut config = saas::app::Config::local();
    if let Some(url) = env("DATABASE_URL") {
        config.database_url = url;
    }
    if let Some(url) = env("REDIS_URL") {
        config.redis_url = url;
    }
    if let Some(listen) = env("SAAS_LISTEN") {
        config.listen = listen
            .parse()
            .map_err(|e| format!("SAAS_LISTEN `{listen}`: {e}"))?;
    }
    if let Some(nodes) = env("SAAS_VARNISH_NODES") {
        config.varnish_nodes = nodes.split(',').map(|n| n.trim().to_string()).collect();
    }
    let mut varnish = None;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--varnish" => {
                let port = match env("SAAS_VARNISH_PORT") {
                    Some(p) => p
                        .parse()
                        .map_err(|e| format!("SAAS_VARNISH_PORT `{p}`: {e}"))?,
                    None => 6081,
                };
                let v = saas::varnish::Varnishd::start(port, config.listen.port()).await?;
                config.varnish_nodes.push(v.url());
                varnish = Some(v);
            }
            other => {
                return Err(format!("unknown argument `{other}` (usage: saas [--varnish])").into());
            }
        }
    }
    let running = saas::app::start(config).await?;
    println!("saas API on http://{}", running.addr);
    if let Some(v) = &varnish {
        println!("Varnish (vmod-xkey) in front of it on {}", v.url());
    }
    println!("Ctrl-C stops.");
    // Stop on Ctrl-C or SIGTERM alike, so that varnishd is stopped with the service.
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r?,
        _ = term.recv() => {}
    }
    drop(running);
    drop(varnish);
    tokio::time::sleep(Duration::from_millis(10)).await;
    Ok(())
}
