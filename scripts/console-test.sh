#!/usr/bin/env bash
# The console's browser test against the real gateway.
#
# Starts, in a scratch directory: development certificates (`gatewayd certs init`), a local TLS vendor
# (Tests/browser/vendor.py, using the development server certificate), two agreements imported and
# approved offline (`sharebox`, pointed at that vendor, and `soonco`, expiring in 10 days), one token per
# role (two for procurement), `gatewayd serve`, consent and real shares through the data plane
# (Tests/browser/seed.py); then runs Tests/browser/console_test.py (headless Chromium via Selenium).
#
# Usage: scripts/console-test.sh            (needs .build/debug/gatewayd: build it first)
#   GATEWAYD=path/to/gatewayd               another binary
#   SCREENSHOT_DIR=dir                      keep the screenshots there (default: the scratch directory)
#   KEEP_WORK=1                             keep the scratch directory (logs, database, screenshots)
#   CONSOLE_FROM_DISK=1                     serve console/ from the work tree (console.dir) instead of the copy
#                                           built into the binary: test console edits without rebuilding
# Debian packages: chromium chromium-driver python3-selenium python3-cryptography.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
BIN=${GATEWAYD:-$ROOT/.build/debug/gatewayd}
PYTHON=${PYTHON:-/usr/bin/python3}

if [ ! -x "$BIN" ]; then
  echo "console-test: $BIN is missing; build it first (swift build)" >&2
  exit 1
fi
for tool in /usr/bin/chromium /usr/bin/chromedriver; do
  if [ ! -x "$tool" ]; then
    echo "console-test: $tool is missing (apt-get install chromium chromium-driver python3-selenium python3-cryptography)" >&2
    exit 1
  fi
done
if ! "$PYTHON" -c 'import selenium, cryptography' 2>/dev/null; then
  echo "console-test: $PYTHON lacks selenium or cryptography (apt-get install python3-selenium python3-cryptography)" >&2
  exit 1
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/console-test.XXXXXX")
PIDS=()
cleanup() {
  local status=$?
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [ $status -ne 0 ]; then
    echo "console-test: failed; gatewayd log tail:" >&2
    tail -n 40 "$WORK/serve.log" >&2 2>/dev/null || true
  fi
  if [ -n "${KEEP_WORK:-}" ] || [ $status -ne 0 ]; then
    echo "console-test: scratch directory kept: $WORK" >&2
  else
    rm -rf "$WORK"
  fi
  exit $status
}
trap cleanup EXIT

free_port() {
  "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# One configuration for every gatewayd command (environment variables, see README "Configuration").
unset GATEWAY_STORAGE_URL GATEWAY_CONFIG
export GATEWAY_DATA_DIR=$WORK/var
export GATEWAY_CERTS_DIR=$WORK/certs
export GATEWAY_CONTRACTS_DIR=$WORK/contracts   # empty: no bootstrap agreements, built-in taxonomy
export GATEWAY_LOG_ORIGIN=console-test.example/gateway
export GATEWAY_PROXY_HOST=127.0.0.1
export GATEWAY_ADMIN_HOST=127.0.0.1
export GATEWAY_PROXY_PORT=$(free_port)
export GATEWAY_ADMIN_PORT=$(free_port)
export GATEWAY_UPSTREAM_ALLOW_PRIVATE_ADDRESSES=true   # the local vendor is at 127.0.0.1
export GATEWAY_UPSTREAM_TRUST_ROOTS=$WORK/certs/ca.pem  # and uses the development server certificate
export GATEWAY_LOG_LEVEL=${GATEWAY_LOG_LEVEL:-info}
mkdir -p "$GATEWAY_CONTRACTS_DIR" "$GATEWAY_DATA_DIR"
if [ -n "${CONSOLE_FROM_DISK:-}" ]; then
  export GATEWAY_CONSOLE_DIR=$ROOT/console
else
  unset GATEWAY_CONSOLE_DIR
fi

"$BIN" certs init > "$WORK/certs.log"

VENDOR_PORT=$(free_port)
"$PYTHON" Tests/browser/vendor.py --port "$VENDOR_PORT" --cert "$WORK/certs/server.pem" \
  --key "$WORK/certs/server-key.pem" --record "$WORK/vendor-requests.jsonl" > "$WORK/vendor.log" 2>&1 &
PIDS+=($!)

"$PYTHON" Tests/browser/agreements.py "$WORK/agreements" "$VENDOR_PORT" > "$WORK/agreements.json"
"$BIN" contracts import --approve "$WORK/agreements/sharebox.xml" "$WORK/agreements/soonco.xml"

issue() { "$BIN" tokens issue --role "$1" --name "$2" 2>/dev/null; }
export TOKEN_PROCUREMENT_1=$(issue procurement console-alice)
export TOKEN_PROCUREMENT_2=$(issue procurement console-bob)
export TOKEN_CONSENT=$(issue consent console-cmp)
export TOKEN_AUDITOR=$(issue auditor console-audrey)
export TOKEN_ADMIN=$(issue admin console-root)

"$BIN" serve > "$WORK/serve.log" 2>&1 &
PIDS+=($!)
SERVE_PID=$!

export CA=$WORK/certs/ca.pem
export ADMIN_URL=https://127.0.0.1:$GATEWAY_ADMIN_PORT
export PROXY_URL=https://127.0.0.1:$GATEWAY_PROXY_PORT
for _ in $(seq 1 300); do
  if ! kill -0 "$SERVE_PID" 2>/dev/null; then
    echo "console-test: gatewayd serve exited" >&2
    exit 1
  fi
  if "$PYTHON" - <<'EOF' 2>/dev/null; then break; fi
import os, ssl, urllib.request
ctx = ssl.create_default_context(cafile=os.environ["CA"])
urllib.request.urlopen(os.environ["ADMIN_URL"] + "/readyz", context=ctx, timeout=2).read()
EOF
  sleep 0.2
done

export SUBJECT_WITH_SHARES=${SUBJECT_WITH_SHARES:-"u-1001 ü?#&%"}   # any characters: the console percent-encodes
export SHARE_VENDOR=sharebox
export CLIENT_CERT=$WORK/certs/clients/demo-service.pem
export CLIENT_KEY=$WORK/certs/clients/demo-service-key.pem
"$PYTHON" Tests/browser/seed.py

export CONSOLE_URL=$ADMIN_URL/console/
export CONSOLE_CA=$WORK/certs/ca.pem
export CONSOLE_SERVER_CERT=$WORK/certs/server.pem
export DPA_VALID=$WORK/agreements/valid.xml
export DPA_VALID_VENDOR=consolevalid
export DPA_BAD=$WORK/agreements/bad.xml
export DPA_XSS=$WORK/agreements/xss.xml
export SCREENSHOT_DIR=${SCREENSHOT_DIR:-$WORK/screenshots}
mkdir -p "$SCREENSHOT_DIR"

"$PYTHON" Tests/browser/console_test.py
echo "console-test: screenshots in $SCREENSHOT_DIR"
