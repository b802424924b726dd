#!/usr/bin/env python3
"""Oracle values for `steward cost`'s PERT simulation, from scipy's Beta distribution.

usage: python make_fixtures.py > pert_oracle.json   (numpy + scipy; see tests/oracle/requirements.txt)

Each case is a manifest in which exactly one budget line (or one option figure) is a range,
so the simulated total is `fixed + multiplier * (low + (high - low) * B)` with
B ~ Beta(alpha, beta), alpha = 1 + 4 (likely - low) / (high - low),
beta = 1 + 4 (high - likely) / (high - low). Its mean and quantiles are exact here; the
Rust test checks that 1,000,000 simulated runs land within 0.3% of them.
"""
import json

import scipy
from scipy.stats import beta as beta_dist

HEAD = """apiVersion: steward/v1
kind: AISystem
metadata:
  name: {name}
spec:
  lifecycle: pilot
  budget:
    currency: USD
    poc_cost: 80000
    implementation:
      ai_component: {ai}
      data_preparation: 60000
      integration: {integ}
      testing_infrastructure: 40000
      change_management: 90000
    annual:
      maintenance: {maint}
      enhancement: 50000
"""

SOURCING = """  sourcing:
    horizon_years: {years}
    options:
      - name: vendor
        kind: buy
        one_off: {one_off}
        annual: {annual}
        scores: {{integration_effort: 3, maintainability: 3, lock_in: 1, time_to_value: 4, total_cost: 3}}
"""


def rng(low, likely, high):
    return {"low": low, "likely": likely, "high": high}


def yaml_figure(f):
    if isinstance(f, dict):
        return "{low: %s, likely: %s, high: %s}" % (f["low"], f["likely"], f["high"])
    return str(f)


def pert(f):
    low, likely, high = f["low"], f["likely"], f["high"]
    span = high - low
    a = 1 + 4 * (likely - low) / span
    b = 1 + 4 * (high - likely) / span
    mean = low + span * a / (a + b)
    q = {f"p{int(p * 100)}": low + span * float(beta_dist.ppf(p, a, b)) for p in (0.1, 0.5, 0.9)}
    return mean, q


def expected(fixed, mult, f):
    mean, q = pert(f)
    out = {"mean": fixed + mult * mean}
    out.update({k: fixed + mult * v for k, v in q.items()})
    return out


cases = []


def system_case(name, years, ai, integ, maint):
    figs = {"ai": ai, "integ": integ, "maint": maint}
    ranged = [k for k, v in figs.items() if isinstance(v, dict)]
    assert len(ranged) == 1
    key = ranged[0]
    fixed_impl = 60000 + 40000 + 90000 + sum(v for k, v in figs.items() if k in ("ai", "integ") and k != key)
    fixed_annual = 50000 + (maint if key != "maint" else 0)
    fixed = fixed_impl + years * fixed_annual
    mult = years if key == "maint" else 1
    manifest = HEAD.format(name=name, ai=yaml_figure(ai), integ=yaml_figure(integ), maint=yaml_figure(maint))
    cases.append({"name": name, "manifest": manifest, "years": years,
                  "total": expected(fixed, mult, figs[key])})


system_case("integration-range", 3, 150000, rng(220000, 280000, 400000), 110000)
system_case("skewed-ai-range", 3, rng(50000, 60000, 900000), 280000, 110000)
system_case("maintenance-range", 5, 150000, 280000, rng(80000, 110000, 200000))
system_case("symmetric-range", 1, rng(100000, 150000, 200000), 280000, 110000)

# An option whose one_off is ranged and annual fixed: its cost over the horizon.
opt_years = 4
manifest = HEAD.format(name="option-range", ai=150000, integ=280000, maint=110000) + SOURCING.format(
    years=opt_years, one_off=yaml_figure(rng(150000, 200000, 300000)), annual=200000)
cases.append({"name": "option-range", "manifest": manifest, "years": opt_years,
              "total": {"mean": 620000 + opt_years * 160000, "p10": 620000 + opt_years * 160000,
                        "p50": 620000 + opt_years * 160000, "p90": 620000 + opt_years * 160000},
              "option": expected(opt_years * 200000, 1, rng(150000, 200000, 300000))})

print(json.dumps({"generator": "make_fixtures.py", "scipy": scipy.__version__, "cases": cases}, indent=1))
