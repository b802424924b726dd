//! Systems: their manifests (`PUT` YAML, `GET`, `DELETE`) and the portfolio.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use steward_manifest::{ManifestError, ManifestErrorKind, System};

use chrono::NaiveDate;
use steward_store::{DrillRecord, Origin, Scope, StreamRecord, SystemRecord};

use super::{check_name, reply};
use crate::error::ApiError;
use crate::time::{now_us, rfc3339};
use crate::{AppState, auth};

/// A manifest error as the API reports it: the message, with line and column when known.
pub fn manifest_error(e: &ManifestError) -> ApiError {
    let mut message = e.message.clone();
    if let Some(p) = e.position {
        message = format!("line {}, column {}: {message}", p.line, p.column);
    }
    if let Some(help) = &e.help {
        message = format!("{message} ({help})");
    }
    match e.kind {
        ManifestErrorKind::Syntax | ManifestErrorKind::NotUtf8 | ManifestErrorKind::Binary => {
            ApiError::new(StatusCode::BAD_REQUEST, "malformed", message)
        }
        ManifestErrorKind::TooLarge => {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", message)
        }
        _ => ApiError::unprocessable(message),
    }
}

/// The one AISystem a manifest body must hold, named as the path says.
pub fn parse_one(name: &str, yaml: &[u8]) -> Result<System, ApiError> {
    let mut systems =
        steward_manifest::parse_manifests(name, yaml).map_err(|e| manifest_error(&e))?;
    if systems.len() != 1 {
        return Err(ApiError::unprocessable(format!(
            "the body holds {} AISystem documents; PUT one per system",
            systems.len()
        )));
    }
    let system = systems.remove(0);
    let declared = system.manifest.metadata.name.to_string();
    if declared != name {
        return Err(ApiError::unprocessable(format!(
            "the manifest's metadata.name is `{}`, the path says `{name}`",
            steward_io::clip(&declared, 200)
        )));
    }
    Ok(system)
}

/// A stored system, parsed. A stored manifest always parsed when it was put, so failing now
/// means the stored text is damaged (or a newer parser refuses it): a 500 that says so.
pub async fn load(state: &AppState, name: &str) -> Result<(SystemRecord, System), ApiError> {
    check_name("system", name)?;
    let Some(record) = state.store.system(name).await? else {
        return Err(ApiError::not_found(format!("no system named `{name}`")));
    };
    let system = steward_manifest::parse_manifests(name, record.manifest.as_bytes())
        .ok()
        .and_then(|mut s| (s.len() == 1).then(|| s.remove(0)))
        .ok_or_else(|| {
            ApiError::internal(format!("the stored manifest of `{name}` no longer loads"))
        })?;
    Ok((record, system))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PutReply {
    pub name: String,
    pub created: bool,
}

/// Stores a system's manifest (YAML body). 201 when new, 200 when replaced.
#[utoipa::path(put, path = "/api/v1/systems/{name}", tag = "systems",
    params(("name" = String, Path, description = "The system's metadata.name", pattern = "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")),
    request_body(content = String, content_type = "application/yaml", description = "One AISystem manifest"),
    responses(
        (status = 200, description = "Replaced", body = PutReply),
        (status = 201, description = "Created", body = PutReply),
        (status = 400, description = "Not YAML", body = crate::error::ErrorBody),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 403, description = "The token lacks the admin scope", body = crate::error::ErrorBody),
        (status = 413, description = "Too large", body = crate::error::ErrorBody),
        (status = 422, description = "Not a valid manifest for this name", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn put_system(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, Scope::Admin).await?;
    check_name("system", &name)?;
    let limit = state
        .config
        .max_body
        .min(steward_manifest::MAX_MANIFEST_BYTES);
    let body = super::intake::read_body(body, limit).await?;
    parse_one(&name, &body)?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::bad_request("the manifest is not UTF-8"))?;
    let created = state
        .store
        .put_system(&name, text, Origin::Api, now_us())
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(reply(status, PutReply { name, created }).into_response())
}

/// The system's manifest as it was put (YAML).
#[utoipa::path(get, path = "/api/v1/systems/{name}", tag = "systems",
    params(("name" = String, Path, description = "The system's metadata.name", pattern = "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")),
    responses(
        (status = 200, description = "The manifest", body = String, content_type = "application/yaml"),
        (status = 400, description = "Bad name", body = crate::error::ErrorBody),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 404, description = "No such system", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_system(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    auth::require(&state, &headers, Scope::Read).await?;
    check_name("system", &name)?;
    let Some(record) = state.store.system(&name).await? else {
        return Err(ApiError::not_found(format!("no system named `{name}`")));
    };
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/yaml")],
        record.manifest,
    )
        .into_response())
}

/// Deletes a system and everything recorded for it.
#[utoipa::path(delete, path = "/api/v1/systems/{name}", tag = "systems",
    params(("name" = String, Path, description = "The system's metadata.name", pattern = "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Bad name", body = crate::error::ErrorBody),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 403, description = "The token lacks the admin scope", body = crate::error::ErrorBody),
        (status = 404, description = "No such system", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn delete_system(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    auth::require(&state, &headers, Scope::Admin).await?;
    check_name("system", &name)?;
    if state.store.delete_system(&name).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(format!("no system named `{name}`")))
    }
}

