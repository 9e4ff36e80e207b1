//! What a `metrics_util` debugging recorder saw: counters and histogram samples by name and
//! labels.

use metrics_util::debugging::{DebugValue, Snapshotter};

/// The metrics recorded since the previous [`take`] (the recorder resets on snapshot).
pub struct Seen(Vec<(String, Labels, DebugValue)>);

type Labels = Vec<(String, String)>;

/// Takes the snapshot.
pub fn take(snapshotter: &Snapshotter) -> Seen {
    Seen(
        snapshotter
            .snapshot()
            .into_vec()
            .into_iter()
            .map(|(k, _, _, v)| {
                let key = k.key();
                let labels = key
                    .labels()
                    .map(|l| (l.key().to_string(), l.value().to_string()))
                    .collect();
                (key.name().to_string(), labels, v)
            })
            .collect(),
    )
}

impl Seen {
    /// The sum of counter `name` over series carrying every label of `labels`.
    pub fn counter(&self, name: &str, labels: &[(&str, &str)]) -> u64 {
        self.0
            .iter()
            .filter(|(n, have, _)| {
                n == name
                    && labels
                        .iter()
                        .all(|(k, v)| have.iter().any(|(hk, hv)| hk == k && hv == v))
            })
            .map(|(_, _, v)| match v {
                DebugValue::Counter(c) => *c,
                _ => 0,
            })
            .sum()
    }

    /// How many samples histogram `name` received, over all its series.
    pub fn histogram_samples(&self, name: &str) -> usize {
        self.0
            .iter()
            .filter(|(n, _, _)| n == name)
            .map(|(_, _, v)| match v {
                DebugValue::Histogram(h) => h.len(),
                _ => 0,
            })
            .sum()
    }
}
