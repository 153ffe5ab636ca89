//! `bare_http`: the HTTP service of `http_server` on the smoltcp backend,
//! over a TAP device.
//!
//! ```text
//! bare_http --tap NAME --ip A.B.C.D/LEN [--port N] [--backlog N]
//! ```
//!
//! The device must exist and be up (`ip tuntap add dev NAME mode tap`);
//! opening it needs `CAP_NET_ADMIN`. Prints `listening on http://IP:PORT`
//! when ready and serves until killed.

#![forbid(unsafe_code)]

use std::process::ExitCode;

use eddy_examples::bare_http::{tap, Options};

fn main() -> ExitCode {
    let opts = match Options::parse(std::env::args().skip(1)) {
        Ok(opts) => opts,
        Err(e) => {
            eprintln!("bare_http: {e}");
            return ExitCode::from(2);
        }
    };
    match tap::run(&opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bare_http: {e}");
            ExitCode::FAILURE
        }
    }
}
