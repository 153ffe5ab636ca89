//! `echo_server`: eddy's line echo server.
//!
//! ```text
//! echo_server [--addr IP:PORT] [--max-connections N]
//! ```
//!
//! Prints `listening on ADDR` when ready; SIGINT/SIGTERM close every
//! connection and exit 0. See [`eddy_examples::echo`].

#![forbid(unsafe_code)]

use std::process::ExitCode;

use eddy_examples::echo::Options;
use eddy_examples::echo::{run, DEFAULT_PORT};

fn main() -> ExitCode {
    let opts = match Options::parse(Options::new(DEFAULT_PORT), std::env::args().skip(1)) {
        Ok(opts) => opts,
        Err(e) => {
            eprintln!("echo_server: {e}");
            return ExitCode::from(2);
        }
    };
    match run(&opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("echo_server: {e}");
            ExitCode::FAILURE
        }
    }
}
