#!/usr/bin/env bash
# Installs what the test suite and the examples need on a fresh Debian
# machine with rustup: Rust targets and nightly components, and the Debian
# packages used by the benchmarks and firmware checks. Idempotent; every
# install that fails says so on one line and the script exits non-zero, so a
# missing step fails CI instead of hiding.
set -uo pipefail

failed=0
step() { printf '==> setup: %s\n' "$*"; }
fail() { printf 'setup: FAILED: %s\n' "$*" >&2; failed=1; }

have_target() { rustup target list --installed 2>/dev/null | grep -qx "$1"; }

# Rust targets: firmware builds of core, and the kqueue checks.
targets=(thumbv7em-none-eabihf x86_64-apple-darwin x86_64-unknown-freebsd)
missing=()
for t in "${targets[@]}"; do have_target "$t" || missing+=("$t"); done
if ((${#missing[@]})); then
    step "rustup target add ${missing[*]}"
    rustup target add "${missing[@]}" || fail "rustup target add ${missing[*]}"
fi

# Nightly tools: Miri for core's tests, rust-src for the no-alloc build check.
if ! rustup toolchain list | grep -q '^nightly'; then
    step "rustup toolchain install nightly (minimal)"
    rustup toolchain install nightly --profile minimal || fail "rustup toolchain install nightly"
fi
if ! rustup component list --toolchain nightly --installed 2>/dev/null | grep -q '^miri'; then
    step "rustup component add miri rust-src --toolchain nightly"
    rustup component add miri rust-src --toolchain nightly || fail "rustup component add miri rust-src"
fi

# Debian packages: wrk (HTTP load), binutils for firmware size, curl for
# smoke tests, iproute2 and python3 for the TAP test (scripts/tap-test.sh),
# bc for scripts/tap-bench.sh.
need_pkgs=()
command -v wrk >/dev/null || need_pkgs+=(wrk)
command -v arm-none-eabi-size >/dev/null || need_pkgs+=(binutils-arm-none-eabi)
command -v curl >/dev/null || need_pkgs+=(curl)
command -v ip >/dev/null || need_pkgs+=(iproute2)
command -v python3 >/dev/null || need_pkgs+=(python3)
command -v bc >/dev/null || need_pkgs+=(bc)
if ((${#need_pkgs[@]})); then
    step "apt-get install ${need_pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}"; } \
        || fail "apt-get install ${need_pkgs[*]}"
fi

if ((failed)); then
    echo "setup: some installs failed (see above)" >&2
    exit 1
fi
step "done"
