//! `http_server`: eddy's hosted HTTP/1.1 server.
//!
//! ```text
//! http_server [--addr IP:PORT] [--workers N] [--header-timeout-ms MS]
//!             [--idle-timeout-ms MS] [--send-timeout-ms MS] [--max-connections N]
//! ```
//!
//! Prints `listening on http://ADDR` when ready; SIGINT/SIGTERM stop
//! accepting, let in-flight requests finish, and exit 0.

#![forbid(unsafe_code)]

use std::process::ExitCode;

use eddy_examples::http::{run, Options};

fn main() -> ExitCode {
    let opts = match Options::parse(std::env::args().skip(1)) {
        Ok(opts) => opts,
        Err(e) => {
            eprintln!("http_server: {e}");
            return ExitCode::from(2);
        }
    };
    match run(&opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("http_server: {e}");
            ExitCode::FAILURE
        }
    }
}
