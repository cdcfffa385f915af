#!/usr/bin/env bash
# libFuzzer runs of the parsers that read untrusted bytes (Fuzz/README.md). Not part of CI or scripts/test.sh.
#
# usage: scripts/fuzz.sh [--seconds N] [--build-only] [--list] [NAME...]
#   NAME          json form gzip request-target dpa export-scanner (default: all, in that order)
#   --seconds N   how long each harness runs (libFuzzer -max_total_time), default 60
#   --build-only  build the harnesses and the seed corpora, run nothing
#   --list        print the harness names
#
# Environment:
#   FUZZ_BUILD     build directory (default /tmp/fuzz-build); SwiftPM's .build is never used or touched
#   SWIFTC         the compiler (default: swiftc on PATH, else /opt/swift/usr/bin/swiftc)
#   FUZZ_SANITIZE  -sanitize= value (default fuzzer,address; falls back to fuzzer if address does not link)
#   FUZZ_NICE      nice level for compiling and fuzzing (default 19)
#   FUZZ_ARGS      extra libFuzzer arguments, e.g. "-seed=1 -jobs=2"
#
# Everything is compiled with swiftc directly, without SwiftPM (so without SwiftNIO and friends): the Contracts
# sources as one static module (minus the three files that need swift-crypto, which no harness uses), plus the
# few Gateway files each harness needs. The corpus each run grows is kept in Fuzz/corpus-NAME/ and crashes,
# hangs and OOMs in Fuzz/artifacts/NAME/ (both git-ignored); seeds are rebuilt from the fixtures each run.
# Per harness it prints executions per second, the final cov:/ft: figures and any crash or hang file.
# Exits 1 if any harness found a crash, hang, OOM or leak (2 on usage or build errors).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

all_names=(json form gzip request-target dpa export-scanner)

usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; }

seconds=60
build_only=0
names=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="${2:?--seconds needs a number}"; shift 2 ;;
    --build-only) build_only=1; shift ;;
    --list) printf '%s\n' "${all_names[@]}"; exit 0 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "fuzz: unknown option: $1" >&2; usage >&2; exit 2 ;;
    *) names+=("$1"); shift ;;
  esac
