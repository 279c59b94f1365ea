#!/usr/bin/env bash
# Instructions per governed call, counted by callgrind: the whole gateway process (every thread, native libraries
# included) while it answers the end-to-end harness's chat request, one call at a time on one kept-alive connection.
# Counts repeat within about 0.5 % from run to run on a loaded machine, where timings drift by 10-20 %: use it to
# compare two builds of the gateway, not as a speed.
#
#   bench/instructions.sh [BIN ...]   BIN: a gateway build folder (default: this tree's Release build, built first)
#
# Options (environment): CALLS (default 400) measured after WARM (default 300) calls; BENCH_PORT_BASE (default 28000,
# uses +90 for the stub and +290 for the gateway). Needs valgrind, nginx and curl (apt-get install valgrind nginx curl).
# Under valgrind the runtime is run with tiered compilation off (every method fully optimized before the count), the
# workstation GC and without AVX-512 (valgrind does not emulate it); OpenSSL takes its path without SHA extensions, so
# hashing counts more than it costs on the machine itself.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CALLS=${CALLS:-400} WARM=${WARM:-300}
PORT_BASE=${BENCH_PORT_BASE:-28000}
STUB_PORT=$((PORT_BASE + 90)) GW_PORT=$((PORT_BASE + 290))

for tool in valgrind callgrind_control nginx curl; do
    command -v "$tool" >/dev/null || { echo "instructions.sh: $tool is missing (apt-get install valgrind nginx curl)" >&2; exit 2; }
done

if [[ $# -eq 0 ]]; then
    dotnet build -c Release "$ROOT/src/Integration/XefAI.Gateway" -v q -nologo >/dev/null
    set -- "$ROOT/src/Integration/XefAI.Gateway/bin/Release/net10.0"
fi

WORK=$(mktemp -d)
STUB_PID="" GW_PID=""
cleanup() {
    [[ -n $GW_PID ]] && kill "$GW_PID" 2>/dev/null || true
    [[ -n $STUB_PID ]] && kill "$STUB_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/stub"
sed -e "s#@PREFIX@#$WORK/stub#g" -e "s/@PORT@/$STUB_PORT/" -e "s/@STREAM_PORT@/$((STUB_PORT + 1))/" \
    "$ROOT/bench/stub/nginx.conf.template" >"$WORK/stub/nginx.conf"
nginx -c "$WORK/stub/nginx.conf" -p "$WORK/stub/" >"$WORK/stub/out.log" 2>&1 &
STUB_PID=$!

# One curl, N requests in turn on one connection.
calls() {
    local file=$WORK/calls-$1
    for i in $(seq "$1"); do
        [[ $i -gt 1 ]] && echo next
        printf 'url = "http://127.0.0.1:%s/v1/chat/completions"\nheader = "Authorization: Bearer xefai-dev-key"\nheader = "Content-Type: application/json"\ndata-binary = "@%s"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n' \
            "$GW_PORT" "$ROOT/bench/wrk/chat.json"
    done >"$file"
    curl -s --config "$file" | sort | uniq -c | awk '{printf "%s×%s ", $1, $2}'
}

for bin in "$@"; do
    bin=$(cd "$bin" && pwd)
    run=$WORK/run
    rm -rf "$run" && mkdir -p "$run" && cp -r "$bin/config" "$run/config"
    (cd "$run" && exec env DOTNET_EnableWriteXorExecute=0 DOTNET_EnableAVX512F=0 DOTNET_GCRegionRange=0x100000000 \
        DOTNET_gcServer=0 DOTNET_TieredCompilation=0 DOTNET_TieredPGO=0 MALLOC_ARENA_MAX=2 \
        ASPNETCORE_ENVIRONMENT=Development ASPNETCORE_URLS=http://127.0.0.1:$GW_PORT \
        XEFAI_CONFIG_DIR="$run/config" XefAI__WatchConfiguration=false OPENAI_API_KEY=sk-bench \
        ReverseProxy__Clusters__openai__Destinations__primary__Address=http://127.0.0.1:$STUB_PORT/v1 \
        valgrind --tool=callgrind --smc-check=all --instr-atstart=no --callgrind-out-file="$run/cg.out" \
        dotnet "$bin/XefAI.Gateway.dll" >"$run/out.log" 2>&1) &
    GW_PID=$!
    for _ in $(seq 900); do
        curl -s -o /dev/null "http://127.0.0.1:$GW_PORT/healthz" && break
        kill -0 "$GW_PID" 2>/dev/null || { echo "instructions.sh: the gateway did not start (see below)" >&2; tail -20 "$run/out.log" >&2; exit 1; }
        sleep 1
    done

    warm=$(calls "$WARM")
    callgrind_control -i on "$GW_PID" >/dev/null 2>&1
    measured=$(calls "$CALLS")
    callgrind_control -d "$GW_PID" >/dev/null 2>&1
    total=$(awk '/^totals:/ {print $2}' "$run"/cg.out.1)
    kill "$GW_PID" 2>/dev/null || true
    wait "$GW_PID" 2>/dev/null || true
    GW_PID=""
    echo "$bin: $((total / CALLS)) instructions a call ($CALLS calls after $WARM; answers: warm-up ${warm}measured ${measured% })"
done
