//! Every failed request answers `{"error": {"code", "message"}}` with its status. Handlers
//! return [`ApiError`]; the library errors map onto it here, once.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use steward_data::{DataError, Problem};
use steward_store::StoreError;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// A stable, machine-readable reason (`unauthorized`, `not_found`, `payload_too_large`, ...).
    pub code: String,
    /// What is wrong and where, in words.
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn conflict(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, "conflict", message)
    }

    pub fn unprocessable(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "unprocessable", message)
    }

    pub fn too_large(limit: u64) -> ApiError {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the request body is over the limit of {limit} bytes (--max-body)"),
        )
    }

    pub fn internal(message: impl Into<String>) -> ApiError {
        let message = message.into();
        tracing::error!("internal error: {message}");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message,
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("5"),
            );
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::Unavailable(m) => {
                tracing::warn!("database unavailable: {m}");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "the database is unavailable; retry shortly",
                )
            }
            StoreError::Conflict(m) => ApiError::conflict(m),
            other => ApiError::internal(other.to_string()),
        }
    }
}

/// A dataset that could not be read: the sender's fault (4xx, with where) or ours (500).
pub fn data_error(e: DataError) -> ApiError {
    match &e {
        DataError::Input { problem, at, .. } => {
            let mut message = e.to_string();
            let mut place = Vec::new();
            if let Some(line) = at.line {
                place.push(format!("line {line}"));
            }
            if let Some(column) = &at.column {
                place.push(format!("column `{}`", steward_io::clip(column, 200)));
            }
            if let Some(offset) = at.offset {
                place.push(format!("byte {offset}"));
            }
            if !place.is_empty() && !place.iter().all(|p| message.contains(p.as_str())) {
                message = format!("{message} ({})", place.join(", "));
            }
            match problem {
                Problem::Damaged => ApiError::new(StatusCode::BAD_REQUEST, "malformed", message),
                Problem::TooLarge => {
                    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", message)
                }
                Problem::Unsupported | Problem::Invalid => ApiError::unprocessable(message),
                _ => ApiError::unprocessable(message),
            }
        }
        DataError::Io { .. } => ApiError::bad_request(e.to_string()),
        _ => ApiError::internal(e.to_string()),
    }
}
