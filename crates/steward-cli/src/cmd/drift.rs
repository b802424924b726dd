//! `steward drift`: a current dataset against its reference.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Mutex;

use anyhow::{anyhow, bail};
use steward_data::drift::{DriftOptions, DriftReport, Side, drift_with_progress};
use steward_data::{Format, OpenedDataset, Source, open_dataset};
use steward_stats::StatTest;
use steward_stats::profile::Profile;

use super::emit;
use crate::cli::{DriftArgs, DriftFormat, InputFormat};
use crate::failure::Failure;

fn format_for(path: &Path, flag: Option<InputFormat>) -> anyhow::Result<Format> {
    if let Some(f) = flag {
        return Ok(match f {
            InputFormat::Csv => Format::Csv,
            InputFormat::Parquet => Format::Parquet,
            InputFormat::Jsonl => Format::JsonLines,
            InputFormat::Arrow => Format::ArrowIpc,
        });
    }
    Format::of(path).ok_or_else(|| {
        anyhow!(
            "{}: cannot tell the format from the extension (.csv, .parquet, .jsonl, .arrow); pass --input-format",
            path.display()
        )
    })
}

fn options(args: &DriftArgs) -> anyhow::Result<DriftOptions> {
    let mut o = DriftOptions {
        numerical: args.numerical.iter().cloned().collect(),
        categorical: args.categorical.iter().cloned().collect(),
        drift_share: args.drift_share,
        ..Default::default()
    };
    if !(0.0..=1.0).contains(&args.drift_share) {
        bail!(
            "--drift-share must be between 0 and 1, found {}",
            args.drift_share
        );
    }
    if let Some(both) = o.numerical.intersection(&o.categorical).next() {
        bail!("column `{both}` is given both as --numerical and --categorical");
    }
    // A flag given twice with different values is a contradiction, not "the last wins":
    // (column or None for all columns) -> the flag's text that set it first.
    let mut stattest_from: BTreeMap<Option<String>, &str> = BTreeMap::new();
    for s in &args.stattest {
        let (col, name) = match s.split_once('=') {
            Some((col, name)) => (Some(col.trim().to_string()), name),
            None => (None, s.as_str()),
        };
        let t =
            StatTest::parse(name.trim()).map_err(|e| anyhow!("--stattest {}: {e}", shown(s)))?;
        let previous = match &col {
            Some(c) => o.column_stattest.insert(c.clone(), t),
            None => o.stattest.replace(t),
        };
        if let Some(p) = previous
            && p != t
        {
            bail!(
                "--stattest {} and --stattest {}: two different tests for {}",
                shown(stattest_from[&col]),
                shown(s),
                which(&col)
            );
        }
        stattest_from.entry(col).or_insert(s);
    }
    let mut threshold_from: BTreeMap<Option<String>, &str> = BTreeMap::new();
    for t in &args.threshold {
        let (col, value) = match t.rsplit_once('=') {
            Some((c, v)) => (Some(c.trim()), v),
            None => (None, t.as_str()),
        };
        let v: f64 = value
            .trim()
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| {
                anyhow!(
                    "--threshold {}: `{}` is not a number",
                    shown(t),
                    shown(value)
                )
            })?;
        if v < 0.0 {
            bail!(
                "--threshold {}: a threshold is a number at or above 0",
                shown(t)
            );
        }
        // -0 is 0 (written as 0.0, never -0.0).
        let v = v + 0.0;
        let col = col.map(str::to_string);
        let previous = match &col {
            Some(c) => o.column_threshold.insert(c.clone(), v),
            None => o.threshold.replace(v),
        };
        if let Some(p) = previous
            && p != v
        {
            bail!(
                "--threshold {} and --threshold {}: two different thresholds for {}",
                shown(threshold_from[&col]),
                shown(t),
                which(&col)
            );
        }
        threshold_from.entry(col).or_insert(t);
    }
    Ok(o)
}

/// A flag's value as an error message quotes it: clipped, control characters escaped.
fn shown(s: &str) -> String {
    steward_io::clip(s, 200).into_owned()
}

fn which(col: &Option<String>) -> String {
    match col {
        Some(c) => format!("column `{}`", shown(c)),
        None => "all columns".into(),
    }
}

