//! `steward serve` and `steward token`: flags, environment and the TOML file become the
//! server's configuration; the server itself lives in steward-server.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, anyhow, bail};
use serde::Deserialize;
use steward_store::{Scope, Store};

use crate::cli::{ServeArgs, TokenAction, TokenArgs, TokenScope};
use crate::failure::Failure;

/// The keys a `--config` file may hold; anything else is refused, so a typo is not ignored.
#[derive(Deserialize, Default, Debug)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<String>,
    database: Option<String>,
    manifests: Option<PathBuf>,
    public_read: Option<bool>,
    max_body: Option<toml::Value>,
    poll_interval_ms: Option<u64>,
}

fn read_config(path: &Path) -> anyhow::Result<FileConfig> {
    let bytes = steward_io::read_limited(path, 1 << 20)
        .map_err(|e| anyhow!("{}: cannot read: {e}", path.display()))?;
    let text =
        std::str::from_utf8(&bytes).map_err(|_| anyhow!("{}: not UTF-8 text", path.display()))?;
    toml::from_str(text).map_err(|e| anyhow!("{}: {e}", path.display()))
}

/// `1048576`, `512KiB`, `256MiB`, `1GiB` (also KB/MB/GB, taken as powers of 1,024).
fn parse_size(text: &str) -> anyhow::Result<u64> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| anyhow!("`{text}` is not a size (bytes, or a number with KiB, MiB or GiB)"))?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        other => bail!("`{other}` is not a size unit (KiB, MiB or GiB)"),
    };
    let size = n
        .checked_mul(factor)
        .ok_or_else(|| anyhow!("`{text}` is too large"))?;
    if size == 0 {
        bail!("--max-body must be above zero");
    }
    Ok(size)
}

fn config(args: &ServeArgs) -> anyhow::Result<steward_server::Config> {
    let file = match &args.config {
        Some(path) => read_config(path)?,
        None => FileConfig::default(),
    };
    let mut c = steward_server::Config::default();
    if let Some(listen) = args.listen.clone().or(file.listen) {
        c.listen = listen.parse::<SocketAddr>().with_context(|| {
            format!("--listen `{listen}` is not ADDR:PORT (e.g. 127.0.0.1:8080)")
        })?;
    }
    if let Some(db) = args.database.clone().or(file.database) {
        c.database = db;
    }
    c.manifests = args.manifests.clone().or(file.manifests);
    if let Some(dir) = &c.manifests
        && !dir.is_dir()
    {
        bail!("--manifests {}: not a folder", dir.display());
    }
    c.public_read = args.public_read || file.public_read.unwrap_or(false);
    let max_body = match (&args.max_body, file.max_body) {
        (Some(s), _) => Some(s.clone()),
        (None, Some(toml::Value::Integer(n))) => Some(n.to_string()),
        (None, Some(toml::Value::String(s))) => Some(s),
        (None, Some(other)) => bail!(
            "max_body in the config file must be a size, not a {}",
            other.type_str()
        ),
        (None, None) => None,
    };
    if let Some(s) = max_body {
        c.max_body = parse_size(&s)?;
    }
    if let Some(ms) = args.poll_interval_ms.or(file.poll_interval_ms) {
        if !(100..=3_600_000).contains(&ms) {
            bail!("--poll-interval-ms must be from 100 to 3600000, found {ms}");
        }
        c.poll_ms = ms;
    }
    c.clock_offset_s = args.clock_offset_seconds.unwrap_or(0);
    Ok(c)
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// SIGTERM or Ctrl-C: stop accepting, finish what is in flight.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

pub fn run(args: &ServeArgs) -> Result<ExitCode, Failure> {
    let config = config(args)?;
    use std::io::IsTerminal;
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    tracing_subscriber::fmt()
        .with_ansi(ansi)
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("STEWARD_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let database = steward_store::redact(&config.database);
    runtime()?
        .block_on(steward_server::serve(
            config,
            |addr| {
                // Always shown, whatever the log level: with `--listen ADDR:0` it is the only
                // way to learn the port.
                eprintln!("steward serve: listening on http://{addr} (database {database})");
            },
            shutdown_signal(),
        ))
        .map_err(|e| anyhow!("{e}"))?;
    Ok(ExitCode::SUCCESS)
}

pub fn token(args: &TokenArgs) -> Result<ExitCode, Failure> {
    let rt = runtime()?;
    rt.block_on(async {
        let database = match &args.action {
            TokenAction::Create { database, .. }
            | TokenAction::List { database }
            | TokenAction::Revoke { database, .. } => database,
        };
        let store = Store::open(database).await.map_err(|e| anyhow!("{e}"))?;
        let now = chrono::Utc::now().timestamp_micros();
        match &args.action {
            TokenAction::Create { name, scope, .. } => {
                if name.trim().is_empty() || name.chars().count() > 128 {
                    bail!("--name must be 1 to 128 characters");
                }
                let scope = match scope {
                    TokenScope::Read => Scope::Read,
                    TokenScope::Write => Scope::Write,
                    TokenScope::Admin => Scope::Admin,
                };
                let token = steward_server::new_token();
                store
                    .create_token(name, scope, &steward_server::token_hash(&token), now)
                    .await
                    .map_err(|e| anyhow!("{e}"))?;
                super::print(&format!("{token}\n"))?;
            }
            TokenAction::List { .. } => {
                let tokens = store.tokens().await.map_err(|e| anyhow!("{e}"))?;
                let mut out = String::from("NAME\tSCOPE\tCREATED\tREVOKED\n");
                for t in tokens {
                    let when = |us: i64| {
                        chrono::DateTime::from_timestamp_micros(us)
                            .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
                            .unwrap_or_default()
                    };
                    out.push_str(&format!(
                        "{}\t{}\t{}\t{}\n",
                        steward_io::escape_line(&t.name),
                        t.scope.as_str(),
                        when(t.created_at),
                        t.revoked_at.map(when).unwrap_or_else(|| "-".into())
                    ));
                }
                super::print(&out)?;
            }
            TokenAction::Revoke { name, .. } => {
                if !store
                    .revoke_token(name, now)
                    .await
                    .map_err(|e| anyhow!("{e}"))?
                {
                    bail!("no live token named `{}`", steward_io::clip(name, 200));
                }
                eprintln!("revoked `{}`", steward_io::escape_line(name));
            }
        }
        store.close().await;
        Ok::<(), anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}
