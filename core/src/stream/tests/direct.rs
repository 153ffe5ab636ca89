//! Direct access for a parser that consumes bytes itself: the write half
//! lent beside the input, the end of the read side acknowledged, a full
//! buffer refilled, a stream reopened in place.

use super::{arrive, peer_eof, stream, Stream};
use crate::stream::{CloseReason, MemTransport, WriteError};

#[test]
fn the_write_half_writes_as_the_stream_does() {
    let mut s: Stream<16, 8> = stream();
    arrive(&mut s, b"ping");
    let (input, mut out) = s.split();
    assert_eq!(input, b"ping");
    assert_eq!(out.write(b"0123456789"), Ok(8), "what fits");
    assert_eq!(out.write(b"x"), Err(WriteError::Full));
    assert_eq!(out.try_write_all(b"x"), Err(WriteError::Full));
    assert_eq!(out.unflushed(), 8);
    out.close_after_flush();
    assert_eq!(out.write_space(), 0, "no room once closing");
    assert_eq!(out.write(b"x"), Err(WriteError::Closing));
    assert_eq!(s.written(), 8);
    assert!(s.is_closing());
    s.on_writable();
    assert_eq!(s.transport().outbound(), b"01234567");
    assert!(!s.is_closing(), "flushed: it closes now");
    assert!(s.is_closed());
    assert_eq!(s.poll_close(), Some(CloseReason::Local));
    let (_, mut out) = s.split();
    assert_eq!(out.closed(), Some(CloseReason::Local));
    assert_eq!(out.write(b"x"), Err(WriteError::Closed(CloseReason::Local)));
}

#[test]
fn finish_read_closes_after_the_flush_once_the_end_was_seen() {
    let mut s: Stream<16, 16> = stream();
    s.finish_read();
    assert_eq!(
        s.poll_close(),
        None,
        "nothing to acknowledge while the read side is open"
    );
    arrive(&mut s, b"last");
    peer_eof(&mut s);
    assert_eq!(s.read_closed(), Some(CloseReason::PeerClosed));
    assert_eq!(s.discard(4), Ok(4));
    s.write(b"bye").unwrap();
    s.finish_read();
    assert_eq!(s.poll_close(), None, "the answer goes out first");
    s.on_writable();
    assert_eq!(s.poll_close(), Some(CloseReason::PeerClosed));
}

#[test]
fn refill_pulls_what_a_full_buffer_left_in_the_transport() {
    let mut s: Stream<8, 8> = stream();
    arrive(&mut s, b"0123456789abcdef!");
    assert_eq!(s.buffered(), b"01234567");
    assert!(s.has_unread());
    assert_eq!(s.refill(), 0, "no room yet");
    s.discard(5).unwrap();
    assert_eq!(s.refill(), 5);
    assert_eq!(s.buffered(), b"56789abc");
    s.discard(8).unwrap();
    assert_eq!(s.refill(), 4);
    assert_eq!(s.buffered(), b"def!");
    assert!(!s.has_unread());
    assert_eq!(s.refill(), 0, "nothing announced is left");
}

#[test]
fn reopen_starts_over_in_place() {
    let mut s: Stream<16, 16> = stream();
    arrive(&mut s, b"old");
    s.write(b"unsent").unwrap();
    s.close();
    assert_eq!(s.poll_close(), Some(CloseReason::Local));
    let mut old = s.reopen(MemTransport::new());
    assert_eq!(old.inbound_len(), 0);
    assert!(
        old.outbound().is_empty(),
        "the old stream's unsent bytes stay unsent"
    );
    old.peer_send(b"x").unwrap();
    assert!(s.buffered().is_empty());
    assert_eq!((s.written(), s.flushed()), (0, 0));
    assert!(!s.is_closed());
    assert_eq!(s.poll_close(), None);
    arrive(&mut s, b"new");
    s.write(b"ok").unwrap();
    s.on_writable();
    assert_eq!(s.buffered(), b"new");
    assert_eq!(s.transport().outbound(), b"ok");
}

#[test]
fn parts_are_written_whole_or_not_at_all() {
    // The peer holds 3 bytes: a flush leaves the rest buffered behind a
    // sent front, so later parts are compacted after the unsent bytes.
    let mut s: crate::stream::BufferedStream<MemTransport<3>, 16, 8> =
        crate::stream::BufferedStream::new(MemTransport::new());
    let (_, mut out) = s.split();
    assert_eq!(out.try_write_parts(&[b"ab", b"", b"cde"]), Ok(()));
    assert_eq!(
        out.try_write_parts(&[b"12", b"34"]),
        Err(WriteError::Full),
        "4 > 3 free"
    );
    assert_eq!(out.unflushed(), 5, "nothing of the refused parts");
    assert_eq!(out.try_write_parts(&[b"f", b"gh"]), Ok(()));
    assert_eq!(s.written(), 8);
    assert_eq!(s.on_writable(), 3);
    assert_eq!(s.transport_mut().peer_drain(3), 3);
    let (_, mut out) = s.split();
    assert_eq!(out.try_write_parts(&[b"X", b"YZ"]), Ok(()), "fits once compacted");
    assert_eq!(s.unflushed(), 8);
    let mut got = std::vec::Vec::new();
    while s.unflushed() > 0 {
        s.on_writable();
        got.extend_from_slice(s.transport().outbound());
        let n = s.transport().outbound().len();
        s.transport_mut().peer_drain(n);
    }
    assert_eq!(got, b"defghXYZ");
    let (_, mut out) = s.split();
    out.close_after_flush();
    assert_eq!(out.try_write_parts(&[b"x"]), Err(WriteError::Closing));
}
