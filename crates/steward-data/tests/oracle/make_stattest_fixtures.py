#!/usr/bin/env python3
"""Evidently's results for the tests a user can pick with --stattest (beyond the default
choice), on the same fixtures as make_fixtures.py.

usage (from this folder, with tests/oracle/requirements.txt installed):
    python make_stattest_fixtures.py          -> <case>.stattests.json
"""
import json
import math

import pandas as pd
from evidently.legacy.calculations.stattests import (energy_dist_test, hellinger_stat_test,
                                                     kl_div_stat_test, mann_whitney_u_stat_test,
                                                     psi_stat_test, t_test)
from evidently.legacy.calculations.stattests.anderson_darling_stattest import anderson_darling_test
from evidently.legacy.calculations.stattests.cramer_von_mises_stattest import cramer_von_mises
from evidently.legacy.core import ColumnType

TESTS = {"psi": psi_stat_test, "kl_div": kl_div_stat_test, "hellinger": hellinger_stat_test,
         "energy_distance": energy_dist_test, "mannw": mann_whitney_u_stat_test, "t_test": t_test,
         "cramer_von_mises": cramer_von_mises, "anderson": anderson_darling_test}
NUMERICAL_ONLY = {"energy_distance", "mannw", "t_test", "cramer_von_mises", "anderson"}

for case in ("ref1000", "ref1001", "ks_equal"):
    ref = pd.read_csv(f"{case}.reference.csv")
    cur = pd.read_csv(f"{case}.current.csv")
    out = []
    for col in ref.columns:
        numeric = pd.api.types.is_numeric_dtype(ref[col]) and ref[col].dtype != bool
        ctype = ColumnType.Numerical if numeric else ColumnType.Categorical
        for name, test in TESTS.items():
            if name in NUMERICAL_ONLY and not numeric:
                continue
            r, c = ref[col].dropna(), cur[col].dropna()
            try:
                res = test(r.copy(), c.copy(), ctype, None)
            except ValueError as e:  # e.g. anderson on a constant column
                out.append({"column": col, "stattest": name, "error": str(e)})
                continue
            score = float(res.drift_score)
            # A constant column's t statistic is 0/0: NaN, written as null.
            out.append({"column": col, "stattest": name, "score": None if math.isnan(score) else score,
                        "drift_detected": bool(res.drifted)})
    with open(f"{case}.stattests.json", "w") as f:
        json.dump(out, f, indent=1)
