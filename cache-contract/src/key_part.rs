//! [`KeyPart`]: how a key (or tenant) field's value becomes one component of a cache key.

use std::borrow::Cow;
use std::sync::Arc;

/// A value that can be one component of a [`CacheKey`](crate::CacheKey): the fields of a
/// cache struct's key and its tenant field.
///
/// The string must identify the value: two distinct values of one type must give two distinct
/// strings (the key encoding escapes every byte, so any string is safe). Implemented for
/// integers, `bool`, `char`, strings and, behind the `uuid` feature, `uuid::Uuid`; implement
/// it for your own key types:
///
/// ```
/// use cache_contract::KeyPart;
///
/// struct Sku(u32);
/// impl KeyPart for Sku {
///     fn key_part(&self) -> String {
///         self.0.key_part()
///     }
/// }
/// assert_eq!(Sku(7).key_part(), "7");
/// assert_eq!("a:b".key_part(), "a:b"); // escaped by the key encoding, not here
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be part of a cache key",
    label = "key and tenant fields must implement `cache_contract::KeyPart`",
    note = "`KeyPart` is implemented for integers, bool, char, String/str and uuid::Uuid (feature `uuid`); implement it for your type with an injective `key_part`"
)]
pub trait KeyPart {
    /// This value as one key component (unescaped).
    fn key_part(&self) -> String;
}

macro_rules! display_key_part {
    ($($t:ty),+ $(,)?) => {
        $(impl KeyPart for $t {
            fn key_part(&self) -> String {
                self.to_string()
            }
        })+
    };
}

display_key_part!(
    i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, bool, char, str, String
);

impl KeyPart for Cow<'_, str> {
    fn key_part(&self) -> String {
        self.to_string()
    }
}

impl<T: KeyPart + ?Sized> KeyPart for &T {
    fn key_part(&self) -> String {
        (**self).key_part()
    }
}

impl<T: KeyPart + ?Sized> KeyPart for Box<T> {
    fn key_part(&self) -> String {
        (**self).key_part()
    }
}

impl<T: KeyPart + ?Sized> KeyPart for Arc<T> {
    fn key_part(&self) -> String {
        (**self).key_part()
    }
}

#[cfg(feature = "uuid")]
impl KeyPart for uuid::Uuid {
    /// The hyphenated lower-case form, e.g. `67e55044-10b1-426f-9247-bb680e5fe0c8`.
    fn key_part(&self) -> String {
        self.hyphenated().to_string()
    }
}

/// A cache struct's key as its parts, in key order: one [`KeyPart`], or a tuple of up to
/// [`MAX_KEY_PARTS`] of them for a composite key. `CacheContract::key_parts` goes through
/// it, so the derive writes no code of its own for it.
///
/// ```
/// use cache_contract::KeyParts;
///
/// assert_eq!(7_i64.key_parts(), ["7"]);
/// assert_eq!((7_i64, "a:b").key_parts(), ["7", "a:b"]);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a cache key",
    label = "key fields must implement `cache_contract::KeyPart`",
    note = "a key is one `KeyPart` or a tuple of at most `cache_contract::MAX_KEY_PARTS` of them; `KeyPart` is implemented for integers, bool, char, String/str and uuid::Uuid (feature `uuid`); implement it for your type with an injective `key_part`"
)]
pub trait KeyParts {
    /// The parts, unescaped.
    fn key_parts(&self) -> Vec<String>;
}

impl<T: KeyPart + ?Sized> KeyParts for T {
    fn key_parts(&self) -> Vec<String> {
        vec![self.key_part()]
    }
}

macro_rules! tuple_key_parts {
    ($($name:ident . $index:tt),+) => {
        impl<$($name: KeyPart),+> KeyParts for ($($name,)+) {
            fn key_parts(&self) -> Vec<String> {
                vec![$(self.$index.key_part()),+]
            }
        }
    };
}

tuple_key_parts!(A.0, B.1);
tuple_key_parts!(A.0, B.1, C.2);
tuple_key_parts!(A.0, B.1, C.2, D.3);
tuple_key_parts!(A.0, B.1, C.2, D.3, E.4);
tuple_key_parts!(A.0, B.1, C.2, D.3, E.4, F.5);
tuple_key_parts!(A.0, B.1, C.2, D.3, E.4, F.5, G.6);
tuple_key_parts!(A.0, B.1, C.2, D.3, E.4, F.5, G.6, H.7);
tuple_key_parts!(A.0, B.1, C.2, D.3, E.4, F.5, G.6, H.7, I.8);
tuple_key_parts!(A.0, B.1, C.2, D.3, E.4, F.5, G.6, H.7, I.8, J.9);
tuple_key_parts!(A.0, B.1, C.2, D.3, E.4, F.5, G.6, H.7, I.8, J.9, K.10);
tuple_key_parts!(A.0, B.1, C.2, D.3, E.4, F.5, G.6, H.7, I.8, J.9, K.10, L.11);

/// The most fields a cache key can have (the largest tuple [`KeyParts`] is implemented for).
pub const MAX_KEY_PARTS: usize = 12;
