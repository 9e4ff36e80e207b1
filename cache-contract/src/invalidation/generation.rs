//! Generations: wide invalidations without scanning the keyspace.
//!
//! Every entry key carries two counters (see [`RedisKeys::entry`]):
//!
//! ```text
//! <p>cc2:{<scope>}:e:<table>:<hash8>:g<tenant generation>.<table generation>[:<part>]*
//! ```
//!
//! Invalidating a whole tenant increments the tenant's generation; invalidating a table
//! within a tenant increments that table's generation. Readers build keys with the current
//! generations, so every older entry becomes unreachable at once and simply expires by its
//! TTL. Nothing ever runs `KEYS` or `SCAN` with a pattern (slow, and with tenant ids
//! containing `*` `?` `[` an injection risk).
//!
//! # In Redis
//!
//! The generation, row-version and entry keys are [`RedisKeys`]'s (the one definition of
//! the key format, in [`crate::key`]): all of one tenant's keys share a hash tag, so they
//! live in one Redis Cluster slot. A missing counter reads as `0`. Generation keys have no
//! TTL; row versions expire a while after the entries they guard. Use a `noeviction` or
//! `volatile-*` `maxmemory-policy`: an evicted generation key would make older entries
//! reachable again.
//!
//! Each read is one Lua script round trip: it reads both generations and the row version,
//! builds the entry key from an [`EntryKeyTemplate`] and returns the entry together with
//! the three counters — the *lease*. Storing a loaded value is another script that writes
//! only if all three counters still equal the lease, so a load that began before an
//! invalidation never stores its old value after it (no stale set), atomically in Redis.
//!
//! # In process
//!
//! The local tier keeps the same three counters per cache (a map of bumped tenant and table
//! generations, plus row versions in hashed stripes) and an *epoch* that a resync bumps,
//! which makes every local entry unreachable at once.
//!
//! [`RedisKeys`]: crate::key::RedisKeys
//! [`RedisKeys::entry`]: crate::key::RedisKeys::entry
//! [`EntryKeyTemplate`]: crate::key::EntryKeyTemplate
