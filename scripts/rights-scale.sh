#!/usr/bin/env bash
# Measures a rights request on a large log: a subject with 10,000 shares among 1,000,000 entries
# (RightsScaleTests; release build, SQLite). Not part of CI. Prints the write time and three rounds of
# POST /v1/subjects/{id}/requests, each answered with its recipients.
#
# usage: scripts/rights-scale.sh [ENTRIES]     (default 1000000; the first run builds the tests in release)
set -euo pipefail
cd "$(dirname "$0")/.."
export GATEWAY_RIGHTS_SCALE=1
export GATEWAY_RIGHTS_SCALE_ENTRIES=${1:-1000000}
swift build -c release --build-tests -Xswiftc -enable-testing
swift test -c release -Xswiftc -enable-testing --skip-build --filter RightsScaleTests 2>&1 | grep -E "RightsScale|passed|failed"
