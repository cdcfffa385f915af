#!/usr/bin/env bash
# Load test: the gateway against nginx as a TLS-terminating reverse proxy, both in front of the same local
# TLS upstream (nginx answering 200 {"ok":true}), measured alternately.
#
#   Benchmarks/run-load.sh                 3 rounds x 15 s per scenario and server, 64 connections
#   Benchmarks/run-load.sh --quick         1 round x 5 s (smoke test)
#   Benchmarks/run-load.sh --skip-c        without scenario (c) (no 10M-consent store needed)
#   Benchmarks/run-load.sh --help          every option
#
# Scenarios (the gateway does consent lookup, redaction and a durable share-log entry for every request;
# nginx forwards the bytes as they are):
#   a       one ~600-byte JSON record with 15 fields (6 redacted), subjects cycling over 10,000 consented ones
#   b       a 100-record batch of the same records (reported as batches/s and records/s)
#   c       (a) on a store with 10,000 registered vendors and 10,000,000 consent records (cached under
#           $VENDOR_GATEWAY_BENCH_CACHE, default /tmp/vendor-gateway-bench, built once by `benchprep big-store`)
#   c-cold  (c) with subjects cycling over the 1,000,000 subjects of the big store, so most consent lookups
#           miss the gateway's cache and read SQLite (skip with --skip-c-cold)
#
#   Benchmarks/run-load.sh --soak 600 --connections 6   the gateway alone on (a) for 600 s, resident memory
#           sampled every 10 s (a soak: memory must stay flat, no errors)
#   Benchmarks/run-load.sh --batches 1,100,1000,10000   one connection, batches of each size in turn: latency per
#           batch and per record, and the gateway's peak resident memory (body limits raised to 16 MiB)
#   Benchmarks/run-load.sh --postgres URL [--instances 2]   (a) and (b) with the store on PostgreSQL (URL of a
#           role that may create databases; a fresh database is made per run), behind HAProxy with two instances
#
# Everything listens on 127.0.0.1 only; every server started here is stopped by PID on exit.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"

ROUNDS=3
DURATION=15
WARMUP=2
CONNECTIONS=64
LOADGEN_THREADS=1
SKIP_C=0
SKIP_C_COLD=0
BUILD=1
KEEP=0
PERF=0
POSTGRES=""
INSTANCES=1
SOAK=0
BATCHES=""
SCENARIOS=""
CACHE="${VENDOR_GATEWAY_BENCH_CACHE:-/tmp/vendor-gateway-bench}"
PORT_BASE="${GATEWAY_BENCH_PORT_BASE:-18440}"

