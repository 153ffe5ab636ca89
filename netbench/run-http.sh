#!/usr/bin/env bash
# The HTTP benchmark (issue 5): eddy's http_server against two peers built
# in this crate — hyper_http (hyper 1.x on a current_thread tokio runtime)
# and mio_http (a minimal one-thread mio + httparse server) — under wrk.
#
#   bash netbench/run-http.sh
#
# Every server answers `GET /` with the same `You requested /\n`. For each
# mode (plain keep-alive requests, and DEPTH-deep pipelining through
# netbench/pipeline.lua) and round, each server in turn is started on a free
# 127.0.0.1 port pinned to SERVER_CPU, wrk runs pinned to CLIENT_CPU for
# DURATION seconds over CONNECTIONS keep-alive connections, and the script
# records the server's CPU time (utime + stime from /proc/PID/stat) over the
# run and its peak RSS (VmHWM), then stops it with SIGTERM. The order of the
# servers rotates from round to round so that drift of the machine favours
# none. At the end it prints, per mode and server, the medians of:
#   req/s        requests per second served (wrk's count / wall time)
#   cpu us/req   server CPU microseconds per request served
#   req/s/core   requests per second of server CPU time (1e6 / cpu us/req)
#   p99 ms       wrk's 99th-percentile latency
#   rss KiB      peak resident set size of the server
# and the ratios eddy/hyper and eddy/mio of those medians. The issue's
# targets (cpu/req <= 0.8x hyper and <= 1.05x mio, pipelined req/s >= 1.2x
# hyper) are then judged on paired ratios: each round's eddy ÷ peer, whose
# median (and lowest and highest) is printed. A round runs the servers
# within seconds of each other, so its ratio is less moved by the drift of
# a shared machine than a ratio of two medians.
#
# Environment (all optional):
#   ROUNDS=5            rounds per mode (at least 5 for the issue's figures)
#   DURATION=5          seconds of load per run
#   MODES="plain pipelined"
#   DEPTH=16            requests in flight per connection when pipelined
#   CONNECTIONS=50      wrk connections (keep-alive)
#   WRK_THREADS=1       wrk threads (all on CLIENT_CPU)
#   SERVER_CPU=0        CPU the server is pinned to
#   CLIENT_CPU=1        CPU wrk is pinned to
#   SERVERS="eddy hyper mio"
#                       add `floor` for floor_http, the least work per
#                       request on epoll (one recv, one send, no parsing):
#                       the share of CPU that no server can win back
#   EDDY_HTTP=path      the eddy server binary; when set, http_server is not
#                       built (EDDY_HTTP=$CARGO_TARGET_DIR/release/mio_http
#                       runs mio against itself: its ratio should be ~1.0)
#   HYPER_ARGS=         extra flags for hyper_http (`--pipeline-flush`
#                       turns on hyper's aggregated flushes for pipelining)
#   HYPER_HTTP=path, MIO_HTTP=path
#                       replace a peer's binary (e.g. an eddy build under
#                       the name mio, to compare two eddy builds in one run)
#   CARGO_TARGET_DIR    honoured when locating the binaries
#
# wrk is installed from Debian (apt-get) when missing. Every run is bounded
# in time (timeout(1)) and aimed at 127.0.0.1 only. Servers and wrk are
# stopped on failure, Ctrl-C or SIGTERM.
set -euo pipefail
# shellcheck source=netbench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" # die, pinning, servers, CPU accounting, medians
cd "$ROOT"

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-5}
MODES=${MODES:-plain pipelined}
DEPTH=${DEPTH:-16}
CONNECTIONS=${CONNECTIONS:-50}
WRK_THREADS=${WRK_THREADS:-1}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
SERVERS=${SERVERS:-eddy hyper mio}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
READY_TIMEOUT=10 # seconds for a server to print `listening on`
STOP_TIMEOUT=5   # seconds for a server to exit after SIGTERM
LUA=$ROOT/netbench/pipeline.lua

require_uints ROUNDS DEPTH CONNECTIONS WRK_THREADS SERVER_CPU CLIENT_CPU
is_uint "$DURATION" || die "DURATION must be whole seconds (wrk's -d), got '$DURATION'"
((ROUNDS > 0 && DURATION > 0 && DEPTH > 0 && CONNECTIONS > 0 && WRK_THREADS > 0)) ||
    die "ROUNDS, DURATION, DEPTH, CONNECTIONS and WRK_THREADS must be at least 1"
