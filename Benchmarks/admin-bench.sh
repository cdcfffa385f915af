#!/usr/bin/env bash
# Admin-API figures on a million-entry log: export throughput and memory, a disclosure report for a subject
# with 10,000 shares, and a million-line consent import. Uses the release gatewayd; servers on 127.0.0.1,
# stopped by PID at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product gatewayd >/dev/null
gatewayd=$PWD/.build/release/gatewayd
work=$(mktemp -d /tmp/gateway-admin-bench.XXXXXX)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export GATEWAY_DATA_DIR=$work/var GATEWAY_CERTS_DIR=$work/certs GATEWAY_CONTRACTS_DIR=$PWD/contracts \
  GATEWAY_LOG_ORIGIN=bench.example/admin GATEWAY_PROXY_PORT=28543 GATEWAY_ADMIN_PORT=29543 GATEWAY_LOG_LEVEL=warning
entries=${ENTRIES:-1000000}
lines=${LINES:-1000000}

start=$(date +%s.%N)
"$gatewayd" audit append --count "$entries" --concurrency 256 --subject subject-1 --subject-every 100 >/dev/null
appended=$(echo "$(date +%s.%N) - $start" | bc)
echo "append: $entries durable entries with 256 appenders in ${appended}s ($(echo "$entries / $appended" | bc) entries/s)"

"$gatewayd" serve >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -sk https://127.0.0.1:29543/healthz >/dev/null 2>&1 && break; sleep 0.2; done
auditor=$("$gatewayd" tokens issue --role auditor --name bench 2>/dev/null)
consent=$("$gatewayd" tokens issue --role consent --name bench-cmp 2>/dev/null)
rss() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
hwm() { awk '/VmHWM/ {print $2}' "/proc/$pid/status"; }
echo "gatewayd resident before: $(($(rss) / 1024)) MiB"

read -r seconds bytes < <(curl -sk -o /dev/null -w '%{time_total} %{size_download}\n' -H "Authorization: Bearer $auditor" \
  https://127.0.0.1:29543/v1/shares/export)
echo "export: $entries entries, $((bytes / 1048576)) MiB in ${seconds}s ($(echo "$entries / $seconds" | bc) entries/s); peak resident $(($(hwm) / 1024)) MiB"

for run in 1 2 3; do
  seconds=$(curl -sk -o "$work/disclosures.json" -w '%{time_total}' -H "Authorization: Bearer $auditor" \
    https://127.0.0.1:29543/v1/subjects/subject-1/disclosures)
  echo "disclosures (10,000 shares of one subject in $entries entries), run $run: $(echo "$seconds * 1000" | bc) ms"
done
head -c 300 "$work/disclosures.json"; echo

python3 - "$work/consents.jsonl" "$lines" <<'PY'
import sys
path, count = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    for i in range(count):
        f.write('{"subject":"s-%d","purpose":"analytics","vendor":"acme","status":"granted","givenAt":"2026-11-01T10:00:00Z","source":"bench"}\n' % i)
PY
before=$(hwm)
read -r seconds < <(curl -sk -o "$work/import.json" -w '%{time_total}\n' -H "Authorization: Bearer $consent" \
  -H 'content-type: application/jsonl' --data-binary @"$work/consents.jsonl" https://127.0.0.1:29543/v1/consents/import)
echo "consent import: $lines lines in ${seconds}s ($(echo "$lines / $seconds" | bc) lines/s); peak resident $(($(hwm) / 1024)) MiB (before $((before / 1024)) MiB)"
head -c 200 "$work/import.json"; echo
