//! A server around one [`Connection`], driven by arbitrary bytes: shared by
//! the `http_conn` fuzz target and the `http_corpus` regression test of
//! eddy-core, which both include this folder with `#[path]`.
//!
//! # Input layout
//!
//! ```text
//! byte 0    config: bits 0-1 max_head [8192, 48, 200, 1024],
//!           bits 2-3 max_body [1 MiB, 0, 5, 64],
//!           bits 4-5 (header, idle, send) timeout in ms
//!           [(10000, 60000, 30000), (100, 50, 20), (1, 0, 3), (5, 1000, 7)],
//!           bits 6-7 output capacity [4096, 256, 512, 1024]
//! byte 1    bits 0-3 L, the number of control bytes;
//!           bit 4 close silently on an idle timeout (no 408);
//!           bits 5-7 read buffer = max_head + [0, 1, 7, 64, 512, 4096, 0, 3]
//! L bytes   control bytes, used cyclically: request i is answered as
//!           control byte i says (see `Plan`), and each feeding round takes
//!           the next one for its piece size and clock step (see `Round`)
//! the rest  the request byte stream
//! ```
//!
//! Missing bytes count as zero; with no control bytes every request is
//! answered 200 with its target as a `Content-Length` body.
//!
//! # What is checked
//!
//! [`run`] drives the stream twice: once in the scripted pieces with the
//! clock moving, once fed whole as the read buffer allows. Each run asserts
//! as it goes (see `server`): `consumed` within the input, body runs
//! non-empty and inside the consumed bytes, never `NeedMore` with a full
//! read buffer, no progress-free loop, timeouts exactly at the deadlines a
//! model of the documented rules computes, `poll_at` and `is_idle` agreeing
//! with that model, misuse of the response calls refused without writing,
//! an error sticky and answered only by its own status, a closed connection
//! refusing everything. Then [`wire::check`] parses everything written as a
//! client would and demands exactly the responses the driver made, in
//! order, each complete and correctly framed. Unless a timeout fired, both
//! runs must produce the same events and the same decoded responses.

#![forbid(unsafe_code)]

mod clock;
mod server;
pub mod stream;
mod trace;
pub mod wire;

use core::time::Duration;

use eddy_core::http::Config;

use server::{Feeding, Server};

/// Header lines a request may carry (the connection's `H`).
const H: usize = 8;

/// Drives `data` through both drivers: the [`Connection`] one below and
/// [`stream::run`]; panics on a broken invariant.
///
/// [`Connection`]: eddy_core::http::Connection
pub fn run(data: &[u8]) {
    run_connection(data);
    stream::run(data);
}

/// Drives `data` as described in the module docs; panics on a broken
/// invariant.
pub fn run_connection(data: &[u8]) {
    let input = Input::parse(data);
    let scripted = Server::new(&input, Feeding::Scripted).run();
    let whole = Server::new(&input, Feeding::Whole).run();
    if !scripted.timed_out && !whole.timed_out {
        assert_eq!(
            scripted.notes, whole.notes,
            "events depend on how the input was split"
        );
        assert_eq!(
            scripted.responses, whole.responses,
            "responses depend on how the input was split"
        );
    }
}

/// A fuzz input taken apart.
#[derive(Debug)]
struct Input<'a> {
    config: Config,
    /// Capacity of the output buffer.
    out_cap: usize,
    /// Capacity of the read buffer, at least `config.max_head`.
    buf_cap: usize,
    /// Skip the optional 408 on an idle timeout.
    quiet_idle: bool,
    ctrl: &'a [u8],
    stream: &'a [u8],
}

