//! `--manifests DIR`: every AISystem manifest under DIR is loaded at start and again when a
//! file changes. A file that fails to load is recorded (the portfolio lists it) and its
//! systems keep their last good version. With several processes on one database, a lease
//! makes one of them do it at a time.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use steward_store::Origin;

use crate::AppState;
use crate::time::now_us;

/// What the folder looked like at the last pass: file -> (length, modification time).
type Seen = BTreeMap<PathBuf, (u64, Option<SystemTime>)>;

pub async fn watch(state: AppState) {
    let Some(dir) = state.config.manifests.clone() else {
        return;
    };
    let period = Duration::from_millis(state.config.poll_ms.max(100));
    loop {
        if let Err(e) = pass(&state, &dir, period).await {
            tracing::warn!("manifests folder: {e}");
        }
        tokio::time::sleep(period).await;
    }
}

/// One look at the folder: when its fingerprint differs from the one the database says was
/// last loaded (by any process), one process takes the lease, loads it and records the new
/// fingerprint; the others then find it done.
async fn pass(
    state: &AppState,
    dir: &std::path::Path,
    period: Duration,
) -> Result<(), steward_store::StoreError> {
    let fingerprint = fingerprint(&snapshot(dir).await);
    let job = format!("manifests-folder:{}", dir.display());
    if state.store.job_state(&job).await?.as_deref() == Some(fingerprint.as_str()) {
        return Ok(());
    }
    let ttl = i64::try_from(period.as_micros().saturating_mul(30)).unwrap_or(i64::MAX);
    if !state
        .store
        .try_lease(&job, &state.holder, now_us(), ttl)
        .await?
    {
        return Ok(());
    }
    // Checked again under the lease: another process may have finished just before.
    if state.store.job_state(&job).await?.as_deref() != Some(fingerprint.as_str()) {
        load_all(state, dir).await;
        state
            .store
            .set_job_state(&job, &fingerprint, now_us())
            .await?;
    }
    state.store.release_lease(&job, &state.holder).await
}

fn fingerprint(seen: &Seen) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for (path, (len, modified)) in seen {
        let nanos = modified
            .and_then(|m| m.duration_since(SystemTime::UNIX_EPOCH).ok())
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        h.update(format!("{}\0{len}\0{nanos}\n", path.display()).as_bytes());
    }
    hex::encode(h.finalize())
}

async fn snapshot(dir: &std::path::Path) -> Seen {
    let dir = dir.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let mut seen = Seen::new();
        {
            for f in steward_manifest::discover(&[dir]).files {
                let meta = std::fs::metadata(&f).ok();
                seen.insert(
                    f,
                    (
                        meta.as_ref().map(|m| m.len()).unwrap_or(0),
                        meta.and_then(|m| m.modified().ok()),
                    ),
                );
            }
        }
        seen
    })
    .await
    .unwrap_or_default()
}

async fn load_all(state: &AppState, dir: &std::path::Path) {
    let dir = dir.to_path_buf();
    let found = tokio::task::spawn_blocking(move || steward_manifest::discover(&[dir])).await;
    let found = match found {
        Ok(found) => found,
        Err(e) => {
            tracing::error!("manifests folder: {e}");
            return;
        }
    };
    for e in &found.errors {
        let path = e.file.to_string();
        tracing::error!("{path}: {}", e.message);
        let _ = state
            .store
            .set_manifest_error(&path, &e.message, now_us())
            .await;
    }
    for file in found.files {
        let path = file.display().to_string();
        let bytes = match steward_io::read_limited(&file, steward_manifest::MAX_MANIFEST_BYTES) {
            Ok(b) => b,
            Err(e) => {
                let _ = state
                    .store
                    .set_manifest_error(&path, &format!("cannot read: {e}"), now_us())
                    .await;
                continue;
            }
        };
        match steward_manifest::parse_manifests(&path, &bytes) {
            Ok(systems) => {
                let text = String::from_utf8_lossy(&bytes);
                let mut ok = true;
                for s in &systems {
                    // Each system is stored as its own document, so a file of several
                    // systems becomes several records that each parse alone.
                    let name = s.manifest.metadata.name.to_string();
                    let doc = if systems.len() == 1 {
                        text.to_string()
                    } else {
                        match document_text(&text, s.document) {
                            Some(d) => d,
                            None => {
                                ok = false;
                                continue;
                            }
                        }
                    };
                    // Unchanged systems are left alone, so a change to one file of the
                    // folder rewrites that file's systems only.
                    match state.store.system(&name).await {
                        Ok(Some(stored)) if stored.manifest == doc => continue,
                        _ => {}
                    }
                    match state
                        .store
                        .put_system(&name, &doc, Origin::Folder, now_us())
                        .await
                    {
                        Ok(_) => tracing::info!("{path}: loaded system `{name}`"),
                        Err(e) => {
                            ok = false;
                            tracing::error!("{path}: cannot store `{name}`: {e}");
                        }
                    }
                }
                if ok {
                    let _ = state.store.clear_manifest_error(&path).await;
                }
            }
            Err(e) => {
                let mut message = e.message.clone();
                if let Some(p) = e.position {
                    message = format!("line {}, column {}: {message}", p.line, p.column);
                }
                tracing::error!("{path}: {message} (the last good version stays in force)");
                let _ = state
                    .store
                    .set_manifest_error(&path, &message, now_us())
                    .await;
            }
        }
    }
}

/// The text of the `index`-th YAML document of a file (documents split at `---` lines).
fn document_text(text: &str, index: usize) -> Option<String> {
    let mut docs: Vec<String> = vec![String::new()];
    for line in text.lines() {
        if line.trim_end() == "---" || line.starts_with("--- ") {
            docs.push(String::new());
            continue;
        }
        if let Some(d) = docs.last_mut() {
            d.push_str(line);
            d.push('\n');
        }
    }
    let docs: Vec<String> = docs
        .into_iter()
        .filter(|d| {
            d.lines()
                .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        })
        .collect();
    docs.into_iter().nth(index)
}
