//! `#[derive(CacheContract)]`: checks a cache struct against the table its crate's SQL
//! migrations define, and implements `cache_contract::CacheContract` for it.

use proc_macro::TokenStream;

/// Derives `cache_contract::CacheContract`. See the `cache-contract` crate docs.
#[proc_macro_derive(CacheContract, attributes(cache))]
pub fn derive_cache_contract(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    syn::Error::new_spanned(&input.ident, "CacheContract derive is being built")
        .to_compile_error()
        .into()
}
