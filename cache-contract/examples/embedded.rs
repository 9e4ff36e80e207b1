//! The embedded mode: one process, a local tier and the in-process invalidation bus, no
//! Redis. Run with `cargo run -p cache-contract --example embedded`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use cache_contract::envelope::{self, OpenError};
use cache_contract::invalidation::bus::InProcessBus;
use cache_contract::tiered::TieredCache;
use cache_contract::{CacheContract, TenantId};
use serde::{Deserialize, Serialize};

/// A cached row of `users`, checked at compile time against `examples/migrations/`: a
/// field that drifts from its column, a missing tenant or a key that does not identify a
/// row would not compile.
#[derive(CacheContract, Debug, Clone, Serialize, Deserialize)]
#[cache(table = "users", migrations = "examples/migrations")]
struct User {
    tenant_id: String,
    id: i64,
    name: String,
}

/// A stand-in for the database, counting queries.
#[derive(Clone, Default)]
struct Db {
    rows: Arc<Mutex<HashMap<(String, i64), String>>>,
    queries: Arc<AtomicUsize>,
}

impl Db {
    fn set(&self, tenant: &str, id: i64, name: &str) {
        self.rows
            .lock()
            .unwrap()
            .insert((tenant.to_string(), id), name.to_string());
    }

    async fn load(&self, tenant: &TenantId, id: i64) -> Result<User, String> {
        self.queries.fetch_add(1, Ordering::SeqCst);
        let tenant = tenant.as_str().ok_or("users are per tenant")?;
        let name = self
            .rows
            .lock()
            .unwrap()
            .get(&(tenant.to_string(), id))
            .cloned()
            .ok_or_else(|| format!("no user {id} for tenant {tenant}"))?;
        Ok(User {
            tenant_id: tenant.to_string(),
            id,
            name,
        })
    }
}

async fn show(
    users: &TieredCache<User>,
    db: &Db,
    tenant: &TenantId,
    id: i64,
) -> Result<(), Box<dyn std::error::Error>> {
    let before = db.queries.load(Ordering::SeqCst);
    let user = users
        .get_or_load(tenant, &id, || db.load(tenant, id))
        .await?;
    let queried = db.queries.load(Ordering::SeqCst) > before;
    println!(
        "  get_or_load({tenant}, {id}) -> {:?} ({})",
        user.name,
        if queried {
            "loaded from the database"
        } else {
            "cache hit"
        }
    );
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let db = Db::default();
    let acme = TenantId::new("acme:eu"); // tenant ids may contain `:` `*` `?` `[`
    let globex = TenantId::new("globex");
    db.set("acme:eu", 1, "Ada");
    db.set("globex", 1, "Grace");

    let bus = InProcessBus::new();
    let users = TieredCache::<User>::builder()
        .local_capacity(1_000)
        .publisher(bus.publisher())
        .subscriber(bus.subscriber())
        .build()?;

    println!("1. First lookups load, later ones hit the local tier:");
    show(&users, &db, &acme, 1).await?;
    show(&users, &db, &acme, 1).await?;
    show(&users, &db, &globex, 1).await?;

    println!("2. The row changes; invalidating its key evicts it:");
    db.set("acme:eu", 1, "Ada Lovelace");
    users.invalidate_key(&acme, &1).await?;
    show(&users, &db, &acme, 1).await?;

    println!("3. Invalidating a whole table of one tenant is a generation bump, no scan;");
    println!("   the other tenant keeps its entries:");
    users.invalidate_table(&acme).await?;
    show(&users, &db, &acme, 1).await?;
    show(&users, &db, &globex, 1).await?;

    println!("4. Ten concurrent misses of one key run one query (single-flight):");
    users.invalidate_tenant(&globex).await?;
    let before = db.queries.load(Ordering::SeqCst);
    let lookups = (0..10).map(|_| users.get_or_load(&globex, &1, || db.load(&globex, 1)));
    for result in futures_util::future::join_all(lookups).await {
        result?;
    }
    println!(
        "  {} database query for 10 lookups",
        db.queries.load(Ordering::SeqCst) - before
    );

    println!("5. Entries are sealed in envelopes; another tenant's entry is refused:");
    let bytes = envelope::seal(&db.load(&acme, 1).await?)?;
    println!(
        "  sealed {} bytes (77-byte header + tenant + table + MessagePack payload)",
        bytes.len()
    );
    match envelope::open::<User>(&bytes, &globex) {
        Err(e @ OpenError::ForeignTenant { .. }) => println!("  open as globex: {e}"),
        other => return Err(format!("expected a foreign-tenant error, got {other:?}").into()),
    }
    let mut corrupt = bytes.clone();
    corrupt[100] ^= 1;
    if let Err(e) = envelope::open::<User>(&corrupt, &acme) {
        println!("  a flipped bit: {e}");
    }
    Ok(())
}
