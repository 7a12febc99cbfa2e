#!/usr/bin/env bash
# Regenerates server/.sqlx: the query metadata that lets sqlx's query!
# macros check every SQL statement against the schema at compile time
# without a database (builds read it when DATABASE_URL is unset).
#
#   scripts/sqlx-prepare.sh          rewrite server/.sqlx
#   scripts/sqlx-prepare.sh --check  fail if server/.sqlx is not current
#
# It builds a scratch database from server/migrations, then has the macros
# save what they learn (SQLX_OFFLINE_DIR) during a `cargo check`. No
# sqlx-cli needed.
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-write}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

db="$work/schema.db"
if command -v python3 >/dev/null 2>&1; then
  python3 - "$db" server/migrations <<'PY'
import pathlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for f in sorted(pathlib.Path(sys.argv[2]).glob("*.sql")):
    db.executescript(f.read_text())
db.commit()
PY
elif command -v sqlite3 >/dev/null 2>&1; then
  for f in server/migrations/*.sql; do sqlite3 "$db" <"$f"; done
elif [[ "$mode" == "--check" ]]; then
  # Builds still check every query against the committed metadata; only
  # its freshness against the migrations goes unchecked here.
  echo "sqlx-prepare: neither python3 nor sqlite3 here: server/.sqlx not compared with the migrations" >&2
  exit 0
else
  echo "sqlx-prepare: needs python3 or sqlite3 to build the scratch schema" >&2
  exit 1
fi

out="$work/sqlx"
mkdir -p "$out"
# The macros only run when the crate is rebuilt: make sure it is.
touch server/src/lib.rs
DATABASE_URL="sqlite://$db" SQLX_OFFLINE=false SQLX_OFFLINE_DIR="$out" \
  cargo check -q -p waitwell-server --all-targets
touch server/src/lib.rs

if [[ "$mode" == "--check" ]]; then
  if ! diff -r -q "$out" server/.sqlx >/dev/null; then
    diff -r -q "$out" server/.sqlx || true
    echo "server/.sqlx is out of date: run scripts/sqlx-prepare.sh" >&2
    exit 1
  fi
  echo "server/.sqlx is current ($(ls "$out" | wc -l) queries)"
else
  rm -rf server/.sqlx
  cp -r "$out" server/.sqlx
  echo "server/.sqlx: $(ls server/.sqlx | wc -l) queries"
fi
