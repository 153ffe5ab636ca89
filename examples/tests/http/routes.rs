//! The routes: `GET /<anything>`, `HEAD`, `POST /echo`, `/sleep`,
//! `/wait` + `/notify`, `/pid`.

use crate::client::{get, pattern, post, Client};
use crate::Server;

#[test]
fn get_echoes_the_exact_target_with_its_query() {
    let server = Server::start();
    let mut c = server.connect();
    for target in ["/", "/some/path?x=1&y=two", "/a%20b/?q=%2F&&empty=", "/x?sleep=1"] {
        c.send(get(target));
        let r = c.response();
        assert_eq!(r.status, 200, "{target}");
        assert_eq!(r.header("content-type"), Some("text/plain"));
        assert_eq!(r.text(), format!("You requested {target}\n"));
        assert_eq!(
            r.header("content-length"),
            Some(r.body.len().to_string().as_str())
        );
        assert!(!r.closes(), "HTTP/1.1 stays open: {:?}", r.head);
    }
    server.assert_alive();
}

#[test]
fn head_gives_the_get_headers_and_no_body() {
    let server = Server::start();
    let mut c = server.connect();
    // HEAD then GET in one write: any body byte after the HEAD response
    // would be parsed as the start of the GET response and fail it.
    c.send(format!(
        "HEAD /h?q=1 HTTP/1.1\r\nHost: test\r\n\r\n{}",
        get("/h?q=1")
    ));
    let head = c.head_response();
    let full = c.response();
    assert_eq!(full.status, 200);
    assert_eq!(full.text(), "You requested /h?q=1\n");
    assert_eq!(head.status, full.status);
    assert_eq!(head.headers, full.headers, "HEAD must give the GET's headers");
    assert_eq!(head.header("content-length"), Some("21"));
    // The keep-alive connection holds nothing more: the next response on it
    // is the next request's.
    c.send(get("/after-head"));
    assert_eq!(c.response().text(), "You requested /after-head\n");
    server.assert_alive();
}

#[test]
fn post_echo_returns_a_small_body() {
    let server = Server::start();
    let mut c = server.connect();
    c.send(post("/echo", b"hello, eddy"));
    let r = c.response();
    assert_eq!((r.status, r.text()), (200, "hello, eddy"));
    c.send(post("/echo", b""));
    let r = c.response();
    assert_eq!((r.status, r.body.len()), (200, 0));
    server.assert_alive();
}

#[test]
fn post_echo_takes_exactly_one_mib() {
    let server = Server::start();
    let mut c = server.connect();
    let body = pattern(1024 * 1024, 1);
    c.send(post("/echo", &body));
    let r = c.response();
    assert_eq!(r.status, 200);
    assert_eq!(r.body.len(), body.len());
    assert!(r.body == body, "the 1 MiB echo differs from what was sent");
    assert!(!r.closes());
    server.assert_alive();
}

#[test]
fn post_echo_takes_a_chunked_body_with_extensions_and_trailers() {
    let server = Server::start();
    let mut c = server.connect();
    c.send(
        "POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n\
         5;name=value\r\nhello\r\n6\r\n, eddy\r\nA\r\n, chunked!\r\n0\r\nX-Trailer: yes\r\n\r\n",
    );
    let r = c.response();
    assert_eq!((r.status, r.text()), (200, "hello, eddy, chunked!"));
    // Chunk sizes adding up to exactly the 1 MiB limit are accepted.
    let body = pattern(1024 * 1024, 2);
    let mut req = b"POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for chunk in body.chunks(64 * 1024) {
        req.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        req.extend_from_slice(chunk);
        req.extend_from_slice(b"\r\n");
    }
    req.extend_from_slice(b"0\r\n\r\n");
    c.send(&req);
    let r = c.response();
    assert_eq!(r.status, 200);
    assert!(r.body == body, "the chunked 1 MiB echo differs");
    server.assert_alive();
}

#[test]
fn post_elsewhere_is_not_found() {
    let server = Server::start();
    let mut c = server.connect();
    c.send(post("/nowhere", b"x"));
    let r = c.response();
    assert_eq!((r.status, r.text()), (404, "not found\n"));
    server.assert_alive();
}

#[test]
fn sleep_answers_after_its_timer() {
    let server = Server::start();
    let mut c = server.connect();
    for ms in [0, 1, 50, 200] {
        c.send(get(&format!("/sleep?ms={ms}")));
        let r = c.response();
        assert_eq!((r.status, r.text()), (200, format!("slept {ms} ms\n").as_str()));
        assert!(!r.closes());
    }
    server.assert_alive();
}

#[test]
fn sleep_and_wait_reject_bad_durations_with_400() {
    let server = Server::start();
    for target in [
        "/sleep?ms=60001",
        "/sleep?ms=-1",
        "/sleep?ms=abc",
        "/sleep?ms=",
        "/sleep?ms=1.5",
        "/sleep",
        "/sleep?other=5",
        "/wait?timeout_ms=abc",
        "/wait?timeout_ms=60001",
    ] {
        let mut c = server.connect();
        c.send(get(target));
        let r = c.response();
        assert_eq!(r.status, 400, "{target}");
        assert!(r.closes(), "{target}: an error closes");
        c.expect_closed();
    }
    server.assert_alive();
}

/// A connection parked on `GET /wait`: the `/pid` request pipelined in
/// front of it is answered by the same pass over the read buffer that
/// parks the wait, so once its answer is in, the waiter is registered.
fn park_waiter(server: &Server, target: &str) -> Client {
    let mut c = server.connect();
    c.send(format!("{}{}", get("/pid"), get(target)));
    assert_eq!(c.response().status, 200);
    c
}

#[test]
fn notify_wakes_every_waiter_with_its_body() {
    let server = Server::start();
    let mut waiters = [
        park_waiter(&server, "/wait"),
        park_waiter(&server, "/wait?timeout_ms=20000"),
        park_waiter(&server, "/wait?timeout_ms=60000&x=y"),
    ];
    let mut n = server.connect();
    n.send(post("/notify", b"wake up\n"));
    let r = n.response();
    assert_eq!((r.status, r.text()), (200, "notified 3\n"));
    for w in &mut waiters {
        let r = w.response();
        assert_eq!((r.status, r.text()), (200, "wake up\n"));
        assert!(!r.closes());
        // The waiter's connection stays usable.
        w.send(get("/again"));
        assert_eq!(w.response().text(), "You requested /again\n");
    }
    // Nobody waits any more.
    n.send(post("/notify", b"anyone?"));
    assert_eq!(n.response().text(), "notified 0\n");
    server.assert_alive();
}

#[test]
fn wait_times_out_with_504() {
    let server = Server::start();
    let mut c = server.connect();
    c.send(get("/wait?timeout_ms=100"));
    let r = c.response();
    assert_eq!((r.status, r.text()), (504, "timeout\n"));
    // A timed-out waiter is not woken again.
    let mut n = server.connect();
    n.send(post("/notify", b"late"));
    assert_eq!(n.response().text(), "notified 0\n");
    server.assert_alive();
}

#[test]
fn pid_is_the_server_process() {
    let server = Server::start();
    let mut c = server.connect();
    c.send(get("/pid"));
    let r = c.response();
    assert_eq!(
        (r.status, r.text()),
        (200, format!("{}\n", server.pid()).as_str())
    );
    server.assert_alive();
}
