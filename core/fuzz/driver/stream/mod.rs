//! The same inputs driving an [`HttpStream`] over a [`MemTransport`]: the
//! request bytes reach the transport in the pieces the control bytes pick,
//! readiness comes through `on_event`, requests are answered through
//! [`Reply`](eddy_core::http::Reply) (see [`job`]), the peer drains the
//! output in chosen amounts, and the clock, timeouts, end-of-file and
//! resets come when the control bytes say.
//!
//! # Input layout
//!
//! As the connection driver's (see `super`), with these meanings:
//! byte 0 bits 0-5 the [`Config`] as there, bits 6-7 the write buffer
//! (`W` = [512, 192, 2048, 512] bytes); byte 1 bits 0-3 the number of
//! control bytes, bit 4 a head room of 192 bytes, bit 5 the read buffer
//! (`R` = 300 or 4096 bytes). Request `i` is answered as control byte `i`
//! says ([`Plan`]); feeding round `r` cuts and times the stream as control
//! byte `r` says (the connection driver's `Round`) and drains, limits and
//! ends the peer as control byte `r + 5` says ([`Peer`]).
//!
//! # What is checked
//!
//! No panic; every legal response call gets `Ok` or backpressure
//! (`OutputFull`), never another error; a request error is sticky; the
//! handler never sees `NeedMore` with a full read buffer; the stream
//! reports its close exactly once, and writes nothing after it; a close
//! for a timeout comes a header timeout or more after the stream began
//! closing (the linger), or a send timeout or more after the peer last
//! took a byte of waiting output (the send watch); a response call on a
//! closed stream is refused;
//! once the peer has sent
//! everything, drains everything and the clock moves past every deadline,
//! the stream closes. Everything the peer received parses, as a client
//! would, into exactly the responses the driver made (and the error
//! responses the stream wrote), in order and well framed; after a reset
//! or a close with output unsent, into a prefix of them.

mod job;
mod run;

use super::{Input, H};

/// Drives `data` as the module docs say and returns how many responses
/// the peer decoded; panics on a broken invariant.
pub fn run(data: &[u8]) -> usize {
    let input = Input::parse(data);
    let b0 = data.first().copied().unwrap_or(0);
    let b1 = data.get(1).copied().unwrap_or(0);
    let head_room = if b1 & 0x10 != 0 { 192 } else { 0 };
    match (b0 >> 6, b1 >> 5 & 1) {
        (1, 0) => run::Driver::<300, 192>::new(&input, head_room).run(),
        (1, _) => run::Driver::<4096, 192>::new(&input, head_room).run(),
        (2, 0) => run::Driver::<300, 2048>::new(&input, head_room).run(),
        (2, _) => run::Driver::<4096, 2048>::new(&input, head_room).run(),
        (_, 0) => run::Driver::<300, 512>::new(&input, head_room).run(),
        (_, _) => run::Driver::<4096, 512>::new(&input, head_room).run(),
    }
}

/// What a request is answered with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// `Reply::respond` with a `PreparedHead` once the request ended
    /// (`start_prepared` and pieces when it does not fit, or at the head).
    Respond,
    /// `start_prepared`, the body in pieces, `finish`.
    Prepared,
    /// `start_response` with a `Content-Length`, pieces, `finish`.
    Fixed,
    /// `start_response` chunked, pieces, `finish`.
    Chunked,
    /// `send_error(503)`.
    Error,
    /// `close_after_response`, then as `Fixed`.
    CloseAfter,
    /// A `Content-Length` one more than written: `finish` fails and closes.
    Short,
}

/// How request `i` is answered: bits 0-1 when (at its head, at its end,
/// after the handler returned — through `HttpStream::reply` — at its end),
/// bits 2-4 [`Kind`] (`Respond` twice), bit 5 the body length
/// (the target, or 300 bytes; with bit 6: nothing, or 1500 bytes),
/// bit 7 invite a `100-continue` body. The next control byte picks the
/// status (200, 204, 304, 299: bits 0-1) and the body piece (bits 2-7).
#[derive(Clone, Copy, Debug)]
struct Plan {
    at_head: bool,
    outside: bool,
    kind: Kind,
    size: usize,
    invite: bool,
    status: usize,
    piece: usize,
}

impl Plan {
    fn decode(b: u8, c: u8) -> Plan {
        let kind = [
            Kind::Respond,
            Kind::Prepared,
            Kind::Fixed,
            Kind::Chunked,
            Kind::Error,
            Kind::CloseAfter,
            Kind::Short,
            Kind::Respond,
        ][usize::from(b >> 2 & 7)];
        Plan {
            at_head: b & 3 == 0,
            outside: b & 3 == 2,
            kind,
            size: [0, 2, 1, 3][usize::from(b >> 5 & 3)],
            invite: b & 0x80 != 0,
            status: usize::from(c & 3),
            piece: usize::from(c >> 2) * 7 + 1,
        }
    }
}

/// The peer in one round: bits 0-2 how much it drains (all, none, 1, 13,
/// 64, 500, all, all), bits 3-4 the transport's write limit (none, 1, 16,
/// none), bit 5 the clock jumps to `poll_at`; `0b11_000_001` in bits 6-7
/// and 0-2 resets the connection, `0b11_000_010` shuts the peer's sending
/// side early, bit 3 clear for both.
#[derive(Clone, Copy, Debug)]
struct Peer {
    drain: usize,
    write_limit: usize,
    to_deadline: bool,
    reset: bool,
    eof: bool,
}

impl Peer {
    /// Drains everything, no limit, clock to the deadline: the final rounds.
    const FLUSH: Peer = Peer {
        drain: usize::MAX,
        write_limit: usize::MAX,
        to_deadline: true,
        reset: false,
        eof: true,
    };

    fn decode(b: u8) -> Peer {
        let drain = [usize::MAX, 0, 1, 13, 64, 500, usize::MAX, usize::MAX][usize::from(b & 7)];
        Peer {
            drain,
            write_limit: [usize::MAX, 1, 16, usize::MAX][usize::from(b >> 3 & 3)],
            to_deadline: b & 0x20 != 0,
            reset: b & 0xcf == 0xc1,
            eof: b & 0xcf == 0xc2,
        }
    }
}
