//! How evenly tenants spread over the 16 384 Redis Cluster hash slots: for 10 000 tenants of
//! each common id style, the share of each primary of a 3-primary cluster (the contiguous
//! slot ranges `redis-cli --cluster create` assigns) and a chi-square over 64 equal slot
//! ranges. Run with `-- --nocapture` to print the figures recorded in BENCHMARKS.md.

use cache_contract::TenantId;
use cache_contract::key::{CLUSTER_SLOTS, tenant_slot};

const TENANTS: usize = 10_000;

/// The slot ranges `redis-cli --cluster create` gives 3 primaries.
const PRIMARIES: [(u16, u16); 3] = [(0, 5460), (5461, 10922), (10923, 16383)];

/// Equal slot ranges for the chi-square.
const RANGES: usize = 64;

/// Chi-square with 63 degrees of freedom exceeds this with probability 0.001 for uniformly
/// random slots.
const CHI_SQUARE_999: f64 = 103.4;

struct Spread {
    distinct_slots: usize,
    max_per_slot: usize,
    per_primary: [usize; 3],
    worst_primary_deviation: f64,
    chi_square: f64,
}

fn spread(tenants: impl Iterator<Item = String>) -> Spread {
    let mut per_slot = vec![0usize; usize::from(CLUSTER_SLOTS)];
    for t in tenants {
        per_slot[usize::from(tenant_slot(&TenantId::from_string(t)))] += 1;
    }
    let per_primary = PRIMARIES.map(|(lo, hi)| {
        per_slot[usize::from(lo)..=usize::from(hi)]
            .iter()
            .sum::<usize>()
    });
    let worst_primary_deviation = PRIMARIES
        .iter()
        .zip(per_primary)
        .map(|((lo, hi), n)| {
            let expected = TENANTS as f64 * f64::from(hi - lo + 1) / f64::from(CLUSTER_SLOTS);
            (n as f64 - expected).abs() / expected
        })
        .fold(0.0, f64::max);
    let expected = TENANTS as f64 / RANGES as f64;
    let chi_square = per_slot
        .chunks(per_slot.len() / RANGES)
        .map(|c| (c.iter().sum::<usize>() as f64 - expected).powi(2) / expected)
        .sum();
    Spread {
        distinct_slots: per_slot.iter().filter(|&&n| n > 0).count(),
        max_per_slot: per_slot.iter().copied().max().unwrap_or(0),
        per_primary,
        worst_primary_deviation,
        chi_square,
    }
}

/// A UUID-shaped id (8-4-4-4-12 lower-case hex) from blake3, deterministic per `i`.
fn uuid_like(i: usize) -> String {
    let h = blake3::hash(&i.to_le_bytes()).to_hex();
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// A style of tenant ids: its name, and the `i`th id.
type IdStyle = (&'static str, fn(usize) -> String);

#[test]
fn ten_thousand_tenants_spread_evenly_over_the_slots() {
    let styles: [IdStyle; 4] = [
        ("sequential integers 1..=10000", |i| (i + 1).to_string()),
        ("UUIDs", uuid_like),
        ("slugs `tenant-<n>`", |i| format!("tenant-{i}")),
        ("`cust<n>:eu`", |i| format!("cust{i}:eu")),
    ];
    // Uniformly random slots would leave about this many distinct ones.
    let uniform_distinct = f64::from(CLUSTER_SLOTS)
        * (1.0 - (1.0 - 1.0 / f64::from(CLUSTER_SLOTS)).powi(TENANTS as i32));
    println!(
        "| tenant ids | distinct slots (uniform: {uniform_distinct:.0}) | max per slot | per primary (3) | worst primary's deviation | chi² (63 dof) |"
    );
    println!("|---|---|---|---|---|---|");
    for (name, id) in styles {
        let s = spread((0..TENANTS).map(id));
        println!(
            "| {name} | {} | {} | {:?} | {:.1} % | {:.1} |",
            s.distinct_slots,
            s.max_per_slot,
            s.per_primary,
            s.worst_primary_deviation * 100.0,
            s.chi_square
        );
        assert!(
            s.worst_primary_deviation < 0.03,
            "{name}: a primary gets {:.1} % more or less than its share",
            s.worst_primary_deviation * 100.0
        );
        assert!(
            s.chi_square < CHI_SQUARE_999,
            "{name}: chi-square {:.1} over {RANGES} slot ranges",
            s.chi_square
        );
        assert!(
            s.max_per_slot <= 8,
            "{name}: {} tenants in one slot",
            s.max_per_slot
        );
    }
}
