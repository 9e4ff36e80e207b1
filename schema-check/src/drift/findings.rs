//! Drift as a [`Report`]: one finding per difference of each group of tenants, through the
//! renderer every command shares (text, JSON, SARIF).
//!
//! A finding's message names the group ("3 tenants (a, b, c): ...", the first few names
//! only) and the difference; its primary span is the migration statement that made the
//! expected state so; [`Finding::tenants`] lists every tenant of the group. Tenants that
//! could not be read are findings of [`DRIFT_UNREADABLE`].

use super::difference::{Change, Difference, file_line};
use super::group::Group;
use crate::report::{Finding, Report, Rule, Severity, Span};

/// An object the migrations create is missing from the database.
pub const DRIFT_MISSING: Rule = Rule {
    id: "drift-missing",
    summary: "an object the migrations create is missing from the database",
    explanation: "The migrations create this table, column, key, constraint, index, type or \
view, and the live database does not have it: a migration that failed halfway, a tenant \
restored from an old backup, or a change made by hand.\n\n\
`schema-check drift --remediation` prints the SQL that creates it again; `--as-migration` \
writes that SQL as a new migration for review.",
    default_severity: Severity::Error,
};

/// The database has an object the migrations do not create.
pub const DRIFT_EXTRA: Rule = Rule {
    id: "drift-extra",
    summary: "the database has an object the migrations do not create",
    explanation: "The live database has a table, column, key, constraint, index, type or \
view that no migration creates: usually a hotfix applied by hand.\n\n\
Either write it into a migration, so that every tenant and every new database gets it, or \
drop it (`--remediation` prints the SQL). Objects that are meant to live outside the \
migrations can be left out with `--ignore GLOB` or `drift-ignore` in \
`[package.metadata.cache-contract]`.",
    default_severity: Severity::Error,
};

/// An object differs from what the migrations make of it.
pub const DRIFT_CHANGED: Rule = Rule {
    id: "drift-changed",
    summary: "an object differs from what the migrations make of it",
    explanation: "The object exists on both sides but differs: a column's type, nullability, \
default or generation, the definition or name of a key, constraint or index, an enum's \
labels, a view that is materialized on one side only.\n\n\
`schema-check drift --remediation` prints the SQL that restores what the migrations say \
(changes that can lose data, such as narrowing a type, are commented out unless \
`--allow-destructive`).",
    default_severity: Severity::Error,
};

/// A tenant's schema could not be read.
pub const DRIFT_UNREADABLE: Rule = Rule {
    id: "drift-unreadable",
    summary: "a tenant's database could not be read",
    explanation: "Connecting to the database, or reading its catalog, failed for this tenant, \
so whether it drifted is not known. The run exits with 2.\n\n\
Check that the server is up, that the user may read the catalog (PostgreSQL `pg_catalog`, \
MySQL `information_schema`) and, for SQLite, that the file exists and is a database.",
    default_severity: Severity::Error,
};

/// The rules of `drift`, in catalogue order.
pub const RULES: [Rule; 4] = [DRIFT_MISSING, DRIFT_EXTRA, DRIFT_CHANGED, DRIFT_UNREADABLE];

/// At most this many tenant names are shown in a message (all of them are in
/// [`Finding::tenants`]).
pub const NAMES_SHOWN: usize = 5;

/// `3 tenants (a, b, c)`, the first [`NAMES_SHOWN`] names then `… N more`.
///
/// ```
/// use schema_check::drift::findings::tenants_phrase;
/// let names: Vec<String> = (1..=7).map(|i| format!("t{i}")).collect();
/// assert_eq!(tenants_phrase(&names[..1]), "1 tenant (t1)");
/// assert_eq!(tenants_phrase(&names), "7 tenants (t1, t2, t3, t4, t5, … 2 more)");
/// ```
pub fn tenants_phrase(tenants: &[String]) -> String {
    let n = tenants.len();
    let mut list = tenants
        .iter()
        .take(NAMES_SHOWN)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if n > NAMES_SHOWN {
        list.push_str(&format!(", … {} more", n - NAMES_SHOWN));
    }
    format!("{n} tenant{} ({list})", if n == 1 { "" } else { "s" })
}

