//! Request bodies through the connection: streaming, chunked extensions
//! and trailers, limits.

use super::*;

#[test]
fn content_length_body_streams() {
    let input = b"PUT /f HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello world";
    let (trace, _) = same_all_ways(input);
    assert_eq!(
        lines(&trace),
        ["head PUT /f Fixed(11)", "body hello world", "end", "respond keep"]
    );
}

#[test]
fn body_runs_borrow_the_input() {
    let mut conn: Connection<4> = Connection::new(Config::new(), Instant::ZERO);
    let input = b"PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nabcd";
    let r = conn.receive(input, Instant::ZERO).unwrap();
    let head_len = r.consumed;
    let r = conn.receive(&input[head_len..], Instant::ZERO).unwrap();
    let Event::Body(bytes) = r.event else {
        panic!("no body")
    };
    assert_eq!(bytes, b"abcd");
    assert!(
        core::ptr::eq(bytes.as_ptr(), input[head_len..].as_ptr()),
        "no copy"
    );
    let r = conn.receive(&[], Instant::ZERO).unwrap();
    assert!(matches!(r.event, Event::End));
}

#[test]
fn chunked_extensions_and_trailers_are_skipped() {
    let input = b"POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n\
        4;name=value;quoted=\"a;b\"\r\nWiki\r\n\
        5 ; x\r\npedia\r\n\
        E\r\n in\r\n\r\nchunks.\r\n\
        0;last\r\nExpires: never\r\nX-Other: 1\r\n\r\n";
    let (trace, _) = same_all_ways(input);
    assert_eq!(
        lines(&trace),
        [
            "head POST /c Chunked",
            "body Wikipedia in\r\n\r\nchunks.",
            "end",
            "respond keep"
        ]
    );
}

#[test]
fn a_large_body_never_needs_a_large_buffer() {
    let size: usize = if cfg!(miri) { 4 * 1024 } else { 1024 * 1024 };
    let piece = 1500; // one Ethernet frame at a time
    let mut conn: Connection<8> = Connection::new(Config::new(), Instant::ZERO);
    let head = format!("POST /big HTTP/1.1\r\nHost: h\r\nContent-Length: {size}\r\n\r\n");
    let r = conn.receive(head.as_bytes(), Instant::ZERO).unwrap();
    assert_eq!(r.consumed, head.len());
    let data: Vec<u8> = (0..piece).map(|i| (i % 251) as u8).collect();
    let mut got = 0usize;
    let mut sent = 0usize;
    while sent < size {
        let n = piece.min(size - sent);
        let mut buf = &data[..n];
        sent += n;
        while !buf.is_empty() {
            let r = conn.receive(buf, Instant::ZERO).unwrap();
            let Event::Body(bytes) = r.event else {
                panic!("expected body")
            };
            got += bytes.len();
            buf = &buf[r.consumed..];
        }
    }
    assert_eq!(got, size);
    assert!(matches!(
        conn.receive(&[], Instant::ZERO).unwrap().event,
        Event::End
    ));
}

#[test]
fn chunked_body_in_many_chunks() {
    let count = if cfg!(miri) { 20 } else { 2000 };
    let mut input = b"POST /s HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..count {
        input.extend_from_slice(b"2\r\nab\r\n");
    }
    input.extend_from_slice(b"0\r\n\r\n");
    let (trace, _) = run(Config::new(), Answer::Fixed, &input, 5);
    assert_eq!(trace.len(), 4);
    assert_eq!(trace[1].len(), "body ".len() + 2 * count);
}

#[test]
fn limits() {
    let config = Config::new().with_max_body(10);
    let cases: [(&[u8], &str); 5] = [
        (b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789", "respond keep"),
        (b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n", "error 413 BodyTooLarge"),
        (
            b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n01234\r\n5\r\n56789\r\n0\r\n\r\n",
            "respond keep",
        ),
        (
            b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n01234\r\n6\r\n",
            "error 413 BodyTooLarge",
        ),
        (
            b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffffffffffff\r\n",
            "error 413 BodyTooLarge",
        ),
    ];
    for (input, last) in cases {
        let (trace, _) = same_all_ways_with(config, Answer::Fixed, input);
        assert_eq!(
            trace.last().map(String::as_str),
            Some(last),
            "{}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn chunked_metadata_is_bounded_by_max_head() {
    let config = Config::new().with_max_head(128);
    let mut input = b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1;".to_vec();
    input.extend_from_slice(&[b'e'; 200]);
    let (trace, _) = same_all_ways_with(config, Answer::Fixed, &input);
    assert_eq!(
        lines(&trace),
        ["head POST / Chunked", "error 431 ChunkMetadataTooLarge"]
    );
}
