//! `BufferFull`: a read over its limit or over the buffer closes the stream.

use super::*;
use crate::stream::{CloseReason, WriteError};

const FULL: ReadError = ReadError::Closed(CloseReason::BufferFull);

#[test]
fn a_line_over_max_bytes_closes_with_buffer_full() {
    let mut s: Stream<64, 64> = stream();
    s.read_until(b"\n", 10).unwrap();
    arrive(&mut s, b"123456789");
    assert_eq!(s.poll_read(), None, "9 bytes: the delimiter may still end at 10");
    arrive(&mut s, b"0");
    failed(&mut s, FULL);
    assert!(s.is_closed());
    assert_eq!(s.poll_close(), Some(CloseReason::BufferFull));
    assert_eq!(s.poll_close(), None);
    assert_eq!(s.buffered(), b"1234567890", "received bytes stay readable");
}

#[test]
fn a_line_of_exactly_max_bytes_is_accepted() {
    let mut s: Stream<64, 64> = stream();
    s.read_until(b"\r\n", 10).unwrap();
    arrive(&mut s, b"12345678\r\nmore");
    assert_eq!(done(&mut s), b"12345678\r\n");
    // The delimiter found past the limit fails, even though it is buffered.
    s.read_until(b"\r\n", 3).unwrap();
    arrive(&mut s, b"\r\n");
    failed(&mut s, FULL);
}

#[test]
fn a_full_read_buffer_without_the_delimiter_closes_with_buffer_full() {
    let mut s: Stream<16, 16> = stream();
    s.read_until(b"\n", 1000).unwrap();
    arrive(&mut s, &[b'x'; 15]);
    assert_eq!(s.poll_read(), None);
    arrive(&mut s, b"xxxx");
    failed(&mut s, FULL);
    assert_eq!(s.poll_close(), Some(CloseReason::BufferFull));
}

#[test]
fn read_until_close_larger_than_the_buffer_closes_with_buffer_full() {
    let mut s: Stream<8, 8> = stream();
    s.read_until_close().unwrap();
    arrive(&mut s, b"0123456789");
    failed(&mut s, FULL);
    assert_eq!(s.poll_close(), Some(CloseReason::BufferFull));
}

#[test]
fn an_error_reply_is_flushed_before_the_buffer_full_close() {
    let mut s: BufferedStream<MemTransport<64>, 16, 64> = BufferedStream::new(MemTransport::new());
    s.transport_mut().set_write_limit(0); // the peer is not reading yet
    s.read_until(b"\n", 8).unwrap();
    arrive(&mut s, b"far too long");
    failed(&mut s, FULL);
    assert!(!s.wants_read(), "the read side is finished");
    s.write(b"error: line too long\n").unwrap();
    s.on_writable();
    assert_eq!(s.poll_close(), None, "still flushing");
    assert!(s.wants_write());
    s.transport_mut().set_write_limit(usize::MAX);
    s.on_writable();
    assert_eq!(s.poll_close(), Some(CloseReason::BufferFull));
    assert_eq!(s.transport().outbound(), b"error: line too long\n");
    assert_eq!(s.write(b"x"), Err(WriteError::Closed(CloseReason::BufferFull)));
}
