//! `subprocess_demo`: the seeds' four subprocess cases on one reactor.
//!
//! ```text
//! subprocess_demo [--timeout-ms MS]    (default 3000)
//! ```
//!
//! Prints one line per case and exits 0 when all four behaved as
//! expected, 1 otherwise (2 for a bad command line).

#![forbid(unsafe_code)]

use std::process::ExitCode;
use std::time::Duration;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut timeout = Duration::from_millis(3000);
    while let Some(flag) = args.next() {
        let ms = match (flag.as_str(), args.next().map(|v| v.parse::<u64>())) {
            ("--timeout-ms", Some(Ok(ms))) => ms,
            _ => {
                eprintln!("subprocess_demo: bad argument {flag}\nusage: subprocess_demo [--timeout-ms MS]");
                return ExitCode::from(2);
            }
        };
        timeout = Duration::from_millis(ms);
    }
    match eddy_examples::subprocess::run(timeout) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("subprocess_demo: {e}");
            ExitCode::FAILURE
        }
    }
}
