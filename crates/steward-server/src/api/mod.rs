//! The routes under `/api/v1`, `/healthz` and `/readyz`. One module per resource; each
//! handler checks the token's scope first, then reads or writes through the store and the
//! libraries.

pub mod drift;
pub mod evidence;
pub mod intake;
pub mod systems;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post, put};

use crate::AppState;
use crate::error::ApiError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/api/v1/openapi.json", get(crate::openapi::document))
        .route("/api/v1/systems", get(systems::portfolio))
        .route(
            "/api/v1/systems/{name}",
            put(systems::put_system)
                .get(systems::get_system)
                .delete(systems::delete_system),
        )
        .route("/api/v1/systems/{name}/readiness", get(evidence::readiness))
        .route("/api/v1/systems/{name}/streams", get(systems::streams))
        .route(
            "/api/v1/systems/{name}/streams/{stream}/batches",
            post(intake::post_batch).get(intake::list_batches),
        )
        .route(
            "/api/v1/systems/{name}/streams/{stream}/reference",
            put(intake::put_reference).get(intake::get_reference),
        )
        .route(
            "/api/v1/systems/{name}/streams/{stream}/drift",
            get(drift::stream_drift),
        )
        .route(
            "/api/v1/systems/{name}/metrics/{metric}/observations",
            post(evidence::post_observations).get(evidence::metric_evaluation),
        )
        .route(
            "/api/v1/systems/{name}/fallback-tests",
            post(evidence::post_drill).get(evidence::list_drills),
        )
        .route(
            "/api/v1/systems/{name}/owner-confirmations",
            post(evidence::post_confirmation).get(evidence::list_confirmations),
        )
        .fallback(not_found)
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "health",
    responses((status = 200, description = "The process is up", body = String)))]
pub async fn healthz() -> &'static str {
    "ok\n"
}

/// Readiness: the database answers.
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses(
        (status = 200, description = "The database is reachable", body = String),
        (status = 503, description = "The database is not reachable", body = crate::error::ErrorBody)))]
pub async fn readyz(State(state): State<AppState>) -> Result<&'static str, ApiError> {
    state.store.ping().await?;
    Ok("ready\n")
}

async fn not_found() -> impl IntoResponse {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such route")
}

/// A JSON reply with a status.
pub fn reply<T: serde::Serialize>(status: StatusCode, body: T) -> (StatusCode, Json<T>) {
    (status, Json(body))
}

/// Names in paths: a system's is a manifest's `metadata.name`; a stream's and a metric's
/// are 1 to 128 letters, digits, '-', '_' or '.', so a path can never smuggle text into
/// logs, SQL or file names. The OpenAPI document states the same patterns.
pub fn check_name(what: &str, name: &str) -> Result<(), ApiError> {
    if what == "system" {
        return steward_manifest::SystemName::validate(name)
            .map_err(|e| ApiError::bad_request(e.to_string()));
    }
    let ok = !name.is_empty()
        && name.len() <= 128
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "the {what} name must be 1 to 128 letters, digits, '-', '_' or '.'"
        )))
    }
}
