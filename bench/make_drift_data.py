#!/usr/bin/env python3
"""Benchmark data for drift: a reference and a current dataset with drift placed on purpose.

usage: make_drift_data.py ROWS PREFIX [--seed N] [--numerical K] [--categorical K]

Writes PREFIX.reference.{parquet,csv} and PREFIX.current.{parquet,csv}. Numerical columns are
standard normal; in the current set every fourth one (num0, num4, ...) is moved by 0.3
standard deviations. Categorical column j has 3 + 4j levels, equally likely in the
reference; in the current set every second one (cat0, cat2, ...) leans toward its last
levels. So the expected verdict is known before any test runs.
"""
import argparse

import numpy as np
import pandas as pd

SHIFT = 0.3


def dataset(rng, rows, numerical, categorical, drifted):
    data = {}
    for i in range(numerical):
        centre = SHIFT if drifted and i % 4 == 0 else 0.0
        data[f"num{i}"] = rng.normal(centre, 1.0, rows)
    for j in range(categorical):
        levels = 3 + 4 * j
        weights = np.ones(levels)
        if drifted and j % 2 == 0:
            weights = np.linspace(1.0, 1.0 + SHIFT, levels)
        data[f"cat{j}"] = rng.choice(
            [f"v{k}" for k in range(levels)], size=rows, p=weights / weights.sum()
        )
    return pd.DataFrame(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int)
    parser.add_argument("prefix")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--numerical", type=int, default=20)
    parser.add_argument("--categorical", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    for part, drifted in (("reference", False), ("current", True)):
        frame = dataset(rng, args.rows, args.numerical, args.categorical, drifted)
        frame.to_parquet(f"{args.prefix}.{part}.parquet", index=False)
        frame.to_csv(f"{args.prefix}.{part}.csv", index=False)


if __name__ == "__main__":
    main()
