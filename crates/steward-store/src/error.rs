//! What can go wrong in the store, sorted by what a caller does about it: the database is
//! unreachable (retry later: 503), a write conflicts with what is there (409), the data read
//! back is damaged, or the database refused a query (ours to fix).

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    BadUrl(String),
    /// The database cannot be reached now (connection refused or lost, pool exhausted).
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    #[error("{0}")]
    Conflict(String),
    /// A stored value that cannot be read back.
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
    #[error("the database schema cannot be brought up to date: {0}")]
    Migration(String),
    #[error("database error: {0}")]
    Database(sqlx::Error),
}

impl StoreError {
    pub(crate) fn from_connect(e: sqlx::Error, url: &str) -> StoreError {
        match e {
            sqlx::Error::Configuration(c) => StoreError::BadUrl(format!("{}: {c}", redact(url))),
            other => StoreError::Unavailable(format!("{}: {other}", redact(url))),
        }
    }

    /// Should the caller answer "try again later" rather than "failed"?
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_))
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> StoreError {
        match e {
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => StoreError::Unavailable(e.to_string()),
            sqlx::Error::Database(ref d) => {
                // PostgreSQL shutting down or restarting: admin_shutdown, crash_shutdown,
                // cannot_connect_now. SQLite: the database is locked past busy_timeout.
                let code = d.code().map(|c| c.into_owned()).unwrap_or_default();
                if matches!(code.as_str(), "57P01" | "57P02" | "57P03" | "5" | "6") {
                    StoreError::Unavailable(e.to_string())
                } else {
                    StoreError::Database(e)
                }
            }
            sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => {
                StoreError::Corrupt(e.to_string())
            }
            other => StoreError::Database(other),
        }
    }
}

/// A database URL with its password hidden, for messages and logs.
pub fn redact(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://")
        && let Some((userinfo, host)) = rest.split_once('@')
        && let Some((user, _)) = userinfo.split_once(':')
    {
        return format!("{scheme}://{user}:***@{host}");
    }
    url.to_string()
}
