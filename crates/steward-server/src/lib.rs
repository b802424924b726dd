//! `steward serve`: the HTTP API over the store and the same libraries the CLI uses. No
//! rule, statistic or report is written here: the server feeds the libraries what it has
//! stored (manifests, profiles, observations, drills, confirmations) and serves their
//! typed results as the CLI's JSON.
//!
//! Nothing lives only in one process's memory: every request reads the database, so
//! several processes on one PostgreSQL database behave as one service; work that must not
//! run twice (keeping a closed window's drift, loading the manifests folder) takes a lease
//! in the database first.

mod api;
mod auth;
mod error;
mod folder;
mod openapi;
mod time;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use steward_store::Store;

pub use auth::{hash as token_hash, new_token};
pub use error::ApiError;

/// Everything `steward serve` is told.
#[derive(Clone, Debug)]
pub struct Config {
    pub listen: SocketAddr,
    /// `sqlite://PATH` or `postgres://...`.
    pub database: String,
    /// A folder of manifests, loaded at start and whenever a file in it changes.
    pub manifests: Option<PathBuf>,
    /// Reads without a token.
    pub public_read: bool,
    /// The largest request body taken, in bytes.
    pub max_body: u64,
    /// How often the manifests folder is looked at, in milliseconds (closed windows are
    /// looked for every 15 of these).
    pub poll_ms: u64,
    /// Seconds added to the clock: for tests that need days to pass.
    pub clock_offset_s: i64,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database: "sqlite://steward.db".into(),
            manifests: None,
            public_read: false,
            max_body: 256 << 20,
            poll_ms: 2000,
            clock_offset_s: 0,
        }
    }
}

/// What every handler shares: the configuration and the store (a connection pool).
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: Store,
    /// This process's name in leases.
    pub holder: Arc<str>,
    /// Portfolio rows already judged, by system: derived data only, each kept under a key
    /// of everything it was computed from (the manifest's version, the day, the live
    /// evidence), so a row is recomputed as soon as any input changes, in any process.
    pub judged: Arc<std::sync::Mutex<std::collections::HashMap<String, api::systems::Judged>>>,
    /// Success-metric verdicts per system, keyed the same way (the manifest's version, the
    /// day, the observations' counters).
    pub metric_verdicts:
        Arc<std::sync::Mutex<std::collections::HashMap<String, (String, serde_json::Value)>>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Store(#[from] steward_store::StoreError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("the server failed: {0}")]
    Serve(std::io::Error),
}

/// The whole HTTP application over `state`.
pub fn app(state: AppState) -> Router {
    api::routes()
        .with_state(state)
        // Every handler reads its body through `read_body` or the intake's counting stream,
        // which answer 413 in the API's JSON; axum's own limit would answer in plain text.
        .layer(DefaultBodyLimit::disable())
        .layer(tower_http::trace::TraceLayer::new_for_http())
}

/// Opens the store, binds, and serves until `shutdown` completes; requests in flight are
/// finished first. `bound` is called with the address actually bound (port 0 picks one).
pub async fn serve(
    config: Config,
    bound: impl FnOnce(SocketAddr),
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    time::set_offset_seconds(config.clock_offset_s);
    let store = Store::open(&config.database).await?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| ServeError::Listen {
            addr: config.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(ServeError::Serve)?;
    let state = AppState {
        config: Arc::new(config),
        store,
        holder: format!("{}-{}", std::process::id(), steward_store::new_id()).into(),
        judged: Default::default(),
        metric_verdicts: Default::default(),
    };
    let background = tokio::spawn(folder::watch(state.clone()));
    let windows = tokio::spawn(close_windows(state.clone()));
    bound(addr);
    let result = axum::serve(listener, app(state.clone()))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(ServeError::Serve);
    background.abort();
    windows.abort();
    state.store.close().await;
    result
}

/// The background pass that keeps closed windows' drift, every `poll_ms` x 15 (30 s by
/// default); an error is logged and the next pass tries again.
async fn close_windows(state: AppState) {
    let period = std::time::Duration::from_millis(state.config.poll_ms.max(100).saturating_mul(15));
    loop {
        if let Err(e) = api::drift::close_windows(&state).await {
            tracing::warn!("closing windows: {}", e.message);
        }
        tokio::time::sleep(period).await;
    }
}
