//! Dataset drift: pair the columns of a reference and a current dataset, settle each
//! column's type, run every column's test on all cores, and apply the dataset rule (the
//! dataset drifts when the share of drifted columns reaches `drift_share`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Serialize;
use steward_stats::profile::{ColumnProfile, Profile, ProfileKind};
use steward_stats::{ColumnDrift, ColumnRequest, ColumnType, StatTest, column_drift};

use crate::{Column, Dataset, Kind};

/// What the user asked for, beyond the two datasets.
#[derive(Clone, Debug, Default)]
pub struct DriftOptions {
    pub numerical: BTreeSet<String>,
    pub categorical: BTreeSet<String>,
    /// A test for every column, and per-column choices (which win).
    pub stattest: Option<StatTest>,
    pub column_stattest: BTreeMap<String, StatTest>,
    pub threshold: Option<f64>,
    pub column_threshold: BTreeMap<String, f64>,
    pub drift_share: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Skipped {
    pub column: String,
    pub reason: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct DriftReport {
    pub reference_rows: usize,
    pub current_rows: usize,
    pub dataset_drift: bool,
    pub drift_share: f64,
    pub share_of_drifted_columns: f64,
    pub number_of_columns: usize,
    pub number_of_drifted_columns: usize,
    pub columns: Vec<ColumnDrift>,
    pub skipped_columns: Vec<Skipped>,
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Number => "numbers",
        Kind::Text => "text",
        Kind::Boolean => "booleans",
    }
}

/// Compares `current` with `reference`, column by column, in the reference's column order.
pub fn dataset_drift(
    reference: Dataset,
    current: Dataset,
    options: &DriftOptions,
) -> Result<DriftReport, String> {
    dataset_drift_with_progress(reference, current, options, &|_, _| {})
}

/// [`dataset_drift`], calling `progress(done, total)` as each column's test finishes.
pub fn dataset_drift_with_progress(
    reference: Dataset,
    current: Dataset,
    options: &DriftOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<DriftReport, String> {
    compare(Reference::Data(reference), current, options, progress)
}

/// [`dataset_drift_with_progress`] against a stored profile instead of reference rows.
pub fn profile_drift_with_progress(
    reference: &Profile,
    current: Dataset,
    options: &DriftOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<DriftReport, String> {
    compare(Reference::Profile(reference), current, options, progress)
}

enum Reference<'a> {
    Data(Dataset),
    Profile(&'a Profile),
}

/// The profile of a dataset; columns are profiled on every core.
pub fn profile(data: &Dataset) -> Profile {
    let one = |c: &Column| {
        let kind = match c.kind {
            Kind::Number => ProfileKind::Number,
            Kind::Text => ProfileKind::Text,
            Kind::Boolean => ProfileKind::Boolean,
        };
        let mut p = ColumnProfile::new(&c.name, kind, &c.values, c.missing as u64);
        p.integer = c.integer;
        p
    };
    let threads = std::thread::available_parallelism()
        .map(|t| t.get())
        .unwrap_or(1)
        .min(data.columns.len().max(1));
    let chunk = data.columns.len().div_ceil(threads).max(1);
    let columns = std::thread::scope(|scope| {
        let handles: Vec<_> = data
            .columns
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(one).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    Profile {
        format: steward_stats::profile::FORMAT.into(),
        rows: data.rows as u64,
        columns,
    }
}

fn compare(
    reference: Reference,
    current: Dataset,
    options: &DriftOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<DriftReport, String> {
    // The reference side as columns; from a profile, each column's values are exact counts
    // or the quantile sketch's distribution, with its rank error.
    let mut approx: BTreeMap<String, (f64, ColumnProfile)> = BTreeMap::new();
    let (reference_rows, reference_columns) = match reference {
        Reference::Data(d) => (d.rows, d.columns),
        Reference::Profile(p) => {
            let mut cols = Vec::new();
            for c in &p.columns {
                let kind = match c.kind {
                    ProfileKind::Number => Kind::Number,
                    ProfileKind::Text => Kind::Text,
                    ProfileKind::Boolean => Kind::Boolean,
                };
                let (values, rank_error) = c.reference_values()?;
                if let Some(e) = rank_error {
                    approx.insert(c.name.clone(), (e, c.clone()));
                }
                cols.push(Column {
                    name: c.name.clone(),
                    kind,
                    values,
                    missing: c.missing as usize,
                    integer: c.integer,
                });
            }
            (p.rows as usize, cols)
        }
    };
    let reference = Dataset {
        rows: reference_rows,
        columns: reference_columns,
        unsupported: Vec::new(),
    };
    let mut cur_by_name: BTreeMap<String, Column> = current
        .columns
        .into_iter()
        .map(|c| (c.name.clone(), c))
        .collect();
    let mut skipped = Vec::new();
    let mut requests = Vec::new();
    for r in reference.columns {
        let Some(c) = cur_by_name.remove(&r.name) else {
            skipped.push(Skipped {
                column: r.name,
                reason: "only in the reference data".into(),
            });
            continue;
        };
        if r.kind != c.kind {
            return Err(format!(
                "column `{}` holds {} in the reference data and {} in the current data",
                r.name,
                kind_name(r.kind),
                kind_name(c.kind)
            ));
        }
        let column_type = if options.categorical.contains(&r.name) {
            ColumnType::Categorical
        } else if options.numerical.contains(&r.name) {
            if r.kind != Kind::Number {
                return Err(format!(
                    "--numerical {}: the column holds {}, not numbers",
                    r.name,
                    kind_name(r.kind)
                ));
            }
            ColumnType::Numerical
        } else if r.kind == Kind::Number {
            ColumnType::Numerical
        } else {
            ColumnType::Categorical
        };
        if r.values.is_empty() || c.values.is_empty() {
            skipped.push(Skipped {
                column: r.name.clone(),
                reason: format!(
                    "no values in the {} data (all {} missing)",
                    if r.values.is_empty() {
                        "reference"
                    } else {
                        "current"
                    },
                    if r.values.is_empty() {
                        r.missing
                    } else {
                        c.missing
                    }
                ),
            });
            continue;
        }
        requests.push(ColumnRequest {
            stattest: options
                .column_stattest
                .get(&r.name)
                .copied()
                .or(options.stattest),
            threshold: options
                .column_threshold
                .get(&r.name)
                .copied()
                .or(options.threshold),
            name: r.name,
            column_type,
            reference: r.values,
            current: c.values,
            reference_missing: r.missing,
            current_missing: c.missing,
            integer: r.integer && c.integer,
        });
    }
    for (name, _) in cur_by_name {
        skipped.push(Skipped {
            column: name,
            reason: "only in the current data".into(),
        });
    }
    let mut results = run_parallel(requests, progress)?;
    for r in results.iter_mut() {
        if let Some((error, p)) = approx.get(&r.column) {
            r.approximate = true;
            r.rank_error = Some(*error);
            // The profile's moments are exact: report them rather than the sketch's.
            if let Some(n) = &p.numeric {
                r.reference.min = Some(n.min);
                r.reference.max = Some(n.max);
                r.reference.mean = Some(n.mean);
                r.reference.std = Some(n.std);
                r.reference.unique = p.distinct_estimate.round() as usize;
            }
        }
    }
    let drifted = results.iter().filter(|c| c.drift_detected).count();
    let share = if results.is_empty() {
        0.0
    } else {
        drifted as f64 / results.len() as f64
    };
    Ok(DriftReport {
        reference_rows: reference.rows,
        current_rows: current.rows,
        dataset_drift: !results.is_empty() && share >= options.drift_share,
        drift_share: options.drift_share,
        share_of_drifted_columns: share,
        number_of_columns: results.len(),
        number_of_drifted_columns: drifted,
        columns: results,
        skipped_columns: skipped,
    })
}

/// Runs the column tests on every core; results keep the columns' order.
fn run_parallel(
    requests: Vec<ColumnRequest>,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<ColumnDrift>, String> {
    let n = requests.len();
    let done = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<ColumnRequest>>> =
        requests.into_iter().map(|r| Mutex::new(Some(r))).collect();
    let results: Vec<Mutex<Option<Result<ColumnDrift, String>>>> =
        (0..n).map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism()
        .map(|t| t.get())
        .unwrap_or(1)
        .min(n.max(1));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    let req = slots[i].lock().map(|mut s| s.take()).ok().flatten();
                    if let Some(req) = req {
                        let r = column_drift(req);
                        if let Ok(mut slot) = results[i].lock() {
                            *slot = Some(r);
                        }
                        progress(done.fetch_add(1, Ordering::Relaxed) + 1, n);
                    }
                }
            });
        }
    });
    results
        .into_iter()
        .map(|m| {
            m.into_inner()
                .ok()
                .flatten()
                .unwrap_or_else(|| Err("a column test did not finish".into()))
        })
        .collect()
}
