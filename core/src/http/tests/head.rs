//! Request head parsing and the header rules, on whole heads.

use super::*;
use crate::http::head::parse;
use crate::http::{RequestError, RequestHead, Version};

fn head(raw: &[u8]) -> Result<RequestHead<'_, 8>, RequestError> {
    match parse::<8>(raw, 1000) {
        Ok(Some((head, len))) => {
            assert_eq!(len, raw.len(), "head length");
            Ok(head)
        }
        Ok(None) => panic!("partial head"),
        Err(e) => Err(e),
    }
}

#[test]
fn fields_borrow_from_the_input() {
    let raw = b"\r\nGET /a?b=c HTTP/1.1\r\nHost: x\r\nX-Y:  z \r\n\r\n";
    let h = head(raw).unwrap();
    assert_eq!(h.method(), "GET");
    assert_eq!(h.target(), "/a?b=c");
    assert_eq!(h.version(), Version::Http11);
    assert_eq!(h.headers().len(), 2);
    assert_eq!(h.header("x-y"), Some(&b"z"[..]));
    assert_eq!(h.header("missing"), None);
    assert_eq!(h.body(), BodyLen::Fixed(0));
    assert!(h.keep_alive());
    assert!(!h.is_head());
}

#[test]
fn partial_heads_wait() {
    assert!(matches!(
        parse::<8>(b"GET / HTTP/1.1\r\nHost: x\r\n", 10),
        Ok(None)
    ));
    assert!(matches!(parse::<8>(b"", 10), Ok(None)));
}

#[test]
fn versions() {
    for (line, want) in [
        (&b"GET / HTTP/2.0\r\n\r\n"[..], RequestError::UnsupportedVersion),
        (b"GET / HTTP/1.2\r\n\r\n", RequestError::UnsupportedVersion),
        (b"GET / HTTP/3\r\n\r\n", RequestError::UnsupportedVersion),
        (
            b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
            RequestError::UnsupportedVersion,
        ),
        (b"GET / http/1.1\r\n\r\n", RequestError::MalformedHead),
        (b"GET / HTTP/x\r\n\r\n", RequestError::MalformedHead),
        (b"GET /  HTTP/1.1\r\n\r\n", RequestError::MalformedHead),
        (b"GET /\r\n\r\n", RequestError::MalformedHead),
        (b"GET / HTTP/1.\r\n\r\n", RequestError::MalformedHead),
    ] {
        assert_eq!(parse::<8>(line, 10).err(), Some(want), "{:?}", line);
    }
    // The verdict waits for the whole request line.
    assert!(matches!(parse::<8>(b"GET / HTTP/1.2", 10), Ok(None)));
    assert!(matches!(parse::<8>(b"\nGET / HTTP/2.0 x", 10), Ok(None)));
    let h = head(b"GET / HTTP/1.0\r\n\r\n").unwrap();
    assert_eq!(h.version(), Version::Http10);
    assert!(!h.keep_alive());
}

#[test]
fn host_rules() {
    assert_eq!(
        head(b"GET / HTTP/1.1\r\n\r\n").err(),
        Some(RequestError::MissingHost)
    );
    assert_eq!(
        head(b"GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n").err(),
        Some(RequestError::DuplicateHost)
    );
    assert_eq!(
        head(b"GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n").err(),
        Some(RequestError::DuplicateHost)
    );
}

#[test]
fn too_many_headers_and_garbage() {
    let raw = b"GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\n\r\n";
    assert_eq!(parse::<2>(raw, 10).err(), Some(RequestError::TooManyHeaders));
    assert!(parse::<3>(raw, 10).unwrap().is_some());
    for bad in [
        &b"GET / HTTP/1.1\r\nHost : x\r\n\r\n"[..],
        b"GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",
        b"G(T / HTTP/1.1\r\n\r\n",
        b"GET / HTTP/1.1\rHost: x\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\x00\r\n\r\n",
    ] {
        assert_eq!(
            parse::<8>(bad, 10).err(),
            Some(RequestError::MalformedHead),
            "{:?}",
            bad
        );
    }
}

fn with(headers: &str) -> Result<BodyLen, RequestError> {
    let mut raw = std::string::String::from("POST / HTTP/1.1\r\nHost: x\r\n");
    raw.push_str(headers);
    raw.push_str("\r\n");
    match parse::<8>(raw.as_bytes(), 1000) {
        Ok(Some((h, _))) => Ok(h.body()),
        Ok(None) => panic!("partial"),
        Err(e) => Err(e),
    }
}

#[test]
fn content_length_rules() {
    assert_eq!(with("Content-Length: 5\r\n"), Ok(BodyLen::Fixed(5)));
    assert_eq!(
        with("Content-Length: 5\r\nContent-Length: 5\r\n"),
        Ok(BodyLen::Fixed(5))
    );
    assert_eq!(with("Content-Length: 5, 5\r\n"), Ok(BodyLen::Fixed(5)));
    assert_eq!(with("Content-Length: 5,05\r\n"), Ok(BodyLen::Fixed(5)));
    assert_eq!(with("Content-Length: 1000\r\n"), Ok(BodyLen::Fixed(1000)));
    use RequestError::*;
    for (h, e) in [
        (
            "Content-Length: 5\r\nContent-Length: 6\r\n",
            ConflictingContentLength,
        ),
        ("Content-Length: 5, 6\r\n", ConflictingContentLength),
        ("Content-Length: +5\r\n", InvalidContentLength),
        ("Content-Length: -1\r\n", InvalidContentLength),
        ("Content-Length: 0x5\r\n", InvalidContentLength),
        ("Content-Length: 5 5\r\n", InvalidContentLength),
        ("Content-Length: \r\n", InvalidContentLength),
        ("Content-Length: 5,\r\n", InvalidContentLength),
        ("Content-Length: 1001\r\n", BodyTooLarge),
        ("Content-Length: 99999999999999999999999999\r\n", BodyTooLarge),
    ] {
        assert_eq!(with(h), Err(e), "{h}");
    }
}