((CONNECTIONS >= WRK_THREADS)) || die "wrk needs at least one connection per thread"
for mode in $MODES; do
    [[ $mode == plain || $mode == pipelined ]] || die "modes are 'plain' and 'pipelined', got '$mode'"
done
for name in $SERVERS; do
    [[ $name == eddy || $name == hyper || $name == mio || $name == floor ]] ||
        die "servers are eddy, hyper, mio and floor, got '$name'"
done

if ! command -v wrk >/dev/null; then
    echo "run-http.sh: wrk not found; installing it from Debian (apt-get install wrk)" >&2
    if ! { apt-get install -y --no-install-recommends wrk >&2 ||
        { apt-get update >&2 && apt-get install -y --no-install-recommends wrk >&2; }; }; then
        die "could not install wrk (apt-get install -y --no-install-recommends wrk); install it and rerun"
    fi
fi
command -v wrk >/dev/null || die "wrk not found"
check_pinning wrk

# --- build -------------------------------------------------------------------

echo "building release binaries (target dir $TARGET_DIR)..." >&2
cargo build --release -p eddy-netbench --bin hyper_http --bin mio_http --bin floor_http
eddy_binary EDDY_HTTP http_server
declare -A BIN=([eddy]=$EDDY_BIN [hyper]=${HYPER_HTTP:-$TARGET_DIR/release/hyper_http}
    [mio]=${MIO_HTTP:-$TARGET_DIR/release/mio_http} [floor]=$TARGET_DIR/release/floor_http)
for name in $SERVERS; do
    [[ -x ${BIN[$name]} ]] || die "${BIN[$name]} is missing or not executable"
done

# --- process bookkeeping and clean-up ---------------------------------------

setup_work eddy-httpbench

# `proc/PID/status` field $2 (e.g. VmHWM) of process $1, in KiB.
status_kib() {
    awk -v f="$2:" '$1 == f { print $2; exit }' "/proc/$1/status" 2>/dev/null || true
}

# CPU seconds (user + system) of this shell's reaped children so far
# (bash's `times`, second line): wrk's, once it has been waited for. The
# builtin runs in this shell (not a subshell, which has no children).
children_secs() {
    times >"$WORK/times"
    awk 'NR == 2 { s = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); sub("s", "", p[2]); s += p[1] * 60 + p[2] } printf "%.3f", s }' "$WORK/times"
}

# Checks that the running server answers `GET /` with eddy's body.
check_answer() {
    local name=$1 fd reply
    exec {fd}<>"/dev/tcp/${SERVER_ADDR%:*}/${SERVER_ADDR##*:}" || die "$name: cannot connect to $SERVER_ADDR"
    printf 'GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n' >&"$fd"
    reply=$(timeout 5 cat <&"$fd" | tr -d '\r') || true
    exec {fd}>&-
    [[ $reply == "HTTP/1.1 200 OK"*$'\n\nYou requested /' ]] ||
        die "$name answered GET / with something else: $(head -c 300 <<<"$reply")"
}

# wrk's latency figure ($1 like 1.23ms, 456.78us, 1.02s) in milliseconds.
to_ms() {
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) { sub("us", "", v); printf "%.3f", v / 1000 }
        else if (v ~ /ms$/) { sub("ms", "", v); printf "%.3f", v }
        else if (v ~ /m$/) { sub("m", "", v); printf "%.3f", v * 60000 }
        else if (v ~ /s$/) { sub("s", "", v); printf "%.3f", v * 1000 }
        else printf "nan" }'
}

