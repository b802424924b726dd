//! Drift over time: the merged profile of each window's batches against the stream's
//! reference, profile against profile, so memory follows the summaries, never the rows.
//! A closed window's batches can no longer change, so its drift is kept once computed (by
//! one process: a lease) and read back after; the open window is computed on each request.

use std::collections::HashMap;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use serde::Deserialize;
use serde_json::{Value, json};
use steward_data::drift::{DriftOptions, DriftReport, Side};
use steward_manifest::System;
use steward_stats::profile::{ColumnProfile, FORMAT, Profile, Source};
use steward_store::{Scope, WindowKey};

use super::check_name;
use super::intake::read_profile;
use crate::error::ApiError;
use crate::time::{now_us, rfc3339};
use crate::{AppState, auth};

const HOUR_US: i64 = 3_600_000_000;
pub const DAY_US: i64 = 24 * HOUR_US;

/// The merged profile of a stream's batches over a span.
pub struct Merged {
    pub profile: Profile,
    pub batches: u64,
    /// Columns that some batches lacked or carried in another type.
    pub notes: Vec<String>,
}

/// Merges the profiles of batches, column by column. Batches of one stream may differ in
/// their columns (a column missing, added or retyped): a column's values absent from a
/// batch count as missing in that batch's rows, and a column of another type than the first
/// batch's is left out of the merge with a note, so one odd batch never hides the others.
pub struct Merger {
    merged: Option<Profile>,
    batches: u64,
    notes: Vec<String>,
}

impl Merger {
    pub fn new() -> Merger {
        Merger {
            merged: None,
            batches: 0,
            notes: Vec::new(),
        }
    }

    pub fn add(&mut self, next: Profile) -> Result<(), ApiError> {
        self.batches += 1;
        let Some(acc) = self.merged.as_mut() else {
            self.merged = Some(next);
            return Ok(());
        };
        let acc_rows = acc.rows;
        let mut theirs: HashMap<&str, &ColumnProfile> =
            next.columns.iter().map(|c| (c.name.as_str(), c)).collect();
        for column in acc.columns.iter_mut() {
            match theirs.remove(column.name.as_str()) {
                Some(other) if other.kind == column.kind => {
                    *column = column
                        .merge(other)
                        .map_err(|e| ApiError::internal(format!("cannot merge profiles: {e}")))?;
                }
                Some(other) => {
                    note(
                        &mut self.notes,
                        format!(
                            "column `{}` arrived as {:?} in some batches; those values are left out",
                            column.name, other.kind
                        ),
                    );
                    add_missing(column, next.rows);
                }
                None => {
                    note(
                        &mut self.notes,
                        format!("column `{}` is missing from some batches", column.name),
                    );
                    add_missing(column, next.rows);
                }
            }
        }
        for column in next
            .columns
            .iter()
            .filter(|c| theirs.contains_key(c.name.as_str()))
        {
            note(
                &mut self.notes,
                format!("column `{}` is missing from some batches", column.name),
            );
            let mut c = column.clone();
            add_missing(&mut c, acc_rows);
            acc.columns.push(c);
        }
        acc.rows = acc
            .rows
            .checked_add(next.rows)
            .ok_or_else(|| ApiError::internal("the merged row count overflows"))?;
        Ok(())
    }

    pub fn finish(self, created_at: &str) -> Option<Merged> {
        let mut profile = self.merged?;
        profile.format = FORMAT.into();
        profile.source = Some(Source {
            format: "merge".into(),
            rows: profile.rows,
            columns: profile.columns.len() as u64,
            created_at: created_at.to_string(),
            sha256: None,
            parts: Vec::new(),
            part_count: self.batches,
        });
        Some(Merged {
            profile,
            batches: self.batches,
            notes: self.notes,
        })
    }
}

fn note(notes: &mut Vec<String>, text: String) {
    if !notes.contains(&text) && notes.len() < 100 {
        notes.push(text);
    }
}