done
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "fuzz: not a number: $seconds" >&2; exit 2; }
[ ${#names[@]} -gt 0 ] || names=("${all_names[@]}")
for name in "${names[@]}"; do
  [[ " ${all_names[*]} " == *" $name "* ]] || { echo "fuzz: unknown harness: $name (try --list)" >&2; exit 2; }
done

build="${FUZZ_BUILD:-/tmp/fuzz-build}"
case "$(cd "$(dirname "$build")" 2>/dev/null && pwd)/$(basename "$build")" in
  "$root"/.build*) echo "fuzz: FUZZ_BUILD must not be SwiftPM's build directory" >&2; exit 2 ;;
esac
swiftc="${SWIFTC:-$(command -v swiftc || echo /opt/swift/usr/bin/swiftc)}"
sanitize="${FUZZ_SANITIZE:-fuzzer,address}"
nice_level="${FUZZ_NICE:-19}"
read -r -a extra_args <<<"${FUZZ_ARGS:-}"
run() { nice -n "$nice_level" "$@"; }

xml_cflags=$(pkg-config --cflags libxml-2.0 2>/dev/null || echo -I/usr/include/libxml2)
common=(-parse-as-library -O -g -swift-version 6
  -enable-upcoming-feature ExistentialAny -enable-upcoming-feature MemberImportVisibility
  -I "$root/Sources/CLibXML2")
for flag in $xml_cflags; do common+=(-Xcc "$flag"); done
# lld links the sanitizer runtimes without gold's pages of "cannot export local symbol" warnings.
link=()
if [ -x "$(dirname "$swiftc")/ld.lld" ] || command -v ld.lld >/dev/null; then link=(-use-ld=lld); fi

# --- Build --------------------------------------------------------------------------------------------------

mkdir -p "$build/contracts" "$build/bin" "$build/seeds" "$build/logs"

# The Contracts sources, without swift-crypto's users (FieldTransformer and the two files that use it).
contracts_sources() {
  local crypto
  crypto=$(grep -rlE '^(@_implementationOnly |internal |public )?import Crypto' Sources/Contracts || true)
  local symbols=""
  for file in $crypto; do
    symbols+=$(grep -ohE '^(public |internal |)(final )?(struct|class|enum) [A-Za-z]+' "$file" | awk '{print $NF}' | tr '\n' '|')
  done
  symbols="${symbols%|}"
  find Sources/Contracts -name '*.swift' | sort | while read -r file; do
    if [ -n "$symbols" ] && grep -qwE "$symbols" "$file"; then continue; fi
    echo "$file"
  done
}

build_contracts() {
  local stamp="$build/contracts/.sources" sources
  mapfile -t sources < <(contracts_sources)
  local key
  key=$(printf '%s %s\n' "$sanitize" "$("$swiftc" --version 2>&1 | head -1)"; cat "${sources[@]}" | cksum)
  if [ -f "$build/contracts/libContracts.a" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$key" ]; then return 0; fi
  echo "== building Contracts (${#sources[@]} files, -sanitize=$sanitize)"
  local cmd=("$swiftc" "${common[@]}" -sanitize="$sanitize" -enable-testing -wmo
    -module-name Contracts -emit-module -emit-module-path "$build/contracts/Contracts.swiftmodule"
    -emit-library -static -o "$build/contracts/libContracts.a" "${sources[@]/#/$root/}")
  echo "${cmd[*]}" >"$build/contracts/command.txt"
  rm -f "$stamp"
  (cd "$build/contracts" && run "${cmd[@]}") || return 1
  echo "$key" >"$stamp"
}

# harness_files NAME: the harness and the Gateway sources it compiles in; harness_libs NAME: extra link flags.
harness_files() {
  case "$1" in
    json) echo Fuzz/Harnesses/JSONReaderFuzz.swift ;;
    form) echo Fuzz/Harnesses/FormCodecFuzz.swift Sources/Gateway/Codecs/FormCodec.swift \
      Sources/Gateway/Codecs/FormSyntaxError.swift ;;
    gzip) echo Fuzz/Harnesses/GzipDecoderFuzz.swift Sources/Gateway/Codecs/GzipDecoder.swift \
      Sources/Gateway/Codecs/GzipEncoder.swift Sources/Gateway/Codecs/GzipError.swift ;;
    request-target) echo Fuzz/Harnesses/RequestTargetFuzz.swift Sources/Gateway/Proxy/RequestTarget.swift \
      Sources/Gateway/Codecs/FormCodec.swift Sources/Gateway/Codecs/FormSyntaxError.swift ;;
    dpa) echo Fuzz/Harnesses/DPAReaderFuzz.swift ;;
    export-scanner) echo Fuzz/Harnesses/ExportScannerFuzz.swift Sources/Gateway/ShareLog/ExportEntryScanner.swift ;;
  esac
}
harness_libs() {
  case "$1" in
    gzip) echo "-I $root/Sources/CZlib -lz" ;;
    *) echo "" ;;
  esac
}
module_name() { echo "Fuzz$(echo "$1" | sed -E 's/(^|-)([a-z])/\U\2/g')"; }

build_harness() {
  local name=$1 files libs
  read -r -a files <<<"$(harness_files "$name")"
  read -r -a libs <<<"$(harness_libs "$name")"
  local exe="$build/bin/$name"
  local cmd=("$swiftc" "${common[@]}" -sanitize="$sanitize" -module-name "$(module_name "$name")"
    -I "$build/contracts" "$root/Fuzz/Support/FuzzSupport.swift" "${files[@]/#/$root/}"
    -L "$build/contracts" -lContracts -lxml2 "${libs[@]}" "${link[@]}" -o "$exe")
  local newest
  newest=$(ls -t "${files[@]}" Fuzz/Support/FuzzSupport.swift "$build/contracts/libContracts.a" | head -1)
  if [ -x "$exe" ] && [ "$exe" -nt "$newest" ] && [ "$(cat "$exe.command" 2>/dev/null)" = "${cmd[*]}" ]; then
    return 0
  fi
  echo "== building $name"
  rm -f "$exe" "$exe.command"
  (cd "$build/bin" && run "${cmd[@]}") || return 1
  echo "${cmd[*]}" >"$exe.command"
}

# libFuzzer needs -sanitize=fuzzer; address is a bonus. Fall back once if this toolchain cannot link it.
if ! build_contracts; then
  if [ "$sanitize" != fuzzer ] && [ -z "${FUZZ_SANITIZE:-}" ]; then
    echo "fuzz: -sanitize=$sanitize failed; retrying with -sanitize=fuzzer" >&2
    sanitize=fuzzer
    build_contracts || exit 2
  else
    exit 2
  fi
fi
for name in "${names[@]}"; do build_harness "$name" || exit 2; done

