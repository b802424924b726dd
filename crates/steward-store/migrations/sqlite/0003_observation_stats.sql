-- Per metric: how many observations and the newest row's id, kept in the transaction that
-- stores them, so a cached evaluation knows when it is stale without counting the table.
CREATE TABLE observation_stats (
    system      TEXT NOT NULL,
    metric      TEXT NOT NULL,
    count       INTEGER NOT NULL,
    stamp       INTEGER NOT NULL,
    PRIMARY KEY (system, metric)
);
