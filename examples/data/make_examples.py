#!/usr/bin/env python3
"""Writes the example observation files used by the README tour and the tests.

usage: python3 make_examples.py      (standard library only; seeded, so the files are stable)

- payments-tickets.csv: a Jira-style export for payments-code-review: P1 and P2 defects,
  opened and resolved times, some still open. Time to resolution of P1s drops after the
  launch on 2026-12-01.
- invoice-observations.csv: both metrics of invoice-extraction (launch 2026-02-01) in one
  file with a `metric` column.
"""
import csv
import math
import random
from datetime import datetime, timedelta, timezone

rng = random.Random(20261125)


def lognormal_hours(median, sigma=0.6):
    return median * math.exp(rng.gauss(0, sigma))


def tickets():
    rows, key = [], 1000
    start = datetime(2026, 6, 4, tzinfo=timezone.utc)
    launch = datetime(2026, 12, 1, tzinfo=timezone.utc)
    end = datetime(2027, 3, 1, tzinfo=timezone.utc)
    t = start
    while t < end:
        t += timedelta(hours=rng.expovariate(1 / 30))
        if t >= end:
            break
        key += 1
        priority = "P1" if rng.random() < 0.55 else "P2"
        median = (31 if t < launch else 21) if priority == "P1" else 70
        resolved = t + timedelta(hours=lognormal_hours(median))
        still_open = resolved > end or rng.random() < 0.04
        rows.append({
            "Key": f"PAY-{key}", "Priority": priority,
            "Status": "Open" if still_open else "Done",
            "Created": t.strftime("%Y-%m-%d %H:%M"),
            "Resolved": "" if still_open else resolved.strftime("%Y-%m-%d %H:%M"),
        })
    with open("payments-tickets.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["Key", "Priority", "Status", "Created", "Resolved"])
        w.writeheader()
        w.writerows(rows)


def invoices():
    rows = []
    day = datetime(2025, 8, 5, tzinfo=timezone.utc)
    launch = datetime(2026, 2, 1, tzinfo=timezone.utc)
    end = datetime(2026, 6, 1, tzinfo=timezone.utc)
    offset = timezone(timedelta(hours=1))
    while day < end:
        after = day >= launch
        for _ in range(rng.randint(3, 6)):
            at = (day + timedelta(hours=rng.uniform(8, 17))).astimezone(offset)
            touch = lognormal_hours(4.2 if after else 9.5, 0.35)
            rows.append({"timestamp": at.isoformat(timespec="seconds"), "metric": "invoice-touch-time",
                         "value": round(touch, 2)})
        errors = max(0.0, rng.gauss(0.031 if after else 0.072, 0.012))
        rows.append({"timestamp": (day + timedelta(hours=18)).isoformat(timespec="seconds"),
                     "metric": "extraction-error-rate", "value": round(errors, 4)})
        day += timedelta(days=1)
    with open("invoice-observations.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["timestamp", "metric", "value"])
        w.writeheader()
        w.writerows(rows)


tickets()
invoices()
