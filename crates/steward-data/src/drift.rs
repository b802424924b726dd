//! Dataset drift: pair the columns of a reference and a current dataset, settle each
//! column's type, run every column's test on all cores, and apply the dataset rule (the
//! dataset drifts when the share of drifted columns reaches `drift_share`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use std::path::Path;

use serde::Serialize;
use steward_stats::profile::{ColumnProfile, Profile, ProfileKind};
use steward_stats::{
    ColumnDrift, ColumnError, ColumnRequest, ColumnType, StatTest, Values, column_drift,
};

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

/// A profile file is read whole; this bounds the memory a file claiming to be one can take.
/// `steward profile` writes about 40 KB per numerical column (1,024 points and an HLL
/// sketch) and at most about 1 MB for a categorical one, so 256 MiB is hundreds of columns
/// of the largest kind.
pub const PROFILE_SIZE_LIMIT: u64 = 256 * 1024 * 1024;

/// Is `path` a profile (a JSON object with a `format` field naming a steward profile, or
/// shaped like one: `columns` and `rows`) rather than a dataset? Decided by parsing the
/// first JSON value of the file, so a profile of another version, or without `format`, is
/// recognised (and then refused by [`read_profile`]) instead of being read as a one-row
/// JSON Lines dataset.
pub fn is_profile(path: &Path) -> bool {
    use std::io::{BufReader, Read};
    #[derive(serde::Deserialize)]
    struct Probe {
        format: Option<serde_json::Value>,
        columns: Option<serde::de::IgnoredAny>,
        rows: Option<serde::de::IgnoredAny>,
    }
    let Ok(file) = steward_io::open_input(path) else {
        return false;
    };
    // Sniffing a pipe would consume the bytes its data reader needs: only a regular file can
    // be a profile (a profile piped in is read as data, and its multi-line JSON is then
    // refused as JSON Lines with a line number, never compared as one row).
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return false;
    }
    let mut reader = BufReader::new(file.take(PROFILE_SIZE_LIMIT));
    // Only a file whose first non-blank byte opens an object can be a profile. A UTF-8
    // byte order mark (editors on Windows write one) is skipped, as blanks are.
    let mut first = [0u8; 1];
    let mut bom = 0;
    loop {
        match reader.read(&mut first) {
            Ok(1) if first[0].is_ascii_whitespace() => continue,
            Ok(1) if first[0] == [0xEF, 0xBB, 0xBF][bom.min(2)] && bom < 3 => {
                bom += 1;
                continue;
            }
            Ok(1) if first[0] == b'{' => break,
            _ => return false,
        }
    }
    let rest = std::io::Cursor::new(b"{".to_vec()).chain(reader);
    let mut stream = serde_json::Deserializer::from_reader(rest).into_iter::<Probe>();
    match stream.next() {
        Some(Ok(p)) => {
            let named = matches!(&p.format, Some(serde_json::Value::String(f)) if f.starts_with("steward-profile"));
            named || (p.columns.is_some() && p.rows.is_some())
        }
        // A damaged or truncated profile still names its format near the top (where
        // `steward profile` writes it): it is reported as a damaged profile, not as a
        // JSON Lines file.
        _ => {
            let mut head = Vec::with_capacity(256);
            let opened = steward_io::open_input(path).map(|f| f.take(256).read_to_end(&mut head));
            opened.is_ok() && String::from_utf8_lossy(&head).contains("\"steward-profile")
        }
    }
}

/// Reads and validates a profile file (at most [`PROFILE_SIZE_LIMIT`] bytes); errors name
/// the file.
pub fn read_profile(path: &Path) -> Result<Profile, String> {
    let shown = steward_io::escape_line(&path.display().to_string()).into_owned();
    let bytes = steward_io::read_limited(path, PROFILE_SIZE_LIMIT).map_err(|e| match e {
        steward_io::ReadError::TooLarge { .. } => format!(
            "{shown}: a profile is at most {} MiB; this file is larger",
            PROFILE_SIZE_LIMIT / (1024 * 1024)
        ),
        steward_io::ReadError::Io(e) => format!("cannot read {shown}: {e}"),
    })?;
    let json = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    Profile::from_json(json).map_err(|e| format!("{shown}: {e}"))
}

