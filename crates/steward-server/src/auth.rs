//! Bearer tokens: a token is random text shown once; the store keeps its sha256 only, and
//! each request looks its hash up, so a revocation holds from the next request on.

use axum::http::{HeaderMap, StatusCode, header};
use sha2::{Digest, Sha256};
use steward_store::Scope;

use crate::AppState;
use crate::error::ApiError;

/// Every token starts with this, so a leaked one is recognisable by secret scanners.
const PREFIX: &str = "stw_";

/// A new random token (32 bytes from the operating system).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom_fill(&mut bytes);
    format!("{PREFIX}{}", hex::encode(bytes))
}

fn getrandom_fill(bytes: &mut [u8]) {
    // Without the operating system's randomness no token can be made safely: fail loudly.
    getrandom::fill(bytes).expect("the operating system's random source");
}

/// The hash the store keeps for a token.
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Checks the request's bearer token against `needed`. Reads pass without a token when the
/// server runs with `--public-read`.
pub async fn require(state: &AppState, headers: &HeaderMap, needed: Scope) -> Result<(), ApiError> {
    if needed == Scope::Read && state.config.public_read {
        return Ok(());
    }
    let unauthorized = |m: &str| ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", m);
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(unauthorized(
            "this request needs a token: send `Authorization: Bearer TOKEN` (steward token create)",
        ));
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 256)
        .ok_or_else(|| unauthorized("the Authorization header must be `Bearer TOKEN`"))?;
    let Some(record) = state.store.token_by_hash(&hash(token)).await? else {
        return Err(unauthorized("the token is unknown or revoked"));
    };
    if record.scope < needed {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!(
                "the token `{}` has scope `{}`; this request needs `{}`",
                record.name,
                record.scope.as_str(),
                needed.as_str()
            ),
        ));
    }
    Ok(())
}
