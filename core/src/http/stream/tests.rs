//! Tests of [`HttpStream`] over the in-memory transport: the test plays the
//! peer (`peer_send`, `outbound`, `peer_drain`, `peer_close`, `peer_reset`)
//! and the reactor (the readiness calls), so every arrival pattern and
//! every stall of the peer is chosen exactly.

mod close;
mod flow;
mod reply;
mod stall;

use std::string::String;
use std::vec::Vec;

use super::HttpStream;
use crate::event::Ready;
use crate::http::{BodyLen, Config, Event, RequestError, Status};
use crate::stream::MemTransport;
use crate::time::Instant;

/// The transport most tests use: 8 KiB each way, 64 arrivals queued.
type Mem = MemTransport<8192, 64>;

/// A connection over [`Mem`] taking up to 8 header lines.
type Http<const R: usize, const W: usize> = HttpStream<Mem, R, W, 8>;

fn http<const R: usize, const W: usize>(config: Config) -> Http<R, W> {
    HttpStream::new(MemTransport::new(), config, Instant::ZERO)
}

/// A deterministic xorshift generator for splits and payloads.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `1..=max`.
    fn upto(&mut self, max: usize) -> usize {
        1 + (self.next() % max as u64) as usize
    }
}

/// FNV-1a over `bytes`: a cheap check that every byte arrived in order.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The peer sends `bytes` and a readable event arrives.
#[track_caller]
fn arrive<const N: usize, const C: usize, const R: usize, const W: usize>(
    h: &mut HttpStream<MemTransport<N, C>, R, W, 8>,
    bytes: &[u8],
) {
    h.transport_mut().peer_send(bytes).expect("test transport full");
    h.on_event(Ready::READABLE);
}

/// A writable event arrives and the peer reads everything sent: appended
/// to `wire`.
fn drain<const N: usize, const C: usize, const R: usize, const W: usize>(
    h: &mut HttpStream<MemTransport<N, C>, R, W, 8>,
    wire: &mut Vec<u8>,
) {
    h.on_event(Ready::WRITABLE);
    let out = h.transport().outbound();
    wire.extend_from_slice(out);
    let n = out.len();
    h.transport_mut().peer_drain(n);
}

/// Answers every complete request with 200 and its target as the body
/// until the connection waits; returns the targets answered, in order.
fn serve<const N: usize, const C: usize, const R: usize, const W: usize>(
    h: &mut HttpStream<MemTransport<N, C>, R, W, 8>,
    now: Instant,
) -> Result<Vec<String>, RequestError> {
    serve_from(h, now, &mut String::new())
}

/// [`serve`] for a connection whose current request's target, if its head
/// came in an earlier call, is `target`.
fn serve_from<const N: usize, const C: usize, const R: usize, const W: usize>(
    h: &mut HttpStream<MemTransport<N, C>, R, W, 8>,
    now: Instant,
    target: &mut String,
) -> Result<Vec<String>, RequestError> {
    let mut answered = Vec::new();
    loop {
        let go = h.next(now, |event, reply| match event {
            Event::Head(head) => {
                *target = head.target().into();
                true
            }
            Event::Body(_) => true,
            Event::End => {
                let len = BodyLen::Fixed(target.len() as u64);
                reply.start_response(Status::OK, None, &[], len).unwrap();
                assert_eq!(reply.write_body(target.as_bytes()), Ok(target.len()));
                reply.finish(now).unwrap();
                answered.push(core::mem::take(target));
                true
            }
            Event::NeedMore | Event::Paused | Event::Closed => false,
        })?;
        if !go {
            return Ok(answered);
        }
    }
}

/// The response `serve` writes for `target`.
fn ok(target: &str) -> String {
    std::format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{target}",
        target.len()
    )
}
