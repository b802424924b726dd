"""Regenerates scipy.json: scipy's answers for the statistics engine's edge cases.

    python3 -m venv venv && venv/bin/pip install scipy numpy
    venv/bin/python crates/steward-stats/tests/oracle/make_fixtures.py

Each case stores its inputs, so the Rust test (tests/scipy.rs) reads the same numbers.
"""

import json
import pathlib

import numpy as np
import scipy
from scipy import stats


def mannw(x, y):
    r = stats.mannwhitneyu(x, y, alternative="less")
    return {"x": list(map(float, x)), "y": list(map(float, y)),
            "u1": float(r.statistic), "p": float(r.pvalue)}


def number(v):
    """JSON has no NaN or infinity: NaN is null, infinities are the strings "inf", "-inf"."""
    v = float(v)
    if np.isnan(v):
        return None
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def ttest(x, y):
    r = stats.ttest_ind(x, y)
    return {"x": list(map(float, x)), "y": list(map(float, y)),
            "t": number(r.statistic), "p": number(r.pvalue)}


def main():
    rng = np.random.default_rng(8)
    cases = {"scipy": scipy.__version__, "mannwhitneyu_less": [], "ttest_ind": []}
    # The exact null distribution (one side of at most 8 values, no ties), at sizes that
    # exercise both tails and the middle, and the large case: 5 values against 20,000.
    for m, n, shift in [(1, 1, 0.0), (1, 30, 0.0), (3, 9, 1.0), (5, 7, -1.0), (8, 8, 0.5),
                        (8, 40, 2.0), (2, 500, -0.5), (7, 300, 0.0), (6, 1000, 3.0)]:
        x = np.round(rng.normal(0, 1, m), 12)
        y = np.round(rng.normal(shift, 1, n), 12)
        cases["mannwhitneyu_less"].append(mannw(x, y))
    big_y = np.arange(20000, dtype=float)
    cases["mannwhitneyu_less"].append(mannw([3.5, 7000.25, 12000.5, 15000.75, 19990.5], big_y))
    cases["mannwhitneyu_less"].append(mannw(big_y, [3.5, 7000.25, 12000.5, 15000.75, 19990.5]))
    cases["mannwhitneyu_less"].append(mannw([-1.5, -0.5, 0.5, 1.5, 2.5], big_y))
    # t-test: one value on a side, constant sides.
    for x, y in [(list(range(1, 11)), [100]), ([100], list(range(1, 11))), ([3, 3, 3], [4]),
                 ([1, 1, 1], [2, 2, 2]), ([1, 1, 1], [1, 1, 1]), ([5], [6]),
                 ([1.0, 2.0, 4.0], [2.5, 9.0])]:
        cases["ttest_ind"].append(ttest(x, y))
    # The t-test from a profile's moments at up to 10^18 rows (ttest_ind_from_stats, the
    # standard deviations with ddof=1): degrees of freedom where the incomplete beta function
    # loses its digits, and past 1 / eps, where scipy takes the normal distribution.
    cases["ttest_from_stats"] = []
    for n1, mean1, sd1, n2, mean2, sd2 in [
            (21e14, 10.0, 6.0553007081949835, 294, 10.6, 6.0656967), (1e4, 0.0, 1.0, 50, 0.43, 1.1),
            (1e5, 0.0, 1.0, 3, 2.5, 0.7), (1e7, 5.0, 2.0, 1000, 5.2, 2.5),
            (1e9, -1.0, 0.5, 30, -0.2, 0.4), (1e12, 0.0, 1.0, 200, 0.35, 1.0),
            (1e15, 3.0, 1.0, 10, 2.0, 0.1), (1e16, 0.0, 1.0, 294, 0.1, 1.0),
            (1e18, 0.0, 1.0, 100, 0.02, 1.0), (5e6, 0.0, 1.0, 5e6, 0.001, 1.0)]:
        r = stats.ttest_ind_from_stats(mean1, sd1, n1, mean2, sd2, n2)
        cases["ttest_from_stats"].append({
            "n1": n1, "mean1": mean1, "sd1": sd1, "n2": n2, "mean2": mean2, "sd2": sd2,
            "t": number(r.statistic), "p": number(r.pvalue)})
    out = pathlib.Path(__file__).with_name("scipy.json")
    out.write_text(json.dumps(cases, indent=1) + "\n")


if __name__ == "__main__":
    main()
