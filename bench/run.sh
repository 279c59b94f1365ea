#!/usr/bin/env bash
# End-to-end performance harness (issue 12): the same ~600-byte chat request through each target, all against one
# nginx stub of an OpenAI vendor, with wrk. See README "Performance → End to end".
#
#   bench/run.sh            full run: concurrency 1, 32 and 256, 2 rounds, 15 s per measurement after 10 s warm-up (the JIT is still busy at 5 s)
#   bench/run.sh --quick    smoke run: concurrency 32 only, 1 round, 5 s after 2 s warm-up (about 2 minutes)
#
# Options: --rounds N, --duration S, --warmup S, --concurrency "1 32 256", --targets "stub yarp ...", --no-build,
# --no-install. BENCH_PORT_BASE (default 28000) moves every port. Results go to bench/results/<UTC timestamp>/.
#   --cores "1 2"   also run bare YARP (b) and the gateway (c) started under `taskset -c` on the first 1, then 2 CPUs
#                   (wrk and the stub unpinned), at --cores-concurrency C (default 32), in every round; off by default;
#                   each pinned copy is first warmed for --cores-warmup S (default 30) once
#   --overload      after the rounds, drive a gateway started with Gateway__Overload__MaxConcurrentCalls=16 (--overload-limit)
#                   with 256 connections (--overload-connections) for 15 s (--overload-duration): share of 503 + Retry-After,
#                   latency, RSS, xefai_shed_total, peak xefai_audit_backlog, /healthz; then a normal call and the audit trail
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench

ROUNDS=2 DURATION=15 WARMUP=10 CONCURRENCY="1 32 256" TTFB_COUNT=300
TARGETS="stub yarp gateway gateway-pg portkey stub-stream yarp-stream gateway-stream"
BUILD=1 INSTALL=1
CORES="" CORES_CONCURRENCY=32 CORES_WARMUP=30
OVERLOAD=0 OVERLOAD_LIMIT=16 OVERLOAD_CONNECTIONS=256 OVERLOAD_DURATION=15
while [[ $# -gt 0 ]]; do
    case $1 in
        --quick) ROUNDS=1 DURATION=5 WARMUP=2 CONCURRENCY=32 TTFB_COUNT=100 ;;
        --rounds) ROUNDS=$2; shift ;;
        --duration) DURATION=$2; shift ;;
        --warmup) WARMUP=$2; shift ;;
        --concurrency) CONCURRENCY=$2; shift ;;
        --targets) TARGETS=$2; shift ;;
        --cores) CORES=$2; shift ;;
        --cores-concurrency) CORES_CONCURRENCY=$2; shift ;;
        --cores-warmup) CORES_WARMUP=$2; shift ;;
        --overload) OVERLOAD=1 ;;
        --overload-limit) OVERLOAD_LIMIT=$2; shift ;;
        --overload-connections) OVERLOAD_CONNECTIONS=$2; shift ;;
        --overload-duration) OVERLOAD_DURATION=$2; shift ;;
        --no-build) BUILD=0 ;;
        --no-install) INSTALL=0 ;;
        -h|--help) sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

PORT_BASE=${BENCH_PORT_BASE:-28000}
STUB_PORT=$((PORT_BASE + 80)) STUB_STREAM_PORT=$((PORT_BASE + 81))
YARP_PORT=$((PORT_BASE + 100)) YARP_STREAM_PORT=$((PORT_BASE + 101))
GW_PORT=$((PORT_BASE + 200)) GW_STREAM_PORT=$((PORT_BASE + 201)) GW_PG_PORT=$((PORT_BASE + 202))
GW_OVER_PORT=$((PORT_BASE + 203))
PORTKEY_PORT=$((PORT_BASE + 300)) PG_PORT=$((PORT_BASE + 432))
PINNED_PORT_BASE=$((PORT_BASE + 500))   # pinned copies: yarp@N on +N, gateway@N on +50+N

CLIENT_KEY=xefai-dev-key ADMIN_KEY=xefai-dev-admin-key   # the Development demo keys (README "Quick start")
CLK_TCK=$(getconf CLK_TCK)
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$BENCH/results/$STAMP
WORK=$(mktemp -d /tmp/xefai-bench.XXXXXX)
chmod 755 "$WORK"
mkdir -p "$OUT/logs"
log() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
has_target() { [[ " $TARGETS " == *" $1 "* ]]; }

