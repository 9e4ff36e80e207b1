//! A run's rows by tenant range: once the walk has listed enough entries of a tenant's
//! table, its rows are fetched with one statement ([`RowSource::fetch_tenant`]) instead of
//! one index probe per key, and kept packed for every later batch of the walk (per row, a
//! hash of its key and 64 bits of the checksum of its canonical values, nothing else), up to
//! [`AuditConfig::cached_rows`] rows (least recently used tenants go first). An entry whose
//! values have its row's checksum is fresh; any other entry is checked again by key.
//!
//! A `SCAN` over every tenant lists keys in hash order: each batch holds a few entries of
//! many tenants, and no batch can tell when a tenant's entries are all listed. So the rows
//! are cached rather than the entries held: the walk streams on, batch by batch, and each
//! batch compares against the cached rows while the next ones are read.
//!
//! How many rows a range may hold is estimated from the walk: `SCAN`'s cursor tells how far
//! through the keyspace the walk is (Redis advances it with its bits reversed, so the
//! reversed cursor over 2^64 is the share of hash buckets visited), and a tenant's entries
//! listed so far over that share estimate its entries in all. A range is read once its
//! tenant has at least [`MIN_LISTED`] entries listed, with a bound of
//! [`MARGIN`] × the estimate (so a tenant of many rows and few cached entries costs at most
//! that many rows, once); a range that comes back full is partial, cannot tell an orphan,
//! and is not kept: that tenant is checked by key for the rest of the run, and so is a
//! tenant whose range was dropped to make room. No range is read twice in one run, and no
//! batch waits for one: while a range is read, the other batches check that tenant's
//! entries by key. A table whose ranges come back partial more often than whole (after
//! [`PARTIAL_ENOUGH`] partial ones) reads no more ranges in the run.
//!
//! [`AuditConfig::cached_rows`]: super::AuditConfig::cached_rows

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::normalize;
use super::query::TableSpec;
use super::rows::{Row, RowError, RowKey, RowSource};

/// Entries of a tenant's table the walk must have listed before its range is read: fewer are
/// checked by key (as cheap as a range of a few rows, and the estimate is still noisy).
pub(crate) const MIN_LISTED: u64 = 16;

/// A range is read with a bound of this many times the tenant's estimated entries.
pub(crate) const MARGIN: f64 = 4.0;

/// After this many partial ranges of a table, if they outnumber its whole ones, the run
/// reads no more ranges of it: its tenants have many more rows than cached entries, and
/// each partial range was read for nothing.
pub(crate) const PARTIAL_ENOUGH: u32 = 4;

/// One tenant's rows of one table, packed: for each row, a 64-bit hash of its key and the
/// first 64 bits of the checksum of its canonical values ([`normalize::checksum`]), nothing
/// else, in one open-addressed table of 16-byte slots (a lookup reads one slot, seldom two:
/// the ranges of a run are megabytes, so a lookup is a cache miss or two, and these are
/// most of its cost). An entry is fresh when its own values' checksum begins with its row's;
/// anything else (another checksum, no row, another row of the same key hash) is checked
/// again by key, which names the differing columns.
///
/// What may go wrong is a stale entry taken for fresh: it would take a key hash and 64
/// bits of checksum both equal by chance (2^-64 per stale entry, for a row of its key).
/// Two rows of one key hash are harmless: the first stands, the entries of the other are
/// checked by key.
pub(crate) struct Packed {
    /// `(key hash, checksum prefix)`; a key hash of 0 marks a free slot (a key hashing to 0
    /// is taken as 1).
    slots: Vec<(u64, u64)>,
    /// `slots.len() - 1` (a power of two less one).
    mask: usize,
    /// The rows held.
    len: usize,
    /// The keyed hash of key texts, random per range.
    state: RandomState,
}

