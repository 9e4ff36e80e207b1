//! `envelope::open` never panics, whatever the bytes, keyed or not; what it accepts belongs
//! to the tenant asked for and round-trips through `seal`.
//!
//! `cargo +nightly fuzz run envelope_open` (from `fuzz/`).
#![no_main]

use cache_contract::envelope::{self, EnvelopeKey, Keyring, OpenError};
use cache_contract::{CacheContract, TenantId, TenantScoped};
use libfuzzer_sys::fuzz_target;
use serde::{Deserialize, Serialize};

/// A row of `rows` in cache-contract's test migrations, through the derive.
#[derive(CacheContract, Debug, PartialEq, Serialize, Deserialize)]
#[cache(table = "rows", migrations = "../cache-contract/tests/migrations")]
struct Row {
    #[cache(tenant)]
    tenant: String,
    id: i64,
    name: String,
    tags: Vec<String>,
    score: Option<i32>,
}

fuzz_target!(|data: &[u8]| {
    let acme = TenantId::new("acme");
    let _ = envelope::inspect(data);
    match envelope::open::<Row>(data, &acme) {
        Ok(row) => {
            assert_eq!(row.tenant(), acme, "served another tenant's row");
            // What was accepted round-trips.
            let resealed = envelope::seal(&row).unwrap();
            assert_eq!(envelope::open::<Row>(&resealed, &acme).unwrap(), row);
        }
        Err(OpenError::ForeignTenant { found, .. }) => assert_ne!(found, acme),
        Err(_) => {}
    }
    // With a keyring: whatever it accepts was sealed with the key (here: never, unless the
    // fuzzer finds a keyed blake3 collision), and it never panics.
    let ring = Keyring::new(EnvelopeKey::new(1, b"the fuzzer's deployment secret").unwrap());
    if let Ok(row) = envelope::open_with::<Row>(Some(&ring), data, &acme) {
        assert_eq!(row.tenant(), acme, "served another tenant's row");
    }
    let sealed = envelope::seal_raw_with(Some(&ring), &acme, "rows", &Row::CONTRACT_HASH, data).unwrap();
    if let Ok(row) = envelope::open_with::<Row>(Some(&ring), &sealed, &acme) {
        assert_eq!(row.tenant(), acme);
    }
    // Also through a valid header: the fuzzer's bytes as the payload.
    let sealed = envelope::seal_raw(&acme, "rows", &Row::CONTRACT_HASH, data).unwrap();
    if let Ok(row) = envelope::open::<Row>(&sealed, &acme) {
        assert_eq!(row.tenant(), acme);
    }
});
