//! A large echo through small buffers arrives byte-for-byte.

use super::*;

/// A deterministic byte source (xorshift), so the receiver can regenerate
/// what was sent.
struct Bytes(u32);

impl Bytes {
    fn next(&mut self) -> u8 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        (self.0 >> 24) as u8
    }
}

/// FNV-1a over a byte run, continuing from `h`.
fn fnv(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[test]
fn one_mib_round_trips_through_a_4k_buffer() {
    const TOTAL: usize = if cfg!(miri) { 32 * 1024 } else { 1024 * 1024 };
    let mut s: BufferedStream<MemTransport<8192, 64>, 4096, 4096> = BufferedStream::new(MemTransport::new());
    let (mut src, mut check) = (Bytes(0x9e37_79b9), Bytes(0x9e37_79b9));
    let (mut sum_sent, mut sum_received) = (0xcbf2_9ce4_8422_2325, 0xcbf2_9ce4_8422_2325);
    let (mut sent, mut received, mut step) = (0usize, 0usize, 0usize);
    let mut chunk = [0u8; 1500];
    let mut echo = [0u8; 4096];

    while received < TOTAL {
        step += 1;
        assert!(step < 100_000, "no progress");
        // The peer sends a chunk of a varying size, when its window allows.
        let len = (1 + step * 7919 % 1500).min(TOTAL - sent);
        if len > 0 && s.transport().inbound_len() + len <= 8192 {
            for b in &mut chunk[..len] {
                *b = src.next();
            }
            if s.transport_mut().peer_send(&chunk[..len]).is_ok() {
                sum_sent = fnv(sum_sent, &chunk[..len]);
                sent += len;
            }
        }
        // The application echoes what arrived, reading no more than the
        // write buffer can take; the rest waits in the read buffer and then
        // in the transport (backpressure end to end).
        s.on_readable();
        loop {
            if !s.is_read_pending() {
                let space = s.write_space();
                if space == 0 {
                    break;
                }
                s.read_chunk(space).unwrap();
            }
            let Some(done) = s.poll_read() else { break };
            let done = done.unwrap();
            let n = done.len();
            echo[..n].copy_from_slice(s.data(&done));
            assert_eq!(s.write(&echo[..n]), Ok(n));
            s.consume(done).unwrap();
        }
        s.on_writable();
        // The peer reads what came back and checks every byte.
        let out = s.transport().outbound();
        for &b in out {
            assert_eq!(b, check.next(), "byte {received} differs");
        }
        sum_received = fnv(sum_received, out);
        received += out.len();
        let n = out.len();
        s.transport_mut().peer_drain(n);
    }
    assert_eq!(received, TOTAL);
    assert_eq!(sum_received, sum_sent);
    assert_eq!(s.written(), TOTAL as u64);
    assert!(s.buffered().is_empty() && s.is_flushed() && !s.is_closed());
}