impl<'a> Input<'a> {
    fn parse(data: &'a [u8]) -> Input<'a> {
        let b0 = usize::from(data.first().copied().unwrap_or(0));
        let b1 = usize::from(data.get(1).copied().unwrap_or(0));
        let rest = data.get(2..).unwrap_or(&[]);
        let (ctrl, stream) = rest.split_at((b1 & 0xf).min(rest.len()));
        let max_head = [8192, 48, 200, 1024][b0 & 3];
        let max_body = [1 << 20, 0, 5, 64][b0 >> 2 & 3];
        let (header, idle, send) =
            [(10_000, 60_000, 30_000), (100, 50, 20), (1, 0, 3), (5, 1_000, 7)][b0 >> 4 & 3];
        let config = Config::new()
            .with_max_head(max_head)
            .with_max_body(max_body)
            .with_header_timeout(Duration::from_millis(header))
            .with_idle_timeout(Duration::from_millis(idle))
            .with_send_timeout(Duration::from_millis(send));
        Input {
            config,
            out_cap: [4096, 256, 512, 1024][b0 >> 6],
            buf_cap: max_head + [0, 1, 7, 64, 512, 4096, 0, 3][b1 >> 5],
            quiet_idle: b1 & 0x10 != 0,
            ctrl,
            stream,
        }
    }

    /// Control byte `i`, cycling; `default` when there are none.
    fn ctrl(&self, i: usize, default: u8) -> u8 {
        match self.ctrl.len() {
            0 => default,
            n => self.ctrl[i % n],
        }
    }
}

/// When a request is answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum When {
    /// At its head, before the body is read (the body is then streamed
    /// back for `Kind::Echo`, and the response finished at its end).
    AtHead,
    /// At its end.
    AtEnd,
    /// One feeding round after its end: pipelined bytes wait meanwhile.
    Deferred,
}

/// What a request is answered with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// 200, `Content-Length`, body = the target.
    Fixed,
    /// 200, chunked, body = the target.
    Chunked,
    /// 200, body = the request body (chunked and streamed when answered at
    /// the head, `Content-Length` otherwise).
    Echo,
    /// 204 with a `Content-Length` body written (and dropped).
    NoContent,
    /// 304 with a chunked body written (and dropped).
    NotModified,
    /// `send_error(503)`.
    Unavailable,
    /// `close_after_response`, then as `Fixed`.
    CloseAfter,
    /// `Content-Length` one more than written: `finish` fails and closes.
    Short,
}

/// How the driver answers one request: control byte `i` for request `i`.
///
/// Bits 0-1 [`When`] (`AtEnd`, `AtHead`, `Deferred`, `AtEnd`), bits 2-4
/// [`Kind`] in declaration order, bit 5 invite a `100-continue` body,
/// bit 6 probe the misuse errors, bit 7 status 299 instead of 200.
#[derive(Clone, Copy, Debug)]
struct Plan {
    when: When,
    kind: Kind,
    invite: bool,
    probe: bool,
    custom: bool,
}

impl Plan {
    fn decode(b: u8) -> Plan {
        let when = [When::AtEnd, When::AtHead, When::Deferred, When::AtEnd][usize::from(b & 3)];
        let kind = [
            Kind::Fixed,
            Kind::Chunked,
            Kind::Echo,
            Kind::NoContent,
            Kind::NotModified,
            Kind::Unavailable,
            Kind::CloseAfter,
            Kind::Short,
        ][usize::from(b >> 2 & 7)];
        Plan {
            when,
            kind,
            invite: b & 0x20 != 0,
            probe: b & 0x40 != 0,
            custom: b & 0x80 != 0,
        }
    }
}

/// One feeding round: bits 0-1 piece mode (1 byte, 1-8 bytes, a multiple
/// of 37, all that fits) with bits 2-4 its parameter, bits 5-7 the clock
/// step before feeding (0, 0, 0, 0, 1 ms, 10 ms, 1 s, 30 s).
#[derive(Clone, Copy, Debug)]
struct Round {
    piece: usize,
    step: Duration,
}

impl Round {
    /// Feeds all that fits and leaves the clock alone.
    const WHOLE: u8 = 3;

    fn decode(c: u8) -> Round {
        let param = usize::from(c >> 2 & 7);
        let piece = match c & 3 {
            0 => 1,
            1 => param + 1,
            2 => (param + 1) * 37,
            _ => usize::MAX,
        };
        let ms = [0, 0, 0, 0, 1, 10, 1_000, 30_000][usize::from(c >> 5)];
        Round {
            piece,
            step: Duration::from_millis(ms),
        }
    }
}
