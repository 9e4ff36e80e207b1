//! One generic cache of values made from files, keyed by what they were made from and
//! trusted while the files' stamp (sizes, modification times) is unchanged: the derives of
//! one crate share one replay of a migration directory and one reading of `Cargo.toml`.
//! (sqlx-macros-core keeps its `MtimeCache<T>` the same way.)

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Values of type `T` under keys `K`, each with the stamp `S` it was made at.
pub struct StampCache<K, S, T> {
    entries: Mutex<Option<HashMap<K, Entry<S, T>>>>,
}

struct Entry<S, T> {
    stamp: S,
    /// When the stamp was last compared with the files.
    checked: Instant,
    value: Arc<T>,
}

impl<K: Hash + Eq, S: PartialEq, T> StampCache<K, S, T> {
    /// An empty cache (usable in a `static`).
    pub const fn new() -> Self {
        StampCache {
            entries: Mutex::new(None),
        }
    }

    /// The value under `key`: the cached one when its stamp was compared less than
    /// `recheck` ago, or still equals `stamp()`; else `make(&stamp)`, cached (an error is
    /// not).
    pub fn get<E>(
        &self,
        key: K,
        recheck: Duration,
        stamp: impl FnOnce() -> S,
        make: impl FnOnce(&S) -> Result<T, E>,
    ) -> Result<Arc<T>, E> {
        // A poisoned lock only means another derive panicked mid-insert; the map is valid.
        let mut guard = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let entries = guard.get_or_insert_with(HashMap::new);
        if let Some(e) = entries.get(&key)
            && e.checked.elapsed() < recheck
        {
            return Ok(Arc::clone(&e.value));
        }
        let now = stamp();
        if let Some(e) = entries.get_mut(&key)
            && e.stamp == now
        {
            e.checked = Instant::now();
            return Ok(Arc::clone(&e.value));
        }
        let value = Arc::new(make(&now)?);
        entries.insert(
            key,
            Entry {
                stamp: now,
                checked: Instant::now(),
                value: Arc::clone(&value),
            },
        );
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn a_value_lasts_while_its_stamp_does() {
        let cache: StampCache<&str, u32, String> = StampCache::new();
        let made = Cell::new(0);
        let get = |stamp: u32, recheck| {
            cache
                .get(
                    "k",
                    recheck,
                    || stamp,
                    |s| {
                        made.set(made.get() + 1);
                        Ok::<_, ()>(format!("made at {s}"))
                    },
                )
                .unwrap()
        };
        let first = get(1, Duration::ZERO);
        assert!(Arc::ptr_eq(&first, &get(1, Duration::ZERO)));
        assert_eq!(made.get(), 1);
        assert!(
            Arc::ptr_eq(&first, &get(2, Duration::MAX)),
            "not rechecked yet"
        );
        let second = get(2, Duration::ZERO);
        assert_eq!(*second, "made at 2");
        assert_eq!(made.get(), 2);
        let err = cache.get("other", Duration::ZERO, || 1, |_| Err::<String, _>("no"));
        assert_eq!(err.unwrap_err(), "no");
        assert!(
            cache
                .get("other", Duration::ZERO, || 1, |_| Ok::<_, ()>("yes".into()))
                .is_ok(),
            "an error is not cached"
        );
    }
}
