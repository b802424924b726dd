#!/usr/bin/env python3
"""Evidently's own verdict on every column of two datasets, printed in the JSON shape of
`steward drift --format json` so the two can be compared key by key.

usage: evidently_drift.py REFERENCE CURRENT [--numerical a,b] [--categorical c,d] [--drift-share S]

REFERENCE and CURRENT are .parquet or .csv files. The per-column test is the one Evidently
0.7 picks by default (its legacy stattest registry), run on the column with missing values
dropped, exactly as its DataDriftPreset does; the dataset verdict is the share of drifted
columns against --drift-share (0.5 by default). Time spent is printed on stderr.
"""
import argparse
import json
import sys
import time

import numpy as np
import pandas as pd
from evidently.legacy.calculations.stattests.registry import _get_default_stattest
from evidently.legacy.core import ColumnType


def load(path: str) -> pd.DataFrame:
    if path.endswith(".parquet"):
        return pd.read_parquet(path)
    return pd.read_csv(path)


def names(flag: str) -> set:
    return {n for n in flag.split(",") if n}


def column_result(name, ref, cur, forced_numerical, forced_categorical):
    categorical = name in forced_categorical or (
        name not in forced_numerical and not pd.api.types.is_numeric_dtype(ref[name])
    )
    kind = ColumnType.Categorical if categorical else ColumnType.Numerical
    # Evidently treats infinities as missing values.
    r = ref[name].replace([np.inf, -np.inf], np.nan).dropna()
    c = cur[name].replace([np.inf, -np.inf], np.nan).dropna()
    test = _get_default_stattest(r, c, kind)
    result = test(r, c, kind, None)
    return {
        "column": name,
        "type": "categorical" if categorical else "numerical",
        "stattest": test.name,
        "score": float(result.drift_score),
        "threshold": result.actual_threshold,
        "drift_detected": bool(result.drifted),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reference")
    parser.add_argument("current")
    parser.add_argument("--numerical", default="")
    parser.add_argument("--categorical", default="")
    parser.add_argument("--drift-share", type=float, default=0.5)
    args = parser.parse_args()
    ref, cur = load(args.reference), load(args.current)
    started = time.time()
    numerical, categorical = names(args.numerical), names(args.categorical)
    columns = [
        column_result(n, ref, cur, numerical, categorical) for n in ref.columns if n in cur.columns
    ]
    drifted = sum(c["drift_detected"] for c in columns)
    share = drifted / len(columns) if columns else 0.0
    report = {
        "reference_rows": len(ref),
        "current_rows": len(cur),
        "dataset_drift": share >= args.drift_share,
        "drift_share": args.drift_share,
        "share_of_drifted_columns": share,
        "number_of_columns": len(columns),
        "number_of_drifted_columns": drifted,
        "columns": columns,
    }
    print(json.dumps(report, indent=1))
    print(f"evidently seconds: {time.time() - started:.3f}", file=sys.stderr)


if __name__ == "__main__":
    main()
