use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "settings", migrations = "tests/ui/pass/generic_and_widening/migrations")]
struct Setting<V> {
    tenant_id: String,
    id: i64,
    small: i64,
    value: V,
}

fn main() {
    let s = Setting { tenant_id: "t".into(), id: 1, small: 2, value: serde_json::json!({"a": 1}) };
    assert!(s.cache_key().as_str().ends_with(":1"));
    let other = Setting { tenant_id: "t".into(), id: 1, small: 2, value: serde_json::json!(null) };
    // The contract hash is part of the key, the value's type is not.
    assert_eq!(s.cache_key(), other.cache_key());
}