/// `--columns` and `--exclude` naming one column: a contradiction, said as such.
pub(crate) fn check_columns_and_exclude(
    columns: &[String],
    exclude: &[String],
) -> anyhow::Result<()> {
    let exclude: BTreeSet<&String> = exclude.iter().collect();
    if let Some(c) = columns.iter().find(|c| exclude.contains(c)) {
        bail!(
            "--columns {0}: the column is also excluded by --exclude {0}",
            shown(c)
        );
    }
    Ok(())
}

/// Remembers which `--exclude` names the readers were asked about, so one naming no column
/// is an error (a typo would otherwise compare the column after all).
pub(crate) struct Excluded<'a> {
    names: BTreeSet<&'a str>,
    seen: Mutex<BTreeSet<String>>,
}

impl<'a> Excluded<'a> {
    pub(crate) fn new(exclude: &'a [String]) -> Excluded<'a> {
        Excluded {
            names: exclude.iter().map(String::as_str).collect(),
            seen: Mutex::new(BTreeSet::new()),
        }
    }

    /// Whether `c` is excluded, noting that the data has it.
    pub(crate) fn excludes(&self, c: &str) -> bool {
        if !self.names.contains(c) {
            return false;
        }
        if let Ok(mut seen) = self.seen.lock() {
            seen.insert(c.to_string());
        }
        true
    }

    /// An error for the first excluded name no input had.
    pub(crate) fn check(&self, inputs: &str) -> anyhow::Result<()> {
        let seen = self.seen.lock().map(|s| s.clone()).unwrap_or_default();
        if let Some(missing) = self.names.iter().find(|n| !seen.contains(**n)) {
            bail!("--exclude {}: no such column in {inputs}", shown(missing));
        }
        Ok(())
    }
}

/// Is this file a profile (decided by parsing, so a profile of another version is
/// recognised and refused rather than read as a dataset)?
pub fn is_profile(path: &Path) -> bool {
    steward_data::drift::is_profile(path)
}

fn load(
    path: &Path,
    flag: Option<InputFormat>,
    keep: &(dyn Fn(&str) -> bool + Sync),
) -> anyhow::Result<OpenedDataset> {
    let format = format_for(path, flag)?;
    let name = path.display().to_string();
    open_dataset(Source::Path(path.to_path_buf()), &name, format, keep).map_err(|e| anyhow!("{e}"))
}

/// One side as opened: rows, a file read a column at a time, or a profile with only the
/// kept columns.
enum Loaded {
    Data(OpenedDataset),
    Profile(Profile),
}

impl Loaded {
    fn column_names(&self) -> BTreeSet<&str> {
        match self {
            Loaded::Data(d) => d.column_names().into_iter().collect(),
            Loaded::Profile(p) => p.columns.iter().map(|c| c.name.as_str()).collect(),
        }
    }
}

/// Reads one side: a profile (recognised by parsing) or data.
fn load_side(
    path: &Path,
    flag: Option<InputFormat>,
    keep: &(dyn Fn(&str) -> bool + Sync),
) -> anyhow::Result<Loaded> {
    if is_profile(path) {
        let mut profile = super::profile::read_profile(path)?;
        // A set, so a long --columns list against many columns stays linear.
        profile.columns.retain(|c| keep(&c.name));
        return Ok(Loaded::Profile(profile));
    }
    Ok(Loaded::Data(load(path, flag, keep)?))
}

/// Clears the progress display however the command ends, so an error message starts on a
/// clean line.
struct Progress(Option<indicatif::ProgressBar>);

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

/// A progress display on stderr, only on a terminal and without --quiet.
fn progress(quiet: bool) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    Some(bar)
}

