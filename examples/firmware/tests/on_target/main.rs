//! The on-target tests: eddy-core's behaviour (reactor, streams, HTTP, and
//! HTTP over a stream), a smoltcp TCP exchange between two interfaces and
//! eddy-bare's backlog,
//! compiled for `thumbv7em-none-eabihf` and run under QEMU (`mps2-an386`)
//! by `cargo test` (the runner in `.cargo/config.toml`). The entry point
//! runs every table, prints `N passed, N failed` over semihosting and exits
//! with status 1 if any test failed.

#![no_std]
#![no_main]
#![forbid(unsafe_code)]

mod bare;
mod http;
mod http_stream;
mod parts;
mod reactor;
mod stream;
mod tcp;
mod trace;

use cortex_m_rt::entry;
use eddy_firmware::harness::{self, Summary};
use panic_semihosting as _;

#[entry]
fn main() -> ! {
    let tables = [
        reactor::TESTS,
        stream::TESTS,
        http::TESTS,
        http_stream::TESTS,
        tcp::TESTS,
        bare::TESTS,
        parts::TESTS,
    ];
    let total = tables
        .iter()
        .fold(Summary::default(), |sum, table| sum + harness::run(table));
    harness::exit(harness::report(total))
}
