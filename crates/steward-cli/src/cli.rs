//! The command line, as clap definitions. Completions and the man page are generated from
//! these same definitions, so they cannot drift from the real flags.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "steward",
    version,
    about = "Carries AI systems from a promising pilot into production, and keeps them healthy there.",
    long_about = "Steward reads one AISystem manifest per AI system and answers the questions a \
pilot must answer before it scales: who owns it in month 18, what integration the pilot \
avoided, what maintenance costs, how degradation is noticed before users complain, and \
whether the fallback was tested.",
    after_help = "Exit codes: 0 success (every system ready), 1 a system is not ready, 2 invalid input or usage."
)]
pub struct Cli {
    /// When to colour the output: auto (on a terminal), always or never. NO_COLOR is honoured.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, env = "STEWARD_COLOR")]
    pub color: ColorChoice,

    /// No progress display and no notes on stderr (errors are still reported).
    #[arg(long, short, global = true)]
    pub quiet: bool,

    /// Worker threads for parsing and statistics, 1 to 1024 (default: one per core). Reports
    /// do not depend on it.
    #[arg(long, global = true, value_name = "N", env = "STEWARD_THREADS", value_parser = parse_threads)]
    pub threads: Option<usize>,

    #[command(subcommand)]
    pub command: Command,
}

/// More threads than this only cost memory (each has its own stack); the value usually
/// comes from a CI variable, where a typo must not start a million threads.
const MAX_THREADS: usize = 1024;

