//! Evidence recorded through the API and what is judged on it: success-metric observations
//! and their evaluation (the `steward metric` JSON), fallback drills, owner confirmations,
//! and live readiness (the `steward check` JSON, with the recorded evidence passed to the
//! gate as inputs).

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use steward_gate::GateOptions;
use steward_manifest::System;
use steward_metric::{MetricOptions, Observation, Observations, Span};
use steward_store::{Scope, StreamRecord};

use super::{check_name, reply};
use crate::error::ApiError;
use crate::time::{date_of, now_us, rfc3339, today};
use crate::{AppState, auth};

/// The live facts of one system, gathered from the store.
pub struct Live {
    pub evidence: steward_gate::LiveEvidence,
    pub streams: Vec<StreamRecord>,
}

/// What the store holds about a system that the gate takes as live evidence: the latest
/// owner confirmation, recorded drills, and when each monitored stream last received data.
pub async fn live_evidence(
    state: &AppState,
    name: &str,
    system: &System,
) -> Result<Live, ApiError> {
    let confirmation = state
        .store
        .confirmations(name)
        .await?
        .iter()
        .filter_map(|c| c.date.parse::<NaiveDate>().ok())
        .max();
    let drills = state.store.drills(name).await?;
    let streams = state.store.streams(name).await?;
    Ok(live_from(system, confirmation, &drills, streams))
}

/// The gate's live evidence from stored records (the portfolio reads the records of every
/// system in a few queries and calls this per system).
pub fn live_from(
    system: &System,
    confirmation: Option<NaiveDate>,
    drills: &[steward_store::DrillRecord],
    streams: Vec<StreamRecord>,
) -> Live {
    let fallback_drills = drills
        .iter()
        .filter_map(|d| {
            Some(steward_gate::RecordedDrill {
                date: to_date(d.date.parse::<NaiveDate>().ok()?)?,
                passed: d.result == "passed",
                evidence: d.evidence.clone(),
            })
        })
        .collect();
    let last_batch = |s: &StreamRecord| s.last_at.and_then(date_of).and_then(to_date);
    let mut monitored: Vec<steward_gate::StreamActivity> =
        steward_gate::monitored_streams(&system.manifest)
            .into_iter()
            .map(|stream| steward_gate::StreamActivity {
                last_batch: streams
                    .iter()
                    .find(|s| s.stream == stream)
                    .and_then(last_batch),
                stream,
            })
            .collect();
    for s in &streams {
        if s.batches > 0 && !monitored.iter().any(|m| m.stream == s.stream) {
            monitored.push(steward_gate::StreamActivity {
                stream: s.stream.clone(),
                last_batch: last_batch(s),
            });
        }
    }
    Live {
        evidence: steward_gate::LiveEvidence {
            owner_confirmation: confirmation.and_then(to_date),
            fallback_drills,
            streams: monitored,
        },
        streams,
    }
}

fn to_date(d: NaiveDate) -> Option<steward_manifest::Date> {
    Some(steward_manifest::Date(d))
}

pub fn gate_options(today: NaiveDate, evidence: steward_gate::LiveEvidence) -> GateOptions {
    GateOptions {
        today: steward_manifest::Date(today),
        target: None,
        strict: false,
        live: Some(evidence),
    }
}

