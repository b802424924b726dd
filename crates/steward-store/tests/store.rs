//! The store against SQLite always, and against PostgreSQL when `STEWARD_TEST_POSTGRES_URL`
//! is set (each test in a database of its own, so runs never see each other's rows).

use steward_store::*;

async fn stores() -> Vec<(String, Store)> {
    let dir = tempfile_dir();
    let mut out = vec![(
        "sqlite".to_string(),
        Store::open(&format!("sqlite://{}/t.db", dir))
            .await
            .unwrap(),
    )];
    if let Ok(url) = std::env::var("STEWARD_TEST_POSTGRES_URL") {
        out.push(("postgres".into(), fresh_postgres(&url).await));
    }
    out
}

fn tempfile_dir() -> String {
    let dir = std::env::temp_dir().join(format!("steward-store-{}", new_id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.display().to_string()
}

/// A database of its own on the test server, named at random.
pub async fn fresh_postgres(url: &str) -> Store {
    use sqlx::Executor;
    sqlx::any::install_default_drivers();
    let name = format!("steward_test_{}", new_id());
    let admin = sqlx::AnyPool::connect(url).await.unwrap();
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();
    let base = url.rsplit_once('/').unwrap().0;
    Store::open(&format!("{base}/{name}")).await.unwrap()
}

#[tokio::test]
async fn systems_tokens_batches_and_leases() {
    for (backend, store) in stores().await {
        assert!(
            store
                .put_system("a", "yaml 1", Origin::Api, 1)
                .await
                .unwrap(),
            "{backend}"
        );
        assert!(
            !store
                .put_system("a", "yaml 2", Origin::Api, 2)
                .await
                .unwrap()
        );
        assert_eq!(store.system("a").await.unwrap().unwrap().manifest, "yaml 2");
        assert_eq!(store.systems().await.unwrap().len(), 1);

        let t = store
            .create_token("ci", Scope::Write, "h1", 5)
            .await
            .unwrap();
        assert!(matches!(
            store.create_token("ci", Scope::Read, "h2", 5).await,
            Err(StoreError::Conflict(_))
        ));
        assert_eq!(store.token_by_hash("h1").await.unwrap().unwrap().id, t.id);
        assert!(store.revoke_token("ci", 6).await.unwrap());
        assert!(
            store.token_by_hash("h1").await.unwrap().is_none(),
            "{backend}"
        );
        assert!(!store.revoke_token("ci", 7).await.unwrap());

        let profile = br#"{"format":"x"}"#;
        let batch = |key| NewBatch {
            system: "a",
            stream: "s",
            received_at: 100,
            rows: 7,
            idempotency_key: key,
            columns_diff: None,
            profile_json: profile,
        };
        let first = match store.insert_batch(batch(Some("k"))).await.unwrap() {
            Stored::New(b) => b,
            other => panic!("{other:?}"),
        };
        match store.insert_batch(batch(Some("k"))).await.unwrap() {
            Stored::Existing(b) => assert_eq!(b, first),
            other => panic!("{backend}: {other:?}"),
        }
        assert!(matches!(
            store.insert_batch(batch(None)).await.unwrap(),
            Stored::New(_)
        ));
        assert!(matches!(
            store.insert_batch(batch(None)).await.unwrap(),
            Stored::New(_)
        ));
        assert_eq!(store.batches("a", "s", 10).await.unwrap().len(), 3);
        let mut seen = Vec::new();
        let n = store
            .fold_profiles("a", "s", 0, 1000, &mut |at, json| {
                seen.push((at, json));
                Ok(())
            })
            .await
            .unwrap();
        assert_eq!(n, 3);
        assert_eq!(seen[0].1, profile.to_vec());
        let streams = store.streams("a").await.unwrap();
        assert_eq!((streams[0].batches, streams[0].rows), (3, 21), "{backend}");

        assert!(store.try_lease("job", "p1", 1000, 10).await.unwrap());
        assert!(
            !store.try_lease("job", "p2", 1005, 10).await.unwrap(),
            "{backend}"
        );
        assert!(store.try_lease("job", "p1", 1005, 10).await.unwrap());
        assert!(
            store.try_lease("job", "p2", 1100, 10).await.unwrap(),
            "expired"
        );

        store
            .add_observations("a", "m", &[(1, 0.5), (2, 0.7)], 9)
            .await
            .unwrap();
        assert_eq!(store.observations("a", "m", 0, 10).await.unwrap().len(), 2);
        store
            .add_observations("a", "m", &[(3, 0.9)], 10)
            .await
            .unwrap();
        let stats = store.observation_stats().await.unwrap();
        assert_eq!(
            stats,
            vec![("a".to_string(), "m".to_string(), 3, 2)],
            "{backend}"
        );

        assert!(store.delete_system("a").await.unwrap());
        assert!(store.batches("a", "s", 10).await.unwrap().is_empty());
        assert!(
            store
                .observations("a", "m", 0, 10)
                .await
                .unwrap()
                .is_empty()
        );
    }
}

#[tokio::test]
async fn kept_windows_give_each_stream_its_latest_verdict_for_its_current_reference() {
    for (backend, store) in stores().await {
        let version = store
            .put_reference(NewReference {
                system: "a",
                stream: "s",
                set_at: 1,
                rows: 10,
                from_date: None,
                to_date: None,
                profile_json: b"{}",
            })
            .await
            .unwrap();
        let day = 86_400_000_000i64;
        for (start, drifted) in [(0, false), (day, true)] {
            let key = WindowKey {
                system: "a",
                stream: "s",
                window_us: day,
                start_us: start,
                reference: &version,
            };
            let verdict = WindowVerdict {
                dataset_drift: drifted,
                share_drifted: if drifted { 0.75 } else { 0.0 },
            };
            store.put_window_drift(&key, "{}", verdict).await.unwrap();
            // Kept once: a second put changes nothing.
            store
                .put_window_drift(&key, "{\"other\": 1}", verdict)
                .await
                .unwrap();
            assert_eq!(
                store.window_drift(&key).await.unwrap().as_deref(),
                Some("{}")
            );
        }
        let v = store.latest_window_verdicts(day).await.unwrap();
        assert_eq!(v.len(), 1, "{backend}");
        assert_eq!(
            (v[0].2, v[0].3.dataset_drift, v[0].3.share_drifted),
            (day, true, 0.75)
        );
        // A new reference: the old reference's results no longer speak for the stream.
        store
            .put_reference(NewReference {
                system: "a",
                stream: "s",
                set_at: 2,
                rows: 10,
                from_date: None,
                to_date: None,
                profile_json: b"{}",
            })
            .await
            .unwrap();
        assert!(
            store.latest_window_verdicts(day).await.unwrap().is_empty(),
            "{backend}"
        );
    }
}
