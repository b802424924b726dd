//! Dataset drift: pair the columns of a reference and a current dataset, settle each
//! column's type, run every column's test on all cores, and apply the dataset rule (the
//! dataset drifts when the share of drifted columns reaches `drift_share`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use steward_stats::profile::{ColumnProfile, Profile, ProfileError, ProfileKind, Source};
use steward_stats::{
    ColumnDrift, ColumnError, ColumnRequest, ColumnType, StatTest, Values, column_drift,
};

pub use crate::profile_file::{PROFILE_SIZE_LIMIT, is_profile, read_profile};
use crate::{Column, ColumnarDataset, DataError, Dataset, Format, Kind};

/// Why two datasets (or profiles) could not be compared. Every variant but `Internal` is
/// bad input: options that name no column, types that do not match, a damaged profile.
#[derive(Debug, thiserror::Error)]
pub enum DriftError {
    /// A per-column option names a column neither side has.
    #[error("{option} names the column `{column}`, which is not in the compared data")]
    UnknownColumn { option: String, column: String },
    /// An option's value is out of range (a negative threshold, a share past 1).
    #[error("{0}")]
    InvalidOption(String),
    /// A column holds different kinds of values on the two sides, or a test does not apply
    /// to it.
    #[error("{0}")]
    IncompatibleColumn(String),
    /// A profile that fails its checks.
    #[error("{0}")]
    Profile(#[from] ProfileError),
    /// Nothing could be compared (no shared column, every column skipped).
    #[error("{0}")]
    NoColumns(String),
    /// A column of a dataset read a column at a time could not be read.
    #[error("{0}")]
    Read(#[from] DataError),
    /// A failure of Steward itself.
    #[error("internal error: {0}")]
    Internal(String),
}

impl DriftError {
    /// Whether the input is at fault (as opposed to Steward).
    pub fn is_bad_input(&self) -> bool {
        !matches!(
            self,
            DriftError::Internal(_) | DriftError::Read(DataError::Internal { .. })
        )
    }
}

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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Skipped {
    pub column: String,
    pub reason: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DriftReport {
    pub reference_rows: usize,
    pub current_rows: usize,
    pub dataset_drift: bool,
    /// Columns whose decision is uncertain (`decision_uncertain`) could turn the dataset's
    /// verdict: counted the other way, the share of drifted columns crosses `drift_share`.
    pub dataset_drift_uncertain: bool,
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
) -> Result<DriftReport, DriftError> {
    dataset_drift_with_progress(reference, current, options, &|_, _| {})
}

/// [`dataset_drift`], calling `progress(done, total)` as each column's test finishes.
pub fn dataset_drift_with_progress(
    reference: Dataset,
    current: Dataset,
    options: &DriftOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<DriftReport, DriftError> {
    drift_with_progress(
        Side::Data(reference),
        Side::Data(current),
        options,
        progress,
    )
}

/// [`dataset_drift_with_progress`] against a stored profile instead of reference rows.
pub fn profile_drift_with_progress(
    reference: &Profile,
    current: Dataset,
    options: &DriftOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<DriftReport, DriftError> {
    drift_with_progress(
        Side::Profile(reference),
        Side::Data(current),
        options,
        progress,
    )
}

/// One side of a comparison: rows, a file read a column at a time (each column decoded
/// when its test runs, and dropped after it), or a profile (its summaries, never expanded
/// to rows).
pub enum Side<'a> {
    Data(Dataset),
    Columns(&'a ColumnarDataset),
    Profile(&'a Profile),
}

/// Compares two sides, each rows or a profile; every test runs on the summaries as they
/// are, so a profile claiming 10^15 rows costs what its summary costs. The column tests run
/// on the caller's rayon pool.
pub fn drift_with_progress(
    reference: Side,
    current: Side,
    options: &DriftOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<DriftReport, DriftError> {
    compare(reference, current, options, progress)
}

/// The profile of a dataset, made from `source`; columns are profiled on the caller's
/// rayon pool.
pub fn profile(data: &Dataset, source: Source) -> Profile {
    let columns = data.columns.par_iter().map(column_profile).collect();
    Profile {
        format: steward_stats::profile::FORMAT.into(),
        rows: data.rows as u64,
        source: Some(source),
        columns,
    }
}

/// One column's profile, made from its values.
pub(crate) fn column_profile(c: &Column) -> ColumnProfile {
    let kind = match c.kind {
        Kind::Number => ProfileKind::Number,
        Kind::Text => ProfileKind::Text,
        Kind::Boolean => ProfileKind::Boolean,
    };
    let mut p = ColumnProfile::new(&c.name, kind, &c.values, c.missing as u64);
    p.integer = c.integer;
    p
}

/// How a profile's `source` names the format it was read from.
pub(crate) fn format_name(format: Format) -> &'static str {
    match format {
        Format::Csv => "csv",
        Format::Parquet => "parquet",
        Format::JsonLines => "jsonl",
        Format::ArrowIpc => "arrow",
    }
}

/// The `source` of a profile of `data`, read in `format`, made at `created_at` (RFC 3339,
/// UTC: the caller's clock), with the sha256 of its file when it was one.
pub fn profile_source(
    data: &Dataset,
    format: Format,
    created_at: &str,
    sha256: Option<String>,
) -> Source {
    Source {
        format: format_name(format).into(),
        rows: data.rows as u64,
        columns: data.columns.len() as u64,
        created_at: created_at.to_string(),
        sha256,
        parts: Vec::new(),
        part_count: 0,
    }
}

/// Per-column options must name columns that are compared, and thresholds must be
/// numbers at or above zero.
fn check_options(options: &DriftOptions, names: &BTreeSet<&str>) -> Result<(), DriftError> {
    let unknown = |flag: &str, column: &str| DriftError::UnknownColumn {
        option: flag.to_string(),
        column: steward_io::clip(column, 200).into_owned(),
    };
    for (flag, set) in [
        ("--numerical", &options.numerical),
        ("--categorical", &options.categorical),
    ] {
        if let Some(c) = set.iter().find(|c| !names.contains(c.as_str())) {
            return Err(unknown(flag, c));
        }
    }
    if let Some(c) = options
        .column_stattest
        .keys()
        .find(|c| !names.contains(c.as_str()))
    {
        return Err(unknown("--stattest", c));
    }
    if let Some(c) = options
        .column_threshold
        .keys()
        .find(|c| !names.contains(c.as_str()))
    {
        return Err(unknown("--threshold", c));
    }
    let bad = |t: f64| !(t.is_finite() && t >= 0.0);
    if let Some(t) = options.threshold.filter(|t| bad(*t)) {
        return Err(DriftError::InvalidOption(format!(
            "--threshold {t}: a threshold is a number at or above 0"
        )));
    }
    if let Some((c, t)) = options.column_threshold.iter().find(|(_, t)| bad(**t)) {
        return Err(DriftError::InvalidOption(format!(
            "--threshold {}={t}: a threshold is a number at or above 0",
            steward_io::clip(c, 200)
        )));
    }
    if !(0.0..=1.0).contains(&options.drift_share) {
        return Err(DriftError::InvalidOption(format!(
            "--drift-share {}: the share is between 0 and 1",
            options.drift_share
        )));
    }
    Ok(())
}

/// Why a column of one side has no counterpart on the other (`side`): left out there by
/// the reader (no values at all, or a type not tested), or not there at all.
fn absent(left_out: &BTreeMap<String, String>, name: &str, side: &str, present: &str) -> String {
    match left_out.get(name).map(String::as_str) {
        Some("no values") => {
            format!("no values in the {side} data (every cell is empty or missing)")
        }
        Some(ty) => format!("in the {side} data a column of {ty}, which is not tested"),
        None => format!("only in the {present} data"),
    }
}

/// One column of a side: its kind, and its values or where to read them.
struct SideColumn<'a> {
    name: String,
    kind: Kind,
    values: Pending<'a>,
}

/// A column's values: at hand (or why a profile cannot stand for them), or to be decoded
/// from a dataset read a column at a time.
enum Pending<'a> {
    Ready(Ready),
    Lazy(&'a ColumnarDataset, usize),
}

struct Ready {
    values: Result<Values, String>,
    missing: usize,
    integer: bool,
}

impl Pending<'_> {
    /// The values, decoding them if they are not at hand.
    fn resolve(self) -> Result<Ready, DataError> {
        match self {
            Pending::Ready(r) => Ok(r),
            Pending::Lazy(data, index) => Ok(match data.column(index)? {
                Some(c) => Ready {
                    values: Ok(c.values),
                    missing: c.missing,
                    integer: c.integer,
                },
                None => Ready {
                    values: Err(format!(
                        "its values in {} are not of the type its schema declares",
                        data.name()
                    )),
                    missing: 0,
                    integer: false,
                },
            }),
        }
    }
}

/// A side as columns, with its row count and the columns its reader left out (a profile
/// leaves none out: it holds only what was profiled). From a profile, each column's values
/// are its exact counts, its summary's weighted points or its frequent-items sketch.
fn columns_of(side: Side<'_>) -> (usize, Vec<SideColumn<'_>>, BTreeMap<String, String>) {
    match side {
        Side::Data(d) => (
            d.rows,
            d.columns
                .into_iter()
                .map(|c| SideColumn {
                    name: c.name,
                    kind: c.kind,
                    values: Pending::Ready(Ready {
                        values: Ok(c.values),
                        missing: c.missing,
                        integer: c.integer,
                    }),
                })
                .collect(),
            d.unsupported.into_iter().collect(),
        ),
        Side::Columns(d) => (
            d.rows(),
            d.columns()
                .iter()
                .enumerate()
                .map(|(i, (name, kind))| SideColumn {
                    name: name.clone(),
                    kind: *kind,
                    values: Pending::Lazy(d, i),
                })
                .collect(),
            d.unsupported().iter().cloned().collect(),
        ),
        Side::Profile(p) => (
            usize::try_from(p.rows).unwrap_or(usize::MAX),
            p.columns
                .iter()
                .map(|c| SideColumn {
                    name: c.name.clone(),
                    kind: match c.kind {
                        ProfileKind::Number => Kind::Number,
                        ProfileKind::Text => Kind::Text,
                        ProfileKind::Boolean => Kind::Boolean,
                    },
                    values: Pending::Ready(Ready {
                        values: c.drift_values().map_err(|e| e.to_string()),
                        missing: usize::try_from(c.missing).unwrap_or(usize::MAX),
                        integer: c.integer,
                    }),
                })
                .collect(),
            BTreeMap::new(),
        ),
    }
}

fn validate_side(side: &Side) -> Result<(), DriftError> {
    match side {
        Side::Profile(p) => Ok(p.validate()?),
        Side::Data(_) | Side::Columns(_) => Ok(()),
    }
}

fn compare(
    reference: Side,
    current: Side,
    options: &DriftOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<DriftReport, DriftError> {
    validate_side(&reference)?;
    validate_side(&current)?;
    // Columns a reader left out (no values at all, or a type not tested), by side: a column
    // present on both sides but left out on one is said to be so, not "only in" the other.
    let (reference_rows, reference_columns, reference_left_out) = columns_of(reference);
    let (current_rows, current_columns, current_left_out) = columns_of(current);
    let names: BTreeSet<&str> = reference_columns
        .iter()
        .map(|c| c.name.as_str())
        .chain(current_columns.iter().map(|c| c.name.as_str()))
        .collect();
    check_options(options, &names)?;
    let mut cur_by_name: BTreeMap<String, SideColumn> = current_columns
        .into_iter()
        .map(|c| (c.name.clone(), c))
        .collect();
    let mut skipped = Vec::new();
    let mut tasks = Vec::new();
    for r in reference_columns {
        let Some(c) = cur_by_name.remove(&r.name) else {
            let reason = absent(&current_left_out, &r.name, "current", "reference");
            skipped.push(Skipped {
                column: r.name,
                reason,
            });
            continue;
        };
        if r.kind != c.kind {
            return Err(DriftError::IncompatibleColumn(format!(
                "column `{}` holds {} in the reference data and {} in the current data",
                r.name,
                kind_name(r.kind),
                kind_name(c.kind)
            )));
        }
        let column_type = if options.categorical.contains(&r.name) {
            ColumnType::Categorical
        } else if options.numerical.contains(&r.name) {
            if r.kind != Kind::Number {
                return Err(DriftError::IncompatibleColumn(format!(
                    "--numerical {}: the column holds {}, not numbers",
                    r.name,
                    kind_name(r.kind)
                )));
            }
            ColumnType::Numerical
        } else if r.kind == Kind::Number {
            ColumnType::Numerical
        } else {
            ColumnType::Categorical
        };
        let task = Task {
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
        };
        // Values at hand are checked now, so their columns are skipped in the reference's
        // order; those read a column at a time are checked when read.
        match task.ready() {
            Err(task) => tasks.push(*task),
            Ok(Outcome::Skipped(s)) => skipped.push(s),
            Ok(Outcome::Request(req)) => tasks.push(Task::of(req)),
        }
    }
    for (name, _) in cur_by_name {
        let reason = absent(&reference_left_out, &name, "reference", "current");
        skipped.push(Skipped {
            column: name,
            reason,
        });
    }
    let names: Vec<String> = tasks.iter().map(|t| t.name.clone()).collect();
    let mut results = Vec::with_capacity(names.len());
    for (name, outcome) in names.into_iter().zip(run_parallel(tasks, progress)) {
        let outcome = match outcome? {
            Outcome::Skipped(s) => {
                skipped.push(s);
                continue;
            }
            Outcome::Request(r) => r,
        };
        match outcome {
            Ok(r) => results.push(r),
            Err(ColumnError::NotComputable(reason)) => skipped.push(Skipped {
                column: name,
                reason,
            }),
            Err(ColumnError::Invalid(message)) => {
                return Err(DriftError::IncompatibleColumn(message));
            }
            Err(ColumnError::Internal(message)) => return Err(DriftError::Internal(message)),
        }
    }
    if results.is_empty() {
        return Err(DriftError::NoColumns(no_columns_message(&skipped)));
    }
    let drifted = results.iter().filter(|c| c.drift_detected).count();
    let share = drifted as f64 / results.len() as f64;
    let dataset_drift = share >= options.drift_share;
    // The verdict with every uncertain column counted the other way: drifted ones as not,
    // and the others as drifted. If either crosses the dataset rule, the verdict may flip.
    let uncertain_drifted = results
        .iter()
        .filter(|c| c.decision_uncertain && c.drift_detected)
        .count();
    let uncertain_not = results
        .iter()
        .filter(|c| c.decision_uncertain && !c.drift_detected)
        .count();
    let n = results.len() as f64;
    let fewest = (drifted - uncertain_drifted) as f64 / n >= options.drift_share;
    let most = (drifted + uncertain_not) as f64 / n >= options.drift_share;
    Ok(DriftReport {
        reference_rows,
        current_rows,
        dataset_drift,
        dataset_drift_uncertain: fewest != dataset_drift || most != dataset_drift,
        drift_share: options.drift_share,
        share_of_drifted_columns: share,
        number_of_columns: results.len(),
        number_of_drifted_columns: drifted,
        columns: results,
        skipped_columns: skipped,
    })
}

/// No column compared is not "no drift": it is a mistake (a semicolon CSV read as one
/// column, every column excluded, an empty profile), and it says which.
fn no_columns_message(skipped: &[Skipped]) -> String {
    if skipped.is_empty() {
        return "no column to compare: the data has no columns (check --columns, --exclude and the files' delimiter)".into();
    }
    let mut listed: Vec<String> = skipped
        .iter()
        .take(5)
        .map(|s| format!("`{}` ({})", steward_io::clip(&s.column, 80), s.reason))
        .collect();
    if skipped.len() > 5 {
        listed.push(format!("and {} more", skipped.len() - 5));
    }
    format!(
        "no column could be compared (is the delimiter right, and do the files share column names?): {}",
        listed.join("; ")
    )
}

/// A column to test: its options, and both sides' values or where to read them.
struct Task<'a> {
    name: String,
    column_type: ColumnType,
    stattest: Option<StatTest>,
    threshold: Option<f64>,
    reference: Pending<'a>,
    current: Pending<'a>,
}

/// What a column comes to: skipped (and why), or a test to run (or its result).
enum Outcome<T> {
    Skipped(Skipped),
    Request(T),
}

impl<'a> Task<'a> {
    /// A request whose values were checked already.
    fn of(req: ColumnRequest) -> Task<'a> {
        let side = |values, missing| {
            Pending::Ready(Ready {
                values: Ok(values),
                missing,
                integer: req.integer,
            })
        };
        Task {
            reference: side(req.reference, req.reference_missing),
            current: side(req.current, req.current_missing),
            name: req.name,
            column_type: req.column_type,
            stattest: req.stattest,
            threshold: req.threshold,
        }
    }

    /// Checks values at hand; gives the task back if a side is still to be read.
    fn ready(self) -> Result<Outcome<ColumnRequest>, Box<Task<'a>>> {
        match (self.reference, self.current) {
            (Pending::Ready(r), Pending::Ready(c)) => Ok(check_values(
                self.name,
                self.column_type,
                self.stattest,
                self.threshold,
                r,
                c,
            )),
            (reference, current) => Err(Box::new(Task {
                reference,
                current,
                ..self
            })),
        }
    }

    /// Reads what is not at hand, then checks the values.
    fn resolve(self) -> Result<Outcome<ColumnRequest>, DataError> {
        let r = self.reference.resolve()?;
        let c = self.current.resolve()?;
        Ok(check_values(
            self.name,
            self.column_type,
            self.stattest,
            self.threshold,
            r,
            c,
        ))
    }
}

/// A test to run, or the reason a column is skipped: a side a profile cannot stand for,
/// or a side with no values.
fn check_values(
    name: String,
    column_type: ColumnType,
    stattest: Option<StatTest>,
    threshold: Option<f64>,
    r: Ready,
    c: Ready,
) -> Outcome<ColumnRequest> {
    let (values, current_values) = match (r.values, c.values) {
        (Ok(v), Ok(cv)) => (v, cv),
        (Err(reason), _) | (_, Err(reason)) => {
            return Outcome::Skipped(Skipped {
                column: name,
                reason,
            });
        }
    };
    if values.is_empty() || current_values.is_empty() {
        let (side, missing) = if values.is_empty() {
            ("reference", r.missing)
        } else {
            ("current", c.missing)
        };
        return Outcome::Skipped(Skipped {
            column: name,
            reason: format!("no values in the {side} data (all {missing} missing)"),
        });
    }
    Outcome::Request(ColumnRequest {
        stattest,
        threshold,
        name,
        column_type,
        reference: values,
        current: current_values,
        reference_missing: r.missing,
        current_missing: c.missing,
        integer: r.integer && c.integer,
    })
}

type TaskResult = Result<Outcome<Result<ColumnDrift, ColumnError>>, DataError>;

/// Runs the column tests on the caller's rayon pool, reading the columns not at hand as
/// each test starts (so a thread holds one column's values at a time); results keep the
/// columns' order.
fn run_parallel(tasks: Vec<Task>, progress: &(dyn Fn(usize, usize) + Sync)) -> Vec<TaskResult> {
    let n = tasks.len();
    let done = AtomicUsize::new(0);
    tasks
        .into_par_iter()
        .map(|task| {
            let r = task.resolve().map(|outcome| match outcome {
                Outcome::Skipped(s) => Outcome::Skipped(s),
                Outcome::Request(req) => Outcome::Request(column_drift(req)),
            });
            progress(done.fetch_add(1, Ordering::Relaxed) + 1, n);
            r
        })
        .collect()
}
