#!/usr/bin/env bash
# Benchmark: profiling speed, numeric values per second on one core
# (ColumnProfile::new: moments, KLL quantile sketch, HLL distinct sketch).
# Target: 50 million values per second per core.
#
#   bench/profile.sh [VALUES]      (default 10,000,000)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release -q -p steward-stats --example profile_speed -- "${1:-10000000}"
