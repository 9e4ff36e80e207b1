//! Building a [`Column`] (and the constraints declared inline with it) from a column
//! definition, shared by CREATE TABLE, ADD COLUMN and MySQL MODIFY/CHANGE COLUMN.

use sqlparser::ast::{
    ColumnOption, DataType, Expr, GeneratedAs, GeneratedExpressionMode, Ident, IndexColumn,
};
use sqlparser::tokenizer::Token;

use super::constraint;
use super::ident::fold;
use super::{Ctx, Replayer};
use crate::diagnostic::Diagnostic;
use crate::dialect::Dialect;
use crate::model::{
    Check, Column, ForeignKey, Generated, Provenance, UniqueConstraint, UniqueKind,
};

/// A column plus the constraints its definition declared inline.
pub(crate) struct ColumnSpec {
    pub column: Column,
    /// `PRIMARY KEY` was declared inline, with this constraint name (if named).
    pub primary_key: Option<Option<String>>,
    pub unique: Vec<UniqueConstraint>,
    /// Foreign keys, with the name MySQL gives the index it may create for one.
    pub foreign_keys: Vec<(ForeignKey, Option<String>)>,
    pub checks: Vec<Check>,
    /// PostgreSQL: the column is a serial (its default is then `nextval` of the sequence)
    /// or an identity, and owns a sequence the caller creates
    /// ([`Replayer::owned_sequence`]).
    pub owns_sequence: bool,
    /// The column's type does not exist (the type as written, and the error): the caller
    /// reports it ([`Replayer::report_unknown_type`]) and keeps the column.
    pub unknown_type: Option<(String, Diagnostic)>,
    /// SQLite `PRIMARY KEY DESC` as a column constraint: the column is then not the rowid
    /// alias (a documented SQLite quirk).
    pub pk_desc: bool,
    /// MySQL: the column's character set, where known ([`super::charset`]); the caller
    /// records it ([`Replayer::note_column_charset`]) once the column exists.
    pub charset: Option<String>,
}

/// The canonical name of a simple index column, or `None` for an expression.
/// MySQL's prefix key part `col(10)` (the first 10 characters of `col`) names `col`.
pub(crate) fn index_column(dialect: Dialect, c: &IndexColumn) -> Option<String> {
    match &c.column.expr {
        Expr::Identifier(i) => Some(fold(dialect, i)),
        Expr::CompoundIdentifier(parts) => parts.last().map(|i| fold(dialect, i)),
        Expr::Function(f) if dialect == Dialect::Mysql => mysql_prefix_part(f),
        _ => None,
    }
}

/// The column of a MySQL prefix key part `col(N)`, which sqlparser reads as a call.
fn mysql_prefix_part(f: &sqlparser::ast::Function) -> Option<String> {
    use sqlparser::ast::{FunctionArg, FunctionArgExpr, FunctionArguments, Value};
    let [name] = f.name.0.as_slice() else {
        return None;
    };
    let FunctionArguments::List(list) = &f.args else {
        return None;
    };
    let [FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Value(v)))] = list.args.as_slice() else {
        return None;
    };
    if !matches!(v.value, Value::Number(..)) {
        return None;
    }
    name.as_ident().map(|i| fold(Dialect::Mysql, i))
}

