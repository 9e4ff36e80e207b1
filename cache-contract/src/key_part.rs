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
