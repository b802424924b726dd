#!/usr/bin/env bash
# Benchmark: `steward drift` against the reference tools on the same files, in one run.
#
#   bench/drift.sh [ROWS]          (default 1,000,000 rows x 25 columns)
#
# Needs the Python packages of tests/oracle/requirements.txt (a cached venv is made when
# missing, see bench/oracle_venv.sh). Generates data with bench/make_drift_data.py, then
# measures, each with /usr/bin/time for wall time and peak memory:
#   1. steward drift --format json (release build), 3 runs with hyperfine as well;
#   2. Evidently's DataDriftPreset report (bench/evidently_preset.py);
#   3. the plain stattest loop (tests/oracle/evidently_drift.py: Evidently's scipy-based tests);
# and checks steward's scores against the loop's with tests/oracle/compare_drift.py.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
. bench/oracle_venv.sh
mkdir -p bench/out
data=bench/out/drift-$rows
[ -s "$data.current.parquet" ] || "$py" bench/make_drift_data.py "$rows" "$data"
cargo build --release -q -p steward-cli
bin=target/release/steward
ref=$data.reference.parquet cur=$data.current.parquet
measure() { # label, command...
  local label=$1; shift
  /usr/bin/time -f "$label: %e s wall, %M KB peak" "$@" > /dev/null 2> bench/out/time.txt || true
  grep -F -e "$label:" -e "seconds" bench/out/time.txt | tail -2
}
hyperfine --warmup 1 --runs 3 "$bin drift --reference $ref --current $cur --format json"
measure "steward drift" "$bin" drift --reference "$ref" --current "$cur" --format json
"$bin" drift --reference "$ref" --current "$cur" --format json > bench/out/steward.json
measure "evidently DataDriftPreset" "$py" bench/evidently_preset.py "$ref" "$cur"
measure "stattest loop (scipy)" "$py" tests/oracle/evidently_drift.py "$ref" "$cur"
"$py" tests/oracle/evidently_drift.py "$ref" "$cur" > bench/out/oracle.json 2>/dev/null
echo "agreement with the oracle (columns + dataset verdict):"
python3 tests/oracle/compare_drift.py bench/out/steward.json bench/out/oracle.json | tail -1
