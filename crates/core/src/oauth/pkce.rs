//! PKCE (RFC 7636) and the random `state` and `nonce` values, from bytes the shell drew.

use super::Secret;
use crate::encoding::base64url;
use sha2::{Digest, Sha256};

/// A PKCE pair (RFC 7636): the secret `code_verifier` and its S256 `code_challenge`. `Debug` shows
/// the challenge only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pkce {
    verifier: Secret,
    challenge: String,
}

impl Pkce {
    /// The verifier is the base64url of 32 random octets (43 characters, as RFC 7636 recommends); the
    /// challenge is `BASE64URL(SHA256(verifier))`.
    pub fn from_verifier_bytes(bytes: &[u8; 32]) -> Self {
        let verifier = base64url(bytes);
        let challenge = base64url(&Sha256::digest(verifier.as_bytes()));
        Self { verifier: Secret::new(verifier), challenge }
    }

    /// Rebuilds the pair from a stored verifier; `None` unless it is 43–128 unreserved characters.
    pub fn from_verifier(verifier: &str) -> Option<Self> {
        let ok = (43..=128).contains(&verifier.len())
            && verifier.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~'));
        ok.then(|| Self { verifier: Secret::new(verifier), challenge: base64url(&Sha256::digest(verifier.as_bytes())) })
    }

    /// `code_verifier`, sent only to the token endpoint.
    pub fn verifier(&self) -> &str {
        self.verifier.expose()
    }

    /// `code_challenge`, sent in the authorize URL.
    pub fn challenge(&self) -> &str {
        &self.challenge
    }
}

/// Base64url without padding of random octets, for `state` and `nonce` values.
pub fn random_value(bytes: &[u8]) -> String {
    base64url(bytes)
}
