//! Which Rust types can hold which SQL column types: the trait system behind the derive's
//! type checks.
//!
//! Every column type replayed from the migrations belongs to a *family* (see
//! `schema_check::TypeFamily`); the derive maps each family to one marker type of this
//! module (a nullable column wraps it in [`Nullable`]) and asks rustc whether the field's
//! type implements [`HoldsSql`] for that marker. Because the question goes through the trait
//! system, type aliases and newtypes work, and you can extend the mapping for your own types:
//!
//! ```
//! use cache_contract::sql::{HoldsSql, Text};
//!
//! /// An e-mail address, stored in a `text` column.
//! pub struct Email(String);
//! impl HoldsSql<Text> for Email {}
//!
//! fn holds<T: HoldsSql<S> + ?Sized, S>() {}
//! holds::<Email, Text>();
//! holds::<Option<Email>, cache_contract::sql::Nullable<Text>>();
//! ```
//!
//! Conversions that cannot lose data are accepted: a smaller integer column into a wider
//! integer field (`integer` into `i64`, `smallint` into `i32`, `int unsigned` into `i64`), `real`
//! into `f64`, `varchar(n)` into `String`. Narrowing is not: a `bigint` column does not fit an
//! `i32` field. A nullable column needs an `Option` field, and a `NOT NULL` column a plain one.
//!
//! The built-in implementations cover the standard library; those for `chrono`, `time`,
//! `uuid`, `serde_json`, `rust_decimal` and `bytes` types are behind the cargo features of the
//! same names.

use std::borrow::Cow;
use std::sync::Arc;

macro_rules! markers {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {
        $(
            $(#[$doc])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            pub enum $name {}
        )*
    };
}

markers! {
    /// `boolean`, MySQL `tinyint(1)`.
    Bool,
    /// A 1-byte signed integer (MySQL `tinyint`).
    Int1,
    /// `smallint` / `int2`.
    Int2,
    /// `integer` / `int4` / `serial` (and MySQL `mediumint`).
    Int4,
    /// `bigint` / `int8` / `bigserial`.
    Int8,
    /// MySQL `tinyint unsigned`.
    UInt1,
    /// MySQL `smallint unsigned`.
    UInt2,
    /// MySQL `int unsigned` (and `mediumint unsigned`).
    UInt4,
    /// MySQL `bigint unsigned`.
    UInt8,
    /// `real` / `float4` / MySQL `float`.
    Float4,
    /// `double precision` / `float8` / MySQL `double`.
    Float8,
    /// `numeric` / `decimal`.
    Numeric,
    /// Character data: `text`, `varchar(n)`, `char(n)`, `citext`.
    Text,
    /// Binary data: `bytea`, `blob`, `varbinary(n)`.
    Bytes,
    /// `date`.
    Date,
    /// `time` without time zone.
    Time,
    /// `time with time zone`.
    TimeTz,
    /// `timestamp` without time zone, MySQL `datetime`.
    Timestamp,
    /// `timestamp with time zone`, MySQL `timestamp`.
    Timestamptz,
    /// `interval`.
    Interval,
    /// `uuid`.
    Uuid,
    /// `json` / `jsonb`.
    Json,
    /// An enum type (PostgreSQL `CREATE TYPE .. AS ENUM`, MySQL `enum(..)`): holds its
    /// labels as text, or a user type that implements `HoldsSql<Enum>`.
    Enum,
    /// Any other type (`inet`, `money`, `tsvector`, ...): only types that opt in hold it.
    Other,
    /// A column whose type the replay does not derive (`CREATE TABLE ... AS SELECT` of an
    /// expression it does not type): the derive asserts nothing of the field's type.
    Unknown,
}

/// An array column whose elements are of the SQL type `E`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Array<E> {
    #[doc(hidden)]
    __Never(std::convert::Infallible, std::marker::PhantomData<E>),
}

/// A nullable column of the SQL type `S`: held by `Option<T>` where `T` holds `S`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nullable<S> {
    #[doc(hidden)]
    __Never(std::convert::Infallible, std::marker::PhantomData<S>),
}

