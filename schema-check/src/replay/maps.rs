//! The hash maps and sets of the replay: std's, hashed with foldhash instead of SipHash.
//!
//! Their keys are names from the user's own migrations, which nobody picks to collide, so
//! the replay does without SipHash's resistance to collision attacks (about 190
//! instructions a short key) for a hasher that costs a fraction of it. The seed is fixed:
//! the replay's output never depends on a map's order, and a fixed seed keeps it so from
//! one run to the next.

/// How the replay's maps and sets hash their keys.
pub(crate) type FastHash = foldhash::fast::FixedState;

/// A [`std::collections::HashMap`] hashed with [`FastHash`]; build with `default()`.
pub(crate) type HashMap<K, V> = std::collections::HashMap<K, V, FastHash>;

/// A [`std::collections::HashSet`] hashed with [`FastHash`]; build with `default()`.
pub(crate) type HashSet<T> = std::collections::HashSet<T, FastHash>;
