#!/usr/bin/env bash
# bare_http (the smoltcp backend) over a TAP device, driven by the Linux TCP
# stack with real clients: curl and a Python client.
#
# Everything happens inside a network namespace this script creates
# (eddy-tap-PID): the TAP device, 192.168.69.1/24 on the Linux side, the
# server at 192.168.69.2, every client. Nothing touches the root namespace.
# A trap kills the server and deletes the namespace on any exit.
#
# Checks: 1,000 keep-alive requests on one connection (curl, and Python)
# all answered exactly; a 1 MiB POST /echo round-trips intact (SHA-256);
# 20 concurrent connections against a listener with a backlog of 4 are all
# served; the statuses of http_server's error cases.
#
# Needs root (ip netns, ip tuntap). Prints `N passed, N failed`; exits
# non-zero on any failure. Bounded: every client call has a timeout and the
# whole script re-executes itself under `timeout`.
set -euo pipefail
SELF="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$SELF")/.."

LIMIT=${TAP_TEST_TIMEOUT:-600}
if [ -z "${EDDY_TAP_TEST_INNER:-}" ]; then
    EDDY_TAP_TEST_INNER=1 exec timeout --kill-after=10 "$LIMIT" bash "$SELF" "$@"
fi

NS="eddy-tap-$$"
TAP=tap0
HOST_IP=192.168.69.1
SERVER_IP=192.168.69.2
PORT=8080
BACKLOG=4
WORK=$(mktemp -d)
SERVER_PID=""
passed=0
failed=0

cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    # Whatever else still runs inside the namespace (a client cut off by
    # the time limit): a live process would keep the namespace alive.
    for pid in $(ip netns pids "$NS" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
on_signal() {
    trap '' INT TERM # a second signal (timeout also signals the group) must not cut the cleanup short
    echo "tap-test: interrupted or out of time"
    echo "$passed passed, $((failed + 1)) failed"
    exit 124
}
trap on_signal INT TERM

ok() { passed=$((passed + 1)); echo "ok   $*"; }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }
check() { # check NAME COMMAND...
    local name=$1
    shift
    if "$@"; then ok "$name"; else bad "$name"; fi
}
in_ns() { ip netns exec "$NS" "$@"; }

if [ "$(id -u)" != 0 ]; then
    echo "tap-test: needs root for ip netns and ip tuntap"
    echo "0 passed, 1 failed"
    exit 1
fi

echo "building bare_http"
cargo build -q -p eddy-examples --bin bare_http
BIN=${CARGO_TARGET_DIR:-target}/debug/bare_http

ip netns add "$NS"
in_ns ip link set lo up
in_ns ip tuntap add dev "$TAP" mode tap
in_ns ip addr add "$HOST_IP/24" dev "$TAP"
in_ns ip link set "$TAP" up

# Not through in_ns: `ip netns exec` execs the server, so $! is its pid.
ip netns exec "$NS" "$BIN" --tap "$TAP" --ip "$SERVER_IP/24" --port "$PORT" --backlog "$BACKLOG" \
    >"$WORK/server.out" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do
    grep -q "listening on" "$WORK/server.out" 2>/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
done
if ! grep -q "listening on http://$SERVER_IP:$PORT" "$WORK/server.out"; then
    echo "bare_http did not start:"
    cat "$WORK/server.out"
    echo "0 passed, 1 failed"
    exit 1
fi
cat "$WORK/server.out"
URL="http://$SERVER_IP:$PORT"
CURL=(curl -sS --max-time 60)

# 1. 1,000 keep-alive requests from curl: one connection, every body exact.
urls=()
for i in $(seq 1000); do urls+=("$URL/k$i"); done
for i in $(seq 1000); do printf 'You requested /k%d\n' "$i"; done >"$WORK/k.expected"
# The bodies go to stdout, each transfer's count of new connections to stderr.
in_ns "${CURL[@]}" -w '%{stderr}%{num_connects}\n' "${urls[@]}" >"$WORK/k.got" 2>"$WORK/k.connects" || true
check "curl: 1000 keep-alive GETs answered exactly" cmp -s "$WORK/k.expected" "$WORK/k.got"
connects=$(awk '{ s += $1 } END { print s }' "$WORK/k.connects")
check "curl: the 1000 GETs used one connection (connects: $connects)" test "$connects" = 1

