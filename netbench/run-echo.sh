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
# shellcheck source=netbench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" # die, pinning, servers, CPU accounting, medians
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

require_uints ROUNDS CONNECTIONS WINDOW LOAD_THREADS SERVER_CPU CLIENT_CPU
[[ $DURATION =~ ^[0-9]+([.][0-9]+)?$ ]] || die "DURATION must be a number of seconds, got '$DURATION'"
((ROUNDS > 0)) || die "ROUNDS must be at least 1"
for size in $SIZES; do
    if ! is_uint "$size" || ((size == 0 || size > 65536)); then
        die "sizes must be 1..65536 bytes, got '$size'"
    fi
done

check_pinning client

# --- build -------------------------------------------------------------------

echo "building release binaries (target dir $TARGET_DIR)..." >&2
cargo build --release -p eddy-netbench
eddy_binary EDDY_ECHO echo_server
TOKIO_BIN=$TARGET_DIR/release/tokio_echo
LOAD_BIN=$TARGET_DIR/release/echo_load
for bin in "$EDDY_BIN" "$TOKIO_BIN" "$LOAD_BIN"; do
    [[ -x $bin ]] || die "$bin is missing or not executable"
done

# --- process bookkeeping and clean-up ---------------------------------------

setup_work eddy-netbench

# One run: server binary $1 named $2, message size $3, round $4; sets
# RUN_MBPS. (Not called in a subshell, so the traps see every PID.)
run_once() {
    local bin=$1 name=$2 size=$3 round=$4 status=0 result mbps client_cpu usage
    local t0 t1 server0 server1 busy0 busy1 server client others
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
    read -r server client others < <(cpu_usage "$t0" "$t1" "$server0" "$server1" "$busy0" "$busy1" "${client_cpu:-0}")
    usage="server cpu $server, client cpu $client, others $others"
    note_others "$others"
    echo "  ${size} B round $round: $name $(printf '%9.2f' "$mbps") MB/s ($usage)" >&2
    RUN_MBPS=$mbps
}

# --- the runs ----------------------------------------------------------------

LOAD_TIMEOUT=$(awk -v d="$DURATION" -v s="$DRAIN_SECS" 'BEGIN { printf "%d", d + 2 * s + 10 }')
echo "echo benchmark: $CONNECTIONS connections, window $WINDOW, ${DURATION} s per run, $ROUNDS round(s);" \
    "server on CPU $SERVER_CPU, load client on CPU $CLIENT_CPU" >&2
echo "eddy = $EDDY_NOTE; tokio = $TOKIO_BIN" >&2

# Each run reports the CPU time other work took ("others", in CPUs).
declare -A RESULTS
for size in $SIZES; do
    for ((round = 1; round <= ROUNDS; round++)); do
        for name in $(round_order "$round" eddy tokio); do
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
        printf ' %9s\n' "$(median 2 ${RESULTS[$size,$name]})"
    done
    # shellcheck disable=SC2086
    ratio=$(awk -v e="$(median 2 ${RESULTS[$size,eddy]})" -v t="$(median 2 ${RESULTS[$size,tokio]})" \
        'BEGIN { if (t > 0) printf "%.2f", e / t; else print "n/a" }')
    printf '%-7s %-11s %*s\n' "$size" "eddy/tokio" $((10 * ROUNDS + 10)) "$ratio"
done
echo "(MB/s = echoed bytes per second, 10^6 bytes; ratio > 1 means eddy is faster)"
report_others
