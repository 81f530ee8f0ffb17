//! Decoding JSON without a derived `Deserialize` per type.
//!
//! Every body is parsed once into a [`serde_json::Value`] (one parser instance for the whole crate),
//! and types read themselves out of it through the non-generic accessors of [`Obj`]. A derived
//! `Deserialize` compiles a visitor per type and per container (`Vec<T>`, `Option<T>`), which was
//! about a tenth of the extension's wasm; the accessors cost a call per field. Errors carry the JSON
//! path where they happened (`value[3].statecode`), built on the way out so the happy path pays
//! nothing for it.
//!
//! Writing JSON stays with serde's derived `Serialize`. Types that are written and read back (the
//! bulk run's journal, saved settings) are tested to round-trip: `from_json(to_value(x)) == x`.

use serde_json::{Map, Value};
use std::fmt;

/// A JSON value that is not what the reader expected, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// Path segments, innermost first (they are added as the error travels outwards).
    segments: Vec<Segment>,
    /// What was wrong, e.g. "expected an integer, got a string".
    reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

impl JsonError {
    /// An error at the value being read.
    pub fn new(reason: impl Into<String>) -> Self {
        Self::of_reason(reason.into())
    }

    // The error paths are cold and out of line: every reader calls them, and inlined into each call
    // site they cost more than the reading itself.
    #[cold]
    #[inline(never)]
    fn of_reason(reason: String) -> Self {
        Self { segments: Vec::new(), reason }
    }

    /// "expected `what`, got …" for `found`.
    #[cold]
    #[inline(never)]
    pub fn expected(what: &str, found: &Value) -> Self {
        Self::new(format!("expected {what}, got {}", kind(found)))
    }

    /// "missing field `key`".
    #[cold]
    #[inline(never)]
    pub fn missing_field(key: &str) -> Self {
        Self::new(format!("missing field `{key}`"))
    }

    /// The same error, one object key further out.
    #[must_use]
    #[cold]
    #[inline(never)]
    pub fn at_key(mut self, key: &str) -> Self {
        self.segments.push(Segment::Key(key.to_owned()));
        self
    }

    /// The same error, one array index further out.
    #[must_use]
    #[cold]
    #[inline(never)]
    pub fn at_index(mut self, index: usize) -> Self {
        self.segments.push(Segment::Index(index));
        self
    }

    /// The JSON path, e.g. `value[3].statecode`; empty at the root.
    pub fn path(&self) -> String {
        let mut out = String::new();
        for segment in self.segments.iter().rev() {
            match segment {
                Segment::Key(key) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(key);
                }
                Segment::Index(i) => {
                    out.push('[');
                    out.push_str(&i.to_string());
                    out.push(']');
                }
            }
        }
        out
    }

    /// What was wrong, without the path.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path();
        if path.is_empty() { f.write_str(&self.reason) } else { write!(f, "{path}: {}", self.reason) }
    }
}

impl std::error::Error for JsonError {}

/// The kind of a value, for messages ("a string", "null").
pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a decimal number",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Parses `text` as JSON. A syntax error says where (line and column) and why.
pub fn parse(text: &str) -> Result<Value, JsonError> {
    serde_json::from_str(text).map_err(|e| JsonError::new(e.to_string()))
}

/// Parses `text` and reads a `T` out of it.
pub fn decode<T: FromJson>(text: &str) -> Result<T, JsonError> {
    T::from_json(&parse(text)?)
}

/// A type that reads itself out of a parsed JSON value.
pub trait FromJson: Sized {
    /// Reads `Self` from `value`; the error's path is relative to `value`.
    fn from_json(value: &Value) -> Result<Self, JsonError>;
}

impl FromJson for Value {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        Ok(value.clone())
    }
}

impl FromJson for String {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        value.as_str().map(str::to_owned).ok_or_else(|| JsonError::expected("a string", value))
    }
}

impl FromJson for bool {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        value.as_bool().ok_or_else(|| JsonError::expected("a boolean", value))
    }
}

/// A whole number as JSON carries it: negative ones fit `i64`, the rest `u64`.
fn integer(value: &Value) -> Result<Result<i64, u64>, JsonError> {
    let n = match value {
        Value::Number(n) => n.as_i64().map(Ok).or_else(|| n.as_u64().map(Err)),
        _ => None,
    };
    n.ok_or_else(|| JsonError::expected("an integer", value))
}

