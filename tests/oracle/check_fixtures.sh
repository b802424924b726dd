#!/usr/bin/env bash
# Regenerates every committed fixture from its script, in a scratch copy of the repository,
# and checks that the result equals what is committed (JSON to 1e-9 relative, other files
# byte for byte). This is what makes the oracle fixtures trustworthy: each was made by a
# script that anyone can run again with the reference tools.
#
#   tests/oracle/check_fixtures.sh          (needs the packages of tests/oracle/requirements.txt;
#                                            a cached venv is made when missing)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
. bench/oracle_venv.sh
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
git ls-files -z | (cd "$root" && xargs -0 cp --parents -t "$scratch")
failed=0
compare() { # committed file, regenerated file
  local a=$1 b=$2
  if [[ $a == *.json ]]; then
    "$py" tests/oracle/same_json.py "$a" "$b" || failed=1
  elif ! cmp -s "$a" "$b"; then
    echo "$a: regenerated file differs"; failed=1
  fi
}
run() { # folder, command... (run inside the scratch copy)
  local dir=$1; shift
  echo "== $dir: $*"
  (cd "$scratch/$dir" && "$@")
}
run crates/steward-data/tests/oracle "$py" make_fixtures.py > /dev/null 2>&1
run crates/steward-data/tests/oracle "$py" make_stattest_fixtures.py > /dev/null 2>&1
run crates/steward-stats/tests/oracle "$py" make_fixtures.py
run crates/steward-cost/tests/oracle sh -c "'$py' make_fixtures.py > pert_oracle.json"
run crates/steward-metric/tests/oracle sh -c "'$py' make_fixtures.py > metric_oracle.json"
run crates/steward-cli/tests/data "$py" make_data.py
run examples/data "$py" make_examples.py
run examples/data "$py" make_stream_examples.py
for dir in crates/steward-data/tests/oracle crates/steward-stats/tests/oracle crates/steward-cost/tests/oracle \
           crates/steward-metric/tests/oracle crates/steward-cli/tests/data examples/data; do
  for f in $(git ls-files "$dir" | grep -v '\.py$'); do
    compare "$f" "$scratch/$f"
  done
done
if [ "$failed" = 0 ]; then echo "every fixture is reproduced by its script"; fi
exit "$failed"
