//! Data intake: a batch (CSV, JSON Lines, Parquet or Arrow IPC, by Content-Type) is profiled
//! as its body streams in and only the profile is stored. CSV, JSON Lines and Arrow streams
//! are read straight from the body; Parquet and the Arrow file format are read by seeking,
//! so their bodies are first written to a temporary file (never held in memory). Either way
//! memory follows the profile, not the body.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Json;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::{Stream, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use steward_data::{Format, Source};
use steward_stats::profile::Profile;
use steward_store::{NewBatch, NewReference, Scope, Stored};
use tokio::io::AsyncWriteExt;
use tokio_util::io::{StreamReader, SyncIoBridge};

use super::{check_name, reply};
use crate::error::{ApiError, data_error};
use crate::time::{now_us, rfc3339};
use crate::{AppState, auth};

/// How a body of this content type is read.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Intake {
    /// Read front to back as it arrives.
    Streamed(Format),
    /// Written to a temporary file first (the format is read by seeking).
    Spooled(Format),
}

fn intake_of(headers: &HeaderMap) -> Result<Intake, ApiError> {
    let unsupported = |what: &str| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!(
                "{what}; send text/csv, application/x-ndjson (JSON Lines), \
                 application/vnd.apache.parquet, application/vnd.apache.arrow.stream or \
                 application/vnd.apache.arrow.file"
            ),
        )
    };
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Err(unsupported("the request has no Content-Type"));
    };
    let text = value
        .to_str()
        .map_err(|_| unsupported("the Content-Type is not text"))?;
    let essence = text
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    Ok(match essence.as_str() {
        "text/csv" | "application/csv" => Intake::Streamed(Format::Csv),
        "application/x-ndjson"
        | "application/jsonl"
        | "application/json-lines"
        | "application/x-jsonlines"
        | "application/jsonlines" => Intake::Streamed(Format::JsonLines),
        // The Arrow reader holds a stream whole to check it against its length: spooled to
        // disk like the file format, so memory stays flat.
        "application/vnd.apache.arrow.stream" => Intake::Spooled(Format::ArrowIpc),
        "application/vnd.apache.arrow.file" => Intake::Spooled(Format::ArrowIpc),
        "application/vnd.apache.parquet" | "application/x-parquet" | "application/parquet" => {
            Intake::Spooled(Format::Parquet)
        }
        _ => {
            return Err(unsupported(&format!(
                "Content-Type `{}` is not a data format the server reads",
                steward_io::clip(&essence, 100)
            )));
        }
    })
}

/// Refuses a body whose declared length is over the limit before reading any of it.
fn check_length(headers: &HeaderMap, limit: u64) -> Result<(), ApiError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(n) if n > limit => Err(ApiError::too_large(limit)),
        _ => Ok(()),
    }
}

/// After refusing a body as too large, the server still reads (and drops) up to this much
/// of it: a client still sending when the connection closes is reset and never sees its
/// 413. Past this, the connection is closed on it.
const DRAIN_MAX: u64 = 64 << 20;

/// The body's chunks, failing once more than `limit` bytes have arrived (and saying so in
/// `over`, so the failure is answered 413, not as damaged data).
fn limited(
    body: Body,
    limit: u64,
    over: Arc<AtomicBool>,
) -> impl Stream<Item = io::Result<bytes::Bytes>> + Send + Unpin + 'static {
    let inner = body.into_data_stream();
    Box::pin(futures_util::stream::unfold(
        (inner, 0u64, false),
        move |(mut inner, seen, done)| {
            let over = over.clone();
            async move {
                if done {
                    return None;
                }
                match inner.next().await? {
                    Err(e) => Some((Err(io::Error::other(e)), (inner, seen, true))),
                    Ok(chunk) => {
                        let seen = seen.saturating_add(chunk.len() as u64);
                        if seen <= limit {
                            return Some((Ok(chunk), (inner, seen, false)));
                        }
                        over.store(true, Ordering::SeqCst);
                        drain(&mut inner).await;
                        let e = io::Error::other("the request body is over the limit");
                        Some((Err(e), (inner, seen, true)))
                    }
                }
            }
        },
    ))
}

