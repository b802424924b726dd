"""Checks a profile-vs-profile drift report against the full-data report of the same data.

    python bench/compare_profile_drift.py BY_ROWS.json BY_PROFILES.json

Fails (exit 1) when a column compared in both reports has a different test, decides
otherwise without being marked `decision_uncertain`, or has a full-data score outside the
profile report's `score_bounds` (null bounds: the scores must agree to 1e-9).
"""

import json
import sys


def main() -> int:
    rows = json.load(open(sys.argv[1]))
    profiles = json.load(open(sys.argv[2]))
    by_name = {c["column"]: c for c in rows["columns"]}
    problems = []
    checked = uncertain = 0
    for p in profiles["columns"]:
        r = by_name.get(p["column"])
        if r is None:
            continue
        checked += 1
        name = p["column"]
        if r["stattest"] != p["stattest"]:
            problems.append(f"{name}: test {r['stattest']} by rows, {p['stattest']} by profiles")
            continue
        if p["decision_uncertain"]:
            uncertain += 1
        elif r["drift_detected"] != p["drift_detected"]:
            problems.append(f"{name}: drift {r['drift_detected']} by rows, {p['drift_detected']} by profiles, not marked uncertain")
        score = r["score"]
        bounds = p["score_bounds"]
        if score is None:
            continue
        if bounds is None:
            if p["score"] is None or abs(p["score"] - score) > 1e-9 * max(1.0, abs(score)):
                problems.append(f"{name}: exact score {p['score']} by profiles, {score} by rows")
        else:
            low = bounds[0] if bounds[0] is not None else float("-inf")
            high = bounds[1] if bounds[1] is not None else float("inf")
            if not (low - 1e-12 <= score <= high + 1e-12):
                problems.append(f"{name}: score {score} by rows outside the bounds [{low}, {high}]")
    skipped = [s["column"] for s in profiles["skipped_columns"]]
    print(f"{checked} columns compared, {uncertain} marked uncertain, skipped by profiles: {skipped}")
    if rows["dataset_drift"] != profiles["dataset_drift"] and not profiles["dataset_drift_uncertain"]:
        problems.append("the dataset verdicts differ and the profile report does not say it is uncertain")
    for p in problems:
        print("FAIL", p)
    if checked == 0:
        print("FAIL no column compared")
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
