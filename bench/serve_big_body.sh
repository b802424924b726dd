#!/usr/bin/env bash
# One CSV body of about 1 GB (13,000,000 rows x 10 numeric columns) posted to a release
# `steward serve` with the body limit raised: the time, and the server's peak resident memory
# (VmHWM), which must not follow the body. Usage: bench/serve_big_body.sh [ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-13000000}
out=bench/out/serve
mkdir -p "$out"
cargo build -q --release -p steward-cli
bin=target/release/steward
body="$out/batch-$rows.csv"
[ -f "$body" ] || python3 bench/make_intake_csv.py "$rows" "$body"
work=$(mktemp -d)
db="sqlite://$work/steward.db"
token=$($bin token create --database "$db" --name bench --scope admin)
$bin serve --database "$db" --listen 127.0.0.1:0 --max-body 2GiB 2> "$work/log" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do grep -q "listening on" "$work/log" && break; sleep 0.1; done
addr=$(grep -o 'http://[0-9.:]*' "$work/log" | head -1)
curl -sf -o /dev/null -X PUT -H "Authorization: Bearer $token" \
  --data-binary @examples/invoice-extraction.yaml "$addr/api/v1/systems/invoice-extraction"
echo "body: $(du -h "$body" | cut -f1), $rows rows"
/usr/bin/time -f "posted in %e s" curl -sf -X POST -H "Authorization: Bearer $token" \
  -H 'Content-Type: text/csv' -T "$body" "$addr/api/v1/systems/invoice-extraction/streams/big/batches"
echo
grep VmHWM "/proc/$pid/status"
