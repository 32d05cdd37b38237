//! No text cell is a formula, and none holds a control character (each is
//! written `\u{…}`, as in the tables). A spreadsheet runs a cell that begins with
//! `=`, `+`, `-` or `@` (and some a tab or a carriage return) as a formula,
//! so a `modelVersion` of `=HYPERLINK(…)` or a file named `=cmd.jsonl` would
//! run when the CSV is opened. Such a text cell gets a leading `'` (OWASP's
//! rule for CSV injection); numbers and money (`-1.83`, `+5`) are untouched.
//!
//! [`Guarded`] applies the rule to every string a row serializes, through a
//! serializer that passes everything else through as it is, so no row type
//! can forget a field.

use std::fmt::Display;

use rust_decimal::Decimal;
use serde::ser::{Serialize, SerializeStruct, Serializer};

/// `text` as a spreadsheet may read it: its control characters made
/// visible (`\u{1b}`: a CSV is also read with `cat`, in a terminal, which
/// would act on an escape sequence), then a leading `'` where it would
/// start a formula and is not a number.
pub fn guard(text: &str) -> std::borrow::Cow<'_, str> {
    let text = crate::visible::visible(text);
    let starts_formula = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if starts_formula && text.parse::<Decimal>().is_err() {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        text
    }
}

/// A row (or any value) whose strings are written through [`guard`].
pub struct Guarded<'a, T: ?Sized>(pub &'a T);

impl<T: Serialize + ?Sized> Serialize for Guarded<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(GuardSerializer(serializer))
    }
}

struct GuardSerializer<S>(S);

/// A struct's fields, each guarded.
struct GuardStruct<S>(S);

impl<S: SerializeStruct> SerializeStruct for GuardStruct<S> {
    type Ok = S::Ok;
    type Error = S::Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), S::Error> {
        self.0.serialize_field(key, &Guarded(value))
    }

    fn skip_field(&mut self, key: &'static str) -> Result<(), S::Error> {
        self.0.skip_field(key)
    }

    fn end(self) -> Result<S::Ok, S::Error> {
        self.0.end()
    }
}

/// Passes calls through to the inner serializer unchanged (`-> T` where a
/// call returns other than `S::Ok`).
macro_rules! pass {
    ($($name:ident($($arg:ident: $ty:ty),*) $(-> $out:ty)?;)*) => {
        $(pass!(@one $name($($arg: $ty),*) $(-> $out)?);)*
    };
    (@one $name:ident($($arg:ident: $ty:ty),*)) => {
        fn $name(self, $($arg: $ty),*) -> Result<S::Ok, S::Error> { self.0.$name($($arg),*) }
    };
    (@one $name:ident($($arg:ident: $ty:ty),*) -> $out:ty) => {
        fn $name(self, $($arg: $ty),*) -> Result<$out, S::Error> { self.0.$name($($arg),*) }
    };
}

impl<S: Serializer> Serializer for GuardSerializer<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = S::SerializeSeq;
    type SerializeTuple = S::SerializeTuple;
    type SerializeTupleStruct = S::SerializeTupleStruct;
    type SerializeTupleVariant = S::SerializeTupleVariant;
    type SerializeMap = S::SerializeMap;
    type SerializeStruct = GuardStruct<S::SerializeStruct>;
    type SerializeStructVariant = S::SerializeStructVariant;

    pass! {
        serialize_bool(v: bool);
        serialize_i8(v: i8);
        serialize_i16(v: i16);
        serialize_i32(v: i32);
        serialize_i64(v: i64);
        serialize_i128(v: i128);
        serialize_u8(v: u8);
        serialize_u16(v: u16);
        serialize_u32(v: u32);
        serialize_u64(v: u64);
        serialize_u128(v: u128);
        serialize_f32(v: f32);
        serialize_f64(v: f64);
        serialize_bytes(v: &[u8]);
        serialize_none();
        serialize_unit();
        serialize_unit_struct(name: &'static str);
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str);
        serialize_seq(len: Option<usize>) -> S::SerializeSeq;
        serialize_tuple(len: usize) -> S::SerializeTuple;
        serialize_tuple_struct(name: &'static str, len: usize) -> S::SerializeTupleStruct;
        serialize_tuple_variant(name: &'static str, index: u32, variant: &'static str, len: usize)
            -> S::SerializeTupleVariant;
        serialize_map(len: Option<usize>) -> S::SerializeMap;
        serialize_struct_variant(name: &'static str, index: u32, variant: &'static str, len: usize)
            -> S::SerializeStructVariant;
    }

    fn serialize_char(self, v: char) -> Result<S::Ok, S::Error> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, v: &str) -> Result<S::Ok, S::Error> {
        self.0.serialize_str(&guard(v))
    }

    fn collect_str<T: Display + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        self.serialize_str(&value.to_string())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        self.0.serialize_some(&Guarded(value))
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        self.0.serialize_newtype_struct(name, &Guarded(value))
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        self.0.serialize_newtype_variant(name, index, variant, &Guarded(value))
    }

    fn serialize_struct(self, name: &'static str, len: usize) -> Result<Self::SerializeStruct, S::Error> {
        self.0.serialize_struct(name, len).map(GuardStruct)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guards_formulas_and_leaves_numbers() {
        let cases = [
            ("gemini-3-pro-image", "gemini-3-pro-image"),
            ("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"),
            ("=cmd.jsonl", "'=cmd.jsonl"),
            ("+1+1", "'+1+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "\\u{9}x"),
            ("\rx", "\\u{d}x"),
            ("team-\u{1b}]0;pwned\u{7}", "team-\\u{1b}]0;pwned\\u{7}"),
            ("=\u{1b}[2J", "'=\\u{1b}[2J"),
            ("-1.83", "-1.83"),
            ("+5", "+5"),
            ("-0.0000125", "-0.0000125"),
            ("", ""),
        ];
        for (text, written) in cases {
            assert_eq!(guard(text), written, "{text:?}");
        }
    }
}
