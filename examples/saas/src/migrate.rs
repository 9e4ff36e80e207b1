//! Applies `migrations/` to the service's database at start: each file not applied yet, in
//! the order the replay (and so the derive) reads them, in a transaction of its own,
//! recorded in `saas_schema_migrations`. Concurrent starts take turns (an advisory lock).

use std::path::Path;

use tokio_postgres::Client;

/// The lock key of migration runs (any constant: `saas` in ASCII).
const LOCK: i64 = 0x7361_6173;

/// Applies every pending migration of `dir`; returns the versions applied now.
pub async fn apply(db: &mut Client, dir: &Path) -> Result<Vec<String>, String> {
    let discovery = schema_check::discover::discover(dir, None)
        .map_err(|e| format!("reading migrations in {}: {}", dir.display(), e.message))?;
    if let Some(e) = discovery.errors.first() {
        return Err(format!("migrations in {}: {}", dir.display(), e.message));
    }
    let sql = |e: tokio_postgres::Error| e.to_string();
    db.batch_execute(
        "CREATE TABLE IF NOT EXISTS saas_schema_migrations (
             version text PRIMARY KEY, name text NOT NULL,
             applied_at timestamptz NOT NULL DEFAULT now());",
    )
    .await
    .map_err(sql)?;
    db.execute("SELECT pg_advisory_lock($1)", &[&LOCK])
        .await
        .map_err(sql)?;
    let result = apply_locked(db, &discovery.migrations).await;
    db.execute("SELECT pg_advisory_unlock($1)", &[&LOCK])
        .await
        .map_err(sql)?;
    result
}

async fn apply_locked(
    db: &mut Client,
    migrations: &[schema_check::discover::Migration],
) -> Result<Vec<String>, String> {
    let mut applied = Vec::new();
    for m in migrations {
        let version = m
            .version
            .as_ref()
            .map(|v| v.as_str().to_string())
            .unwrap_or_else(|| m.name.clone());
        let done = db
            .query_opt(
                "SELECT 1 FROM saas_schema_migrations WHERE version = $1",
                &[&version],
            )
            .await
            .map_err(|e| e.to_string())?;
        if done.is_some() {
            continue;
        }
        let text = std::fs::read_to_string(&m.path).map_err(|e| format!("{}: {e}", m.display))?;
        let tx = db.transaction().await.map_err(|e| e.to_string())?;
        tx.batch_execute(&text).await.map_err(|e| {
            format!(
                "{}: {}",
                m.display,
                e.as_db_error()
                    .map(|d| d.message().to_string())
                    .unwrap_or_else(|| e.to_string())
            )
        })?;
        tx.execute(
            "INSERT INTO saas_schema_migrations (version, name) VALUES ($1, $2)",
            &[&version, &m.name],
        )
        .await
        .map_err(|e| e.to_string())?;
        tx.commit().await.map_err(|e| e.to_string())?;
        applied.push(version);
    }
    Ok(applied)
}
