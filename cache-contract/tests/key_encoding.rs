//! Property tests of the cache key encoding: it is injective, round-trips through
//! `CacheKey::parse`, and never lets a component's bytes escape into the key's structure.

use cache_contract::{CacheKey, ContractHash, TenantId};
use proptest::prelude::*;

/// Characters that are special somewhere: the separator, Redis glob characters, hash-tag
/// braces, the escape character itself, white space, and non-ASCII.
fn tricky_string() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-c0-9:*?\\[\\]\\\\%{}. \n\t_\\-é€😀]{0,10}",
        any::<String>(),
        Just("global".to_string()),
        Just("t.x".to_string()),
        Just("%3A".to_string()),
    ]
}

fn tenant() -> impl Strategy<Value = TenantId> {
    prop_oneof![
        1 => Just(TenantId::global()),
        6 => tricky_string().prop_map(TenantId::new),
    ]
}

#[derive(Debug, Clone, PartialEq)]
struct Input {
    tenant: TenantId,
    table: String,
    hash: [u8; 32],
    parts: Vec<String>,
}

impl Input {
    fn key(&self) -> CacheKey {
        CacheKey::new(
            &self.tenant,
            &self.table,
            &ContractHash::from_bytes(self.hash),
            self.parts.clone(),
        )
    }
}

fn input() -> impl Strategy<Value = Input> {
    (
        tenant(),
        tricky_string(),
        prop_oneof![Just([0u8; 32]), Just([1u8; 32]), any::<[u8; 32]>()],
        prop::collection::vec(tricky_string(), 0..4),
    )
        .prop_map(|(tenant, table, hash, parts)| Input {
            tenant,
            table,
            hash,
            parts,
        })
}

/// Whether two inputs must give distinct keys: they differ in anything the key encodes
/// (only the first 4 bytes of the hash are encoded).
fn encoded_fields_differ(a: &Input, b: &Input) -> bool {
    a.tenant != b.tenant || a.table != b.table || a.hash[..4] != b.hash[..4] || a.parts != b.parts
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn distinct_inputs_give_distinct_keys(a in input(), b in input()) {
        let (ka, kb) = (a.key(), b.key());
        prop_assert_eq!(encoded_fields_differ(&a, &b), ka.as_str() != kb.as_str());
        prop_assert_eq!(
            encoded_fields_differ(&a, &b),
            ka.storage_key(1, 2) != kb.storage_key(1, 2)
        );
    }

    #[test]
    fn near_misses_give_distinct_keys(a in input(), extra in tricky_string()) {
        // Moving bytes between adjacent components is the classic collision.
        let mut b = a.clone();
        b.table.push_str(&extra);
        if let Some(first) = b.parts.first_mut() {
            *first = format!("{extra}{first}");
        } else {
            b.parts.push(extra.clone());
        }
        prop_assume!(encoded_fields_differ(&a, &b));
        prop_assert_ne!(a.key().as_str().to_string(), b.key().as_str().to_string());
    }

    #[test]
    fn parse_gives_the_components_back(a in input()) {
        let key = a.key();
        let back = CacheKey::parse(key.as_str()).expect("an encoded key parses");
        prop_assert_eq!(back.tenant(), &a.tenant);
        prop_assert_eq!(back.table(), a.table.as_str());
        prop_assert_eq!(back.parts(), a.parts.as_slice());
        prop_assert_eq!(back.contract_hash_prefix(), ContractHash::from_bytes(a.hash).short());
        prop_assert_eq!(&back, &key);
    }

    #[test]
    fn components_never_appear_raw(a in input()) {
        let key = a.key();
        let s = key.as_str();
        prop_assert!(s.is_ascii());
        let raw = ['*', '?', '[', ']', '\\', '{', '}', ' ', '\n'];
        prop_assert!(!s.contains(raw), "raw special character in {}", s);
        // Exactly four fixed separators before the parts, one per part.
        prop_assert_eq!(s.matches(':').count(), 3 + a.parts.len());
        match a.tenant.as_str() {
            None => prop_assert!(s.starts_with("cc1:global:")),
            Some(_) => prop_assert!(s.starts_with("cc1:t.")),
        }
    }

    #[test]
    fn parse_accepts_only_canonical_keys(s in "cc1:[a-zA-Z0-9:.%_\\-]{0,30}") {
        // Whatever parses re-encodes to exactly the input.
        if let Ok(key) = CacheKey::parse(&s) {
            prop_assert_eq!(key.as_str(), s.as_str());
            let again = CacheKey::new(
                key.tenant(),
                key.table(),
                &ContractHash::from_bytes([0; 32]),
                key.parts().to_vec(),
            );
            prop_assert_eq!(again.parts(), key.parts());
        }
    }
}

#[test]
fn global_scope_and_a_tenant_named_global_differ() {
    let hash = ContractHash::from_bytes([7; 32]);
    let global = CacheKey::new(&TenantId::global(), "t", &hash, vec!["1".into()]);
    let named = CacheKey::new(&TenantId::new("global"), "t", &hash, vec!["1".into()]);
    assert_eq!(global.as_str(), "cc1:global:t:07070707:1");
    assert_eq!(named.as_str(), "cc1:t.global:t:07070707:1");
}

#[test]
fn lower_case_escapes_are_not_canonical() {
    assert!(CacheKey::parse("cc1:t.a%3a:t:07070707").is_err());
    assert!(CacheKey::parse("cc1:t.a%3A:t:07070707").is_ok());
}
