"""Regenerates scipy.json: scipy's answers for the statistics engine's edge cases.

    python3 -m venv venv && venv/bin/pip install scipy numpy
    venv/bin/python crates/steward-stats/tests/oracle/make_fixtures.py

Each case stores its inputs, so the Rust test (tests/scipy.rs) reads the same numbers.
"""

import json
import pathlib

import numpy as np
import scipy
from scipy import special, stats


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


def kstwo_region(n, x):
    """Which of scipy's methods kstwo.sf(x, n) takes (scipy.stats._ksstats._kolmogn), with
    the same floating-point operations, so the label names the branch scipy ran."""
    if x >= 1.0:
        return "x >= 1"
    if x <= 0.0:
        return "x <= 0"
    t = n * x
    if t <= 1.0:
        if t <= 0.5:
            return "nx <= 1/2"
        return "1/2 < nx <= 1, product" if n <= 140 else "1/2 < nx <= 1, Stirling"
    if t >= n - 1:
        return "nx >= n - 1"
    if x >= 0.5:
        return "x >= 1/2, Smirnov"
    nxsq = t * x
    if n <= 140:
        if nxsq <= 0.754693:
            return "n <= 140, Durbin"
        if nxsq <= 4:
            return "n <= 140, Pomeranz"
        return "n <= 140, Smirnov"
    if nxsq >= 370.0:
        return "nx^2 >= 370"
    if nxsq >= 2.2:
        return "nx^2 >= 2.2, Smirnov"
    if nxsq >= 18.0:
        return "nx^2 >= 18"
    if n <= 100000 and n * x**1.5 <= 1.4:
        return "nx^2 < 2.2, Durbin"
    return "nx^2 < 2.2, Pelz-Good"


def last_at_most(f, limit, x):
    """The largest float x with f(x) <= limit, from a start near it (f increasing)."""
    while f(x) > limit:
        x = np.nextafter(x, 0.0)
    while f(np.nextafter(x, 1.0)) <= limit:
        x = np.nextafter(x, 1.0)
    return float(x)


def kstwo_cases():
    """kstwo.sf at points inside each of scipy's regions and on both sides of each boundary
    between them: the last float a region takes and the first one past it."""
    points = []

    def both_sides(n, f, limit, start):
        x = last_at_most(f, limit, start)
        points.extend([(n, x), (n, float(np.nextafter(x, 1.0)))])

    # Inside each region.
    points += [(64, 0.004), (100, 0.0075), (141, 0.006), (1000, 0.0008), (10, 0.95),
               (100, 0.995), (10, 0.5), (50, 0.6), (1000, 0.5), (20, 0.15), (140, 0.05),
               (20, 0.3), (140, 0.1), (100, 0.3), (140, 0.45), (10000, 0.2), (10000, 0.18),
               (1000, 0.05), (1000, 0.1), (1000, 0.3), (200, 0.03), (100000, 0.0005),
               (1000, 0.03), (200000, 0.002), (5000000, 0.0003), (2, 0.6), (1, 0.3),
               (3, 0.25), (7, 0.4)]
    # nx = 1/2 and nx = 1 (the product and the Stirling form), nx = n - 1, x = 1/2.
    for n in (5, 10, 64, 140, 141, 1000):
        both_sides(n, lambda x, n=n: n * x, 0.5, 0.5 / n)
        both_sides(n, lambda x, n=n: n * x, 1.0, 1.0 / n)
    for n in (10, 100):
        x = float(np.nextafter((n - 1) / n, 0.0))
        while n * x < n - 1:
            x = float(np.nextafter(x, 1.0))
        points += [(n, float(np.nextafter(x, 0.0))), (n, x)]
    for n in (10, 300):
        points += [(n, float(np.nextafter(0.5, 0.0))), (n, 0.5)]
    # n <= 140: Durbin to Pomeranz at nx^2 = 0.754693, Pomeranz to Smirnov at 4.
    for n in (20, 140):
        both_sides(n, lambda x, n=n: n * x * x, 0.754693, (0.754693 / n) ** 0.5)
        both_sides(n, lambda x, n=n: n * x * x, 4.0, (4.0 / n) ** 0.5)
    # n = 140 against 141, at the same x in each of the small-n regions.
    for x in (0.004, 0.05, 0.1, 0.2):
        points += [(140, x), (141, x)]
    # n > 140: Smirnov from nx^2 = 2.2, zero from 370.
    for n in (1000, 100000):
        both_sides(n, lambda x, n=n: n * x * x, 2.2, (2.2 / n) ** 0.5)
    both_sides(10000, lambda x: 10000 * x * x, 370.0, (370.0 / 10000) ** 0.5)
    # Durbin to Pelz-Good at n x^1.5 = 1.4 (a power function: a point a few ulps either
    # side, where a library's pow may round differently), and at n = 100,000 / 100,001.
    for n in (200, 5000):
        x = (1.4 / n) ** (2.0 / 3.0)
        points += [(n, x * (1 - 1e-12)), (n, x * (1 + 1e-12))]
    for x in (0.0004, 0.0005):
        points += [(100000, x), (100001, x)]
    cases = []
    for n, x in points:
        cases.append({"n": n, "x": x, "region": kstwo_region(n, x),
                      "sf": number(stats.kstwo.sf(x, n))})
    return cases


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
    # kstwo.sf region by region (see kstwo_cases), the one-sided Smirnov sf and the
    # limiting Kolmogorov sf, which the two-sample KS test uses past 10,000 values a side.
    cases["kstwo_sf"] = kstwo_cases()
    cases["smirnov_sf"] = [
        {"n": n, "x": x, "sf": number(special.smirnov(n, x))}
        for n, x in [(2, 0.3), (5, 0.1), (5, 0.2), (5, 0.21), (10, 0.05), (10, 0.5), (30, 0.4),
                     (100, 0.05), (100, 0.25), (1000, 0.02), (1000, 0.2), (1000, 0.7),
                     (100000, 0.004), (100000, 0.02), (1000000, 0.002)]]
    cases["kolmogorov_limit_sf"] = [
        {"z": z, "sf": number(special.kolmogorov(z))}
        for z in [1.4832396974191326, 1.5, 2.0, 3.0, 5.0, 8.0, 12.0, 19.0, 26.0]]
    # Past 10^7 the limit stands in for the exact sum: scipy's exact values there, which it
    # must stay within 1 / sqrt(n) of.
    cases["kstwo_sf_past_exact"] = [
        {"n": n, "x": x, "sf": number(stats.kstwo.sf(x, n)),
         "limit": number(special.kolmogorov(np.sqrt(n * x) * np.sqrt(x)))}
        for n, x in [(10000001, 0.0005), (20000000, 0.0004), (20000000, 0.0008)]]
    out = pathlib.Path(__file__).with_name("scipy.json")
    out.write_text(json.dumps(cases, indent=1) + "\n")


if __name__ == "__main__":
    main()