# One run: server $1, mode $2, round $3; sets RUN (five figures).
run_once() {
    local name=$1 mode=$2 round=$3 status=0 out requests rps p99 hwm
    local t0 t1 server0 server1 busy0 busy1 wrk0 wrk1 cpu_us per_core server client others
    local -a script=() flags=()
    [[ $mode == plain ]] || script=(-s "$LUA")
    [[ $name != hyper ]] || read -r -a flags <<<"${HYPER_ARGS:-}"
    start_server "${BIN[$name]}" "$name" "${flags[@]}"
    if [[ -z ${CHECKED[$name]:-} ]]; then
        check_answer "$name"
        CHECKED[$name]=1
    fi
    children_secs >"$WORK/c0"
    wrk0=$(cat "$WORK/c0")
    t0=$EPOCHREALTIME server0=$(cpu_secs "$SERVER_PID") busy0=$(machine_busy_secs)
    timeout --kill-after=5 $((DURATION + 20)) \
        taskset -c "$CLIENT_CPU" wrk -t "$WRK_THREADS" -c "$CONNECTIONS" -d "${DURATION}s" --latency \
        --timeout 5s "${script[@]}" "http://$SERVER_ADDR/" ${script[@]:+-- "$DEPTH"} \
        >"$WORK/wrk.out" 2>"$WORK/wrk.err" &
    LOAD_PID=$!
    wait "$LOAD_PID" || status=$?
    LOAD_PID=""
    t1=$EPOCHREALTIME server1=$(cpu_secs "$SERVER_PID") busy1=$(machine_busy_secs)
    children_secs >"$WORK/c1"
    wrk1=$(cat "$WORK/c1")
    hwm=$(status_kib "$SERVER_PID" VmHWM)
    stop_server "$name"
    out=$(cat "$WORK/wrk.out")
    if ((status != 0)); then
        cat "$WORK/wrk.err" >&2
        die "wrk against $name ($mode) failed with status $status: $out"
    fi
    if grep -q -e 'Non-2xx' -e 'Socket errors' <<<"$out"; then
        die "wrk against $name ($mode) saw errors: $(grep -e 'Non-2xx' -e 'Socket errors' <<<"$out")"
    fi
    requests=$(sed -n 's/^ *\([0-9][0-9]*\) requests in.*/\1/p' <<<"$out")
    p99=$(awk '$1 == "99%" { print $2; exit }' <<<"$out")
    [[ -n $requests && -n $p99 ]] || die "cannot read wrk's output: $out"
    [[ -n $server0 && -n $server1 && -n $hwm ]] || die "$name exited during the run"
    # req/s over the wall time of the run; CPU figures over the same span
    # (wrk's CPU seconds as CPUs: its share of the run).
    read -r rps cpu_us per_core client < <(awk -v n="$requests" -v t0="$t0" -v t1="$t1" \
        -v s0="$server0" -v s1="$server1" -v w0="$wrk0" -v w1="$wrk1" 'BEGIN {
            w = t1 - t0; s = s1 - s0
            printf "%.0f %.3f %.0f %.6f\n", n / w, s * 1e6 / n, (s > 0 ? n / s : 0), (w1 - w0) / w
        }')
    read -r server client others < <(cpu_usage "$t0" "$t1" "$server0" "$server1" "$busy0" "$busy1" "$client")
    note_others "$others"
    p99=$(to_ms "$p99")
    # With pipelining wrk's histogram can read 0 for the upper percentiles;
    # then the run's maximum latency stands in (an upper bound of the p99).
    if awk -v v="$p99" 'BEGIN { exit !(v == 0) }'; then
        p99=$(to_ms "$(awk '$1 == "Latency" { print $4; exit }' <<<"$out")")
        P99_FROM_MAX[$mode]=1
    fi
    printf '  %-9s round %d: %-5s %9s req/s %7s us/req %9s req/s/core p99 %7s ms rss %6s KiB (server/wrk cpu %s, others %s)\n' \
        "$mode" "$round" "$name" "$rps" "$cpu_us" "$per_core" "$p99" "$hwm" "$server/$client" "$others" >&2
    RUN="$rps $cpu_us $per_core $p99 $hwm"
}

# --- the runs ----------------------------------------------------------------

echo "HTTP benchmark: wrk -t$WRK_THREADS -c$CONNECTIONS, ${DURATION} s per run, $ROUNDS round(s), modes: $MODES" \
    "(pipelined: $DEPTH deep); server on CPU $SERVER_CPU, wrk on CPU $CLIENT_CPU" >&2
echo "eddy = $EDDY_NOTE; hyper = ${BIN[hyper]}; mio = ${BIN[mio]}; floor = ${BIN[floor]}" >&2

declare -A CHECKED
declare -A P99_FROM_MAX
declare -A RESULTS # [mode,server,column] = "v1 v2 ..."
COLUMNS_=(rps cpu core p99 rss)
for mode in $MODES; do
    for ((round = 1; round <= ROUNDS; round++)); do
        # shellcheck disable=SC2086 # one name per server
        for name in $(round_order "$round" $SERVERS); do
            run_once "$name" "$mode" "$round"
            read -r -a figures <<<"$RUN"
            for c in 0 1 2 3 4; do
                RESULTS[$mode,$name,${COLUMNS_[$c]}]+="${figures[$c]} "
            done
        done
    done
