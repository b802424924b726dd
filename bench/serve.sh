#!/usr/bin/env bash
# The server under load, on loopback: sustained CSV intake (10 numeric columns, profiled and
# committed) measured with wrk, and the portfolio API's latency with 500 systems while the
# intake runs. Usage: bench/serve.sh [sqlite|postgres] (postgres: STEWARD_BENCH_POSTGRES_URL,
# default postgres://postgres@127.0.0.1:5432/test; a fresh database is made in it).
set -euo pipefail
cd "$(dirname "$0")/.."
backend=${1:-sqlite}
rows=${ROWS:-100000}
secs=${SECS:-20}
port=${PORT:-18931}
out=bench/out/serve
mkdir -p "$out"
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 2; }
cargo build -q --release -p steward-cli
bin=target/release/steward

[ -f "$out/batch-$rows.csv" ] || python3 bench/make_intake_csv.py "$rows" "$out/batch-$rows.csv"
body="$out/batch-$rows.csv"

case "$backend" in
  sqlite)
    rm -f "$out"/bench.db*
    db="sqlite://$PWD/$out/bench.db" ;;
  postgres)
    base=${STEWARD_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
    name="steward_bench_$(date +%s)"
    psql "$base" -q -c "CREATE DATABASE $name"
    db="${base%/*}/$name" ;;
  *) echo "backend: sqlite or postgres" >&2; exit 2 ;;
esac

admin=$($bin token create --database "$db" --name admin --scope admin)
writer=$($bin token create --database "$db" --name writer --scope write)
reader=$($bin token create --database "$db" --name reader --scope read)
STEWARD_LOG=warn $bin serve --database "$db" --listen "127.0.0.1:$port" --max-body 1GiB &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done

# 500 systems: the example manifest under 500 names.
for i in $(seq -w 1 500); do
  sed "s/^  name: invoice-extraction/  name: system-$i/" examples/invoice-extraction.yaml |
    curl -sf -o /dev/null -X PUT -H "Authorization: Bearer $admin" --data-binary @- \
      "http://127.0.0.1:$port/api/v1/systems/system-$i"
done

url_intake="http://127.0.0.1:$port/api/v1/systems/system-001/streams/intake/batches"
url_portfolio="http://127.0.0.1:$port/api/v1/systems"
intake() { BODY="$body" TOKEN="$writer" wrk -t2 -c2 -d"$1s" -s bench/wrk/post_batch.lua "$url_intake"; }
portfolio() { wrk -t1 -c4 -d"$1s" --latency -H "Authorization: Bearer $reader" "$url_portfolio"; }
rows_per_s() { awk '/Requests\/sec/ {print $2}' "$1" | python3 -c "import sys; print(f'intake: {float(sys.stdin.read()) * $rows:,.0f} rows/s')"; }

echo "== $backend: intake alone, $rows-row CSV batches ($(du -h "$body" | cut -f1)), ${secs}s"
intake "$secs" > "$out/intake-alone.txt"; cat "$out/intake-alone.txt"; rows_per_s "$out/intake-alone.txt"
echo "== $backend: the portfolio (500 systems) alone, ${secs}s"
portfolio "$secs" | tee "$out/portfolio-alone.txt"
echo "== $backend: both at once"
intake "$secs" > "$out/intake.txt" &
pid=$!
sleep 2
portfolio "$((secs - 4))" > "$out/portfolio.txt"
wait $pid
cat "$out/intake.txt"; rows_per_s "$out/intake.txt"
cat "$out/portfolio.txt"
stored=$(curl -sf -H "Authorization: Bearer $reader" \
  "http://127.0.0.1:$port/api/v1/systems/system-001/streams/intake/batches?limit=10000" |
  python3 -c "import json,sys; print(len(json.load(sys.stdin)['batches']))")
echo "batches stored: $stored"
