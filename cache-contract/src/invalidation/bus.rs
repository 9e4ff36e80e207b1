//! The in-process transport: a tokio broadcast channel with the same API as the Redis ones.
//! The embedded default for one-process applications and tests.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use cache_contract::TenantId;
//! use cache_contract::invalidation::{Event, Invalidation, bus::InProcessBus};
//! let bus = InProcessBus::new();
//! let mut sub = bus.subscriber().subscribe();
//! bus.publisher().publish(Invalidation::tenant(&TenantId::new("acme"))).await.unwrap();
//! match sub.recv().await {
//!     Some(Event::Invalidate(msg)) => assert_eq!(msg.tenant, TenantId::new("acme")),
//!     other => panic!("unexpected {other:?}"),
//! }
//! # });
//! ```

use std::sync::Arc;

use super::{Hub, Publisher, Subscriber, Transport};

/// Events buffered per subscription before a slow one is told to resync.
const CAPACITY: usize = 4096;
/// Recent ids remembered to drop repeats.
const DEDUP: usize = 4096;

/// An in-process invalidation bus. Cheap to clone; clones share the bus.
#[derive(Clone)]
pub struct InProcessBus {
    hub: Arc<Hub>,
}

impl Default for InProcessBus {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for InProcessBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InProcessBus").finish_non_exhaustive()
    }
}

impl InProcessBus {
    /// A new bus.
    pub fn new() -> Self {
        let hub = Hub::new("in-process", CAPACITY, DEDUP);
        hub.set_connected();
        InProcessBus { hub }
    }

    /// A publisher onto this bus.
    pub fn publisher(&self) -> Publisher {
        Publisher::with_transport(Transport::InProcess(self.hub.clone()))
    }

    /// A subscriber of this bus.
    pub fn subscriber(&self) -> Subscriber {
        Subscriber::new(self.hub.clone(), None)
    }
}
