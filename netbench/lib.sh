# The parts netbench's scripts share, sourced by run-echo.sh, run-http.sh
# and syscalls.sh (not run on its own): checks of the settings, pinning to
# CPUs, starting and stopping one server at a time, clean-up on exit, the
# CPU accounting of a run, the rotation of the servers between rounds, and
# medians.
#
# A script sets `set -euo pipefail` and its settings, sources this file,
# then calls `check_pinning` and `setup_work`. Messages are prefixed with
# the script's name. What this file reads: SERVER_CPU, CLIENT_CPU,
# READY_TIMEOUT, STOP_TIMEOUT and TARGET_DIR (set by the script); what it
# sets: ROOT, WORK, SERVER_PID, SERVER_ADDR, DRAIN_PID, LOAD_PID (the
# script sets it while its load client runs, so clean-up stops it),
# EDDY_BIN, EDDY_NOTE and MAX_OTHERS.

export LC_ALL=C # `.` decimals for $EPOCHREALTIME, awk and printf
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NB_SELF=${0##*/}

die() {
    echo "$NB_SELF: $*" >&2
    exit 1
}

warn() {
    echo "$NB_SELF: warning: $*" >&2
}

is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }

# Dies unless every variable named is a whole number.
require_uints() {
    local var
    for var in "$@"; do
        is_uint "${!var}" || die "$var must be a whole number, got '${!var}'"
    done
}

# Checks that taskset and setsid exist and that SERVER_CPU and CLIENT_CPU
# can be pinned to; warns when both are the same CPU (the client being
# named $1 in the warning).
check_pinning() {
    local client=$1 tool cpu
    for tool in taskset setsid; do
        command -v "$tool" >/dev/null || die "$tool not found; it comes with util-linux (apt-get install -y util-linux)"
    done
    for cpu in "$SERVER_CPU" "$CLIENT_CPU"; do
        taskset -c "$cpu" true 2>/dev/null || die "cannot pin to CPU $cpu (this machine allows: $(taskset -pc $$ | sed 's/.*: //')); set SERVER_CPU/CLIENT_CPU"
    done
    [[ $SERVER_CPU != "$CLIENT_CPU" ]] || warn "server and $client share CPU $SERVER_CPU"
}

# Sets EDDY_BIN to eddy's server: the path in variable $1 when it is set,
# else example binary $2, built in release mode. EDDY_NOTE says which.
eddy_binary() {
    local var=$1 bin=$2
    if [[ -n ${!var:-} ]]; then
        EDDY_BIN=${!var}
        EDDY_NOTE="$var=${!var}"
    else
        cargo build --release -p eddy-examples --bin "$bin" ||
            die "could not build eddy's $bin; set $var=path to use another binary"
        EDDY_BIN=$TARGET_DIR/release/$bin
        EDDY_NOTE="$EDDY_BIN"
    fi
}

# --- process bookkeeping and clean-up ---------------------------------------

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

# Makes the scratch directory WORK (named after $1) and installs the
# clean-up: whatever server, load client or drain is running is stopped on
# exit, failure, Ctrl-C or SIGTERM.
setup_work() {
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
    SERVER_PID=""
    DRAIN_PID=""
    LOAD_PID=""
    trap cleanup EXIT
    trap 'echo "$NB_SELF: interrupted" >&2; exit 130' INT
    trap 'echo "$NB_SELF: terminated" >&2; exit 143' TERM
}

# Starts server binary $1 (named $2; any further arguments are passed to
# it) on a free port pinned to SERVER_CPU; sets SERVER_PID and SERVER_ADDR
# once it has printed `listening on`.
start_server() {
    local bin=$1 name=$2 attempt port line fd status
    shift 2
    for attempt in 1 2 3 4 5; do
        # Below Linux's ephemeral range (32768-60999), where the client's
        # own ports come from; a taken port shows up as a failed start.
        port=$((20000 + RANDOM % 12000))
        rm -f "$WORK/fifo"
        mkfifo "$WORK/fifo"
        # setsid: the server leads its own process group (same PID, as a
        # job of a script is no group leader), so a server that is a wrapper
        # script is stopped together with its children.
        setsid taskset -c "$SERVER_CPU" "$bin" --addr "127.0.0.1:$port" "$@" \
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
        echo "$NB_SELF: $name did not start on 127.0.0.1:$port (attempt $attempt):" \
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
        warn "$name ignored SIGTERM for ${STOP_TIMEOUT}s; killing it"
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
        warn "$name exited with status $status after SIGTERM"
    fi
}

# --- CPU accounting ----------------------------------------------------------

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

# The CPUs in use over a run of wall-clock time $1..$2: the server's (its
# CPU seconds $3..$4; 0 if either is empty), the client's ($7, already in
# CPUs), and whatever else the machine ran meanwhile ("others": its busy
# seconds $5..$6 less those two). Prints "server client others", two
# decimals each.
cpu_usage() {
    awk -v t0="$1" -v t1="$2" -v s0="$3" -v s1="$4" -v b0="$5" -v b1="$6" -v c="$7" 'BEGIN {
        w = t1 - t0; s = (s0 == "" || s1 == "") ? 0 : (s1 - s0) / w
        o = (b1 - b0) / w - s - c; if (o < 0) o = 0
        printf "%.2f %.2f %.2f\n", s, c, o
    }'
}

# Other work on the machine skews the servers, and not always equally:
# MAX_OTHERS keeps the most CPUs others took during any run.
MAX_OTHERS=0

# Records the "others" figure $1 of one run.
note_others() {
    if awk -v o="$1" -v m="$MAX_OTHERS" 'BEGIN { exit !(o > m) }'; then MAX_OTHERS=$1; fi
}

# Says, after the table, when other work disturbed the figures.
report_others() {
    if awk -v m="$MAX_OTHERS" 'BEGIN { exit !(m > 0.1) }'; then
        echo "(other work used up to $MAX_OTHERS CPUs during a run: these figures are disturbed; rerun on a quiet machine)"
    fi
}

# --- rounds and medians ------------------------------------------------------

# The servers $2... in the order of round $1 (from 1): rotated by one each
# round (eddy hyper mio, hyper mio eddy, ...; with two servers the order
# alternates), so slow drift of the machine favours none.
round_order() {
    local round=$1 k
    shift
    local -a names=("$@") order=()
    for ((k = 0; k < ${#names[@]}; k++)); do
        order+=("${names[(k + round - 1) % ${#names[@]}]}")
    done
    echo "${order[*]}"
}

# The median of the values $2..., printed with $1 decimals.
median() {
    local digits=$1
    shift
    printf '%s\n' "$@" | sort -g | awk -v f="%.${digits}f" '{ v[NR] = $1 }
        END { if (NR % 2) printf f, v[(NR + 1) / 2]; else printf f, (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
