#!/usr/bin/env bash
# Benchmark: `steward metric` over N observations (default 10,000,000) of one metric, half
# in the baseline window and half in the current one. Target: under 2 seconds.
#
#   bench/metric.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000000}
mkdir -p bench/out
data=bench/out/observations-$n.csv
if [ ! -s "$data" ]; then
  python3 - "$n" "$data" <<'PY'
import random, sys
n, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(1)
# 2026-06-04 .. 2027-03-01 around the launch on 2026-12-01, RFC 3339 with offsets.
base_day = 20608  # days from 1970-01-01 to 2026-06-04
with open(out, "w") as f:
    f.write("timestamp,value\n")
    lines = []
    for i in range(n):
        current = i % 2 == 1
        day = base_day + (180 + (i * 7) % 90 if current else (i * 13) % 180)
        secs = (i * 7919) % 86400
        y, rem = divmod(day, 1)  # days -> date below
        lines.append((day, secs, (21.0 if current else 30.0) * (0.5 + rng.random())))
        if len(lines) == 1_000_000 or i == n - 1:
            import datetime as dt
            epoch = dt.date(1970, 1, 1)
            for d, s, v in lines:
                date = epoch + dt.timedelta(days=d)
                f.write(f"{date.isoformat()}T{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}+00:00,{v:.3f}\n")
            lines = []
PY
fi
cargo build --release -q -p steward-cli
bin=target/release/steward
echo "observations: $n in $data ($(du -h "$data" | cut -f1))"
hyperfine --warmup 1 --runs 5 \
  "$bin metric examples/payments-code-review.yaml --observations $data --today 2027-03-15 --format json"
