//! Pipelining (RFC 9112 §9.3.2): requests in one read are handled one at a
//! time, in order, and the next request's bytes wait unconsumed until the
//! current response is finished.

use super::*;

#[test]
fn three_requests_in_one_read_answer_in_order() {
    let input = b"GET /a HTTP/1.1\r\nHost: h\r\n\r\n\
        POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello\
        GET /c?q=1 HTTP/1.1\r\nHost: h\r\n\r\n";
    let (trace, out) = same_all_ways(input);
    assert_eq!(
        lines(&trace),
        [
            "head GET /a Fixed(0)",
            "end",
            "respond keep",
            "head POST /b Fixed(5)",
            "body hello",
            "end",
            "respond keep",
            "head GET /c?q=1 Fixed(0)",
            "end",
            "respond keep",
        ]
    );
    assert_eq!(out, ok("/a", "") + &ok("/b", "") + &ok("/c?q=1", ""));
}

#[test]
fn next_request_waits_unconsumed_until_finish() {
    let first = b"GET /a HTTP/1.1\r\nHost: h\r\n\r\n";
    let second = b"GET /b HTTP/1.1\r\nHost: h\r\n\r\n";
    let mut d = Driver::new();
    d.answer = Answer::Nothing;
    d.feed(&[&first[..], &second[..]].concat(), Instant::ZERO);
    assert_eq!(lines(&d.trace), ["head GET /a Fixed(0)", "end"]);
    assert_eq!(d.inbox, second, "the second request is untouched");
    // Still paused however often it is asked.
    let r = d.conn.receive(&d.inbox, Instant::ZERO).unwrap();
    assert_eq!((r.consumed, matches!(r.event, Event::Paused)), (0, true));
    // A response in progress keeps it paused too.
    d.conn
        .start_response(&mut d.out, Status::OK, None, &[], BodyLen::Chunked)
        .unwrap();
    d.conn.write_body(&mut d.out, b"x").unwrap();
    let r = d.conn.receive(&d.inbox, Instant::ZERO).unwrap();
    assert!(matches!(r.event, Event::Paused));
    assert_eq!(d.conn.finish(&mut d.out, Instant::ZERO), Ok(Next::KeepAlive));
    d.answer = Answer::Fixed;
    d.pump(Instant::ZERO);
    assert_eq!(
        lines(&d.trace),
        [
            "head GET /a Fixed(0)",
            "end",
            "head GET /b Fixed(0)",
            "end",
            "respond keep"
        ]
    );
    assert!(d.inbox.is_empty());
}

#[test]
fn chunked_body_then_pipelined_request() {
    let input = b"POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n\
        3;ext=1\r\nabc\r\n0\r\nTrailer: x\r\n\r\n\
        GET /next HTTP/1.1\r\nHost: h\r\n\r\n";
    let (trace, out) = same_all_ways(input);
    assert_eq!(
        lines(&trace),
        [
            "head POST /up Chunked",
            "body abc",
            "end",
            "respond keep",
            "head GET /next Fixed(0)",
            "end",
            "respond keep",
        ]
    );
    assert_eq!(out, ok("/up", "") + &ok("/next", ""));
}

#[test]
fn empty_lines_between_requests_are_skipped() {
    // RFC 9112 §2.2: ignore at least one empty line before a request-line.
    let input = b"\r\nGET /a HTTP/1.1\r\nHost: h\r\n\r\n\r\n\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n";
    let (trace, _) = same_all_ways(input);
    assert_eq!(
        lines(&trace),
        [
            "head GET /a Fixed(0)",
            "end",
            "respond keep",
            "head GET /b Fixed(0)",
            "end",
            "respond keep"
        ]
    );
}

#[test]
fn bad_request_after_good_ones_answers_the_good_first() {
    let input = b"GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/9.9\r\n\r\n";
    let (trace, out) = same_all_ways(input);
    assert_eq!(
        lines(&trace),
        [
            "head GET /a Fixed(0)",
            "end",
            "respond keep",
            "error 505 UnsupportedVersion"
        ]
    );
    assert!(out.starts_with(&ok("/a", "")));
    assert!(out.ends_with("HTTP Version Not Supported\n"), "{out}");
}
