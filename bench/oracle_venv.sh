# Sourced by the benchmarks: a Python venv with the oracle packages of
# tests/oracle/requirements.txt, cached outside the clone and keyed by that file's hash, so
# a changed requirement makes a new venv and an unchanged one is reused. Sets $py.
req=tests/oracle/requirements.txt
key=$(sha256sum "$req" | cut -c1-12)
venv=${ORACLE_VENV:-$HOME/.cache/steward-ci/oracle-$key}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r "$req"
fi
py="$venv/bin/python"