# --- Seeds --------------------------------------------------------------------------------------------------

jsonsuite=Tests/ContractsTests/Fixtures/JSONTestSuite
[ -d "$jsonsuite" ] || jsonsuite=/work/shared/testdata/JSONTestSuite

# swift_strings FILE...: the plain string literals in Swift test sources, one a line (escapes left as written).
swift_strings() { grep -ohE '"([^"\\]|\\.)*"' "$@" | sed -E 's/^"//; s/"$//' | grep -v '\\(' | sort -u; }
# seed_lines DIR: one seed file per line of stdin.
seed_lines() {
  local dir=$1 n=0 line
  while IFS= read -r line; do
    n=$((n + 1))
    printf '%s' "$line" >"$dir/line-$n"
  done
}

export_entry() {  # export_entry SEQ ORIGIN: one share-log export line (Tests/GatewayTests/ShareLog/LedgerExportFixture)
  printf '{"consentRefs":["c-%s"],"contract":{"digest":"sha256:ab","id":"dpa-acme","version":2},' "$1"
  printf '"decision":"shared","fields":[{"action":"pass","category":"contact.email","path":"$.email","reason":"consented"}],'
  printf '"id":"e-%s","kind":"share","method":"POST","operation":"track","origin":"%s","purpose":"analytics",' "$1" "$2"
  printf '"reason":null,"records":{"received":1,"sent":1},"seq":%s,"service":"web",' "$1"
  printf '"subjectRefs":["%s"],"time":"2026-01-01T00:00:00Z","vendor":"acme"}' "$1$1$1"
}

make_seeds() {
  local name=$1 dir="$build/seeds/$1"
  rm -rf "$dir"
  mkdir -p "$dir"
  case "$name" in
    json)
      cp "$jsonsuite"/test_parsing/*.json "$jsonsuite"/test_transform/*.json "$dir"/
      ;;
    export-scanner)
      cp "$jsonsuite"/test_parsing/*.json "$dir"/
      export_entry 0 test.example/eu-1 >"$dir/entry-0"
      { export_entry 0 test.example/eu-1; echo; export_entry 1 test.example/eu-1; echo; } >"$dir/export-2"
      export_entry 9223372036854775808 'a\u00e9\ud83d\ude00' >"$dir/entry-escapes"
      printf '{"seq":1,"seq":2,"origin":[1,{"origin":"x"}]}' >"$dir/entry-duplicate"
      printf '{"s\\u0065q":-0,"origin":1e2}' >"$dir/entry-escaped-key"
      ;;
    form)
      swift_strings Tests/GatewayTests/Codecs/FormCodecTests.swift | seed_lines "$dir"
      printf 'a=1&b=%%E2%%82%%AC+x&c' >"$dir/basic"
      ;;
    request-target)
      grep -rhoE '"/vendors/([^"\\]|\\.)*"' Tests | sed -E 's/^"//; s/"$//' | grep -v '\\(' | sort -u | seed_lines "$dir"
      printf '/vendors/acme/events?campaign=spring&utm=x' >"$dir/query"
      printf '/vendors/acme/a/./b' >"$dir/dot"
      printf '/vendors/acme//b%%2e%%2E\\c' >"$dir/bad"
      ;;
    gzip)
      local n=0 file
      for file in contracts/agreements/*.xml "$jsonsuite"/test_parsing/y_*.json; do
        n=$((n + 1))
        [ $((n % 8)) = 1 ] || [[ "$file" == *.xml ]] || continue
        gzip -9 -n -c "$file" >"$dir/gz9-$n"
        gzip -1 -c "$file" >"$dir/gz1-named-$n"  # with FNAME and MTIME
      done
      printf '' | gzip -n -c >"$dir/empty"
      printf 'hello' | gzip -n -c >"$dir/hello"
      { printf 'a' | gzip -n -c; printf 'b' | gzip -n -c; } >"$dir/two-members"
      head -c 2000000 /dev/zero | gzip -9 -n -c >"$dir/bomb-2mb"
      local size
      for size in 65535 65536 65537 200000; do  # around the decoder's 64 KiB chunks
        head -c "$size" /dev/zero | tr '\0' 'a' | gzip -6 -n -c >"$dir/chunks-$size"
      done
      head -c 300 /dev/urandom | gzip -n -c >"$dir/random"
      ;;
    dpa)
      cp contracts/agreements/*.xml "$dir"/
      local fixture
      for fixture in Tests/ContractsTests/Fixtures/agreements*/*.xml; do
        cp "$fixture" "$dir/$(basename "$(dirname "$fixture")")-$(basename "$fixture")"
      done
      ;;
  esac
}

