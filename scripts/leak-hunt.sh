#!/usr/bin/env bash
# A long run of the generative leak test (Tests/GatewayTests/Proxy/GenerativeLeakTests.swift).
#
# usage: scripts/leak-hunt.sh [--cases N] [--seed S] [--minutes M] [--concurrency C] [--agreement NAME]
#   --cases N        cases per agreement (GATEWAY_LEAK_CASES), default 2000
#   --seed S         the (first) seed, decimal or 0x-hex (GATEWAY_LEAK_SEED), default random; always printed
#   --minutes M      keep going with seeds S, S+1, S+2, ... until M minutes have passed (default: one run)
#   --concurrency C  requests in flight per gateway (GATEWAY_LEAK_CONCURRENCY), default the test's (8)
#   --agreement NAME only this agreement (GATEWAY_LEAK_AGREEMENT), e.g. payflow-payments.xml
#
# Builds once, then runs `swift test --skip-build --filter GenerativeLeakTests` per seed. Prints the seed of
# every failing run (and where its log is); exits 1 if any run failed. A failure message names its case: replay
# it alone with GATEWAY_LEAK_SEED=S GATEWAY_LEAK_AGREEMENT=NAME GATEWAY_LEAK_ONLY_CASE=N.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }

cases=2000
seed=""
minutes=0
concurrency=""
agreement=""
while [ $# -gt 0 ]; do
  case "$1" in
    --cases) cases="${2:?--cases needs a number}"; shift 2 ;;
    --seed) seed="${2:?--seed needs a value}"; shift 2 ;;
    --minutes) minutes="${2:?--minutes needs a number}"; shift 2 ;;
    --concurrency) concurrency="${2:?--concurrency needs a number}"; shift 2 ;;
    --agreement) agreement="${2:?--agreement needs a name}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "leak-hunt: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done

for value in "$cases" "$minutes"; do
  [[ "$value" =~ ^[0-9]+$ ]] || { echo "leak-hunt: not a number: $value" >&2; exit 2; }
done
if [ -z "$seed" ]; then
  # About 45 random bits from bash's 15-bit $RANDOM.
  seed=$(( (RANDOM << 30) | (RANDOM << 15) | RANDOM ))
fi
if [[ "$seed" =~ ^0[xX][0-9a-fA-F]+$ ]]; then
  seed=$(( seed ))
fi
[[ "$seed" =~ ^[0-9]+$ ]] || { echo "leak-hunt: the seed must be a number: $seed" >&2; exit 2; }

export GATEWAY_LEAK_CASES="$cases"
if [ -n "$concurrency" ]; then export GATEWAY_LEAK_CONCURRENCY="$concurrency"; fi
if [ -n "$agreement" ]; then export GATEWAY_LEAK_AGREEMENT="$agreement"; fi

logs=$(mktemp -d /tmp/leak-hunt.XXXXXX)
echo "leak-hunt: first seed $seed, $cases cases per agreement, logs in $logs"
swift build --build-tests

deadline=$(( $(date +%s) + minutes * 60 ))
failed=()
runs=0
while :; do
  runs=$((runs + 1))
  log="$logs/seed-$seed.log"
  echo "== leak-hunt run $runs: GATEWAY_LEAK_SEED=$seed"
  if GATEWAY_LEAK_SEED="$seed" swift test --skip-build --filter GenerativeLeakTests 2>&1 | tee "$log"; then
    echo "leak-hunt: seed $seed passed"
  else
    failed+=("$seed")
    echo "leak-hunt: FAILED with GATEWAY_LEAK_SEED=$seed (log: $log)"
  fi
  if [ "$minutes" -eq 0 ] || [ "$(date +%s)" -ge "$deadline" ]; then
    break
  fi
  seed=$((seed + 1))
done

echo "leak-hunt: $runs run(s), ${#failed[@]} failed"
if [ ${#failed[@]} -gt 0 ]; then
  for bad in "${failed[@]}"; do
    echo "leak-hunt: failing seed: GATEWAY_LEAK_SEED=$bad GATEWAY_LEAK_CASES=$cases (log: $logs/seed-$bad.log)"
  done
  exit 1
fi
