//! Close: each reason reported exactly once, half-close, resets.

use embedded_io::ErrorKind;

use super::*;
use crate::stream::{CloseReason, WriteError};

/// `poll_close` says `reason` once, and the stream is inert afterwards.
#[track_caller]
fn closes_once<const N: usize, const R: usize, const W: usize>(
    s: &mut BufferedStream<MemTransport<N>, R, W>,
    reason: CloseReason,
) {
    assert!(s.is_closed());
    assert_eq!(s.poll_close(), Some(reason));
    for _ in 0..3 {
        s.on_readable();
        s.on_writable();
        assert_eq!(s.poll_close(), None, "exactly once");
    }
    s.close();
    s.on_timeout();
    assert_eq!(s.poll_close(), None, "later closes change nothing");
    assert_eq!(s.write(b"x"), Err(WriteError::Closed(reason)));
    assert_eq!(s.desired_interest(), None);
}

#[test]
fn peer_close_is_reported_once_after_the_app_saw_it() {
    let mut s: Stream<16, 16> = stream();
    peer_eof(&mut s);
    assert_eq!(s.poll_close(), None, "the application has not read the EOF yet");
    assert_eq!(
        s.desired_interest(),
        None,
        "no READABLE at EOF: poll(2) would spin"
    );
    s.read_some().unwrap();
    failed(&mut s, ReadError::Closed(CloseReason::PeerClosed));
    closes_once(&mut s, CloseReason::PeerClosed);
}

#[test]
fn reset_is_reported_once() {
    let mut s: Stream<16, 16> = stream();
    s.transport_mut().peer_reset();
    s.on_readable();
    closes_once(&mut s, CloseReason::Reset);
}

#[test]
fn other_transport_errors_keep_their_kind() {
    let mut s: Stream<16, 16> = stream();
    s.write(b"x").unwrap();
    s.transport_mut().fail(ErrorKind::TimedOut);
    s.on_writable();
    closes_once(&mut s, CloseReason::Error(ErrorKind::TimedOut));
}

#[test]
fn timeout_is_reported_once() {
    let mut s: Stream<16, 16> = stream();
    s.write(b"lost").unwrap();
    s.on_timeout();
    assert_eq!(s.unflushed(), 0, "a hard close drops unsent bytes");
    closes_once(&mut s, CloseReason::Timeout);
    assert_eq!(s.transport().outbound(), b"");
}

#[test]
fn local_close_is_reported_once() {
    let mut s: Stream<16, 16> = stream();
    s.close();
    closes_once(&mut s, CloseReason::Local);
}

#[test]
fn buffer_full_is_reported_once() {
    let mut s: Stream<8, 8> = stream();
    s.read_until(b"\n", 8).unwrap();
    arrive(&mut s, b"12345678");
    failed(&mut s, ReadError::Closed(CloseReason::BufferFull));
    closes_once(&mut s, CloseReason::BufferFull);
}

#[test]
fn half_close_peer_eof_while_writes_still_flush() {
    let mut s: BufferedStream<MemTransport<16>, 16, 32> = BufferedStream::new(MemTransport::new());
    let reply = b"0123456789abcdefghijklmnopqrst";
    s.write(reply).unwrap();
    s.on_writable(); // the peer's window takes 16
    s.read_until(b"\n", 16).unwrap();
    arrive(&mut s, b"last line\n");
    peer_eof(&mut s);
    assert_eq!(done(&mut s), b"last line\n");
    s.write(b"!").unwrap(); // answering after the peer's EOF is fine
    s.read_some().unwrap();
    failed(&mut s, ReadError::Closed(CloseReason::PeerClosed));
    let mut received = Vec::new();
    while !s.is_flushed() {
        assert_eq!(s.poll_close(), None, "writes are still flushing");
        assert_eq!(s.desired_interest(), Some(crate::Interest::WRITABLE));
        received.extend_from_slice(s.transport().outbound());
        s.transport_mut().peer_drain(16);
        s.on_writable();
    }
    received.extend_from_slice(s.transport().outbound());
    assert_eq!(&received[..30], reply);
    assert_eq!(&received[30..], b"!");
    closes_once(&mut s, CloseReason::PeerClosed);
}

#[test]
fn complete_lines_before_eof_are_answered_before_the_close() {
    let mut s: Stream<32, 32> = stream();
    arrive(&mut s, b"a\nb\n");
    peer_eof(&mut s);
    let mut echoed = Vec::new();
    loop {
        s.read_until(b"\n", 32).unwrap();
        match s.poll_read() {
            Some(Ok(d)) => {
                let line = s.data(&d).to_vec();
                s.write(&line).unwrap();
                s.consume(d).unwrap();
            }
            Some(Err(e)) => {
                assert_eq!(e, ReadError::Closed(CloseReason::PeerClosed));
                break;
            }
            None => panic!("everything is buffered"),
        }
        assert_eq!(s.poll_close(), None);
    }
    s.on_writable();
    echoed.extend_from_slice(s.transport().outbound());
    assert_eq!(echoed, b"a\nb\n");
    closes_once(&mut s, CloseReason::PeerClosed);
}

#[test]
fn reset_mid_read_fails_the_read_and_keeps_the_received_bytes() {
    let mut s: Stream<32, 32> = stream();
    s.read_until(b"\r\n", 32).unwrap();
    arrive(&mut s, b"partial li");
    s.transport_mut().peer_send(b"ne\r\n").unwrap();
    s.transport_mut().peer_reset(); // the RST discards the unread "ne\r\n"
    s.on_readable();
    failed(&mut s, ReadError::Closed(CloseReason::Reset));
    assert_eq!(s.buffered(), b"partial li");
    s.read_until_close().unwrap();
    assert_eq!(done(&mut s), b"partial li");
    closes_once(&mut s, CloseReason::Reset);
}

#[test]
fn reset_mid_write_drops_the_unsent_bytes() {
    let mut s: BufferedStream<MemTransport<4>, 16, 16> = BufferedStream::new(MemTransport::new());
    s.write(b"0123456789").unwrap();
    s.on_writable();
    assert_eq!(s.transport().outbound(), b"0123");
    s.transport_mut().peer_reset();
    s.transport_mut().peer_drain(4);
    s.on_writable();
    assert!(s.is_closed());
    assert_eq!((s.written(), s.flushed(), s.unflushed()), (10, 4, 0));
    assert!(!s.poll_flushed(), "a dropped buffer is not a flush");
    s.read_some().unwrap();
    failed(&mut s, ReadError::Closed(CloseReason::Reset));
    closes_once(&mut s, CloseReason::Reset);
}

#[test]
fn close_after_the_peers_eof_reports_the_peer() {
    let mut s: Stream<16, 16> = stream();
    peer_eof(&mut s);
    s.close();
    closes_once(&mut s, CloseReason::PeerClosed);
}