/// Per system, each declared success metric's verdict (`met`, `not_met`, ...) on the
/// observations recorded so far, judged today; `verdict` null with a `reason` when it cannot
/// be evaluated (no observations yet, say). Evaluations are reused until the manifest, the
/// day or the metric's observations change.
async fn metric_verdicts(
    state: &AppState,
    records: &[SystemRecord],
    today: NaiveDate,
) -> Result<HashMap<String, Value>, ApiError> {
    let mut stats: HashMap<String, Vec<(String, u64, i64)>> = HashMap::new();
    for (system, metric, count, stamp) in state.store.observation_stats().await? {
        stats
            .entry(system)
            .or_default()
            .push((metric, count, stamp));
    }
    let known = state
        .metric_verdicts
        .lock()
        .map(|c| c.clone())
        .unwrap_or_default();
    let mut out = HashMap::new();
    let mut fresh = Vec::new();
    for record in records {
        let mut mine = stats.get(&record.name).cloned().unwrap_or_default();
        mine.sort();
        let key = format!(
            "{today}|{}|{}|{mine:?}",
            record.updated_at,
            record.manifest.len()
        );
        if let Some((k, v)) = known.get(&record.name)
            && *k == key
        {
            out.insert(record.name.clone(), v.clone());
            continue;
        }
        let Ok(mut parsed) =
            steward_manifest::parse_manifests(&record.name, record.manifest.as_bytes())
        else {
            continue;
        };
        if parsed.len() != 1 {
            continue;
        }
        let system = parsed.remove(0);
        let mut verdicts = Vec::new();
        for m in &system.manifest.spec.success_metrics {
            let Some(name) = m.name.as_deref() else {
                continue;
            };
            if !mine.iter().any(|(metric, _, _)| metric == name) {
                verdicts.push(
                    json!({"name": name, "verdict": null, "reason": "no observations recorded"}),
                );
                continue;
            }
            let v = match super::evidence::evaluate_metric(state, &record.name, &system, name)
                .await?
            {
                Ok(report) => {
                    let r = serde_json::to_value(&report).unwrap_or(Value::Null);
                    let measured = r["metrics"].as_array().and_then(|a| a.first()).cloned();
                    let unmeasured = r["not_measurable"]
                        .as_array()
                        .and_then(|a| a.first())
                        .cloned();
                    match (measured, unmeasured) {
                        (Some(m), _) => {
                            json!({"name": name, "verdict": m["verdict"], "change": m["change"]})
                        }
                        (None, Some(u)) => {
                            json!({"name": name, "verdict": u["verdict"], "reason": u["reason"]})
                        }
                        _ => json!({"name": name, "verdict": null}),
                    }
                }
                Err(e) => json!({"name": name, "verdict": null, "reason": e.to_string()}),
            };
            verdicts.push(v);
        }
        let v = Value::Array(verdicts);
        out.insert(record.name.clone(), v.clone());
        fresh.push((record.name.clone(), (key, v)));
    }
    if let Ok(mut c) = state.metric_verdicts.lock() {
        c.retain(|name, _| records.iter().any(|r| &r.name == name));
        c.extend(fresh);
    }
    Ok(out)
}

/// A system's portfolio row as last judged, with what it was judged on.
#[derive(Clone)]
pub struct Judged {
    /// (updated_at, manifest length) of the stored manifest.
    manifest_version: (i64, usize),
    /// The day and the live evidence, as text.
    evidence_key: String,
    system: std::sync::Arc<System>,
    row: Value,
}

pub fn stream_json(s: &StreamRecord) -> Value {
    json!({
        "stream": s.stream,
        "batches": s.batches,
        "rows": s.rows,
        "first_received_at": s.first_at.map(rfc3339),
        "last_received_at": s.last_at.map(rfc3339),
        "has_reference": s.has_reference,
    })
}

