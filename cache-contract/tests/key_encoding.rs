//! Property tests of the cache key encoding: it is injective, round-trips through
//! `CacheKey::parse`, never lets a component's bytes escape into the key's structure, and
//! its `SCAN MATCH` patterns match exactly one tenant's entries of one table.

use cache_contract::key::RedisKeys;
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
        let keys = RedisKeys::new("p:");
        prop_assert_eq!(
            encoded_fields_differ(&a, &b),
            keys.entry(&ka, 1, 2) != keys.entry(&kb, 1, 2)
        );
        prop_assert_eq!(
            encoded_fields_differ(&a, &b),
            keys.row_version(&ka) != keys.row_version(&kb)
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
        let raw = ['*', '?', '[', ']', '\\', ' ', '\n'];
        prop_assert!(!s.contains(raw), "raw special character in {}", s);
        // The hash tag's braces, and no others.
        prop_assert_eq!(s.matches('{').count(), 1);
        prop_assert_eq!(s.matches('}').count(), 1);
        // Exactly three fixed separators before the parts, one per part.
        prop_assert_eq!(s.matches(':').count(), 3 + a.parts.len());
        match a.tenant.as_str() {
            None => prop_assert!(s.starts_with("cc2:{global}:"), "{}", s),
            Some(_) => prop_assert!(s.starts_with("cc2:{t."), "{}", s),
        }
    }

    #[test]
    fn entry_patterns_match_exactly_one_tenants_table(a in input(), b in input(), prefix in tricky_string()) {
        let keys = RedisKeys::new(&prefix);
        let pattern = keys.entry_pattern(&a.tenant, &a.table);
        let (ka, kb) = (a.key(), b.key());
        prop_assert!(glob_match(&pattern, &keys.entry(&ka, 3, 4)), "{} !~ {}", pattern, keys.entry(&ka, 3, 4));
        let same_scope = a.tenant == b.tenant && a.table == b.table;
        prop_assert_eq!(glob_match(&pattern, &keys.entry(&kb, 0, 7)), same_scope);
        prop_assert!(!glob_match(&pattern, &keys.row_version(&ka)));
        prop_assert!(!glob_match(&pattern, &keys.table_generation(&a.tenant, &a.table)));
        prop_assert!(!glob_match(&pattern, &keys.tenant_generation(&a.tenant)));
    }

    #[test]
    fn parse_accepts_only_canonical_keys(s in "cc2:\\{[a-zA-Z0-9:.%_\\-]{0,8}\\}:[a-zA-Z0-9:.%_\\-]{0,24}") {
        // Whatever parses is what the encoder makes of its components, and nothing else
        // (`as_str` is the text parse was given, so the key is built again from its parts).
        if let Ok(key) = CacheKey::parse(&s) {
            let again = rebuilt(&key);
            prop_assert_eq!(again.as_str(), s.as_str());
            prop_assert_eq!(again.parts(), key.parts());
        }
    }
}

/// `key` encoded afresh from its tenant, table, hash prefix and parts.
fn rebuilt(key: &CacheKey) -> CacheKey {
    let prefix = key.contract_hash_prefix();
    let mut bytes = [0u8; 32];
    for (i, byte) in bytes.iter_mut().take(prefix.len() / 2).enumerate() {
        *byte = u8::from_str_radix(&prefix[2 * i..2 * i + 2], 16).expect("a hex prefix");
    }
    CacheKey::new(
        key.tenant(),
        key.table(),
        &ContractHash::from_bytes(bytes),
        key.parts().to_vec(),
    )
}

#[test]
fn a_non_canonical_escape_is_refused_where_it_stands() {
    // `%41` is `A`, which is never escaped: each position's decoder must refuse it.
    for key in [
        "cc2:{t.%41}:t:07070707",
        "cc2:{t.a}:%41:07070707",
        "cc2:{t.a}:t:07070707:%41",
        "cc2:{t.a}:t:07070707:1:%2E",
    ] {
        assert!(CacheKey::parse(key).is_err(), "{key} parsed");
    }
    let key = CacheKey::parse("cc2:{t.a%3Ab}:t%2A:07070707:x%5C").expect("canonical");
    assert_eq!(rebuilt(&key).as_str(), key.as_str());
}

#[test]
fn global_scope_and_a_tenant_named_global_differ() {
    let hash = ContractHash::from_bytes([7; 32]);
    let global = CacheKey::new(&TenantId::global(), "t", &hash, vec!["1".into()]);
    let named = CacheKey::new(&TenantId::new("global"), "t", &hash, vec!["1".into()]);
    assert_eq!(global.as_str(), "cc2:{global}:t:07070707:1");
    assert_eq!(named.as_str(), "cc2:{t.global}:t:07070707:1");
}

#[test]
fn lower_case_escapes_are_not_canonical() {
    assert!(CacheKey::parse("cc2:{t.a%3a}:t:07070707").is_err());
    assert!(CacheKey::parse("cc2:{t.a%3A}:t:07070707").is_ok());
}

/// Redis's glob matching (`stringmatchlen` in `util.c`) for the subset the patterns use: `*`,
/// `?`, `\` escapes and literal characters (`[` never appears unescaped in a pattern built by
/// `RedisKeys`; it is refused here so that a regression fails loudly).
fn glob_match(pattern: &str, key: &str) -> bool {
    fn go(p: &[u8], k: &[u8]) -> bool {
        match p.split_first() {
            None => k.is_empty(),
            Some((b'*', rest)) => (0..=k.len()).any(|i| go(rest, &k[i..])),
            Some((b'?', rest)) => !k.is_empty() && go(rest, &k[1..]),
            Some((b'[', _)) => panic!("unescaped `[` in a pattern"),
            Some((b'\\', rest)) => match rest.split_first() {
                Some((c, rest)) => k.first() == Some(c) && go(rest, &k[1..]),
                None => k == b"\\",
            },
            Some((c, rest)) => k.first() == Some(c) && go(rest, &k[1..]),
        }
    }
    go(pattern.as_bytes(), key.as_bytes())
}
