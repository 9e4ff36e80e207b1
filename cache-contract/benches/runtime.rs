//! Runtime micro-benchmarks, each printed as a ratio against a baseline measured in the same
//! run: key derivation against formatting a naive `tenant:table:id` string; sealing /
//! opening a ~1 KB struct against plain MessagePack (de)serialization of it, the payload codec (context); and
//! seal + open, unkeyed and keyed, against what they protect: one loopback Redis `GET`
//! round trip of the same entry (target ≤ 5 %; needs Redis at 127.0.0.1:6379).
//!
//! `cargo bench -p cache-contract --bench runtime`

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use cache_contract::envelope::{EnvelopeKey, Keyring};
use cache_contract::{CacheContract, TenantScoped, envelope};
use criterion::Criterion;
use serde::{Deserialize, Serialize};

/// A typical cached row: a UUID-like tenant, an integer key, ~1 KB of fields (checked
/// against `tests/migrations/`).
#[derive(cache_contract::CacheContract, Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cache(table = "accounts", migrations = "tests/migrations")]
struct Account {
    tenant_id: String,
    id: i64,
    email: String,
    display_name: String,
    plan: String,
    balance_cents: i64,
    active: bool,
    tags: Vec<String>,
    scores: Vec<i32>,
    bio: String,
}

/// The same kind of row through the derive (the examples' `users` table).
#[derive(cache_contract::CacheContract, Serialize, Deserialize)]
#[cache(table = "users", migrations = "examples/migrations")]
struct DerivedUser {
    tenant_id: String,
    id: i64,
    name: String,
}

fn account() -> Account {
    Account {
        tenant_id: "0b6f5c1e-8a4d-4c3b-9f2e-1d7a6b5c4e3f".into(),
        id: 1_234_567,
        email: "ada.lovelace@example.com".into(),
        display_name: "Ada Lovelace".into(),
        plan: "enterprise".into(),
        balance_cents: 1_999_999,
        active: true,
        tags: (0..12).map(|i| format!("tag-{i:03}")).collect(),
        scores: (0..64).map(|i| i * 7919).collect(),
        bio: "x".repeat(560),
    }
}

fn mean_ns(id: &str) -> Option<f64> {
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let path = dir.join("criterion").join(id).join("new/estimates.json");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    json["slope"]["point_estimate"]
        .as_f64()
        .or_else(|| json["mean"]["point_estimate"].as_f64())
}

/// The median over `ROUNDS` of (time of `ours`) / (time of `base`), each round timing
/// `iters` calls of one right after `iters` calls of the other (order alternating), so that
/// load from other processes hits both sides of a ratio alike; with the median time of one
/// call of each, in ns.
fn paired(iters: u32, mut base: impl FnMut(), mut ours: impl FnMut()) -> Paired {
    const ROUNDS: usize = 301;
    let time = |f: &mut dyn FnMut()| {
        let start = Instant::now();
        for _ in 0..iters {
            f();
        }
        start.elapsed().as_secs_f64() * 1e9 / f64::from(iters)
    };
    let mut rounds: Vec<(f64, f64)> = (0..ROUNDS)
        .map(|round| {
            if round % 2 == 0 {
                let b = time(&mut base);
                (b, time(&mut ours))
            } else {
                let o = time(&mut ours);
                (time(&mut base), o)
            }
        })
        .collect();
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    Paired {
        ratio: median(rounds.iter().map(|(b, o)| o / b).collect()),
        base_ns: median(rounds.iter().map(|r| r.0).collect()),
        ours_ns: median(rounds.drain(..).map(|r| r.1).collect()),
    }
}

/// What [`paired`] measured.
struct Paired {
    ratio: f64,
    base_ns: f64,
    ours_ns: f64,
}

