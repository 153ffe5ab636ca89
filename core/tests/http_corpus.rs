//! Replays the fuzz regression corpus, `fuzz/regressions/`, through the
//! same drivers as the fuzz targets (`fuzz/driver/`): the `Connection`
//! one of `http_conn` and the `HttpStream` one of `http_stream`. Every
//! file must run through both without a panic and with every invariant
//! holding. Each
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
        // `pending-*`: an input that shows a known fault in the code under
        // test, kept until that is fixed (then renamed and replayed).
        .filter(|path| {
            !path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("pending-"))
        })
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

/// The stream driver answers what it is given: three pipelined requests
/// (the last with `Connection: close`) fed in pieces of 1 to 8 bytes are
/// three responses on the wire, whatever the write buffer and read buffer.
#[test]
fn the_stream_driver_answers_pipelined_requests() {
    let requests = b"GET /a HTTP/1.1\r\nHost: a\r\n\r\n\
        GET /b HTTP/1.1\r\nHost: a\r\n\r\n\
        GET /c HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
    for config in [0x00, 0x40, 0x80] {
        for buffers in [0x02, 0x22, 0x12] {
            // Two control bytes, used cyclically: answers at the end with
            // start_response or start_prepared, 204 or 200; pieces of 3 and
            // 2 bytes; a peer that drains nothing, then 500 bytes.
            let mut data = vec![config, buffers, 0x09, 0x05];
            data.extend_from_slice(requests);
            assert_eq!(
                driver::stream::run(&data),
                3,
                "config {config:#x}, buffers {buffers:#x}"
            );
        }
    }
}

/// A reset mid-stream leaves a prefix: the peer resets in its first round
/// (control byte 5 is `0xc1`), so at most the first response gets out.
#[test]
fn the_stream_driver_accepts_a_prefix_after_a_reset() {
    let mut data = vec![0x00, 0x06, 0x03, 0x03, 0x03, 0x03, 0x03, 0xc1];
    data.extend_from_slice(b"GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n");
    assert!(driver::stream::run(&data) <= 1);
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

#[test]
#[should_panic(expected = "out of order")]
fn the_checker_catches_responses_out_of_order() {
    let mut first = driver::wire::Expect::interim();
    first.status = 200;
    first.seq = Some("0".into());
    let mut second = first.clone();
    second.seq = Some("1".into());
    let wire = b"HTTP/1.1 200 OK\r\nX-Seq: 1\r\nContent-Length: 0\r\n\r\n\
        HTTP/1.1 200 OK\r\nX-Seq: 0\r\nContent-Length: 0\r\n\r\n";
    driver::wire::check(wire, &[first, second]);
}
