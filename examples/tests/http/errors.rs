//! Error statuses: each is answered, says `Connection: close`, closes that
//! connection, and leaves the server serving everyone else.

use crate::client::{get, pattern, Response};
use crate::Server;

/// Sends `request` on a fresh connection: the answer must be `status` with
/// `Connection: close`, then the close; then a fresh connection is served.
#[track_caller]
fn assert_rejected(server: &Server, request: impl AsRef<[u8]>, status: u16) -> Response {
    let mut c = server.connect();
    c.send(request);
    let r = c.response();
    assert_eq!(r.status, status, "got {:?}", r.head);
    assert!(
        r.closes(),
        "an error response says Connection: close: {:?}",
        r.head
    );
    assert!(r.header("content-type").is_some(), "{:?}", r.head);
    c.expect_closed();
    server.assert_alive();
    r
}

#[test]
fn body_over_one_mib_is_413() {
    let server = Server::start();
    let r = assert_rejected(
        &server,
        "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 1048577\r\n\r\n",
        413,
    );
    assert_eq!(r.text(), "Content Too Large\n");
    // Chunk sizes adding up past the limit: 512 KiB, then a chunk-size line
    // one byte too many (the server refuses it at its last digit).
    let mut req =
        b"POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n80000\r\n".to_vec();
    req.extend_from_slice(&pattern(0x80000, 3));
    req.extend_from_slice(b"\r\n80001");
    assert_rejected(&server, req, 413);
}

#[test]
fn head_over_8_kib_is_431_and_under_is_served() {
    let server = Server::start();
    let big = format!(
        "GET / HTTP/1.1\r\nHost: test\r\nX-Big: {}\r\n\r\n",
        "a".repeat(9000)
    );
    assert_rejected(&server, big, 431);
    // An 8000-byte head is within the limit.
    let prefix = "GET /fits HTTP/1.1\r\nHost: test\r\nX-Big: ";
    let fits = format!("{prefix}{}\r\n\r\n", "a".repeat(8000 - prefix.len() - 4));
    assert_eq!(fits.len(), 8000);
    let mut c = server.connect();
    c.send(fits);
    assert_eq!(c.response().text(), "You requested /fits\n");
    server.assert_alive();
}

/// `GET /n` with `Host` and `extra` more header lines.
fn with_headers(extra: usize) -> String {
    let mut req = String::from("GET /n HTTP/1.1\r\nHost: test\r\n");
    for i in 0..extra {
        req.push_str(&format!("X-Header-{i}: {i}\r\n"));
    }
    req + "\r\n"
}

#[test]
fn too_many_headers_is_431() {
    let server = Server::start();
    // 32 header lines are allowed; the 33rd is one too many.
    assert_rejected(&server, with_headers(32), 431);
    assert_rejected(&server, with_headers(100), 431);
    let mut c = server.connect();
    c.send(with_headers(31));
    assert_eq!(c.response().status, 200);
}

#[test]
fn malformed_requests_are_400() {
    let server = Server::start();
    for req in [
        "BAD REQUEST LINE\r\n\r\n",
        "GET\r\n\r\n",
        "GET / HTTP/1.1 extra\r\nHost: test\r\n\r\n",
        "GET / FTP/1.1\r\nHost: test\r\n\r\n",
        "G<T / HTTP/1.1\r\nHost: test\r\n\r\n",
        "GET / HTTP/1.1\r\nHost test\r\n\r\n",
        "GET / HTTP/1.1\r\nHost : test\r\n\r\n",
        "GET / HTTP/1.1\r\nContent-Length: nine\r\nHost: test\r\n\r\n",
    ] {
        let r = assert_rejected(&server, req, 400);
        assert_eq!(r.text(), "Bad Request\n", "{req:?}");
    }
}

#[test]
fn missing_or_duplicate_host_is_400() {
    let server = Server::start();
    assert_rejected(&server, "GET / HTTP/1.1\r\n\r\n", 400);
    assert_rejected(&server, "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400);
}

#[test]
fn transfer_coding_other_than_chunked_is_501() {
    let server = Server::start();
    for coding in ["gzip", "gzip, chunked", "chunked, gzip", "identity"] {
        let req = format!("POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: {coding}\r\n\r\n");
        assert_rejected(&server, req, 501);
    }
}

#[test]
fn versions_other_than_1_0_and_1_1_are_505() {
    let server = Server::start();
    for version in ["HTTP/2.0", "HTTP/1.2", "HTTP/3", "HTTP/0.9"] {
        let req = format!("GET / {version}\r\nHost: test\r\n\r\n");
        let r = assert_rejected(&server, req, 505);
        assert_eq!(r.text(), "HTTP Version Not Supported\n");
    }
}

#[test]
fn other_methods_are_405_with_allow() {
    let server = Server::start();
    for method in ["PUT", "DELETE", "PATCH", "OPTIONS"] {
        let req = format!("{method} /thing HTTP/1.1\r\nHost: test\r\n\r\n");
        let r = assert_rejected(&server, req, 405);
        assert_eq!(r.header("allow"), Some("GET, HEAD, POST"), "{method}");
    }
    // With a body too: the body is read, the answer is the same.
    let r = assert_rejected(
        &server,
        "PUT /thing HTTP/1.1\r\nHost: test\r\nContent-Length: 4\r\n\r\nbody",
        405,
    );
    assert_eq!(r.header("allow"), Some("GET, HEAD, POST"));
}

#[test]
fn content_length_with_transfer_encoding_is_400() {
    let server = Server::start();
    assert_rejected(
        &server,
        "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
        400,
    );
    assert_rejected(
        &server,
        "POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
        400,
    );
}

#[test]
fn differing_duplicate_content_lengths_are_400() {
    let server = Server::start();
    assert_rejected(
        &server,
        "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
        400,
    );
    assert_rejected(
        &server,
        "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 3, 4\r\n\r\n",
        400,
    );
    // Repeating the same value is not ambiguous (RFC 9110 §8.6).
    let mut c = server.connect();
    c.send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc");
    let r = c.response();
    assert_eq!((r.status, r.text()), (200, "abc"));
}

#[test]
fn invalid_chunk_sizes_are_400() {
    let server = Server::start();
    for line in ["zz\r\n", "-1\r\n", "0x5\r\n", " \r\n", "\r\n"] {
        let req = format!("POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n{line}");
        assert_rejected(&server, req, 400);
    }
    // A chunk not followed by CRLF.
    assert_rejected(
        &server,
        "POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX",
        400,
    );
}

#[test]
fn an_error_answering_head_has_no_body() {
    let server = Server::start();
    let mut c = server.connect();
    c.send("HEAD /sleep?ms=abc HTTP/1.1\r\nHost: test\r\n\r\n");
    let r = c.head_response();
    assert_eq!(r.status, 400);
    assert!(r.closes());
    // No body bytes: the next thing is the close.
    c.expect_closed();
    server.assert_alive();
}

#[test]
fn errors_on_one_connection_leave_the_others_alone() {
    let server = Server::start();
    let mut calm = server.connect();
    calm.send(get("/before"));
    assert_eq!(calm.response().status, 200);
    assert_rejected(&server, "BAD REQUEST LINE\r\n\r\n", 400);
    // The keep-alive connection opened before the error is still served.
    calm.send(get("/after"));
    assert_eq!(calm.response().text(), "You requested /after\n");
}