# Dictionaries (libFuzzer -dict): JSON and form tokens are static; the DPA one is made from the schema.
make_dict() {
  local name=$1 out="$build/seeds/$1.dict"
  case "$name" in
    json|export-scanner) cp Fuzz/Dictionaries/json.dict "$out" ;;
    form|request-target) cp Fuzz/Dictionaries/form.dict "$out" ;;
    dpa)
      {
        cat Fuzz/Dictionaries/xml.dict
        grep -ohE '(name|value|ref)="[^"]+"' contracts/dpa.xsd contracts/taxonomy.xml | sed -E 's/^[a-z]+=//' | sort -u \
          | sed -E 's/^"(.*)"$/\1/; s/\\/\\\\/g; s/"/\\"/g; s/.*/"&"/'
      } >"$out"
      ;;
    *) : >"$out" ;;
  esac
  [ -s "$out" ] && echo "$out" || true
}

max_len() {
  case "$1" in
    json|export-scanner) echo 8192 ;;
    dpa) echo 16384 ;;
    gzip) echo 16384 ;;
    *) echo 4096 ;;
  esac
}

for name in "${names[@]}"; do make_seeds "$name"; done
if [ "$build_only" = 1 ]; then
  echo "== built into $build/bin: ${names[*]}"
  exit 0
fi

# --- Run ----------------------------------------------------------------------------------------------------

found=0
summary=()
for name in "${names[@]}"; do
  corpus="Fuzz/corpus-$name"
  artifacts="Fuzz/artifacts/$name"
  mkdir -p "$corpus" "$artifacts"
  log="$build/logs/$name.log"
  dict=$(make_dict "$name")
  args=(-max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -max_len="$(max_len "$name")"
    -print_final_stats=1 -artifact_prefix="$root/$artifacts/")
  [ -n "$dict" ] && args+=(-dict="$dict")
  echo "== fuzzing $name for ${seconds}s (log: $log)"
  before=$(ls "$artifacts" | wc -l)
  set +e
  # The Swift runtime's own backtracer fights ASan (and can outlive the run holding the log open): off.
  SWIFT_BACKTRACE=enable=no ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}" \
    run "$build/bin/$name" "${args[@]}" "${extra_args[@]}" "$corpus" "$build/seeds/$name" >"$log" 2>&1
  status=$?
  set -e
  # The last status line carries the final coverage; -print_final_stats gives the averages.
  last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1 || true)
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
  corp=$(sed -nE 's/.* corp: ([0-9]+\/[0-9]+[a-zA-Z]*).*/\1/p' <<<"$last")
  execs=$(sed -nE 's/^stat::number_of_executed_units: ([0-9]+)/\1/p' "$log" | tail -1)
  rate=$(sed -nE 's/^stat::average_exec_per_sec: +([0-9]+)/\1/p' "$log" | tail -1)
  rss=$(sed -nE 's/^stat::peak_rss_mb: +([0-9]+)/\1/p' "$log" | tail -1)
  new=$(ls -t "$artifacts" | head -n $(( $(ls "$artifacts" | wc -l) - before )) || true)
  line=$(printf '%-15s exec/s %-8s cov %-6s ft %-7s corpus %-12s execs %-10s rss %sMB exit %s' \
    "$name" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "${execs:-?}" "${rss:-?}" "$status")
  echo "$line"
  summary+=("$line")
  if [ "$status" != 0 ] || [ -n "$new" ]; then
    found=1
    grep -E '^==[0-9]+==ERROR|^==FUZZ PROPERTY|^Fatal error|^SUMMARY|ALARM|deadly signal|out-of-memory|Test unit written' "$log" \
      | head -20 | sed 's/^/    /' || true
    for file in $new; do
      printf '    finding: %s (%s bytes) hex %s\n' "$artifacts/$file" "$(wc -c <"$artifacts/$file")" \
        "$(head -c 256 "$artifacts/$file" | od -An -v -tx1 | tr -d ' \n')"
    done
  fi
done

echo
echo "== summary (${seconds}s per harness, -sanitize=$sanitize)"
printf '%s\n' "${summary[@]}"
if [ "$found" = 1 ]; then
  echo "fuzz: findings above; reproduce with $build/bin/NAME FILE (move confirmed ones to Fuzz/findings/)"
  exit 1
fi