/// `--threads N`: a whole number from 1 to [`MAX_THREADS`].
fn parse_threads(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(0) => Err("the number of threads must be at least 1".into()),
        Ok(n) if n > MAX_THREADS => Err(format!("at most {MAX_THREADS} threads")),
        Ok(n) => Ok(n),
        Err(_) => Err(format!(
            "expected a whole number of threads from 1 to {MAX_THREADS}"
        )),
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// The readiness gate: may each AI system move to its next lifecycle stage?
    Check(CheckArgs),
    /// One line per AI system: lifecycle, owner, verdict, failing rules and declared cost.
    Portfolio(PortfolioArgs),
    /// Total cost of ownership: declared lines, industry yardsticks, a PERT simulation,
    /// sensitivity and build vs buy. A folder gives the portfolio's declared cost per year.
    Cost(CostArgs),
    /// Success metrics against their baseline: windows around the launch, the aggregate of
    /// each, the change, a Mann-Whitney p-value, a bootstrap interval and a verdict.
    Metric(MetricArgs),
    /// Is production data moving away from the reference? Per-column tests with Evidently's
    /// choice and scipy's numbers, and the dataset-level verdict.
    Drift(DriftArgs),
    /// Summarize a dataset into a mergeable profile, or merge profiles of parts (`profile merge`).
    Profile(ProfileArgs),
    /// Why a readiness rule exists, what passes it, the manifest keys it reads and an
    /// example fix; without a rule, the list of rules.
    Explain(ExplainArgs),
    /// Run the server: the portfolio, data intake, drift over time, success metrics and
    /// live readiness over HTTP (see docs/server.md).
    Serve(ServeArgs),
    /// Create, list or revoke the server's API tokens.
    Token(TokenArgs),
    /// Print the JSON Schema of the AISystem manifest (for editor completion).
    Schema,
    /// Write a commented starter manifest that shows every section.
    Init(InitArgs),
    /// Print a shell completion script.
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to standard output.
    Man,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Text,
    Json,
    Markdown,
    Junit,
    Sarif,
    /// One self-contained page: the portfolio, rules failing across systems, cost, findings.
    Html,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Stage {
    #[value(name = "proof-of-concept")]
    ProofOfConcept,
    Pilot,
    Production,
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Manifest files, or folders searched for *.yaml / *.yml files with `kind: AISystem`.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
    /// Judge as of this date (YYYY-MM-DD) instead of today (UTC), for reproducible runs.
    #[arg(long, value_name = "DATE", env = "STEWARD_TODAY")]
    pub today: Option<String>,
    /// The stage to judge readiness for (default: the stage after each system's lifecycle).
    #[arg(long, value_enum)]
    pub target: Option<Stage>,
    /// List on stderr every file looked at in a folder and left out, with the reason.
    #[arg(long, short)]
    pub verbose: bool,
    /// With the text format: after the findings of each rule that failed or warned, the
    /// question behind the rule and an example fix (once per rule).
    #[arg(long)]
    pub explain: bool,
    /// Ignore every waiver (`spec.waivers`): judge as if none were written.
    #[arg(long)]
    pub strict: bool,
    /// With the text format: only failed, warned and waived findings, and only for systems
    /// that are not ready (`--quiet` prints the verdict lines alone).
    #[arg(long)]
    pub only_failed: bool,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormat {
    Text,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    /// The rule's id (Q1 to Q5, P1 to P5, C1 to C3), in any case; omitted, every rule is
    /// listed.
    #[arg(value_name = "RULE")]
    pub rule: Option<String>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = ExplainFormat::Text)]
    pub format: ExplainFormat,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum PortfolioFormat {
    Text,
    Json,
    Csv,
    /// The same page as `check --format html`.
    Html,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum PortfolioSort {
    Name,
    Lifecycle,
    Owner,
    Verdict,
    Failed,
    Implementation,
    Annual,
}

#[derive(clap::Args, Debug)]
pub struct PortfolioArgs {
    /// Manifest files, or folders searched for *.yaml / *.yml files with `kind: AISystem`.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = PortfolioFormat::Text)]
    pub format: PortfolioFormat,
    /// Sort the rows by this column (failures sort most first; costs largest first within
    /// each currency, currencies in code order: amounts in different currencies are never
    /// compared as numbers).
    #[arg(long, value_enum, default_value_t = PortfolioSort::Name)]
    pub sort: PortfolioSort,
    /// Reverse the sort order.
    #[arg(long)]
    pub reverse: bool,
    /// Judge readiness as of this date (YYYY-MM-DD) instead of today (UTC).
    #[arg(long, value_name = "DATE", env = "STEWARD_TODAY")]
    pub today: Option<String>,
    /// List on stderr every file looked at in a folder and left out, with the reason.
    #[arg(long, short)]
    pub verbose: bool,
}

#[derive(clap::Args, Debug)]
pub struct InitArgs {
    /// Where to write the manifest; `-` prints it to standard output.
    #[arg(value_name = "FILE", default_value = "aisystem.yaml")]
    pub output: PathBuf,
    /// The system's name: lowercase letters, digits and '-'.
    #[arg(long, default_value = "my-ai-system")]
    pub name: String,
    /// The one team whose workflow the system supports.
    #[arg(long, default_value = "my-team")]
    pub team: String,
    /// The owning group, as a Backstage entity reference.
    #[arg(long, default_value = "group:default/my-team")]
    pub owner: String,
    /// Overwrite FILE if it exists.
    #[arg(long)]
    pub force: bool,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
    Html,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum CurrencyFormat {
    /// USD 1,234,567
    Grouped,
    /// USD 1234567
    Plain,
    /// USD 1.23M
    Compact,
}

#[derive(clap::Args, Debug)]
pub struct CostArgs {
    /// A manifest (one system), or folders and files (the portfolio's cost per year).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Years of ownership (default: sourcing.horizon_years, else 3).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=steward_cost::analysis::MAX_YEARS as i64))]
    pub years: Option<u32>,
    /// Simulated runs (memory stays bounded whatever the count; see docs/cost.md).
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..=steward_cost::analysis::MAX_SIMULATIONS as u64))]
    pub simulations: u64,
    /// Seed of the simulation: the same seed gives the same figures on any machine.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// How amounts are written in text and html (json always has plain numbers).
    #[arg(long, value_enum, default_value_t = CurrencyFormat::Grouped)]
    pub currency_format: CurrencyFormat,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// List on stderr every file looked at in a folder and left out, with the reason.
    #[arg(long, short)]
    pub verbose: bool,
}

