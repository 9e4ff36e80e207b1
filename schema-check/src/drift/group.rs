//! Tenants grouped by identical drift, so that a thousand tenants read as a few lines.

use std::collections::BTreeMap;

use serde::Serialize;

use super::difference::Difference;

/// Tenants whose databases differ from the migrations in exactly the same way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    /// The tenants (schema, database or file names), sorted.
    pub tenants: Vec<String>,
    /// Their differences, sorted (empty: no drift).
    pub differences: Vec<Difference>,
}

/// Groups `(tenant, differences)` by identical differences: the largest group first, ties
/// by their first tenant. Each tenant's differences must be sorted (as
/// [`super::diff()`] returns them).
///
/// ```
/// use schema_check::drift::group_tenants;
/// let groups = group_tenants(vec![
///     ("t2".to_string(), vec![]),
///     ("t1".to_string(), vec![]),
/// ]);
/// assert_eq!(groups.len(), 1);
/// assert_eq!(groups[0].tenants, ["t1", "t2"]);
/// ```
pub fn group_tenants(results: Vec<(String, Vec<Difference>)>) -> Vec<Group> {
    let mut by_drift: BTreeMap<Vec<Difference>, Vec<String>> = BTreeMap::new();
    for (tenant, differences) in results {
        by_drift.entry(differences).or_default().push(tenant);
    }
    let mut groups: Vec<Group> = by_drift
        .into_iter()
        .map(|(differences, mut tenants)| {
            tenants.sort();
            Group {
                tenants,
                differences,
            }
        })
        .collect();
    groups.sort_by(|a, b| {
        b.tenants
            .len()
            .cmp(&a.tenants.len())
            .then_with(|| a.tenants.cmp(&b.tenants))
    });
    groups
}
