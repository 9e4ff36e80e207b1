//! A bounded memory of recently seen message ids, to drop duplicates.

use std::collections::{HashSet, VecDeque};

/// Remembers the last `capacity` ids; older ids are forgotten (a repeat older than that is
/// delivered again, which is harmless: invalidating twice only costs a miss).
///
/// ```
/// use cache_contract::invalidation::RecentIds;
/// let mut seen = RecentIds::new(2);
/// assert!(seen.insert("a"));
/// assert!(!seen.insert("a"));
/// assert!(seen.insert("b"));
/// assert!(seen.insert("c")); // forgets "a"
/// assert!(seen.insert("a"));
/// ```
#[derive(Debug)]
pub struct RecentIds {
    capacity: usize,
    order: VecDeque<String>,
    set: HashSet<String>,
}

impl RecentIds {
    /// A memory of at most `capacity` ids (at least one).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        RecentIds {
            capacity,
            order: VecDeque::with_capacity(capacity),
            set: HashSet::with_capacity(capacity),
        }
    }

    /// Records `id`; `false` if it was already among the remembered ids.
    pub fn insert(&mut self, id: &str) -> bool {
        if self.set.contains(id) {
            return false;
        }
        if self.order.len() == self.capacity
            && let Some(old) = self.order.pop_front()
        {
            self.set.remove(&old);
        }
        self.order.push_back(id.to_string());
        self.set.insert(id.to_string());
        true
    }

    /// Whether `id` is among the remembered ids.
    pub fn contains(&self, id: &str) -> bool {
        self.set.contains(id)
    }

    /// How many ids are remembered.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether no id is remembered.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_stays_bounded() {
        let mut r = RecentIds::new(100);
        for i in 0..10_000 {
            assert!(r.insert(&i.to_string()));
        }
        assert_eq!(r.len(), 100);
        assert!(!r.insert("9999"));
        assert!(r.insert("0"));
    }
}
