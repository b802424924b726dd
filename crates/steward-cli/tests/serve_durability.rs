//! What the server promises when it dies or shares its database: every batch answered 201
//! survives a SIGKILL, nothing half-written stays, a retried `Idempotency-Key` gets the
//! first reply across a restart, and two processes on one PostgreSQL database act as one.

mod server_harness;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use server_harness::*;

const BATCHES: &str = "/api/v1/systems/invoice-extraction/streams/intake/batches";

fn put_manifest(c: &Client, admin: &str) {
    let manifest = std::fs::read(repo_path("examples/invoice-extraction.yaml")).unwrap();
    let r = c.put(
        "/api/v1/systems/invoice-extraction",
        admin,
        "application/yaml",
        &manifest,
    );
    assert!(r.status == 201 || r.status == 200, "{}", r.text);
}

/// Posts batches from four threads until `stop`, recording every 201 (key -> id) and every
/// key whose request got no answer.
fn stream_batches(
    base: &str,
    token: &str,
    stop: Arc<std::sync::atomic::AtomicBool>,
) -> (BTreeMap<String, String>, Vec<String>) {
    let answered = Arc::new(Mutex::new(BTreeMap::new()));
    let unanswered = Arc::new(Mutex::new(Vec::new()));
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let (answered, unanswered, stop) = (answered.clone(), unanswered.clone(), stop.clone());
            let (base, token) = (base.to_string(), token.to_string());
            std::thread::spawn(move || {
                let c = Client::new(&base);
                let mut i = 0u64;
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    let key = format!("t{t}-{i}");
                    let body = numeric_csv(2000, 0.0, t * 1_000_000 + i);
                    let reply = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        c.post_with(
                            BATCHES,
                            &token,
                            "text/csv",
                            body.as_bytes(),
                            &[("Idempotency-Key", &key)],
                        )
                    }));
                    match reply {
                        Ok(r) if r.status == 201 => {
                            answered
                                .lock()
                                .unwrap()
                                .insert(key, r.json()["id"].as_str().unwrap().to_string());
                        }
                        _ => unanswered.lock().unwrap().push(key),
                    }
                    i += 1;
                }
            })
        })
        .collect();
    for t in threads {
        let _ = t.join();
    }
    let a = answered.lock().unwrap().clone();
    let u = unanswered.lock().unwrap().clone();
    (a, u)
}

#[test]
fn batches_answered_201_survive_sigkill_and_retries_replay_after_restart() {
    for backend in backends() {
        let db = backend.fresh_database();
        let admin = token(&db, "admin", "admin");
        let writer = token(&db, "writer", "write");
        let server = Server::start(&db, &[]);
        put_manifest(&Client::new(&server.base), &admin);
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let base = server.base.clone();
        let producer = {
            let (stop, writer) = (stop.clone(), writer.clone());
            std::thread::spawn(move || stream_batches(&base, &writer, stop))
        };
        std::thread::sleep(Duration::from_millis(1500));
        server.kill(); // SIGKILL, mid-intake
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let (answered, unanswered) = producer.join().unwrap();
        assert!(
            answered.len() >= 4,
            "{backend:?}: only {} batches were answered",
            answered.len()
        );

        let server = Server::start(&db, &[]);
        let c = Client::new(&server.base);
        let listed = c.get(&format!("{BATCHES}?limit=10000"), &writer).json();
        let stored: BTreeMap<String, (String, u64)> = listed["batches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| {
                (
                    b["idempotency_key"].as_str().unwrap().to_string(),
                    (
                        b["id"].as_str().unwrap().to_string(),
                        b["rows"].as_u64().unwrap(),
                    ),
                )
            })
            .collect();
        for (key, id) in &answered {
            assert_eq!(
                stored.get(key).map(|s| &s.0),
                Some(id),
                "{backend:?}: batch {key} answered 201 is gone"
            );
        }
        // Nothing half-written: every stored batch is whole (all its rows) and was either
        // answered or in flight when the server died.
        for (key, (_, rows)) in &stored {
            assert_eq!(*rows, 2000, "{key}");
            assert!(
                answered.contains_key(key) || unanswered.contains(key),
                "{key} came from nowhere"
            );
        }
        // A retry of an answered batch replays the first reply, across the restart.
        let (key, id) = answered.iter().next().unwrap();
        let r = c.post_with(
            BATCHES,
            &writer,
            "text/csv",
            numeric_csv(10, 0.0, 1).as_bytes(),
            &[("Idempotency-Key", key)],
        );
        assert_eq!(
            (r.status, r.json()["id"].as_str().unwrap()),
            (201, id.as_str())
        );
        assert_eq!(
            r.json()["rows"],
            2000,
            "the first reply, not the retry's body"
        );
        // The stored profiles read back: drift of the whole stream against one of its own.
        let r = c.put(
            "/api/v1/systems/invoice-extraction/streams/intake/reference",
            &writer,
            "text/csv",
            numeric_csv(3000, 0.0, 77).as_bytes(),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        let r = c.get(
            "/api/v1/systems/invoice-extraction/streams/intake/drift",
            &writer,
        );
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(
            r.json()["window"]["batches"].as_u64().unwrap(),
            stored.len() as u64
        );
        server.stop_gracefully();
    }
}