/// [`paired`]'s ratio, for the CPU-only comparisons (200 calls per side per round).
fn paired_ratio(base: impl FnMut(), ours: impl FnMut()) -> f64 {
    paired(200, base, ours).ratio
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let a = account();
    let plain = rmp_serde::to_vec(&a).unwrap();
    let sealed = envelope::seal(&a).unwrap();
    let tenant = a.tenant();
    println!(
        "payload: {} bytes MessagePack, {} bytes sealed",
        plain.len(),
        sealed.len()
    );

    let mut g = c.benchmark_group("runtime");
    g.bench_function("key/naive_format", |b| {
        b.iter(|| {
            black_box(format!(
                "{}:accounts:{}",
                black_box(&a).tenant_id,
                black_box(&a).id
            ))
        })
    });
    g.bench_function("key/cache_key", |b| {
        b.iter(|| black_box(black_box(&a).cache_key()))
    });
    let derived = DerivedUser {
        tenant_id: a.tenant_id.clone(),
        id: a.id,
        name: a.display_name.clone(),
    };
    g.bench_function("key/cache_key_derived", |b| {
        b.iter(|| black_box(black_box(&derived).cache_key()))
    });
    // Attribution: the contract's parts (tenant and key parts) vs building the key.
    g.bench_function("key/tenant_and_parts", |b| {
        b.iter(|| {
            let a = black_box(&a);
            black_box((a.tenant(), Account::key_parts(&a.key())))
        })
    });
    g.bench_function("key/cache_key_new", |b| {
        b.iter(|| {
            black_box(cache_contract::CacheKey::new(
                black_box(&tenant),
                "accounts",
                &Account::CONTRACT_HASH,
                vec!["1234567".to_string()],
            ))
        })
    });
    g.bench_function("seal/codec", |b| {
        b.iter(|| black_box(rmp_serde::to_vec(black_box(&a)).unwrap()))
    });
    g.bench_function("seal/envelope", |b| {
        b.iter(|| black_box(envelope::seal(black_box(&a)).unwrap()))
    });
    g.bench_function("seal/serde_json", |b| {
        b.iter(|| black_box(serde_json::to_vec(black_box(&a)).unwrap()))
    });
    g.bench_function("checksum/blake3_payload", |b| {
        b.iter(|| black_box(blake3::hash(black_box(&plain))))
    });
    g.bench_function("open/codec", |b| {
        b.iter(|| black_box(rmp_serde::from_slice::<Account>(black_box(&plain)).unwrap()))
    });
    g.bench_function("open/envelope", |b| {
        b.iter(|| black_box(envelope::open::<Account>(black_box(&sealed), &tenant).unwrap()))
    });
    let ring = Keyring::new(EnvelopeKey::new(1, b"the bench's deployment secret").unwrap());
    let keyed = envelope::seal_with(Some(&ring), &a).unwrap();
    g.bench_function("seal/envelope_keyed", |b| {
        b.iter(|| black_box(envelope::seal_with(Some(&ring), black_box(&a)).unwrap()))
    });
    g.bench_function("open/envelope_keyed", |b| {
        b.iter(|| {
            black_box(
                envelope::open_with::<Account>(Some(&ring), black_box(&keyed), &tenant).unwrap(),
            )
        })
    });
    g.finish();
    c.final_summary();

    println!("\nruntime ratios (same run):");
    for (what, base, ours) in [
        (
            "cache_key() vs format!",
            "key_naive_format",
            "key_cache_key",
        ),
        (
            "derived cache_key() vs format!",
            "key_naive_format",
            "key_cache_key_derived",
        ),
        (
            "tenant() + key_parts() vs format!",
            "key_naive_format",
            "key_tenant_and_parts",
        ),
        (
            "CacheKey::new vs format!",
            "key_naive_format",
            "key_cache_key_new",
        ),
        ("seal vs rmp_serde::to_vec", "seal_codec", "seal_envelope"),
        (
            "open vs rmp_serde::from_slice",
            "open_codec",
            "open_envelope",
        ),
        ("keyed seal vs seal", "seal_envelope", "seal_envelope_keyed"),
        ("keyed open vs open", "open_envelope", "open_envelope_keyed"),
        (
            "seal vs serde_json::to_vec",
            "seal_serde_json",
            "seal_envelope",
        ),
        (
            "blake3 of the payload vs rmp_serde::to_vec",
            "seal_codec",
            "checksum_blake3_payload",
        ),
    ] {
        match (
            mean_ns(&format!("runtime/{base}")),
            mean_ns(&format!("runtime/{ours}")),
        ) {
            (Some(b), Some(o)) => println!("  {what}: {o:.1} ns vs {b:.1} ns = {:.2}x", o / b),
            _ => println!("  {what}: no estimates found (run without --test / filters)"),
        }
    }
    println!("\nruntime ratios, paired (median of 301 alternating rounds):");
    println!(
        "  seal vs rmp_serde::to_vec: {:.2}x",
        paired_ratio(
            || {
                black_box(rmp_serde::to_vec(black_box(&a)).unwrap());
            },
            || {
                black_box(envelope::seal(black_box(&a)).unwrap());
            },
        )
    );
    println!(
        "  open vs rmp_serde::from_slice: {:.2}x",
        paired_ratio(
            || {
                black_box(rmp_serde::from_slice::<Account>(black_box(&plain)).unwrap());
            },
            || {
                black_box(envelope::open::<Account>(black_box(&sealed), &tenant).unwrap());
            },
        )
    );
    println!(
        "  blake3 of the payload vs rmp_serde::to_vec: {:.2}x",
        paired_ratio(
            || {
                black_box(rmp_serde::to_vec(black_box(&a)).unwrap());
            },
            || {
                black_box(blake3::hash(black_box(&plain)));
            },
        )
    );
    if let Some(k) = mean_ns("runtime/key_cache_key") {
        println!("  cache_key(): {k:.1} ns (target <= 100 ns)");
    }

    // Seal + open against what they protect: one loopback Redis GET of the same entry.
    let mut redis = redis::Client::open(REDIS_URL)
        .and_then(|c| c.get_connection())
        .unwrap_or_else(|e| {
            panic!("this bench needs Redis at {REDIS_URL} (start `redis-server`): {e}")
        });
    let key = format!("cache-contract-bench:{}", std::process::id());
    for (label, keys, entry) in [("unkeyed", None, &sealed), ("keyed", Some(&ring), &keyed)] {
        redis::cmd("SET")
            .arg(&key)
            .arg(entry)
            .arg("PX")
            .arg(600_000)
            .exec(&mut redis)
            .unwrap();
        let p = paired(
            20,
            || {
                let got: Vec<u8> = redis::cmd("GET").arg(&key).query(&mut redis).unwrap();
                black_box(got);
            },
            || {
                let bytes = envelope::seal_with(keys, black_box(&a)).unwrap();
                black_box(envelope::open_with::<Account>(keys, &bytes, &tenant).unwrap());
            },
        );
        println!(
            "  seal + open ({label}, {} bytes) vs one loopback Redis GET of the entry: {:.0} ns vs {:.0} ns = {:.1} % (target <= 5 %)",
            entry.len(),
            p.ours_ns,
            p.base_ns,
            p.ratio * 100.0
        );
    }
    // The floor of any envelope that tags its whole payload: the two blake3 passes over the
    // tagged bytes (seal computes the tag, open checks it), nothing else.
    let tagged = &keyed[36..];
    let floor = paired(
        20,
        || {
            let got: Vec<u8> = redis::cmd("GET").arg(&key).query(&mut redis).unwrap();
            black_box(got);
        },
        || {
            black_box(blake3::hash(black_box(tagged)));
            black_box(blake3::hash(black_box(tagged)));
        },
    );
    println!(
        "  floor: two blake3 passes over the {} tagged bytes vs the same GET: {:.0} ns vs {:.0} ns = {:.1} %",
        tagged.len(),
        floor.ours_ns,
        floor.base_ns,
        floor.ratio * 100.0
    );
    redis::cmd("DEL").arg(&key).exec(&mut redis).unwrap();
}

/// The loopback Redis the GET baseline reads from.
const REDIS_URL: &str = "redis://127.0.0.1:6379";
