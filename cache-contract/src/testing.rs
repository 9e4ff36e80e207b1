//! A hand-written `CacheContract` implementation for the crate's unit tests.

use serde::{Deserialize, Serialize};

use crate::contract::{CacheContract, ColumnMapping};
use crate::key::SchemaHash;
use crate::tenant::{TenantId, TenantScoped};

/// A row of the test table `rows`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    pub tenant: String,
    pub id: u64,
    pub name: String,
}

pub fn row(tenant: &str, id: u64, name: &str) -> Row {
    Row {
        tenant: tenant.to_string(),
        id,
        name: name.to_string(),
    }
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