# ---------------------------------------------------------------- prerequisites
install_missing() {
    local need=()
    command -v wrk >/dev/null || need+=(wrk)
    command -v nginx >/dev/null || need+=(nginx)
    command -v gnuplot >/dev/null || need+=(gnuplot-nox)
    command -v python3 >/dev/null || need+=(python3)
    command -v curl >/dev/null || need+=(curl)
    command -v node >/dev/null || need+=(nodejs npm)
    if has_target gateway-pg && ! command -v initdb >/dev/null && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
        need+=(postgresql)
    fi
    if [[ ${#need[@]} -gt 0 ]]; then
        [[ $INSTALL == 1 ]] || { echo "missing: ${need[*]} (and --no-install)" >&2; exit 1; }
        log "installing ${need[*]}"
        apt-get install -y "${need[@]}" >"$OUT/logs/apt.log" 2>&1 || { apt-get update >>"$OUT/logs/apt.log" 2>&1; apt-get install -y "${need[@]}" >>"$OUT/logs/apt.log" 2>&1; }
    fi
    if has_target portkey && [[ ! -f $BENCH/portkey/node_modules/@portkey-ai/gateway/build/start-server.js ]]; then
        log "npm ci in bench/portkey"
        (cd "$BENCH/portkey" && npm ci --no-audit --no-fund >"$OUT/logs/npm.log" 2>&1)
    fi
}

GATEWAY_BIN=$ROOT/src/Integration/XefAI.Gateway/bin/Release/net10.0
YARP_DLL=$BENCH/XefAI.Bench.BareYarp/bin/Release/net10.0/XefAI.Bench.BareYarp.dll
HOOK_DLL=$BENCH/XefAI.Bench.AllocationHook/bin/Release/net10.0/XefAI.Bench.AllocationHook.dll
build() {
    log "building Release (gateway, bare YARP, allocation hook)"
    for project in src/Integration/XefAI.Gateway bench/XefAI.Bench.BareYarp bench/XefAI.Bench.AllocationHook; do
        (cd "$ROOT" && dotnet build -c Release "$project" >>"$OUT/logs/build.log" 2>&1) || { tail -30 "$OUT/logs/build.log" >&2; exit 1; }
    done
}

# ---------------------------------------------------------------- processes (stopped by PID on exit)
declare -A PID=()        # target -> PID of its main process
PG_DATA=""
cleanup() {
    set +e
    for name in "${!PID[@]}"; do kill "${PID[$name]}" 2>/dev/null; done
    for name in "${!PID[@]}"; do
        for _ in $(seq 50); do kill -0 "${PID[$name]}" 2>/dev/null || break; sleep 0.1; done
        kill -9 "${PID[$name]}" 2>/dev/null
    done
    if [[ -n $PG_DATA ]]; then
        runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1
        cp "$WORK/pg/server.log" "$OUT/logs/postgres.log" 2>/dev/null
    fi
    for f in "$WORK"/*/out.log; do [[ -f $f ]] && cp "$f" "$OUT/logs/$(basename "$(dirname "$f")").log"; done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ensure_free() {   # ports: refuse to start a target where something already listens, or the run would measure that instead
    local p
    for p in "$@"; do
        if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "port $p is already in use: another process listens there, and the run would measure it instead of its own target. Stop it, or move every port with BENCH_PORT_BASE." >&2
            exit 1
        fi
    done
}

wait_port() {   # wait until something answers HTTP on the port
    local port=$1 name=$2
    for _ in $(seq 150); do
        if [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/" 2>/dev/null) != 000 ]]; then return 0; fi
        kill -0 "${PID[$name]}" 2>/dev/null || { echo "$name exited; its log:" >&2; tail -20 "$WORK/$name/out.log" >&2; exit 1; }
        sleep 0.2
    done
    echo "$name did not answer on port $port" >&2; exit 1
}

start_stub() {
    ensure_free "$STUB_PORT" "$STUB_STREAM_PORT"
    mkdir -p "$WORK/stub"
    sed -e "s#@PREFIX@#$WORK/stub#g" -e "s/@PORT@/$STUB_PORT/" -e "s/@STREAM_PORT@/$STUB_STREAM_PORT/" \
        "$BENCH/stub/nginx.conf.template" >"$WORK/stub/nginx.conf"
    nginx -c "$WORK/stub/nginx.conf" -p "$WORK/stub/" >"$WORK/stub/out.log" 2>&1 &
    PID[stub]=$!
    PID_OF_TARGET[stub]=${PID[stub]}
    PID_OF_TARGET[stub-stream]=${PID[stub]}
    wait_port "$STUB_PORT" stub
}

start_postgres() {
    ensure_free "$PG_PORT"
    PG_BIN=$(dirname "$(readlink -f "$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb | tail -1)")")
    mkdir -p "$WORK/pg"
    chown postgres "$WORK/pg"
    PG_DATA=$WORK/pg/data
    runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DATA" -A trust -U postgres -E UTF8 --no-locale >"$WORK/pg/initdb.log" 2>&1
    # fsync, synchronous_commit and full_page_writes stay at their defaults (on): the audit commit is durable.
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$WORK/pg/server.log" -w -t 60 start \
        -o "-p $PG_PORT -h 127.0.0.1 -k $WORK/pg -c max_connections=300 -c shared_buffers=256MB" >/dev/null
    runuser -u postgres -- "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres xefai
    PG_PID=$(head -1 "$PG_DATA/postmaster.pid")
    log "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on port $PG_PORT (fsync on), PID $PG_PID"
}

# The .NET targets run with the native heap setting the gateway's container image sets (Dockerfile: MALLOC_ARENA_MAX),
# bare YARP as well, so the two are measured alike.
NET_ENV=(MALLOC_ARENA_MAX=2)

start_yarp() {   # name port upstream-port
    local name=$1 port=$2 upstream=$3
    ensure_free "$port"
    mkdir -p "$WORK/$name"
    (cd "$WORK/$name" && exec env "${NET_ENV[@]}" ASPNETCORE_URLS="http://127.0.0.1:$port" BENCH_UPSTREAM="http://127.0.0.1:$upstream/" \
        DOTNET_STARTUP_HOOKS="$HOOK_DLL" BENCH_ALLOC_FILE="$WORK/$name/allocated" \
        ${PIN:+taskset -c "$PIN"} dotnet "$YARP_DLL" >"$WORK/$name/out.log" 2>&1) &
    PID[$name]=$!
    PID_OF_TARGET[$name]=${PID[$name]}
    wait_port "$port" "$name"
}

# Scheduled audit verification is off: its first walk, two minutes after start, would read the whole trail in the middle
# of a measurement, its CPU and allocations counted as the calls'; the run verifies the trail at its end.
start_gateway() {   # name port upstream-port [extra env...]
    local name=$1 port=$2 upstream=$3
    shift 3
    ensure_free "$port"
    mkdir -p "$WORK/$name"
    cp -r "$GATEWAY_BIN/config" "$WORK/$name/config"   # the folder holding config/ is the content root: data/ lands here
    (cd "$WORK/$name" && exec env "${NET_ENV[@]}" ASPNETCORE_ENVIRONMENT=Development ASPNETCORE_URLS="http://127.0.0.1:$port" \
        XEFAI_CONFIG_DIR="$WORK/$name/config" XefAI__WatchConfiguration=false OPENAI_API_KEY=sk-bench-not-a-key \
        ReverseProxy__Clusters__openai__Destinations__primary__Address="http://127.0.0.1:$upstream/v1" \
        Audit__Verification__IntervalMinutes=0 \
        DOTNET_STARTUP_HOOKS="$HOOK_DLL" BENCH_ALLOC_FILE="$WORK/$name/allocated" "$@" \
        ${PIN:+taskset -c "$PIN"} dotnet "$GATEWAY_BIN/XefAI.Gateway.dll" >"$WORK/$name/out.log" 2>&1) &
    PID[$name]=$!
    PID_OF_TARGET[$name]=${PID[$name]}
    wait_port "$port" "$name"
}

start_portkey() {
    ensure_free "$PORTKEY_PORT"
    mkdir -p "$WORK/portkey"
    (cd "$BENCH/portkey" && exec env NODE_ENV=production TRUSTED_CUSTOM_HOSTS=127.0.0.1 \
        node node_modules/@portkey-ai/gateway/build/start-server.js --port="$PORTKEY_PORT" --headless >"$WORK/portkey/out.log" 2>&1) &
    PID[portkey]=$!
    PID_OF_TARGET[portkey]=${PID[portkey]}
    wait_port "$PORTKEY_PORT" portkey
}

# ---------------------------------------------------------------- targets: port, body, headers
declare -A PID_OF_TARGET=() PORT=() BODY=() HEADERS=() BASELINE=()
define_targets() {
    local plain=$BENCH/wrk/chat.json stream=$BENCH/wrk/chat-stream.json
    PORT[stub]=$STUB_PORT;             BODY[stub]=$plain;           HEADERS[stub]="Authorization: Bearer sk-bench-not-a-key"
    PORT[yarp]=$YARP_PORT;             BODY[yarp]=$plain;           HEADERS[yarp]="Authorization: Bearer sk-bench-not-a-key"
    PORT[gateway]=$GW_PORT;            BODY[gateway]=$plain;        HEADERS[gateway]="Authorization: Bearer $CLIENT_KEY"
    PORT[gateway-pg]=$GW_PG_PORT;      BODY[gateway-pg]=$plain;     HEADERS[gateway-pg]="Authorization: Bearer $CLIENT_KEY"
    PORT[portkey]=$PORTKEY_PORT;       BODY[portkey]=$plain
    HEADERS[portkey]="Authorization: Bearer sk-bench-not-a-key|x-portkey-provider: openai|x-portkey-custom-host: http://127.0.0.1:$STUB_PORT/v1"
    PORT[stub-stream]=$STUB_STREAM_PORT;  BODY[stub-stream]=$stream;    HEADERS[stub-stream]="Authorization: Bearer sk-bench-not-a-key"
    PORT[yarp-stream]=$YARP_STREAM_PORT;  BODY[yarp-stream]=$stream;    HEADERS[yarp-stream]="Authorization: Bearer sk-bench-not-a-key"
    PORT[gateway-stream]=$GW_STREAM_PORT; BODY[gateway-stream]=$stream; HEADERS[gateway-stream]="Authorization: Bearer $CLIENT_KEY"
}

curl_headers() {   # the target's headers as curl arguments
    local IFS='|'
    for h in ${HEADERS[$1]:-}; do printf -- '-H\n%s\n' "$h"; done
}

check_target() {   # one call must answer 200 with the expected body (and, for the gateway, tier 1 to the stub)
    local name=$1 head="$WORK/check-$1.head" body="$WORK/check-$1.body"
    mapfile -t hdrs < <(curl_headers "$name")
    local code
    code=$(curl -s -D "$head" -o "$body" -w '%{http_code}' -X POST -H 'Content-Type: application/json' "${hdrs[@]}" \
        --data-binary @"${BODY[$name]}" "http://127.0.0.1:${PORT[$name]}/v1/chat/completions")
    local ok=1
    [[ $code == 200 ]] || ok=0
    if [[ $name == *stream ]]; then grep -q 'data: \[DONE\]' "$body" || ok=0
    else grep -q '"chatcmpl-bench0001"' "$body" || ok=0; fi
    if [[ $name == gateway* ]]; then
        grep -qi '^X-XefAI-Risk-Tier: 1' "$head" || ok=0
        grep -qi '^X-XefAI-Provider: openai-gpt-4o-mini' "$head" || ok=0
    fi
    if [[ $ok != 1 ]]; then
        echo "target $name did not answer as expected (HTTP $code):" >&2; head -c 600 "$body" >&2; echo >&2; exit 1
    fi
    log "$name answers 200"
}

# ---------------------------------------------------------------- measurement
descendants() {   # a PID and all its descendants
    local pid=$1
    echo "$pid"
    for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do descendants "$child"; done
}
cpu_ticks() {   # utime+stime of a process tree, in clock ticks, with what its exited children used
    local total=0 stat
    for p in $(descendants "$1"); do
        stat=$(cat /proc/"$p"/stat 2>/dev/null) || continue
        stat=${stat##*) }   # drop "pid (comm) "
        read -r -a f <<<"$stat"
        total=$((total + f[11] + f[12]))   # fields 14 and 15 of the stat line
        # The root's cutime+cstime (fields 16 and 17): a PostgreSQL backend that exits during a measurement (the
        # gateway's pool closing an idle connection) leaves the tree, and its CPU moves to the postmaster's account.
        # Without them that CPU vanished from the second reading, and PostgreSQL's share could come out negative.
        [[ $p == "$1" ]] && total=$((total + f[13] + f[14]))
    done
    echo "$total"
}
rss_kb() {   # VmRSS summed over the tree, VmHWM of the main process
    local rss=0 v
    for p in $(descendants "$1"); do
        v=$(awk '/^VmRSS:/ {print $2}' /proc/"$p"/status 2>/dev/null) && rss=$((rss + ${v:-0}))
    done
    echo "$rss $(awk '/^VmHWM:/ {print $2}' /proc/"$1"/status)"
}
allocated() { cat "$WORK/$1/allocated" 2>/dev/null || echo -1; }
audit_sums() {   # a gateway's durable-commit wait and own overhead so far: "commit_sum commit_count overhead_sum overhead_count" (s)
    curl -s --max-time 5 "http://127.0.0.1:${PORT[$1]}/metrics" | awk '
        /^xefai_audit_write_duration_seconds_sum\{.*outcome="committed"/ { cs += $NF }
        /^xefai_audit_write_duration_seconds_count\{.*outcome="committed"/ { cc += $NF }
        /^xefai_gateway_overhead_seconds_sum\{/ { os += $NF }
        /^xefai_gateway_overhead_seconds_count\{/ { oc += $NF }
        END { printf "%.9f %d %.9f %d\n", cs, cc, os, oc }'
}

RAW=$OUT/raw.tsv
COMMIT=$OUT/commit.tsv   # per gateway measurement: the mean wait for the durable audit commit and the mean own overhead
printf 'round\tconcurrency\ttarget\tcalls\tcommit_mean_us\toverhead_mean_us\n' >"$COMMIT"
printf 'round\tconcurrency\ttarget\trequests\tseconds\trps\tp50_us\tp99_us\tnon2xx\tsocket_errors\tcpu_ticks\tdb_cpu_ticks\trss_kb\thwm_kb\tallocated_bytes\n' >"$RAW"

to_us() {   # wrk latency (e.g. 812.00us, 1.23ms, 2.01s) to microseconds
    awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) print n; else if (v ~ /ms$/) print n * 1000; else if (v ~ /m$/) print n * 60e6; else print n * 1e6 }'
}

measure() {   # round concurrency target [raw file]
    local round=$1 c=$2 name=$3 pid=${PID_OF_TARGET[$3]} raw=${4:-$RAW}
    local threads=2
    [[ $c -lt 2 ]] && threads=1
    local url="http://127.0.0.1:${PORT[$name]}/v1/chat/completions"
    export BENCH_BODY=${BODY[$name]} BENCH_HEADERS=${HEADERS[$name]:-} BENCH_PATH=/v1/chat/completions
    wrk -t"$threads" -c"$c" -d"${WARMUP}s" -s "$BENCH/wrk/post.lua" "$url" >/dev/null 2>&1 || true
    local cpu0 db0=0 alloc0 out="$OUT/logs/wrk-r$round-c$c-$name.txt"
    cpu0=$(cpu_ticks "$pid"); alloc0=$(allocated "$name")
    [[ $name == gateway-pg ]] && db0=$(cpu_ticks "$PG_PID")
    local sums0=""
    [[ $name == gateway || $name == gateway-pg ]] && sums0=$(audit_sums "$name")
    wrk -t"$threads" -c"$c" -d"${DURATION}s" --timeout 10s --latency -s "$BENCH/wrk/post.lua" "$url" >"$out" 2>&1
    local cpu1 db1=0 alloc1
    cpu1=$(cpu_ticks "$pid"); alloc1=$(allocated "$name")
    [[ $name == gateway-pg ]] && db1=$(cpu_ticks "$PG_PID")
    if [[ -n $sums0 ]]; then
        python3 - "$round" "$c" "$name" $sums0 $(audit_sums "$name") >>"$COMMIT" <<'EOF2'
import sys
r, c, t = sys.argv[1:4]
cs0, cc0, os0, oc0, cs1, cc1, os1, oc1 = map(float, sys.argv[4:12])
n = max(cc1 - cc0, 1)
print(f"{r}\t{c}\t{t}\t{int(cc1 - cc0)}\t{(cs1 - cs0) / n * 1e6:.0f}\t{(os1 - os0) / max(oc1 - oc0, 1) * 1e6:.0f}")
EOF2
    fi
    local requests seconds rps p50 p99 non2xx sockerr
    requests=$(awk '/requests in/ {print $1}' "$out")
    seconds=$(awk '/requests in/ {sub(/s,$/, "", $4); print $4}' "$out")
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
    p50=$(to_us "$(awk '$1 == "50%" {print $2}' "$out")")
    p99=$(to_us "$(awk '$1 == "99%" {print $2}' "$out")")
    non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out"); non2xx=${non2xx:-0}
    sockerr=$(awk '/Socket errors:/ { s = 0; for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) s += $i + 0; print s }' "$out")
    sockerr=${sockerr:-0}
    read -r rss hwm < <(rss_kb "$pid")
    local alloc_delta=-1
    [[ $alloc0 != -1 ]] && alloc_delta=$((alloc1 - alloc0))
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$c" "$name" "$requests" "$seconds" "$rps" \
        "$p50" "$p99" "$non2xx" "$sockerr" "$((cpu1 - cpu0))" "$((db1 - db0))" "$rss" "$hwm" "$alloc_delta" >>"$raw"
    log "round $round c=$c $name: $rps req/s, p50 $p50 µs, p99 $p99 µs, non-2xx $non2xx, socket errors $sockerr"
}

TTFB=$OUT/ttfb.tsv
printf 'round\ttarget\tcalls\tp50_ms\tp99_ms\tnon200\n' >"$TTFB"
measure_ttfb() {   # round target: sequential streamed calls on one kept-alive connection, curl's time to first byte
    local round=$1 name=$2 samples="$WORK/ttfb-$2.txt" url="http://127.0.0.1:${PORT[$2]}/v1/chat/completions"
    mapfile -t hdrs < <(curl_headers "$name")
    local urls=()
    for _ in $(seq $((TTFB_COUNT + 20))); do urls+=(-o /dev/null "$url"); done
    curl -s -w '%{http_code} %{time_starttransfer}\n' -X POST -H 'Content-Type: application/json' "${hdrs[@]}" \
        --data-binary @"${BODY[$name]}" "${urls[@]}" >"$samples"
    python3 - "$samples" "$round" "$name" >>"$TTFB" <<'EOF'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()][20:]   # the first 20 are a warm-up
bad = sum(1 for code, _ in rows if code != "200")
t = sorted(float(s) * 1000 for _, s in rows)
pct = lambda q: t[min(len(t) - 1, int(round(q * (len(t) - 1))))]
print(f"{sys.argv[2]}\t{sys.argv[3]}\t{len(t)}\t{pct(0.5):.3f}\t{pct(0.99):.3f}\t{bad}")
EOF
    log "round $round TTFB $name: $(tail -1 "$TTFB" | cut -f4,5 | tr '\t' ' ') ms (p50 p99)"
}

# ---------------------------------------------------------------- core scaling (--cores): pinned copies of (b) and (c)
# Each pinned copy is started under `taskset -c`, so the runtime sees only those CPUs from the start (processor count,
# thread pool, GC heaps), as on a machine with that many cores. Copies are named yarp@N and gateway@N.
declare -A PIN_CPUS=()   # N -> CPU list, the first N CPUs this script may run on
CORES_RAW=$OUT/cores.tsv
plan_cores() {
    local allowed
    mapfile -t allowed < <(python3 -c 'import os; print("\n".join(map(str, sorted(os.sched_getaffinity(0)))))')
    for n in $CORES; do
        [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "--cores: '$n' is not a core count" >&2; exit 2; }
        [[ $n -le ${#allowed[@]} ]] || { echo "--cores: $n cores asked, ${#allowed[@]} available" >&2; exit 2; }
        PIN_CPUS[$n]=$(IFS=,; echo "${allowed[*]:0:n}")
    done
    head -1 "$RAW" >"$CORES_RAW"
}
start_pinned() {
    for n in $CORES; do
        local yarp_port=$((PINNED_PORT_BASE + n)) gw_port=$((PINNED_PORT_BASE + 50 + n))
        PORT[yarp@$n]=$yarp_port;  BODY[yarp@$n]=${BODY[yarp]};       HEADERS[yarp@$n]=${HEADERS[yarp]}
        PORT[gateway@$n]=$gw_port; BODY[gateway@$n]=${BODY[gateway]}; HEADERS[gateway@$n]=${HEADERS[gateway]}
        PIN=${PIN_CPUS[$n]} start_yarp "yarp@$n" "$yarp_port" "$STUB_PORT"
        PIN=${PIN_CPUS[$n]} start_gateway "gateway@$n" "$gw_port" "$STUB_PORT"
        log "pinned to CPUs ${PIN_CPUS[$n]}: yarp@$n (PID ${PID[yarp@$n]}), gateway@$n (PID ${PID[gateway@$n]})"
        check_target "yarp@$n"; check_target "gateway@$n"
    done
    # A pinned copy compiles with less CPU: one round's warm-up left YARP on one core still tiering up (16.3k calls/s in
    # round 1, 39.4k in round 2). Each copy gets a longer warm-up of its own once, before the rounds.
    local name
    for n in $CORES; do
        for name in "yarp@$n" "gateway@$n"; do
            BENCH_BODY=${BODY[$name]} BENCH_HEADERS=${HEADERS[$name]:-} BENCH_PATH=/v1/chat/completions \
                wrk -t2 -c"$CORES_CONCURRENCY" -d"${CORES_WARMUP}s" -s "$BENCH/wrk/post.lua" \
                "http://127.0.0.1:${PORT[$name]}/v1/chat/completions" >/dev/null 2>&1 || true
        done
    done
}

# ---------------------------------------------------------------- overload (--overload): issue 12's "Bad input"
# A gateway of its own, started with a small Gateway:Overload:MaxConcurrentCalls, first measured at 32 connections (its
# sustainable rate), then driven with many more connections than its places and queue hold. wrk has no fixed-rate mode:
# the excess is in connections, each sending its next call as soon as the last is answered, shed or not.
OVER=$OUT/overload.tsv
metric_sum() {   # metric file: the sum of every series of the metric (0 when absent)
    awk -v m="$1" '$0 !~ /^#/ && ($1 == m || index($1, m "{") == 1) { s += $NF } END { printf "%d", s }' "$2"
}
scrape() {   # stop-file port pid: every 0.5 s until the stop file exists, /healthz, RSS and two metrics to scrape.tsv
    set +e
    local stop=$1 port=$2 pid=$3 m=$WORK/metrics.txt t h rss backlog shed
    while [[ ! -e $stop ]]; do
        t=$(date +%s.%N)
        h=$(curl -s -o /dev/null -m 2 -w '%{http_code}\t%{time_total}' "http://127.0.0.1:$port/healthz")
        if [[ $(curl -s -m 2 -o "$m" -w '%{http_code}' "http://127.0.0.1:$port/metrics") == 200 ]]; then
            backlog=$(metric_sum xefai_audit_backlog "$m"); shed=$(metric_sum xefai_shed_total "$m")
        else
            backlog=-1 shed=-1
        fi
        rss=$(awk '/^VmRSS:/ {print $2}' /proc/"$pid"/status 2>/dev/null)
        printf '%s\t%s\t%s\t%s\t%s\n' "$t" "$h" "${rss:-0}" "$backlog" "$shed" >>"$WORK/scrape.tsv"
        sleep 0.5
    done
}
run_overload() {
    local name=gateway-over port=$GW_OVER_PORT
    PORT[$name]=$port; BODY[$name]=${BODY[gateway]}; HEADERS[$name]=${HEADERS[gateway]}
    start_gateway "$name" "$port" "$STUB_PORT" Gateway__Overload__MaxConcurrentCalls="$OVERLOAD_LIMIT"
    log "overload: $name (PID ${PID[$name]}) with Gateway__Overload__MaxConcurrentCalls=$OVERLOAD_LIMIT (queue: the default 32)"
    check_target "$name"
    local pid=${PID[$name]} url="http://127.0.0.1:$port/v1/chat/completions"
    export BENCH_BODY=${BODY[$name]} BENCH_HEADERS=${HEADERS[$name]} BENCH_PATH=/v1/chat/completions BENCH_LUA_DIR=$BENCH/wrk
    # The response hook counts answers by status; done() prints the totals of every thread.
    cat >"$WORK/overload.lua" <<'LUA'
dofile(os.getenv("BENCH_LUA_DIR") .. "/post.lua")
local threads = {}
function setup(thread) table.insert(threads, thread) end
s2xx, s503, s429, sother, no_retry_after = 0, 0, 0, 0, 0
function response(status, headers, body)
  if status >= 200 and status < 300 then s2xx = s2xx + 1
  elseif status == 503 or status == 429 then
    if status == 503 then s503 = s503 + 1 else s429 = s429 + 1 end
    if headers["Retry-After"] == nil and headers["retry-after"] == nil then no_retry_after = no_retry_after + 1 end
  else sother = sother + 1 end
end
function done(summary, latency, requests)
  local t = { s2xx = 0, s503 = 0, s429 = 0, sother = 0, no_retry_after = 0 }
  for _, thread in ipairs(threads) do
    for k in pairs(t) do t[k] = t[k] + (thread:get(k) or 0) end
  end
  io.write(string.format("overload-counts 2xx=%d 503=%d 429=%d other=%d no_retry_after=%d\n",
    t.s2xx, t.s503, t.s429, t.sother, t.no_retry_after))
end
LUA
    {
        printf 'limit\t%s\nqueue\t32\nconnections\t%s\nduration\t%s\n' "$OVERLOAD_LIMIT" "$OVERLOAD_CONNECTIONS" "$OVERLOAD_DURATION"
        # The rate the rounds measured for (c) at 32 connections (default limit), when they did.
        printf 'rounds_rps_32\t%s\n' "$(awk -F'\t' '$2 == 32 && $3 == "gateway" { s += $6; n++ } END { if (n) printf "%.0f", s / n }' "$RAW")"
    } >"$OVER"

    # 1. The sustainable rate of this gateway: 32 connections fit in its places and queue, so nothing is shed.
    local sus=$OUT/logs/wrk-overload-sustainable.txt
    wrk -t2 -c32 -d5s --timeout 10s --latency -s "$WORK/overload.lua" "$url" >"$sus" 2>&1
    local sus_rps
    sus_rps=$(awk '/^Requests\/sec:/ {print $2}' "$sus")
    printf 'sustainable_rps\t%s\nsustainable_p50_us\t%s\nsustainable_p99_us\t%s\nsustainable_counts\t%s\n' "$sus_rps" \
        "$(to_us "$(awk '$1 == "50%" {print $2}' "$sus")")" "$(to_us "$(awk '$1 == "99%" {print $2}' "$sus")")" \
        "$(awk '/^overload-counts/ {$1 = ""; print substr($0, 2)}' "$sus")" >>"$OVER"
    log "overload: sustainable rate at 32 connections $sus_rps req/s"

    # 2. Far past it, with /healthz, /metrics and RSS read every 0.5 s.
    sleep 2
    local rss_before hwm_before shed_before
    read -r rss_before hwm_before < <(rss_kb "$pid")
    curl -s -m 5 -o "$WORK/metrics.txt" "http://127.0.0.1:$port/metrics" || true
    shed_before=$(metric_sum xefai_shed_total "$WORK/metrics.txt")
    printf 't\thealthz\thealthz_s\trss_kb\tbacklog\tshed\n' >"$WORK/scrape.tsv"
    rm -f "$WORK/scrape.stop"
    scrape "$WORK/scrape.stop" "$port" "$pid" &
    PID[scraper]=$!
    local out=$OUT/logs/wrk-overload.txt
    log "overload: $OVERLOAD_CONNECTIONS connections for ${OVERLOAD_DURATION}s"
    wrk -t2 -c"$OVERLOAD_CONNECTIONS" -d"${OVERLOAD_DURATION}s" --timeout 10s --latency -s "$WORK/overload.lua" "$url" >"$out" 2>&1
    touch "$WORK/scrape.stop"
    wait "${PID[scraper]}" || true
    unset 'PID[scraper]'
    cp "$WORK/scrape.tsv" "$OUT/overload-scrape.tsv"
    local rss_after hwm_after
    read -r rss_after hwm_after < <(rss_kb "$pid")
    {
        printf 'requests\t%s\nrps\t%s\n' "$(awk '/requests in/ {print $1}' "$out")" "$(awk '/^Requests\/sec:/ {print $2}' "$out")"
        printf 'p50_us\t%s\np99_us\t%s\n' "$(to_us "$(awk '$1 == "50%" {print $2}' "$out")")" "$(to_us "$(awk '$1 == "99%" {print $2}' "$out")")"
        printf 'non2xx\t%s\n' "$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out")"
        printf 'socket_errors\t%s\n' "$(awk '/Socket errors:/ {sub(/^ *Socket errors: */, ""); print}' "$out")"
        printf 'counts\t%s\n' "$(awk '/^overload-counts/ {$1 = ""; print substr($0, 2)}' "$out")"
        printf 'rss_before_kb\t%s\nrss_after_kb\t%s\nhwm_before_kb\t%s\nhwm_after_kb\t%s\n' "$rss_before" "$rss_after" "$hwm_before" "$hwm_after"
        printf 'shed_before\t%s\n' "$shed_before"
    } >>"$OVER"

    # 3. Afterwards: one normal call answers 200, and the trail verifies.
    sleep 1
    local code after=0
    mapfile -t hdrs < <(curl_headers "$name")
    code=$(curl -s -o "$WORK/over-after.body" -w '%{http_code}' -m 30 -X POST -H 'Content-Type: application/json' "${hdrs[@]}" \
        --data-binary @"${BODY[$name]}" "$url")
    [[ $code == 200 ]] && grep -q '"chatcmpl-bench0001"' "$WORK/over-after.body" && after=1
    curl -s -m 5 -o "$WORK/metrics.txt" "http://127.0.0.1:$port/metrics" || true
    {
        printf 'after_call\t%s\t%s\n' "$code" "$after"
        printf 'shed_after\t%s\nbacklog_after\t%s\n' "$(metric_sum xefai_shed_total "$WORK/metrics.txt")" "$(metric_sum xefai_audit_backlog "$WORK/metrics.txt")"
        printf 'verify\t%s\n' "$(curl -s -m 300 -H "Authorization: Bearer $ADMIN_KEY" "http://127.0.0.1:$port/admin/audit/verify")"
    } >>"$OVER"
    log "overload: $(grep -E '^(rps|counts|p99_us|after_call|verify)' "$OVER" | tr '\t\n' ' ;')"
}

