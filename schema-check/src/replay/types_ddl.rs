//! PostgreSQL enum types (`CREATE/ALTER/DROP TYPE ... AS ENUM`) and domains
//! (`CREATE/DROP DOMAIN`). Columns of an enum type follow its changes.

use sqlparser::ast::{
    AlterType, AlterTypeAddValuePosition, AlterTypeOperation, CreateDomain, DropDomain, ObjectName,
    UserDefinedTypeRepresentation,
};

use super::ident::fold;
use super::{Applied, Ctx, Replayer};
use crate::canonical::pg_type_text;
use crate::diagnostic::Diagnostic;
use crate::model::{CompositeAttribute, CompositeType, Domain, EnumType, Provenance};
use crate::types::TypeFamily;

/// Rewrites `family` (possibly an array) when it is the enum `name`.
fn retarget(family: &mut TypeFamily, name: &str, new: &EnumType) -> bool {
    match family {
        TypeFamily::Enum {
            name: Some(n),
            values,
        } if n == name => {
            *n = new.name.clone();
            *values = new.values.clone();
            true
        }
        TypeFamily::Array { element } => retarget(element, name, new),
        _ => false,
    }
}

impl Replayer {
    pub(crate) fn create_type(
        &mut self,
        ctx: &Ctx<'_>,
        name: &ObjectName,
        representation: Option<&UserDefinedTypeRepresentation>,
    ) -> Applied {
        let name = self.create_key(name);
        if self.type_exists(&name) {
            let error = ctx.error(
                format!("type `{name}` already exists"),
                "drop the type first, or choose another name",
            );
            return self.conflict(ctx, &name, error);
        }
        if let Some(UserDefinedTypeRepresentation::Composite { attributes }) = representation {
            let mut attrs = Vec::with_capacity(attributes.len());
            for a in attributes {
                let attr = fold(self.dialect, &a.name);
                let ty = self.canonical(&a.data_type).map_err(|msg| {
                    ctx.error(
                        format!("attribute `{attr}` of type `{name}`: {msg}"),
                        "create the attribute's type in an earlier migration, or fix its name",
                    )
                })?;
                attrs.push(CompositeAttribute {
                    name: attr,
                    ty: ty.ty,
                });
            }
            self.relation_index.note(&name);
            self.schema.composite_types.insert(
                name.clone(),
                CompositeType {
                    name,
                    attributes: attrs,
                    provenance: Provenance::new(ctx.at().clone()),
                },
            );
            return Ok(());
        }
        let Some(UserDefinedTypeRepresentation::Enum { labels }) = representation else {
            self.skip(
                ctx,
                format!(
                    "type `{name}` is a range or base type: not modelled (columns of this \
                     type are reported as unknown types)"
                ),
            );
            return Ok(());
        };
        if let Some(existing) = self.schema.enums.get(&name) {
            return Err(ctx.error(
                format!(
                    "type `{name}` already exists (created at {})",
                    existing.provenance.created
                ),
                "drop the type first, or alter it with ALTER TYPE ... ADD VALUE",
            ));
        }
        self.schema.enums.insert(
            name.clone(),
            EnumType {
                name,
                values: labels.iter().map(|l| l.value.clone()).collect(),
                provenance: Provenance::new(ctx.at().clone()),
            },
        );
        Ok(())
    }

    pub(crate) fn alter_type(&mut self, ctx: &Ctx<'_>, at: &AlterType) -> Applied {
        let name = self.lookup_key(&at.name, super::search_path::Among::Types);
        if let AlterTypeOperation::Rename(r) = &at.operation
            && self.schema.composite_types.contains_key(&name)
        {
            return self.rename_composite(ctx, &name, &r.new_name);
        }
        let Some(mut ty) = self.schema.enums.remove(&name) else {
            return Err(ctx.error(
                format!("enum type `{name}` does not exist"),
                "create it first with CREATE TYPE ... AS ENUM",
            ));
        };
        let result = self.alter_enum(ctx, &mut ty, &at.operation);
        let key = ty.name.clone();
        if result.is_ok() {
            ty.provenance.touch(ctx.at());
            self.follow_enum(ctx, &name, &ty);
        }
        self.schema.enums.insert(key, ty);
        result
    }

