#!/usr/bin/env bash
# The test command: the whole suite on SQLite, then again on PostgreSQL.
#
# PostgreSQL: GATEWAY_TEST_POSTGRES_URL (a superuser URL, e.g. postgres://postgres@127.0.0.1:5432/postgres)
# when set; otherwise, when PostgreSQL's server binaries are installed (Debian: `postgresql`), a throwaway
# cluster is made in a temporary directory on 127.0.0.1 and removed afterwards. With neither, only the
# SQLite run happens (and the script says so).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== swift format lint"
swift format lint --strict -r Sources Tests
swift build --build-tests
echo "== tests on SQLite"
swift test --skip-build

# The console in a real browser, when Chromium and Selenium are installed (.ci/run installs them).
browser_tests() {
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && /usr/bin/python3 -c 'import selenium' 2>/dev/null; then
    echo "== console tests in headless Chromium"
    scripts/console-test.sh
  else
    echo "== Chromium, chromium-driver or python3-selenium is not installed: the console's browser tests are skipped"
  fi
}

pg_bin=""
for candidate in /usr/lib/postgresql/*/bin; do
  [ -x "$candidate/initdb" ] && pg_bin="$candidate"
done

if [ -z "${GATEWAY_TEST_POSTGRES_URL:-}" ]; then
  if [ -z "$pg_bin" ]; then
    echo "== PostgreSQL is not installed: the PostgreSQL run is skipped (apt-get install postgresql to include it)"
    browser_tests
    exit 0
  fi
  work=$(mktemp -d /tmp/gateway-pg.XXXXXX)
  port=${GATEWAY_TEST_POSTGRES_PORT:-55439}
  as_postgres=()
  if [ "$(id -u)" = 0 ]; then
    # initdb refuses to run as root: the cluster belongs to the postgres user.
    chown postgres "$work"
    as_postgres=(runuser -u postgres --)
  fi
  "${as_postgres[@]}" "$pg_bin/initdb" -D "$work/data" -A trust -U postgres >"$work/initdb.log" 2>&1
  cat >"$work/control.sh" <<CONTROL
#!/usr/bin/env bash
# stop | start the test cluster (used by the database-outage test)
case "\$1" in
  stop) ${as_postgres[*]} "$pg_bin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null ;;
  start) ${as_postgres[*]} "$pg_bin/pg_ctl" -D "$work/data" -w -l "$work/server.log" -o "-p $port -k $work -c listen_addresses=127.0.0.1 -c max_connections=400" start >/dev/null ;;
esac
CONTROL
  chmod +x "$work/control.sh"
  cleanup() {
    "$work/control.sh" stop || true
    rm -rf "$work"
  }
  trap cleanup EXIT
  "$work/control.sh" start
  export GATEWAY_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
  export GATEWAY_TEST_POSTGRES_CONTROL="$work/control.sh"
fi

echo "== tests on PostgreSQL ($GATEWAY_TEST_POSTGRES_URL)"
swift test --skip-build

browser_tests