#[test]
fn two_processes_on_one_postgres_database_are_one_service() {
    if !backends().contains(&Backend::Postgres) {
        eprintln!("skipped: STEWARD_TEST_POSTGRES_URL is not set");
        return;
    }
    let db = Backend::Postgres.fresh_database();
    let admin = token(&db, "admin", "admin");
    let folder = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo_path("examples/invoice-extraction.yaml"),
        folder.path().join("a.yaml"),
    )
    .unwrap();
    std::fs::copy(
        repo_path("examples/payments-code-review.yaml"),
        folder.path().join("b.yaml"),
    )
    .unwrap();
    let dir = folder.path().display().to_string();
    let args = ["--manifests", dir.as_str()];
    let one = Server::start(&db, &args);
    let two = Server::start(&db, &args);
    let (c1, c2) = (Client::new(&one.base), Client::new(&two.base));
    // The folder is loaded once, by one of them, and both serve it.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let p = c2.get("/api/v1/systems", &admin).json();
        if p["systems"].as_array().map(|s| s.len()) == Some(2) {
            break;
        }
        assert!(Instant::now() < deadline, "the folder was not loaded: {p}");
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_secs(3));
    let loads = |s: &Server| s.log().matches("loaded system").count();
    assert_eq!(
        loads(&one) + loads(&two),
        2,
        "each file loaded once in all:\n{}\n{}",
        one.log(),
        two.log()
    );
    // A write through one is read through the other.
    let writer = token(&db, "writer", "write");
    let r = c1.post(
        BATCHES,
        &writer,
        "text/csv",
        numeric_csv(500, 0.0, 5).as_bytes(),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let listed = c2.get(BATCHES, &writer).json();
    assert_eq!(listed["batches"][0]["id"], r.json()["id"]);
    // A token revoked by the CLI is refused by both at once.
    revoke(&db, "writer");
    assert_eq!(c1.get(BATCHES, &writer).status, 401);
    assert_eq!(c2.get(BATCHES, &writer).status, 401);
    // A changed file is loaded again, once.
    let changed = std::fs::read_to_string(folder.path().join("a.yaml"))
        .unwrap()
        .replace("Minutes an accounts-payable clerk", "Minutes a clerk");
    std::fs::write(folder.path().join("a.yaml"), changed).unwrap();
    std::thread::sleep(Duration::from_secs(6));
    assert_eq!(loads(&one) + loads(&two), 3, "{}\n{}", one.log(), two.log());
    one.stop_gracefully();
    two.stop_gracefully();
}
