#!/usr/bin/env bash
# schemathesis (from PyPI) against a live `steward serve`: every operation of the OpenAPI
# document, with every check, on generated and mutated requests. A failure is any response
# that breaks the document (status, content type, body schema), a 5xx, or a crash.
# Usage: tests/api/run_schemathesis.sh [STEWARD_BINARY] (default target/debug/steward).
# The venv is cached outside the clone, keyed by requirements.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-${CARGO_TARGET_DIR:-target}/debug/steward}
req=tests/api/requirements.txt
venv=${SCHEMATHESIS_VENV:-$HOME/.cache/steward-ci/schemathesis-$(sha256sum "$req" | cut -c1-12)}
if [ ! -x "$venv/bin/st" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r "$req"
fi
work=$(mktemp -d)
db="sqlite://$work/steward.db"
token=$("$bin" token create --database "$db" --name schemathesis --scope admin)
STEWARD_LOG=warn "$bin" serve --database "$db" --listen 127.0.0.1:0 --max-body 1MiB 2> "$work/server.log" &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 200); do
  addr=$(grep -o 'listening on http://[0-9.:]*' "$work/server.log" | head -1 | sed 's|listening on ||') || true
  [ -n "${addr:-}" ] && break
  sleep 0.05
done
[ -n "${addr:-}" ] || { cat "$work/server.log" >&2; exit 1; }
curl -sf -o /dev/null -X PUT -H "Authorization: Bearer $token" \
  --data-binary @examples/invoice-extraction.yaml "$addr/api/v1/systems/invoice-extraction"
# Run from the scratch folder: schemathesis keeps a cache in its working directory.
repo=$PWD
(cd "$work" && SCHEMATHESIS_HOOKS=hooks PYTHONPATH="$repo/tests/api" "$venv/bin/st" \
  --config-file "$repo/tests/api/schemathesis.toml" run "$addr/api/v1/openapi.json" --url "$addr" \
  -H "Authorization: Bearer $token" --checks all --max-examples "${MAX_EXAMPLES:-50}" \
  --seed "${SCHEMATHESIS_SEED:-20261208}")
# The server survived it all and still answers.
curl -sf "$addr/readyz" > /dev/null