/// Live readiness: the `steward check` JSON for this system, judged today on its manifest
/// and the evidence recorded through the API (owner confirmations for Q2, monitored
/// streams' last data for Q4, drills for Q5).
#[utoipa::path(get, path = "/api/v1/systems/{name}/readiness", tag = "readiness",
    params(("name" = String, Path, description = "The system's metadata.name", pattern = "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")),
    responses(
        (status = 200, description = "The gate's report (as `steward check --format json`)", body = Object),
        (status = 400, description = "Bad name", body = crate::error::ErrorBody),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 404, description = "No such system", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn readiness(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    auth::require(&state, &headers, Scope::Read).await?;
    let (_, system) = super::systems::load(&state, &name).await?;
    let live = live_evidence(&state, &name, &system).await?;
    let date = today();
    let options = gate_options(date, live.evidence);
    let report = steward_gate::evaluate(&system, &name, &options);
    let report = steward_gate::GateReport {
        date,
        systems: vec![report],
    };
    let value = serde_json::to_value(&report).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(Json(value))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObservationIn {
    /// When: RFC 3339, or a date (`YYYY-MM-DD`), as `steward metric` reads them.
    pub timestamp: String,
    pub value: f64,
}

/// A drill or a confirmation is a few fields.
const SMALL_BODY: u64 = 64 * 1024;

/// At most this many observations per request.
const MAX_OBSERVATIONS: usize = 1_000_000;

fn metric_declared(system: &System, metric: &str) -> Result<(), ApiError> {
    let declared = system
        .manifest
        .spec
        .success_metrics
        .iter()
        .any(|m| m.name.as_deref() == Some(metric));
    if declared {
        Ok(())
    } else {
        Err(ApiError::not_found(format!(
            "the manifest declares no success metric named `{metric}`"
        )))
    }
}

/// The observations of a request body: a JSON array of `{"timestamp", "value"}`, or, as
/// `steward metric` reads them, CSV (`timestamp,value`) or JSON Lines; rows naming another
/// metric (a `metric` column) are left out.
fn parse_observations(
    headers: &HeaderMap,
    body: &[u8],
    metric: &str,
) -> Result<Vec<(i64, f64)>, ApiError> {
    let essence = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    let read = match essence.as_str() {
        "" | "application/json" => None,
        "text/csv" => Some(steward_metric::observations::read_csv("body", body)),
        "application/x-ndjson" | "application/jsonl" => {
            Some(steward_metric::observations::read_json_lines("body", body))
        }
        other => {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                format!(
                    "Content-Type `{}`: send application/json, text/csv or application/x-ndjson",
                    steward_io::clip(other, 100)
                ),
            ));
        }
    };
    if let Some(read) = read {
        let obs =
            read.map_err(|e| ApiError::unprocessable(format!("line {}: {}", e.line, e.message)))?;
        let wanted = obs.metrics.iter().position(|(n, _)| n == metric);
        return Ok(obs
            .rows
            .iter()
            .filter(|r| r.metric.is_none() || r.metric.map(|m| m as usize) == wanted)
            .map(|r| (r.at, r.value))
            .collect());
    }
    let items: Vec<ObservationIn> = serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(format!(
            "the body must be a JSON array of {{\"timestamp\", \"value\"}}: {e}"
        ))
    })?;
    if items.len() > MAX_OBSERVATIONS {
        return Err(ApiError::unprocessable(format!(
            "{} observations in one request; send at most {MAX_OBSERVATIONS}",
            items.len()
        )));
    }
    let mut rows = Vec::with_capacity(items.len());
    for (i, o) in items.iter().enumerate() {
        let at = steward_metric::timestamp::parse_micros(&o.timestamp).ok_or_else(|| {
            ApiError::unprocessable(format!(
                "observation [{i}]: `{}` is not a timestamp (RFC 3339 or YYYY-MM-DD)",
                steward_io::clip(&o.timestamp, 60)
            ))
        })?;
        if !o.value.is_finite() || o.value.abs() > steward_metric::observations::MAX_ABS_VALUE {
            return Err(ApiError::unprocessable(format!(
                "observation [{i}]: the value must be a finite number within 1e100"
            )));
        }
        rows.push((at, o.value));
    }
    Ok(rows)
}

/// Records observations of a success metric (a JSON array of `{"timestamp", "value"}`, or
/// CSV or JSON Lines as `steward metric` reads them), all stored or none.
#[utoipa::path(post, path = "/api/v1/systems/{name}/metrics/{metric}/observations", tag = "metrics",
    params(
        ("name" = String, Path, description = "The system's metadata.name", pattern = "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"),
        ("metric" = String, Path, description = "A success metric's name", pattern = "^[A-Za-z0-9._-]{1,128}$")),
    request_body(content(
        (Vec<ObservationIn> = "application/json"), (String = "text/csv"), (String = "application/x-ndjson"))),
    responses(
        (status = 201, description = "Stored", body = Object),
        (status = 400, description = "Not a JSON array of observations", body = crate::error::ErrorBody),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 403, description = "The token lacks the write scope", body = crate::error::ErrorBody),
        (status = 404, description = "No such system or metric", body = crate::error::ErrorBody),
        (status = 413, description = "Body over the limit", body = crate::error::ErrorBody),
        (status = 415, description = "Unknown content type", body = crate::error::ErrorBody),
        (status = 422, description = "An observation that does not fit (with its index)", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn post_observations(
    State(state): State<AppState>,
    Path((name, metric)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, Scope::Write).await?;
    let (_, system) = super::systems::load(&state, &name).await?;
    check_name("metric", &metric)?;
    metric_declared(&system, &metric)?;
    let body = super::intake::read_body(body, state.config.max_body).await?;
    let rows = parse_observations(&headers, &body, &metric)?;
    state
        .store
        .add_observations(&name, &metric, &rows, now_us())
        .await?;
    Ok(reply(
        StatusCode::CREATED,
        json!({"metric": metric, "stored": rows.len()}),
    )
    .into_response())
}

/// The metric's evaluation, as `steward metric --format json` gives it, on the observations
/// recorded so far, judged today.
#[utoipa::path(get, path = "/api/v1/systems/{name}/metrics/{metric}/observations", tag = "metrics",
    params(
        ("name" = String, Path, description = "The system's metadata.name", pattern = "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"),
        ("metric" = String, Path, description = "A success metric's name", pattern = "^[A-Za-z0-9._-]{1,128}$")),
    responses(
        (status = 200, description = "The evaluation", body = Object),
        (status = 400, description = "Bad name", body = crate::error::ErrorBody),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 404, description = "No such system or metric", body = crate::error::ErrorBody),
        (status = 422, description = "The metric cannot be evaluated (with why)", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn metric_evaluation(
    State(state): State<AppState>,
    Path((name, metric)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, Scope::Read).await?;
    let (_, system) = super::systems::load(&state, &name).await?;
    check_name("metric", &metric)?;
    metric_declared(&system, &metric)?;
    let report = evaluate_metric(&state, &name, &system, &metric)
        .await?
        .and_then(|r| steward_metric::render::json(&r))
        .map_err(metric_error)?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        report,
    )
        .into_response())
}

