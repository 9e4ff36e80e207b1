//! Cached structs whose fields deserialize through `deserialize_any` — `serde_json::Value`
//! and `rust_decimal::Decimal` in their default serde forms, `#[serde(flatten)]` — read back:
//! through the envelope alone, and from Redis through a second tiered cache whose local tier
//! is empty (a read that earlier releases, with postcard payloads, always missed).

use std::str::FromStr;
use std::time::Duration;

use cache_contract::envelope::{self, OpenError};
use cache_contract::tiered::{RedisTier, TieredCache};
use cache_contract::{CacheContract, TenantId};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

const REDIS_URL: &str = "redis://127.0.0.1:6379";

/// A row of `documents` (`tests/payload_migrations/`), every field in its default serde form.
#[derive(CacheContract, Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cache(table = "documents", migrations = "payload_migrations")]
struct Document {
    tenant_id: String,
    id: i64,
    body: Value,
    meta: Option<Value>,
    amount: Decimal,
}

fn document(tenant: &str, id: i64) -> Document {
    Document {
        tenant_id: tenant.to_string(),
        id,
        body: json!({
            "title": "Q3 report",
            "pages": 12,
            "ratio": 0.125,
            "big": u64::MAX,
            "negative": i64::MIN,
            "tags": ["a", "b", null, true],
            "nested": {"empty": {}, "list": [[], [1, [2, [3]]]]},
        }),
        meta: (id % 2 == 0).then(|| json!("just a string")),
        amount: Decimal::from_str("-12345678901234.500000").unwrap(),
    }
}

#[test]
fn json_values_and_decimals_round_trip_through_the_envelope() {
    let acme = TenantId::new("acme");
    for id in [1, 2] {
        let doc = document("acme", id);
        let bytes = envelope::seal(&doc).unwrap();
        let back: Document = envelope::open(&bytes, &acme).unwrap();
        assert_eq!(back, doc);
        // The decimal keeps its scale, the JSON its number kinds (u64, i64, f64).
        assert_eq!(back.amount.to_string(), "-12345678901234.500000");
        assert_eq!(back.body["big"].as_u64(), Some(u64::MAX));
        assert_eq!(back.body["negative"].as_i64(), Some(i64::MIN));
        assert_eq!(back.body["ratio"].as_f64(), Some(0.125));
    }
}

/// A struct that flattens another (serde reads it as a map: `deserialize_any` again); the
/// flattened part is not checked against columns (`skip`), only carried.
#[derive(CacheContract, Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cache(table = "documents", migrations = "payload_migrations")]
struct Flattened {
    tenant_id: String,
    id: i64,
    #[serde(flatten)]
    #[cache(skip)]
    rest: Rest,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Rest {
    body: Value,
    meta: Option<Value>,
    amount: Decimal,
}

#[test]
fn flattened_fields_round_trip_and_bytes_of_an_earlier_format_are_a_miss() {
    let d = document("acme", 3);
    let flat = Flattened {
        tenant_id: d.tenant_id,
        id: d.id,
        rest: Rest {
            body: d.body,
            meta: d.meta,
            amount: d.amount,
        },
    };
    let acme = TenantId::new("acme");
    let mut bytes = envelope::seal(&flat).unwrap();
    assert_eq!(envelope::open::<Flattened>(&bytes, &acme).unwrap(), flat);
    // An entry of format 1 (an earlier release, postcard payload) is a miss, not corruption.
    bytes[3] = 1;
    assert_eq!(
        envelope::open::<Flattened>(&bytes, &acme),
        Err(OpenError::UnsupportedVersion(1))
    );
}

#[tokio::test]
async fn a_second_instance_reads_them_from_redis() {
    let client = redis::Client::open(REDIS_URL).unwrap();
    let conn = redis::aio::ConnectionManager::new(client)
        .await
        .unwrap_or_else(|e| {
            panic!("Redis is not reachable at {REDIS_URL}: {e}; start it with `redis-server --daemonize yes`")
        });
    let prefix = format!(
        "test-payload-types-{}-{}:",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let tier = RedisTier::new(conn.clone(), prefix.as_str(), Duration::from_secs(60));
    let cache = |tier: &RedisTier| {
        TieredCache::<Document>::builder()
            .redis(tier.clone())
            .build()
            .unwrap()
    };
    let writer = cache(&tier);
    let acme = TenantId::new("acme");
    let doc = document("acme", 2);
    let loaded = doc.clone();
    writer
        .get_or_load(&acme, &doc.id, || async move {
            Ok::<_, std::convert::Infallible>(loaded)
        })
        .await
        .unwrap();

    // Another instance: empty local tier, same Redis. A hit, with the same value.
    let reader = cache(&tier);
    let got = reader.get(&acme, &doc.id).await.unwrap();

    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}*"))
        .query_async(&mut conn.clone())
        .await
        .unwrap();
    if !keys.is_empty() {
        let _: () = redis::cmd("DEL")
            .arg(&keys)
            .query_async(&mut conn.clone())
            .await
            .unwrap();
    }
    assert_eq!(keys.len(), 1, "one entry written under {prefix}: {keys:?}");
    assert_eq!(
        got.as_deref(),
        Some(&doc),
        "the entry must read back from Redis"
    );
}