#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["observations", "tickets"])))]
pub struct MetricArgs {
    /// The manifest declaring the success metrics (one AISystem).
    #[arg(value_name = "MANIFEST")]
    pub manifest: PathBuf,
    /// Observations: CSV or JSON Lines (.jsonl) with `timestamp`, `value` and optionally `metric`.
    #[arg(long, value_name = "FILE")]
    pub observations: Option<PathBuf>,
    /// A ticket export (CSV): one observation per resolved ticket, the hours from opened to resolved.
    #[arg(long, value_name = "FILE", requires_all = ["opened", "resolved"])]
    pub tickets: Option<PathBuf>,
    /// The export's column with the opening time.
    #[arg(long, value_name = "COL")]
    pub opened: Option<String>,
    /// The export's column with the resolution time (rows where it is empty are skipped).
    #[arg(long, value_name = "COL")]
    pub resolved: Option<String>,
    /// Keep only the tickets where COL equals VALUE (repeatable; all must match).
    #[arg(long = "where", value_name = "COL=VALUE", value_parser = parse_filter)]
    pub filters: Vec<(String, String)>,
    /// Evaluate only this metric.
    #[arg(long, value_name = "NAME")]
    pub metric: Option<String>,
    /// Use this launch date instead of milestones.production_launch.
    #[arg(long, value_name = "DATE")]
    pub launch: Option<String>,
    /// Judge as of this date (YYYY-MM-DD) instead of today (UTC).
    #[arg(long, value_name = "DATE", env = "STEWARD_TODAY")]
    pub today: Option<String>,
    /// Seed of the bootstrap.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Bootstrap resamples for the interval of the change.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub resamples: u64,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

fn parse_filter(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((c, v)) if !c.trim().is_empty() => Ok((c.trim().to_string(), v.trim().to_string())),
        _ => Err(format!(
            "expected COL=VALUE, found `{}`",
            steward_io::clip(s, 60)
        )),
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum DriftFormat {
    Text,
    Json,
    Html,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    Csv,
    Parquet,
    Jsonl,
    Arrow,
}

#[derive(clap::Args, Debug)]
pub struct DriftArgs {
    /// The reference data (what the system was validated on): CSV, Parquet, JSON Lines or Arrow IPC.
    #[arg(long, value_name = "FILE")]
    pub reference: PathBuf,
    /// The current (production) data, or a profile of it (from `steward profile`).
    #[arg(long, value_name = "FILE")]
    pub current: PathBuf,
    /// Read both files as this format instead of guessing from the extension.
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormat>,
    /// Compare only these columns (comma-separated, repeatable).
    #[arg(long, value_delimiter = ',', value_name = "COL")]
    pub columns: Vec<String>,
    /// Leave these columns out.
    #[arg(long, value_delimiter = ',', value_name = "COL")]
    pub exclude: Vec<String>,
    /// Treat these columns as numerical.
    #[arg(long, value_delimiter = ',', value_name = "COL")]
    pub numerical: Vec<String>,
    /// Treat these columns as categorical.
    #[arg(long, value_delimiter = ',', value_name = "COL")]
    pub categorical: Vec<String>,
    /// The test for every column (NAME), or for one (COLUMN=NAME); repeatable.
    #[arg(long, value_name = "[COLUMN=]NAME")]
    pub stattest: Vec<String>,
    /// The drift threshold for every column (VALUE), or for one (COLUMN=VALUE); repeatable.
    #[arg(long, value_name = "[COLUMN=]VALUE")]
    pub threshold: Vec<String>,
    /// The dataset drifts when at least this share of its columns drift.
    #[arg(long, default_value_t = 0.5)]
    pub drift_share: f64,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = DriftFormat::Text)]
    pub format: DriftFormat,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when the dataset drifts.
    #[arg(long)]
    pub fail_on_drift: bool,
}

#[derive(clap::Args, Debug)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ProfileArgs {
    #[command(subcommand)]
    pub action: Option<ProfileAction>,
    /// The dataset to profile: CSV, Parquet, JSON Lines or Arrow IPC.
    #[arg(value_name = "DATA", required = true)]
    pub data: Option<PathBuf>,
    /// Write the profile to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Read the data as this format instead of guessing from the extension.
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormat>,
    /// Profile only these columns.
    #[arg(long, value_delimiter = ',', value_name = "COL")]
    pub columns: Vec<String>,
    /// Leave these columns out.
    #[arg(long, value_delimiter = ',', value_name = "COL")]
    pub exclude: Vec<String>,
}

