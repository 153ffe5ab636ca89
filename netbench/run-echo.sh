#!/usr/bin/env bash
# The echo benchmark (issue 4): eddy's echo_server against netbench's
# tokio_echo, one after the other, under the same load client (echo_load).
#
#   bash netbench/run-echo.sh
#
# For each message size and round it starts a server on a free 127.0.0.1
# port pinned to one CPU, waits for its `listening on` line, runs echo_load
# pinned to another CPU for DURATION seconds, stops the server with SIGTERM,
# and finally prints MB/s per round, the medians and the ratio eddy/tokio.
# Within a round both servers run; the order alternates between rounds
# (eddy first in odd rounds, tokio first in even ones) so slow drift of the
# machine does not favour one side.
#
# Environment (all optional):
#   ROUNDS=3            rounds per message size
#   DURATION=5          seconds of load per run
#   SIZES="64 16384"    message sizes in bytes, `\n` included
#   CONNECTIONS=50      connections of the load client
#   WINDOW=4            messages in flight per connection
#   LOAD_THREADS=2      OS threads of the load client
#   SERVER_CPU=0        CPU the server is pinned to
#   CLIENT_CPU=1        CPU the load client is pinned to
#   EDDY_ECHO=path      the eddy server binary; when set, echo_server is not
#                       built (EDDY_ECHO=$CARGO_TARGET_DIR/release/tokio_echo
#                       benchmarks tokio against itself: the ratio should be
#                       about 1.0)
#   CARGO_TARGET_DIR    honoured when locating the binaries
#
# Every run is bounded in time (timeout(1)) and aimed at 127.0.0.1 only.
# Servers and clients are stopped on failure, Ctrl-C or SIGTERM.
set -euo pipefail
export LC_ALL=C # `.` decimals for $EPOCHREALTIME, awk and printf

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
SIZES=${SIZES:-64 16384}
CONNECTIONS=${CONNECTIONS:-50}
WINDOW=${WINDOW:-4}
LOAD_THREADS=${LOAD_THREADS:-2}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
READY_TIMEOUT=10 # seconds for a server to print `listening on`
STOP_TIMEOUT=5   # seconds for a server to exit after SIGTERM
DRAIN_SECS=10    # echo_load's bound on connecting and on the final drain

die() {
    echo "run-echo.sh: $*" >&2
    exit 1
}

is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }
for var in ROUNDS CONNECTIONS WINDOW LOAD_THREADS SERVER_CPU CLIENT_CPU; do
    is_uint "${!var}" || die "$var must be a whole number, got '${!var}'"
done
[[ $DURATION =~ ^[0-9]+([.][0-9]+)?$ ]] || die "DURATION must be a number of seconds, got '$DURATION'"
((ROUNDS > 0)) || die "ROUNDS must be at least 1"
for size in $SIZES; do
    if ! is_uint "$size" || ((size == 0 || size > 65536)); then
        die "sizes must be 1..65536 bytes, got '$size'"
    fi
done

for tool in taskset setsid; do
    command -v "$tool" >/dev/null || die "$tool not found; it comes with util-linux (apt-get install -y util-linux)"
done
for cpu in "$SERVER_CPU" "$CLIENT_CPU"; do
    taskset -c "$cpu" true 2>/dev/null || die "cannot pin to CPU $cpu (this machine allows: $(taskset -pc $$ | sed 's/.*: //')); set SERVER_CPU/CLIENT_CPU"
done
[[ $SERVER_CPU != "$CLIENT_CPU" ]] || echo "run-echo.sh: warning: server and client share CPU $SERVER_CPU" >&2

# --- build -------------------------------------------------------------------

echo "building release binaries (target dir $TARGET_DIR)..." >&2
cargo build --release -p eddy-netbench
if [[ -n ${EDDY_ECHO:-} ]]; then
    EDDY_BIN=$EDDY_ECHO
    EDDY_NOTE="EDDY_ECHO=$EDDY_ECHO"
else
    cargo build --release -p eddy-examples --bin echo_server ||
        die "could not build eddy's echo_server; set EDDY_ECHO=path to use another binary"
    EDDY_BIN=$TARGET_DIR/release/echo_server
    EDDY_NOTE="$EDDY_BIN"
fi
TOKIO_BIN=$TARGET_DIR/release/tokio_echo
LOAD_BIN=$TARGET_DIR/release/echo_load
for bin in "$EDDY_BIN" "$TOKIO_BIN" "$LOAD_BIN"; do
    [[ -x $bin ]] || die "$bin is missing or not executable"
done

# --- process bookkeeping and clean-up ---------------------------------------

WORK=$(mktemp -d "${TMPDIR:-/tmp}/eddy-netbench.XXXXXX")
SERVER_PID=""
DRAIN_PID=""
LOAD_PID=""

# Waits up to $2 seconds for process $1 (not necessarily a child) to exit.
wait_gone() {
    timeout "$2" tail --pid="$1" -s 0.05 -f /dev/null 2>/dev/null
}

