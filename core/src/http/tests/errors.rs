//! Every request error: its status, its typed variant, an error response
//! with `Connection: close`, and a connection that reads nothing more.

use super::*;
use crate::http::{RequestError, ResponseError};

/// A valid request appended to every bad one: it must never be read.
const AFTER: &[u8] = b"GET /after HTTP/1.1\r\nHost: h\r\n\r\n";

fn rejects(input: &[u8], code: u16, variant: &str) {
    let shown = String::from_utf8_lossy(input).into_owned();
    let (trace, out) = same_all_ways(&[input, AFTER].concat());
    let last = trace.last().map(String::as_str).unwrap_or("");
    assert_eq!(last, format!("error {code} {variant}"), "{shown:?}: {trace:?}");
    assert!(!trace.iter().any(|l| l.contains("/after")), "{shown:?} read on");
    let status = Status::new(code).unwrap();
    let reason = status.reason().unwrap();
    let head = format!(
        "HTTP/1.1 {code} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        reason.len() + 1
    );
    assert!(out.ends_with(&format!("{head}{reason}\n")), "{shown:?}: {out:?}");
}

#[test]
fn malformed_heads_are_400() {
    for input in [
        &b"GET / HTTP/1.1\r\nHost: h\r\nBad Header: x\r\n\r\n"[..],
        b"GET / HTTP/1.1\r\nHost: h\r\nName : x\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n",
        b"GET\x01 / HTTP/1.1\r\n\r\n",
        b"GET / HTTP/1.1 extra\r\n\r\n",
        b"GET / http/1.1\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\n",
        b"GET / HTTP/1.1\r\r\n\r\n",
    ] {
        rejects(input, 400, "MalformedHead");
    }
}

#[test]
fn versions_other_than_1x_are_505() {
    for input in [
        &b"GET / HTTP/2.0\r\nHost: h\r\n\r\n"[..],
        b"GET / HTTP/1.2\r\nHost: h\r\n\r\n",
        b"GET / HTTP/0.9\r\n\r\n",
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    ] {
        rejects(input, 505, "UnsupportedVersion");
    }
}

#[test]
fn head_limits_are_431() {
    let mut big = b"GET / HTTP/1.1\r\nHost: h\r\nX-Big: ".to_vec();
    big.extend_from_slice(&[b'a'; 8 * 1024]);
    big.extend_from_slice(b"\r\n\r\n");
    rejects(&big, 431, "HeadTooLarge");
    // No line end at all: cut at the limit, not when a newline finally comes.
    let mut d = Driver::new();
    d.feed(&[b'A'; 8 * 1024], Instant::ZERO);
    assert_eq!(lines(&d.trace), ["error 431 HeadTooLarge"]);
    // Nine headers for a connection built for eight.
    let mut many = b"GET / HTTP/1.1\r\nHost: h\r\n".to_vec();
    for i in 0..8 {
        many.extend_from_slice(format!("X-{i}: v\r\n").as_bytes());
    }
    many.extend_from_slice(b"\r\n");
    rejects(&many, 431, "TooManyHeaders");
}

#[test]
fn a_head_of_exactly_max_head_fits() {
    let head = b"GET / HTTP/1.1\r\nHost: h\r\n\r\n";
    let config = Config::new().with_max_head(head.len());
    let (trace, _) = same_all_ways_with(config, Answer::Fixed, &[&head[..], &head[..]].concat());
    assert_eq!(
        lines(&trace)[..4],
        [
            "head GET / Fixed(0)",
            "end",
            "respond keep",
            "head GET / Fixed(0)"
        ]
    );
    let config = Config::new().with_max_head(head.len() - 1);
    let (trace, _) = same_all_ways_with(config, Answer::Fixed, head);
    assert_eq!(lines(&trace), ["error 431 HeadTooLarge"]);
}

#[test]
fn host_rules_are_400() {
    rejects(b"GET / HTTP/1.1\r\n\r\n", 400, "MissingHost");
    rejects(
        b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        400,
        "DuplicateHost",
    );
}

