#!/usr/bin/env bash
# Load figures for the release server on this machine (make bench): requests
# per second of the queue snapshot GET and the check-in POST, measured with
# wrk over loopback against a fresh database. Prints wrk's own report.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v wrk >/dev/null 2>&1; then
  echo "==> installing wrk from Debian"
  ${SUDO:-} apt-get install -y -qq wrk >/dev/null
fi
SECONDS_PER_RUN=${BENCH_SECONDS:-10}
# The check-in POST stops short of the walk-in line's 9,999 tickets of the
# day (at about 2,000 a second, 10 s would run past them and time refusals).
POST_SECONDS=${BENCH_POST_SECONDS:-4}
CONNECTIONS=${BENCH_CONNECTIONS:-16}

dir=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$dir"' EXIT
# The example site, with the per-address write limits lifted: wrk is one
# address, and this measures the server, not its limits.
python3 - "$dir/site.json" <<'PY'
import json, sys
site = json.load(open("server/site.example.json"))
site["limits"] = {"writes_per_minute": 100000000, "walk_ins_per_hour": 100000000}
json.dump(site, open(sys.argv[1], "w"))
PY
# Tablets are approved at once: the bench pairs one kiosk and sends its
# credential, as an enrolled kiosk does.
# A site starts only with a staff account (nobody signs in here).
target/release/waitwell-server --db "$dir/bench.db" staff add bench --manager >/dev/null
target/release/waitwell-server --listen 127.0.0.1:0 --db "$dir/bench.db" --dist dist --site "$dir/site.json" --approve-tablets >"$dir/out" 2>"$dir/err" &
server=$!
for _ in $(seq 50); do
  url=$(sed -n 's/^Waitwell is running: \(http:[^ ]*\)\/$/\1/p' "$dir/out")
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "server did not start: $(cat "$dir/err")" >&2; exit 1; }

kiosk=$(curl -s -D - -o /dev/null -X POST "$url/api/v1/devices/pair" -H 'content-type: application/json' \
  -d '{"role":"check-in"}' | sed -n 's/^[Ss]et-[Cc]ookie: \(waitwell_device=[0-9a-f]*\).*/\1/p')
[ -n "$kiosk" ] || { echo "pairing the bench kiosk failed" >&2; exit 1; }
export WAITWELL_KIOSK_COOKIE="$kiosk"

# A realistic board: 40 people waiting.
for i in $(seq 40); do
  curl -s -o /dev/null -X POST "$url/api/v1/check-ins" -H 'content-type: application/json' \
    -H "cookie: $kiosk" \
    -H "idempotency-key: $(cat /proc/sys/kernel/random/uuid)" \
    -d '{"kind":"walk_in","first_name":"Ana","last_initial":"G","reason":"other"}'
done

echo "== GET /api/v1/queue (40 waiting), ${CONNECTIONS} connections, 2 threads, ${SECONDS_PER_RUN}s"
wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" -H "Cookie: $kiosk" "$url/api/v1/queue"
echo
echo "== POST /api/v1/check-ins (new ticket each), ${CONNECTIONS} connections, 2 threads, ${POST_SECONDS}s"
wrk -t2 -c"$CONNECTIONS" -d"${POST_SECONDS}s" -s scripts/bench/check-in.lua "$url"
