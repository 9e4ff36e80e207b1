//! `envelope::open` never panics, whatever the bytes; what it accepts belongs to the tenant
//! asked for and round-trips through `seal`.
//!
//! `cargo +nightly fuzz run envelope_open` (from `fuzz/`).
#![no_main]

use cache_contract::envelope::{self, OpenError};
use cache_contract::{CacheContract, ColumnMapping, SchemaHash, TenantId, TenantScoped};
use libfuzzer_sys::fuzz_target;
use serde::{Deserialize, Serialize};

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Row {
    tenant: String,
    id: u64,
    name: String,
    tags: Vec<String>,
    score: Option<i32>,
}

impl TenantScoped for Row {
    fn tenant(&self) -> TenantId {
        TenantId::new(&self.tenant)
    }
}

impl CacheContract for Row {
    const TABLE: &'static str = "rows";
    const SCHEMA_HASH: SchemaHash = SchemaHash::from_bytes([0x5a; 32]);
    const COLUMNS: &'static [ColumnMapping] = &[];
    const KEY_COLUMNS: &'static [&'static str] = &["id"];
    const GLOBAL: bool = false;
    type Key = u64;

    fn key(&self) -> u64 {
        self.id
    }

    fn key_parts(key: &u64) -> Vec<String> {
        vec![key.to_string()]
    }
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
    // Also through a valid header: the fuzzer's bytes as the payload.
    let sealed = envelope::seal_raw(&acme, "rows", &Row::SCHEMA_HASH, data).unwrap();
    if let Ok(row) = envelope::open::<Row>(&sealed, &acme) {
        assert_eq!(row.tenant(), acme);
    }
});
