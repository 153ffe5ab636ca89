//! Persistence (RFC 9112 §9.3), pipelining (§9.3.2) and
//! `Expect: 100-continue` (RFC 9110 §10.1.1).

use std::io::Write;
use std::thread;

use crate::client::{get, pattern, post};
use crate::Server;

#[test]
fn http_1_1_is_persistent_by_default() {
    let server = Server::start();
    let mut c = server.connect();
    for i in 0..5 {
        c.send(get(&format!("/k{i}")));
        let r = c.response();
        assert_eq!(r.text(), format!("You requested /k{i}\n"));
        assert_eq!(r.header("connection"), None, "{:?}", r.head);
    }
    server.assert_alive();
}

#[test]
fn connection_close_is_honoured() {
    let server = Server::start();
    let mut c = server.connect();
    c.send(get("/open"));
    assert!(!c.response().closes());
    c.send("GET /last HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
    let r = c.response();
    assert_eq!(r.text(), "You requested /last\n");
    assert!(r.closes(), "{:?}", r.head);
    c.expect_closed();
    server.assert_alive();
}

#[test]
fn http_1_0_closes_unless_keep_alive() {
    let server = Server::start();
    let mut c = server.connect();
    c.send("GET /ten HTTP/1.0\r\n\r\n");
    let r = c.response();
    assert_eq!(r.text(), "You requested /ten\n");
    assert!(r.closes(), "{:?}", r.head);
    c.expect_closed();

    let mut c = server.connect();
    for i in 0..3 {
        c.send(format!("GET /ka{i} HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
        let r = c.response();
        assert_eq!(r.text(), format!("You requested /ka{i}\n"));
        assert_eq!(r.header("connection"), Some("keep-alive"), "{:?}", r.head);
    }
    // Without the token again, that response is the last.
    c.send("GET /bye HTTP/1.0\r\n\r\n");
    assert!(c.response().closes());
    c.expect_closed();
    server.assert_alive();
}

#[test]
fn sixteen_pipelined_requests_get_sixteen_responses_in_order() {
    let server = Server::start();
    let mut c = server.connect();
    let all: String = (0..16).map(|i| get(&format!("/p{i}"))).collect();
    c.send(all);
    for i in 0..16 {
        let r = c.response();
        assert_eq!(r.status, 200);
        assert_eq!(r.text(), format!("You requested /p{i}\n"));
    }
    c.send(get("/after"));
    assert_eq!(c.response().text(), "You requested /after\n");
    server.assert_alive();
}

#[test]
fn pipelined_mixed_requests_keep_their_order_and_the_last_closes() {
    let server = Server::start();
    let mut c = server.connect();
    let mut all = Vec::new();
    all.extend_from_slice(get("/sleep?ms=30").as_bytes());
    all.extend_from_slice(b"HEAD /h HTTP/1.1\r\nHost: test\r\n\r\n");
    all.extend(post("/echo", b"fixed"));
    all.extend_from_slice(
        b"POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n7\r\nchunked\r\n0\r\n\r\n",
    );
    all.extend_from_slice(get("/pid").as_bytes());
    all.extend_from_slice(b"GET /end HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
    // Never answered: it comes after the closing request.
    all.extend_from_slice(get("/never").as_bytes());
    c.send(all);
    assert_eq!(c.response().text(), "slept 30 ms\n");
    let head = c.head_response();
    assert_eq!(head.header("content-length"), Some("17"));
    assert_eq!(c.response().text(), "fixed");
    assert_eq!(c.response().text(), "chunked");
    assert_eq!(c.response().text(), format!("{}\n", server.pid()));
    let last = c.response();
    assert_eq!(last.text(), "You requested /end\n");
    assert!(last.closes());
    let rest = c.read_to_close();
    assert!(rest.is_empty(), "nothing after the closing response: {rest:?}");
    server.assert_alive();
}

#[test]
fn pipelined_large_echoes_keep_order_under_backpressure() {
    // 16 echoes of 128 KiB, written by another thread while this one reads:
    // far more than the socket buffers hold, so the server must stop
    // parsing while its output waits, and resume in order.
    let server = Server::start();
    let mut c = server.connect();
    let bodies: Vec<Vec<u8>> = (0..16).map(|i| pattern(128 * 1024, i)).collect();
    let mut writer = c.try_clone_stream();
    let requests: Vec<u8> = bodies.iter().flat_map(|b| post("/echo", b)).collect();
    let sender = thread::spawn(move || writer.write_all(&requests));
    for (i, body) in bodies.iter().enumerate() {
        let r = c.response();
        assert_eq!(r.status, 200);
        assert!(r.body == *body, "echo {i} differs");
    }
    sender.join().expect("writer thread").expect("write the pipeline");
    server.assert_alive();
}

#[test]
fn expect_100_continue_gets_100_then_the_response() {
    let server = Server::start();
    let mut c = server.connect();
    c.send("POST /echo HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
    // The body is held back until the server invites it.
    let interim = c.response();
    assert_eq!(interim.head, "HTTP/1.1 100 Continue\r\n\r\n");
    c.send("hello");
    let r = c.response();
    assert_eq!((r.status, r.text()), (200, "hello"));
    assert!(!r.closes(), "{:?}", r.head);
    // Chunked too, and the connection carries on.
    c.send("POST /echo HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n");
    assert_eq!(c.response().status, 100);
    c.send("3\r\nabc\r\n0\r\n\r\n");
    assert_eq!(c.response().text(), "abc");
    c.send(get("/after"));
    assert_eq!(c.response().text(), "You requested /after\n");
    server.assert_alive();
}

#[test]
fn expect_100_continue_with_a_body_too_large_gets_only_413() {
    let server = Server::start();
    let mut c = server.connect();
    c.send("POST /echo HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\nContent-Length: 2097152\r\n\r\n");
    let r = c.response();
    assert_eq!(r.status, 413, "no 100 for a body that is refused: {:?}", r.head);
    assert!(r.closes());
    c.expect_closed();
    server.assert_alive();
}
