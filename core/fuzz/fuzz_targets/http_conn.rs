//! Fuzz target: one `eddy_core::http::Connection` driven like a server
//! (and then the same input through the `HttpStream` driver, as `http_stream`),
//! fed the request bytes in the splits, clock steps and response choices
//! the input's control bytes pick. The driver (../driver/) asserts the
//! invariants; its doc comment describes the input layout.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../driver/mod.rs"]
mod driver;

fuzz_target!(|data: &[u8]| driver::run(data));
