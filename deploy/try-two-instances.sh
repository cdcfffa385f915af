#!/usr/bin/env bash
# Runs two gateway instances on one PostgreSQL database behind HAProxy, on this machine, and sends a share
# through the balancer to each instance; then stops one instance and shows the other carrying on.
# Needs: a built gatewayd (swift build), PostgreSQL server binaries and haproxy (Debian packages).
# Everything listens on 127.0.0.1 and is stopped (by PID) at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
gatewayd=${GATEWAYD:-.build/debug/gatewayd}
work=$(mktemp -d /tmp/gateway-ha.XXXXXX)
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | tail -1)
pids=()
as_postgres=()
if [ "$(id -u)" = 0 ]; then chown postgres "$work"; as_postgres=(runuser -u postgres --); fi
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  "${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$work/pg" -m fast -w stop >/dev/null 2>&1 || true
  [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

"${as_postgres[@]}" "$pg_bin/initdb" -D "$work/pg" -A trust -U postgres >/dev/null
"${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$work/pg" -w -l "$work/pg.log" -o "-p 55499 -k $work -c listen_addresses=127.0.0.1" start >/dev/null
export GATEWAY_STORAGE_URL=postgres://postgres@127.0.0.1:55499/postgres
export GATEWAY_CERTS_DIR=$work/certs GATEWAY_CONTRACTS_DIR=$PWD/contracts GATEWAY_CREDENTIAL_ACME_API_KEY=sk_test
"$gatewayd" certs init >/dev/null
"$gatewayd" certs client checkout >/dev/null

start_instance() { # name proxy-port admin-port
  GATEWAY_DATA_DIR=$work/$1 GATEWAY_LOG_ORIGIN=ha.example/$1 GATEWAY_PROXY_PORT=$2 GATEWAY_ADMIN_PORT=$3 \
    "$gatewayd" serve >"$work/$1.log" 2>&1 &
  pids+=($!)
}
start_instance gw1 28443 29443
sleep 3   # the first instance migrates and registers the bundled agreements
start_instance gw2 38443 39443
haproxy -f deploy/haproxy.cfg -db >"$work/haproxy.log" 2>&1 &
pids+=($!)
sleep 6

CONSENT=$(GATEWAY_DATA_DIR=$work/gw1 "$gatewayd" tokens issue --role consent --name cmp 2>/dev/null)
curl -s --cacert "$work/certs/ca.pem" -X PUT https://localhost:19443/v1/subjects/u-1/consents \
  -H "Authorization: Bearer $CONSENT" -H 'content-type: application/json' \
  -d '{"purpose":"analytics","vendor":"acme","status":"granted","givenAt":"2026-11-01T10:00:00Z","source":"ha-demo"}' >/dev/null

share() {
  curl -s -o /dev/null -w '%{http_code}' --cacert "$work/certs/ca.pem" \
    --cert "$work/certs/clients/checkout.pem" --key "$work/certs/clients/checkout-key.pem" \
    https://localhost:18443/vendors/acme/events -H 'content-type: application/json' -H 'Share-Purpose: analytics' \
    -d '{"events":[{"user_id":"u-1","page":"/home"}]}'
}
echo "through the balancer: $(share) $(share) $(share) $(share)  (502: decided, logged, then the vendor host api.acme.example is unreachable from here)"
for name in gw1 gw2; do
  count=$(GATEWAY_DATA_DIR=$work/$name GATEWAY_LOG_ORIGIN=ha.example/$name "$gatewayd" audit export 2>/dev/null | wc -l)
  echo "log ha.example/$name holds $count entries"
done
kill "${pids[0]}"
sleep 5
echo "gw1 stopped; through the balancer: $(share) $(share)"
grep -E "UP|DOWN" "$work/haproxy.log" | tail -4 || true