/// The streams of a system: batches and rows received, first and last arrival.
#[utoipa::path(get, path = "/api/v1/systems/{name}/streams", tag = "streams",
    params(("name" = String, Path, description = "The system's metadata.name", pattern = "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")),
    responses(
        (status = 200, description = "The streams", body = Object),
        (status = 400, description = "Bad name", body = crate::error::ErrorBody),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 404, description = "No such system", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn streams(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    auth::require(&state, &headers, Scope::Read).await?;
    load(&state, &name).await?;
    let streams = state.store.streams(&name).await?;
    Ok(Json(
        json!({ "streams": streams.iter().map(stream_json).collect::<Vec<_>>() }),
    ))
}

/// The portfolio: per system its lifecycle, owner, live readiness verdict and failing rules,
/// declared cost, and its streams with the drift of their last closed day; manifests of the
/// folder that failed to load.
#[utoipa::path(get, path = "/api/v1/systems", tag = "systems",
    responses(
        (status = 200, description = "The portfolio", body = Object),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn portfolio(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    auth::require(&state, &headers, Scope::Read).await?;
    let today = crate::time::today();
    // A few queries for the whole portfolio, not a few per system.
    let records = state.store.systems().await?;
    let mut confirmations: HashMap<String, NaiveDate> = HashMap::new();
    for (system, date) in state.store.latest_confirmations().await? {
        if let Ok(d) = date.parse() {
            confirmations.insert(system, d);
        }
    }
    let mut drills: HashMap<String, Vec<DrillRecord>> = HashMap::new();
    for (system, d) in state.store.all_drills().await? {
        drills.entry(system).or_default().push(d);
    }
    let mut streams: HashMap<String, Vec<StreamRecord>> = HashMap::new();
    for (system, s) in state.store.all_streams().await? {
        streams.entry(system).or_default().push(s);
    }
    let mut verdicts: HashMap<(String, String), Value> = HashMap::new();
    for (system, stream, start, v) in state
        .store
        .latest_window_verdicts(super::drift::DAY_US)
        .await?
    {
        verdicts.insert(
            (system, stream),
            json!({
                "window": "1d",
                "start": rfc3339(start),
                "dataset_drift": v.dataset_drift,
                "share_of_drifted_columns": v.share_drifted,
            }),
        );
    }
    let metric_verdicts = metric_verdicts(&state, &records, today).await?;
    let cache = state.judged.clone();
    // Parsing and judging manifests is CPU work: off the async threads, and only for the
    // systems whose inputs changed since they were last judged.
    let systems = tokio::task::spawn_blocking(move || {
        use rayon::prelude::*;
        let known = cache.lock().map(|c| c.clone()).unwrap_or_default();
        let rows: Vec<(String, Option<Judged>, Value)> = records
            .par_iter()
            .filter_map(|record| {
                let parsed = match known.get(&record.name) {
                    Some(j) if j.manifest_version == (record.updated_at, record.manifest.len()) => {
                        j.system.clone()
                    }
                    _ => {
                        let mut p = steward_manifest::parse_manifests(
                            &record.name,
                            record.manifest.as_bytes(),
                        )
                        .ok()?;
                        if p.len() != 1 {
                            return None;
                        }
                        std::sync::Arc::new(p.remove(0))
                    }
                };
                let streams_of = streams.get(&record.name).cloned().unwrap_or_default();
                let live = super::evidence::live_from(
                    &parsed,
                    confirmations.get(&record.name).copied(),
                    drills.get(&record.name).map(Vec::as_slice).unwrap_or(&[]),
                    streams_of,
                );
                let evidence_key = format!("{today}{:?}", live.evidence);
                let reuse = known.get(&record.name).filter(|j| {
                    j.manifest_version == (record.updated_at, record.manifest.len())
                        && j.evidence_key == evidence_key
                });
                let (judged, fresh) = match reuse {
                    Some(j) => (j.row.clone(), None),
                    None => {
                        let options = super::evidence::gate_options(today, live.evidence);
                        let row = steward_gate::portfolio::row(&parsed, &record.name, &options);
                        let value = serde_json::to_value(&row).ok()?;
                        let j = Judged {
                            manifest_version: (record.updated_at, record.manifest.len()),
                            evidence_key,
                            system: parsed.clone(),
                            row: value.clone(),
                        };
                        (value, Some(j))
                    }
                };
                let mut value = judged;
                if let Some(o) = value.as_object_mut() {
                    o.remove("file");
                    let streams = live
                        .streams
                        .iter()
                        .map(|st| {
                            let mut v = stream_json(st);
                            let key = (record.name.clone(), st.stream.clone());
                            v["drift"] = verdicts.get(&key).cloned().unwrap_or(Value::Null);
                            v
                        })
                        .collect();
                    o.insert("streams".into(), Value::Array(streams));
                    o.insert(
                        "metrics".into(),
                        metric_verdicts
                            .get(&record.name)
                            .cloned()
                            .unwrap_or(Value::Null),
                    );
                    o.insert("updated_at".into(), json!(rfc3339(record.updated_at)));
                    o.insert("origin".into(), json!(record.origin.as_str()));
                }
                Some((record.name.clone(), fresh, value))
            })
            .collect();
        if let Ok(mut c) = cache.lock() {
            // Systems no longer stored are forgotten.
            c.retain(|name, _| records.iter().any(|r| &r.name == name));
            for (name, fresh, _) in &rows {
                if let Some(j) = fresh {
                    c.insert(name.clone(), j.clone());
                }
            }
        }
        rows.into_iter().map(|(_, _, v)| v).collect::<Vec<Value>>()
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?;
    let errors: Vec<Value> = state
        .store
        .manifest_errors()
        .await?
        .into_iter()
        .map(|e| json!({"path": e.path, "message": e.message, "seen_at": rfc3339(e.seen_at)}))
        .collect();
    Ok(Json(json!({
        "date": today.to_string(),
        "systems": systems,
        "manifest_errors": errors,
    })))
}