#[derive(Subcommand, Debug)]
pub enum ProfileAction {
    /// Merge profiles of parts of one dataset into the profile of the whole.
    Merge {
        /// Two or more profiles (JSON, from `steward profile`).
        #[arg(required = true, num_args = 2.., value_name = "PROFILE")]
        profiles: Vec<PathBuf>,
        /// Write the merged profile to FILE instead of standard output.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

/// Flags win over `STEWARD_*` variables, which win over the `--config` file, which wins over
/// the defaults.
#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Address and port to listen on; port 0 picks a free one (logged at start).
    /// Default 127.0.0.1:8080: loopback only unless told otherwise.
    #[arg(long, value_name = "ADDR:PORT", env = "STEWARD_LISTEN")]
    pub listen: Option<String>,
    /// The database: sqlite://PATH (default sqlite://steward.db) or postgres://USER@HOST/DB.
    #[arg(long, value_name = "URL", env = "STEWARD_DATABASE")]
    pub database: Option<String>,
    /// A folder of AISystem manifests, loaded at start and whenever a file changes.
    #[arg(long, value_name = "DIR", env = "STEWARD_MANIFESTS")]
    pub manifests: Option<PathBuf>,
    /// Serve reads (GET) without a token.
    #[arg(long, env = "STEWARD_PUBLIC_READ")]
    pub public_read: bool,
    /// The largest request body taken: bytes, or with a unit (KiB, MiB, GiB). Default 256MiB.
    #[arg(long, value_name = "SIZE", env = "STEWARD_MAX_BODY")]
    pub max_body: Option<String>,
    /// A TOML file with any of: listen, database, manifests, public_read, max_body,
    /// poll_interval_ms.
    #[arg(long, value_name = "FILE", env = "STEWARD_CONFIG")]
    pub config: Option<PathBuf>,
    /// How often the manifests folder is looked at, in milliseconds (default 2000); closed
    /// windows' drift is looked for every 15 intervals.
    #[arg(long, value_name = "MS", env = "STEWARD_POLL_INTERVAL_MS")]
    pub poll_interval_ms: Option<u64>,
    /// Seconds added to the server's clock, for tests that need days to pass.
    #[arg(
        long,
        hide = true,
        env = "STEWARD_CLOCK_OFFSET_SECONDS",
        allow_hyphen_values = true
    )]
    pub clock_offset_seconds: Option<i64>,
}

#[derive(clap::Args, Debug)]
pub struct TokenArgs {
    #[command(subcommand)]
    pub action: TokenAction,
}

#[derive(Subcommand, Debug)]
pub enum TokenAction {
    /// Create a token and print it (once: only its hash is stored), and nothing else.
    Create {
        /// The server's database (as given to `steward serve`).
        #[arg(
            long,
            value_name = "URL",
            env = "STEWARD_DATABASE",
            default_value = "sqlite://steward.db"
        )]
        database: String,
        /// A unique name for the token (who or what uses it).
        #[arg(long)]
        name: String,
        /// read: GET only; write: also data, observations and evidence; admin: also
        /// manifests.
        #[arg(long, value_enum)]
        scope: TokenScope,
    },
    /// List the tokens: name, scope, when created and revoked.
    List {
        #[arg(
            long,
            value_name = "URL",
            env = "STEWARD_DATABASE",
            default_value = "sqlite://steward.db"
        )]
        database: String,
    },
    /// Revoke a token by name; it is refused from the next request on.
    Revoke {
        #[arg(
            long,
            value_name = "URL",
            env = "STEWARD_DATABASE",
            default_value = "sqlite://steward.db"
        )]
        database: String,
        /// The token's name (or id).
        name: String,
    },
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum TokenScope {
    Read,
    Write,
    Admin,
}