async fn drain(inner: &mut axum::body::BodyDataStream) {
    let mut drained = 0u64;
    while drained < DRAIN_MAX {
        match inner.next().await {
            Some(Ok(c)) => drained += c.len() as u64,
            _ => break,
        }
    }
}

/// A whole body of at most `limit` bytes (a manifest, JSON): over it, 413 (after draining
/// what a client is still sending, as for data).
pub async fn read_body(body: Body, limit: u64) -> Result<bytes::Bytes, ApiError> {
    let over = Arc::new(AtomicBool::new(false));
    let mut chunks = limited(body, limit, over.clone());
    let mut out = bytes::BytesMut::new();
    while let Some(chunk) = chunks.next().await {
        match chunk {
            Ok(c) => out.extend_from_slice(&c),
            Err(_) if over.load(Ordering::SeqCst) => return Err(ApiError::too_large(limit)),
            Err(e) => {
                return Err(ApiError::bad_request(format!(
                    "the request body could not be read: {e}"
                )));
            }
        }
    }
    Ok(out.freeze())
}

/// The profile of a data body.
async fn profile_body(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
    name: &str,
) -> Result<Profile, ApiError> {
    let intake = intake_of(headers)?;
    let limit = state.config.max_body;
    if let Err(e) = check_length(headers, limit) {
        drain(&mut body.into_data_stream()).await;
        return Err(e);
    }
    let over = Arc::new(AtomicBool::new(false));
    let chunks = limited(body, limit, over.clone());
    let created_at = rfc3339(now_us());
    let name = name.to_string();
    let (source, format, _spool) = match intake {
        Intake::Streamed(format) => {
            let reader = SyncIoBridge::new(StreamReader::new(chunks));
            (Source::Reader(Box::new(reader)), format, None)
        }
        Intake::Spooled(format) => {
            let spool = tempfile::NamedTempFile::new()
                .map_err(|e| ApiError::internal(format!("cannot make a temporary file: {e}")))?;
            let file = spool
                .reopen()
                .map_err(|e| ApiError::internal(format!("cannot open a temporary file: {e}")))?;
            let mut file = tokio::fs::File::from_std(file);
            let mut chunks = chunks;
            while let Some(chunk) = chunks.next().await {
                let chunk = chunk.map_err(|e| {
                    if over.load(Ordering::SeqCst) {
                        ApiError::too_large(limit)
                    } else {
                        ApiError::bad_request(format!("the request body could not be read: {e}"))
                    }
                })?;
                file.write_all(&chunk).await.map_err(|e| {
                    ApiError::internal(format!("cannot spool the body to disk: {e}"))
                })?;
            }
            file.flush()
                .await
                .map_err(|e| ApiError::internal(format!("cannot spool the body to disk: {e}")))?;
            let path = spool.path().to_path_buf();
            (Source::Path(path), format, Some(spool))
        }
    };
    let result = tokio::task::spawn_blocking(move || {
        let options = steward_data::StreamProfileOptions::new(created_at);
        steward_data::profile_stream(source, &name, format, &|_| true, &options)
    })
    .await
    .map_err(|e| ApiError::internal(format!("profiling stopped: {e}")))?;
    match result {
        Ok(streamed) => Ok(streamed.profile),
        Err(_) if over.load(Ordering::SeqCst) => Err(ApiError::too_large(limit)),
        Err(e) => Err(data_error(e)),
    }
}

