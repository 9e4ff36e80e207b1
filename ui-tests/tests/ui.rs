//! Compile-fail and compile-pass cases of `#[derive(CacheContract)]`.

#[test]
fn ui() {
    // trybuild compiles the cases in a crate it generates under `target/`, so
    // CARGO_MANIFEST_DIR there is not this crate's directory: tell the derive where the
    // cases' migration directories (`tests/ui/...`) are relative to.
    // SAFETY: set before trybuild spawns anything; this test binary has no other test
    // reading the environment concurrently.
    unsafe { std::env::set_var("CACHE_CONTRACT_MANIFEST_DIR", env!("CARGO_MANIFEST_DIR")) };
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*/*.rs");
}
