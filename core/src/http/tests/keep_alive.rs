//! Keep-alive rules of HTTP/1.0 and 1.1 (RFC 9112 §9.3) and the
//! `Connection` header the response carries.

use super::*;

/// One request with `connection` (if any), then a second request; returns
/// the trace and output.
fn exchange(version: &str, connection: Option<&str>) -> (Vec<String>, String) {
    let mut req = format!("GET /1 HTTP/{version}\r\nHost: h\r\n");
    if let Some(value) = connection {
        req.push_str(&format!("Connection: {value}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(&format!("GET /2 HTTP/{version}\r\nHost: h\r\n\r\n"));
    same_all_ways(req.as_bytes())
}

#[test]
fn version_and_connection_matrix() {
    // (version, Connection value, keeps the connection, header in the response)
    let matrix = [
        ("1.1", None, true, ""),
        ("1.1", Some("keep-alive"), true, ""),
        ("1.1", Some("close"), false, "Connection: close\r\n"),
        ("1.1", Some("Upgrade, CLOSE"), false, "Connection: close\r\n"),
        ("1.0", None, false, "Connection: close\r\n"),
        ("1.0", Some("Keep-Alive"), true, "Connection: keep-alive\r\n"),
        ("1.0", Some("close"), false, "Connection: close\r\n"),
        ("1.0", Some("keep-alive, close"), false, "Connection: close\r\n"),
    ];
    for (version, connection, keeps, header) in matrix {
        let (trace, out) = exchange(version, connection);
        let first = ok("/1", header);
        assert!(out.starts_with(&first), "{version} {connection:?}: {out:?}");
        if keeps {
            assert_eq!(
                lines(&trace)[..4],
                [
                    "head GET /1 Fixed(0)",
                    "end",
                    "respond keep",
                    "head GET /2 Fixed(0)"
                ],
                "{version} {connection:?}"
            );
        } else {
            assert_eq!(
                lines(&trace),
                ["head GET /1 Fixed(0)", "end", "respond close", "closed"],
                "{version} {connection:?}: the second request is never read"
            );
            assert_eq!(out, first);
        }
    }
}

#[test]
fn http10_keep_alive_carries_over() {
    let input = b"GET /1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /2 HTTP/1.0\r\n\r\n";
    let (trace, out) = same_all_ways(input);
    assert_eq!(
        lines(&trace),
        [
            "head GET /1 Fixed(0)",
            "end",
            "respond keep",
            "head GET /2 Fixed(0)",
            "end",
            "respond close",
            "closed"
        ]
    );
    let want = ok("/1", "Connection: keep-alive\r\n") + &ok("/2", "Connection: close\r\n");
    assert_eq!(out, want);
}

#[test]
fn http10_chunked_answer_runs_until_close() {
    // RFC 9112 §6.1: no Transfer-Encoding to an HTTP/1.0 client; the body
    // is delimited by the close instead.
    let input = b"GET /1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
    let (trace, out) = same_all_ways_with(Config::new(), Answer::Chunked, input);
    assert_eq!(
        lines(&trace),
        ["head GET /1 Fixed(0)", "end", "respond close", "closed"]
    );
    assert_eq!(
        out,
        "HTTP/1.1 200 OK\r\nX-Target: /1\r\nConnection: close\r\n\r\n/1"
    );
}

#[test]
fn http11_chunked_answer_keeps_alive() {
    let input = b"GET /abc HTTP/1.1\r\nHost: h\r\n\r\n";
    let (trace, out) = same_all_ways_with(Config::new(), Answer::Chunked, input);
    assert_eq!(lines(&trace), ["head GET /abc Fixed(0)", "end", "respond keep"]);
    assert_eq!(
        out,
        "HTTP/1.1 200 OK\r\nX-Target: /abc\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n/abc\r\n0\r\n\r\n"
    );
}

#[test]
fn server_can_ask_to_close() {
    let mut d = Driver::new();
    d.answer = Answer::Nothing;
    d.feed(
        b"GET /x HTTP/1.1\r\nHost: h\r\n\r\nGET /y HTTP/1.1\r\nHost: h\r\n\r\n",
        Instant::ZERO,
    );
    d.conn.close_after_response();
    d.answer = Answer::Fixed;
    d.respond(Instant::ZERO);
    assert_eq!(d.out.text(), ok("/x", "Connection: close\r\n"));
    assert_eq!(lines(&d.trace), ["head GET /x Fixed(0)", "end", "respond close"]);
    assert!(d.conn.is_closed());
    d.pump(Instant::ZERO);
    assert_eq!(d.trace.last().map(String::as_str), Some("closed"));
}

#[test]
fn close_requested_mid_response_still_closes() {
    let mut d = Driver::new();
    d.answer = Answer::Nothing;
    d.feed(b"GET /x HTTP/1.1\r\nHost: h\r\n\r\n", Instant::ZERO);
    d.conn
        .start_response(&mut d.out, Status::OK, None, &[], BodyLen::Fixed(0))
        .unwrap();
    d.conn.close_after_response();
    assert_eq!(d.conn.finish(&mut d.out, Instant::ZERO), Ok(Next::Close));
}
