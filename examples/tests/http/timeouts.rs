//! The header timeout (from the first byte of a head, not reset by further
//! bytes) and the idle timeout (between requests, never during one).
//!
//! The server's timeouts are set small by flag; the client paces itself
//! with bounded reads, which also notice the moment the server acts.

use std::time::Duration;

use crate::client::{get, post, Wait};
use crate::server::open_fds;
use crate::Server;

/// The pause between trickled bytes, spent waiting on a read.
const STEP: Duration = Duration::from_millis(50);

#[test]
fn header_timeout_cuts_a_trickled_head() {
    let server = Server::with_args(&["--header-timeout-ms", "300"]);
    let mut c = server.connect();
    // 200 bytes at one per 50 ms take 10 s; a timer reset by each byte
    // (50 ms < 300 ms) would never fire and the head would be served.
    let head = format!(
        "GET /trickle HTTP/1.1\r\nHost: test\r\nX-Pad: {}\r\n\r\n",
        "p".repeat(200)
    );
    let mut cut_after = None;
    for (i, byte) in head.bytes().enumerate() {
        if c.try_send(&[byte]).is_err() {
            cut_after = Some(i);
            break;
        }
        match c.wait(STEP) {
            Wait::Quiet => {}
            Wait::Data | Wait::Closed => {
                cut_after = Some(i + 1);
                break;
            }
        }
    }
    let sent = cut_after.expect("the whole trickled head was sent and the server never cut it");
    assert!(sent < head.len(), "cut only after the head was complete");
    // A 408 first is allowed; then the close.
    let rest = c.read_to_close();
    if !rest.is_empty() {
        let text = String::from_utf8_lossy(&rest);
        assert!(
            text.starts_with("HTTP/1.1 408 "),
            "expected a 408 or a bare close: {text:?}"
        );
        assert!(text.contains("Connection: close\r\n"), "{text:?}");
    }
    server.assert_alive();
}

#[test]
fn header_timeout_counts_from_accept() {
    let server = Server::with_args(&["--header-timeout-ms", "200"]);
    let mut silent = server.connect();
    // Nothing was sent: the server closes without a response.
    silent.expect_closed();
    // A prompt request on a fresh connection is unaffected.
    server.assert_alive();
}

#[test]
fn idle_timeout_closes_an_idle_keep_alive_connection() {
    let server = Server::with_args(&["--idle-timeout-ms", "200"]);
    let mut c = server.connect();
    c.send(get("/first"));
    let r = c.response();
    assert_eq!(r.text(), "You requested /first\n");
    assert!(!r.closes());
    // Then silence from the client: the server closes it, without a 408 a
    // client sending its next request just then could take for its answer.
    c.expect_closed();
    server.assert_alive();
}

#[test]
fn idle_timeout_never_cuts_a_request_in_progress() {
    let server = Server::with_args(&["--idle-timeout-ms", "200"]);
    let mut c = server.connect();
    c.send(get("/first"));
    assert_eq!(c.response().status, 200);
    // A request answered 500 ms later, well past the idle timeout.
    c.send(get("/sleep?ms=500"));
    let r = c.response();
    assert_eq!((r.status, r.text()), (200, "slept 500 ms\n"));
    assert!(!r.closes());
    // A body trickled with pauses longer than the idle timeout.
    c.send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 6\r\n\r\n");
    for part in ["ab", "cd"] {
        c.send(part);
        c.assert_quiet_for(Duration::from_millis(300), "a request body in progress");
    }
    c.send("ef");
    let r = c.response();
    assert_eq!((r.status, r.text()), (200, "abcdef"));
    // A slow /wait answered after the idle timeout, too.
    c.send(get("/wait?timeout_ms=400"));
    assert_eq!(c.response().status, 504);
    // Still the same keep-alive connection.
    c.send(post("/echo", b"still here"));
    assert_eq!(c.response().text(), "still here");
    server.assert_alive();
}

#[test]
fn header_timeout_spares_a_slow_body() {
    // The header timeout covers the head only: a body trickled past it is
    // read to its end.
    let server = Server::with_args(&["--header-timeout-ms", "200"]);
    let mut c = server.connect();
    c.send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 4\r\n\r\n");
    for part in ["w", "x", "y"] {
        c.send(part);
        c.assert_quiet_for(Duration::from_millis(300), "a request body in progress");
    }
    c.send("z");
    assert_eq!(c.response().text(), "wxyz");
    server.assert_alive();
}

#[test]
fn send_timeout_cuts_a_client_that_stops_reading_mid_response() {
    let server = Server::with_args(&["--send-timeout-ms", "300"]);
    let idle_fds = open_fds(server.pid());
    let mut c = server.connect();
    // Eight pipelined 1 MiB echoes, written by another thread (the server
    // stops reading once its answers back up); the client reads nothing,
    // so the socket buffers (about 4 MiB on loopback) fill and the
    // server's answers stall.
    let body = vec![b'e'; 1 << 20];
    let mut request = Vec::new();
    for _ in 0..8 {
        request.extend_from_slice(&post("/echo", &body));
    }
    let mut writer = c.try_clone_stream();
    let sender = std::thread::spawn(move || {
        use std::io::Write;
        // Fails once the server cuts the connection.
        let _ = writer.write_all(&request);
    });
    // Another connection's sleep is the clock: 1.5 s is more than the two
    // send timeouts a stalled reader may get.
    let mut clock = server.connect();
    clock.send(get("/sleep?ms=1500"));
    assert_eq!(clock.response().status, 200);
    // Only the clock's connection is left open on the server.
    assert_eq!(
        open_fds(server.pid()),
        idle_fds + 1,
        "the stalled client's connection is still open after 1.5 s"
    );
    // What the kernel had buffered reaches the client, then the close.
    c.read_to_close();
    sender.join().expect("writer thread");
    server.assert_alive();
}
