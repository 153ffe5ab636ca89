//! Tests of the buffered stream over the in-memory transport.
//!
//! The test plays the peer through [`MemTransport`]'s `peer_*` methods and
//! the reactor by calling `on_readable` / `on_writable` itself, so every
//! arrival pattern (one byte at a time, a delimiter split anywhere, a burst
//! larger than the buffer) is chosen exactly.

mod async_io;
mod async_traits;
mod buffer;
mod close;
mod direct;
mod glue;
mod overflow;
mod proptests;
mod reads;
mod transfer;
mod writes;

use std::vec::Vec;

use super::{BufferedStream, MemTransport, ReadError};

/// The stream most tests use: a 256-byte transport each way.
type Stream<const R: usize, const W: usize> = BufferedStream<MemTransport<256>, R, W>;

fn stream<const R: usize, const W: usize>() -> Stream<R, W> {
    BufferedStream::new(MemTransport::new())
}

/// The peer sends `bytes` as one chunk and a readiness event arrives.
#[track_caller]
fn arrive<const N: usize, const R: usize, const W: usize>(
    s: &mut BufferedStream<MemTransport<N>, R, W>,
    bytes: &[u8],
) {
    s.transport_mut().peer_send(bytes).expect("test transport full");
    s.on_readable();
}

/// The peer closes its side and the event arrives.
fn peer_eof<const N: usize, const R: usize, const W: usize>(s: &mut BufferedStream<MemTransport<N>, R, W>) {
    s.transport_mut().peer_close();
    s.on_readable();
}

/// The pending read completed successfully: its bytes, consumed.
#[track_caller]
fn done<const N: usize, const R: usize, const W: usize>(
    s: &mut BufferedStream<MemTransport<N>, R, W>,
) -> Vec<u8> {
    match s.poll_read() {
        Some(Ok(d)) => {
            let bytes = s.data(&d).to_vec();
            assert_eq!(bytes.len(), d.len());
            s.consume(d).expect("fresh ReadDone");
            bytes
        }
        other => panic!("expected a completed read, got {other:?}"),
    }
}

/// The pending read failed with `err`.
#[track_caller]
fn failed<const N: usize, const R: usize, const W: usize>(
    s: &mut BufferedStream<MemTransport<N>, R, W>,
    err: ReadError,
) {
    assert_eq!(s.poll_read(), Some(Err(err)));
    assert!(!s.is_read_pending());
}