/// How a batch's columns differ from its stream's reference: missing, added or retyped.
fn columns_diff(reference: &Profile, batch: &Profile) -> Option<Value> {
    let kind = |p: &Profile, n: &str| {
        p.columns
            .iter()
            .find(|c| c.name == n)
            .map(|c| format!("{:?}", c.kind).to_lowercase())
    };
    let mut missing = Vec::new();
    let mut retyped = Vec::new();
    for c in &reference.columns {
        match kind(batch, &c.name) {
            None => missing.push(c.name.clone()),
            Some(k) if k != format!("{:?}", c.kind).to_lowercase() => retyped.push(json!({
                "column": c.name,
                "reference": format!("{:?}", c.kind).to_lowercase(),
                "batch": k,
            })),
            Some(_) => {}
        }
    }
    let added: Vec<String> = batch
        .columns
        .iter()
        .filter(|c| kind(reference, &c.name).is_none())
        .map(|c| c.name.clone())
        .collect();
    if missing.is_empty() && added.is_empty() && retyped.is_empty() {
        None
    } else {
        Some(json!({"missing": missing, "added": added, "retyped": retyped}))
    }
}

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
pub struct BatchReply {
    /// The batch's id.
    pub id: String,
    /// Rows profiled.
    pub rows: u64,
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(v) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = v
        .to_str()
        .ok()
        .filter(|k| !k.is_empty() && k.len() <= 255)
        .ok_or_else(|| {
            ApiError::bad_request("Idempotency-Key must be 1 to 255 visible ASCII characters")
        })?;
    Ok(Some(key.to_string()))
}

async fn require_system(state: &AppState, name: &str) -> Result<(), ApiError> {
    check_name("system", name)?;
    match state.store.system(name).await? {
        Some(_) => Ok(()),
        None => Err(ApiError::not_found(format!("no system named `{name}`"))),
    }
}

fn replay(first: steward_store::BatchRecord) -> Response {
    let mut r = reply(
        StatusCode::CREATED,
        BatchReply {
            id: first.id,
            rows: first.rows,
        },
    )
    .into_response();
    r.headers_mut().insert(
        "idempotent-replayed",
        header::HeaderValue::from_static("true"),
    );
    r
}

