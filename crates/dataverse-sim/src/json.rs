//! An ordered JSON writer.
//!
//! Dataverse's property order is part of what clients see (annotations sit just before their
//! property, `@odata.count` right after `@odata.context`), and `serde_json::Map` sorts keys unless a
//! workspace-wide feature is switched on, so responses are assembled as ordered lists instead.

use serde_json::Value;

/// A JSON value whose objects keep insertion order.
#[derive(Debug, Clone)]
pub(crate) enum Json {
    /// A leaf (or a whole value whose order does not matter).
    Val(Value),
    /// An object, in order.
    Obj(Vec<(String, Json)>),
    /// An array.
    Arr(Vec<Json>),
    /// Already-rendered JSON text (rows are written straight into text: big scans are hot paths).
    Raw(String),
}

impl Json {
    pub(crate) fn obj() -> Json {
        Json::Obj(Vec::new())
    }

    /// Appends a property (objects only; ignored otherwise).
    pub(crate) fn push(&mut self, key: impl Into<String>, value: impl Into<Json>) {
        if let Json::Obj(items) = self {
            items.push((key.into(), value.into()));
        }
    }

    /// Chained `push`.
    pub(crate) fn with(mut self, key: impl Into<String>, value: impl Into<Json>) -> Json {
        self.push(key, value);
        self
    }

    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Json::Val(v) => out.push_str(&v.to_string()),
            Json::Raw(s) => out.push_str(s),
            Json::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Json::Obj(items) => {
                out.push('{');
                for (i, (k, v)) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String(k.clone()).to_string());
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }
}

impl From<Value> for Json {
    fn from(v: Value) -> Self {
        Json::Val(v)
    }
}

impl From<&str> for Json {
    fn from(v: &str) -> Self {
        Json::Val(Value::String(v.to_string()))
    }
}

impl From<String> for Json {
    fn from(v: String) -> Self {
        Json::Val(Value::String(v))
    }
}

impl From<i64> for Json {
    fn from(v: i64) -> Self {
        Json::Val(Value::from(v))
    }
}

impl From<bool> for Json {
    fn from(v: bool) -> Self {
        Json::Val(Value::Bool(v))
    }
}

/// Appends `s` as a JSON string literal (same escapes as serde_json).
pub(crate) fn push_str_lit(out: &mut String, s: &str) {
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_literals_escape_exactly_like_serde_json() {
        for s in [
            "plain",
            "quote \" and \\ back",
            "line\nbreak\ttab\r",
            "ctl \u{1} \u{8} \u{c}",
            "ünïcødé / slash",
        ] {
            let mut out = String::new();
            push_str_lit(&mut out, s);
            assert_eq!(out, Value::String(s.to_string()).to_string());
        }
    }
}
