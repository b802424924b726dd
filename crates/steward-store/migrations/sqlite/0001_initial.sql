-- Times are microseconds since 1970-01-01 UTC; dates are 'YYYY-MM-DD' text.
CREATE TABLE systems (
    name        TEXT PRIMARY KEY,
    manifest    TEXT NOT NULL,
    origin      TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE manifest_errors (
    path        TEXT PRIMARY KEY,
    message     TEXT NOT NULL,
    seen_at     INTEGER NOT NULL
);

CREATE TABLE tokens (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    scope       TEXT NOT NULL,
    hash        TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);

CREATE TABLE batches (
    id              TEXT PRIMARY KEY,
    system          TEXT NOT NULL,
    stream          TEXT NOT NULL,
    received_at     INTEGER NOT NULL,
    rows            INTEGER NOT NULL,
    idempotency_key TEXT,
    columns_diff    TEXT,
    profile         BLOB NOT NULL
);
CREATE UNIQUE INDEX batches_idempotency ON batches (system, stream, idempotency_key);
CREATE INDEX batches_by_time ON batches (system, stream, received_at);

CREATE TABLE stream_references (
    system      TEXT NOT NULL,
    stream      TEXT NOT NULL,
    version     TEXT NOT NULL,
    set_at      INTEGER NOT NULL,
    rows        INTEGER NOT NULL,
    from_date   TEXT,
    to_date     TEXT,
    profile     BLOB NOT NULL,
    PRIMARY KEY (system, stream)
);

CREATE TABLE window_drift (
    system      TEXT NOT NULL,
    stream      TEXT NOT NULL,
    window_us   INTEGER NOT NULL,
    start_us    INTEGER NOT NULL,
    reference   TEXT NOT NULL,
    report      TEXT NOT NULL,
    PRIMARY KEY (system, stream, window_us, start_us, reference)
);

CREATE TABLE observations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    system      TEXT NOT NULL,
    metric      TEXT NOT NULL,
    at_us       INTEGER NOT NULL,
    value       DOUBLE PRECISION NOT NULL,
    received_at INTEGER NOT NULL
);
CREATE INDEX observations_by_metric ON observations (system, metric, at_us);

CREATE TABLE fallback_tests (
    id          TEXT PRIMARY KEY,
    system      TEXT NOT NULL,
    date        TEXT NOT NULL,
    result      TEXT NOT NULL,
    evidence    TEXT NOT NULL,
    recorded_at INTEGER NOT NULL
);
CREATE INDEX fallback_tests_by_system ON fallback_tests (system, date);

CREATE TABLE owner_confirmations (
    id          TEXT PRIMARY KEY,
    system      TEXT NOT NULL,
    date        TEXT NOT NULL,
    confirmed_by TEXT NOT NULL,
    note        TEXT NOT NULL,
    recorded_at INTEGER NOT NULL
);
CREATE INDEX owner_confirmations_by_system ON owner_confirmations (system, date);

CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    expires_at  INTEGER NOT NULL
);

-- What a background job last finished (e.g. the fingerprint of the manifests folder it
-- loaded), so another process does not do the same work again.
CREATE TABLE job_state (
    name        TEXT PRIMARY KEY,
    state       TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- Per stream: batches, rows, first and last arrival, kept in the transaction that stores
-- each batch, so the portfolio reads one row per stream instead of scanning every batch.
CREATE TABLE stream_stats (
    system      TEXT NOT NULL,
    stream      TEXT NOT NULL,
    batches     INTEGER NOT NULL,
    rows        INTEGER NOT NULL,
    first_at    INTEGER NOT NULL,
    last_at     INTEGER NOT NULL,
    PRIMARY KEY (system, stream)
);