impl Replayer {
    /// Builds the column `name data_type options...` of `table`.
    pub(crate) fn column_spec<'o>(
        &self,
        ctx: &Ctx<'_>,
        table: &str,
        name: &Ident,
        data_type: &DataType,
        options: impl Iterator<Item = (Option<&'o Ident>, &'o ColumnOption)>,
    ) -> Result<ColumnSpec, Diagnostic> {
        let dialect = self.dialect;
        let col_name = fold(dialect, name);
        let options: Vec<_> = options.collect();
        let charset = (dialect == Dialect::Mysql)
            .then(|| self.column_charset(table, options.iter().map(|(_, o)| *o)))
            .flatten();
        // An unknown type is reported, and the column still exists (typed as written,
        // family Other): one unknown type must not make every later statement about the
        // table fail with "table does not exist".
        let mut unknown_type = None;
        let canonical = match self.canonical(data_type) {
            Ok(c) => c,
            Err(msg) => {
                let written = data_type.to_string();
                unknown_type = Some((
                    written.clone(),
                    ctx.error(
                        format!("column `{col_name}` of table `{table}`: {msg}"),
                        "create the type (CREATE TYPE ... AS ENUM / CREATE DOMAIN) in an \
                         earlier migration, or fix the type name",
                    ),
                ));
                crate::canonical::Canonical {
                    ty: crate::types::SqlType::new(
                        written.to_lowercase(),
                        crate::types::TypeFamily::Other,
                    ),
                    serial: false,
                }
            }
        };
        let mut ty = canonical.ty;
        if dialect == Dialect::Mysql
            && let DataType::Custom(type_name, modifiers) = data_type
            && type_name.to_string().eq_ignore_ascii_case("text")
            && let [n] = modifiers.as_slice()
            && let Ok(n) = n.trim().parse::<u64>()
        {
            // `TEXT(n)` holds n characters of the column's own set.
            ty = super::charset::sized_text(n, charset.as_deref());
        }
        if dialect == Dialect::Mysql
            && super::charset::is_binary(charset.as_deref())
            && let Some(twin) = super::charset::binary_twin(&ty)
        {
            // `CHARACTER SET binary` (the column's or its table's) makes it a byte string.
            ty = twin;
        }
        if dialect == Dialect::Sqlite {
            // Keep the type as written when it is the same type sqlparser read.
            // `_` too: multi-word names reach the parser joined with `_` (see compat).
            let squash = |s: &str| {
                s.chars()
                    .filter(|c| !c.is_whitespace() && *c != '_')
                    .collect::<String>()
                    .to_ascii_lowercase()
            };
            if let Some(written) = super::declared::declared_type(&ctx.stmt.text, name)
                && squash(&written) == squash(&ty.canonical)
            {
                ty.family = crate::canonical::sqlite_family(&written);
                ty.canonical = written;
            }
        }
        if dialect == Dialect::Mysql
            && matches!(
                ty.family,
                crate::types::TypeFamily::UInt { .. }
                    | crate::types::TypeFamily::Numeric { .. }
                    | crate::types::TypeFamily::Float4
                    | crate::types::TypeFamily::Float8
            )
            && ctx
                .stmt
                .text
                .as_bytes()
                .windows(8)
                .any(|w| w.eq_ignore_ascii_case(b"zerofill"))
            && super::declared::definition_has_word(&ctx.stmt.text, name, "ZEROFILL")
        {
            // MariaDB prints `int(10) unsigned zerofill`; sqlparser drops the keyword.
            if !ty.canonical.ends_with(" unsigned") {
                ty.canonical.push_str(" unsigned");
            }
            ty.canonical.push_str(" zerofill");
        }
        let mut column = Column {
            name: col_name.clone(),
            ty,
            nullable: true,
            default: None,
            generated: None,
            provenance: Provenance::new(ctx.at().clone()),
        };
        let mut spec_unique = Vec::new();
        let mut foreign_keys = Vec::new();
        let mut checks = Vec::new();
        let mut primary_key = None;
        let mut pk_desc = false;
        let mut owns_sequence = false;
        if canonical.serial {
            column.nullable = false;
            match dialect {
                // A PostgreSQL serial is `NOT NULL DEFAULT nextval(..)` over a sequence it
                // owns, not an identity column (`pg_attribute.attidentity` stays empty:
                // e.g. `DROP NOT NULL` is allowed on it). The caller names the sequence
                // and sets the default.
                Dialect::Postgres => owns_sequence = true,
                // MySQL's SERIAL is `BIGINT UNSIGNED NOT NULL AUTO_INCREMENT UNIQUE`.
                Dialect::Mysql => {
                    column.generated = Some(Generated::Identity { always: false });
                    spec_unique.push(UniqueConstraint {
                        name: None,
                        columns: vec![col_name.clone()],
                        kind: UniqueKind::Constraint,
                        provenance: Provenance::new(ctx.at().clone()),
                    });
                }
                Dialect::Sqlite => column.generated = Some(Generated::Identity { always: false }),
            }
        }
        let one = || vec![col_name.clone()];
        for (constraint_name, option) in options {
            let given = constraint_name.map(|i| fold(dialect, i));
            match option {
                ColumnOption::Null => column.nullable = true,
                ColumnOption::NotNull => column.nullable = false,
                ColumnOption::Default(e) => column.default = Some(e.to_string()),
                ColumnOption::PrimaryKey(pk) => {
                    let named = given.or_else(|| pk.name.as_ref().map(|i| fold(dialect, i)));
                    primary_key = Some(named);
                    if dialect != Dialect::Sqlite {
                        column.nullable = false;
                    }
                }
                ColumnOption::Unique(u) => {
                    spec_unique.push(UniqueConstraint {
                        name: given.or_else(|| u.name.as_ref().map(|i| fold(dialect, i))),
                        columns: one(),
                        kind: UniqueKind::Constraint,
                        provenance: Provenance::new(ctx.at().clone()),
                    });
                }
                ColumnOption::ForeignKey(fk) => {
                    let named = given.or_else(|| fk.name.as_ref().map(|i| fold(dialect, i)));
                    foreign_keys.push((
                        constraint::foreign_key(
                            ctx,
                            dialect,
                            one(),
                            fk,
                            named.clone(),
                            Some(col_name.clone()),
                            self.lookup_key(
                                &fk.foreign_table,
                                super::search_path::Among::Relations,
                            ),
                        ),
                        named.or_else(|| fk.index_name.as_ref().map(|i| fold(dialect, i))),
                    ));
                }
                ColumnOption::Check(c) => {
                    let named = given.or_else(|| c.name.as_ref().map(|i| fold(dialect, i)));
                    checks.push(Check {
                        // MariaDB names an unnamed column check after its column.
                        name: named
                            .or_else(|| (dialect == Dialect::Mysql).then(|| col_name.clone())),
                        expr: c.expr.to_string(),
                        column: (dialect != Dialect::Postgres).then(|| col_name.clone()),
                        provenance: Provenance::new(ctx.at().clone()),
                    });
                }
                ColumnOption::Generated {
                    generated_as,
                    generation_expr,
                    generation_expr_mode,
                    ..
                } => match generation_expr {
                    Some(expr) => {
                        let stored =
                            matches!(generation_expr_mode, Some(GeneratedExpressionMode::Stored))
                                || matches!(generated_as, GeneratedAs::ExpStored);
                        column.generated = Some(Generated::Expression {
                            expr: expr.to_string(),
                            stored,
                        });
                    }
                    None => {
                        column.generated = Some(Generated::Identity {
                            always: matches!(generated_as, GeneratedAs::Always),
                        });
                        // PostgreSQL identity columns are implicitly NOT NULL, and own a
                        // sequence.
                        column.nullable = false;
                        owns_sequence |= dialect == Dialect::Postgres;
                    }
                },
                ColumnOption::Identity(_) => {
                    column.generated = Some(Generated::Identity { always: false });
                    column.nullable = false;
                }
                ColumnOption::DialectSpecific(tokens) => {
                    let auto = tokens.iter().any(|t| match t {
                        Token::Word(w) => {
                            w.value.eq_ignore_ascii_case("AUTO_INCREMENT")
                                || w.value.eq_ignore_ascii_case("AUTOINCREMENT")
                        }
                        _ => false,
                    });
                    if auto {
                        column.generated = Some(Generated::Identity { always: false });
                    }
                    pk_desc |= tokens.iter().any(
                        |t| matches!(t, Token::Word(w) if w.value.eq_ignore_ascii_case("DESC")),
                    );
                }
                // Character sets, collations, comments, ON UPDATE, storage hints... do
                // not change what the column holds.
                _ => {}
            }
        }
        if dialect == Dialect::Mysql && matches!(data_type, DataType::JSON) {
            // MariaDB stores JSON as LONGTEXT with a column check named after the column.
            checks.push(Check {
                name: Some(col_name.clone()),
                expr: format!("json_valid(`{col_name}`)"),
                column: Some(col_name.clone()),
                provenance: Provenance::new(ctx.at().clone()),
            });
        }
        Ok(ColumnSpec {
            column,
            primary_key,
            unique: spec_unique,
            foreign_keys,
            checks,
            owns_sequence,
            unknown_type,
            pk_desc,
            charset,
        })
    }
}

impl Replayer {
    /// Reports a column's unknown type: a warning when a skipped statement (an extension, a
    /// `DO` block) could have created it, else an error; the column is kept either way.
    pub(crate) fn report_unknown_type(&mut self, ctx: &Ctx<'_>, spec: &mut ColumnSpec) {
        if let Some((written, error)) = spec.unknown_type.take()
            && let Err(e) = self.conflict(ctx, &written, error)
        {
            self.errors.push(e);
        }
    }
}