/// Rows of a batch that lacked the column count as missing values of it.
fn add_missing(column: &mut ColumnProfile, rows: u64) {
    column.missing = column.missing.saturating_add(rows);
    if rows > 0 {
        column.integer = false;
    }
}

/// The merged profile of a stream's batches received in `[from, to)`; `None` when none.
pub async fn merged_profile(
    state: &AppState,
    system: &str,
    stream: &str,
    from: i64,
    to: i64,
) -> Result<Option<Merged>, ApiError> {
    let mut merger = Merger::new();
    let mut failure = None;
    state
        .store
        .fold_profiles(system, stream, from, to, &mut |_, json| {
            if failure.is_some() {
                return Ok(());
            }
            match read_profile(&json).and_then(|p| merger.add(p)) {
                Ok(()) => {}
                Err(e) => failure = Some(e),
            }
            Ok(())
        })
        .await?;
    if let Some(e) = failure {
        return Err(e);
    }
    Ok(merger.finish(&rfc3339(now_us())))
}

/// The drift settings of a stream: the manifest's signal watching it, where one names it,
/// over the defaults of `steward drift`.
pub fn drift_options(system: &System, stream: &str) -> Result<DriftOptions, ApiError> {
    let mut options = DriftOptions {
        drift_share: 0.5,
        ..Default::default()
    };
    let monitoring = system.manifest.spec.monitoring.as_ref();
    let signal = monitoring
        .into_iter()
        .flat_map(|m| m.signals.iter())
        .find(|s| s.stream.as_ref().map(|n| n.as_str()) == Some(stream));
    if let Some(s) = signal {
        if let Some(t) = s.stattest {
            options.stattest = Some(
                steward_stats::drift::StatTest::parse(t.as_str())
                    .map_err(ApiError::unprocessable)?,
            );
        }
        if let Some(t) = s.stattest_threshold {
            options.threshold = Some(t.0);
        }
        if let Some(d) = s.drift_share {
            options.drift_share = d.0;
        }
    }
    Ok(options)
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct DriftQuery {
    /// `1h`, `1d` (the default), `7d`, or `review` (the manifest's review cadence).
    #[param(pattern = "^(1h|1d|7d|review)$")]
    pub window: Option<String>,
    /// How many windows of history, newest first (default 30).
    #[param(minimum = 0, maximum = 366)]
    pub history: Option<i64>,
}

fn window_length(window: &str, system: &System) -> Result<i64, ApiError> {
    match window {
        "1h" => Ok(HOUR_US),
        "1d" => Ok(DAY_US),
        "7d" => Ok(7 * DAY_US),
        "review" => {
            let days = system
                .manifest
                .spec
                .monitoring
                .as_ref()
                .and_then(|m| m.review_cadence_days)
                .ok_or_else(|| {
                    ApiError::unprocessable(
                        "window=review needs spec.monitoring.review_cadence_days in the manifest",
                    )
                })?;
            Ok(i64::from(days.max(1)) * DAY_US)
        }
        other => Err(ApiError::bad_request(format!(
            "window must be 1h, 1d, 7d or review, not `{}`",
            steward_io::clip(other, 40)
        ))),
    }
}

async fn drift_of(
    reference: std::sync::Arc<Profile>,
    current: Profile,
    options: DriftOptions,
) -> Result<DriftReport, ApiError> {
    tokio::task::spawn_blocking(move || {
        steward_data::drift::drift_with_progress(
            Side::Profile(&reference),
            Side::Profile(&current),
            &options,
            &|_, _| {},
        )
    })
    .await
    .map_err(|e| ApiError::internal(format!("drift stopped: {e}")))?
    .map_err(|e| {
        if e.is_bad_input() {
            ApiError::unprocessable(e.to_string())
        } else {
            ApiError::internal(e.to_string())
        }
    })
}

/// The drift of one window (its report and notes): read back when kept, else computed from
/// the window's batches; a closed window's result is kept, by one process (a lease).
pub async fn window_result(
    state: &AppState,
    key: &WindowKey<'_>,
    reference: std::sync::Arc<Profile>,
    options: &DriftOptions,
    closed: bool,
) -> Result<(Value, Value), ApiError> {
    if closed && let Some(text) = state.store.window_drift(key).await? {
        let v: Value = serde_json::from_str(&text)
            .map_err(|e| ApiError::internal(format!("a kept drift result is damaged: {e}")))?;
        return Ok((v["report"].clone(), v["notes"].clone()));
    }
    let now = now_us();
    let lease = format!(
        "drift:{}:{}:{}:{}:{}",
        key.system, key.stream, key.window_us, key.start_us, key.reference
    );
    // Only one process keeps a closed window's result; another computing it at the same
    // moment serves its own copy and keeps nothing.
    let keep = closed
        && state
            .store
            .try_lease(&lease, &state.holder, now, 60_000_000)
            .await?;
    let end = key.start_us.saturating_add(key.window_us);
    let merged = merged_profile(state, key.system, key.stream, key.start_us, end)
        .await?
        .ok_or_else(|| ApiError::internal("a window with batches merged to nothing"))?;
    let report = drift_of(reference, merged.profile, options.clone()).await?;
    let verdict = steward_store::WindowVerdict {
        dataset_drift: report.dataset_drift,
        share_drifted: report.share_of_drifted_columns,
    };
    let report = serde_json::to_value(&report).map_err(|e| ApiError::internal(e.to_string()))?;
    let notes = json!(merged.notes);
    if keep {
        let text = json!({"report": report, "notes": notes}).to_string();
        state.store.put_window_drift(key, &text, verdict).await?;
        tracing::info!(
            "kept the drift of {}/{} for the window from {}",
            key.system,
            key.stream,
            rfc3339(key.start_us)
        );
        state.store.release_lease(&lease, &state.holder).await?;
    }
    Ok((report, notes))
}

/// Closes windows in the background: for every stream with a reference, the drift of its
/// latest closed day is computed and kept (once, whichever process gets there first), so the
/// portfolio can show each stream's drift without anyone asking for it.
pub async fn close_windows(state: &AppState) -> Result<(), ApiError> {
    let now = now_us();
    for record in state.store.systems().await? {
        let Ok(mut parsed) =
            steward_manifest::parse_manifests(&record.name, record.manifest.as_bytes())
        else {
            continue;
        };
        if parsed.len() != 1 {
            continue;
        }
        let system = parsed.remove(0);
        for s in state.store.streams(&record.name).await? {
            if !s.has_reference || s.batches == 0 {
                continue;
            }
            let windows = state
                .store
                .windows(&record.name, &s.stream, DAY_US, 2)
                .await?;
            let Some((start, _, _)) = windows
                .into_iter()
                .find(|(start, _, _)| start.saturating_add(DAY_US) <= now)
            else {
                continue;
            };
            let Some(reference) = state.store.reference(&record.name, &s.stream).await? else {
                continue;
            };
            let key = WindowKey {
                system: &record.name,
                stream: &s.stream,
                window_us: DAY_US,
                start_us: start,
                reference: &reference.version,
            };
            if state.store.window_drift(&key).await?.is_some() {
                continue;
            }
            let options = drift_options(&system, &s.stream)?;
            let profile = std::sync::Arc::new(read_profile(&reference.profile_json)?);
            window_result(state, &key, profile, &options, true).await?;
        }
    }
    Ok(())
}

/// Drift of the latest window's merged profile against the stream's reference, in the
/// `steward drift` JSON shape, with `window` (the window's bounds and batches) and
/// `history` (earlier windows, newest first, each with its dataset verdict).
#[utoipa::path(get, path = "/api/v1/systems/{name}/streams/{stream}/drift", tag = "streams",
    params(
        ("name" = String, Path, description = "The system's metadata.name", pattern = "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"),
        ("stream" = String, Path, description = "The stream", pattern = "^[A-Za-z0-9._-]{1,128}$"),
        DriftQuery),
    responses(
        (status = 200, description = "Drift of the latest window, and the history", body = Object),
        (status = 400, description = "Bad window", body = crate::error::ErrorBody),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 404, description = "No such system, stream or reference", body = crate::error::ErrorBody),
        (status = 422, description = "Nothing to compare", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn stream_drift(
    State(state): State<AppState>,
    Path((name, stream)): Path<(String, String)>,
    q: Result<Query<DriftQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    auth::require(&state, &headers, Scope::Read).await?;
    let (_, system) = super::systems::load(&state, &name).await?;
    check_name("stream", &stream)?;
    let Query(q) = q.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let window_name = q.window.unwrap_or_else(|| "1d".into());
    let window_us = window_length(&window_name, &system)?;
    let history = q.history.unwrap_or(30);
    if !(0..=366).contains(&history) {
        return Err(ApiError::bad_request("history must be from 0 to 366"));
    }
    let Some(reference) = state.store.reference(&name, &stream).await? else {
        return Err(ApiError::not_found(format!(
            "the stream `{stream}` has no reference: PUT .../streams/{stream}/reference first"
        )));
    };
    let options = drift_options(&system, &stream)?;
    let reference_profile = std::sync::Arc::new(read_profile(&reference.profile_json)?);
    let windows = state
        .store
        .windows(&name, &stream, window_us, history + 1)
        .await?;
    if windows.is_empty() {
        return Err(ApiError::not_found(format!(
            "the stream `{stream}` has received no batch yet"
        )));
    }
    let now = now_us();
    let mut entries = Vec::new();
    for (i, (start, batches, rows)) in windows.iter().enumerate() {
        let end = start.saturating_add(window_us);
        let key = WindowKey {
            system: &name,
            stream: &stream,
            window_us,
            start_us: *start,
            reference: &reference.version,
        };
        let closed = end <= now;
        let (report, notes) =
            window_result(&state, &key, reference_profile.clone(), &options, closed).await?;
        let window = json!({
            "name": window_name,
            "start": rfc3339(*start),
            "end": rfc3339(end),
            "closed": closed,
            "batches": batches,
            "rows": rows,
            "notes": notes,
        });
        if i == 0 {
            entries.push((window, report));
        } else {
            entries.push((window, summary(&report)));
        }
    }
    let mut entries = entries.into_iter();
    let (window, latest) = entries.next().expect("windows is not empty");
    let mut out = latest;
    if let Some(o) = out.as_object_mut() {
        o.insert("window".into(), window);
        o.insert(
            "reference".into(),
            json!({
                "version": reference.version,
                "rows": reference.rows,
                "set_at": rfc3339(reference.set_at),
                "from": reference.from_date,
                "to": reference.to_date,
            }),
        );
        o.insert(
            "history".into(),
            Value::Array(
                entries
                    .map(|(mut w, s)| {
                        if let (Some(w), Some(s)) = (w.as_object_mut(), s.as_object()) {
                            w.extend(s.clone());
                        }
                        w
                    })
                    .collect(),
            ),
        );
    }
    Ok(Json(out))
}

/// A past window's line in the history: its dataset verdict and which columns drifted.
fn summary(report: &Value) -> Value {
    let drifted: Vec<Value> = report["columns"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .filter(|c| c["drift_detected"].as_bool() == Some(true))
                .map(|c| c["column"].clone())
                .collect()
        })
        .unwrap_or_default();
    json!({
        "dataset_drift": report["dataset_drift"],
        "share_of_drifted_columns": report["share_of_drifted_columns"],
        "number_of_drifted_columns": report["number_of_drifted_columns"],
        "current_rows": report["current_rows"],
        "drifted_columns": drifted,
    })
}

#[cfg(test)]
mod tests {
    /// The manifest names drift tests without depending on the statistics crate; every name
    /// it accepts must be one `steward drift` runs.
    #[test]
    fn every_manifest_drift_test_is_a_stattest() {
        for t in steward_manifest::DriftTest::ALL {
            assert!(
                steward_stats::drift::StatTest::parse(t.as_str()).is_ok(),
                "{t:?}"
            );
        }
    }
}
