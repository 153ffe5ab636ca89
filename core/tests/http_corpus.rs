//! Replays the fuzz regression corpus, `fuzz/regressions/`, through the
//! same driver as the `http_conn` fuzz target (`fuzz/driver/`): every
//! file must run without a panic and with every invariant holding. Each
//! file is one fuzz input; see the driver's docs for its layout and
//! `fuzz/README.md` for how files get there.

#![forbid(unsafe_code)]

use std::fs;
use std::panic;
use std::path::{Path, PathBuf};

#[path = "../fuzz/driver/mod.rs"]
mod driver;

/// The regression inputs, sorted by name.
fn regressions() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn every_regression_input_holds() {
    let files = regressions();
    assert!(files.len() >= 20, "only {} regression inputs", files.len());
    let mut failed = Vec::new();
    for path in &files {
        let data = fs::read(path).expect("a readable input");
        if panic::catch_unwind(|| driver::run(&data)).is_err() {
            failed.push(
                path.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
            );
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} inputs failed (panics above): {failed:?}",
        failed.len(),
        files.len()
    );
}

#[test]
fn empty_and_tiny_inputs_hold() {
    for data in [
        &b""[..],
        b"\0",
        b"\0\0",
        b"\xff\xff",
        b"\0\0GET / HTTP/1.1\r\n\r\n",
    ] {
        driver::run(data);
    }
}

/// The checker itself: a response cut short, or one the driver did not
/// make, is caught.
#[test]
#[should_panic(expected = "a response cut short")]
fn the_checker_catches_a_short_body() {
    let mut expect = driver::wire::Expect::error(eddy_core::http::Status::BAD_REQUEST, false);
    expect.truncated = false;
    let wire = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 12\r\nConnection: close\r\n\r\nBad";
    driver::wire::check(wire, &[expect]);
}

#[test]
#[should_panic(expected = "bytes after the last response")]
fn the_checker_catches_an_extra_response() {
    let expect = driver::wire::Expect::interim();
    driver::wire::check(
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n",
        &[expect],
    );
}
