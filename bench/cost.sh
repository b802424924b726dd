#!/usr/bin/env bash
# Benchmark: `steward cost` with 1,000,000 simulated runs of a manifest whose seven budget
# lines are all ranges and whose three sourcing options have ranged one-off and annual
# costs (13 ranged figures drawn per run). Target: under 1 second.
#
#   bench/cost.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-1000000}
mkdir -p bench/out
m=bench/out/cost-ranged.yaml
cat > "$m" <<'YAML'
apiVersion: steward/v1
kind: AISystem
metadata:
  name: cost-benchmark
spec:
  lifecycle: pilot
  budget:
    currency: USD
    poc_cost: 80000
    implementation:
      ai_component: {low: 120000, likely: 150000, high: 260000}
      data_preparation: {low: 40000, likely: 60000, high: 120000}
      integration: {low: 220000, likely: 280000, high: 400000}
      testing_infrastructure: {low: 30000, likely: 40000, high: 70000}
      change_management: {low: 60000, likely: 90000, high: 180000}
    annual:
      maintenance: {low: 90000, likely: 110000, high: 170000}
      enhancement: {low: 20000, likely: 50000, high: 90000}
  sourcing:
    horizon_years: 3
    options:
      - name: build
        kind: build
        one_off: {low: 500000, likely: 620000, high: 900000}
        annual: {low: 90000, likely: 120000, high: 180000}
        scores: {integration_effort: 3, maintainability: 4, lock_in: 5, time_to_value: 2, total_cost: 3}
      - name: buy
        kind: buy
        one_off: {low: 150000, likely: 200000, high: 300000}
        annual: {low: 180000, likely: 200000, high: 240000}
        scores: {integration_effort: 4, maintainability: 3, lock_in: 2, time_to_value: 4, total_cost: 3}
      - name: hybrid
        kind: hybrid
        one_off: {low: 300000, likely: 380000, high: 520000}
        annual: {low: 120000, likely: 150000, high: 200000}
        scores: {integration_effort: 3, maintainability: 3, lock_in: 3, time_to_value: 3, total_cost: 3}
YAML
cargo build --release -q -p steward-cli
bin=target/release/steward
hyperfine --warmup 1 --runs 10 \
  "$bin cost --simulations $runs --format json $m" \
  "$bin cost --simulations $runs --format text $m"