done

# --- the table ---------------------------------------------------------------

med() {
    # shellcheck disable=SC2086 # one value per round
    median 3 ${RESULTS[$1,$2,$3]}
}
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'
}

printf '\nmedians of %d rounds (%d s each, %d connections, pipelined %d deep)\n' "$ROUNDS" "$DURATION" "$CONNECTIONS" "$DEPTH"
printf '%-10s %-11s %10s %11s %11s %9s %9s\n' mode server 'req/s' 'cpu us/req' 'req/s/core' 'p99 ms' 'rss KiB'
for mode in $MODES; do
    for name in $SERVERS; do
        printf '%-10s %-11s %10.0f %11.2f %11.0f %9.2f %9.0f\n' "$mode" "$name" \
            "$(med "$mode" "$name" rps)" "$(med "$mode" "$name" cpu)" "$(med "$mode" "$name" core)" \
            "$(med "$mode" "$name" p99)" "$(med "$mode" "$name" rss)"
    done
    for peer in hyper mio floor; do
        [[ " $SERVERS " == *" eddy "* && " $SERVERS " == *" $peer "* ]] || continue
        printf '%-10s %-11s' "$mode" "eddy/$peer"
        for c in rps cpu core p99 rss; do
            printf ' %*s' "$([[ $c == rps ]] && echo 10 || { [[ $c == cpu || $c == core ]] && echo 11 || echo 9; })" \
                "$(ratio "$(med "$mode" eddy $c)" "$(med "$mode" $peer $c)")"
        done
        printf '\n'
    done
done
echo "(ratios of medians; cpu us/req below 1 and req/s, req/s/core above 1 favour eddy)"
for mode in "${!P99_FROM_MAX[@]}"; do
    echo "($mode: wrk's p99 read 0 in some runs; their maximum latency is counted instead)"
done

# Each round runs every server within seconds of the others, so a round's
# own ratio eddy ÷ peer is the fairest comparison on a machine whose speed
# drifts from minute to minute; their median is what the targets judge.
# Prints "median lowest highest" of round ratios of column $3, mode $1,
# peer $2.
paired() {
    local -a mine theirs ratios=()
    read -r -a mine <<<"${RESULTS[$1,eddy,$3]}"
    read -r -a theirs <<<"${RESULTS[$1,$2,$3]}"
    local i
    for i in "${!mine[@]}"; do
        ratios+=("$(awk -v a="${mine[$i]}" -v b="${theirs[$i]:-0}" 'BEGIN { if (b > 0) printf "%.4f", a / b; else print 0 }')")
    done
    printf '%s %s %s\n' "$(median 2 "${ratios[@]}")" \
        "$(printf '%s\n' "${ratios[@]}" | sort -g | head -n 1 | xargs printf '%.2f')" \
        "$(printf '%s\n' "${ratios[@]}" | sort -g | tail -n 1 | xargs printf '%.2f')"
}

# The issue's targets, on the paired ratios.
if [[ " $SERVERS " == *" eddy "* ]]; then
    verdict() { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN { ok = (op == "<=") ? v <= t : v >= t; print (ok ? "met" : "NOT met") }'; }
    printf '\npaired ratios: each round'"'"'s eddy ÷ peer; median (lowest-highest) of %d rounds\n' "$ROUNDS"
    for mode in $MODES; do
        for peer in hyper mio; do
            [[ " $SERVERS " == *" $peer "* ]] || continue
            limit=$([[ $peer == hyper ]] && echo 0.80 || echo 1.05)
            read -r r lo hi < <(paired "$mode" "$peer" cpu)
            echo "target ($mode): eddy cpu/req <= ${limit}x $peer: $r ($lo-$hi) ($(verdict "$r" '<=' "$limit"))"
        done
        if [[ " $SERVERS " == *" floor "* ]]; then
            read -r r lo hi < <(paired "$mode" floor cpu)
            echo "($mode: eddy cpu/req ÷ floor: $r ($lo-$hi); no target, the floor shows what is left to win)"
        fi
        if [[ $mode == pipelined && " $SERVERS " == *" hyper "* ]]; then
            read -r r lo hi < <(paired "$mode" hyper rps)
            echo "target (pipelined): eddy req/s >= 1.20x hyper: $r ($lo-$hi) ($(verdict "$r" '>=' 1.20))"
        fi
    done
fi
report_others
