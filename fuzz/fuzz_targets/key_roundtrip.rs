//! Fuzzes the cache key encoding: every key parses back to its components, two different
//! inputs never share a key, and arbitrary strings either parse to a key that re-encodes to
//! exactly themselves or are rejected (never a panic).
//!
//! Run: `cd fuzz && cargo +nightly fuzz run key_roundtrip -- -max_total_time=60`

#![no_main]

use arbitrary::Arbitrary;
use cache_contract::key::RedisKeys;
use cache_contract::{CacheKey, ContractHash, TenantId};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug, Clone, PartialEq)]
struct Input {
    tenant: Option<String>,
    table: String,
    hash: [u8; 32],
    parts: Vec<String>,
}

impl Input {
    fn key(&self) -> CacheKey {
        let tenant = self.tenant.as_ref().map_or_else(TenantId::global, TenantId::new);
        CacheKey::new(&tenant, &self.table, &ContractHash::from_bytes(self.hash), self.parts.clone())
    }

    fn same_encoded_fields(&self, other: &Input) -> bool {
        self.tenant == other.tenant
            && self.table == other.table
            && self.hash[..4] == other.hash[..4]
            && self.parts == other.parts
    }
}

fuzz_target!(|data: (Input, Input, String)| {
    let (a, b, raw) = data;
    let (ka, kb) = (a.key(), b.key());

    let back = CacheKey::parse(ka.as_str()).expect("an encoded key parses");
    assert_eq!(back, ka);
    assert_eq!(back.tenant().as_str(), a.tenant.as_deref());
    assert_eq!(back.table(), a.table);
    assert_eq!(back.parts(), a.parts.as_slice());

    assert_eq!(ka.as_str() == kb.as_str(), a.same_encoded_fields(&b));
    let keys = RedisKeys::new("p:");
    let entry = keys.entry(&ka, 1, 2);
    assert_eq!(entry == keys.entry(&kb, 1, 2), a.same_encoded_fields(&b));
    let listed = keys.parse_entry(&entry).expect("an entry key parses");
    assert_eq!((listed.key, listed.tenant_generation, listed.table_generation), (ka.clone(), 1, 2));

    // `as_str` is the text parse was given: build the key again from what parse read.
    if let Ok(parsed) = CacheKey::parse(&raw) {
        let prefix = parsed.contract_hash_prefix();
        let mut hash = [0u8; 32];
        for (i, byte) in hash.iter_mut().take(prefix.len() / 2).enumerate() {
            *byte = u8::from_str_radix(&prefix[2 * i..2 * i + 2], 16).expect("a hex prefix");
        }
        let again = CacheKey::new(
            parsed.tenant(),
            parsed.table(),
            &ContractHash::from_bytes(hash),
            parsed.parts().to_vec(),
        );
        assert_eq!(again.as_str(), raw);
    }
});
