//! Fuzz target: one `eddy_core::http::HttpStream` over an in-memory
//! transport, fed the request bytes in the pieces, clock steps, peer
//! drains, resets and response choices the input's control bytes pick.
//! The driver (../driver/stream/) asserts the invariants; its doc comment
//! describes the input layout.

#![no_main]

use libfuzzer_sys::fuzz_target;

// Only the stream driver runs here; the connection driver is `http_conn`'s.
#[allow(dead_code)]
#[path = "../driver/mod.rs"]
mod driver;

fuzz_target!(|data: &[u8]| {
    driver::stream::run(data);
});
