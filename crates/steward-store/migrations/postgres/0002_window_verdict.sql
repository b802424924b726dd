-- A kept window's verdict beside its report, so the portfolio reads it without parsing reports.
ALTER TABLE window_drift ADD COLUMN dataset_drift BIGINT;
ALTER TABLE window_drift ADD COLUMN share_drifted DOUBLE PRECISION;
