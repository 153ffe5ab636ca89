//! Prepared heads: [`Connection::start_prepared`] and
//! [`Connection::respond`] write exactly what the checked calls write, for
//! every request shape that changes a head, and nothing when it does not fit.

use super::*;
use crate::http::{PreparedHead, ResponseError, SliceOutput};

/// Request heads whose answers differ in framing or `Connection` lines.
const REQUESTS: [&[u8]; 7] = [
    b"GET / HTTP/1.1\r\nHost: h\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
    b"GET / HTTP/1.0\r\n\r\n",
    b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    b"HEAD / HTTP/1.1\r\nHost: h\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc",
    // A 100-continue body not invited: the answer closes.
    b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n",
];

const HEADERS: &[(&str, &str)] = &[("Content-Type", "text/plain"), ("X-A", "1")];

/// A connection that has read `input` up to its end or a pause.
fn after(input: &[u8]) -> Connection<8> {
    super::after(input).0
}

#[test]
fn prepared_lines_are_the_checked_status_line_and_headers() {
    let head = PreparedHead::<128>::new(Status::NOT_FOUND, Some("Gone Fishing"), HEADERS).unwrap();
    assert_eq!(head.status(), Status::NOT_FOUND);
    assert_eq!(
        head.as_bytes(),
        b"HTTP/1.1 404 Gone Fishing\r\nContent-Type: text/plain\r\nX-A: 1\r\n"
    );
    let bad = |status, reason, headers| PreparedHead::<128>::new(status, reason, headers).err();
    assert_eq!(
        bad(Status::CONTINUE, None, &[]),
        Some(ResponseError::InformationalStatus)
    );
    assert_eq!(
        bad(Status::OK, Some("a\r\nb"), &[]),
        Some(ResponseError::InvalidReason)
    );
    assert_eq!(
        bad(Status::OK, None, &[("A B", "v")]),
        Some(ResponseError::InvalidHeader)
    );
    assert_eq!(
        bad(Status::OK, None, &[("Connection", "x")]),
        Some(ResponseError::ReservedHeader)
    );
    assert_eq!(
        PreparedHead::<20>::new(Status::OK, None, HEADERS).err(),
        Some(ResponseError::HeadTooLong)
    );
}

#[test]
fn start_prepared_writes_what_start_response_writes() {
    let statuses = [
        Status::OK,
        Status::NO_CONTENT,
        Status::NOT_MODIFIED,
        Status::NOT_FOUND,
    ];
    let bodies = [BodyLen::Fixed(0), BodyLen::Fixed(5), BodyLen::Chunked];
    for request in REQUESTS {
        for status in statuses {
            let head = PreparedHead::<128>::new(status, None, HEADERS).unwrap();
            for body in bodies {
                for close_after in [false, true] {
                    let (mut a, mut b) = (after(request), after(request));
                    if close_after {
                        a.close_after_response();
                        b.close_after_response();
                    }
                    let (mut out_a, mut out_b) = (Sink::default(), Sink::default());
                    a.start_response(&mut out_a, status, None, HEADERS, body).unwrap();
                    b.start_prepared(&mut out_b, &head, body).unwrap();
                    let what = format!(
                        "{:?} {status:?} {body:?} {close_after}",
                        String::from_utf8_lossy(request)
                    );
                    assert_eq!(out_a.text(), out_b.text(), "{what}");
                    if let BodyLen::Fixed(5) = body {
                        assert_eq!(
                            a.write_body(&mut out_a, b"hello"),
                            b.write_body(&mut out_b, b"hello")
                        );
                    }
                    if body == BodyLen::Chunked {
                        assert_eq!(a.write_body(&mut out_a, b"hi"), b.write_body(&mut out_b, b"hi"));
                    }
                    let (end_a, end_b) = (
                        a.finish(&mut out_a, Instant::ZERO),
                        b.finish(&mut out_b, Instant::ZERO),
                    );
                    assert_eq!(end_a, end_b, "{what}");
                    assert_eq!(out_a.text(), out_b.text(), "{what}");
                    assert_eq!(a.is_closed(), b.is_closed(), "{what}");
                }
            }
        }
    }
}

#[test]
fn respond_is_start_write_and_finish_in_one_call() {
    let parts: [&[u8]; 3] = [b"You requested ", b"/x", b"\n"];
    for request in REQUESTS {
        for status in [Status::OK, Status::NO_CONTENT, Status::NOT_FOUND] {
            let head = PreparedHead::<128>::new(status, None, HEADERS).unwrap();
            let (mut a, mut b) = (after(request), after(request));
            let (mut out_a, mut out_b) = (Sink::default(), Sink::default());
            a.start_response(&mut out_a, status, None, HEADERS, BodyLen::Fixed(17))
                .unwrap();
            for part in parts {
                a.write_body(&mut out_a, part).unwrap();
            }
            let end_a = a.finish(&mut out_a, Instant::ZERO);
            let end_b = b.respond(&mut out_b, &head, &parts, Instant::ZERO);
            let what = format!("{:?} {status:?}", String::from_utf8_lossy(request));
            assert_eq!(end_a, end_b, "{what}");
            assert_eq!(out_a.text(), out_b.text(), "{what}");
            assert_eq!(a.poll_at(), b.poll_at(), "{what}");
        }
    }
}