pub fn run(args: &DriftArgs, quiet: bool) -> Result<ExitCode, Failure> {
    // A bad destination is refused before the work, not after it.
    super::check_destination(
        args.output.as_deref(),
        &[args.reference.as_path(), args.current.as_path()],
    )?;
    let guard = Progress(progress(quiet));
    let bar = &guard.0;
    if let Some(b) = bar {
        b.set_message(format!(
            "reading {} and {}",
            args.reference.display(),
            args.current.display()
        ));
    }
    let opts = options(args)?;
    check_columns_and_exclude(&args.columns, &args.exclude)?;
    let only: BTreeSet<&str> = args.columns.iter().map(String::as_str).collect();
    let excluded = Excluded::new(&args.exclude);
    let keep = |c: &str| !excluded.excludes(c) && (only.is_empty() || only.contains(c));
    // Profile names are checked against the whole profile, before --columns keeps some.
    let names_before: Option<BTreeSet<String>> = if is_profile(&args.reference) {
        let p = super::profile::read_profile(&args.reference)?;
        Some(p.columns.into_iter().map(|c| c.name).collect())
    } else {
        None
    };
    // The two inputs are independent: read them side by side on the rayon pool.
    let (reference, current) = rayon::join(
        || load_side(&args.reference, args.input_format, &keep),
        || load_side(&args.current, args.input_format, &keep),
    );
    let (reference, current) = (reference?, current?);
    excluded.check(&format!(
        "{} or {}",
        args.reference.display(),
        args.current.display()
    ))?;
    let names: BTreeSet<&str> = match &names_before {
        Some(all) => all.iter().map(String::as_str).collect(),
        None => reference.column_names(),
    };
    for c in &only {
        if !names.contains(c) {
            return Err(anyhow!(
                "--columns {}: no such column in {}",
                steward_io::clip(c, 200),
                args.reference.display()
            )
            .into());
        }
    }
    if !quiet {
        for (path, side) in [(&args.reference, &reference), (&args.current, &current)] {
            if let Loaded::Data(d) = side {
                note_unsupported(path, d.unsupported());
            }
        }
    }
    let on_column = |done: usize, total: usize| {
        if let Some(b) = bar {
            b.set_message(format!("testing columns: {done} of {total}"));
        }
    };
    let reference_is_profile = matches!(reference, Loaded::Profile(_));
    // Profiles are lent to the comparison, datasets moved into it (never copied).
    let (reference_profile, current_profile);
    let (reference_columns, current_columns);
    let reference_side = match reference {
        Loaded::Profile(p) => {
            reference_profile = p;
            Side::Profile(&reference_profile)
        }
        Loaded::Data(OpenedDataset::Rows(d)) => Side::Data(d),
        Loaded::Data(OpenedDataset::Columns(c)) => {
            reference_columns = c;
            Side::Columns(&reference_columns)
        }
    };
    let current_side = match current {
        Loaded::Profile(p) => {
            current_profile = p;
            Side::Profile(&current_profile)
        }
        Loaded::Data(OpenedDataset::Rows(d)) => Side::Data(d),
        Loaded::Data(OpenedDataset::Columns(c)) => {
            current_columns = c;
            Side::Columns(&current_columns)
        }
    };
    let report =
        drift_with_progress(reference_side, current_side, &opts, &on_column).map_err(|e| {
            if reference_is_profile {
                anyhow!("{}: {e}", args.reference.display())
            } else {
                anyhow!(e)
            }
        })?;
    drop(guard);
    finish(args, quiet, report)
}

fn finish(args: &DriftArgs, quiet: bool, report: DriftReport) -> Result<ExitCode, Failure> {
    if !quiet {
        for s in &report.skipped_columns {
            let _ = writeln!(
                std::io::stderr(),
                "column `{}` skipped: {}",
                steward_io::escape_line(&s.column),
                steward_io::escape_line(&s.reason)
            );
        }
    }
    let text = match args.format {
        DriftFormat::Json => {
            let mut s = serde_json::to_string_pretty(&report).map_err(anyhow::Error::from)?;
            s.push('\n');
            steward_io::escape_json(&s).into_owned()
        }
        DriftFormat::Text => steward_data::render::text(&report),
        DriftFormat::Html => steward_data::render::html(
            &report,
            &args.reference.display().to_string(),
            &args.current.display().to_string(),
        ),
    };
    emit(
        &text,
        args.output.as_deref(),
        &[args.reference.as_path(), args.current.as_path()],
    )?;
    Ok(if args.fail_on_drift && report.dataset_drift {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// A note per column the reader left out (a type Steward does not test, or no values at
/// all), so no column disappears from a report without a word. Shared by `profile`.
pub(super) fn note_unsupported(path: &std::path::Path, unsupported: &[(String, String)]) {
    for (col, ty) in unsupported {
        let what = if ty == "no values" {
            "holds no values (every cell is empty or missing)".to_string()
        } else {
            format!("({ty}) is neither numbers, text nor booleans")
        };
        // `note` escapes control characters (also the path's) and ignores a closed stderr.
        super::note(&format!(
            "{}: column `{}` {what}; skipped",
            path.display(),
            steward_io::escape_line(col)
        ));
    }
}
