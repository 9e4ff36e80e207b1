//! The derive's checks on hand-built schemas (the UI tests drive it on real migrations).

use std::sync::Arc;

use schema_check::model::{
    Column, HistoryEvent, Location, Provenance, Schema, Table, UniqueConstraint, View,
};
use schema_check::{SqlType, TypeFamily};

use crate::replay::{Replay, Source};

fn loc(file: &str, line: u32) -> Location {
    Location {
        file: format!("migrations/{file}").into(),
        line,
        column: 1,
    }
}

fn col(name: &str, canonical: &str, family: TypeFamily, nullable: bool, line: u32) -> Column {
    Column {
        name: name.into(),
        ty: SqlType::new(canonical, family),
        nullable,
        default: None,
        generated: None,
        provenance: Provenance::new(loc("0001_init.sql", line)),
    }
}

/// `users (tenant_id uuid, id bigint, name text, email text NULL)`, PK (tenant_id, id),
/// unique (tenant_id, name); a view `active_users`; `accounts` renamed to `customers`;
/// `users.full_name` renamed to `name`; `legacy` dropped.
fn schema() -> Schema {
    let mut s = Schema::default();
    let users = Table {
        name: "users".into(),
        columns: vec![
            col("tenant_id", "uuid", TypeFamily::Uuid, false, 2),
            col("id", "bigint", TypeFamily::Int { bytes: 8 }, false, 3),
            col("name", "text", TypeFamily::Text { max_len: None }, false, 4),
            col("email", "text", TypeFamily::Text { max_len: None }, true, 5),
        ],
        hidden_columns: Vec::new(),
        primary_key: Some(vec!["tenant_id".into(), "id".into()]),
        primary_key_name: Some("users_pkey".into()),
        primary_key_provenance: Some(Provenance::new(loc("0001_init.sql", 1))),
        unique: vec![UniqueConstraint {
            name: None,
            columns: vec!["tenant_id".into(), "name".into()],
            kind: schema_check::model::UniqueKind::Constraint,
            provenance: Provenance::new(loc("0001_init.sql", 1)),
        }],
        foreign_keys: vec![],
        checks: vec![],
        of_type: None,
        provenance: Provenance::new(loc("0001_init.sql", 1)),
    };
    let mut logs = users.clone();
    logs.name = "logs".into();
    logs.primary_key = None;
    logs.unique = vec![UniqueConstraint {
        name: None,
        columns: vec!["id".into()],
        kind: schema_check::model::UniqueKind::Index,
        provenance: Provenance::new(loc("0001_init.sql", 1)),
    }];
    logs.columns[0].nullable = true;
    s.tables.insert("users".into(), users);
    s.tables.insert("logs".into(), logs);
    s.views.insert(
        "active_users".into(),
        View {
            name: "active_users".into(),
            materialized: false,
            provenance: Provenance::new(loc("0003_view.sql", 1)),
        },
    );
    s.history = vec![
        HistoryEvent::TableDropped {
            table: "legacy".into(),
            at: loc("0002_drop.sql", 4),
        },
        HistoryEvent::TableRenamed {
            from: "accounts".into(),
            to: "customers".into(),
            at: loc("0002_drop.sql", 6),
        },
        HistoryEvent::ColumnRenamed {
            table: "users".into(),
            from: "full_name".into(),
            to: "name".into(),
            at: loc("0002_drop.sql", 8),
        },
        HistoryEvent::ColumnDropped {
            table: "users".into(),
            column: "age".into(),
            at: loc("0002_drop.sql", 9),
        },
    ];
    s
}

fn expand(input: syn::DeriveInput) -> String {
    expand_over(schema(), input)
}

/// The expansion of `input` against `schema` (and no migration errors).
fn expand_over(schema: Schema, input: syn::DeriveInput) -> String {
    let loaded = Arc::new(Replay {
        schema,
        files: vec![],
        errors: vec![],
    });
    let load = move |_: &Source| Ok(Arc::clone(&loaded));
    crate::derive(&input, &load).to_string()
}