# 2. The same from a Python client on one socket, plus HEAD and statuses.
cat >"$WORK/client.py" <<'EOF'
import http.client, sys
host, port = sys.argv[1], int(sys.argv[2])
c = http.client.HTTPConnection(host, port, timeout=30)
bad = 0
for i in range(1000):
    c.request("GET", f"/p{i}")
    r = c.getresponse()
    body = r.read()
    if r.status != 200 or body != f"You requested /p{i}\n".encode():
        bad += 1
c.request("HEAD", "/p")
r = c.getresponse()
if r.status != 200 or r.read() != b"" or r.getheader("Content-Length") != "17":
    bad += 1
c.request("POST", "/echo", body=b"ping")
r = c.getresponse()
if r.read() != b"ping":
    bad += 1
print("python: 1000 keep-alive requests,", bad, "wrong")
sys.exit(1 if bad else 0)
EOF
check "python: 1000 keep-alive requests, HEAD and a small echo" in_ns python3 "$WORK/client.py" "$SERVER_IP" "$PORT"

# 3. A 1 MiB POST /echo round-trips intact.
head -c 1048576 /dev/urandom >"$WORK/mib.in"
in_ns "${CURL[@]}" --data-binary @"$WORK/mib.in" -H 'Content-Type: application/octet-stream' \
    -o "$WORK/mib.out" "$URL/echo" || true
sum_in=$(sha256sum <"$WORK/mib.in" | cut -d' ' -f1)
sum_out=$(sha256sum <"$WORK/mib.out" 2>/dev/null | cut -d' ' -f1 || echo none)
check "curl: 1 MiB POST /echo round-trips (sha256 $sum_in)" test "$sum_in" = "$sum_out"

# 4. 20 concurrent connections, backlog 4: each sleeps 1 s on the server, so
#    all 20 are open at the same time.
for i in $(seq 20); do
    in_ns "${CURL[@]}" "$URL/sleep?ms=1000" -o "$WORK/c$i.out" &
done
wait_ok=0
for job in $(jobs -p); do
    if [ "$job" != "$SERVER_PID" ]; then wait "$job" || wait_ok=1; fi
done
served=0
for i in $(seq 20); do
    grep -qx "slept 1000 ms" "$WORK/c$i.out" 2>/dev/null && served=$((served + 1))
done
check "curl: 20 concurrent connections with backlog $BACKLOG all served ($served/20)" \
    test "$served" = 20 -a "$wait_ok" = 0

# 5. The error statuses of http_server.
status() { # status EXPECTED LABEL CURL-ARGS...
    local want=$1 label=$2
    shift 2
    local got
    got=$(in_ns "${CURL[@]}" -o /dev/null -w '%{http_code}' "$@" || true)
    check "status $want for $label (got $got)" test "$got" = "$want"
}
status 405 "DELETE /" -X DELETE "$URL/"
status 400 "GET /sleep?ms=nope" "$URL/sleep?ms=nope"
status 413 "a POST /echo body over 1 MiB" --data-binary @"$WORK/mib.in" --data-binary x \
    -H 'Content-Type: application/octet-stream' "$URL/echo"
status 431 "a 9 KB header" -H "X-Big: $(head -c 9000 /dev/zero | tr '\0' a)" "$URL/"
status 504 "GET /wait?timeout_ms=100" "$URL/wait?timeout_ms=100"
raw_status() { # raw_status EXPECTED REQUEST (printf escapes)
    local got
    # shellcheck disable=SC2059
    got=$(printf "$2" | in_ns timeout 10 python3 -c "
import socket, sys
s = socket.create_connection(('$SERVER_IP', $PORT), timeout=5)
s.sendall(sys.stdin.buffer.read())
print(s.recv(64).split(b' ')[1].decode())" 2>/dev/null || true)
    check "status $1 for '${2%%\\r*}'" test "$got" = "$1"
}
raw_status 505 'GET / HTTP/2.0\r\nHost: x\r\n\r\n'
raw_status 400 'NOT A REQUEST\r\n\r\n'
raw_status 501 'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n'

# 6. /wait is answered by /notify.
in_ns "${CURL[@]}" "$URL/wait?timeout_ms=20000" -o "$WORK/wait.out" &
waiter=$!
for _ in $(seq 50); do
    notified=$(in_ns "${CURL[@]}" --data-binary hello "$URL/notify" || true)
    [ "$notified" = "notified 1" ] && break
    sleep 0.1
done
wait "$waiter" || true
check "POST /notify wakes GET /wait ($notified)" grep -qx hello "$WORK/wait.out"

check "bare_http is still running" kill -0 "$SERVER_PID"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