usage() {
    sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'
    cat <<EOF

Options:
  --quick              1 round x 5 s, 1 s warm-up
  --rounds N           rounds (default $ROUNDS); each round measures every scenario on both servers
  --duration S         seconds measured per run (default $DURATION)
  --warmup S           seconds of load before each measurement (default $WARMUP)
  --connections N      keep-alive TLS connections (default $CONNECTIONS)
  --loadgen-threads N  event-loop threads of the load generator (default $LOADGEN_THREADS)
  --scenarios LIST     comma-separated subset of a,b,c,c-cold
  --skip-c             skip (c) and (c-cold)
  --skip-c-cold        skip (c-cold)
  --no-build           use the release binaries already built
  --keep               keep the temporary directory (logs, configs, raw results)
  --postgres URL       the gateway's store on PostgreSQL (a fresh database on that server); (c) is skipped
  --instances N        1 or 2; with 2 (needs --postgres) two gateways share the database behind HAProxy
                       (TCP passthrough, round robin) and (a), (b) go through HAProxy
  --batches LIST       batch scaling: sizes to send one at a time over one connection (only the gateway)
  --soak S             only the gateway, scenario (a), one run of S seconds; resident memory sampled every 10 s
  --perf               profile the server under test with \`perf record\` during round 1 (gateway and nginx);
                       reports land next to the results (perf slows the profiled run a little)
EOF
}

while [ $# -gt 0 ]; do
    case "$1" in
        --quick) ROUNDS=1; DURATION=5; WARMUP=1 ;;
        --rounds) ROUNDS="$2"; shift ;;
        --duration) DURATION="$2"; shift ;;
        --warmup) WARMUP="$2"; shift ;;
        --connections) CONNECTIONS="$2"; shift ;;
        --loadgen-threads) LOADGEN_THREADS="$2"; shift ;;
        --scenarios) SCENARIOS="$2"; shift ;;
        --skip-c) SKIP_C=1 ;;
        --skip-c-cold) SKIP_C_COLD=1 ;;
        --no-build) BUILD=0 ;;
        --keep) KEEP=1 ;;
        --perf) PERF=1 ;;
        --postgres) POSTGRES="$2"; shift ;;
        --soak) SOAK="$2"; shift ;;
        --batches) BATCHES="$2"; shift ;;
        --instances) INSTANCES="$2"; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

if [ "$SOAK" != 0 ]; then SCENARIOS=a; ROUNDS=1; DURATION=$SOAK; fi
if [ -n "$BATCHES" ]; then SCENARIOS=a; fi
case "$INSTANCES" in 1|2) ;; *) echo "--instances takes 1 or 2" >&2; exit 2 ;; esac
if [ "$INSTANCES" = 2 ] && [ -z "$POSTGRES" ]; then echo "--instances 2 needs --postgres" >&2; exit 2; fi
if [ -n "$POSTGRES" ]; then SKIP_C=1; fi
if [ -z "$SCENARIOS" ]; then
    SCENARIOS="a,b"
    [ "$SKIP_C" = 1 ] || SCENARIOS="$SCENARIOS,c"
    [ "$SKIP_C" = 1 ] || [ "$SKIP_C_COLD" = 1 ] || SCENARIOS="$SCENARIOS,c-cold"
fi
has() { case ",$SCENARIOS," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }
NEED_C=0
if has c || has c-cold; then NEED_C=1; fi

UPSTREAM_PORT=$PORT_BASE             # the local vendor (nginx, TLS)
NGINX_PORT=$((PORT_BASE + 1))        # nginx as the baseline reverse proxy (mTLS)
GW_A_PORT=$((PORT_BASE + 3))         # gateway on a fresh store: (a), (b)
GW_A_ADMIN=$((PORT_BASE + 4))
GW_C_PORT=$((PORT_BASE + 5))         # gateway on the big store: (c), (c-cold)
GW_C_ADMIN=$((PORT_BASE + 6))
GW_A2_PORT=$((PORT_BASE + 7))        # second instance on the same PostgreSQL database (--instances 2)
GW_A2_ADMIN=$((PORT_BASE + 8))
HAPROXY_PORT=$((PORT_BASE + 9))      # HAProxy in front of both instances

log() { printf '[run-load %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

for tool in openssl python3 curl; do
    command -v "$tool" >/dev/null || die "$tool is needed (apt-get install -y $tool)"
done
if ! command -v nginx >/dev/null; then
    log "nginx is missing; installing it (apt-get install -y nginx-light)"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null) \
        || die "cannot install nginx; install it and run again"
fi
NGINX="$(command -v nginx)"
if [ "$PERF" = 1 ] && ! command -v perf >/dev/null; then
    die "--perf needs perf (apt-get install -y linux-perf)"
fi

# Every port must be free: a server left over from another run would be measured instead.
for port in "$UPSTREAM_PORT" "$NGINX_PORT" "$GW_A_PORT" "$GW_A_ADMIN" "$GW_C_PORT" "$GW_C_ADMIN" \
    "$GW_A2_PORT" "$GW_A2_ADMIN" "$HAPROXY_PORT"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        die "127.0.0.1:$port is in use; stop what listens there or set GATEWAY_BENCH_PORT_BASE"
    fi
done

# ---------------------------------------------------------------------------------------------------------
# Build (release)
if [ "$BUILD" = 1 ]; then
    log "building the gateway (release): swift build -c release in $ROOT"
    (cd "$ROOT" && swift build -c release --product gatewayd) >&2
    log "building loadgen and benchprep (release) in $HERE"
    (cd "$HERE" && swift build -c release --product loadgen && swift build -c release --product benchprep) >&2
fi
GATEWAYD="$(cd "$ROOT" && swift build -c release --show-bin-path)/gatewayd"
BENCH_BIN="$(cd "$HERE" && swift build -c release --show-bin-path)"
LOADGEN="$BENCH_BIN/loadgen"
BENCHPREP="$BENCH_BIN/benchprep"
for binary in "$GATEWAYD" "$LOADGEN" "$BENCHPREP"; do
    [ -x "$binary" ] || die "$binary is missing (run without --no-build)"
done

# ---------------------------------------------------------------------------------------------------------
# Working directory, cleanup
WORK="$(mktemp -d /tmp/gateway-load.XXXXXX)"
chmod 755 "$WORK"
PIDS=()
cleanup() {
    local status=$?
    for pid in "${PIDS[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; fi
    done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    done
    if [ "$KEEP" = 1 ] || [ $status -ne 0 ]; then
        log "kept $WORK (logs in $WORK/logs)"
    else
        rm -rf "$WORK"
    fi
    exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$WORK/logs" "$WORK/results"
log "working in $WORK"

# ---------------------------------------------------------------------------------------------------------
# Certificates: the gateway's development CA (server certificate for 127.0.0.1, client `checkout`), and a
# separate vendor CA for the upstream, made with openssl.
CERTS="$WORK/certs"
GATEWAY_CERTS_DIR="$CERTS" "$GATEWAYD" certs init >/dev/null
GATEWAY_CERTS_DIR="$CERTS" "$GATEWAYD" certs client checkout >/dev/null
VENDOR="$WORK/vendor"
mkdir -p "$VENDOR"
(
    cd "$VENDOR"
    openssl ecparam -name prime256v1 -genkey -noout -out vendor-ca-key.pem 2>/dev/null
    openssl req -x509 -new -key vendor-ca-key.pem -sha256 -days 30 -subj "/CN=bench vendor CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -out vendor-ca.pem 2>/dev/null
    openssl ecparam -name prime256v1 -genkey -noout -out upstream-key.pem 2>/dev/null
    openssl req -new -key upstream-key.pem -subj "/CN=localhost" -out upstream.csr 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' > upstream.ext
    openssl x509 -req -in upstream.csr -CA vendor-ca.pem -CAkey vendor-ca-key.pem -CAcreateserial -days 30 \
        -sha256 -extfile upstream.ext -out upstream.pem 2>/dev/null
    chmod 600 vendor-ca-key.pem upstream-key.pem
)

# ---------------------------------------------------------------------------------------------------------
# nginx: the upstream (a fixed answer) and the baseline proxy (mTLS with the gateway's client CA, keep-alive
# TLS to the same upstream, certificate verified like the gateway does).
for name in upstream proxy; do
    mkdir -p "$WORK/nginx-$name/tmp"
    chmod 777 "$WORK/nginx-$name/tmp"
done
cat > "$WORK/nginx-upstream/nginx.conf" <<EOF
worker_processes auto;
pid $WORK/nginx-upstream/nginx.pid;
error_log $WORK/logs/nginx-upstream-error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx-upstream/tmp/body;
    proxy_temp_path $WORK/nginx-upstream/tmp/proxy;
    fastcgi_temp_path $WORK/nginx-upstream/tmp/fastcgi;
    uwsgi_temp_path $WORK/nginx-upstream/tmp/uwsgi;
    scgi_temp_path $WORK/nginx-upstream/tmp/scgi;
    client_body_buffer_size 2m;
    client_max_body_size 8m;
    keepalive_requests 10000000;
    keepalive_timeout 300s;
    server {
        listen 127.0.0.1:$UPSTREAM_PORT ssl;
        ssl_certificate $VENDOR/upstream.pem;
        ssl_certificate_key $VENDOR/upstream-key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        default_type application/json;
        location / { return 200 '{"ok":true}'; }
    }
}
EOF
cat > "$WORK/nginx-proxy/nginx.conf" <<EOF
worker_processes auto;
pid $WORK/nginx-proxy/nginx.pid;
error_log $WORK/logs/nginx-proxy-error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx-proxy/tmp/body;
    proxy_temp_path $WORK/nginx-proxy/tmp/proxy;
    fastcgi_temp_path $WORK/nginx-proxy/tmp/fastcgi;
    uwsgi_temp_path $WORK/nginx-proxy/tmp/uwsgi;
    scgi_temp_path $WORK/nginx-proxy/tmp/scgi;
    client_body_buffer_size 2m;
    client_max_body_size 1m;
    keepalive_requests 10000000;
    keepalive_timeout 300s;
    upstream vendor_bench {
        server 127.0.0.1:$UPSTREAM_PORT;
        keepalive 64;
        keepalive_requests 10000000;
        keepalive_timeout 300s;
    }
    server {
        listen 127.0.0.1:$NGINX_PORT ssl;
        ssl_certificate $CERTS/server.pem;
        ssl_certificate_key $CERTS/server-key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_client_certificate $CERTS/ca.pem;
        ssl_verify_client on;
        location /vendors/bench/ {
            proxy_pass https://vendor_bench/v1/;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host 127.0.0.1:$UPSTREAM_PORT;
            proxy_ssl_trusted_certificate $VENDOR/vendor-ca.pem;
            proxy_ssl_verify on;
            proxy_ssl_name localhost;
            proxy_ssl_server_name on;
            proxy_ssl_session_reuse on;
        }
    }
}
EOF
start_nginx() {
    local name=$1
    "$NGINX" -t -q -p "$WORK/nginx-$name" -c "$WORK/nginx-$name/nginx.conf" 2>>"$WORK/logs/nginx-$name-error.log" \
        || die "nginx $name configuration is invalid (see $WORK/logs/nginx-$name-error.log)"
    "$NGINX" -p "$WORK/nginx-$name" -c "$WORK/nginx-$name/nginx.conf" -g 'daemon off;' \
        >>"$WORK/logs/nginx-$name.out" 2>&1 &
    STARTED_PID=$!
    PIDS+=("$STARTED_PID")
}
wait_port() {
    local port=$1 pid=$2 name=$3
    for _ in $(seq 1 300); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
        kill -0 "$pid" 2>/dev/null || die "$name exited (see $WORK/logs)"
        sleep 0.1
    done
    die "$name does not listen on 127.0.0.1:$port"
}
start_nginx upstream
UPSTREAM_PID=$STARTED_PID
wait_port "$UPSTREAM_PORT" "$UPSTREAM_PID" "the upstream nginx"
start_nginx proxy
NGINX_PID=$STARTED_PID
wait_port "$NGINX_PORT" "$NGINX_PID" "the proxy nginx"
log "nginx: upstream on 127.0.0.1:$UPSTREAM_PORT (pid $UPSTREAM_PID), proxy on 127.0.0.1:$NGINX_PORT (pid $NGINX_PID)"

# ---------------------------------------------------------------------------------------------------------
# The bench agreement (pointing at the local upstream), bodies, consents.
"$BENCHPREP" agreement --base-url "https://127.0.0.1:$UPSTREAM_PORT/v1" > "$WORK/bench-agreement.xml"
"$BENCHPREP" body --records 1 > "$WORK/body-1.json"
"$BENCHPREP" body --records 100 > "$WORK/body-100.json"
"$BENCHPREP" body --records 1 --subject 'c-{{n}}' > "$WORK/body-1-cold.json"
"$BENCHPREP" consents --subjects 10000 --prefix u- --vendor bench > "$WORK/consents-10k.jsonl"
MAX_CONCURRENCY=$(( CONNECTIONS > 64 ? CONNECTIONS : 64 ))
if [ -n "$BATCHES" ]; then
    printf '{"limits":{"vendor":{"maxConcurrency":%d},"body":{"maxBytes":16777216,"maxDecodedBytes":67108864}}}\n' \
        "$MAX_CONCURRENCY" > "$WORK/gateway-config.json"
else
    printf '{"limits":{"vendor":{"maxConcurrency":%d}}}\n' "$MAX_CONCURRENCY" > "$WORK/gateway-config.json"
fi
log "bodies: 1 record $(wc -c < "$WORK/body-1.json") bytes, 100 records $(wc -c < "$WORK/body-100.json") bytes"

# The environment of gateway instance $1 (a or c), in GW_ENV.
gw_env() {
    local instance=$1 port admin
    case "$instance" in
        a) port=$GW_A_PORT; admin=$GW_A_ADMIN ;;
        a2) port=$GW_A2_PORT; admin=$GW_A2_ADMIN ;;
        *) port=$GW_C_PORT; admin=$GW_C_ADMIN ;;
    esac
    GW_ENV=(GATEWAY_PROXY_HOST=127.0.0.1 GATEWAY_PROXY_PORT="$port"
        GATEWAY_ADMIN_HOST=127.0.0.1 GATEWAY_ADMIN_PORT="$admin"
        GATEWAY_DATA_DIR="$WORK/gw-$instance" GATEWAY_CERTS_DIR="$CERTS" GATEWAY_CONTRACTS_DIR="$ROOT/contracts"
        GATEWAY_UPSTREAM_TRUST_ROOTS="$VENDOR/vendor-ca.pem" GATEWAY_UPSTREAM_ALLOW_PRIVATE_ADDRESSES=true
        GATEWAY_LOG_ORIGIN="bench.local/gateway-$instance" GATEWAY_CREDENTIAL_BENCH_API_KEY=bench-secret-token)
    if [ -n "$POSTGRES" ] && [ "$instance" != c ]; then GW_ENV+=(GATEWAY_STORAGE_URL="$PG_DATABASE_URL"); fi
}

# gatewayd with the environment of instance $1 (a or c).
gw() {
    local instance=$1; shift
    gw_env "$instance"
    env "${GW_ENV[@]}" "$GATEWAYD" "$@" --config "$WORK/gateway-config.json"
}

prepare_gateway() {
    local instance=$1
    mkdir -p "$WORK/gw-$instance"
    gw "$instance" contracts import "$WORK/bench-agreement.xml" --approve >>"$WORK/logs/gateway-$instance-setup.log" 2>&1 \
        || die "contracts import failed (see $WORK/logs/gateway-$instance-setup.log)"
    gw "$instance" consents import "$WORK/consents-10k.jsonl" >>"$WORK/logs/gateway-$instance-setup.log" 2>&1 \
        || die "consents import failed (see $WORK/logs/gateway-$instance-setup.log)"
}

start_gateway() {
    local instance=$1 port=$2
    gw_env "$instance"
    # env execs gatewayd: $! is the gateway's own PID.
    env "${GW_ENV[@]}" "$GATEWAYD" serve --config "$WORK/gateway-config.json" >>"$WORK/logs/gateway-$instance.log" 2>&1 &
    STARTED_PID=$!
    PIDS+=("$STARTED_PID")
    wait_port "$port" "$STARTED_PID" "gateway $instance"
}

# (c): the big store, cached; each run works on a copy.
if [ "$NEED_C" = 1 ]; then
    BIG="$CACHE/store-10k-vendors-10m-consents-v1.sqlite"
    if [ ! -f "$BIG" ]; then
        mkdir -p "$CACHE"
        log "making the (c) store once: 10,000 vendors, 10,000,000 consent records -> $BIG (cached for later runs)"
        rm -f "$BIG.building" "$BIG.building-wal" "$BIG.building-shm"
        GATEWAY_LOG_LEVEL=warning "$BENCHPREP" big-store --database "$BIG.building" 2>&1 | tee -a "$WORK/logs/big-store.log" >&2
        if command -v sqlite3 >/dev/null; then sqlite3 "$BIG.building" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null; fi
        [ ! -s "$BIG.building-wal" ] || die "the big store's WAL was not checkpointed"
        rm -f "$BIG.building-wal" "$BIG.building-shm"
        mv "$BIG.building" "$BIG"
    else
        log "reusing the (c) store $BIG"
    fi
    mkdir -p "$WORK/gw-c"
    cp --reflink=auto "$BIG" "$WORK/gw-c/gateway.sqlite"
fi

if [ -n "$POSTGRES" ]; then
    command -v psql >/dev/null || die "--postgres needs psql (apt-get install -y postgresql-client)"
    PG_DATABASE="gateway_bench_$(date +%s)"
    psql "$POSTGRES" -qc "CREATE DATABASE $PG_DATABASE" >/dev/null || die "cannot create database $PG_DATABASE on $POSTGRES"
    PG_DATABASE_URL="$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$POSTGRES" "$PG_DATABASE")"
    log "store: PostgreSQL database $PG_DATABASE"
fi
prepare_gateway a
start_gateway a "$GW_A_PORT"
GW_A_PID=$STARTED_PID
log "gateway a on 127.0.0.1:$GW_A_PORT (pid $GW_A_PID)"
GW_SERVER_PORT=$GW_A_PORT
GW_SERVER_PIDS="$GW_A_PID"
if [ "$INSTANCES" = 2 ]; then
    mkdir -p "$WORK/gw-a2"
    start_gateway a2 "$GW_A2_PORT"
    GW_A2_PID=$STARTED_PID
    log "gateway a2 on 127.0.0.1:$GW_A2_PORT (pid $GW_A2_PID), same database"
    command -v haproxy >/dev/null || die "--instances 2 needs haproxy (apt-get install -y haproxy)"
    cat > "$WORK/haproxy.cfg" <<HAPROXY
global
    maxconn 4000
defaults
    mode tcp
    timeout connect 5s
    timeout client 300s
    timeout server 300s
frontend data
    bind 127.0.0.1:$HAPROXY_PORT
    default_backend gateways
backend gateways
    balance roundrobin
    server a 127.0.0.1:$GW_A_PORT
    server a2 127.0.0.1:$GW_A2_PORT
HAPROXY
    haproxy -f "$WORK/haproxy.cfg" -db >>"$WORK/logs/haproxy.log" 2>&1 &
    HAPROXY_PID=$!
    PIDS+=("$HAPROXY_PID")
    wait_port "$HAPROXY_PORT" "$HAPROXY_PID" haproxy
    log "haproxy on 127.0.0.1:$HAPROXY_PORT (pid $HAPROXY_PID) in front of both"
    GW_SERVER_PORT=$HAPROXY_PORT
    GW_SERVER_PIDS="$GW_A_PID $GW_A2_PID $HAPROXY_PID"
fi
GW_C_PID=""
if [ "$NEED_C" = 1 ]; then
    prepare_gateway c
    start_gateway c "$GW_C_PORT"
    GW_C_PID=$STARTED_PID
    log "gateway c (big store) on 127.0.0.1:$GW_C_PORT (pid $GW_C_PID)"
fi

# ---------------------------------------------------------------------------------------------------------
# Sanity: one request through each server must succeed, and the gateway must redact.
check_once() {
    local port=$1 name=$2 body=$3 value=${4:-1}
    local out
    out=$(sed "s/{{n}}/$value/g" "$body" | curl -sS -D - -o "$WORK/check-$name.body" \
        --cacert "$CERTS/ca.pem" --cert "$CERTS/clients/checkout.pem" --key "$CERTS/clients/checkout-key.pem" \
        -H 'content-type: application/json' -H 'share-purpose: analytics' --data-binary @- \
        "https://127.0.0.1:$port/vendors/bench/events") || die "$name: the check request failed"
    echo "$out" | head -1 | grep -q ' 200' || die "$name: the check request was answered: $(echo "$out" | head -1) $(cat "$WORK/check-$name.body")"
    if [ "$name" != nginx ]; then
        echo "$out" | grep -qi '^share-records: 1/1' || die "$name: no Share-Records: 1/1 header"
        log "$name: $(echo "$out" | grep -i '^share-redactions' | tr -d '\r'), $(echo "$out" | grep -i '^share-records' | tr -d '\r')"
    fi
}
check_once "$NGINX_PORT" nginx "$WORK/body-1.json"
check_once "$GW_SERVER_PORT" gateway-a "$WORK/body-1.json"
if [ "$NEED_C" = 1 ]; then
    check_once "$GW_C_PORT" gateway-c "$WORK/body-1.json"
    has c-cold && check_once "$GW_C_PORT" gateway-c-cold "$WORK/body-1-cold.json" 0000001
fi

# Prime the gateways: one request per consented subject (u-0..u-9999) fills the consent cache and the
# upstream connection pool, as on a gateway that has been running; (c-cold) is meant to miss and is not primed.
prime() {
    local port=$1 name=$2
    "$LOADGEN" --url "https://127.0.0.1:$port/vendors/bench/events" --connections "$CONNECTIONS" --requests 10000 \
        --threads "$LOADGEN_THREADS" \
        --cert "$CERTS/clients/checkout.pem" --key "$CERTS/clients/checkout-key.pem" --cacert "$CERTS/ca.pem" \
        --body-file "$WORK/body-1.json" --header 'share-purpose: analytics' --template-modulo 10000 --json-only \
        > "$WORK/results/prime-$name.json" 2>>"$WORK/logs/loadgen.log" || die "priming $name failed"
    log "primed $name: $(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["requests"], "requests,", r["status"])' "$WORK/results/prime-$name.json")"
}
if has a || has b; then prime "$GW_SERVER_PORT" gateway-a; fi
if has c; then prime "$GW_C_PORT" gateway-c; fi

# ---------------------------------------------------------------------------------------------------------
# Measurements
cpu_ticks() {  # user+system clock ticks of a process and its children processes (nginx workers)
    local total=0 pid
    for pid in "$@" $(for p in "$@"; do pgrep -P "$p" || true; done); do
        if [ -r "/proc/$pid/stat" ]; then
            total=$(( total + $(awk '{print $14 + $15}' "/proc/$pid/stat") ))
        fi
    done
    echo "$total"
}

measure() {  # scenario server round port pid body modulo width
    local scenario=$1 server=$2 round=$3 port=$4 pid=$5 body=$6 modulo=$7 width=$8
    local label="$scenario/$server/$round"
    local before after perf_pid=""
    pid=${pid//,/ }
    if [ "$PERF" = 1 ] && [ "$round" = 1 ]; then
        local targets
        # shellcheck disable=SC2086
        targets=$(echo $pid $(for p in $pid; do pgrep -P "$p" || true; done) | tr ' ' ',')
        perf record -F "${PERF_FREQUENCY:-499}" -g -p "$targets" -o "$WORK/results/perf-$scenario-$server.data" \
            -- sleep "$(python3 -c "print($WARMUP + $DURATION)")" >>"$WORK/logs/perf.log" 2>&1 &
        perf_pid=$!
    fi
    # shellcheck disable=SC2086
    before=$(cpu_ticks $pid)
    local start_ns end_ns
    start_ns=$(date +%s%N)
    "$LOADGEN" --url "https://127.0.0.1:$port/vendors/bench/events" \
        --connections "$CONNECTIONS" --duration "$DURATION" --warmup "$WARMUP" --threads "$LOADGEN_THREADS" \
        --cert "$CERTS/clients/checkout.pem" --key "$CERTS/clients/checkout-key.pem" --cacert "$CERTS/ca.pem" \
        --body-file "$body" --header 'share-purpose: analytics' --header 'x-request-id: loadgen' \
        --template-modulo "$modulo" --template-width "$width" --label "$label" \
        > "$WORK/results/$(echo "$label" | tr / -).txt" 2>>"$WORK/logs/loadgen.log" \
        || die "loadgen failed for $label"
    end_ns=$(date +%s%N)
    # shellcheck disable=SC2086
    after=$(cpu_ticks $pid)
    if [ -n "$perf_pid" ]; then
        wait "$perf_pid" || true
        perf report -i "$WORK/results/perf-$scenario-$server.data" --stdio --no-children --percent-limit 0.7 \
            --sort symbol 2>/dev/null | grep -v '^$' | swift demangle --simplified \
            > "$WORK/results/perf-$scenario-$server.txt" || true
        perf report -i "$WORK/results/perf-$scenario-$server.data" --stdio --children --percent-limit 2 \
            --sort symbol -g none 2>/dev/null | grep -v '^$' | swift demangle --simplified \
            > "$WORK/results/perf-$scenario-$server-children.txt" || true
        perf report -i "$WORK/results/perf-$scenario-$server.data" --stdio --no-children --sort dso -g none \
            2>/dev/null | grep -v '^$' > "$WORK/results/perf-$scenario-$server-dso.txt" || true
    fi
    local line
    line=$(tail -1 "$WORK/results/$(echo "$label" | tr / -).txt")
    python3 - "$line" "$scenario" "$server" "$round" "$((after - before))" "$(getconf CLK_TCK)" "$start_ns" "$end_ns" \
        >> "$WORK/results/runs.jsonl" <<'EOF'
import json, sys
line, scenario, server, rnd, ticks, hz, start_ns, end_ns = sys.argv[1:]
result = json.loads(line)
result.update(scenario=scenario, server=server, round=int(rnd))
wall = (int(end_ns) - int(start_ns)) / 1e9
result["server_cpu_percent"] = round(100.0 * int(ticks) / int(hz) / wall, 1) if wall > 0 else 0
print(json.dumps(result, sort_keys=True))
EOF
    sed -n '1,7p' "$WORK/results/$(echo "$label" | tr / -).txt" | sed 's/^/    /' >&2
}

scenario_args() {  # port pid body modulo width, for a scenario on a server
    local scenario=$1 server=$2
    case "$scenario/$server" in
        a/gateway) echo "$GW_SERVER_PORT ${GW_SERVER_PIDS// /,} $WORK/body-1.json 10000 0" ;;
        b/gateway) echo "$GW_SERVER_PORT ${GW_SERVER_PIDS// /,} $WORK/body-100.json 10000 0" ;;
        c/gateway) echo "$GW_C_PORT $GW_C_PID $WORK/body-1.json 10000 0" ;;
        c-cold/gateway) echo "$GW_C_PORT $GW_C_PID $WORK/body-1-cold.json 1000000 7" ;;
        a/nginx|c/nginx) echo "$NGINX_PORT $NGINX_PID $WORK/body-1.json 10000 0" ;;
        b/nginx) echo "$NGINX_PORT $NGINX_PID $WORK/body-100.json 10000 0" ;;
        c-cold/nginx) echo "$NGINX_PORT $NGINX_PID $WORK/body-1-cold.json 1000000 7" ;;
    esac
}

if [ -n "$BATCHES" ]; then
    RESULTS_DIR="$CACHE/results"
    mkdir -p "$RESULTS_DIR"
    STAMP="$(date +%Y%m%d-%H%M%S)"
    {
        echo "Batch scaling: one connection, one batch at a time, records of 15 fields (6 redacted), subjects over"
        echo "10,000 consented ones; latency medians over the requests sent; peak resident memory (VmHWM) of the gateway"
        echo "after each size. Gateway body limit raised to 16 MiB for this run."
        echo
        echo "| records per batch | body bytes | requests | p50 ms | p99 ms | us per record (p50) | gateway peak RSS MiB | non-200 |"
        echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    } > "$RESULTS_DIR/batches-$STAMP.md"
    for size in ${BATCHES//,/ }; do
        "$BENCHPREP" body --records "$size" > "$WORK/body-batch-$size.json"
        requests=$(( size >= 10000 ? 10 : (size >= 1000 ? 40 : 200) ))
        log "batches of $size records: $requests requests"
        "$LOADGEN" --url "https://127.0.0.1:$GW_A_PORT/vendors/bench/events" --connections 1 --requests "$requests" \
            --threads 1 --cert "$CERTS/clients/checkout.pem" --key "$CERTS/clients/checkout-key.pem" \
            --cacert "$CERTS/ca.pem" --body-file "$WORK/body-batch-$size.json" --header 'share-purpose: analytics' \
            --template-modulo 10000 --json-only > "$WORK/results/batch-$size.json" 2>>"$WORK/logs/loadgen.log" \
            || die "loadgen failed for batches of $size"
        hwm=$(awk '/VmHWM/ {print $2}' "/proc/$GW_A_PID/status")
        python3 - "$WORK/results/batch-$size.json" "$size" "$(wc -c < "$WORK/body-batch-$size.json")" "$hwm" \
            >> "$RESULTS_DIR/batches-$STAMP.md" <<'EOF'
import json, sys
result = json.load(open(sys.argv[1]))
size, body, hwm = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
lat = result["latency_ms"]
non200 = sum(v for k, v in result["status"].items() if k != "200") + result["errors"]
print(f"| {size:,} | {body:,} | {result['requests']} | {lat['p50']:.2f} | {lat['p99']:.2f} | "
      f"{1000 * lat['p50'] / size:.1f} | {hwm / 1024:.0f} | {non200} |")
EOF
    done
    echo
    cat "$RESULTS_DIR/batches-$STAMP.md"
    log "results: $RESULTS_DIR/batches-$STAMP.md"
    exit 0
fi
log "measuring: scenarios $SCENARIOS, $ROUNDS round(s) x $DURATION s (+$WARMUP s warm-up), $CONNECTIONS connections, alternating gateway and nginx"
for round in $(seq 1 "$ROUNDS"); do
    for scenario in a b c c-cold; do
        has "$scenario" || continue
        # Alternate which server goes first from round to round.
        if [ $((round % 2)) = 1 ]; then order="gateway nginx"; else order="nginx gateway"; fi
        [ "$SOAK" = 0 ] || order="gateway"
        for server in $order; do
            sampler=""
            if [ "$SOAK" != 0 ]; then
                (
                    started=$(date +%s)
                    while kill -0 "$GW_A_PID" 2>/dev/null; do
                        echo "$(( $(date +%s) - started )) $(awk '/VmRSS/ {print $2}' "/proc/$GW_A_PID/status")"
                        sleep 10
                    done
                ) > "$WORK/results/rss.txt" 2>/dev/null &
                sampler=$!
            fi
            log "round $round/$ROUNDS: ($scenario) $server"
            # shellcheck disable=SC2046
            measure "$scenario" "$server" "$round" $(scenario_args "$scenario" "$server")
            if [ -n "$sampler" ]; then kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true; fi
        done
    done
done

# ---------------------------------------------------------------------------------------------------------
# Results
RESULTS_DIR="$CACHE/results"
mkdir -p "$RESULTS_DIR"
STAMP="$(date +%Y%m%d-%H%M%S)"
cp "$WORK/results/runs.jsonl" "$RESULTS_DIR/runs-$STAMP.jsonl"
if [ "$PERF" = 1 ]; then
    mkdir -p "$RESULTS_DIR/perf-$STAMP"
    cp "$WORK"/results/perf-*.txt "$RESULTS_DIR/perf-$STAMP/" 2>/dev/null || true
    log "perf reports: $RESULTS_DIR/perf-$STAMP/"
fi
STORE_NOTE="SQLite"
if [ -n "$POSTGRES" ]; then STORE_NOTE="PostgreSQL, one instance"; fi
if [ "$INSTANCES" = 2 ]; then STORE_NOTE="PostgreSQL, two instances behind HAProxy"; fi
python3 - "$WORK/results/runs.jsonl" "$ROUNDS" "$DURATION" "$CONNECTIONS" "$(nproc)" "$LOADGEN_THREADS" "$STORE_NOTE" \
    > "$RESULTS_DIR/results-$STAMP.md" <<'EOF'
import json, statistics, sys
path, rounds, duration, connections, cores, threads, store = sys.argv[1:]
runs = [json.loads(line) for line in open(path) if line.strip()]
records = {"a": 1, "b": 100, "c": 1, "c-cold": 1}
names = {
    "a": "(a) 1 record, 15 fields",
    "b": "(b) 100-record batch",
    "c": "(c) = (a), 10k vendors + 10M consents",
    "c-cold": "(c-cold) = (c), subjects over 1M (cache misses)",
}
def med(xs): return statistics.median(xs) if xs else 0.0
def pick(scenario, server):
    return [r for r in runs if r["scenario"] == scenario and r["server"] == server]
print(f"Load test: {rounds} round(s) x {duration} s per scenario and server, {connections} keep-alive TLS connections, "
      f"closed loop; medians over rounds. Machine: {cores} cores shared by the load generator ({threads} thread), "
      f"the server under test and the upstream nginx. Gateway store: {store}.")
print()
print("| scenario | server | requests/s | records/s | p50 ms | p90 ms | p99 ms | p99.9 ms | server CPU % | non-200 | errors |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
ratios = []
for scenario in ["a", "b", "c", "c-cold"]:
    rows = {}
    for server in ["gateway", "nginx"]:
        rs = pick(scenario, server)
        if not rs: continue
        rps = med([r["requests_per_second"] for r in rs])
        lat = {k: med([r["latency_ms"][k] for r in rs]) for k in ["p50", "p90", "p99", "p99.9"]}
        non200 = sum(v for r in rs for k, v in r["status"].items() if k != "200")
        errors = sum(r["errors"] for r in rs)
        cpu = med([r.get("server_cpu_percent", 0) for r in rs])
        rows[server] = rps
        print(f"| {names[scenario]} | {server} | {rps:,.0f} | {rps * records[scenario]:,.0f} | {lat['p50']:.2f} | {lat['p90']:.2f} "
              f"| {lat['p99']:.2f} | {lat['p99.9']:.2f} | {cpu:.0f} | {non200} | {errors} |")
    if "gateway" in rows and "nginx" in rows and rows["nginx"] > 0:
        ratios.append((scenario, rows["gateway"] / rows["nginx"]))
print()
print("| scenario | gateway / nginx (requests/s, medians) |")
print("| --- | ---: |")
for scenario, ratio in ratios:
    print(f"| {names[scenario]} | {ratio:.2f} |")
EOF
if [ "$SOAK" != 0 ]; then
    cp "$WORK/results/rss.txt" "$RESULTS_DIR/soak-rss-$STAMP.txt"
    python3 - "$WORK/results/rss.txt" "$WARMUP" >> "$RESULTS_DIR/results-$STAMP.md" <<'EOF'
import sys
samples = [tuple(map(int, line.split())) for line in open(sys.argv[1]) if len(line.split()) == 2]
after = [kib for t, kib in samples if t >= 60]
print()
print(f"Soak: gateway resident memory sampled every 10 s ({len(samples)} samples): "
      f"first {samples[0][1] / 1024:.0f} MiB, at 60 s {after[0] / 1024 if after else 0:.0f} MiB, "
      f"last {samples[-1][1] / 1024:.0f} MiB, max {max(k for _, k in samples) / 1024:.0f} MiB; "
      f"from 60 s to the end: {((after[-1] - after[0]) / 1024) if after else 0:+.1f} MiB.")
EOF
fi
echo
cat "$RESULTS_DIR/results-$STAMP.md"
echo
log "results: $RESULTS_DIR/results-$STAMP.md, raw runs: $RESULTS_DIR/runs-$STAMP.jsonl"
