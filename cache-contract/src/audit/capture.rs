//! The values of a struct's fields, by field name, without building a JSON object: a serde
//! serializer that accepts one struct (or one map, which `#[serde(flatten)]` serializes)
//! and turns only the wanted fields' values into [`serde_json::Value`]s, in the order asked
//! for. What [`serde_json::to_value`] and a lookup per field would give, without the map,
//! its key strings and the unwanted fields' values.

use std::fmt;

use serde::Serialize;
use serde::ser::{self, Impossible};
use serde_json::Value;

/// Why a value could not be captured.
#[derive(Debug)]
pub(crate) struct NotAStruct(String);

impl fmt::Display for NotAStruct {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NotAStruct {}

impl ser::Error for NotAStruct {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        NotAStruct(msg.to_string())
    }
}

/// The values of the fields named `names` of `value`, in that order (`None` where `value`
/// serializes no such field); an error when `value` is not a struct or map.
pub(crate) fn fields<T: Serialize + ?Sized>(
    value: &T,
    names: &[&str],
) -> Result<Vec<Option<Value>>, NotAStruct> {
    let mut capture = Capture {
        names,
        values: vec![None; names.len()],
        pending: None,
    };
    value.serialize(&mut capture)?;
    Ok(capture.values)
}

struct Capture<'n> {
    names: &'n [&'n str],
    values: Vec<Option<Value>>,
    /// A map's key waiting for its value: the index of the field it names, if wanted.
    pending: Option<Option<usize>>,
}

impl Capture<'_> {
    fn put<T: Serialize + ?Sized>(
        &mut self,
        at: Option<usize>,
        value: &T,
    ) -> Result<(), NotAStruct> {
        if let Some(i) = at {
            self.values[i] = Some(
                value
                    .serialize(serde_json::value::Serializer)
                    .map_err(|e| NotAStruct(e.to_string()))?,
            );
        }
        Ok(())
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| *n == name)
    }
}

fn not_a_struct<T>() -> Result<T, NotAStruct> {
    Err(NotAStruct(
        "the cached value does not serialize as a struct".into(),
    ))
}

/// Serializer methods that refuse: a cached value is a struct.
macro_rules! refuse {
    ($($name:ident($($arg:ty),*)),* $(,)?) => {
        $(fn $name(self, $(_: $arg),*) -> Result<Self::Ok, Self::Error> { not_a_struct() })*
    };
}

impl ser::Serializer for &mut Capture<'_> {
    type Ok = ();
    type Error = NotAStruct;
    type SerializeSeq = Impossible<(), NotAStruct>;
    type SerializeTuple = Impossible<(), NotAStruct>;
    type SerializeTupleStruct = Impossible<(), NotAStruct>;
    type SerializeTupleVariant = Impossible<(), NotAStruct>;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Impossible<(), NotAStruct>;

    refuse!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str),
        serialize_unit_variant(&'static str, u32, &'static str),
    );

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), NotAStruct> {
        value.serialize(self)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), NotAStruct> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), NotAStruct> {
        not_a_struct()
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NotAStruct> {
        not_a_struct()
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotAStruct> {
        not_a_struct()
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, NotAStruct> {
        not_a_struct()
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, NotAStruct> {
        not_a_struct()
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, NotAStruct> {
        Ok(self)
    }

    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, NotAStruct> {
        Ok(self)
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, NotAStruct> {
        not_a_struct()
    }
}

impl ser::SerializeStruct for &mut Capture<'_> {
    type Ok = ();
    type Error = NotAStruct;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), NotAStruct> {
        let at = self.index(key);
        self.put(at, value)
    }

    fn end(self) -> Result<(), NotAStruct> {
        Ok(())
    }
}

impl ser::SerializeMap for &mut Capture<'_> {
    type Ok = ();
    type Error = NotAStruct;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), NotAStruct> {
        let at = match key.serialize(serde_json::value::Serializer) {
            Ok(Value::String(name)) => self.index(&name),
            _ => None,
        };
        self.pending = Some(at);
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), NotAStruct> {
        let at = self.pending.take().flatten();
        self.put(at, value)
    }

    fn end(self) -> Result<(), NotAStruct> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Serialize)]
    struct Inner {
        b: u8,
    }

    #[derive(Serialize)]
    struct Flat {
        a: String,
        #[serde(flatten)]
        inner: Inner,
        skipped: i32,
    }

    /// The same values `serde_json::to_value` gives, for structs and flattened structs.
    #[test]
    fn captures_what_to_value_gives() {
        let flat = Flat {
            a: "x".into(),
            inner: Inner { b: 7 },
            skipped: 1,
        };
        let names = ["b", "a", "missing"];
        let got = fields(&flat, &names).unwrap();
        let object = serde_json::to_value(&flat).unwrap();
        let expected: Vec<Option<Value>> = names.iter().map(|n| object.get(n).cloned()).collect();
        assert_eq!(got, expected);
        assert_eq!(got, [Some(json!(7)), Some(json!("x")), None]);
        assert!(fields(&5, &names).is_err());
        assert!(fields(&vec![1], &names).is_err());
    }
}