/// Per-column options must name columns that are compared, and thresholds must be
/// numbers at or above zero.
fn check_options(options: &DriftOptions, names: &BTreeSet<&str>) -> Result<(), String> {
    let unknown = |flag: &str, column: &str| {
        format!(
            "{flag} names the column `{}`, which is not in the compared data",
            steward_io::clip(column, 200)
        )
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
        return Err(format!(
            "--threshold {t}: a threshold is a number at or above 0"
        ));
    }
    if let Some((c, t)) = options.column_threshold.iter().find(|(_, t)| bad(**t)) {
        return Err(format!(
            "--threshold {}={t}: a threshold is a number at or above 0",
            steward_io::clip(c, 200)
        ));
    }
    if !(0.0..=1.0).contains(&options.drift_share) {
        return Err(format!(
            "--drift-share {}: the share is between 0 and 1",
            options.drift_share
        ));
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

/// One reference column: its kind and values, or why a profile cannot stand for it.
struct ReferenceColumn {
    name: String,
    kind: Kind,
    values: Result<Values, String>,
    missing: usize,
    integer: bool,
}

fn compare(
    reference: Reference,
    current: Dataset,
    options: &DriftOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<DriftReport, String> {
    // Columns a reader left out (no values at all, or a type not tested), by side: a column
    // present on both sides but left out on one is said to be so, not "only in" the other.
    let reference_left_out: BTreeMap<String, String> = match &reference {
        Reference::Data(d) => d.unsupported.iter().cloned().collect(),
        Reference::Profile(_) => BTreeMap::new(),
    };
    let current_left_out: BTreeMap<String, String> = current.unsupported.iter().cloned().collect();
    // The reference side as columns; from a profile, each column's values are its exact
    // counts or its summary's weighted points, never rows.
    let (reference_rows, reference_columns): (usize, Vec<ReferenceColumn>) = match reference {
        Reference::Data(d) => (
            d.rows,
            d.columns
                .into_iter()
                .map(|c| ReferenceColumn {
                    name: c.name,
                    kind: c.kind,
                    values: Ok(c.values),
                    missing: c.missing,
                    integer: c.integer,
                })
                .collect(),
        ),
        Reference::Profile(p) => {
            p.validate()?;
            (
                usize::try_from(p.rows).unwrap_or(usize::MAX),
                p.columns
                    .iter()
                    .map(|c| ReferenceColumn {
                        name: c.name.clone(),
                        kind: match c.kind {
                            ProfileKind::Number => Kind::Number,
                            ProfileKind::Text => Kind::Text,
                            ProfileKind::Boolean => Kind::Boolean,
                        },
                        values: c.reference_values(),
                        missing: usize::try_from(c.missing).unwrap_or(usize::MAX),
                        integer: c.integer,
                    })
                    .collect(),
            )
        }
    };
    let names: BTreeSet<&str> = reference_columns
        .iter()
        .map(|c| c.name.as_str())
        .chain(current.columns.iter().map(|c| c.name.as_str()))
        .collect();
    check_options(options, &names)?;
    let current_rows = current.rows;
    let mut cur_by_name: BTreeMap<String, Column> = current
        .columns
        .into_iter()
        .map(|c| (c.name.clone(), c))
        .collect();
    let mut skipped = Vec::new();
    let mut requests = Vec::new();
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
        let values = match r.values {
            Ok(v) => v,
            Err(reason) => {
                skipped.push(Skipped {
                    column: r.name,
                    reason,
                });
                continue;
            }
        };
        if values.is_empty() || c.values.is_empty() {
            skipped.push(Skipped {
                column: r.name.clone(),
                reason: format!(
                    "no values in the {} data (all {} missing)",
                    if values.is_empty() {
                        "reference"
                    } else {
                        "current"
                    },
                    if values.is_empty() {
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
            reference: values,
            current: c.values,
            reference_missing: r.missing,
            current_missing: c.missing,
            integer: r.integer && c.integer,
        });
    }
    for (name, _) in cur_by_name {
        let reason = absent(&reference_left_out, &name, "reference", "current");
        skipped.push(Skipped {
            column: name,
            reason,
        });
    }
    let names: Vec<String> = requests.iter().map(|r| r.name.clone()).collect();
    let mut results = Vec::with_capacity(names.len());
    for (name, outcome) in names.into_iter().zip(run_parallel(requests, progress)) {
        match outcome {
            Ok(r) => results.push(r),
            Err(ColumnError::NotComputable(reason)) => skipped.push(Skipped {
                column: name,
                reason,
            }),
            Err(ColumnError::Invalid(message)) => return Err(message),
        }
    }
    if results.is_empty() {
        return Err(no_columns_message(&skipped));
    }
    let drifted = results.iter().filter(|c| c.drift_detected).count();
    let share = drifted as f64 / results.len() as f64;
    Ok(DriftReport {
        reference_rows,
        current_rows,
        dataset_drift: share >= options.drift_share,
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

/// Runs the column tests on every core; results keep the columns' order.
fn run_parallel(
    requests: Vec<ColumnRequest>,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Vec<Result<ColumnDrift, ColumnError>> {
    let n = requests.len();
    let done = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<ColumnRequest>>> =
        requests.into_iter().map(|r| Mutex::new(Some(r))).collect();
    let results: Vec<Mutex<Option<Result<ColumnDrift, ColumnError>>>> =
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
                .unwrap_or_else(|| Err(ColumnError::Invalid("a column test did not finish".into())))
        })
        .collect()
}
