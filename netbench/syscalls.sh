#!/usr/bin/env bash
# System calls per request of each HTTP server under the load of
# run-http.sh: the companion of its CPU figures. In plain mode most of a
# server's CPU time is kernel time, so the system calls it makes per
# request are what ranks the servers there.
#
#   bash netbench/syscalls.sh
#
# For each mode and server, starts the server pinned to SERVER_CPU, runs
# wrk pinned to CLIENT_CPU for DURATION seconds under
# `perf stat -e 'syscalls:sys_enter_*' -p SERVER`, and prints every system
# call the server made divided by the requests wrk counted. perf counts in
# the kernel (tracepoints), so unlike strace it does not slow the server
# down and change its batching.
#
# Environment (all optional): DURATION=3, MODES="plain pipelined",
# SERVERS="eddy hyper mio", DEPTH=16, CONNECTIONS=50, SERVER_CPU=0,
# CLIENT_CPU=1, CARGO_TARGET_DIR (where the release binaries are; build
# them first, e.g. by running run-http.sh). Needs perf (Debian:
# `apt-get install -y linux-perf`) and wrk. Every run is bounded in time
# and aimed at 127.0.0.1 only; the server is stopped on exit, failure,
# Ctrl-C or SIGTERM.
set -euo pipefail
# shellcheck source=netbench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" # die, pinning, servers
DURATION=${DURATION:-3}
MODES=${MODES:-plain pipelined}
SERVERS=${SERVERS:-eddy hyper mio}
DEPTH=${DEPTH:-16}
CONNECTIONS=${CONNECTIONS:-50}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
READY_TIMEOUT=10 # seconds for a server to print `listening on`
STOP_TIMEOUT=5   # seconds for a server to exit after SIGTERM
declare -A BIN=([eddy]=$TARGET_DIR/release/http_server [hyper]=$TARGET_DIR/release/hyper_http
    [mio]=$TARGET_DIR/release/mio_http)

for tool in perf wrk; do
    command -v "$tool" >/dev/null || die "$tool not found (perf: apt-get install -y linux-perf)"
done
require_uints DURATION DEPTH CONNECTIONS SERVER_CPU CLIENT_CPU
((DURATION > 0)) || die "DURATION must be whole seconds"
check_pinning wrk
for name in $SERVERS; do
    [[ -n ${BIN[$name]:-} ]] || die "servers are eddy, hyper and mio, got '$name'"
    [[ -x ${BIN[$name]} ]] || die "${BIN[$name]} is missing: build the release binaries first"
done

setup_work eddy-syscalls

printf '%-10s %-6s %10s  %s\n' mode server requests "system calls per request (name count/req)"
for mode in $MODES; do
    for name in $SERVERS; do
        start_server "${BIN[$name]}" "$name"
        args=()
        [[ $mode == plain ]] || args=(-s "$ROOT/netbench/pipeline.lua")
        timeout $((DURATION + 30)) perf stat -x, -o "$WORK/perf" -e 'syscalls:sys_enter_*' -p "$SERVER_PID" -- \
            taskset -c "$CLIENT_CPU" wrk -t1 -c "$CONNECTIONS" -d "${DURATION}s" "${args[@]}" \
            "http://$SERVER_ADDR/" -- "$DEPTH" >"$WORK/wrk" 2>&1 ||
            die "perf/wrk against $name failed: $(cat "$WORK/wrk")"
        requests=$(awk '/requests in/ { print $1 }' "$WORK/wrk")
        [[ -n $requests && $requests -gt 0 ]] || die "no requests counted: $(cat "$WORK/wrk")"
        grep -q "Non-2xx\|Socket errors" "$WORK/wrk" && die "errors against $name: $(cat "$WORK/wrk")"
        calls=$(awk -F, -v n="$requests" '
            $3 ~ /sys_enter_/ && $1 + 0 > 0 {
                sub(".*sys_enter_", "", $3); total += $1
                line = line sprintf(" %s %.3f", $3, $1 / n)
            }
            END { printf "total %.3f:%s", total / n, line }' "$WORK/perf")
        printf '%-10s %-6s %10s  %s\n' "$mode" "$name" "$requests" "$calls"
        stop_server "$name"
    done
done