#[test]
fn transfer_encoding_rules() {
    use RequestError::*;
    assert_eq!(with("Transfer-Encoding: chunked\r\n"), Ok(BodyLen::Chunked));
    assert_eq!(with("Transfer-Encoding: CHUNKED \r\n"), Ok(BodyLen::Chunked));
    assert_eq!(with("Transfer-Encoding: , chunked\r\n"), Ok(BodyLen::Chunked));
    for (h, e) in [
        (
            "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n",
            ContentLengthWithTransferEncoding,
        ),
        (
            "Content-Length: 3\r\nTransfer-Encoding: gzip\r\n",
            ContentLengthWithTransferEncoding,
        ),
        ("Transfer-Encoding: gzip\r\n", UnsupportedTransferEncoding),
        (
            "Transfer-Encoding: chunked, gzip\r\n",
            UnsupportedTransferEncoding,
        ),
        (
            "Transfer-Encoding: gzip, chunked\r\n",
            UnsupportedTransferEncoding,
        ),
        ("Transfer-Encoding: identity\r\n", UnsupportedTransferEncoding),
        ("Transfer-Encoding: chunked, chunked\r\n", ChunkedTwice),
        (
            "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
            ChunkedTwice,
        ),
        ("Transfer-Encoding: \r\n", EmptyTransferEncoding),
    ] {
        assert_eq!(with(h), Err(e), "{h}");
    }
    let raw = b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n";
    assert_eq!(parse::<8>(raw, 10).err(), Some(TransferEncodingInHttp10));
}

#[test]
fn connection_and_expect() {
    let h = head(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, Close\r\n\r\n").unwrap();
    assert!(!h.keep_alive());
    let h = head(b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").unwrap();
    assert!(h.keep_alive());
    let raw = b"PUT / HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n";
    assert!(head(raw).unwrap().expects_continue());
    let raw = b"PUT / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n";
    assert!(!head(raw).unwrap().expects_continue(), "no body, no 100");
    let raw = b"PUT / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n";
    assert!(!head(raw).unwrap().expects_continue(), "ignored in 1.0");
    assert!(head(b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap().is_head());
}

#[test]
fn headers_match_what_httparse_parsed() {
    let heads: [&[u8]; 5] = [
        b"\r\n\nGET / HTTP/1.1\r\nHost: x\r\nA:\t v \t\r\nB:\r\nC: 1:2 \r\n\r\n",
        b"GET / HTTP/1.1\nHost: x\nX-Y:z\n\n",
        b"GET / HTTP/1.0\r\n\r\n",
        b"POST /e HTTP/1.1\r\nHost:  h \r\nContent-Length: 3\r\nV: a\x80b \r\n\r\n",
        b"GET / HTTP/1.1\r\nhOsT: x\r\nE: \r\nF:   \t\r\n\r\n",
    ];
    for raw in heads {
        let mut want = [httparse::EMPTY_HEADER; 8];
        let mut req = httparse::Request::new(&mut want);
        assert!(req.parse(raw).unwrap().is_complete());
        let want: std::vec::Vec<(&str, &[u8])> = req.headers.iter().map(|h| (h.name, h.value)).collect();
        let h = head(raw).unwrap();
        let got: std::vec::Vec<(&str, &[u8])> = h.headers().map(|h| (h.name, h.value)).collect();
        assert_eq!(got, want, "{:?}", raw);
        assert_eq!(h.headers().len(), want.len());
    }
}

#[test]
fn the_rule_headers_are_found_in_any_case_and_only_by_their_whole_name() {
    // Each name the rules read, in an odd case, has its effect.
    assert!(head(b"GET / HTTP/1.1\r\nHOST: h\r\n\r\n").is_ok());
    assert_eq!(
        head(b"GET / HTTP/1.1\r\nhost: a\r\nHoSt: b\r\n\r\n").err(),
        Some(RequestError::DuplicateHost)
    );
    let sized = head(b"POST / HTTP/1.1\r\nHost: h\r\nCONTENT-length: 3\r\n\r\n").unwrap();
    assert_eq!(sized.body(), BodyLen::Fixed(3));
    let chunked = head(b"POST / HTTP/1.1\r\nHost: h\r\ntransfer-ENCODING: chunked\r\n\r\n").unwrap();
    assert_eq!(chunked.body(), BodyLen::Chunked);
    assert!(!head(b"GET / HTTP/1.1\r\nHost: h\r\nCONNECTION: close\r\n\r\n")
        .unwrap()
        .keep_alive());
    let expecting =
        head(b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\neXpEcT: 100-continue\r\n\r\n").unwrap();
    assert!(expecting.expects_continue());
    // Names of the same length and first letter, or the same length alone,
    // are other fields.
    assert_eq!(
        head(b"GET / HTTP/1.1\r\nHxst: h\r\nGost: h\r\n\r\n").err(),
        Some(RequestError::MissingHost)
    );
    let other =
        head(b"POST / HTTP/1.1\r\nHost: h\r\nContent-Lengtx: 3\r\nXontent-Length: 4\r\n\r\n").unwrap();
    assert_eq!(other.body(), BodyLen::Fixed(0));
    assert!(head(b"GET / HTTP/1.1\r\nHost: h\r\nConnectiox: close\r\n\r\n")
        .unwrap()
        .keep_alive());
}