/// Takes a batch of data: profiles it as it streams in and stores the profile. 201 once the
/// profile is committed; with an `Idempotency-Key` used before on this stream, the first
/// reply again and nothing stored.
#[utoipa::path(post, path = "/api/v1/systems/{name}/streams/{stream}/batches", tag = "streams",
    params(
        ("name" = String, Path, description = "The system's metadata.name", pattern = "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"),
        ("stream" = String, Path, description = "The stream (created by its first batch or reference)", pattern = "^[A-Za-z0-9._-]{1,128}$"),
        ("Idempotency-Key" = Option<String>, Header, nullable = false, description = "Makes a retry a no-op that returns the first reply", pattern = "^[!-~]{1,255}$")),
    request_body(description = "CSV, JSON Lines, Parquet or Arrow IPC, by Content-Type", content(
        (String = "text/csv"), (String = "application/x-ndjson"),
        (String = "application/vnd.apache.parquet"), (String = "application/vnd.apache.arrow.stream"),
        (String = "application/vnd.apache.arrow.file"))),
    responses(
        (status = 201, description = "Profiled and stored", body = BatchReply),
        (status = 400, description = "Malformed data or request", body = crate::error::ErrorBody),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 403, description = "The token lacks the write scope", body = crate::error::ErrorBody),
        (status = 404, description = "No such system", body = crate::error::ErrorBody),
        (status = 413, description = "Body over the limit", body = crate::error::ErrorBody),
        (status = 415, description = "Unknown content type", body = crate::error::ErrorBody),
        (status = 422, description = "Data that parses but does not fit (with row and column)", body = crate::error::ErrorBody),
        (status = 503, description = "The database is unavailable", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn post_batch(
    State(state): State<AppState>,
    Path((name, stream)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, Scope::Write).await?;
    require_system(&state, &name).await?;
    check_name("stream", &stream)?;
    let key = idempotency_key(&headers)?;
    if let Some(key) = &key
        && let Some(first) = state.store.batch_by_key(&name, &stream, key).await?
    {
        return Ok(replay(first));
    }
    let profile = profile_body(
        &state,
        &headers,
        body,
        &format!("batch for {name}/{stream}"),
    )
    .await?;
    let diff = match state.store.reference(&name, &stream).await? {
        Some(r) => {
            let reference = read_profile(&r.profile_json)?;
            columns_diff(&reference, &profile).map(|d| d.to_string())
        }
        None => None,
    };
    let json = serde_json::to_vec(&profile).map_err(|e| ApiError::internal(e.to_string()))?;
    let stored = state
        .store
        .insert_batch(NewBatch {
            system: &name,
            stream: &stream,
            received_at: now_us(),
            rows: profile.rows,
            idempotency_key: key.as_deref(),
            columns_diff: diff.as_deref(),
            profile_json: &json,
        })
        .await?;
    match stored {
        Stored::New(b) => Ok(reply(
            StatusCode::CREATED,
            BatchReply {
                id: b.id,
                rows: b.rows,
            },
        )
        .into_response()),
        Stored::Existing(first) => Ok(replay(first)),
    }
}

/// A profile as stored: it was serialized by this server, so failing to read it is damage.
pub fn read_profile(json: &[u8]) -> Result<Profile, ApiError> {
    Profile::from_json(json)
        .map_err(|e| ApiError::internal(format!("a stored profile is damaged: {e}")))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// At most this many (default 100).
    #[param(minimum = 1, maximum = 10000)]
    pub limit: Option<i64>,
}

/// The batches received, newest first.
#[utoipa::path(get, path = "/api/v1/systems/{name}/streams/{stream}/batches", tag = "streams",
    params(
        ("name" = String, Path, description = "The system's metadata.name", pattern = "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"),
        ("stream" = String, Path, description = "The stream", pattern = "^[A-Za-z0-9._-]{1,128}$"),
        ListQuery),
    responses(
        (status = 200, description = "The batches", body = Object),
        (status = 400, description = "Bad request", body = crate::error::ErrorBody),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 404, description = "No such system", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_batches(
    State(state): State<AppState>,
    Path((name, stream)): Path<(String, String)>,
    q: Result<Query<ListQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    auth::require(&state, &headers, Scope::Read).await?;
    require_system(&state, &name).await?;
    check_name("stream", &stream)?;
    let Query(q) = q.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=10_000).contains(&limit) {
        return Err(ApiError::bad_request("limit must be from 1 to 10000"));
    }
    let batches = state.store.batches(&name, &stream, limit).await?;
    let list: Vec<Value> = batches
        .into_iter()
        .map(|b| {
            json!({
                "id": b.id,
                "received_at": rfc3339(b.received_at),
                "rows": b.rows,
                "idempotency_key": b.idempotency_key,
                "columns_diff": b.columns_diff.and_then(|d| serde_json::from_str::<Value>(&d).ok()),
            })
        })
        .collect();
    Ok(Json(json!({ "batches": list })))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FromBatches {
    /// First day (YYYY-MM-DD, UTC) whose batches go into the reference.
    pub from: chrono::NaiveDate,
    /// Last day, included.
    pub to: chrono::NaiveDate,
}

/// Sets the stream's reference: a data body (profiled like a batch), or
/// `{"from": DATE, "to": DATE}` for the merged profile of the stream's batches received
/// on those days.
#[utoipa::path(put, path = "/api/v1/systems/{name}/streams/{stream}/reference", tag = "streams",
    params(
        ("name" = String, Path, description = "The system's metadata.name", pattern = "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"),
        ("stream" = String, Path, description = "The stream", pattern = "^[A-Za-z0-9._-]{1,128}$")),
    request_body(description = "Data (as for batches), or JSON {from, to}", content(
        (FromBatches = "application/json"), (String = "text/csv"), (String = "application/x-ndjson"),
        (String = "application/vnd.apache.parquet"), (String = "application/vnd.apache.arrow.stream"),
        (String = "application/vnd.apache.arrow.file"))),
    responses(
        (status = 200, description = "The reference is set", body = Object),
        (status = 400, description = "Malformed", body = crate::error::ErrorBody),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 403, description = "The token lacks the write scope", body = crate::error::ErrorBody),
        (status = 404, description = "No such system", body = crate::error::ErrorBody),
        (status = 413, description = "Body over the limit", body = crate::error::ErrorBody),
        (status = 415, description = "Unknown content type", body = crate::error::ErrorBody),
        (status = 422, description = "No batches in those days, or data that does not fit", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn put_reference(
    State(state): State<AppState>,
    Path((name, stream)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    auth::require(&state, &headers, Scope::Write).await?;
    require_system(&state, &name).await?;
    check_name("stream", &stream)?;
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .eq_ignore_ascii_case("application/json")
        })
        .unwrap_or(false);
    let mut batches: Option<u64> = None;
    let (profile, from, to) = if is_json {
        let bytes = read_body(body, 64 * 1024).await?;
        let range: FromBatches = serde_json::from_slice(&bytes).map_err(|e| {
            ApiError::bad_request(format!(
                "the body must be {{\"from\": DATE, \"to\": DATE}}: {e}"
            ))
        })?;
        if range.to < range.from {
            return Err(ApiError::unprocessable("`to` is before `from`"));
        }
        let start = crate::time::midnight_us(range.from);
        let end = crate::time::midnight_us(range.to.succ_opt().unwrap_or(range.to));
        let merged = super::drift::merged_profile(&state, &name, &stream, start, end).await?;
        let Some(merged) = merged else {
            return Err(ApiError::unprocessable(format!(
                "the stream `{stream}` received no batch from {} to {}",
                range.from, range.to
            )));
        };
        batches = Some(merged.batches);
        (
            merged.profile,
            Some(range.from.to_string()),
            Some(range.to.to_string()),
        )
    } else {
        let profile = profile_body(
            &state,
            &headers,
            body,
            &format!("reference for {name}/{stream}"),
        )
        .await?;
        (profile, None, None)
    };
    let json = serde_json::to_vec(&profile).map_err(|e| ApiError::internal(e.to_string()))?;
    let set_at = now_us();
    let version = state
        .store
        .put_reference(NewReference {
            system: &name,
            stream: &stream,
            set_at,
            rows: profile.rows,
            from_date: from.as_deref(),
            to_date: to.as_deref(),
            profile_json: &json,
        })
        .await?;
    Ok(Json(json!({
        "stream": stream,
        "version": version,
        "rows": profile.rows,
        "columns": profile.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>(),
        "set_at": rfc3339(set_at),
        "from": from,
        "to": to,
        "batches": batches,
    })))
}

/// The stream's reference profile (the `steward profile` JSON).
#[utoipa::path(get, path = "/api/v1/systems/{name}/streams/{stream}/reference", tag = "streams",
    params(
        ("name" = String, Path, description = "The system's metadata.name", pattern = "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"),
        ("stream" = String, Path, description = "The stream", pattern = "^[A-Za-z0-9._-]{1,128}$")),
    responses(
        (status = 200, description = "The reference profile", body = Object),
        (status = 400, description = "Bad request", body = crate::error::ErrorBody),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 404, description = "No such system or no reference", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_reference(
    State(state): State<AppState>,
    Path((name, stream)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, Scope::Read).await?;
    require_system(&state, &name).await?;
    check_name("stream", &stream)?;
    let Some(r) = state.store.reference(&name, &stream).await? else {
        return Err(ApiError::not_found(format!(
            "the stream `{stream}` has no reference"
        )));
    };
    Ok(([(header::CONTENT_TYPE, "application/json")], r.profile_json).into_response())
}
