//! The catalogue of tenant-isolation rules: stable ids, summaries and explanations
//! (`schema-check lint --explain RULE`, SARIF help).

use crate::report::{Rule, Severity};

/// A tenant table whose tenant column accepts NULL.
pub const TENANT_COLUMN_NULLABLE: Rule = Rule {
    id: "tenant-column-nullable",
    summary: "the tenant column of a tenant table is nullable",
    explanation: "A row whose tenant is NULL belongs to no tenant: every query filtered by \
`tenant_id = $1` misses it, and any query that forgets the filter, or tests `IS NULL`, shows \
it to everyone. A cached struct's tenant field cannot hold it either.\n\n\
Make the column NOT NULL in a new migration (PostgreSQL: `ALTER TABLE t ALTER COLUMN \
tenant_id SET NOT NULL`; MySQL/MariaDB: `ALTER TABLE t MODIFY tenant_id <type> NOT NULL`; \
SQLite: rebuild the table). The finding points at the migration that created the column or \
last changed it.",
    default_severity: Severity::Error,
};

/// A primary key, unique constraint or unique index of a tenant table that leaves out the
/// tenant column.
pub const KEY_WITHOUT_TENANT: Rule = Rule {
    id: "key-without-tenant",
    summary: "a primary key or unique constraint/index of a tenant table leaves out the tenant column",
    explanation: "A key that is unique across tenants lets one tenant's row block another's \
insert (two tenants cannot both have a user `alice@example.com`), and the resulting unique \
violation tells the second tenant that the value exists elsewhere: a leak of another \
tenant's data through an error message.\n\n\
Put the tenant column in the key, first: `PRIMARY KEY (tenant_id, id)`, `UNIQUE (tenant_id, \
email)`. A surrogate key the database generates (an identity or a random UUID) cannot \
collide, but a key with the tenant is also what a composite foreign key from another tenant \
table needs (see `foreign-key-without-tenant`). If a value must really be unique across \
every tenant (a login name shared by all), suppress the finding on its migration with \
`-- schema-check: allow(key-without-tenant) <why>`.",
    default_severity: Severity::Error,
};

/// A foreign key from a tenant table to a tenant table that does not match the tenants.
pub const FOREIGN_KEY_WITHOUT_TENANT: Rule = Rule {
    id: "foreign-key-without-tenant",
    summary: "a foreign key between tenant tables leaves out the tenant column",
    explanation: "A foreign key on `(account_id)` alone only checks that *some* account has \
that id: a row of tenant A can point at a row of tenant B, and a join through it serves B's \
data to A.\n\n\
Make the foreign key composite, tenant column first on both sides, so that the database \
itself refuses a row that points across tenants: `FOREIGN KEY (tenant_id, account_id) \
REFERENCES accounts (tenant_id, id)` (the referenced table needs a primary key or unique \
constraint on `(tenant_id, id)`). The finding points at the migration that created or last \
changed the foreign key.",
    default_severity: Severity::Error,
};

/// An index of a tenant table whose first column is not the tenant column.
pub const INDEX_NOT_TENANT_FIRST: Rule = Rule {
    id: "index-not-tenant-first",
    summary: "an index of a tenant table does not start with the tenant column",
    explanation: "Every query of a tenant table filters on the tenant. An index that does not \
start with the tenant column serves those queries by scanning every tenant's entries (an \
index on `(created_at)` reads all tenants' recent rows to find one tenant's), and its cost \
grows with the largest tenant, not with yours.\n\n\
Start the index with the tenant column: `CREATE INDEX ... ON orders (tenant_id, \
created_at)`. The rule covers `CREATE INDEX` (and MySQL's `KEY`/`INDEX` in a table \
definition); a unique index that leaves the tenant column out entirely is \
`key-without-tenant` instead. A warning: it slows queries down, it does not leak data.",
    default_severity: Severity::Warning,
};

/// A table with no tenant column that is not declared global.
pub const TABLE_WITHOUT_TENANT: Rule = Rule {
    id: "table-without-tenant",
    summary: "a table has no tenant column and is not declared global",
    explanation: "A table without a tenant column is shared by every tenant. That is right \
for reference data (countries, plans) and wrong for everything else: a table that should \
have been scoped and was not is the most direct way to serve one customer another's data.\n\n\
Add the tenant column (a name listed in `tenant-columns`, `tenant_id` by default), or \
declare the table global in `[package.metadata.cache-contract]`: `global-tables = \
[\"countries\"]`.",
    default_severity: Severity::Error,
};

/// An allow comment that cannot be used as written.
pub const INVALID_ALLOW: Rule = Rule {
    id: "invalid-allow",
    summary: "a `schema-check: allow(...)` comment is malformed, names an unknown rule or gives no reason",
    explanation: "A finding is suppressed by a comment in the migration, on the statement it \
points at or on the lines just before that statement: `-- schema-check: \
allow(key-without-tenant) logins are unique across tenants`.\n\n\
The reason is required: it is what a reviewer reads instead of the finding. An allow without \
one, or naming no known rule, suppresses nothing.",
    default_severity: Severity::Error,
};

/// An allow comment that suppressed nothing.
pub const UNUSED_ALLOW: Rule = Rule {
    id: "unused-allow",
    summary: "a `schema-check: allow(...)` comment suppresses nothing",
    explanation: "The statement the comment applies to no longer has a finding of that rule \
(the problem was fixed, or the comment sits on the wrong statement). Remove the comment, or \
move it to the statement the finding points at, so that it does not hide a future finding.",
    default_severity: Severity::Warning,
};

/// Every lint rule, in catalogue order.
pub const RULES: &[Rule] = &[
    TENANT_COLUMN_NULLABLE,
    KEY_WITHOUT_TENANT,
    FOREIGN_KEY_WITHOUT_TENANT,
    INDEX_NOT_TENANT_FIRST,
    TABLE_WITHOUT_TENANT,
    INVALID_ALLOW,
    UNUSED_ALLOW,
];

/// The lint rule with id `id`.
///
/// ```
/// use schema_check::lint::rules::rule;
/// assert_eq!(rule("tenant-column-nullable").unwrap().id, "tenant-column-nullable");
/// assert!(rule("migration-error").is_none());
/// ```
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}
