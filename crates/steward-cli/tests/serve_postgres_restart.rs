//! PostgreSQL restarted under a server taking batches: while the database is away, requests
//! get 503 (never a 201 for a batch not stored) and `/readyz` says so; when it is back, the
//! server serves again by itself, and every batch answered 201 is there. Runs when
//! `STEWARD_TEST_POSTGRES_URL` is set and `STEWARD_TEST_POSTGRES_CTL` holds the command that
//! stops and starts that server when given `stop` or `start` (e.g. `pg_ctlcluster 15 main`);
//! in its own test binary, so no other test sees the database go away.

mod server_harness;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use server_harness::*;

const BATCHES: &str = "/api/v1/systems/invoice-extraction/streams/intake/batches";

#[test]
fn the_server_rides_out_a_database_restart() {
    let (Ok(_), Ok(ctl)) = (
        std::env::var("STEWARD_TEST_POSTGRES_URL"),
        std::env::var("STEWARD_TEST_POSTGRES_CTL"),
    ) else {
        eprintln!("skipped: STEWARD_TEST_POSTGRES_URL or STEWARD_TEST_POSTGRES_CTL is not set");
        return;
    };
    let pg = |action: &str| {
        let mut parts = ctl.split_whitespace();
        let status = std::process::Command::new(parts.next().unwrap())
            .args(parts)
            .arg(action)
            .status()
            .unwrap();
        assert!(status.success(), "{ctl} {action}");
    };
    let db = Backend::Postgres.fresh_database();
    let admin = token(&db, "admin", "admin");
    let server = Server::start(&db, &[]);
    let c = Client::new(&server.base);
    let manifest = std::fs::read(repo_path("examples/invoice-extraction.yaml")).unwrap();
    assert_eq!(
        c.put(
            "/api/v1/systems/invoice-extraction",
            &admin,
            "application/yaml",
            &manifest
        )
        .status,
        201
    );

    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(Mutex::new(BTreeMap::new()));
    let statuses = Arc::new(Mutex::new(BTreeMap::<u16, u32>::new()));
    let producer = {
        let (stop, answered, statuses) = (stop.clone(), answered.clone(), statuses.clone());
        let (base, admin) = (server.base.clone(), admin.clone());
        std::thread::spawn(move || {
            let c = Client::new(&base);
            let mut i = 0u64;
            while !stop.load(Ordering::SeqCst) {
                let key = format!("k{i}");
                let r = c.post_with(
                    BATCHES,
                    &admin,
                    "text/csv",
                    numeric_csv(300, 0.0, i).as_bytes(),
                    &[("Idempotency-Key", &key)],
                );
                *statuses.lock().unwrap().entry(r.status).or_default() += 1;
                if r.status == 201 {
                    answered
                        .lock()
                        .unwrap()
                        .insert(key, r.json()["id"].as_str().unwrap().to_string());
                } else {
                    assert_eq!(r.status, 503, "{}", r.text);
                    assert_eq!(r.json()["error"]["code"], "unavailable");
                }
                i += 1;
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    std::thread::sleep(Duration::from_millis(800));
    pg("stop");
    // Away: not ready, and requests that need the database are 503.
    let away = c.get("/readyz", "");
    assert_eq!(away.status, 503, "{}", away.text);
    std::thread::sleep(Duration::from_millis(1000));
    pg("start");
    // Back by itself: ready again within a while, and taking batches.
    let deadline = Instant::now() + Duration::from_secs(60);
    while c.get("/readyz", "").status != 200 {
        assert!(
            Instant::now() < deadline,
            "never ready again: {}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let before = answered.lock().unwrap().len();
    std::thread::sleep(Duration::from_millis(1500));
    stop.store(true, Ordering::SeqCst);
    producer.join().unwrap();
    let answered = answered.lock().unwrap().clone();
    assert!(
        answered.len() > before,
        "no batch taken after the restart: {:?}",
        statuses.lock().unwrap()
    );
    let listed = c.get(&format!("{BATCHES}?limit=10000"), &admin).json();
    let stored: BTreeMap<String, String> = listed["batches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["idempotency_key"].as_str().unwrap().to_string(),
                b["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (key, id) in &answered {
        assert_eq!(
            stored.get(key),
            Some(id),
            "batch {key} answered 201 is gone"
        );
    }
    let statuses = statuses.lock().unwrap().clone();
    eprintln!("replies: {statuses:?}");
    assert!(
        statuses.get(&503).copied().unwrap_or(0) > 0,
        "no 503 while the database was away"
    );
    server.stop_gracefully();
}