#[test]
fn a_response_that_does_not_fit_writes_nothing_and_can_be_retried() {
    let head = PreparedHead::<128>::new(Status::OK, None, HEADERS).unwrap();
    let mut conn = after(REQUESTS[0]);
    let mut small = [0u8; 60];
    let mut out = SliceOutput::new(&mut small);
    // A 73-byte head and a 10-byte body do not fit 60 bytes.
    assert_eq!(
        conn.respond(&mut out, &head, &[b"0123456789"], Instant::ZERO),
        Err(ResponseError::OutputFull)
    );
    assert!(out.written().is_empty());
    assert_eq!(
        conn.start_prepared(&mut SliceOutput::new(&mut [0u8; 10]), &head, BodyLen::Fixed(1)),
        Err(ResponseError::OutputFull)
    );
    let mut room = [0u8; 128];
    let mut out = SliceOutput::new(&mut room);
    assert_eq!(
        conn.respond(&mut out, &head, &[b"0123456789"], Instant::ZERO),
        Ok(Next::KeepAlive)
    );
    assert!(out.written().ends_with(b"Content-Length: 10\r\n\r\n0123456789"));
    // The request is answered: a second response is refused.
    assert_eq!(
        conn.respond(&mut out, &head, &[b"x"], Instant::ZERO),
        Err(ResponseError::NoRequest)
    );
}

#[test]
fn write_parts_is_all_or_nothing_for_every_output() {
    let mut buf = [0u8; 6];
    let mut out = SliceOutput::new(&mut buf);
    assert_eq!(out.write_parts(&[b"ab", b"cd"]), Ok(()));
    assert_eq!(out.write_parts(&[b"e", b"fg"]), Err(OutputFull));
    assert_eq!(out.written(), b"abcd");
    let mut v: heapless::Vec<u8, 4> = heapless::Vec::new();
    assert_eq!(Output::write_parts(&mut v, &[b"abc", b"de"]), Err(OutputFull));
    assert!(v.is_empty());
    assert_eq!(Output::write_parts(&mut &mut v, &[b"abc", b"d"]), Ok(()));
    assert_eq!(&v[..], b"abcd");
}

#[test]
fn respond_with_many_parts_writes_them_all_in_order() {
    let head = PreparedHead::<128>::new(Status::OK, None, HEADERS).unwrap();
    let parts: [&[u8]; 7] = [b"a", b"bc", b"", b"def", b"g", b"hi", b"j"];
    for n in 0..=parts.len() {
        let mut conn = after(REQUESTS[0]);
        let mut out = Sink::default();
        assert_eq!(
            conn.respond(&mut out, &head, &parts[..n], Instant::ZERO),
            Ok(Next::KeepAlive)
        );
        let body: String = parts[..n].iter().map(|p| String::from_utf8_lossy(p)).collect();
        let want = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-A: 1\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        assert_eq!(out.text(), want, "{n} parts");
    }
}

#[test]
fn a_response_one_byte_too_long_for_the_output_writes_nothing_for_any_number_of_parts() {
    let head = PreparedHead::<128>::new(Status::OK, None, HEADERS).unwrap();
    let parts: [&[u8]; 7] = [b"a", b"bc", b"", b"def", b"g", b"hi", b"j"];
    for n in 0..=parts.len() {
        let mut whole = Sink::default();
        let mut conn = after(REQUESTS[0]);
        conn.respond(&mut whole, &head, &parts[..n], Instant::ZERO)
            .unwrap();
        let need = whole.text().len();
        let mut conn = after(REQUESTS[0]);
        let mut short = [0u8; 256];
        let mut out = SliceOutput::new(&mut short[..need - 1]);
        assert_eq!(
            conn.respond(&mut out, &head, &parts[..n], Instant::ZERO),
            Err(ResponseError::OutputFull),
            "{n} parts"
        );
        assert!(out.written().is_empty(), "{n} parts: nothing written");
        let mut room = [0u8; 256];
        let mut out = SliceOutput::new(&mut room[..need]);
        assert_eq!(
            conn.respond(&mut out, &head, &parts[..n], Instant::ZERO),
            Ok(Next::KeepAlive),
            "{n} parts: the retry fits exactly"
        );
        assert_eq!(out.written(), whole.text().as_bytes(), "{n} parts");
    }
}
