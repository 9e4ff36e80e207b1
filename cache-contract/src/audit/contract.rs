//! The type-erased view of one registered contract: its table spec, and how to open one of
//! its entries into column values without knowing its Rust type at the call site.

use std::marker::PhantomData;

use serde_json::Value;

use super::capture;
use super::query::TableSpec;
use crate::contract::CacheContract;
use crate::envelope::{self, Keyring, OpenError};
use crate::key::CacheKey;

/// Why an entry did not open into a row of values.
#[derive(Debug)]
pub(crate) enum Unopened {
    /// The envelope refused it.
    Envelope(OpenError),
    /// It opened, but holds another row than its key names.
    Misplaced(Box<CacheKey>),
    /// The struct does not serialize its field under the field's name (`#[serde(rename)]`).
    Unmappable(&'static str),
}

/// One registered contract type.
pub(crate) trait Audited: Send + Sync {
    /// The table, tenant and key columns and mapped columns.
    fn spec(&self) -> &TableSpec;
    /// Opens `bytes` read under `key` into the entry's column values, in the order of
    /// [`TableSpec::columns`].
    fn open(
        &self,
        keyring: Option<&Keyring>,
        bytes: &[u8],
        key: &CacheKey,
    ) -> Result<Vec<Value>, Unopened>;
}

/// [`Audited`] for the contract type `T`.
pub(crate) struct Contracted<T> {
    spec: TableSpec,
    /// The mapped fields' names, in [`TableSpec::columns`] order.
    fields: Vec<&'static str>,
    _t: PhantomData<fn() -> T>,
}

impl<T: CacheContract> Contracted<T> {
    pub(crate) fn new() -> Self {
        Contracted {
            spec: TableSpec::of::<T>(),
            fields: T::COLUMNS.iter().map(|c| c.field).collect(),
            _t: PhantomData,
        }
    }
}

impl<T: CacheContract> Audited for Contracted<T> {
    fn spec(&self) -> &TableSpec {
        &self.spec
    }

    fn open(
        &self,
        keyring: Option<&Keyring>,
        bytes: &[u8],
        key: &CacheKey,
    ) -> Result<Vec<Value>, Unopened> {
        let value: T =
            envelope::open_with(keyring, bytes, key.tenant()).map_err(Unopened::Envelope)?;
        // The row it holds, compared part by part (its `CacheKey` is built only to report
        // a mismatch); its tenant is the key's, or `open_with` refused it.
        let parts = T::key_parts(&value.key());
        if parts != key.parts() {
            return Err(Unopened::Misplaced(Box::new(value.cache_key())));
        }
        let Ok(values) = capture::fields(&value, &self.fields) else {
            return Err(Unopened::Unmappable(""));
        };
        values
            .into_iter()
            .zip(&self.fields)
            .map(|(v, field)| v.ok_or(Unopened::Unmappable(field)))
            .collect()
    }
}