# ---------------------------------------------------------------- run
[[ $INSTALL == 1 ]] && install_missing
[[ $BUILD == 1 ]] && build
define_targets
[[ -n $CORES ]] && plan_cores

log "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), load average $(cut -d' ' -f1-3 /proc/loadavg)"
start_stub
has_target gateway-pg && start_postgres
has_target yarp && start_yarp yarp "$YARP_PORT" "$STUB_PORT"
has_target yarp-stream && start_yarp yarp-stream "$YARP_STREAM_PORT" "$STUB_STREAM_PORT"
has_target gateway && start_gateway gateway "$GW_PORT" "$STUB_PORT"
has_target gateway-stream && start_gateway gateway-stream "$GW_STREAM_PORT" "$STUB_STREAM_PORT"
has_target gateway-pg && start_gateway gateway-pg "$GW_PG_PORT" "$STUB_PORT" Audit__Store=postgres \
    "Audit__Postgres__ConnectionString=Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=xefai;Maximum Pool Size=100"
has_target portkey && start_portkey
for name in $TARGETS; do check_target "$name"; done
[[ -n $CORES ]] && start_pinned

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
for round in $(seq "$ROUNDS"); do
    for c in $CONCURRENCY; do
        for name in $TARGETS; do measure "$round" "$c" "$name"; done
    done
    for name in stub-stream yarp-stream gateway-stream; do has_target "$name" && measure_ttfb "$round" "$name"; done
    for n in $CORES; do
        for name in yarp gateway; do measure "$round" "$CORES_CONCURRENCY" "$name@$n" "$CORES_RAW"; done
    done