/// Implemented for a Rust type that can hold every value of a column of the SQL type `S`
/// (one of this module's markers) without loss. See the [module docs](self).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot hold a value of the SQL type `{S}`",
    label = "cannot hold `{S}`",
    note = "change the type, or implement `cache_contract::sql::HoldsSql<{S}>` for it if every value of the column fits"
)]
pub trait HoldsSql<S: ?Sized> {}

macro_rules! holds {
    ($marker:ty => $($t:ty),+ $(,)?) => {
        $(impl HoldsSql<$marker> for $t {})+
    };
}

holds!(Bool => bool);
holds!(Int1 => i8, i16, i32, i64, i128);
holds!(Int2 => i16, i32, i64, i128);
holds!(Int4 => i32, i64, i128);
holds!(Int8 => i64, i128);
holds!(UInt1 => u8, u16, u32, u64, u128, i16, i32, i64, i128);
holds!(UInt2 => u16, u32, u64, u128, i32, i64, i128);
holds!(UInt4 => u32, u64, u128, i64, i128);
holds!(UInt8 => u64, u128, i128);
holds!(Float4 => f32, f64);
holds!(Float8 => f64);
holds!(Text => str, String, Cow<'static, str>);
holds!(Enum => str, String, Cow<'static, str>);
holds!(Bytes => [u8], Vec<u8>, Cow<'static, [u8]>);

// `do_not_recommend`: an error about `Vec<i32>` holding `text[]` then names the column
// (the derive's message) instead of descending into `i32: HoldsSql<Text>`.
#[diagnostic::do_not_recommend]
impl<T: HoldsSql<E>, E> HoldsSql<Array<E>> for Vec<T> {}
#[diagnostic::do_not_recommend]
impl<T: HoldsSql<E>, E> HoldsSql<Array<E>> for [T] {}
#[diagnostic::do_not_recommend]
impl<T: HoldsSql<S>, S> HoldsSql<Nullable<S>> for Option<T> {}
#[diagnostic::do_not_recommend]
impl<T: HoldsSql<S> + ?Sized, S> HoldsSql<S> for Box<T> {}
#[diagnostic::do_not_recommend]
impl<T: HoldsSql<S> + ?Sized, S> HoldsSql<S> for Arc<T> {}

#[cfg(feature = "chrono")]
mod chrono_impls {
    use super::*;
    holds!(Date => chrono::NaiveDate);
    holds!(Time => chrono::NaiveTime);
    holds!(Timestamp => chrono::NaiveDateTime);
    holds!(Timestamptz => chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::FixedOffset>);
}

#[cfg(feature = "time")]
mod time_impls {
    use super::*;
    holds!(Date => time::Date);
    holds!(Time => time::Time);
    holds!(Timestamp => time::PrimitiveDateTime);
    holds!(Timestamptz => time::OffsetDateTime);
}

#[cfg(feature = "uuid")]
holds!(Uuid => uuid::Uuid);

#[cfg(feature = "serde_json")]
holds!(Json => serde_json::Value);

#[cfg(feature = "rust_decimal")]
holds!(Numeric => rust_decimal::Decimal);

#[cfg(feature = "bytes")]
holds!(Bytes => bytes::Bytes);

#[cfg(test)]
mod tests {
    use super::*;

    fn holds<T: HoldsSql<S> + ?Sized, S: ?Sized>() {}

    #[test]
    fn widening_and_wrappers_hold() {
        holds::<i64, Int4>();
        holds::<i32, Int2>();
        holds::<i64, UInt4>();
        holds::<f64, Float4>();
        holds::<Box<str>, Text>();
        holds::<Arc<str>, Enum>();
        holds::<Vec<Option<String>>, Array<Nullable<Text>>>();
        holds::<Option<Vec<i32>>, Nullable<Array<Int4>>>();
        holds::<Box<[u8]>, Bytes>();
    }
}
