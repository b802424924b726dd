#!/usr/bin/env python3
"""The drift command's reader test files: the first 300 rows of the `ref1000` oracle case
(crates/steward-data/tests/oracle, made by make_fixtures.py there), written in every binary
format the readers take, so a test can check that each format gives the same answer as CSV.

usage (from this folder, with pandas and pyarrow):  python make_data.py

Writes small.parquet (reference), small-current.parquet, small-current.arrow (Arrow IPC file,
uncompressed) and small-current.jsonl (one JSON object per line).
"""
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather

HERE = Path(__file__).resolve().parent
ORACLE = HERE.parents[2] / "steward-data" / "tests" / "oracle"
ROWS = 300


def first_rows(part: str) -> pd.DataFrame:
    return pd.read_csv(ORACLE / f"ref1000.{part}.csv").head(ROWS)


def main() -> None:
    reference, current = first_rows("reference"), first_rows("current")
    reference.to_parquet(HERE / "small.parquet", index=False, compression="snappy")
    current.to_parquet(HERE / "small-current.parquet", index=False, compression="snappy")
    feather.write_feather(
        pa.Table.from_pandas(current),
        HERE / "small-current.arrow",
        compression="uncompressed",
    )
    current.to_json(HERE / "small-current.jsonl", orient="records", lines=True, force_ascii=False)


if __name__ == "__main__":
    main()
