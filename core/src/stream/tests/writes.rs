//! Buffered writes, flushing and backpressure.

use super::*;
use crate::stream::{CloseReason, WriteError};
use crate::Interest;

#[test]
fn a_slow_peer_gets_backpressure_and_writes_resume_after_flushing() {
    // The peer takes 3 bytes per write and holds at most 8 unread.
    let mut s: BufferedStream<MemTransport<8>, 8, 16> = BufferedStream::new(MemTransport::new());
    s.transport_mut().set_write_limit(3);
    let data: Vec<u8> = (0..40).collect();
    assert_eq!(s.write(&data), Ok(16), "buffers what fits and says so");
    assert_eq!(s.write(&data[16..]), Err(WriteError::Full), "the writer is told");
    assert_eq!(s.write_space(), 0);

    assert_eq!(s.on_writable(), 8);
    assert_eq!(s.transport().writes(), 3, "3 + 3 + 2 bytes");
    assert_eq!(s.transport().outbound(), &data[..8]);
    assert!(!s.is_flushed() && !s.poll_flushed());
    assert_eq!(s.write(&data[16..]), Ok(8), "flushing made room");
    assert_eq!(s.write(&data[24..]), Err(WriteError::Full));

    let mut received = Vec::new();
    let mut sent = 24;
    while received.len() < data.len() {
        received.extend_from_slice(s.transport().outbound());
        let n = s.transport().outbound().len();
        s.transport_mut().peer_drain(n);
        s.on_writable();
        if sent < data.len() {
            sent += s.write(&data[sent..]).unwrap_or(0);
        }
    }
    assert_eq!(received, data, "in order, nothing lost or doubled");
    assert!(s.is_flushed() && s.poll_flushed());
    assert_eq!((s.written(), s.flushed()), (40, 40));
}

#[test]
fn try_write_all_buffers_all_or_nothing() {
    let mut s: Stream<8, 8> = stream();
    s.try_write_all(b"12345").unwrap();
    assert_eq!(s.try_write_all(b"6789"), Err(WriteError::Full));
    assert_eq!(s.unflushed(), 5, "nothing of the refused message");
    s.try_write_all(b"678").unwrap();
    s.on_writable();
    assert_eq!(s.transport().outbound(), b"12345678");
}

#[test]
fn flush_completion_is_reported_once_per_flush() {
    let mut s: Stream<8, 8> = stream();
    assert!(!s.poll_flushed(), "nothing was written");
    assert_eq!(s.write(b""), Ok(0));
    s.write(b"ab").unwrap();
    let mark = s.written();
    assert!(s.flushed() < mark);
    s.on_writable();
    assert!(s.flushed() >= mark);
    assert!(s.poll_flushed());
    assert!(!s.poll_flushed(), "once");
    s.on_writable();
    assert!(!s.poll_flushed(), "an idle on_writable is no flush");
}

#[test]
fn writable_interest_is_wanted_only_while_bytes_wait() {
    let mut s: Stream<8, 8> = stream();
    assert_eq!(s.desired_interest(), Some(Interest::READABLE));
    s.transport_mut().set_write_limit(0);
    s.write(b"x").unwrap();
    assert_eq!(s.desired_interest(), Some(Interest::BOTH));
    s.on_writable();
    assert_eq!(
        s.desired_interest(),
        Some(Interest::BOTH),
        "blocked: still wanted"
    );
    s.transport_mut().set_write_limit(1);
    s.on_writable();
    assert_eq!(s.desired_interest(), Some(Interest::READABLE));
    arrive(&mut s, &[0; 8]);
    assert_eq!(s.desired_interest(), None, "full buffer, nothing to send");
}

#[test]
fn close_after_flush_refuses_new_writes_and_closes_once_flushed() {
    let mut s: Stream<8, 8> = stream();
    s.write(b"bye").unwrap();
    s.close_after_flush();
    assert_eq!(s.write(b"more"), Err(WriteError::Closing));
    assert_eq!(s.poll_close(), None);
    s.on_writable();
    assert_eq!(s.poll_close(), Some(CloseReason::Local));
    assert_eq!(s.poll_close(), None);
    assert_eq!(s.transport().outbound(), b"bye");
}
