//! Flow over each backend: a peer that does not read makes the writer get
//! `WriteError::Full` with memory bounded by the write buffer, and once
//! the peer reads everything arrives intact; a reset while bytes wait to
//! be sent; and 16 MiB echoed back with a checksum.

use eddy_core::stream::{CloseReason, WriteError};

use crate::harness::Harness;
use crate::rig::{Mode, Rig};

const W: usize = 16 * 1024;
/// More than any loopback socket buffers: reaching it means backpressure
/// never came.
const LIMIT: usize = 256 * 1024 * 1024;

type Writer<H> = Rig<H, 1024, W>;

/// The byte at position `i` of the test stream.
fn pattern(i: usize) -> u8 {
    (i % 251) as u8
}

/// Writes the pattern until the write buffer is full and the transport
/// takes nothing more; returns the bytes the stream accepted.
fn fill<H: Harness>(rig: &mut Writer<H>) -> usize {
    let mut block = [0u8; 4096];
    loop {
        let at = rig.app.stream.written() as usize;
        assert!(at < LIMIT, "no backpressure after {at} bytes");
        for (k, b) in block.iter_mut().enumerate() {
            *b = pattern(at + k);
        }
        match rig.app.stream.write(&block) {
            Ok(_) => {}
            Err(WriteError::Full) => {
                if rig.app.stream.on_writable() == 0 {
                    return at;
                }
            }
            Err(e) => panic!("write failed: {e}"),
        }
    }
}

/// A peer that does not read: the writer is told the buffer is full, the
/// stream holds at most `W` unsent bytes, and everything arrives in order
/// once the peer reads.
pub fn stream_backpressure_bounds_memory<H: Harness>() {
    let mut rig = Writer::<H>::new(Mode::Idle);
    let total = fill(&mut rig);
    assert_eq!(
        rig.app.stream.unflushed(),
        W,
        "memory is bounded by the write buffer"
    );
    assert_eq!(rig.app.stream.write(b"more"), Err(WriteError::Full));
    rig.settle();
    assert!(rig.app.stream.wants_write());
    // The peer reads what reached it, then the stream flushes the rest.
    let handed = rig.app.stream.flushed() as usize;
    let (mut got, err) = rig.peer_read(handed);
    assert_eq!((got.len(), err), (handed, None));
    rig.run_until(|app| app.stream.is_flushed());
    let (rest, err) = rig.peer_read(total - handed);
    assert_eq!(err, None);
    got.extend_from_slice(&rest);
    assert_eq!(got.len(), total);
    assert!(
        got.iter().enumerate().all(|(i, &b)| b == pattern(i)),
        "bytes arrive intact, in order"
    );
    assert!(rig.app.closes.is_empty());
}

/// A reset while bytes wait to be sent closes the stream with `Reset` and
/// drops them; writing afterwards is refused with that reason.
pub fn stream_peer_reset_mid_write<H: Harness>() {
    let mut rig = Writer::<H>::new(Mode::Until(b"\n".to_vec(), 64));
    fill(&mut rig);
    rig.settle();
    rig.reset_peer();
    rig.run_until(|app| !app.closes.is_empty());
    assert_eq!(rig.app.closes, [CloseReason::Reset]);
    assert_eq!(rig.app.stream.unflushed(), 0, "unsent bytes are dropped");
    assert_eq!(
        rig.app.stream.write(b"x"),
        Err(WriteError::Closed(CloseReason::Reset))
    );
}

/// FNV-1a over `bytes`, continuing from `hash`.
fn fnv(hash: u64, bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(hash, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

/// 16 MiB through an echoing stream (streaming reads written straight
/// back) in 16 KiB pieces: what comes back has the checksum of what was
/// sent.
pub fn stream_echo_round_trip_16_mib<H: Harness>() {
    const PIECE: usize = 16 * 1024;
    const TOTAL: usize = 16 * 1024 * 1024;
    let mut rig = Rig::<H, PIECE, PIECE>::new(Mode::Chunk(PIECE));
    rig.app.echo = true;
    let (mut sent_hash, mut back_hash) = (FNV_START, FNV_START);
    let mut piece = vec![0u8; PIECE];
    let mut sent = 0;
    while sent < TOTAL {
        for (k, b) in piece.iter_mut().enumerate() {
            // A pattern whose period (251) does not divide the piece size.
            *b = pattern(sent + k);
        }
        sent_hash = fnv(sent_hash, &piece);
        rig.send(&piece);
        sent += PIECE;
        rig.run_until(|app| app.delivered == sent && app.stream.is_flushed());
        let (back, err) = rig.peer_read(PIECE);
        assert_eq!(
            (back.len(), err),
            (PIECE, None),
            "the echo of piece {}",
            sent / PIECE
        );
        back_hash = fnv(back_hash, &back);
    }
    assert_eq!(back_hash, sent_hash, "the echo has the checksum of what was sent");
    assert_eq!(rig.app.stream.flushed(), TOTAL as u64);
    rig.close_peer();
    rig.run_until(|app| !app.closes.is_empty());
    assert_eq!(rig.app.closes, [CloseReason::PeerClosed]);
}
