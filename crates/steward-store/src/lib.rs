//! What the Steward server keeps: AI systems' manifests, API tokens (their hashes), the
//! profiles of the batches each stream received, references, drift results of closed
//! windows, success-metric observations, fallback drills and owner confirmations.
//!
//! One interface over SQLite (the embedded default, in WAL mode) and PostgreSQL (for a
//! team, several server processes on one database). Queries are built at run time and
//! always parameterised; each backend has its own migrations, embedded in the binary. The
//! store knows rows and bytes, never HTTP and never rules: profiles and reports come in
//! serialized and go out the same way.
//!
//! Every write that belongs together is one transaction, so a failed request leaves
//! nothing half-written.

mod error;
mod records;

use std::time::Duration;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, Row};

pub use error::{StoreError, redact};
pub use records::*;

/// Which database a store runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database behind the server. Cheap to clone (a pool).
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

/// Profiles are stored compressed: a profile is mostly quantile summaries, whose JSON
/// shrinks about fourfold, and every window's drift reads them all back.
const ZSTD_LEVEL: i32 = 3;

/// A blob read back may hold at most this much JSON once decompressed, so a damaged or
/// forged row cannot make the server allocate without bound.
const MAX_PROFILE_JSON: usize = 256 << 20;

impl Store {
    /// Opens (creating if needed) the database at `url` and brings its schema up to date.
    /// `sqlite://PATH` (created if missing), `sqlite::memory:`, or `postgres://...`.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        Store::open_with(url, 8).await
    }

    /// [`Store::open`] with at most `connections` connections in the pool.
    pub async fn open_with(url: &str, connections: u32) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = backend_of(url)?;
        let url = match backend {
            // Create the file on first start; the server's default is a file in the
            // working directory that does not exist yet.
            Backend::Sqlite if !url.contains("mode=") && !url.contains(":memory:") => {
                if url.contains('?') {
                    format!("{url}&mode=rwc")
                } else {
                    format!("{url}?mode=rwc")
                }
            }
            _ => url.to_string(),
        };
        let options = AnyPoolOptions::new()
            .max_connections(connections.max(1))
            .acquire_timeout(Duration::from_secs(5));
        let options = if backend == Backend::Sqlite {
            options.after_connect(|conn, _| {
                Box::pin(async move {
                    // WAL: readers never wait for the writer. synchronous=FULL: a commit
                    // is on disk when it returns, so a 201 survives a power cut too.
                    // busy_timeout: writers from several connections queue, not fail.
                    conn.execute(
                        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; \
                         PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;",
                    )
                    .await?;
                    Ok(())
                })
            })
        } else {
            options
        };
        let pool = options
            .connect(&url)
            .await
            .map_err(|e| StoreError::from_connect(e, &url))?;
        let store = Store { pool, backend };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let result = match self.backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite").run(&self.pool).await,
            Backend::Postgres => sqlx::migrate!("migrations/postgres").run(&self.pool).await,
        };
        result.map_err(|e| StoreError::Migration(e.to_string()))
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Is the database reachable? (`/readyz`)
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    // ---- systems ----

    /// Stores a system's manifest; `true` when it is new.
    pub async fn put_system(
        &self,
        name: &str,
        manifest: &str,
        origin: Origin,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let existed = sqlx::query("SELECT 1 FROM systems WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
        if existed {
            sqlx::query(
                "UPDATE systems SET manifest = $1, origin = $2, updated_at = $3 WHERE name = $4",
            )
            .bind(manifest)
            .bind(origin.as_str())
            .bind(now)
            .bind(name)
            .execute(&mut *tx)
            .await?;
        } else {
            sqlx::query(
                "INSERT INTO systems (name, manifest, origin, updated_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(name)
            .bind(manifest)
            .bind(origin.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(!existed)
    }

    pub async fn system(&self, name: &str) -> Result<Option<SystemRecord>, StoreError> {
        let row =
            sqlx::query("SELECT name, manifest, origin, updated_at FROM systems WHERE name = $1")
                .bind(name)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| system_record(&r)).transpose()
    }

    /// Every system, by name.
    pub async fn systems(&self) -> Result<Vec<SystemRecord>, StoreError> {
        let rows =
            sqlx::query("SELECT name, manifest, origin, updated_at FROM systems ORDER BY name")
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(system_record).collect()
    }

    /// Deletes a system and everything recorded for it, in one transaction; `false` when
    /// there was no such system.
    pub async fn delete_system(&self, name: &str) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let gone = sqlx::query("DELETE FROM systems WHERE name = $1")
            .bind(name)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            > 0;
        for table in [
            "batches",
            "stream_stats",
            "observation_stats",
            "stream_references",
            "window_drift",
            "observations",
            "fallback_tests",
            "owner_confirmations",
        ] {
            // The table name is one of the constants above, never input.
            sqlx::query(&format!("DELETE FROM {table} WHERE system = $1"))
                .bind(name)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(gone)
    }

    /// Records that the manifest file at `path` failed to load (the last good version of
    /// its systems stays in force).
    pub async fn set_manifest_error(
        &self,
        path: &str,
        message: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM manifest_errors WHERE path = $1")
            .bind(path)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO manifest_errors (path, message, seen_at) VALUES ($1, $2, $3)")
            .bind(path)
            .bind(message)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn clear_manifest_error(&self, path: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM manifest_errors WHERE path = $1")
            .bind(path)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn manifest_errors(&self) -> Result<Vec<ManifestErrorRecord>, StoreError> {
        let rows = sqlx::query("SELECT path, message, seen_at FROM manifest_errors ORDER BY path")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(ManifestErrorRecord {
                    path: r.try_get("path")?,
                    message: r.try_get("message")?,
                    seen_at: r.try_get("seen_at")?,
                })
            })
            .collect()
    }

    // ---- tokens ----

    /// Stores a new token's hash under a unique name; a name in use is a conflict.
    pub async fn create_token(
        &self,
        name: &str,
        scope: Scope,
        hash: &str,
        now: i64,
    ) -> Result<TokenRecord, StoreError> {
        let id = new_id();
        let result = sqlx::query(
            "INSERT INTO tokens (id, name, scope, hash, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&id)
        .bind(name)
        .bind(scope.as_str())
        .bind(hash)
        .bind(now)
        .execute(&self.pool)
        .await;
        match result {
            Ok(_) => Ok(TokenRecord {
                id,
                name: name.to_string(),
                scope,
                created_at: now,
                revoked_at: None,
            }),
            Err(e) if is_unique_violation(&e) => Err(StoreError::Conflict(format!(
                "a token named `{name}` already exists"
            ))),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn tokens(&self) -> Result<Vec<TokenRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, scope, created_at, revoked_at FROM tokens ORDER BY created_at, name",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(token_record).collect()
    }

    /// The live (not revoked) token with this hash.
    pub async fn token_by_hash(&self, hash: &str) -> Result<Option<TokenRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT id, name, scope, created_at, revoked_at FROM tokens \
             WHERE hash = $1 AND revoked_at IS NULL",
        )
        .bind(hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| token_record(&r)).transpose()
    }

    /// Revokes the token with this name or id; `false` when there is no live one.
    pub async fn revoke_token(&self, name_or_id: &str, now: i64) -> Result<bool, StoreError> {
        let n = sqlx::query(
            "UPDATE tokens SET revoked_at = $1 WHERE (name = $2 OR id = $2) AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(name_or_id)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(n > 0)
    }

    // ---- batches ----

    /// The batch stored under this idempotency key, if any.
    pub async fn batch_by_key(
        &self,
        system: &str,
        stream: &str,
        key: &str,
    ) -> Result<Option<BatchRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT id, received_at, rows, idempotency_key, columns_diff FROM batches \
             WHERE system = $1 AND stream = $2 AND idempotency_key = $3",
        )
        .bind(system)
        .bind(stream)
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| batch_record(&r)).transpose()
    }

    /// Stores a batch's profile. With an idempotency key already used on this stream, nothing
    /// is written and the first batch is returned as `Stored::Existing`. Returns once the
    /// transaction is committed (durable: SQLite's synchronous=FULL, PostgreSQL's commit).
    pub async fn insert_batch(&self, batch: NewBatch<'_>) -> Result<Stored, StoreError> {
        let blob = compress(batch.profile_json)?;
        let id = new_id();
        let mut tx = self.pool.begin().await?;
        let result = sqlx::query(
            "INSERT INTO batches (id, system, stream, received_at, rows, idempotency_key, \
             columns_diff, profile) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(batch.system)
        .bind(batch.stream)
        .bind(batch.received_at)
        .bind(to_i64(batch.rows)?)
        .bind(batch.idempotency_key)
        .bind(batch.columns_diff)
        .bind(blob)
        .execute(&mut *tx)
        .await;
        let result = match result {
            Ok(_) => {
                sqlx::query(
                    "INSERT INTO stream_stats (system, stream, batches, rows, first_at, last_at) \
                     VALUES ($1, $2, 1, $3, $4, $4) ON CONFLICT (system, stream) DO UPDATE SET \
                     batches = stream_stats.batches + 1, rows = stream_stats.rows + excluded.rows, \
                     last_at = CASE WHEN excluded.last_at > stream_stats.last_at \
                     THEN excluded.last_at ELSE stream_stats.last_at END",
                )
                .bind(batch.system)
                .bind(batch.stream)
                .bind(to_i64(batch.rows)?)
                .bind(batch.received_at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }
            Err(e) => {
                // Nothing was written; the transaction is rolled back as it is dropped.
                drop(tx);
                Err(e)
            }
        };
        match result {
            Ok(_) => Ok(Stored::New(BatchRecord {
                id,
                received_at: batch.received_at,
                rows: batch.rows,
                idempotency_key: batch.idempotency_key.map(str::to_string),
                columns_diff: batch.columns_diff.map(str::to_string),
            })),
            Err(e) if is_unique_violation(&e) && batch.idempotency_key.is_some() => {
                let key = batch.idempotency_key.unwrap_or_default();
                match self.batch_by_key(batch.system, batch.stream, key).await? {
                    Some(first) => Ok(Stored::Existing(first)),
                    None => Err(e.into()),
                }
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The batches of a stream, newest first, at most `limit`.
    pub async fn batches(
        &self,
        system: &str,
        stream: &str,
        limit: i64,
    ) -> Result<Vec<BatchRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, received_at, rows, idempotency_key, columns_diff FROM batches \
             WHERE system = $1 AND stream = $2 ORDER BY received_at DESC, id DESC LIMIT $3",
        )
        .bind(system)
        .bind(stream)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(batch_record).collect()
    }

    /// The profiles (JSON) of a stream's batches received in `[from, to)`, oldest first,
    /// each passed to `each` as it is read so they are never all held at once.
    pub async fn fold_profiles(
        &self,
        system: &str,
        stream: &str,
        from: i64,
        to: i64,
        each: &mut (dyn FnMut(i64, Vec<u8>) -> Result<(), StoreError> + Send),
    ) -> Result<u64, StoreError> {
        use futures_util::TryStreamExt;
        let mut rows = sqlx::query(
            "SELECT received_at, profile FROM batches WHERE system = $1 AND stream = $2 \
             AND received_at >= $3 AND received_at < $4 ORDER BY received_at, id",
        )
        .bind(system)
        .bind(stream)
        .bind(from)
        .bind(to)
        .fetch(&self.pool);
        let mut n = 0;
        while let Some(row) = rows.try_next().await? {
            let at: i64 = row.try_get("received_at")?;
            let blob: Vec<u8> = row.try_get("profile")?;
            each(at, decompress(&blob)?)?;
            n += 1;
        }
        Ok(n)
    }

    /// The windows of `window_us` (aligned to 1970-01-01 UTC) in which a stream received
    /// batches, newest first, at most `limit`: (start, batches, rows).
    pub async fn windows(
        &self,
        system: &str,
        stream: &str,
        window_us: i64,
        limit: i64,
    ) -> Result<Vec<(i64, u64, u64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT received_at / $3 AS w, COUNT(*) AS batches, CAST(SUM(rows) AS BIGINT) AS rows \
             FROM batches WHERE system = $1 AND stream = $2 GROUP BY 1 ORDER BY 1 DESC LIMIT $4",
        )
        .bind(system)
        .bind(stream)
        .bind(window_us.max(1))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get::<i64, _>("w")?.saturating_mul(window_us),
                    r.try_get::<i64, _>("batches")? as u64,
                    sum_i64(r, "rows")? as u64,
                ))
            })
            .collect()
    }

    /// Per stream of a system: batches, rows and the first and last arrival.
    pub async fn streams(&self, system: &str) -> Result<Vec<StreamRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT stream, batches, rows, first_at, last_at FROM stream_stats WHERE system = $1",
        )
        .bind(system)
        .fetch_all(&self.pool)
        .await?;
        let mut out: Vec<StreamRecord> = rows
            .iter()
            .map(|r| {
                Ok(StreamRecord {
                    stream: r.try_get("stream")?,
                    batches: r.try_get::<i64, _>("batches")? as u64,
                    rows: sum_i64(r, "rows")? as u64,
                    first_at: r.try_get("first_at")?,
                    last_at: r.try_get("last_at")?,
                    has_reference: false,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        let refs = sqlx::query("SELECT stream FROM stream_references WHERE system = $1")
            .bind(system)
            .fetch_all(&self.pool)
            .await?;
        for r in refs {
            let name: String = r.try_get("stream")?;
            match out.iter_mut().find(|s| s.stream == name) {
                Some(s) => s.has_reference = true,
                None => out.push(StreamRecord {
                    stream: name,
                    batches: 0,
                    rows: 0,
                    first_at: None,
                    last_at: None,
                    has_reference: true,
                }),
            }
        }
        out.sort_by(|a, b| a.stream.cmp(&b.stream));
        Ok(out)
    }

    /// Every batch count and row count, over all systems (for `/metrics`).
    pub async fn intake_totals(&self) -> Result<Vec<(String, String, u64, u64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT system, stream, batches, rows FROM stream_stats ORDER BY system, stream",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("system")?,
                    r.try_get("stream")?,
                    r.try_get::<i64, _>("batches")? as u64,
                    sum_i64(r, "rows")? as u64,
                ))
            })
            .collect()
    }

    /// [`Store::streams`] for every system at once (the portfolio reads them in one query).
    pub async fn all_streams(&self) -> Result<Vec<(String, StreamRecord)>, StoreError> {
        let rows = sqlx::query(
            "SELECT system, stream, batches, rows, first_at, last_at FROM stream_stats \
             ORDER BY system, stream",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out: Vec<(String, StreamRecord)> = rows
            .iter()
            .map(|r| {
                Ok((
                    r.try_get("system")?,
                    StreamRecord {
                        stream: r.try_get("stream")?,
                        batches: r.try_get::<i64, _>("batches")? as u64,
                        rows: sum_i64(r, "rows")? as u64,
                        first_at: r.try_get("first_at")?,
                        last_at: r.try_get("last_at")?,
                        has_reference: false,
                    },
                ))
            })
            .collect::<Result<_, StoreError>>()?;
        let refs = sqlx::query("SELECT system, stream FROM stream_references")
            .fetch_all(&self.pool)
            .await?;
        for r in refs {
            let system: String = r.try_get("system")?;
            let stream: String = r.try_get("stream")?;
            match out
                .iter_mut()
                .find(|(sy, s)| *sy == system && s.stream == stream)
            {
                Some((_, s)) => s.has_reference = true,
                None => out.push((
                    system,
                    StreamRecord {
                        stream,
                        batches: 0,
                        rows: 0,
                        first_at: None,
                        last_at: None,
                        has_reference: true,
                    },
                )),
            }
        }
        Ok(out)
    }

    // ---- references ----

    pub async fn put_reference(&self, reference: NewReference<'_>) -> Result<String, StoreError> {
        let blob = compress(reference.profile_json)?;
        let version = new_id();
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM stream_references WHERE system = $1 AND stream = $2")
            .bind(reference.system)
            .bind(reference.stream)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO stream_references (system, stream, version, set_at, rows, from_date, \
             to_date, profile) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(reference.system)
        .bind(reference.stream)
        .bind(&version)
        .bind(reference.set_at)
        .bind(to_i64(reference.rows)?)
        .bind(reference.from_date)
        .bind(reference.to_date)
        .bind(blob)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(version)
    }

    pub async fn reference(
        &self,
        system: &str,
        stream: &str,
    ) -> Result<Option<ReferenceRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT version, set_at, rows, from_date, to_date, profile FROM stream_references \
             WHERE system = $1 AND stream = $2",
        )
        .bind(system)
        .bind(stream)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            None => Ok(None),
            Some(r) => {
                let blob: Vec<u8> = r.try_get("profile")?;
                Ok(Some(ReferenceRecord {
                    version: r.try_get("version")?,
                    set_at: r.try_get("set_at")?,
                    rows: r.try_get::<i64, _>("rows")? as u64,
                    from_date: r.try_get("from_date")?,
                    to_date: r.try_get("to_date")?,
                    profile_json: decompress(&blob)?,
                }))
            }
        }
    }

    // ---- drift of closed windows ----

    pub async fn window_drift(&self, key: &WindowKey<'_>) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(
            "SELECT report FROM window_drift WHERE system = $1 AND stream = $2 AND window_us = $3 \
             AND start_us = $4 AND reference = $5",
        )
        .bind(key.system)
        .bind(key.stream)
        .bind(key.window_us)
        .bind(key.start_us)
        .bind(key.reference)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| r.try_get("report")).transpose()?)
    }

    /// Keeps the drift of a closed window (its batches can no longer change), with its
    /// dataset verdict; a result already there is kept.
    pub async fn put_window_drift(
        &self,
        key: &WindowKey<'_>,
        report: &str,
        verdict: WindowVerdict,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO window_drift (system, stream, window_us, start_us, reference, report, \
             dataset_drift, share_drifted) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT DO NOTHING",
        )
        .bind(key.system)
        .bind(key.stream)
        .bind(key.window_us)
        .bind(key.start_us)
        .bind(key.reference)
        .bind(report)
        .bind(i64::from(verdict.dataset_drift))
        .bind(verdict.share_drifted)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Per stream of every system, the verdict of the newest kept window of `window_us`:
    /// (system, stream, window start, verdict).
    pub async fn latest_window_verdicts(
        &self,
        window_us: i64,
    ) -> Result<Vec<(String, String, i64, WindowVerdict)>, StoreError> {
        let rows = sqlx::query(
            "SELECT w.system, w.stream, w.start_us, w.dataset_drift, w.share_drifted \
             FROM window_drift w JOIN stream_references r \
             ON r.system = w.system AND r.stream = w.stream AND r.version = w.reference \
             WHERE w.window_us = $1 AND w.dataset_drift IS NOT NULL AND w.start_us = ( \
               SELECT MAX(x.start_us) FROM window_drift x WHERE x.system = w.system \
               AND x.stream = w.stream AND x.window_us = w.window_us AND x.reference = w.reference)",
        )
        .bind(window_us)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("system")?,
                    r.try_get("stream")?,
                    r.try_get("start_us")?,
                    WindowVerdict {
                        dataset_drift: r.try_get::<i64, _>("dataset_drift")? != 0,
                        share_drifted: r.try_get("share_drifted")?,
                    },
                ))
            })
            .collect()
    }

    // ---- success metrics ----

    /// Stores observations of one metric, all or none.
    pub async fn add_observations(
        &self,
        system: &str,
        metric: &str,
        observations: &[(i64, f64)],
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for (at, value) in observations {
            sqlx::query(
                "INSERT INTO observations (system, metric, at_us, value, received_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(system)
            .bind(metric)
            .bind(*at)
            .bind(*value)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "INSERT INTO observation_stats (system, metric, count, stamp) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (system, metric) DO UPDATE SET \
             count = observation_stats.count + excluded.count, \
             stamp = observation_stats.stamp + 1",
        )
        .bind(system)
        .bind(metric)
        .bind(observations.len() as i64)
        .bind(1i64)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every metric's observation count and a stamp that changes with each stored request:
    /// (system, metric, count, stamp).
    pub async fn observation_stats(&self) -> Result<Vec<(String, String, u64, i64)>, StoreError> {
        let rows = sqlx::query("SELECT system, metric, count, stamp FROM observation_stats")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("system")?,
                    r.try_get("metric")?,
                    r.try_get::<i64, _>("count")? as u64,
                    r.try_get("stamp")?,
                ))
            })
            .collect()
    }

    /// A metric's observations in `[from, to)`, oldest first.
    pub async fn observations(
        &self,
        system: &str,
        metric: &str,
        from: i64,
        to: i64,
    ) -> Result<Vec<(i64, f64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT at_us, value FROM observations WHERE system = $1 AND metric = $2 \
             AND at_us >= $3 AND at_us < $4 ORDER BY at_us, id",
        )
        .bind(system)
        .bind(metric)
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("at_us")?, r.try_get("value")?)))
            .collect()
    }

    /// How many observations of a metric fall at or after `from` (to count late ones).
    pub async fn count_observations_since(
        &self,
        system: &str,
        metric: &str,
        from: i64,
    ) -> Result<u64, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM observations WHERE system = $1 AND metric = $2 AND at_us >= $3",
        )
        .bind(system)
        .bind(metric)
        .bind(from)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get::<i64, _>("n")? as u64)
    }

    // ---- fallback drills and owner confirmations ----

    pub async fn add_drill(
        &self,
        system: &str,
        date: &str,
        result: &str,
        evidence: &str,
        now: i64,
    ) -> Result<DrillRecord, StoreError> {
        let id = new_id();
        sqlx::query(
            "INSERT INTO fallback_tests (id, system, date, result, evidence, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(system)
        .bind(date)
        .bind(result)
        .bind(evidence)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(DrillRecord {
            id,
            date: date.into(),
            result: result.into(),
            evidence: evidence.into(),
            recorded_at: now,
        })
    }

    /// A system's recorded drills, newest first.
    pub async fn drills(&self, system: &str) -> Result<Vec<DrillRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, date, result, evidence, recorded_at FROM fallback_tests WHERE system = $1 \
             ORDER BY date DESC, recorded_at DESC",
        )
        .bind(system)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(drill_record).collect()
    }

    pub async fn add_confirmation(
        &self,
        system: &str,
        date: &str,
        confirmed_by: &str,
        note: &str,
        now: i64,
    ) -> Result<ConfirmationRecord, StoreError> {
        let id = new_id();
        sqlx::query(
            "INSERT INTO owner_confirmations (id, system, date, confirmed_by, note, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(system)
        .bind(date)
        .bind(confirmed_by)
        .bind(note)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(ConfirmationRecord {
            id,
            date: date.into(),
            confirmed_by: confirmed_by.into(),
            note: note.into(),
            recorded_at: now,
        })
    }

    /// A system's owner confirmations, newest first.
    pub async fn confirmations(&self, system: &str) -> Result<Vec<ConfirmationRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, date, confirmed_by, note, recorded_at FROM owner_confirmations \
             WHERE system = $1 ORDER BY date DESC, recorded_at DESC",
        )
        .bind(system)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ConfirmationRecord {
                    id: r.try_get("id")?,
                    date: r.try_get("date")?,
                    confirmed_by: r.try_get("confirmed_by")?,
                    note: r.try_get("note")?,
                    recorded_at: r.try_get("recorded_at")?,
                })
            })
            .collect()
    }

    /// Every system's latest owner confirmation date.
    pub async fn latest_confirmations(&self) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT system, MAX(date) AS date FROM owner_confirmations GROUP BY system",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("system")?, r.try_get("date")?)))
            .collect()
    }

    /// Every recorded drill of every system: (system, drill).
    pub async fn all_drills(&self) -> Result<Vec<(String, DrillRecord)>, StoreError> {
        let rows = sqlx::query(
            "SELECT system, id, date, result, evidence, recorded_at FROM fallback_tests \
             ORDER BY system, date DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("system")?, drill_record(r)?)))
            .collect()
    }

    // ---- leases: background work done by one process at a time ----

    /// Takes the lease `name` for `holder` until `now + ttl_us`, if it is free, expired or
    /// already this holder's. Several processes on one database race here and exactly one
    /// wins: the row is claimed by one conditional upsert.
    pub async fn try_lease(
        &self,
        name: &str,
        holder: &str,
        now: i64,
        ttl_us: i64,
    ) -> Result<bool, StoreError> {
        let n = sqlx::query(
            "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
             WHERE leases.expires_at < $4 OR leases.holder = excluded.holder",
        )
        .bind(name)
        .bind(holder)
        .bind(now.saturating_add(ttl_us))
        .bind(now)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(n > 0)
    }

    /// What the job `name` last recorded as done.
    pub async fn job_state(&self, name: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT state FROM job_state WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get("state")).transpose()?)
    }

    pub async fn set_job_state(&self, name: &str, state: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO job_state (name, state, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
        )
        .bind(name)
        .bind(state)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn release_lease(&self, name: &str, holder: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM leases WHERE name = $1 AND holder = $2")
            .bind(name)
            .bind(holder)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

fn backend_of(url: &str) -> Result<Backend, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else {
        Err(StoreError::BadUrl(
            "the database URL must start with sqlite:// or postgres://".into(),
        ))
    }
}

/// A random identifier: 16 bytes from the operating system, as hex.
pub fn new_id() -> String {
    let mut bytes = [0u8; 16];
    // getrandom fails only when the OS has no randomness at all; an id made of zeros
    // would collide, so the failure is fatal to the caller's request, not silent.
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    hex::encode(bytes)
}

fn compress(json: &[u8]) -> Result<Vec<u8>, StoreError> {
    zstd::bulk::compress(json, ZSTD_LEVEL).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn decompress(blob: &[u8]) -> Result<Vec<u8>, StoreError> {
    let size = zstd::bulk::Decompressor::upper_bound(blob).unwrap_or(MAX_PROFILE_JSON);
    if size > MAX_PROFILE_JSON {
        return Err(StoreError::Corrupt(format!(
            "a stored profile claims {size} bytes, past the {MAX_PROFILE_JSON} allowed"
        )));
    }
    zstd::bulk::decompress(blob, size).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn to_i64(n: u64) -> Result<i64, StoreError> {
    i64::try_from(n).map_err(|_| StoreError::Corrupt(format!("{n} rows is past what is stored")))
}

/// `SUM` of a BIGINT column: PostgreSQL returns NUMERIC, which the Any driver cannot decode;
/// the queries cast where needed, and a NULL sum (no rows) is zero.
fn sum_i64(r: &AnyRow, column: &str) -> Result<i64, StoreError> {
    Ok(r.try_get::<Option<i64>, _>(column)?.unwrap_or(0))
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => d.is_unique_violation(),
        _ => false,
    }
}

fn system_record(r: &AnyRow) -> Result<SystemRecord, StoreError> {
    Ok(SystemRecord {
        name: r.try_get("name")?,
        manifest: r.try_get("manifest")?,
        origin: Origin::parse(&r.try_get::<String, _>("origin")?)?,
        updated_at: r.try_get("updated_at")?,
    })
}

fn token_record(r: &AnyRow) -> Result<TokenRecord, StoreError> {
    Ok(TokenRecord {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        scope: Scope::parse(&r.try_get::<String, _>("scope")?)
            .ok_or_else(|| StoreError::Corrupt("a token with an unknown scope".into()))?,
        created_at: r.try_get("created_at")?,
        revoked_at: r.try_get("revoked_at")?,
    })
}

fn drill_record(r: &AnyRow) -> Result<DrillRecord, StoreError> {
    Ok(DrillRecord {
        id: r.try_get("id")?,
        date: r.try_get("date")?,
        result: r.try_get("result")?,
        evidence: r.try_get("evidence")?,
        recorded_at: r.try_get("recorded_at")?,
    })
}

fn batch_record(r: &AnyRow) -> Result<BatchRecord, StoreError> {
    Ok(BatchRecord {
        id: r.try_get("id")?,
        received_at: r.try_get("received_at")?,
        rows: r.try_get::<i64, _>("rows")? as u64,
        idempotency_key: r.try_get("idempotency_key")?,
        columns_diff: r.try_get("columns_diff")?,
    })
}