/// The messages of every `compile_error!` in the expansion.
fn errors(input: syn::DeriveInput) -> Vec<String> {
    let out = expand(input);
    out.split("compile_error !")
        .skip(1)
        .map(|s| {
            let start = s.find('"').map_or(0, |i| i + 1);
            let end = s[start..].find("\" }").map_or(s.len(), |i| start + i);
            s[start..end].to_string()
        })
        .collect()
}

fn assert_one_error(input: syn::DeriveInput, needles: &[&str]) {
    let errs = errors(input);
    assert_eq!(errs.len(), 1, "expected one error, got {errs:#?}");
    for n in needles {
        assert!(errs[0].contains(n), "`{n}` not in {:?}", errs[0]);
    }
}

#[test]
fn a_matching_struct_expands_to_the_impls() {
    let out = expand(syn::parse_quote! {
        #[cache(table = "users")]
        struct User {
            tenant_id: Uuid,
            id: i64,
            name: String,
            email: Option<String>,
            #[cache(skip)]
            display: String,
        }
    });
    assert!(!out.contains("compile_error"), "{out}");
    assert!(out.contains("CacheContract for User"), "{out}");
    assert!(out.contains("key_columns : & [\"id\"]"), "{out}");
    assert!(
        out.contains(r#"tenant_column : :: core :: option :: Option :: Some ("tenant_id")"#),
        "{out}"
    );
    // Standard types that fit are asserted with `HoldsSql` directly, in one function...
    assert!(
        out.contains("Option < String > : __cache_contract_p :: HoldsSql < __cache_contract_p :: Nullable < __cache_contract_p :: Text > >"),
        "{out}"
    );
    assert!(
        out.contains("i64 : __cache_contract_p :: HoldsSql < __cache_contract_p :: Int8 >"),
        "{out}"
    );
    assert_eq!(
        out.matches("fn _cache_contract_check_types").count(),
        1,
        "{out}"
    );
    // ... any other through a trait whose message names the column, asserted by its
    // constant (no where-clause: rustc would add a note on trivial bounds).
    assert_eq!(out.matches("on_unimplemented").count(), 1, "{out}");
    assert!(
        out.contains("const _ : () = < Uuid as __cache_contract_column_tenant_id > :: OK ;"),
        "{out}"
    );
    assert!(
        !out.contains("display"),
        "skipped fields are not mapped: {out}"
    );
    // The mapping is one literal, as `cache_contract::Columns::from_packed` reads it.
    assert!(
        out.contains(r#"columns : "tenant_id\0tenant_id\0uuid\x000\0Uuid\0id\0id\0bigint\x000\0Int8\0name\0name\0text\x000\0Text\0email\0email\0text\x001\0Text\0""#),
        "{out}"
    );
}

#[test]
fn a_column_name_with_a_nul_cannot_be_packed() {
    let mut schema = schema();
    let users = schema.tables.get_mut("users").unwrap();
    users.columns[2].name = "na\0me".into();
    let out = expand_over(
        schema,
        syn::parse_quote! {
            #[cache(table = "users")]
            struct U { tenant_id: Uuid, id: i64, #[cache(column = "na\0me")] name: String }
        },
    );
    assert!(
        out.contains("column `na\\\\0me` of `users` has a NUL character in its name or type (last changed in migrations/0001_init.sql:4): cache-contract cannot map it"),
        "{out}"
    );
}

#[test]
fn unknown_table_suggests_a_close_name() {
    assert_one_error(
        syn::parse_quote! { #[cache(table = "user")] struct U { tenant_id: Uuid, id: i64 } },
        &["no table `user`", "did you mean `users`?"],
    );
}

#[test]
fn dropped_renamed_and_view_tables_are_explained() {
    assert_one_error(
        syn::parse_quote! { #[cache(table = "legacy")] struct U { tenant_id: Uuid } },
        &["table `legacy` was dropped in migrations/0002_drop.sql:4"],
    );
    assert_one_error(
        syn::parse_quote! { #[cache(table = "accounts")] struct U { tenant_id: Uuid } },
        &[
            "renamed to `customers` in migrations/0002_drop.sql:6",
            "table = \\\"customers\\\"",
        ],
    );
    assert_one_error(
        syn::parse_quote! { #[cache(table = "active_users")] struct U { tenant_id: Uuid } },
        &["`active_users` is a view (created in migrations/0003_view.sql:1)"],
    );
}

#[test]
fn every_missing_column_is_reported_with_its_history() {
    let errs = errors(syn::parse_quote! {
        #[cache(table = "users")]
        struct U { tenant_id: Uuid, id: i64, full_name: String, age: i32, emial: Option<String> }
    });
    assert_eq!(errs.len(), 3, "{errs:#?}");
    assert!(
        errs[0].contains("column `full_name` was renamed to `name` in migrations/0002_drop.sql:8")
    );
    assert!(
        errs[0].contains("#[cache(column = \\\"name\\\")]"),
        "{}",
        errs[0]
    );
    assert!(errs[1].contains("column `age` was dropped in migrations/0002_drop.sql:9"));
    assert!(errs[2].contains("did you mean `email`?"));
}

#[test]
fn tenant_rules() {
    assert_one_error(
        syn::parse_quote! { #[cache(table = "users")] struct U { id: i64 } },
        &[
            "`U` has no tenant field",
            "#[cache(tenant)]",
            "#[cache(global)]",
        ],
    );
    assert_one_error(
        syn::parse_quote! {
            #[cache(table = "logs")]
            struct L { tenant_id: Uuid, #[cache(key)] id: i64, #[cache(key)] name: String }
        },
        &["tenant column `logs.tenant_id` is nullable"],
    );
    assert_one_error(
        syn::parse_quote! { #[cache(table = "users", global)] struct U { #[cache(tenant)] tenant_id: Uuid, id: i64 } },
        &["a `#[cache(global)]` struct has no tenant"],
    );
}

#[test]
fn keys_must_identify_a_row() {
    let errs = errors(syn::parse_quote! {
        #[cache(table = "users")]
        struct U { tenant_id: Uuid, #[cache(key)] email: Option<String> }
    });
    assert_eq!(errs.len(), 2, "{errs:#?}");
    assert!(errs[0].contains(
        "key column `users.email` is nullable (last changed in migrations/0001_init.sql:5)"
    ));
    assert!(errs[1].contains("two rows within a tenant could share one cache key"));
    // A unique constraint other than the primary key is a valid key.
    let out = expand(syn::parse_quote! {
        #[cache(table = "users")]
        struct U { tenant_id: Uuid, #[cache(key)] name: String }
    });
    assert!(!out.contains("compile_error"), "{out}");
    // Without the tenant, `name` is only unique within a tenant.
    assert_one_error(
        syn::parse_quote! {
            #[cache(table = "users", global)]
            struct U { #[cache(key)] name: String }
        },
        &[
            "the key (`name`) does not identify a row of `users`",
            "(`tenant_id`, `id`)",
        ],
    );
    assert_one_error(
        syn::parse_quote! { #[cache(table = "users")] struct U { tenant_id: Uuid, name: String } },
        &[
            "defaults to the primary key (`tenant_id`, `id`)",
            "no field maps to its column `id`",
        ],
    );
}

#[test]
fn attribute_mistakes_are_all_reported() {
    let errs = errors(syn::parse_quote! {
        #[cache(table = "users", tabel = "x", table = "users")]
        struct U {
            #[cache(tennant)] tenant_id: Uuid,
            #[cache(key = "yes")] id: i64,
            #[cache(skip, column = "x")] a: i32,
            #[cache(column)] b: i32,
            #[cache(table = "t")] c: i32,
        }
    });
    let all = errs.join("\n");
    for needle in [
        "unknown attribute `tabel` on a struct; did you mean `table`?",
        "duplicate `table` attribute",
        "unknown attribute `tennant` on a field; did you mean `tenant`?",
        "`key` takes no value",
        "a `skip`ped field has no column, so it cannot also be `column`",
        "`column` needs a value",
        "`table` belongs on the struct",
    ] {
        assert!(all.contains(needle), "`{needle}` not in {all}");
    }
}

#[test]
fn only_structs_with_named_fields() {
    assert_one_error(
        syn::parse_quote! { #[cache(table = "users")] enum E { A } },
        &["not enums"],
    );
    assert_one_error(
        syn::parse_quote! { #[cache(table = "users")] struct T(i64); },
        &["tuple struct"],
    );
}

#[test]
fn absolute_migration_paths_are_rejected() {
    assert_one_error(
        syn::parse_quote! { #[cache(table = "users", migrations = "/srv/app/migrations")] struct U { tenant_id: Uuid, id: i64 } },
        &["the migration directory `/srv/app/migrations` is absolute"],
    );
    assert_one_error(
        syn::parse_quote! { #[cache(table = "users", dialect = "oracle")] struct U { tenant_id: Uuid, id: i64 } },
        &["unknown dialect `oracle`"],
    );
}

#[test]
fn migration_errors_name_file_line_and_column() {
    let d = schema_check::Diagnostic::new("cannot parse ALTER TABLE: expected COLUMN")
        .at(Location {
            file: "migrations/0002_broken.sql".into(),
            line: 3,
            column: 23,
        })
        .with_source_line("ALTER TABLE users ADD COLUM nickname text;")
        .with_help("fix the statement");
    let loaded = Arc::new(Replay {
        schema: schema(),
        files: vec![],
        errors: vec![d],
    });
    let load = move |_: &Source| Ok(Arc::clone(&loaded));
    let out = crate::derive(
        &syn::parse_quote! { #[cache(table = "users")] struct U { tenant_id: Uuid, id: i64 } },
        &load,
    )
    .to_string();
    assert!(
        out.contains("migrations/0002_broken.sql:3:23: cannot parse ALTER TABLE"),
        "{out}"
    );
    assert!(
        out.contains("3 | ALTER TABLE users ADD COLUM nickname text;"),
        "{out}"
    );
    assert!(out.contains("help: fix the statement"), "{out}");
}

#[test]
fn a_column_maps_to_one_field() {
    assert_one_error(
        syn::parse_quote! {
            #[cache(table = "users")]
            struct U { tenant_id: Uuid, id: i64, #[cache(column = "id")] id_again: i64 }
        },
        &["column `id` is already mapped to field `id`"],
    );
}

#[test]
fn a_key_has_at_most_max_key_parts_fields() {
    let wide = |n: usize| {
        let mut s = schema();
        let mut t = s.tables["users"].clone();
        t.name = "wide".into();
        t.columns = vec![col("tenant_id", "uuid", TypeFamily::Uuid, false, 2)];
        t.columns.extend((0..n).map(|i| {
            col(
                &format!("c{i}"),
                "bigint",
                TypeFamily::Int { bytes: 8 },
                false,
                3,
            )
        }));
        t.primary_key = Some(t.columns.iter().map(|c| c.name.clone()).collect());
        t.unique.clear();
        s.tables.insert("wide".into(), t);
        let fields = (0..n).map(|i| quote::format_ident!("c{i}"));
        expand_over(
            s,
            syn::parse_quote! {
                #[cache(table = "wide")]
                struct W { tenant_id: Uuid, #(#fields: i64),* }
            },
        )
    };
    // rustc compares the count with `cache_contract::MAX_KEY_PARTS`, its one owner (the
    // UI case `key/too_many_fields` shows the error).
    let thirteen = wide(13);
    assert!(!thirteen.contains("compile_error"), "{thirteen}");
    assert!(
        thirteen.contains("assert ! (13usize <= __cache_contract_p :: MAX_KEY_PARTS")
            && thirteen.contains("a cache key has at most `cache_contract::MAX_KEY_PARTS` fields, and this key has 13"),
        "{thirteen}"
    );
}

#[cfg(unix)]
#[test]
fn a_migration_path_that_is_not_utf8_is_an_error_not_an_untracked_file() {
    use std::os::unix::ffi::OsStrExt;
    let bad = std::path::PathBuf::from(std::ffi::OsStr::from_bytes(b"/m/0002_\xff.sql"));
    let good = std::path::PathBuf::from("/m/0001_init.sql");
    let out = crate::expand::track(&[good, bad]).to_string();
    assert!(
        out.contains("compile_error")
            && out.contains("the migration `/m/0002_\u{fffd}.sql` has a path that is not UTF-8"),
        "{out}"
    );
    assert!(
        out.contains("include_bytes ! (\"/m/0001_init.sql\")"),
        "{out}"
    );
    assert!(!crate::expand::track(&[]).to_string().contains("const"));
}