#[test]
fn smuggling_shapes_are_rejected() {
    let post = |headers: &str| format!("POST / HTTP/1.1\r\nHost: h\r\n{headers}\r\n0\r\n\r\n").into_bytes();
    let cases = [
        (
            "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
            400,
            "ContentLengthWithTransferEncoding",
        ),
        (
            "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
            400,
            "ContentLengthWithTransferEncoding",
        ),
        (
            "Content-Length: 5\r\nContent-Length: 6\r\n",
            400,
            "ConflictingContentLength",
        ),
        ("Content-Length: 5, 6\r\n", 400, "ConflictingContentLength"),
        ("Content-Length: 5a\r\n", 400, "InvalidContentLength"),
        ("Content-Length: -5\r\n", 400, "InvalidContentLength"),
        ("Content-Length: 0x10\r\n", 400, "InvalidContentLength"),
        ("Transfer-Encoding: gzip\r\n", 501, "UnsupportedTransferEncoding"),
        (
            "Transfer-Encoding: chunked, identity\r\n",
            501,
            "UnsupportedTransferEncoding",
        ),
        ("Transfer-Encoding: chunked, chunked\r\n", 400, "ChunkedTwice"),
        (
            "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
            400,
            "ChunkedTwice",
        ),
        ("Transfer-Encoding: ,\r\n", 400, "EmptyTransferEncoding"),
    ];
    for (headers, code, variant) in cases {
        rejects(&post(headers), code, variant);
    }
    rejects(
        b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        400,
        "TransferEncodingInHttp10",
    );
    // Identical duplicates are one length.
    let (trace, _) =
        same_all_ways(b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nok");
    assert_eq!(
        lines(&trace),
        ["head POST / Fixed(2)", "body ok", "end", "respond keep"]
    );
}

#[test]
fn bad_chunks_are_400() {
    let chunked = b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (body, variant) in [
        (&b"zz\r\n"[..], "InvalidChunkSize"),
        (b"\r\n", "InvalidChunkSize"),
        (b"-1\r\n", "InvalidChunkSize"),
        (b"1 x\r\n", "InvalidChunkSize"),
        (b"3\r\nabcd\r\n", "InvalidChunkFraming"),
        (b"3\nabc\r\n", "InvalidChunkFraming"),
        (b"0\r\nTrailer: x\n\r\n", "InvalidChunkFraming"),
    ] {
        let (trace, out) = same_all_ways(&[&chunked[..], body, AFTER].concat());
        assert_eq!(trace.first().map(String::as_str), Some("head POST / Chunked"));
        assert_eq!(trace.last(), Some(&format!("error 400 {variant}")));
        assert!(out.ends_with("Connection: close\r\n\r\nBad Request\n"));
    }
}

#[test]
fn head_request_errors_have_no_body() {
    let mut d = Driver::new();
    d.answer = Answer::Nothing;
    d.feed(
        b"HEAD / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        Instant::ZERO,
    );
    assert_eq!(
        lines(&d.trace),
        ["head HEAD / Chunked", "error 400 InvalidChunkSize"]
    );
    assert!(d
        .out
        .text()
        .ends_with("Content-Length: 12\r\nConnection: close\r\n\r\n"));
}

#[test]
fn errors_stick_and_close() {
    let mut conn: Connection<4> = Connection::new(Config::new(), Instant::ZERO);
    let bad = b"GET / HTTP/1.1\r\n\r\n";
    assert_eq!(
        conn.receive(bad, Instant::ZERO).err(),
        Some(RequestError::MissingHost)
    );
    assert!(conn.is_closed());
    assert_eq!(conn.poll_at(), None);
    let good = b"GET / HTTP/1.1\r\nHost: h\r\n\r\n";
    assert_eq!(
        conn.receive(good, Instant::ZERO).err(),
        Some(RequestError::MissingHost)
    );
    let mut out = Sink::default();
    assert_eq!(
        conn.start_response(&mut out, Status::OK, None, &[], BodyLen::Fixed(0)),
        Err(ResponseError::Closed)
    );
    conn.send_error(&mut out, Status::BAD_REQUEST).unwrap();
    assert_eq!(
        conn.send_error(&mut out, Status::BAD_REQUEST),
        Err(ResponseError::Closed)
    );
    assert!(matches!(
        conn.receive(good, Instant::ZERO).unwrap().event,
        Event::Closed
    ));
}

#[test]
fn every_error_has_a_status_and_a_message() {
    use RequestError::*;
    let all = [
        (MalformedHead, 400),
        (HeadTooLarge, 431),
        (TooManyHeaders, 431),
        (UnsupportedVersion, 505),
        (MissingHost, 400),
        (DuplicateHost, 400),
        (InvalidContentLength, 400),
        (ConflictingContentLength, 400),
        (ContentLengthWithTransferEncoding, 400),
        (TransferEncodingInHttp10, 400),
        (EmptyTransferEncoding, 400),
        (ChunkedTwice, 400),
        (UnsupportedTransferEncoding, 501),
        (BodyTooLarge, 413),
        (InvalidChunkSize, 400),
        (InvalidChunkFraming, 400),
        (ChunkMetadataTooLarge, 431),
        (HeaderTimeout, 408),
        (IdleTimeout, 408),
    ];
    for (e, code) in all {
        assert_eq!(e.status().code(), code, "{e:?}");
        assert!(e.status().reason().is_some());
        assert!(e.to_string().len() > 10, "{e:?}");
        let _: &dyn core::error::Error = &e;
    }
    use ResponseError as R;
    for e in [
        R::NoRequest,
        R::AlreadyStarted,
        R::NotStarted,
        R::OutputFull,
        R::InformationalStatus,
        R::InvalidReason,
        R::InvalidHeader,
        R::ReservedHeader,
        R::BodyTooLong,
        R::BodyIncomplete,
        R::Closed,
    ] {
        assert!(e.to_string().len() > 10, "{e:?}");
    }
}
