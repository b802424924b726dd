#!/usr/bin/env bash
# Benchmark and check: drift between two profiles.
#
#   bench/profile_drift.sh [ROWS]     (default 1,000,000 rows x 25 columns)
#
# (a) Two profiles standing for 100 x ROWS rows each (100 million by default): each side's
#     data file is profiled once and the profile merged with copies of itself (merging is
#     exact for counts and moments, and adds the summaries' error bounds), so no 100M-row
#     file is needed on disk. Then `steward drift --reference p1 --current p2 --format json`
#     is timed with /usr/bin/time (wall time, peak memory).
# (b) On the ROWS pair itself: profile against profile compared with the full-data
#     comparison by bench/compare_profile_drift.py, which fails when a column not marked
#     uncertain decides otherwise, or a full-data score lies outside its score_bounds.
#
# Needs the venv of tests/oracle/requirements.txt for the data generator (bench/oracle_venv.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
. bench/oracle_venv.sh
mkdir -p bench/out
data=bench/out/drift-$rows
[ -s "$data.current.parquet" ] || "$py" bench/make_drift_data.py "$rows" "$data"
cargo build --release -q -p steward-cli
bin=target/release/steward
out=bench/out/profile-drift
mkdir -p "$out"
for side in reference current; do
  "$bin" profile "$data.$side.parquet" -o "$out/$side.json" --quiet
  # 100 copies by doubling (1, 2, 4, ..., 64) and adding the rest: 7 + 3 merges.
  cp "$out/$side.json" "$out/$side-x1.json"
  for k in 1 2 4 8 16 32; do
    cp "$out/$side-x$k.json" "$out/$side-x$k-b.json"
    "$bin" profile merge "$out/$side-x$k.json" "$out/$side-x$k-b.json" -o "$out/$side-x$((2 * k)).json"
  done
  "$bin" profile merge "$out/$side-x64.json" "$out/$side-x32.json" "$out/$side-x4.json" \
    -o "$out/$side-x100.json"
done
p1=$out/reference-x100.json p2=$out/current-x100.json
echo "profiles: $(du -h "$p1" | cut -f1) and $(du -h "$p2" | cut -f1), $(grep -m1 '"rows"' "$p1")"
/usr/bin/time -f "profile vs profile (100x rows): %e s wall, %M KB peak" \
  "$bin" drift --reference "$p1" --current "$p2" --format json > "$out/drift-x100.json" \
  2> "$out/time.txt" || true
tail -1 "$out/time.txt"
# (b): the same decision as the rows, within the bounds.
"$bin" drift --reference "$out/reference.json" --current "$out/current.json" --format json \
  > "$out/by-profiles.json" || true
"$bin" drift --reference "$data.reference.parquet" --current "$data.current.parquet" --format json \
  > "$out/by-rows.json" || true
"$py" bench/compare_profile_drift.py "$out/by-rows.json" "$out/by-profiles.json"
