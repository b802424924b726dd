//! `steward serve` driven as a user drives it: the real binary, real HTTP, on SQLite and,
//! when `STEWARD_TEST_POSTGRES_URL` is set, on PostgreSQL (each test in a database of its
//! own, so runs never see each other's rows).

mod server_harness;

use serde_json::{Value, json};
use server_harness::*;

const CSV_TYPE: &str = "text/csv";

#[test]
fn a_day_of_the_api_on_every_backend() {
    for backend in backends() {
        let db = backend.fresh_database();
        let admin = token(&db, "admin", "admin");
        let writer = token(&db, "writer", "write");
        let reader = token(&db, "reader", "read");
        let server = Server::start(&db, &[]);
        let c = Client::new(&server.base);

        // A manifest, put and read back.
        let manifest =
            std::fs::read_to_string(repo_path("examples/invoice-extraction.yaml")).unwrap();
        let r = c.put(
            "/api/v1/systems/invoice-extraction",
            &admin,
            "application/yaml",
            manifest.as_bytes(),
        );
        assert_eq!(r.status, 201, "{backend:?}: {}", r.text);
        let r = c.put(
            "/api/v1/systems/invoice-extraction",
            &admin,
            "application/yaml",
            manifest.as_bytes(),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        let r = c.get("/api/v1/systems/invoice-extraction", &reader);
        assert_eq!((r.status, r.text.as_str()), (200, manifest.as_str()));

        // A reference and three batches; the third drifts.
        let reference = numeric_csv(3000, 0.0, 1);
        let r = c.put(
            "/api/v1/systems/invoice-extraction/streams/invoices/reference",
            &writer,
            CSV_TYPE,
            reference.as_bytes(),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        let batches = [
            numeric_csv(1000, 0.0, 2),
            numeric_csv(1000, 0.0, 3),
            numeric_csv(1000, 2.0, 4),
        ];
        let mut ids = Vec::new();
        for (i, b) in batches.iter().enumerate() {
            let r = c.post_with(
                "/api/v1/systems/invoice-extraction/streams/invoices/batches",
                &writer,
                CSV_TYPE,
                b.as_bytes(),
                &[("Idempotency-Key", &format!("b{i}"))],
            );
            assert_eq!(r.status, 201, "{}", r.text);
            let v = r.json();
            assert_eq!(v["rows"], 1000);
            ids.push(v["id"].as_str().unwrap().to_string());
        }
        // A retry with a used key is the first reply again, and stores nothing.
        let r = c.post_with(
            "/api/v1/systems/invoice-extraction/streams/invoices/batches",
            &writer,
            CSV_TYPE,
            batches[2].as_bytes(),
            &[("Idempotency-Key", "b0")],
        );
        assert_eq!(
            (r.status, r.json()["id"].as_str().unwrap()),
            (201, ids[0].as_str())
        );
        let listed = c
            .get(
                "/api/v1/systems/invoice-extraction/streams/invoices/batches",
                &reader,
            )
            .json();
        let listed: Vec<&str> = listed["batches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            listed,
            vec![ids[2].as_str(), ids[1].as_str(), ids[0].as_str()],
            "newest first"
        );

        // Drift of today's window: the same report as `steward drift` gives on the merged
        // profile of the same batches against the same reference.
        let r = c.get(
            "/api/v1/systems/invoice-extraction/streams/invoices/drift?window=1d",
            &reader,
        );
        assert_eq!(r.status, 200, "{}", r.text);
        let served = r.json();
        assert_eq!(served["window"]["batches"], 3);
        assert_eq!(served["current_rows"], 3000);
        let cli = cli_drift_of_merged(&reference, &batches);
        assert_eq!(served["columns"], cli["columns"], "{backend:?}");
        assert_eq!(served["dataset_drift"], cli["dataset_drift"]);
        assert!(served["history"].as_array().unwrap().is_empty());

        // Observations and their evaluation: the same JSON as `steward metric`.
        let obs = std::fs::read(repo_path("examples/data/invoice-observations.csv")).unwrap();
        let r = c.post(
            "/api/v1/systems/invoice-extraction/metrics/invoice-touch-time/observations",
            &writer,
            CSV_TYPE,
            &obs,
        );
        assert_eq!(r.status, 201, "{}", r.text);
        let r = c.get(
            "/api/v1/systems/invoice-extraction/metrics/invoice-touch-time/observations",
            &reader,
        );
        assert_eq!(r.status, 200, "{}", r.text);
        let served = r.json();
        let cli = cli_metric(
            "examples/invoice-extraction.yaml",
            "examples/data/invoice-observations.csv",
            "invoice-touch-time",
        );
        assert_eq!(served, cli, "{backend:?}");

        // Evidence, then live readiness: the `steward check` JSON.
        let today = chrono::Utc::now().date_naive().to_string();
        let r = c.post(
            "/api/v1/systems/invoice-extraction/fallback-tests",
            &writer,
            "application/json",
            json!({"date": today, "result": "passed", "evidence": "https://wiki/drill"})
                .to_string()
                .as_bytes(),
        );
        assert_eq!(r.status, 201, "{}", r.text);
        let r = c.post(
            "/api/v1/systems/invoice-extraction/owner-confirmations",
            &writer,
            "application/json",
            json!({"confirmed_by": "user:default/jane.doe"})
                .to_string()
                .as_bytes(),
        );
        assert_eq!(r.status, 201, "{}", r.text);
        let r = c.get("/api/v1/systems/invoice-extraction/readiness", &reader);
        assert_eq!(r.status, 200, "{}", r.text);
        let report = r.json();
        let system = &report["systems"][0];
        assert_eq!(system["name"], "invoice-extraction");
        let q5: Vec<&Value> = system["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "Q5")
            .collect();
        assert!(
            q5.iter().all(|f| f["status"] != "failed"),
            "a drill passed today: {q5:?}"
        );

        // The portfolio.
        let r = c.get("/api/v1/systems", &reader);
        assert_eq!(r.status, 200, "{}", r.text);
        let p = r.json();
        assert_eq!(p["systems"][0]["name"], "invoice-extraction");
        assert_eq!(p["systems"][0]["streams"][0]["batches"], 3);
        let metrics = &p["systems"][0]["metrics"];
        assert_eq!(metrics[0]["name"], "invoice-touch-time");
        assert_eq!(
            metrics[0]["verdict"], cli["metrics"][0]["verdict"],
            "{metrics}"
        );
        assert!(!metrics[0]["verdict"].is_null());
        assert_eq!(metrics[1]["reason"], "no observations recorded");

        // The OpenAPI document lists every route.
        let doc = c.get("/api/v1/openapi.json", "").json();
        for path in [
            "/api/v1/systems/{name}/streams/{stream}/batches",
            "/api/v1/systems/{name}/readiness",
            "/readyz",
        ] {
            assert!(doc["paths"][path].is_object(), "{path}");
        }

        // Delete: everything of the system goes.
        assert_eq!(
            c.delete("/api/v1/systems/invoice-extraction", &admin)
                .status,
            204
        );
        assert_eq!(
            c.get("/api/v1/systems/invoice-extraction", &reader).status,
            404
        );
        server.stop_gracefully();
    }
}

#[test]
fn every_route_refuses_missing_wrong_revoked_and_small_tokens() {
    for backend in backends() {
        let db = backend.fresh_database();
        let admin = token(&db, "admin", "admin");
        let reader = token(&db, "reader", "read");
        let writer = token(&db, "writer", "write");
        let revoked = token(&db, "gone", "admin");
        revoke(&db, "gone");
        let server = Server::start(&db, &["--max-body", "64KiB"]);
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
        let csv = numeric_csv(50, 0.0, 1);
        let s = "/api/v1/systems/invoice-extraction";
        // (method, path, scope needed, content type, body)
        let routes: Vec<(&str, String, &str, &str, Vec<u8>)> = vec![
            ("GET", "/api/v1/systems".into(), "read", "", vec![]),
            ("GET", s.into(), "read", "", vec![]),
            (
                "PUT",
                s.into(),
                "admin",
                "application/yaml",
                manifest.clone(),
            ),
            (
                "DELETE",
                "/api/v1/systems/other".into(),
                "admin",
                "",
                vec![],
            ),
            ("GET", format!("{s}/readiness"), "read", "", vec![]),
            ("GET", format!("{s}/streams"), "read", "", vec![]),
            (
                "POST",
                format!("{s}/streams/x/batches"),
                "write",
                CSV_TYPE,
                csv.clone().into_bytes(),
            ),
            ("GET", format!("{s}/streams/x/batches"), "read", "", vec![]),
            (
                "PUT",
                format!("{s}/streams/x/reference"),
                "write",
                CSV_TYPE,
                csv.clone().into_bytes(),
            ),
            (
                "GET",
                format!("{s}/streams/x/reference"),
                "read",
                "",
                vec![],
            ),
            ("GET", format!("{s}/streams/x/drift"), "read", "", vec![]),
            (
                "POST",
                format!("{s}/metrics/invoice-touch-time/observations"),
                "write",
                "application/json",
                b"[]".to_vec(),
            ),
            (
                "GET",
                format!("{s}/metrics/invoice-touch-time/observations"),
                "read",
                "",
                vec![],
            ),
            (
                "POST",
                format!("{s}/fallback-tests"),
                "write",
                "application/json",
                br#"{"date":"2026-01-01","result":"passed","evidence":"x"}"#.to_vec(),
            ),
            ("GET", format!("{s}/fallback-tests"), "read", "", vec![]),
            (
                "POST",
                format!("{s}/owner-confirmations"),
                "write",
                "application/json",
                br#"{"confirmed_by":"x"}"#.to_vec(),
            ),
            (
                "GET",
                format!("{s}/owner-confirmations"),
                "read",
                "",
                vec![],
            ),
        ];
        for (method, path, scope, ct, body) in &routes {
            let call = |token: &str| c.request(method, path, token, ct, body, &[]);
            for (label, token) in [
                ("no token", ""),
                ("a wrong token", "stw_0000"),
                ("a revoked token", revoked.as_str()),
            ] {
                let r = call(token);
                assert_eq!(
                    r.status, 401,
                    "{backend:?} {method} {path} with {label}: {}",
                    r.text
                );
                assert_eq!(r.json()["error"]["code"], "unauthorized");
            }
            let smaller: &[&str] = match *scope {
                "admin" => &[reader.as_str(), writer.as_str()],
                "write" => &[reader.as_str()],
                _ => &[],
            };
            for t in smaller {
                let r = call(t);
                assert_eq!(r.status, 403, "{method} {path}: {}", r.text);
                assert_eq!(r.json()["error"]["code"], "forbidden");
            }
        }
        // Bodies over the limit, declared or streamed without a length; unknown types.
        let big = numeric_csv(5000, 0.0, 9);
        assert!(big.len() > 64 * 1024);
        let batches = format!("{s}/streams/x/batches");
        let r = c.post(&batches, &writer, CSV_TYPE, big.as_bytes());
        assert_eq!(r.status, 413, "{}", r.text);
        let r = c.post_chunked(&batches, &writer, CSV_TYPE, big.as_bytes());
        assert_eq!(r.status, 413, "{}", r.text);
        assert_eq!(
            c.post(&batches, &writer, "application/pdf", b"%PDF").status,
            415
        );
        assert_eq!(c.post(&batches, &writer, "", b"a\n1\n").status, 415);
        // Nothing of the refused requests was stored.
        let listed = c.get(&batches, &reader).json();
        assert!(
            listed["batches"].as_array().unwrap().is_empty(),
            "refused requests store nothing: {listed}"
        );
        // Bad data: where it is wrong.
        let r = c.post(&batches, &writer, CSV_TYPE, b"a,b\n1,2\n3\n");
        assert!(r.status == 400 || r.status == 422, "{}", r.text);
        assert!(r.text.contains("line 3"), "{}", r.text);
        assert_eq!(c.get("/api/v1/systems/nope", &reader).status, 404);
        assert_eq!(c.get("/api/v1/systems/bad%20name", &reader).status, 400);
        assert_eq!(c.get("/api/v1/nothing-here", &reader).status, 404);
        // Health needs no token.
        assert_eq!(c.get("/healthz", "").status, 200);
        assert_eq!(c.get("/readyz", "").status, 200);
        server.stop_gracefully();
    }
}

#[test]
fn public_read_opens_reads_only() {
    let db = Backend::Sqlite.fresh_database();
    let admin = token(&db, "admin", "admin");
    let server = Server::start(&db, &["--public-read"]);
    let c = Client::new(&server.base);
    let manifest = std::fs::read(repo_path("examples/invoice-extraction.yaml")).unwrap();
    assert_eq!(
        c.put(
            "/api/v1/systems/invoice-extraction",
            "",
            "application/yaml",
            &manifest
        )
        .status,
        401
    );
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
    assert_eq!(c.get("/api/v1/systems", "").status, 200);
    assert_eq!(
        c.get("/api/v1/systems/invoice-extraction/readiness", "")
            .status,
        200
    );
    server.stop_gracefully();
}

/// Days pass (the server's clock moved ahead): the background pass keeps the drift of the
/// closed day, the portfolio shows it, drift's latest window is that closed day, and a
/// monitored stream silent for more than twice the review cadence fails Q4.
#[test]
fn closed_windows_and_silent_streams_as_days_pass() {
    for backend in backends() {
        let db = backend.fresh_database();
        let admin = token(&db, "admin", "admin");
        let s = "/api/v1/systems/invoice-extraction";
        let day_drift = {
            let server = Server::start(&db, &[]);
            let c = Client::new(&server.base);
            let manifest = std::fs::read(repo_path("examples/invoice-extraction.yaml")).unwrap();
            assert_eq!(c.put(s, &admin, "application/yaml", &manifest).status, 201);
            let reference = numeric_csv(2000, 0.0, 1);
            let r = c.put(
                &format!("{s}/streams/invoices/reference"),
                &admin,
                CSV_TYPE,
                reference.as_bytes(),
            );
            assert_eq!(r.status, 200, "{}", r.text);
            for (i, shift) in [0.0, 1.5].iter().enumerate() {
                let body = numeric_csv(800, *shift, 10 + i as u64);
                let r = c.post(
                    &format!("{s}/streams/invoices/batches"),
                    &admin,
                    CSV_TYPE,
                    body.as_bytes(),
                );
                assert_eq!(r.status, 201, "{}", r.text);
            }
            let d = c.get(&format!("{s}/streams/invoices/drift"), &admin).json();
            assert_eq!(d["window"]["closed"], false);
            server.stop_gracefully();
            d
        };

        // Two days later: the day is closed and its drift kept by the background pass.
        let two_days = (2 * 86_400).to_string();
        let server = Server::start_with_env(
            &db,
            &["--poll-interval-ms", "100"],
            &[("STEWARD_CLOCK_OFFSET_SECONDS", &two_days)],
        );
        let c = Client::new(&server.base);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        let stream = loop {
            let p = c.get("/api/v1/systems", &admin).json();
            let stream = p["systems"][0]["streams"][0].clone();
            if !stream["drift"].is_null() {
                break stream;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no kept drift: {p}\n{}",
                server.log()
            );
            std::thread::sleep(std::time::Duration::from_millis(200));
        };
        assert_eq!(
            stream["drift"]["dataset_drift"], day_drift["dataset_drift"],
            "{backend:?}"
        );
        assert_eq!(
            stream["drift"]["share_of_drifted_columns"],
            day_drift["share_of_drifted_columns"]
        );
        assert_eq!(
            server.log().matches("kept the drift of").count(),
            1,
            "{}",
            server.log()
        );
        let d = c.get(&format!("{s}/streams/invoices/drift"), &admin).json();
        assert_eq!(d["window"]["closed"], true);
        assert_eq!(
            d["columns"], day_drift["columns"],
            "the kept result is the day's drift"
        );
        // Two days of silence is within twice the 14-day cadence.
        let q4 = |c: &Client| -> Vec<Value> {
            let r = c.get(&format!("{s}/readiness"), &admin).json();
            r["systems"][0]["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["rule"] == "Q4" || f["id"] == "Q4")
                .cloned()
                .collect()
        };
        assert!(
            q4(&c).iter().all(|f| f["status"] == "passed"),
            "{:?}",
            q4(&c)
        );
        server.stop_gracefully();

        // Thirty days later: the monitored stream has been silent too long.
        let month = (30 * 86_400).to_string();
        let server = Server::start_with_env(&db, &[], &[("STEWARD_CLOCK_OFFSET_SECONDS", &month)]);
        let c = Client::new(&server.base);
        let failed: Vec<Value> = q4(&c)
            .into_iter()
            .filter(|f| f["status"] == "failed")
            .collect();
        assert!(
            failed
                .iter()
                .any(|f| f["message"].as_str().unwrap().contains("`invoices`")),
            "{failed:?}"
        );
        server.stop_gracefully();
    }
}
