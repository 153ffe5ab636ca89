//! Response framing on its own: chunk sizing, length bounds, all-or-nothing
//! heads and argument validation.

use super::*;
use crate::http::head::Version;
use crate::http::response::{self, Exchange, Framing};
use crate::http::{ResponseError, ResponseHeaders, SliceOutput};

#[test]
fn chunks_fill_the_output_exactly() {
    // 20 spare bytes: "e\r\n" + 14 bytes + "\r\n" = 19 would leave one
    // unused; 16 + "10\r\n" + "\r\n" = 22 would not fit.
    let mut buf = [0u8; 20];
    let mut out = SliceOutput::new(&mut buf);
    let mut f = Framing::Chunked;
    let n = response::body(&mut out, &mut f, &[b'x'; 100]).unwrap();
    assert!(n + format!("{n:x}").len() + 4 <= 20 && n >= 14, "{n}");
    let mut tiny = [0u8; 5];
    let mut out = SliceOutput::new(&mut tiny);
    assert_eq!(
        response::body(&mut out, &mut f, b"x"),
        Err(ResponseError::OutputFull)
    );
    assert_eq!(response::body(&mut out, &mut f, b""), Ok(0));
    assert!(out.is_empty());
}

#[test]
fn fixed_bodies_are_bounded() {
    let mut buf = [0u8; 8];
    let mut out = SliceOutput::new(&mut buf);
    let mut f = Framing::Fixed { remaining: 10 };
    assert_eq!(
        response::body(&mut out, &mut f, &[b'a'; 11]),
        Err(ResponseError::BodyTooLong)
    );
    assert_eq!(response::body(&mut out, &mut f, &[b'a'; 10]), Ok(8));
    assert_eq!(
        response::body(&mut out, &mut f, b"aa"),
        Err(ResponseError::OutputFull)
    );
    assert_eq!(response::finish(&mut out, f), Err(ResponseError::BodyIncomplete));
}

#[test]
fn head_is_all_or_nothing() {
    let ex = Exchange {
        version: Version::Http11,
        is_head: false,
        keep_alive: true,
    };
    let mut buf = [0u8; 30];
    let mut out = SliceOutput::new(&mut buf);
    let r = response::start(
        &mut out,
        &ex,
        Status::OK,
        None,
        ResponseHeaders::new(&[("A", "b")]).unwrap(),
        BodyLen::Fixed(100),
    );
    assert_eq!(r.err(), Some(ResponseError::OutputFull));
    assert!(out.is_empty());
    assert_eq!(
        response::error(&mut out, Status::BAD_REQUEST, false),
        Err(ResponseError::OutputFull)
    );
    assert!(out.is_empty());
}

#[test]
fn argument_validation() {
    let ex = Exchange {
        version: Version::Http11,
        is_head: false,
        keep_alive: true,
    };
    let mut buf = [0u8; 128];
    let mut out = SliceOutput::new(&mut buf);
    let mut go = |status, reason, headers: &[(&str, &str)]| {
        // What `Connection::start_response` does.
        response::status_line(status, reason)
            .and_then(|_| ResponseHeaders::new(headers))
            .and_then(|h| response::start(&mut out, &ex, status, reason, h, BodyLen::Fixed(0)))
            .err()
    };
    use ResponseError::*;
    assert_eq!(go(Status::CONTINUE, None, &[]), Some(InformationalStatus));
    assert_eq!(go(Status::OK, Some("O\r\nK"), &[]), Some(InvalidReason));
    assert_eq!(go(Status::OK, None, &[("Bad Name", "v")]), Some(InvalidHeader));
    assert_eq!(go(Status::OK, None, &[("", "v")]), Some(InvalidHeader));
    assert_eq!(
        go(Status::OK, None, &[("X", "a\r\nSet-Cookie: x")]),
        Some(InvalidHeader)
    );
    assert_eq!(go(Status::OK, None, &[("X", "a\0")]), Some(InvalidHeader));
    assert_eq!(
        go(Status::OK, None, &[("content-length", "1")]),
        Some(ReservedHeader)
    );
    assert_eq!(
        go(Status::OK, None, &[("Transfer-Encoding", "gzip")]),
        Some(ReservedHeader)
    );
    assert_eq!(
        go(Status::OK, None, &[("CONNECTION", "close")]),
        Some(ReservedHeader)
    );
    assert!(out.is_empty());
}
