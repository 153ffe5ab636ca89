//! `chat_server`: eddy's line chat server.
//!
//! ```text
//! chat_server [--addr IP:PORT] [--max-connections N]
//! ```
//!
//! Prints `listening on ADDR` when ready; SIGINT/SIGTERM close every
//! connection and exit 0. See [`eddy_examples::chat`].

#![forbid(unsafe_code)]

use std::process::ExitCode;

use eddy_examples::chat::{run, DEFAULT_PORT};
use eddy_examples::echo::Options;

fn main() -> ExitCode {
    let opts = match Options::parse(Options::new(DEFAULT_PORT), std::env::args().skip(1)) {
        Ok(opts) => opts,
        Err(e) => {
            eprintln!("chat_server: {e}");
            return ExitCode::from(2);
        }
    };
    match run(&opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("chat_server: {e}");
            ExitCode::FAILURE
        }
    }
}