    fn alter_enum(&self, ctx: &Ctx<'_>, ty: &mut EnumType, op: &AlterTypeOperation) -> Applied {
        let missing = |label: &str| -> Diagnostic {
            ctx.error(
                format!("enum `{}` has no label '{label}'", ty.name),
                format!("its labels are: {}", ty.values.join(", ")),
            )
        };
        match op {
            AlterTypeOperation::Rename(r) => {
                let new = fold(self.dialect, &r.new_name);
                let new = match ty.name.split_once('.') {
                    Some((schema, _)) => format!("{schema}.{new}"),
                    None => new,
                };
                if self.schema.enums.contains_key(&new) {
                    return Err(ctx.error(
                        format!(
                            "cannot rename enum `{}` to `{new}`: that type exists",
                            ty.name
                        ),
                        "choose another name",
                    ));
                }
                ty.name = new;
            }
            AlterTypeOperation::AddValue(add) => {
                let value = add.value.value.clone();
                if ty.values.contains(&value) {
                    if add.if_not_exists {
                        return Ok(());
                    }
                    return Err(ctx.error(
                        format!("enum `{}` already has the label '{value}'", ty.name),
                        "use ADD VALUE IF NOT EXISTS",
                    ));
                }
                let at = match &add.position {
                    None => ty.values.len(),
                    Some(AlterTypeAddValuePosition::Before(b)) => ty
                        .values
                        .iter()
                        .position(|v| *v == b.value)
                        .ok_or_else(|| missing(&b.value))?,
                    Some(AlterTypeAddValuePosition::After(a)) => {
                        ty.values
                            .iter()
                            .position(|v| *v == a.value)
                            .ok_or_else(|| missing(&a.value))?
                            + 1
                    }
                };
                ty.values.insert(at, value);
            }
            AlterTypeOperation::RenameValue(r) => {
                let i = ty
                    .values
                    .iter()
                    .position(|v| *v == r.from.value)
                    .ok_or_else(|| missing(&r.from.value))?;
                if ty.values.contains(&r.to.value) {
                    return Err(ctx.error(
                        format!("enum `{}` already has the label '{}'", ty.name, r.to.value),
                        "choose another label",
                    ));
                }
                ty.values[i] = r.to.value.clone();
            }
        }
        Ok(())
    }

    /// Updates every column of enum type `old_name` to the enum's new definition.
    fn follow_enum(&mut self, ctx: &Ctx<'_>, old_name: &str, ty: &EnumType) {
        for t in self.schema.tables.values_mut() {
            let mut touched = false;
            for c in &mut t.columns {
                if retarget(&mut c.ty.family, old_name, ty) {
                    let (old, new) = (pg_type_text(old_name), pg_type_text(&ty.name));
                    if c.ty.canonical == old {
                        c.ty.canonical = new;
                    } else if c.ty.canonical == format!("{old}[]") {
                        c.ty.canonical = format!("{new}[]");
                    }
                    c.provenance.touch(ctx.at());
                    touched = true;
                }
            }
            if touched {
                t.provenance.touch(ctx.at());
            }
        }
        for d in self.schema.domains.values_mut() {
            retarget(&mut d.base.family, old_name, ty);
        }
    }

    /// Whether a type (enum, composite, domain) or a table (whose row type shares the
    /// namespace) is named `name`.
    fn type_exists(&self, name: &str) -> bool {
        self.schema.enums.contains_key(name)
            || self.schema.composite_types.contains_key(name)
            || self.schema.domains.contains_key(name)
    }

    /// `DROP TYPE`: columns of the type and typed tables of it block the drop unless
    /// CASCADE, which drops them.
    pub(crate) fn drop_type(
        &mut self,
        ctx: &Ctx<'_>,
        name: &str,
        if_exists: bool,
        cascade: bool,
    ) -> Result<bool, Diagnostic> {
        if !self.schema.enums.contains_key(name) && !self.schema.composite_types.contains_key(name)
        {
            if if_exists {
                return Ok(false);
            }
            let error = ctx.error(
                format!("type `{name}` does not exist"),
                "use DROP TYPE IF EXISTS when its absence is expected",
            );
            return self.conflict(ctx, name, error).map(|()| false);
        }
        let users = self.columns_of_type(name);
        if !users.is_empty() && !cascade {
            let list: Vec<String> = users.iter().map(|(t, c)| format!("{t}.{c}")).collect();
            let error = ctx.error(
                format!(
                    "cannot drop type `{name}`: column(s) {} use it",
                    list.join(", ")
                ),
                "change or drop those columns first, or use DROP TYPE ... CASCADE",
            );
            let tables: Vec<String> = users.iter().map(|(t, _)| t.clone()).collect();
            self.dependents_unseen(ctx, &tables, error)?;
        }
        let typed: Vec<String> = self
            .schema
            .tables
            .values()
            .filter(|t| t.of_type.as_deref() == Some(name))
            .map(|t| t.name.clone())
            .collect();
        if !typed.is_empty() && !cascade {
            let error = ctx.error(
                format!(
                    "cannot drop type `{name}`: typed table(s) {} are of it",
                    typed.join(", ")
                ),
                "drop those tables first, or use DROP TYPE ... CASCADE",
            );
            self.dependents_unseen(ctx, &typed, error)?;
        }
        for t in typed {
            self.drop_table(ctx, &t, true, true)?;
        }
        for (t, c) in users {
            self.drop_column(ctx, &t, &c, true, true)?;
        }
        self.schema.enums.remove(name);
        self.schema.composite_types.remove(name);
        Ok(true)
    }