macro_rules! integer_from_json {
    ($($t:ty),*) => {$(
        impl FromJson for $t {
            fn from_json(value: &Value) -> Result<Self, JsonError> {
                let n = integer(value)?;
                let fits = match n {
                    Ok(i) => <$t>::try_from(i).ok(),
                    Err(u) => <$t>::try_from(u).ok(),
                };
                // The number itself, not `value`: formatting a `Value` pulls in its serializer.
                let shown = || match n { Ok(i) => i.to_string(), Err(u) => u.to_string() };
                fits.ok_or_else(|| JsonError::new(format!("{} is out of range for {}", shown(), stringify!($t))))
            }
        }
    )*};
}
integer_from_json!(u8, u16, u32, u64, usize, i32, i64);

impl<T: FromJson> FromJson for Option<T> {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        if value.is_null() { Ok(None) } else { T::from_json(value).map(Some) }
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        items(value, T::from_json)
    }
}

/// An array whose items `read` reads (also for item types that are not [`FromJson`]); an item's
/// error carries its index.
pub fn items<T>(value: &Value, read: fn(&Value) -> Result<T, JsonError>) -> Result<Vec<T>, JsonError> {
    let items = array(value)?;
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        out.push(read(item).map_err(|e| e.at_index(i))?);
    }
    Ok(out)
}

/// The items of an array, or an error.
pub fn array(value: &Value) -> Result<&[Value], JsonError> {
    value.as_array().map(Vec::as_slice).ok_or_else(|| JsonError::expected("an array", value))
}

/// A JSON object being read field by field.
#[derive(Debug, Clone, Copy)]
pub struct Obj<'a>(&'a Map<String, Value>);

impl<'a> Obj<'a> {
    /// `value` as an object, or an error.
    pub fn of(value: &'a Value) -> Result<Self, JsonError> {
        value.as_object().map(Obj).ok_or_else(|| JsonError::expected("an object", value))
    }

    /// The raw value at `key`, if present (null included).
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.0.get(key)
    }

    /// A required field: missing is an error, and so is null unless `T` is an `Option`.
    pub fn req<T: FromJson>(&self, key: &str) -> Result<T, JsonError> {
        T::from_json(self.field(key)?).map_err(|e| e.at_key(key))
    }

    /// The value at `key` (null included), or a "missing field" error: the non-generic half of
    /// [`Obj::req`].
    #[inline(never)]
    pub fn field(&self, key: &str) -> Result<&'a Value, JsonError> {
        self.0.get(key).ok_or_else(|| JsonError::missing_field(key))
    }

    /// An optional field: missing and null are both `None`.
    pub fn opt<T: FromJson>(&self, key: &str) -> Result<Option<T>, JsonError> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => T::from_json(value).map(Some).map_err(|e| e.at_key(key)),
        }
    }

    /// A field with a default: missing and null are both `T::default()`.
    pub fn or_default<T: FromJson + Default>(&self, key: &str) -> Result<T, JsonError> {
        self.opt(key).map(Option::unwrap_or_default)
    }

    /// A field with a default only when missing; null is read as a `T` (an error for most types),
    /// as serde's `#[serde(default)]` on a non-`Option` field.
    pub fn default_if_missing<T: FromJson + Default>(&self, key: &str) -> Result<T, JsonError> {
        match self.0.get(key) {
            Some(value) => T::from_json(value).map_err(|e| e.at_key(key)),
            None => Ok(T::default()),
        }
    }

    /// The object's entries, in the order the map keeps them.
    pub fn entries(&self) -> impl Iterator<Item = (&'a str, &'a Value)> + 'a {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }
}

/// The single key of an externally tagged enum value (`{"Variant": {...}}`) and its content; a bare
/// string is a unit variant with `Value::Null` content.
pub fn tagged(value: &Value) -> Result<(&str, &Value), JsonError> {
    static NULL: Value = Value::Null;
    match value {
        Value::String(tag) => Ok((tag.as_str(), &NULL)),
        Value::Object(map) if map.len() == 1 => match map.iter().next() {
            Some((tag, content)) => Ok((tag.as_str(), content)),
            None => Err(JsonError::new("expected one variant")),
        },
        other => Err(JsonError::expected("a variant (a string or an object with one key)", other)),
    }
}

/// "unknown variant `tag`, expected one of …" for an enum reader.
pub fn unknown_variant(tag: &str, expected: &[&str]) -> JsonError {
    JsonError::new(format!("unknown variant `{tag}`, expected one of {}", expected.join(", ")))
}

#[cfg(test)]
mod tests;
