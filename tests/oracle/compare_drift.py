#!/usr/bin/env python3
"""Where `steward drift --format json` and evidently_drift.py disagree.

usage: compare_drift.py STEWARD.json ORACLE.json

A column agrees when it has the same test, the same decision and a score equal to 1e-9
relative (scores of p-values can be 1e-60: an absolute tolerance would check nothing).
The dataset agrees when its verdict and drifted count are equal. Prints every
disagreement, then a last line `agreed/total`; exits 1 if any disagreed.
"""
import json
import math
import sys


def close(a, b) -> bool:
    if a is None or b is None:
        return a is b
    if a == b:
        return True
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=0.0)


def main() -> int:
    with open(sys.argv[1]) as f:
        ours = json.load(f)
    with open(sys.argv[2]) as f:
        oracle = json.load(f)
    by_name = {c["column"]: c for c in ours.get("columns", [])}
    agreed, total = 0, 0
    for expected in oracle["columns"]:
        total += 1
        got = by_name.get(expected["column"])
        if got is None:
            print(f"{expected['column']}: not in steward's report")
            continue
        problems = []
        if got.get("stattest") != expected["stattest"]:
            problems.append(f"test {got.get('stattest')} vs {expected['stattest']}")
        if not close(got.get("score"), expected["score"]):
            problems.append(f"score {got.get('score')!r} vs {expected['score']!r}")
        if bool(got.get("drift_detected")) != expected["drift_detected"]:
            problems.append(f"drift {got.get('drift_detected')} vs {expected['drift_detected']}")
        if problems:
            print(f"{expected['column']}: " + "; ".join(problems))
        else:
            agreed += 1
    total += 1
    ours_verdict = (ours.get("dataset_drift"), ours.get("number_of_drifted_columns"))
    oracle_verdict = (oracle["dataset_drift"], oracle["number_of_drifted_columns"])
    if ours_verdict == oracle_verdict:
        agreed += 1
    else:
        print(f"dataset: steward {ours_verdict} vs evidently {oracle_verdict}")
    print(f"{agreed}/{total}")
    return 0 if agreed == total else 1


if __name__ == "__main__":
    sys.exit(main())