impl Packed {
    /// Packs `rows` (as fetched: [`TableSpec::selected`] columns).
    fn new(spec: &TableSpec, rows: &[Row]) -> Self {
        let filter = spec.filter_positions();
        let columns: Vec<_> = spec.columns.iter().collect();
        // At most half full: a probe ends within a slot or two.
        let size = (rows.len() * 2).max(4).next_power_of_two();
        let mut packed = Packed {
            slots: vec![(0, 0); size],
            mask: size - 1,
            len: 0,
            state: RandomState::new(),
        };
        let mut scratch = Vec::new();
        let mut texts = Vec::new();
        for row in rows {
            // The key texts, laid out; a NULL key column: no entry names the row.
            texts.clear();
            let complete = filter.iter().all(|&i| {
                row.get(i)
                    .and_then(|v| normalize::with_key_text(v, |t| lay_out(&mut texts, t)))
                    .is_some()
            });
            if !complete {
                continue;
            }
            let checksum = normalize::checksum(&columns, row, &mut scratch);
            packed.insert(packed.key_hash(&texts), prefix(&checksum));
        }
        packed
    }

    /// The rows held.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Whether the row of `key` is in the range with the checksum `values` (of an entry's
    /// canonical values, [`normalize::checksum`]). `false`: check the entry by key.
    pub(crate) fn holds(
        &self,
        key: RowKey<'_>,
        values: &blake3::Hash,
        scratch: &mut Vec<u8>,
    ) -> bool {
        scratch.clear();
        key.bound().for_each(|part| lay_out(scratch, part));
        let hash = self.key_hash(scratch);
        let mut at = self.start(hash);
        loop {
            let (slot, checksum) = self.slots[at];
            if slot == hash {
                return checksum == prefix(values);
            }
            if slot == 0 {
                return false;
            }
            at = (at + 1) & self.mask;
        }
    }

    /// Puts a row in; the first row of a key hash stands.
    fn insert(&mut self, hash: u64, checksum: u64) {
        let mut at = self.start(hash);
        loop {
            match self.slots[at].0 {
                0 => {
                    self.slots[at] = (hash, checksum);
                    self.len += 1;
                    return;
                }
                slot if slot == hash => return,
                _ => at = (at + 1) & self.mask,
            }
        }
    }

    /// The hash of laid-out key texts, never 0.
    fn key_hash(&self, laid_out: &[u8]) -> u64 {
        let mut hasher = self.state.build_hasher();
        hasher.write(laid_out);
        hasher.finish().max(1)
    }

    /// The slot a probe for `hash` starts at.
    fn start(&self, hash: u64) -> usize {
        hash as usize & self.mask
    }
}

/// The first 64 bits of a checksum.
fn prefix(checksum: &blake3::Hash) -> u64 {
    let mut first = [0u8; 8];
    first.copy_from_slice(&checksum.as_bytes()[..8]);
    u64::from_le_bytes(first)
}

/// Appends one key text, length first (so that no two keys lay out the same bytes).
fn lay_out(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(&(text.len() as u64).to_le_bytes());
    out.extend_from_slice(text.as_bytes());
}

