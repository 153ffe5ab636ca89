#!/usr/bin/env bash
# The Cortex-M firmware and the on-target tests (examples/firmware/).
#
# Installs what it needs if missing (the thumbv7em-none-eabihf Rust target,
# Debian's qemu-system-arm and binutils-arm-none-eabi), checks format and
# lints, builds the release image and prints its size table, runs the image
# under QEMU (it serves HTTP to its own in-image client over an in-memory
# network and exits 0 on success), then runs the on-target test suite under
# QEMU (it prints `N passed, N failed`). Any failure exits non-zero; every
# failed install says so on one line.
set -euo pipefail
cd "$(dirname "$0")/../examples/firmware"

# Budget for the image (4 HTTP connections, 2 KiB buffers): the build
# fails if it grows past these.
FLASH_BUDGET=$((64 * 1024))
RAM_BUDGET=$((32 * 1024))

step() { printf '==> firmware: %s\n' "$*"; }
die() {
    printf 'firmware: FAILED: %s\n' "$*" >&2
    exit 1
}

# --- installs ---------------------------------------------------------------

if ! rustup target list --installed 2>/dev/null | grep -qx thumbv7em-none-eabihf; then
    step "rustup target add thumbv7em-none-eabihf"
    rustup target add thumbv7em-none-eabihf || die "cannot install the Rust target thumbv7em-none-eabihf (rustup target add)"
fi

apt_updated=0
apt_install() {
    export DEBIAN_FRONTEND=noninteractive
    if ((!apt_updated)); then
        apt-get update -qq || die "apt-get update failed; cannot install $*"
        apt_updated=1
    fi
    apt-get install -y -qq --no-install-recommends "$@"
}

if ! command -v qemu-system-arm >/dev/null; then
    step "apt-get install qemu-system-arm"
    # Debian's qemu-system-arm conflicts with a backports qemu-utils, and the
    # first install may fail half way (an apt hook deletes the downloaded
    # packages): remove qemu-utils first and try twice.
    if dpkg -s qemu-utils >/dev/null 2>&1; then
        apt-get remove -y -qq qemu-utils || die "cannot remove qemu-utils, which conflicts with qemu-system-arm"
    fi
    apt_install qemu-system-arm || apt_install qemu-system-arm \
        || die "cannot install qemu-system-arm (apt-get install qemu-system-arm)"
fi
command -v qemu-system-arm >/dev/null || die "qemu-system-arm is not on PATH after installing it"

if ! command -v arm-none-eabi-size >/dev/null; then
    step "apt-get install binutils-arm-none-eabi"
    apt_install binutils-arm-none-eabi || die "cannot install binutils-arm-none-eabi (for arm-none-eabi-size)"
fi

# --- checks -----------------------------------------------------------------

step "format and lints"
cargo fmt --check || die "cargo fmt --check (run cargo fmt in examples/firmware)"
# `--all-targets` would add the library's host test harness, which a
# no_std target cannot build; these are all the firmware's real targets.
cargo clippy --lib --bins --tests -- -D warnings || die "clippy"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --lib || die "cargo doc"

# --- the image --------------------------------------------------------------

step "build the release image"
cargo build --release --bin eddy-firmware || die "build of the firmware image"
target_dir=$(cargo metadata --format-version 1 --no-deps |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
elf="$target_dir/thumbv7em-none-eabihf/release/eddy-firmware"
[[ -f $elf ]] || die "no image at $elf"

step "size of $elf"
arm-none-eabi-size -A "$elf" | grep -E '^(section|\.vector_table|\.text|\.rodata|\.data|\.bss|\.uninit|Total)' || true
read -r text data bss _ < <(arm-none-eabi-size "$elf" | awk 'NR == 2 { print $1, $2, $3 }')
flash=$((text + data))
ram=$((data + bss))
printf 'firmware size: text %d B, data %d B, bss %d B\n' "$text" "$data" "$bss"
printf 'firmware size: flash (text + data) %d B = %d.%d KiB of %d KiB budget\n' \
    "$flash" $((flash / 1024)) $((flash % 1024 * 10 / 1024)) $((FLASH_BUDGET / 1024))
printf 'firmware size: static RAM (data + bss) %d B = %d.%d KiB of %d KiB budget\n' \
    "$ram" $((ram / 1024)) $((ram % 1024 * 10 / 1024)) $((RAM_BUDGET / 1024))
((flash <= FLASH_BUDGET)) || die "flash use $flash B is over the $FLASH_BUDGET B budget"
((ram <= RAM_BUDGET)) || die "static RAM use $ram B is over the $RAM_BUDGET B budget"

step "run the image under QEMU (mps2-an386)"
timeout 120 cargo run --release --bin eddy-firmware || die "the firmware image failed under QEMU (exit $?)"

# --- on-target tests --------------------------------------------------------

step "on-target tests under QEMU (mps2-an386)"
timeout 600 cargo test --test on_target || die "on-target tests (exit $?)"
step "all firmware stages passed"
