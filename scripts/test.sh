#!/usr/bin/env bash
# The whole test suite, as the README's second command and as CI runs it.
# Each stage prints a header; the first failing stage stops the run.
set -euo pipefail
cd "$(dirname "$0")/.."

stage() { printf '\n==== %s\n' "$*"; }

bash scripts/setup.sh

stage "format"
cargo fmt --all --check

stage "clippy (host, all targets)"
cargo clippy --workspace --all-targets -- -D warnings

stage "clippy eddy-std for the kqueue platforms"
cargo clippy -p eddy-std --all-targets --target x86_64-apple-darwin -- -D warnings
cargo clippy -p eddy-std --all-targets --target x86_64-unknown-freebsd -- -D warnings
# The poll(2) fallback as macOS builds it.
RUSTFLAGS="--cfg eddy_force_poll" cargo clippy -p eddy-std --target x86_64-apple-darwin --target-dir target/force-poll -- -D warnings

stage "core for thumbv7em-none-eabihf (no_std, default and defmt)"
cargo build -p eddy-core --target thumbv7em-none-eabihf
cargo build -p eddy-core --target thumbv7em-none-eabihf --features defmt
cargo build -p eddy-core --target thumbv7em-none-eabihf --features http,defmt
cargo clippy -p eddy-core --lib --target thumbv7em-none-eabihf --features sim -- -D warnings
# core builds against a sysroot of `core` alone: proof that neither it nor
# its default dependencies use `alloc` or `std`.
cargo +nightly build -p eddy-core --target thumbv7em-none-eabihf --features http \
    -Zbuild-std=core --target-dir target/core-only

stage "eddy-bare for thumbv7em-none-eabihf (no_std, no alloc)"
cargo build -p eddy-bare --target thumbv7em-none-eabihf
cargo build -p eddy-bare --target thumbv7em-none-eabihf --features defmt
cargo clippy -p eddy-bare --lib --target thumbv7em-none-eabihf -- -D warnings
cargo +nightly build -p eddy-bare --target thumbv7em-none-eabihf -Zbuild-std=core --target-dir target/core-only

stage "docs"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps
# The library crates alone, with their default features (the workspace run
# unifies features, which can hide a link to a feature-gated item).
RUSTDOCFLAGS="-D warnings" cargo doc -p eddy-core -p eddy-bare --no-deps --target-dir target/doc-alone

stage "miri (eddy-core, and its HTTP unit tests)"
cargo +nightly miri test -p eddy-core
# The HTTP corpus replay reads files, which Miri's isolation forbids; the
# HTTP rules themselves are the library's unit tests (the rest of the
# library's unit tests ran in the command above).
cargo +nightly miri test -p eddy-core --features http --lib -- http::

stage "test suite"
cargo test --workspace

stage "test suite with the poll(2) fallback forced"
RUSTFLAGS="--cfg eddy_force_poll" cargo test -p eddy-std -p eddy-tests -p eddy-examples --target-dir target/force-poll

stage "firmware: size table, the image and the on-target tests under QEMU (examples/firmware)"
bash scripts/firmware.sh

stage "smoltcp over TAP: bare_http in its own network namespace"
bash scripts/tap-test.sh

stage "all stages passed"