cleanup() {
    trap - EXIT INT TERM
    if [[ -n $LOAD_PID ]]; then
        kill -TERM "$LOAD_PID" 2>/dev/null || true
    fi
    if [[ -n $SERVER_PID ]]; then
        kill -TERM -- "-$SERVER_PID" 2>/dev/null || true
        wait_gone "$SERVER_PID" "$STOP_TIMEOUT" || true
        kill -KILL -- "-$SERVER_PID" 2>/dev/null || true
    fi
    if [[ -n $DRAIN_PID ]]; then
        kill -TERM "$DRAIN_PID" 2>/dev/null || true
    fi
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'echo "run-echo.sh: interrupted" >&2; exit 130' INT
trap 'echo "run-echo.sh: terminated" >&2; exit 143' TERM

# CPU seconds (user + system) used so far by process $1, or empty.
CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)
cpu_secs() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
    stat=${stat##*")"} # the command name may hold spaces and parentheses
    awk -v hz="$CLK_TCK" '{ printf "%.3f", ($12 + $13) / hz }' <<<"$stat"
}

# CPU seconds the whole machine has spent busy so far: every state of the
# `cpu` line of /proc/stat (proc(5)) but idle and iowait.
machine_busy_secs() {
    awk -v hz="$CLK_TCK" '$1 == "cpu" { printf "%.3f", ($2 + $3 + $4 + $7 + $8 + $9) / hz; exit }' /proc/stat
}

# Starts server binary $1 (named $2) on a free port pinned to SERVER_CPU;
# sets SERVER_PID and SERVER_ADDR once it has printed `listening on`.
start_server() {
    local bin=$1 name=$2 attempt port line fd status
    for attempt in 1 2 3 4 5; do
        # Below Linux's ephemeral range (32768-60999), where the client's
        # own ports come from; a taken port shows up as a failed start.
        port=$((20000 + RANDOM % 12000))
        rm -f "$WORK/fifo"
        mkfifo "$WORK/fifo"
        # setsid: the server leads its own process group (same PID, as a
        # job of a script is no group leader), so a server that is a wrapper
        # script is stopped together with its children.
        setsid taskset -c "$SERVER_CPU" "$bin" --addr "127.0.0.1:$port" \
            >"$WORK/fifo" 2>>"$WORK/$name.err" &
        SERVER_PID=$!
        # Opening blocks until the server side has opened the fifo, which
        # its shell does before exec; reads then end at the first line, at
        # the server's exit (EOF) or after READY_TIMEOUT seconds.
        exec {fd}<"$WORK/fifo"
        status=0
        while IFS= read -r -t "$READY_TIMEOUT" -u "$fd" line || status=$?; ((status == 0)); do
            echo "$line" >>"$WORK/$name.out"
            [[ $line != *"listening on "* ]] || break
        done
        if ((status == 0)); then
            SERVER_ADDR=127.0.0.1:$port
            # Keep draining its stdout so that logging can never block it.
            cat <&"$fd" >>"$WORK/$name.out" &
            DRAIN_PID=$!
            exec {fd}<&-
            return 0
        fi
        exec {fd}<&-
        if ((status > 128)); then
            stop_server "$name" >/dev/null 2>&1 || true
            die "$name printed no 'listening on' line within ${READY_TIMEOUT}s"
        fi
        # Its stdout closed: it exited, most likely because the port was
        # taken. Try another one.
        stop_server "$name" >/dev/null 2>&1 || true
        echo "run-echo.sh: $name did not start on 127.0.0.1:$port (attempt $attempt):" \
            "$(tail -n 3 "$WORK/$name.err" 2>/dev/null)" >&2
    done
    die "$name would not start; its stderr is above"
}

# Stops the running server with SIGTERM (SIGKILL after STOP_TIMEOUT) and
# reaps it; warns unless it exited with status 0.
stop_server() {
    local name=$1 status=0
    [[ -n $SERVER_PID ]] || return 0
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    if ! wait_gone "$SERVER_PID" "$STOP_TIMEOUT"; then
        echo "run-echo.sh: warning: $name ignored SIGTERM for ${STOP_TIMEOUT}s; killing it" >&2
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    wait "$SERVER_PID" 2>/dev/null || status=$?
    # Whatever it left in its process group goes too.
    kill -KILL -- "-$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
    if [[ -n $DRAIN_PID ]]; then
        wait "$DRAIN_PID" 2>/dev/null || true
        DRAIN_PID=""
    fi
    if ((status != 0)); then
        echo "run-echo.sh: warning: $name exited with status $status after SIGTERM" >&2
    fi
}

