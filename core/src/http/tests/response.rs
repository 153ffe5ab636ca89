//! Responses through the connection: HEAD, chunked framing, bodiless
//! statuses, `Expect: 100-continue`, and misuse of the response calls.

use super::*;
use crate::http::{ResponseError, SliceOutput, CONTINUE};

const GET: &[u8] = b"GET / HTTP/1.1\r\nHost: h\r\n\r\n";

#[test]
fn head_gets_the_get_headers_but_no_body() {
    let (trace, out) =
        same_all_ways(b"HEAD /x HTTP/1.1\r\nHost: h\r\n\r\nGET /y HTTP/1.1\r\nHost: h\r\n\r\n");
    assert_eq!(
        lines(&trace),
        [
            "head HEAD /x Fixed(0)",
            "end",
            "respond keep",
            "head GET /y Fixed(0)",
            "end",
            "respond keep"
        ]
    );
    let head_only = "HTTP/1.1 200 OK\r\nX-Target: /x\r\nContent-Length: 2\r\n\r\n";
    assert_eq!(out, format!("{head_only}{}", ok("/y", "")));
    let (_, out) = same_all_ways_with(
        Config::new(),
        Answer::Chunked,
        b"HEAD /x HTTP/1.1\r\nHost: h\r\n\r\n",
    );
    assert_eq!(
        out,
        "HTTP/1.1 200 OK\r\nX-Target: /x\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
}

#[test]
fn head_to_http10_with_unknown_length_stays_open() {
    let (mut conn, _) = after(b"HEAD / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    let mut out = Sink::default();
    conn.start_response(&mut out, Status::OK, None, &[], BodyLen::Chunked)
        .unwrap();
    assert_eq!(conn.write_body(&mut out, b"dropped"), Ok(7));
    assert_eq!(conn.finish(&mut out, Instant::ZERO), Ok(Next::KeepAlive));
    assert_eq!(out.text(), "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n\r\n");
}

#[test]
fn bodiless_statuses() {
    for (status, line) in [
        (Status::NO_CONTENT, "204 No Content"),
        (Status::NOT_MODIFIED, "304 Not Modified"),
    ] {
        let (mut conn, _) = after(GET);
        let mut out = Sink::default();
        conn.start_response(&mut out, status, None, &[], BodyLen::Fixed(5))
            .unwrap();
        assert_eq!(conn.write_body(&mut out, b"12345"), Ok(5));
        assert_eq!(conn.finish(&mut out, Instant::ZERO), Ok(Next::KeepAlive));
        assert_eq!(out.text(), format!("HTTP/1.1 {line}\r\n\r\n"));
    }
}

#[test]
fn chunked_response_framing() {
    let (mut conn, _) = after(GET);
    let mut out = Sink::default();
    conn.start_response(
        &mut out,
        Status::NOT_FOUND,
        Some("Nope"),
        &[("A", "1")],
        BodyLen::Chunked,
    )
    .unwrap();
    assert_eq!(conn.write_body(&mut out, &[b'z'; 26]), Ok(26));
    assert_eq!(conn.write_body(&mut out, b""), Ok(0));
    assert_eq!(conn.write_body(&mut out, b"!"), Ok(1));
    assert_eq!(conn.finish(&mut out, Instant::ZERO), Ok(Next::KeepAlive));
    let z = "z".repeat(26);
    assert_eq!(
        out.text(),
        format!(
            "HTTP/1.1 404 Nope\r\nA: 1\r\nTransfer-Encoding: chunked\r\n\r\n1a\r\n{z}\r\n1\r\n!\r\n0\r\n\r\n"
        )
    );
}

#[test]
fn small_outputs_take_partial_bodies_and_never_half_heads() {
    let (mut conn, _) = after(GET);
    let mut buf = [0u8; 40];
    let mut out = SliceOutput::new(&mut buf);
    let long = [("X-Long", "0123456789012345678901234567890123456789")];
    assert_eq!(
        conn.start_response(&mut out, Status::OK, None, &long, BodyLen::Fixed(30)),
        Err(ResponseError::OutputFull)
    );
    assert!(out.is_empty(), "nothing of a head that does not fit");
    conn.start_response(&mut out, Status::OK, None, &[], BodyLen::Fixed(30))
        .unwrap();
    let head = out.len();
    assert_eq!(conn.write_body(&mut out, &[b'b'; 30]), Ok(40 - head));
    assert_eq!(conn.write_body(&mut out, b"b"), Err(ResponseError::OutputFull));
    out.clear();
    let rest = 30 - (40 - head);
    assert_eq!(
        conn.write_body(&mut out, &vec![b'b'; rest + 1]),
        Err(ResponseError::BodyTooLong)
    );
    assert_eq!(conn.write_body(&mut out, &vec![b'b'; rest]), Ok(rest));
    let mut full = [0u8; 0];
    assert_eq!(
        conn.finish(&mut SliceOutput::new(&mut full), Instant::ZERO),
        Ok(Next::KeepAlive)
    );
}

#[test]
fn last_chunk_that_does_not_fit_can_be_retried() {
    let (mut conn, _) = after(GET);
    let mut out = Sink::default();
    conn.start_response(&mut out, Status::OK, None, &[], BodyLen::Chunked)
        .unwrap();
    let mut tiny = [0u8; 4];
    assert_eq!(
        conn.finish(&mut SliceOutput::new(&mut tiny), Instant::ZERO),
        Err(ResponseError::OutputFull)
    );
    assert_eq!(conn.finish(&mut out, Instant::ZERO), Ok(Next::KeepAlive));
    assert!(out.text().ends_with("\r\n\r\n0\r\n\r\n"));
}

#[test]
fn misuse_is_reported() {
    let mut conn: Connection<8> = Connection::new(Config::new(), Instant::ZERO);
    let mut out = Sink::default();
    let start =
        |c: &mut Connection<8>, o: &mut Sink| c.start_response(o, Status::OK, None, &[], BodyLen::Fixed(1));
    assert_eq!(start(&mut conn, &mut out), Err(ResponseError::NoRequest));
    assert_eq!(conn.write_continue(&mut out), Err(ResponseError::NoRequest));
    let (mut conn, _) = after(GET);
    assert_eq!(conn.write_body(&mut out, b"x"), Err(ResponseError::NotStarted));
    assert_eq!(
        conn.finish(&mut out, Instant::ZERO),
        Err(ResponseError::NotStarted)
    );
    start(&mut conn, &mut out).unwrap();
    assert_eq!(start(&mut conn, &mut out), Err(ResponseError::AlreadyStarted));
    assert_eq!(
        conn.send_error(&mut out, Status::INTERNAL_SERVER_ERROR),
        Err(ResponseError::AlreadyStarted)
    );
    assert_eq!(conn.write_continue(&mut out), Err(ResponseError::AlreadyStarted));
    // A short body cannot be finished: the connection closes.
    assert_eq!(
        conn.finish(&mut out, Instant::ZERO),
        Err(ResponseError::BodyIncomplete)
    );
    assert!(conn.is_closed());
    assert_eq!(conn.write_body(&mut out, b"x"), Err(ResponseError::Closed));
    assert!(matches!(
        conn.receive(GET, Instant::ZERO).unwrap().event,
        Event::Closed
    ));
}

#[test]
fn early_response_before_the_body_closes() {
    let input = b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\nabc";
    let (mut conn, at) = after(input);
    assert_eq!(at, input.len(), "head and the three body bytes");
    let mut out = Sink::default();
    conn.start_response(&mut out, Status::NOT_FOUND, None, &[], BodyLen::Fixed(0))
        .unwrap();
    assert_eq!(conn.finish(&mut out, Instant::ZERO), Ok(Next::Close));
}

#[test]
fn expect_100_continue_invited() {
    let head = b"PUT /f HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n";
    let mut d = Driver::new();
    d.answer = Answer::Nothing;
    d.feed(head, Instant::ZERO);
    assert_eq!(lines(&d.trace), ["head PUT /f Fixed(3) expects-continue"]);
    assert_eq!(d.conn.write_continue(&mut d.out), Ok(true));
    assert_eq!(d.conn.write_continue(&mut d.out), Ok(false), "only once");
    assert_eq!(d.out.0, CONTINUE);
    d.answer = Answer::Fixed;
    d.feed(b"abc", Instant::ZERO);
    assert_eq!(lines(&d.trace)[1..], ["body abc", "end", "respond keep"]);
    assert_eq!(
        d.out.text(),
        format!("HTTP/1.1 100 Continue\r\n\r\n{}", ok("/f", ""))
    );
}

#[test]
fn expect_100_continue_refused_closes() {
    let head = b"PUT /f HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n";
    let (mut conn, _) = after(head);
    let mut out = Sink::default();
    conn.start_response(&mut out, Status::CONTENT_TOO_LARGE, None, &[], BodyLen::Fixed(0))
        .unwrap();
    assert_eq!(
        out.text(),
        "HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    assert_eq!(conn.finish(&mut out, Instant::ZERO), Ok(Next::Close));
}

#[test]
fn expect_100_continue_moot_once_the_body_arrives() {
    let input = b"PUT /f HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc";
    let (mut conn, _) = after(input);
    let mut out = Sink::default();
    assert_eq!(conn.write_continue(&mut out), Ok(false));
    conn.start_response(&mut out, Status::OK, None, &[], BodyLen::Fixed(0))
        .unwrap();
    assert_eq!(conn.finish(&mut out, Instant::ZERO), Ok(Next::KeepAlive));
    // HTTP/1.0 expectations are ignored (RFC 9110 §10.1.1).
    let (mut conn, _) = after(b"PUT / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n");
    assert_eq!(conn.write_continue(&mut out), Ok(false));
}
