#!/usr/bin/env python3
"""Drift fixtures: small datasets of the shapes that decide Evidently's choice of test, and
Evidently 0.7's own per-column results on them (via tests/oracle/evidently_drift.py at the
repository's root).

usage (from this folder, with the packages of tests/oracle/requirements.txt):
    python make_fixtures.py

Writes <case>.reference.csv, <case>.current.csv and <case>.expected.json per case.
"""
import json
import subprocess
import sys

import numpy as np
import pandas as pd

ORACLE = str(
    __import__("pathlib").Path(__file__).resolve().parents[4] / "tests" / "oracle" / "evidently_drift.py"
)
rng = np.random.default_rng(20261125)


def shapes(n, shift):
    """One frame of every column shape; `shift` moves some columns (drift)."""
    heavy = rng.standard_cauchy(n) + shift * 3
    d = {
        "heavy_tail": np.round(heavy, 4),
        "many_ties": np.round(rng.normal(shift, 1, n), 1),
        "int3": rng.integers(0, 3, n),
        "int5": rng.choice(5, n, p=np.array([1, 1, 1, 1, 1 + 2 * shift]) / (5 + 2 * shift)),
        "int6": rng.integers(0, 6, n),
        "int40": rng.integers(0, 40, n) + (rng.random(n) < shift).astype(int) * 5,
        "constant": np.full(n, 7.0),
        "flag": rng.random(n) < 0.3 + shift * 0.2,
        "city": rng.choice(["Zürich", "São Paulo", "Kraków", "New York, NY", "Åre", "東京"], n,
                           p=[0.3, 0.2, 0.15, 0.15, 0.1, 0.1]),
        "shifted": np.round(rng.normal(shift, 1, n), 4),
    }
    return pd.DataFrame(d)


def write(case, ref, cur):
    ref.to_csv(f"{case}.reference.csv", index=False)
    cur.to_csv(f"{case}.current.csv", index=False)
    out = subprocess.run([sys.executable, ORACLE, f"{case}.reference.csv", f"{case}.current.csv"],
                         capture_output=True, text=True, check=True).stdout
    with open(f"{case}.expected.json", "w") as f:
        f.write(out)


# Reference of exactly 1000 rows: ks, chisquare and z regimes (KS exact, unequal sizes).
ref, cur = shapes(1000, 0.0), shapes(1200, 0.4)
cur.loc[cur.index[:25], "city"] = "Zürich, ZH"          # a category seen only in the current data
missing = ref.copy()
missing.loc[missing.index[:150], "shifted"] = np.nan    # missing values, still under 1000 rows
write("ref1000", missing, cur)

# Reference of 1001 rows: wasserstein and jensenshannon regimes; missing values that take a
# column back under 1000 rows keep ks for it.
ref, cur = shapes(1001, 0.0), shapes(900, 0.3)
ref.loc[ref.index[:200], "many_ties"] = np.nan
write("ref1001", ref, cur)

# KS exact with equal sizes.
ref, cur = shapes(400, 0.0)[["shifted", "heavy_tail"]], shapes(400, 0.25)[["shifted", "heavy_tail"]]
write("ks_equal", ref, cur)

# KS asymptotic: the current set is over 10,000 rows; n = round(800 * 10001 / 10801) = 741.
ref = pd.DataFrame({"none": np.round(rng.normal(0, 1, 800), 3),
                    "slight": np.round(rng.normal(0, 1, 800), 3),
                    "strong": np.round(rng.normal(0, 1, 800), 3)})
cur = pd.DataFrame({"none": np.round(rng.normal(0, 1, 10001), 3),
                    "slight": np.round(rng.normal(0.12, 1, 10001), 3),
                    "strong": np.round(rng.normal(0.5, 1, 10001), 3)})
write("ks_asymp", ref, cur)

# KS asymptotic with n <= 140 (Durbin, Pomeranz and Smirnov regions): n = round(125 * 10001 / 10126) = 123.
ref = pd.DataFrame({"none": np.round(rng.normal(0, 1, 125), 3),
                    "mid": np.round(rng.normal(0, 1, 125), 3),
                    "far": np.round(rng.normal(0, 1, 125), 3)})
cur = pd.DataFrame({"none": np.round(rng.normal(0, 1, 10001), 3),
                    "mid": np.round(rng.normal(0.25, 1, 10001), 3),
                    "far": np.round(rng.normal(0.9, 1, 10001), 3)})
write("ks_small_n", ref, cur)