    pub(crate) fn create_domain(&mut self, ctx: &Ctx<'_>, cd: &CreateDomain) -> Applied {
        let name = self.create_key(&cd.name);
        if let Some(existing) = self.schema.domains.get(&name) {
            return Err(ctx.error(
                format!(
                    "domain `{name}` already exists (created at {})",
                    existing.provenance.created
                ),
                "drop the domain first",
            ));
        }
        let base = self
            .canonical(&cd.data_type)
            .map_err(|msg| ctx.error(format!("domain `{name}`: {msg}"), "fix the base type"))?;
        if base.serial {
            return Err(ctx.error(
                format!("domain `{name}`: a serial type cannot be a domain's base type"),
                "use the integer type",
            ));
        }
        self.schema.domains.insert(
            name.clone(),
            Domain {
                name,
                base: base.ty,
                not_null: false,
                provenance: Provenance::new(ctx.at().clone()),
            },
        );
        Ok(())
    }

    /// The `(table, column)` pairs whose type is `name` or an array of it.
    fn columns_of_type(&self, name: &str) -> Vec<(String, String)> {
        let name = pg_type_text(name);
        let array = format!("{name}[]");
        self.schema
            .tables
            .values()
            .flat_map(|t| {
                t.columns
                    .iter()
                    .filter(|c| c.ty.canonical == name || c.ty.canonical == array)
                    .map(|c| (t.name.clone(), c.name.clone()))
            })
            .collect()
    }

    /// `ALTER DOMAIN name {SET | DROP} NOT NULL` (sqlparser 0.63 does not parse ALTER
    /// DOMAIN): updates the domain; other ALTER DOMAIN forms cannot change columns and
    /// are skipped. Returns `false` when `ctx` is not an ALTER DOMAIN statement.
    pub(crate) fn alter_domain_text(&mut self, ctx: &Ctx<'_>) -> bool {
        let words = super::skip::leading_words(&ctx.stmt.text, 6);
        let mut it = words.split(' ');
        if it.next() != Some("ALTER") || it.next() != Some("DOMAIN") {
            return false;
        }
        let rest: Vec<&str> = it.collect();
        let name = rest.first().map(|n| n.to_lowercase()).unwrap_or_default();
        let not_null = match rest.get(1..4) {
            Some(["SET", "NOT", "NULL"]) => Some(true),
            Some(["DROP", "NOT", "NULL"]) => Some(false),
            _ => None,
        };
        match (not_null, self.schema.domains.get_mut(&name)) {
            (Some(nn), Some(d)) => {
                d.not_null = nn;
                d.provenance.touch(ctx.at());
            }
            _ => self.skip(
                ctx,
                "not parsed: ALTER DOMAIN cannot change table columns".into(),
            ),
        }
        true
    }

    pub(crate) fn drop_domain(&mut self, ctx: &Ctx<'_>, dd: &DropDomain) -> Applied {
        let name = self.lookup_key(&dd.name, super::search_path::Among::Types);
        if self.schema.domains.contains_key(&name) {
            let users = self.columns_of_type(&name);
            let cascade = matches!(
                dd.drop_behavior,
                Some(sqlparser::ast::DropBehavior::Cascade)
            );
            if !users.is_empty() && !cascade {
                let list: Vec<String> = users.iter().map(|(t, c)| format!("{t}.{c}")).collect();
                let error = ctx.error(
                    format!(
                        "cannot drop domain `{name}`: column(s) {} use it",
                        list.join(", ")
                    ),
                    "change or drop those columns first, or use DROP DOMAIN ... CASCADE",
                );
                let tables: Vec<String> = users.iter().map(|(t, _)| t.clone()).collect();
                self.dependents_unseen(ctx, &tables, error)?;
            }
            for (t, c) in users {
                self.drop_column(ctx, &t, &c, true, true)?;
            }
        }
        if self.schema.domains.remove(&name).is_none() {
            if dd.if_exists {
                self.skip(ctx, format!("domain `{name}` does not exist (IF EXISTS)"));
                return Ok(());
            }
            return Err(ctx.error(
                format!("domain `{name}` does not exist"),
                "use DROP DOMAIN IF EXISTS when its absence is expected",
            ));
        }
        Ok(())
    }
}
