//! The buffered stream over each backend's transport, callback style:
//! delimiters split across arrivals, unsatisfiable and over-limit reads,
//! close reasons reported once, half-close, and resets mid-read.
//!
//! Each test waits on an observable condition of the stream (bytes
//! received, a read completed, a close reported), never on time.

use eddy_core::stream::{CloseReason, ReadError};

use crate::harness::Harness;
use crate::rig::{Mode, Rig};

type Small<H> = Rig<H, 64, 64>;

fn until(delimiter: &[u8], max: usize) -> Mode {
    Mode::Until(delimiter.to_vec(), max)
}

/// A multi-byte delimiter that arrives in two pieces is found once the
/// second piece is there, and bytes past it stay buffered.
pub fn stream_delimiter_split_across_reads<H: Harness>() {
    let mut rig = Small::<H>::new(until(b"\r\n\r\n", 64));
    rig.send(b"GET / HTTP/1.1\r\n\r");
    rig.run_until(|app| app.received() == 17);
    assert!(
        rig.app.reads.is_empty(),
        "no line before the delimiter is complete"
    );
    rig.send(b"\nbody");
    rig.run_until(|app| !app.reads.is_empty());
    assert_eq!(rig.app.reads, [b"GET / HTTP/1.1\r\n\r\n".to_vec()]);
    rig.run_until(|app| app.received() == 22);
    assert_eq!(rig.app.stream.buffered(), b"body");
}

/// A read that can never complete is refused at once, and the stream goes
/// on working.
pub fn stream_unsatisfiable_read_is_refused<H: Harness>() {
    let mut rig = Small::<H>::new(Mode::Idle);
    assert_eq!(
        rig.app.stream.read_until(b"\r\n\r\n", 3),
        Err(ReadError::Unsatisfiable)
    );
    assert_eq!(rig.app.stream.read_exact(65), Err(ReadError::Unsatisfiable));
    rig.app.mode = until(b"\n", 64);
    rig.settle();
    rig.send(b"still fine\n");
    rig.run_until(|app| !app.reads.is_empty());
    assert_eq!(rig.app.reads, [b"still fine\n".to_vec()]);
    assert!(rig.app.closes.is_empty());
}

/// A line over its limit fails the read with `BufferFull`; a reply written
/// then still reaches the peer before the stream closes with that reason.
pub fn stream_line_over_limit_closes_with_buffer_full<H: Harness>() {
    let mut rig = Small::<H>::new(until(b"\n", 16));
    rig.app.error_reply = Some(b"error: line too long\n".to_vec());
    rig.send(b"this line is much longer than sixteen bytes\n");
    rig.run_until(|app| !app.closes.is_empty());
    assert_eq!(rig.app.error, Some(ReadError::Closed(CloseReason::BufferFull)));
    assert_eq!(rig.app.closes, [CloseReason::BufferFull]);
    let (got, _) = rig.peer_read(21);
    assert_eq!(got, b"error: line too long\n");
}

/// A read buffer that fills without satisfying the read closes the stream
/// with `BufferFull` (here `read_until_close` with more than `R` bytes).
pub fn stream_full_read_buffer_closes_with_buffer_full<H: Harness>() {
    let mut rig = Small::<H>::new(Mode::UntilClose);
    rig.send(&[b'z'; 100]);
    rig.run_until(|app| app.error.is_some());
    assert_eq!(rig.app.error, Some(ReadError::Closed(CloseReason::BufferFull)));
    rig.run_until(|app| !app.closes.is_empty());
    assert_eq!(rig.app.closes, [CloseReason::BufferFull]);
}

/// The peer's clean close is reported once, as `PeerClosed`, after the data
/// before it was read; nothing more is reported while the loop goes on.
pub fn stream_close_reason_is_reported_exactly_once<H: Harness>() {
    let mut rig = Small::<H>::new(until(b"\n", 64));
    rig.send(b"one\ntwo\n");
    rig.close_peer();
    rig.run_until(|app| !app.closes.is_empty());
    assert_eq!(rig.app.reads, [b"one\n".to_vec(), b"two\n".to_vec()]);
    assert_eq!(rig.app.error, Some(ReadError::Closed(CloseReason::PeerClosed)));
    assert_eq!(rig.app.closes, [CloseReason::PeerClosed]);
    rig.settle();
    assert_eq!(rig.app.stream.poll_close(), None);
    assert_eq!(rig.app.closes.len(), 1, "reported exactly once");
}

/// A local close is reported once, as `Local`, and the peer sees end of
/// stream once the transport is dropped.
pub fn stream_local_close_is_reported_once<H: Harness>() {
    let mut rig = Small::<H>::new(until(b"\n", 64));
    rig.app.stream.close();
    rig.settle();
    assert_eq!(rig.app.closes, [CloseReason::Local]);
    rig.settle();
    assert_eq!(rig.app.closes, [CloseReason::Local]);
    let Rig {
        reactor,
        app,
        mut peer,
    } = rig;
    drop(app);
    let mut reactor = reactor;
    let mut buf = [0u8; 8];
    let n = crate::harness::Peer::recv(&mut peer, reactor.backend_mut(), &mut buf);
    assert_eq!(n, Ok(0), "the peer reads end of stream");
}

/// Half-close: bytes written after the peer shut down its side still
/// reach it, and the stream closes as `PeerClosed` only once they are
/// flushed (here an echo of what came before the end of file).
pub fn stream_half_close_flushes_writes_after_peer_eof<H: Harness>() {
    let mut rig = Small::<H>::new(until(b"\n", 64));
    rig.app.echo = true;
    rig.send(b"request\n");
    rig.close_peer();
    rig.run_until(|app| !app.closes.is_empty());
    assert_eq!(rig.app.reads, [b"request\n".to_vec()]);
    assert_eq!(rig.app.error, Some(ReadError::Closed(CloseReason::PeerClosed)));
    assert_eq!(rig.app.closes, [CloseReason::PeerClosed]);
    assert_eq!(rig.app.stream.flushed(), 8, "the echo went out before the close");
    let (got, err) = rig.peer_read(8);
    assert_eq!((got.as_slice(), err), (&b"request\n"[..], None));
}

/// A reset while a read waits for the rest of a line fails it with
/// `Reset` and closes the stream with that reason.
pub fn stream_peer_reset_mid_read<H: Harness>() {
    let mut rig = Small::<H>::new(until(b"\n", 64));
    rig.send(b"half a li");
    rig.run_until(|app| app.received() == 9);
    rig.reset_peer();
    rig.run_until(|app| !app.closes.is_empty());
    assert_eq!(rig.app.error, Some(ReadError::Closed(CloseReason::Reset)));
    assert_eq!(rig.app.closes, [CloseReason::Reset]);
}