/// The report of a drift run: a finding per difference of each drifted group (the group
/// named in the message when more than one tenant was compared), a finding per tenant in
/// `unreadable` (`(tenant, message)`), and every tenant in [`Report::tenants`].
///
/// ```
/// use schema_check::drift::findings::report;
/// use schema_check::drift::{Change, Difference, Group, Object};
/// use schema_check::Location;
///
/// let missing = Difference {
///     object: Object::Column { table: "orders".into(), column: "note".into() },
///     change: Change::Missing,
///     expected: Some("text".into()),
///     actual: None,
///     since: Some(Location { file: "migrations/0007_notes.sql".into(), line: 3, column: 1 }),
/// };
/// let groups = [
///     Group { tenants: vec!["t1".into(), "t2".into()], differences: vec![missing] },
///     Group { tenants: vec!["t3".into()], differences: vec![] },
/// ];
/// let report = report(&groups, &[]);
/// assert_eq!(report.findings.len(), 1);
/// let f = &report.findings[0];
/// assert_eq!(f.rule, "drift-missing");
/// assert!(f.message.starts_with("2 tenants (t1, t2): column `orders.note` is missing"));
/// assert_eq!(f.primary.as_ref().unwrap().span.to_string(), "migrations/0007_notes.sql:3:1");
/// assert_eq!(f.tenants, ["t1", "t2"]);
/// assert_eq!(report.tenants, ["t1", "t2", "t3"]);
/// ```
pub fn report(groups: &[Group], unreadable: &[(String, String)]) -> Report {
    let mut report = Report::new(&RULES);
    let compared: usize = groups.iter().map(|g| g.tenants.len()).sum();
    let several = compared + unreadable.len() > 1;
    for g in groups {
        let who = several.then(|| tenants_phrase(&g.tenants));
        for d in &g.differences {
            report.push(finding(d, who.as_deref(), &g.tenants));
        }
    }
    for (tenant, message) in unreadable {
        report.push(
            Finding::new(
                &DRIFT_UNREADABLE,
                format!("cannot read `{tenant}`: {message}"),
            )
            .with_tenants([tenant.as_str()])
            .with_identity(tenant.as_str()),
        );
    }
    let mut tenants: Vec<String> = groups
        .iter()
        .flat_map(|g| g.tenants.iter().cloned())
        .chain(unreadable.iter().map(|(t, _)| t.clone()))
        .collect();
    tenants.sort();
    report.tenants = tenants;
    report
}

/// One difference of a group as a finding.
fn finding(d: &Difference, who: Option<&str>, tenants: &[String]) -> Finding {
    let rule = match d.change {
        Change::Missing => &DRIFT_MISSING,
        Change::Extra => &DRIFT_EXTRA,
        _ => &DRIFT_CHANGED,
    };
    let message = match who {
        Some(who) => format!("{who}: {d}"),
        None => d.to_string(),
    };
    let shown = |v: &Option<String>| v.as_deref().unwrap_or("none").to_string();
    let mut f = Finding::new(rule, message)
        .with_tenants(tenants.iter().map(String::as_str))
        // Groups are disjoint, so their first tenants tell apart the same difference in
        // two groups.
        .with_identity(format!(
            "{}|{:?}|{}",
            d.object,
            d.change,
            tenants.first().map_or("", String::as_str)
        ));
    if let Some(at) = &d.since {
        let label = match d.change {
            Change::Missing => format!("creates it as `{}`", shown(&d.expected)),
            _ => format!("makes it `{}`", shown(&d.expected)),
        };
        f = f.at(Span::from(at), label);
    }
    let help = match d.change {
        Change::Missing => "`--remediation` prints the SQL that creates it again".to_string(),
        Change::Extra => "drop it (`--remediation` prints the SQL) or write it into a \
                          migration; `--ignore GLOB` leaves out objects kept outside the \
                          migrations"
            .to_string(),
        _ => match &d.since {
            Some(at) => format!(
                "`--remediation` prints the SQL that restores what {} says",
                file_line(at)
            ),
            None => {
                "`--remediation` prints the SQL that restores what the migrations say".to_string()
            }
        },
    };
    f.with_help(help)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drift::Object;

    fn index(name: &str) -> Difference {
        Difference {
            object: Object::Index {
                table: "users".into(),
                name: name.into(),
            },
            change: Change::Extra,
            expected: None,
            actual: Some("(email)".into()),
            since: None,
        }
    }

    #[test]
    fn one_database_is_not_named_and_extra_objects_have_no_span() {
        let groups = [Group {
            tenants: vec!["postgres://app:***@db/app".into()],
            differences: vec![index("hot")],
        }];
        let r = report(&groups, &[]);
        let f = &r.findings[0];
        assert_eq!(f.rule, DRIFT_EXTRA.id);
        assert_eq!(
            f.message,
            "index `hot` on `users` is not in the migrations (found `(email)`)"
        );
        assert!(f.primary.is_none());
        assert_eq!(r.exit_code(false), crate::report::EXIT_FINDINGS);
    }

    #[test]
    fn the_same_difference_in_two_groups_has_two_fingerprints() {
        let groups = [
            Group {
                tenants: vec!["a".into()],
                differences: vec![index("hot")],
            },
            Group {
                tenants: vec!["b".into()],
                differences: vec![index("hot"), index("cold")],
            },
        ];
        let r = report(&groups, &[("c".into(), "connection refused".into())]);
        assert_eq!(r.findings.len(), 4);
        assert_ne!(r.findings[0].fingerprint(), r.findings[1].fingerprint());
        assert!(r.findings[0].message.starts_with("1 tenant (a): "));
        let last = &r.findings[3];
        assert_eq!(last.rule, DRIFT_UNREADABLE.id);
        assert_eq!(last.message, "cannot read `c`: connection refused");
        assert_eq!(r.tenants, ["a", "b", "c"]);
    }
}
