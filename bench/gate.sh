#!/usr/bin/env bash
# Benchmark: `steward check` over a folder of N manifests (default 1,000).
#
#   bench/gate.sh [N]
#
# Generates N manifests under bench/out/gate-N (copies of the four examples, renamed so
# every system name is unique), builds the release binary, and times the gate over the
# folder with hyperfine when it is installed (apt-get install hyperfine), else with a
# plain loop of 10 runs. Target: under 1 second for 1,000 manifests.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
out=bench/out/gate-$n
rm -rf "$out" && mkdir -p "$out"
python3 - "$n" "$out" <<'PY'
import pathlib, re, sys
n, out = int(sys.argv[1]), pathlib.Path(sys.argv[2])
examples = sorted(pathlib.Path("examples").glob("*.yaml"))
texts = [p.read_text() for p in examples]
for i in range(n):
    text = texts[i % len(texts)]
    # Rename the AISystem document (the name under `kind: AISystem`'s metadata).
    head, sep, tail = text.partition("kind: AISystem")
    tail = re.sub(r"(\n  name: )([a-z0-9-]+)", lambda m: f"{m.group(1)}{m.group(2)}-{i:05d}", tail, count=1)
    (out / f"system-{i:05d}.yaml").write_text(head + sep + tail)
PY
cargo build --release -q -p steward-cli
bin=target/release/steward
bytes=$(du -sb "$out" | cut -f1)
echo "manifests: $n in $out ($bytes bytes)"
# Exit code 1 (some systems not ready) is the expected answer here, not a failure.
if command -v hyperfine >/dev/null; then
  hyperfine --warmup 2 --runs 10 -i \
    "$bin check --today 2026-11-25 --format json $out" \
    "$bin check --today 2026-11-25 --format text $out"
else
  for fmt in json text; do
    python3 - "$bin" "$out" "$fmt" <<'PY'
import subprocess, sys, time
bin, out, fmt = sys.argv[1:]
times = []
for _ in range(10):
    t = time.perf_counter()
    subprocess.run([bin, "check", "--today", "2026-11-25", "--format", fmt, out], stdout=subprocess.DEVNULL)
    times.append(time.perf_counter() - t)
times.sort()
print(f"check --format {fmt}: median {times[5]*1000:.1f} ms, min {times[0]*1000:.1f} ms, max {times[-1]*1000:.1f} ms (10 runs)")
PY
  done
fi