done
[[ $OVERLOAD == 1 ]] && run_overload
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# Every governed call must have left a record, and every chain must verify.
AUDIT=$OUT/audit.tsv
printf 'target\tverify\n' >"$AUDIT"
verify_trail() {   # port: the chain check's verdict; a walk too long for the request (PostgreSQL) is followed to its end
    local port=$1 verdict id
    verdict=$(curl -s -m 300 -H "Authorization: Bearer $ADMIN_KEY" "http://127.0.0.1:$port/admin/audit/verify")
    id=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d.get("id","") if "state" in d else "")' "$verdict" 2>/dev/null)
    while [[ -n $id ]]; do
        sleep 2
        verdict=$(curl -s -m 30 -H "Authorization: Bearer $ADMIN_KEY" "http://127.0.0.1:$port/admin/audit/verifications/$id")
        if [[ $(python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get("state"))' "$verdict" 2>/dev/null) != running ]]; then
            verdict=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(json.dumps(d.get("result") or d, separators=(",", ":")))' "$verdict")
            id=""
        fi
    done
    printf '%s' "$verdict"
}
for name in gateway gateway-stream gateway-pg $(for n in $CORES; do echo "gateway@$n"; done); do
    [[ $name == *@* ]] || has_target "$name" || continue
    verdict=$(verify_trail "${PORT[$name]}")
    printf '%s\t%s\n' "$name" "$verdict" >>"$AUDIT"
    log "$name audit verify: $verdict"
done

{
    echo "machine=$(nproc) cores; $(uname -r); $(dotnet --version 2>/dev/null | head -1) SDK; load $LOAD_START -> $LOAD_END"
    echo "rounds=$ROUNDS duration=${DURATION}s warmup=${WARMUP}s concurrency=$CONCURRENCY ttfb_calls=$TTFB_COUNT"
    echo "wrk=$(wrk -v 2>&1 | head -1 | awk '{print $2}') nginx=$(nginx -v 2>&1 | awk -F/ '{print $2}') node=$(node --version) portkey=$(node -p "require('$BENCH/portkey/node_modules/@portkey-ai/gateway/package.json').version" 2>/dev/null)"
    [[ $OVERLOAD == 1 ]] && echo "overload: gateway with MaxConcurrentCalls=$OVERLOAD_LIMIT, $OVERLOAD_CONNECTIONS connections for ${OVERLOAD_DURATION}s"
    [[ -n $CORES ]] && echo "cores: $(for n in $CORES; do printf '%s on CPUs %s; ' "$n" "${PIN_CPUS[$n]}"; done)concurrency $CORES_CONCURRENCY; wrk and the stub unpinned"
    echo "commit=$(git -C "$ROOT" rev-parse --short HEAD)"
} >"$OUT/machine.txt"

python3 "$BENCH/report.py" "$OUT" "$CLK_TCK"
(cd "$OUT" && gnuplot "$BENCH/chart.gp" 2>"$OUT/logs/gnuplot.log") || log "gnuplot failed: see logs/gnuplot.log"
cat "$OUT/results.md"
log "results in ${OUT#"$ROOT"/}"
