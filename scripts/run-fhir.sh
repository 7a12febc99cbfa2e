#!/usr/bin/env bash
# `make run-fhir`: a FHIR R4 server on this machine (tests/fhir/server.mjs,
# Medplum's engine in memory, empty at each start) and Waitwell reading its
# schedule from it. --demo writes the demo clinic's patients and
# appointments into that FHIR server, so the same demo patient as
# `make run` can check in; arrivals, calls and no-shows are written back.
#
#   scripts/run-fhir.sh SERVER_BINARY LISTEN DB
set -euo pipefail
cd "$(dirname "$0")/.."
server=$1 listen=$2 db=$3

log=$(mktemp)
node tests/fhir/server.mjs --port 0 >"$log" 2>&1 &
ehr=$!
trap 'kill "$ehr" 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 100); do
  grep -q "listening on" "$log" && break
  kill -0 "$ehr" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.1
done
base=$(sed -n 's/^fhir harness listening on //p' "$log")
[ -n "$base" ] || { echo "the FHIR server did not start" >&2; cat "$log" >&2; exit 1; }
echo "FHIR R4 server (Medplum's engine, in memory): $base"
"$server" --listen "$listen" --db "$db" --dist dist --demo --schedule fhir-r4 --fhir-base "$base"