/// A tenant's table in a run: its table and tenant.
type Group = (&'static str, Option<String>);

/// Where a tenant's rows come from for the rest of the run.
enum Slot {
    /// No range read yet; the entries listed so far.
    Listing(u64),
    /// Its range is being read; until it is, batches check the tenant's entries by key
    /// rather than wait.
    Reading,
    /// Its range, whole; `stamp`: its place in the LRU order.
    Range { rows: Arc<Packed>, stamp: u64 },
    /// By key: the range was partial, dropped to make room, too large to keep, or the source
    /// reads no ranges.
    Keys,
}

/// The ranges of one run, bounded in rows.
pub(crate) struct Ranges {
    budget: usize,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    slots: HashMap<Group, Slot>,
    /// Ranges kept, by LRU stamp.
    order: BTreeMap<u64, Group>,
    clock: u64,
    /// Rows kept.
    held: usize,
    /// Per table: its ranges read whole, and partial.
    outcomes: HashMap<&'static str, (u32, u32)>,
}

impl Ranges {
    /// Ranges of at most `budget` rows in all (0: none).
    pub(crate) fn new(budget: usize) -> Self {
        Ranges {
            budget,
            state: Mutex::new(State::default()),
        }
    }

    /// The cached rows of `tenant`'s `spec` table for a batch that lists `listed` of its
    /// entries, the walk being `progress` (0–1] through the keyspace when the last of them
    /// was listed; reads the range first when the walk says it is time. `None`: check these
    /// entries by key (also while another batch reads the range: no batch waits for one).
    /// Every row read is counted in `row_reads`.
    pub(crate) async fn rows(
        &self,
        source: &dyn RowSource,
        spec: &TableSpec,
        tenant: Option<&str>,
        listed: u64,
        progress: f64,
        row_reads: &AtomicU64,
    ) -> Result<Option<Arc<Packed>>, RowError> {
        if self.budget == 0 {
            return Ok(None);
        }
        let limit = {
            let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
            let state = &mut *state;
            state.clock += 1;
            let now = state.clock;
            let group = (spec.table, tenant.map(str::to_string));
            let slot = state.slots.entry(group.clone()).or_insert(Slot::Listing(0));
            match slot {
                Slot::Keys | Slot::Reading => return Ok(None),
                Slot::Range { rows, stamp } => {
                    let rows = rows.clone();
                    state.order.remove(stamp);
                    *stamp = now;
                    state.order.insert(now, group);
                    return Ok(Some(rows));
                }
                Slot::Listing(seen) => {
                    *seen += listed;
                    let (whole, partial) =
                        state.outcomes.get(spec.table).copied().unwrap_or_default();
                    if *seen < MIN_LISTED
                        || progress.is_nan()
                        || progress <= 0.0
                        || (partial >= PARTIAL_ENOUGH && partial > whole)
                    {
                        return Ok(None);
                    }
                    let estimate = *seen as f64 / progress.min(1.0);
                    *slot = Slot::Reading;
                    ((estimate * MARGIN).ceil() as usize).min(self.budget)
                }
            }
        };
        let fetched = source.fetch_tenant(spec, tenant, limit).await?;
        let rows = fetched.as_ref().map_or(0, Vec::len);
        row_reads.fetch_add(rows as u64, Ordering::Relaxed);
        let whole = fetched.as_ref().map(|rows| rows.len() < limit);
        let packed = fetched
            .filter(|rows| rows.len() < limit)
            .map(|rows| Arc::new(Packed::new(spec, &rows)));
        Ok(self.keep(spec.table, tenant, whole, packed))
    }

    /// Keeps a range just read (`rows` `None`: partial, or the source reads none; `whole`:
    /// whether it was whole, `None` when the source reads none), making room by dropping
    /// the least recently used ranges; the range, if kept.
    fn keep(
        &self,
        table: &'static str,
        tenant: Option<&str>,
        whole: Option<bool>,
        rows: Option<Arc<Packed>>,
    ) -> Option<Arc<Packed>> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let outcomes = state.outcomes.entry(table).or_default();
        match whole {
            Some(true) => outcomes.0 += 1,
            Some(false) => outcomes.1 += 1,
            None => {}
        }
        let group = (table, tenant.map(str::to_string));
        let Some(rows) = rows.filter(|r| r.len() <= self.budget) else {
            state.slots.insert(group, Slot::Keys);
            return None;
        };
        while state.held + rows.len() > self.budget {
            let Some((_, dropped)) = state.order.pop_first() else {
                break;
            };
            if let Some(Slot::Range { rows, .. }) = state.slots.insert(dropped, Slot::Keys) {
                state.held -= rows.len();
            }
        }
        state.clock += 1;
        let stamp = state.clock;
        state.order.insert(stamp, group.clone());
        state.held += rows.len();
        state.slots.insert(
            group,
            Slot::Range {
                rows: rows.clone(),
                stamp,
            },
        );
        Some(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::query::Dialect;
    use crate::audit::rows::BoxFuture;
    use serde_json::json;
    use std::sync::atomic::AtomicUsize;

    fn spec() -> TableSpec {
        TableSpec::of::<crate::testing::Row>()
    }

    /// `n` rows of `tenant` as a database gives them: `[tenant, id, name]`.
    fn rows(tenant: &str, n: i64) -> Vec<Row> {
        (1..=n)
            .map(|id| vec![json!(tenant), json!(id), json!(format!("row {id}"))])
            .collect()
    }

    /// Tenants' rows in memory; counts the ranges asked for.
    struct Memory {
        tenants: HashMap<&'static str, Vec<Row>>,
        ranges: AtomicUsize,
        reads_ranges: bool,
        /// When set, each range waits for a permit.
        gate: Option<Arc<tokio::sync::Semaphore>>,
    }

    impl Memory {
        fn new(tenants: &[(&'static str, i64)]) -> Self {
            Memory {
                tenants: tenants.iter().map(|(t, n)| (*t, rows(t, *n))).collect(),
                ranges: AtomicUsize::new(0),
                reads_ranges: true,
                gate: None,
            }
        }
    }

    impl RowSource for Memory {
        fn dialect(&self) -> Dialect {
            Dialect::Sqlite
        }

        fn fetch<'a>(
            &'a self,
            _: &'a TableSpec,
            _: &'a [RowKey<'a>],
        ) -> BoxFuture<'a, Result<Vec<Row>, RowError>> {
            Box::pin(async { Err(RowError("by key: not in these tests".into())) })
        }

        fn fetch_tenant<'a>(
            &'a self,
            _: &'a TableSpec,
            tenant: Option<&'a str>,
            limit: usize,
        ) -> BoxFuture<'a, Result<Option<Vec<Row>>, RowError>> {
            Box::pin(async move {
                if !self.reads_ranges {
                    return Ok(None);
                }
                if let Some(gate) = &self.gate {
                    gate.acquire().await.unwrap().forget();
                }
                self.ranges.fetch_add(1, Ordering::Relaxed);
                let rows = self.tenants.get(tenant.unwrap_or("")).cloned();
                Ok(Some(
                    rows.unwrap_or_default().into_iter().take(limit).collect(),
                ))
            })
        }
    }

    async fn ask(
        ranges: &Ranges,
        source: &Memory,
        tenant: &str,
        listed: u64,
        progress: f64,
        reads: &AtomicU64,
    ) -> Option<Arc<Packed>> {
        ranges
            .rows(source, &spec(), Some(tenant), listed, progress, reads)
            .await
            .unwrap()
    }

    #[test]
    fn packed_rows_are_found_by_their_key_texts() {
        let mut fetched = rows("acme", 3);
        fetched.push(vec![json!("acme"), json!(null), json!("no key")]);
        fetched.push(vec![json!("acme"), json!("7"), json!(null)]);
        let packed = Packed::new(&spec(), &fetched);
        assert_eq!(packed.len(), 4); // not the row without a key
        let columns: Vec<_> = spec().columns.iter().collect();
        let scratch = &mut Vec::new();
        let checksum = |row: &Row| normalize::checksum(&columns, row, &mut Vec::new());
        let holds = |tenant: &str, id: &str, values: &Row| {
            packed.holds(
                RowKey {
                    tenant: Some(tenant),
                    parts: &[id.to_string()],
                },
                &checksum(values),
                &mut Vec::new(),
            )
        };
        // A number and its text are one key text; the checksum is the row's values'.
        assert!(holds("acme", "2", &fetched[1]));
        assert!(holds("acme", "7", &fetched[4]));
        let entry = vec![json!("acme"), json!(2), json!("row 2")];
        assert!(holds("acme", "2", &entry));
        let changed = vec![json!("acme"), json!(2), json!("row two")];
        assert!(!holds("acme", "2", &changed));
        assert!(!holds("acme", "3", &fetched[1])); // another row's values
        assert!(!holds("acme", "4", &fetched[1]));
        assert!(!holds("acme2", "2", &fetched[1]));
        // Key texts are laid out length first: ("ab", "c") is not ("a", "bc").
        let row = vec![json!("ab"), json!("c"), json!("x")];
        let two = Packed::new(&spec(), std::slice::from_ref(&row));
        let key = |t: &'static str, p: &str| (t, vec![p.to_string()]);
        for (tenant, parts, found) in
            [(key("ab", "c"), true), (key("a", "bc"), false)].map(|((t, p), f)| (t, p, f))
        {
            let got = two.holds(
                RowKey {
                    tenant: Some(tenant),
                    parts: &parts,
                },
                &checksum(&row),
                scratch,
            );
            assert_eq!(got, found, "{tenant:?} {parts:?}");
        }
    }

    #[test]
    fn every_row_of_a_large_range_is_found_and_the_first_of_a_key_stands() {
        let mut fetched = rows("acme", 5000);
        fetched.push(vec![json!("acme"), json!(1), json!("again")]);
        let packed = Packed::new(&spec(), &fetched);
        assert_eq!(packed.len(), 5000);
        let columns: Vec<_> = spec().columns.iter().collect();
        let (scratch, keys) = (&mut Vec::new(), &mut Vec::new());
        for (i, row) in fetched.iter().enumerate() {
            let id = row[1].to_string();
            let values = normalize::checksum(&columns, row, scratch);
            let key = RowKey {
                tenant: Some("acme"),
                parts: std::slice::from_ref(&id),
            };
            assert_eq!(packed.holds(key, &values, keys), i < 5000, "row {i}");
        }
    }

    #[tokio::test]
    async fn a_range_is_read_once_its_tenant_has_enough_entries_listed() {
        let source = Memory::new(&[("acme", 50)]);
        let ranges = Ranges::new(1000);
        let reads = AtomicU64::new(0);
        // Below MIN_LISTED: by key, nothing read.
        assert!(
            ask(&ranges, &source, "acme", 10, 0.5, &reads)
                .await
                .is_none()
        );
        assert_eq!(source.ranges.load(Ordering::Relaxed), 0);
        // 20 listed at half the walk: ~40 entries, a bound of 160 rows; the 50 are whole.
        let packed = ask(&ranges, &source, "acme", 10, 0.5, &reads)
            .await
            .unwrap();
        assert_eq!(packed.len(), 50);
        assert_eq!(reads.load(Ordering::Relaxed), 50);
        let again = ask(&ranges, &source, "acme", 10, 0.6, &reads)
            .await
            .unwrap();
        assert!(Arc::ptr_eq(&packed, &again));
        assert_eq!(source.ranges.load(Ordering::Relaxed), 1);
        assert_eq!(reads.load(Ordering::Relaxed), 50);
    }

    #[tokio::test]
    async fn no_batch_waits_for_a_range_being_read() {
        use futures_util::FutureExt;
        let gate = Arc::new(tokio::sync::Semaphore::new(0));
        let source = Memory {
            gate: Some(gate.clone()),
            ..Memory::new(&[("acme", 30)])
        };
        let ranges = Ranges::new(1000);
        let reads = AtomicU64::new(0);
        let first = ask(&ranges, &source, "acme", 20, 1.0, &reads);
        tokio::pin!(first);
        assert!(first.as_mut().now_or_never().is_none()); // reading
        // Meanwhile another batch checks acme's entries by key.
        assert!(
            ask(&ranges, &source, "acme", 20, 1.0, &reads)
                .await
                .is_none()
        );
        gate.add_permits(1);
        assert_eq!(first.await.map(|p| p.len()), Some(30));
        assert!(
            ask(&ranges, &source, "acme", 20, 1.0, &reads)
                .await
                .is_some()
        );
        assert_eq!(source.ranges.load(Ordering::Relaxed), 1);
    }

    #[tokio::test]
    async fn a_full_range_is_partial_and_its_tenant_goes_by_key() {
        // 16 listed at half the walk: ~32 entries, a bound of 128 rows, of 1000.
        let source = Memory::new(&[("acme", 1000)]);
        let ranges = Ranges::new(100_000);
        let reads = AtomicU64::new(0);
        assert!(
            ask(&ranges, &source, "acme", 16, 0.5, &reads)
                .await
                .is_none()
        );
        assert_eq!(reads.load(Ordering::Relaxed), 128);
        assert!(
            ask(&ranges, &source, "acme", 100, 0.9, &reads)
                .await
                .is_none()
        );
        assert_eq!(source.ranges.load(Ordering::Relaxed), 1);
    }

    #[tokio::test]
    async fn a_table_of_mostly_partial_ranges_reads_no_more() {
        let tenants: Vec<(&'static str, i64)> =
            ["a", "b", "c", "d", "e", "f"].map(|t| (t, 1000)).to_vec();
        let source = Memory::new(&tenants);
        let ranges = Ranges::new(100_000);
        let reads = AtomicU64::new(0);
        for (tenant, _) in &tenants {
            assert!(
                ask(&ranges, &source, tenant, 16, 0.5, &reads)
                    .await
                    .is_none()
            );
        }
        // 4 partial ranges of 128 rows each, then none.
        assert_eq!(
            source.ranges.load(Ordering::Relaxed),
            PARTIAL_ENOUGH as usize
        );
        assert_eq!(reads.load(Ordering::Relaxed), 4 * 128);
    }

    #[tokio::test]
    async fn the_least_recently_used_range_makes_room_and_is_not_read_again() {
        let source = Memory::new(&[("a", 60), ("b", 60), ("c", 60)]);
        let ranges = Ranges::new(130);
        let reads = AtomicU64::new(0);
        assert!(ask(&ranges, &source, "a", 20, 1.0, &reads).await.is_some());
        assert!(ask(&ranges, &source, "b", 20, 1.0, &reads).await.is_some());
        assert!(ask(&ranges, &source, "a", 1, 1.0, &reads).await.is_some()); // a used last
        assert!(ask(&ranges, &source, "c", 20, 1.0, &reads).await.is_some()); // b goes
        assert!(ask(&ranges, &source, "b", 20, 1.0, &reads).await.is_none());
        assert!(ask(&ranges, &source, "a", 1, 1.0, &reads).await.is_some());
        assert_eq!(source.ranges.load(Ordering::Relaxed), 3);
        assert_eq!(reads.load(Ordering::Relaxed), 180);
        // A range larger than the whole budget is not kept.
        let small = Ranges::new(50);
        assert!(ask(&small, &source, "a", 20, 1.0, &reads).await.is_none());
        assert!(ask(&small, &source, "a", 20, 1.0, &reads).await.is_none());
        assert_eq!(source.ranges.load(Ordering::Relaxed), 4);
    }

    #[tokio::test]
    async fn no_ranges_without_a_budget_or_a_source_that_reads_them() {
        let source = Memory::new(&[("a", 60)]);
        let reads = AtomicU64::new(0);
        let none = Ranges::new(0);
        assert!(ask(&none, &source, "a", 100, 1.0, &reads).await.is_none());
        assert_eq!(source.ranges.load(Ordering::Relaxed), 0);
        let keys_only = Memory {
            reads_ranges: false,
            ..Memory::new(&[("a", 60)])
        };
        let ranges = Ranges::new(1000);
        assert!(
            ask(&ranges, &keys_only, "a", 100, 1.0, &reads)
                .await
                .is_none()
        );
        assert!(
            ask(&ranges, &keys_only, "a", 100, 1.0, &reads)
                .await
                .is_none()
        );
        assert_eq!(reads.load(Ordering::Relaxed), 0);
    }
}