/// One metric of a system evaluated today on everything recorded, as `steward metric
/// --metric NAME` would (seed 1, 10,000 resamples): the store's failure is the outer error,
/// the metric's own (not measurable, no observations) the inner one.
pub async fn evaluate_metric(
    state: &AppState,
    name: &str,
    system: &System,
    metric: &str,
) -> Result<Result<steward_metric::MetricsReport, steward_metric::MetricError>, ApiError> {
    let options = MetricOptions {
        launch: None,
        today: to_date(today()).ok_or_else(|| ApiError::internal("today is not a date"))?,
        seed: 1,
        resamples: 10_000,
        metric: Some(metric.to_string()),
    };
    let span = steward_metric::span(&system.manifest, &options).unwrap_or(Span::ALL);
    let rows = state
        .store
        .observations(name, metric, span.from, span.to)
        .await?;
    let late = if span.to < i64::MAX {
        state
            .store
            .count_observations_since(name, metric, span.to)
            .await?
    } else {
        0
    };
    let observations = Observations {
        rows: rows
            .into_iter()
            .map(|(at, value)| Observation {
                at,
                value,
                metric: None,
            })
            .collect(),
        late_unnamed: late,
        ..Observations::default()
    };
    let manifest = system.manifest.clone();
    tokio::task::spawn_blocking(move || {
        steward_metric::evaluate(&manifest, &observations, &options)
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))
}

fn metric_error(e: steward_metric::MetricError) -> ApiError {
    match e {
        steward_metric::MetricError::Internal(m) => ApiError::internal(m),
        other => ApiError::unprocessable(other.to_string()),
    }
}

#[derive(Clone, Copy, Deserialize, Serialize, utoipa::ToSchema, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum DrillResult {
    Passed,
    Failed,
}

impl DrillResult {
    fn as_str(self) -> &'static str {
        match self {
            DrillResult::Passed => "passed",
            DrillResult::Failed => "failed",
        }
    }
}

#[derive(Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DrillIn {
    /// The day of the drill (YYYY-MM-DD).
    pub date: NaiveDate,
    pub result: DrillResult,
    /// Where the drill's record is (a link, a ticket).
    #[schema(max_length = 4096)]
    pub evidence: String,
}

fn bounded(what: &str, text: &str, max: usize) -> Result<(), ApiError> {
    if text.chars().count() > max {
        return Err(ApiError::unprocessable(format!(
            "`{what}` is longer than {max} characters"
        )));
    }
    Ok(())
}

/// Records a fallback drill; Q5 of live readiness uses it.
#[utoipa::path(post, path = "/api/v1/systems/{name}/fallback-tests", tag = "evidence",
    params(("name" = String, Path, description = "The system's metadata.name", pattern = "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")),
    request_body(content = DrillIn, content_type = "application/json"),
    responses(
        (status = 201, description = "Recorded", body = Object),
        (status = 400, description = "Malformed", body = crate::error::ErrorBody),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 403, description = "The token lacks the write scope", body = crate::error::ErrorBody),
        (status = 404, description = "No such system", body = crate::error::ErrorBody),
        (status = 422, description = "A value that does not fit", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn post_drill(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, Scope::Write).await?;
    super::systems::load(&state, &name).await?;
    let body = super::intake::read_body(body, SMALL_BODY).await?;
    let drill: DrillIn = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(format!(
            "the body must be {{\"date\", \"result\", \"evidence\"}}: {e}"
        ))
    })?;
    bounded("evidence", &drill.evidence, 4096)?;
    if drill.date > today() {
        return Err(ApiError::unprocessable(format!(
            "the drill's date {} is in the future",
            drill.date
        )));
    }
    let r = state
        .store
        .add_drill(
            &name,
            &drill.date.to_string(),
            drill.result.as_str(),
            &drill.evidence,
            now_us(),
        )
        .await?;
    Ok(reply(
        StatusCode::CREATED,
        json!({"id": r.id, "date": r.date, "result": r.result, "evidence": r.evidence, "recorded_at": rfc3339(r.recorded_at)}),
    )
    .into_response())
}

