//! [`Secret`]: the one wrapper for values that must never reach a log, an error message or a panic.

use crate::json::{FromJson, JsonError};
use serde::Serialize;

/// A secret string: an access or refresh token, the PKCE verifier, an authorization code.
///
/// `Debug` and `Display` print `…`, never the value, so a secret inside a struct, an error or a
/// `{:?}` in a test failure stays hidden. The value is read only on purpose, with
/// [`Secret::expose`], where it is sent (a header, a form body). Serialising writes the plain string:
/// the shell keeps the session in `sessionStorage` in the same shape as before this type existed.
#[derive(Clone, PartialEq, Eq, Default, Serialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself, to be sent where it belongs.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True for an empty value.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("…")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

/// Reads the plain string [`Serialize`] writes.
impl FromJson for Secret {
    fn from_json(value: &serde_json::Value) -> Result<Self, JsonError> {
        String::from_json(value).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_print_the_value_but_it_serialises_as_a_plain_string() {
        let s = Secret::new("eyJ0eXAi.very-secret");
        assert_eq!(format!("{s:?}"), "Secret(…)");
        assert_eq!(format!("{s}"), "…");
        assert_eq!(format!("{:?}", Some(&s)), "Some(Secret(…))");
        assert_eq!(s.expose(), "eyJ0eXAi.very-secret");
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json, serde_json::json!("eyJ0eXAi.very-secret"));
        assert_eq!(Secret::from_json(&json), Ok(s));
        assert!(Secret::from_json(&serde_json::json!(7)).is_err());
    }
}