# One run: server binary $1 named $2, message size $3, round $4; sets
# RUN_MBPS. (Not called in a subshell, so the traps see every PID.)
run_once() {
    local bin=$1 name=$2 size=$3 round=$4 status=0 result mbps client_cpu usage
    local t0 t1 server0 server1 busy0 busy1 others
    start_server "$bin" "$name"
    t0=$EPOCHREALTIME server0=$(cpu_secs "$SERVER_PID") busy0=$(machine_busy_secs)
    timeout --kill-after=5 "$LOAD_TIMEOUT" \
        taskset -c "$CLIENT_CPU" "$LOAD_BIN" --addr "$SERVER_ADDR" --connections "$CONNECTIONS" \
        --message-size "$size" --duration-secs "$DURATION" --window "$WINDOW" \
        --threads "$LOAD_THREADS" --drain-secs "$DRAIN_SECS" >"$WORK/load.out" 2>"$WORK/load.err" &
    LOAD_PID=$!
    wait "$LOAD_PID" || status=$?
    LOAD_PID=""
    t1=$EPOCHREALTIME server1=$(cpu_secs "$SERVER_PID") busy1=$(machine_busy_secs)
    stop_server "$name"
    result=$(cat "$WORK/load.out")
    if ((status != 0)) || [[ $result != *"errors=0"* ]]; then
        cat "$WORK/load.err" >&2
        die "echo_load against $name (${size} B) failed with status $status: ${result:-no result}"
    fi
    mbps=$(sed -n 's/.*mb_per_s=\([0-9.]*\).*/\1/p' <<<"$result")
    [[ -n $mbps ]] || die "no mb_per_s in echo_load's output: $result"
    client_cpu=$(sed -n 's/.*client_cpu=\([0-9.]*\).*/\1/p' <<<"$result")
    # CPUs in use over the client's lifetime: the server's, the client's
    # own, and whatever else the machine ran meanwhile ("others").
    usage=$(awk -v t0="$t0" -v t1="$t1" -v s0="$server0" -v s1="$server1" -v b0="$busy0" -v b1="$busy1" \
        -v c="${client_cpu:-0}" 'BEGIN {
            w = t1 - t0; s = (s0 == "" || s1 == "") ? 0 : (s1 - s0) / w
            o = (b1 - b0) / w - s - c; if (o < 0) o = 0
            printf "server cpu %.2f, client cpu %.2f, others %.2f", s, c, o
        }')
    others=${usage##*others }
    if awk -v o="$others" -v m="$MAX_OTHERS" 'BEGIN { exit !(o > m) }'; then MAX_OTHERS=$others; fi
    echo "  ${size} B round $round: $name $(printf '%9.2f' "$mbps") MB/s ($usage)" >&2
    RUN_MBPS=$mbps
}

median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
        END { if (NR % 2) printf "%.2f", v[(NR + 1) / 2]; else printf "%.2f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# --- the runs ----------------------------------------------------------------

LOAD_TIMEOUT=$(awk -v d="$DURATION" -v s="$DRAIN_SECS" 'BEGIN { printf "%d", d + 2 * s + 10 }')
echo "echo benchmark: $CONNECTIONS connections, window $WINDOW, ${DURATION} s per run, $ROUNDS round(s);" \
    "server on CPU $SERVER_CPU, load client on CPU $CLIENT_CPU" >&2
echo "eddy = $EDDY_NOTE; tokio = $TOKIO_BIN" >&2

# Other work on the machine skews both servers, and not always equally;
# each run reports the CPU time others took ("others", in CPUs).
MAX_OTHERS=0

declare -A RESULTS
for size in $SIZES; do
    for ((round = 1; round <= ROUNDS; round++)); do
        if ((round % 2)); then order="eddy tokio"; else order="tokio eddy"; fi
        for name in $order; do
            if [[ $name == eddy ]]; then bin=$EDDY_BIN; else bin=$TOKIO_BIN; fi
            run_once "$bin" "$name" "$size" "$round"
            RESULTS[$size,$name]+="$RUN_MBPS "
        done
    done
done

# --- the table ---------------------------------------------------------------

printf '\n%-7s %-11s' "size" "server"
for ((round = 1; round <= ROUNDS; round++)); do printf ' %9s' "round $round"; done
printf ' %9s\n' "median"
for size in $SIZES; do
    for name in eddy tokio; do
        printf '%-7s %-11s' "$size" "$name"
        # shellcheck disable=SC2086 # one value per round
        for v in ${RESULTS[$size,$name]}; do printf ' %9.2f' "$v"; done
        # shellcheck disable=SC2086
        printf ' %9s\n' "$(median ${RESULTS[$size,$name]})"
    done
    # shellcheck disable=SC2086
    ratio=$(awk -v e="$(median ${RESULTS[$size,eddy]})" -v t="$(median ${RESULTS[$size,tokio]})" \
        'BEGIN { if (t > 0) printf "%.2f", e / t; else print "n/a" }')
    printf '%-7s %-11s %*s\n' "$size" "eddy/tokio" $((10 * ROUNDS + 10)) "$ratio"
done
echo "(MB/s = echoed bytes per second, 10^6 bytes; ratio > 1 means eddy is faster)"
if awk -v m="$MAX_OTHERS" 'BEGIN { exit !(m > 0.1) }'; then
    echo "(other work used up to $MAX_OTHERS CPUs during a run: these figures are disturbed; rerun on a quiet machine)"
fi