/// The drills recorded through the API, newest first.
#[utoipa::path(get, path = "/api/v1/systems/{name}/fallback-tests", tag = "evidence",
    params(("name" = String, Path, description = "The system's metadata.name", pattern = "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")),
    responses(
        (status = 200, description = "The drills", body = Object),
        (status = 400, description = "Bad name", body = crate::error::ErrorBody),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 404, description = "No such system", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_drills(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    auth::require(&state, &headers, Scope::Read).await?;
    super::systems::load(&state, &name).await?;
    let drills: Vec<Value> = state
        .store
        .drills(&name)
        .await?
        .into_iter()
        .map(|r| json!({"id": r.id, "date": r.date, "result": r.result, "evidence": r.evidence, "recorded_at": rfc3339(r.recorded_at)}))
        .collect();
    Ok(Json(json!({"fallback_tests": drills})))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmationIn {
    /// The day ownership was confirmed (default: today).
    pub date: Option<NaiveDate>,
    /// Who confirmed (an entity reference such as `user:default/jane.doe`).
    #[schema(min_length = 1, max_length = 256)]
    pub confirmed_by: String,
    #[serde(default)]
    #[schema(max_length = 4096)]
    pub note: String,
}

/// Records that the owner re-confirmed ownership; Q2 of live readiness uses the latest.
#[utoipa::path(post, path = "/api/v1/systems/{name}/owner-confirmations", tag = "evidence",
    params(("name" = String, Path, description = "The system's metadata.name", pattern = "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")),
    request_body(content = ConfirmationIn, content_type = "application/json"),
    responses(
        (status = 201, description = "Recorded", body = Object),
        (status = 400, description = "Malformed", body = crate::error::ErrorBody),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 403, description = "The token lacks the write scope", body = crate::error::ErrorBody),
        (status = 404, description = "No such system", body = crate::error::ErrorBody),
        (status = 422, description = "A value that does not fit", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn post_confirmation(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, Scope::Write).await?;
    super::systems::load(&state, &name).await?;
    let body = super::intake::read_body(body, SMALL_BODY).await?;
    let c: ConfirmationIn = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(format!(
            "the body must be {{\"confirmed_by\", \"date\", \"note\"}}: {e}"
        ))
    })?;
    if c.confirmed_by.trim().is_empty() {
        return Err(ApiError::unprocessable("`confirmed_by` is empty"));
    }
    bounded("confirmed_by", &c.confirmed_by, 256)?;
    bounded("note", &c.note, 4096)?;
    let date = c.date.unwrap_or_else(today);
    if date > today() {
        return Err(ApiError::unprocessable(format!(
            "the date {date} is in the future"
        )));
    }
    let r = state
        .store
        .add_confirmation(&name, &date.to_string(), &c.confirmed_by, &c.note, now_us())
        .await?;
    Ok(reply(
        StatusCode::CREATED,
        json!({"id": r.id, "date": r.date, "confirmed_by": r.confirmed_by, "note": r.note, "recorded_at": rfc3339(r.recorded_at)}),
    )
    .into_response())
}

/// The owner confirmations recorded through the API, newest first.
#[utoipa::path(get, path = "/api/v1/systems/{name}/owner-confirmations", tag = "evidence",
    params(("name" = String, Path, description = "The system's metadata.name", pattern = "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")),
    responses(
        (status = 200, description = "The confirmations", body = Object),
        (status = 400, description = "Bad name", body = crate::error::ErrorBody),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 404, description = "No such system", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_confirmations(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    auth::require(&state, &headers, Scope::Read).await?;
    super::systems::load(&state, &name).await?;
    let list: Vec<Value> = state
        .store
        .confirmations(&name)
        .await?
        .into_iter()
        .map(|r| json!({"id": r.id, "date": r.date, "confirmed_by": r.confirmed_by, "note": r.note, "recorded_at": rfc3339(r.recorded_at)}))
        .collect();
    Ok(Json(json!({"owner_confirmations": list})))
}
