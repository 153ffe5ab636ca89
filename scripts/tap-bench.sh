#!/usr/bin/env bash
# Keep-alive GET throughput of bare_http (smoltcp over a TAP device) next to
# its peer in the same run: http_server (the kernel's TCP on the same
# namespace's addresses), both release builds, both driven by wrk from the
# Linux side. Prints requests/s for each, alternating runs, and the ratio.
#
# Everything runs inside a network namespace made here (eddy-tapbench-PID),
# removed with a trap on any exit. Needs root and wrk. Bounded by timeout.
set -euo pipefail
SELF="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$SELF")/.."

if [ -z "${EDDY_TAP_BENCH_INNER:-}" ]; then
    EDDY_TAP_BENCH_INNER=1 exec timeout --kill-after=10 "${TAP_BENCH_TIMEOUT:-900}" bash "$SELF" "$@"
fi

DURATION=${TAP_BENCH_SECONDS:-5}
ROUNDS=${TAP_BENCH_ROUNDS:-3}
CONNS=${TAP_BENCH_CONNECTIONS:-16}
NS="eddy-tapbench-$$"
PIDS=()

cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    for pid in $(ip netns pids "$NS" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
    ip netns del "$NS" 2>/dev/null || true
}
trap cleanup EXIT
on_signal() {
    trap '' INT TERM # a second signal must not cut the cleanup short
    echo "tap-bench: interrupted or out of time"
    exit 124
}
trap on_signal INT TERM
in_ns() { ip netns exec "$NS" "$@"; }

command -v wrk >/dev/null || { echo "tap-bench: wrk is missing (scripts/setup.sh installs it)"; exit 1; }
cargo build -q --release -p eddy-examples --bin bare_http --bin http_server
BIN=${CARGO_TARGET_DIR:-target}/release

ip netns add "$NS"
in_ns ip link set lo up
in_ns ip tuntap add dev tap0 mode tap
in_ns ip addr add 192.168.69.1/24 dev tap0
in_ns ip link set tap0 up

start() { # start LOGFILE COMMAND...
    local log=$1
    shift
    # `ip netns exec` execs the server, so $! is its pid.
    ip netns exec "$NS" "$@" >"$log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 100); do
        grep -q "listening on" "$log" && return 0
        sleep 0.1
    done
    echo "tap-bench: server did not start: $*"
    cat "$log"
    exit 1
}
log_dir=$(mktemp -d)
start "$log_dir/bare" "$BIN/bare_http" --tap tap0 --ip 192.168.69.2/24 --port 8080 --backlog 4
start "$log_dir/std" "$BIN/http_server" --addr 192.168.69.1:8888

rate() { # rate URL -> requests/s; a run with socket errors or non-2xx answers fails
    local out
    out=$(in_ns wrk -t1 -c"$CONNS" -d"${DURATION}s" "$1")
    if grep -qE 'Socket errors|Non-2xx' <<<"$out"; then
        echo "tap-bench: $1 answered with errors:" >&2
        echo "$out" >&2
        exit 1
    fi
    awk '/^Requests\/sec/ { print $2 }' <<<"$out"
}
bare_total=0
std_total=0
for round in $(seq "$ROUNDS"); do
    b=$(rate http://192.168.69.2:8080/)
    s=$(rate http://192.168.69.1:8888/)
    echo "round $round: bare_http (smoltcp, TAP) $b req/s; http_server (kernel TCP) $s req/s"
    bare_total=$(echo "$bare_total + $b" | bc -l)
    std_total=$(echo "$std_total + $s" | bc -l)
done
ratio=$(echo "scale=2; $bare_total / $std_total" | bc -l)
printf 'mean over %d rounds of %ds, %d connections: bare_http %.0f req/s, http_server %.0f req/s, ratio %s\n' \
    "$ROUNDS" "$DURATION" "$CONNS" "$(echo "$bare_total / $ROUNDS" | bc -l)" \
    "$(echo "$std_total / $ROUNDS" | bc -l)" "$ratio"
rm -rf "$log_dir"
