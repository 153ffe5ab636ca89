//! One HTTP connection: its socket, buffers, the sans-I/O HTTP state
//! machine, and its timers.
//!
//! The hot path per readable event: one read (a short read means the
//! socket is empty, see [`Conn::fill`]), every complete request in the
//! buffer parsed and answered into the output buffer, one write. Input is
//! consumed by moving an offset; the deadline timer moves only when the
//! deadline comes earlier; the clock is read once per call of [`drive`].
//!
//! The connection keeps its own buffers rather than a
//! `eddy_core::stream::BufferedStream`: the stream's write buffer is a
//! fixed `W`-byte array, and `POST /echo` answers up to 1 MiB in one
//! response, which `routes` writes whole. A stream would need `W` above
//! 1 MiB inline in every connection, or responses written in pieces under
//! backpressure; until the routes stream their bodies, the growable
//! [`OutBuf`] (at most 2 MiB, reused, so steady state allocates nothing)
//! stays.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::os::fd::AsFd;

use eddy_core::http::{BodyLen, Config, Connection, Event as HttpEvent};
use eddy_core::timer::TimerHandle;
use eddy_core::{Callback, CallbackResult, Event, Instant, Interest, Token};

use super::output::OutBuf;
use super::routes::{self, Request};
use super::server::{Loop, Server};

/// Read buffer: a whole request head (8 KiB by default) must fit.
const READ_BUF: usize = 16 * 1024;
/// Output buffer: reused for every response; grows up to the limit for a
/// large `/echo`.
const OUT_CAPACITY: usize = 16 * 1024;
const OUT_LIMIT: usize = 2 * 1024 * 1024;
/// Pipelined requests are answered into the output buffer until this much
/// waits; then it is flushed, and parsing goes on only once the client has
/// read it all. Responses to one read of pipelined requests leave in one
/// write.
const OUT_HIGH: usize = 8 * 1024;

/// What a connection's current request waits on, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Park {
    /// Nothing: the request is being read or answered.
    No,
    /// `GET /sleep`: answered by a timer.
    Sleep { timer: TimerHandle, ms: u64 },
    /// `GET /wait`: answered by `POST /notify` or the timer.
    Wait { timer: TimerHandle },
}

/// One connection.
#[derive(Debug)]
pub(crate) struct Conn {
    stream: TcpStream,
    token: Token,
    pub(crate) http: Connection<32>,
    /// Received bytes: `rbuf[rstart..rlen]` are not consumed yet.
    rbuf: Box<[u8]>,
    rstart: usize,
    rlen: usize,
    pub(crate) out: OutBuf,
    interest: Interest,
    /// The header or idle timeout timer, at `http.poll_at()`.
    deadline: Option<(TimerHandle, Instant)>,
    pub(crate) park: Park,
    pub(crate) req: Request,
    peer_closed: bool,
    /// The last read found the socket empty: reading again before the next
    /// readable event would only return `WouldBlock`.
    drained: bool,
    /// Close once the output is flushed.
    pub(crate) closing: bool,
}

impl Conn {
    pub(crate) fn new(stream: TcpStream, token: Token, config: Config, now: Instant) -> Conn {
        Conn {
            stream,
            token,
            http: Connection::new(config, now),
            rbuf: vec![0; READ_BUF].into_boxed_slice(),
            rstart: 0,
            rlen: 0,
            out: OutBuf::new(OUT_CAPACITY, OUT_LIMIT),
            interest: Interest::READABLE,
            deadline: None,
            park: Park::No,
            req: Request::default(),
            peer_closed: false,
            drained: false,
            closing: false,
        }
    }

    /// Whether no request is in progress (closing it loses nothing).
    pub(crate) fn is_idle(&self) -> bool {
        self.http.is_idle() && self.out.is_empty() && self.park == Park::No
    }

    /// Deregisters and cancels timers; the socket closes on drop.
    pub(crate) fn release(self, r: &mut Loop) {
        let _ = r.remove_handler(self.stream.as_fd(), self.token);
        if let Some((t, _)) = self.deadline {
            r.cancel(t);
        }
        match self.park {
            Park::Sleep { timer, .. } | Park::Wait { timer } => {
                r.cancel(timer);
            }
            Park::No => {}
        }
    }

    /// Keeps one reactor timer at or before the HTTP machine's `poll_at`.
    ///
    /// The machine's deadline moves with every request (the idle timeout
    /// restarts after each response, the header timeout at each first
    /// byte), but the timer is moved only when the deadline comes earlier
    /// than it: a timer that fires early finds nothing expired
    /// (`on_timeout` is harmless then) and is armed again at the deadline
    /// in force. A keep-alive request therefore costs no timer operation.
    pub(crate) fn arm_deadline(&mut self, r: &mut Loop, index: usize) {
        let Some(want) = self.http.poll_at() else {
            return; // a request is in progress; an armed timer may fire early
        };
        if self.deadline.is_some_and(|(_, at)| at <= want) {
            return;
        }
        if let Some((t, _)) = self.deadline.take() {
            r.cancel(t);
        }
        if let Ok(t) = r.call_at(want, Callback::new(deadline_passed, index)) {
            self.deadline = Some((t, want));
        }
    }

    /// Writes pending output until done or the socket would block; `false`
    /// if the connection failed.
    fn flush(&mut self) -> bool {
        while !self.out.is_empty() {
            match self.stream.write(self.out.pending()) {
                Ok(0) => return false,
                Ok(n) => self.out.advance(n),
                Err(e) if e.kind() == ErrorKind::WouldBlock => return true,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => return false,
            }
        }
        true
    }

    /// Reads until the socket is empty or the buffer is full; `false` if
    /// the connection failed.
    ///
    /// A read that returns less than it was offered has emptied the socket
    /// (TCP hands over everything it holds), so the loop stops there
    /// without the read that would only say `WouldBlock`: edge-triggered
    /// readiness reports every later arrival as a new event (epoll(7),
    /// `EPOLLET`). The peer's FIN is no new arrival once it is in, so when
    /// the event said read-closed (`EPOLLRDHUP`), `until_eof` reads on to
    /// the end of the stream.
    fn fill(&mut self, until_eof: bool) -> bool {
        // Unconsumed bytes (a partial request) move to the front only now,
        // before a read, not after every request taken from the buffer.
        if self.rstart > 0 {
            self.rbuf.copy_within(self.rstart..self.rlen, 0);
            self.rlen -= self.rstart;
            self.rstart = 0;
        }
        while self.rlen < self.rbuf.len() && !self.peer_closed && !self.drained {
            let space = self.rbuf.len() - self.rlen;
            match self.stream.read(&mut self.rbuf[self.rlen..]) {
                Ok(0) => self.peer_closed = true,
                Ok(n) => {
                    self.rlen += n;
                    self.drained = n < space && !until_eof;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => self.drained = true,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => return false,
            }
        }
        true
    }

    /// How many received bytes are not consumed yet.
    fn buffered(&self) -> usize {
        self.rlen - self.rstart
    }

    /// Drops `n` consumed bytes from the front of the input.
    fn consume(&mut self, n: usize) {
        self.rstart = (self.rstart + n).min(self.rlen);
        if self.rstart == self.rlen {
            self.rstart = 0;
            self.rlen = 0;
        }
    }

    /// Registers `WRITABLE` only while output waits.
    fn sync_interest(&mut self, r: &mut Loop) -> bool {
        let want = if self.out.is_empty() {
            Interest::READABLE
        } else {
            Interest::BOTH
        };
        if want != self.interest {
            if r.update_handler(self.stream.as_fd(), self.token, want).is_err() {
                return false;
            }
            self.interest = want;
        }
        true
    }
}

/// Readiness: read, process, flush.
pub(crate) fn on_ready(s: &mut Server, r: &mut Loop, ev: Event, index: usize) {
    let Some(conn) = s.conns.get_mut(index).and_then(Option::as_mut) else {
        return;
    };
    if ev.ready.is_readable() {
        conn.drained = false;
        if !conn.fill(ev.ready.is_read_closed() || ev.ready.is_error()) {
            s.close(r, index);
            return;
        }
    }
    drive(s, r, index);
}

/// Parses and answers whatever the buffered input allows, then flushes.
/// Called after reads, and after a parked request is answered.
pub(crate) fn drive(s: &mut Server, r: &mut Loop, index: usize) {
    // Whether the output was just flushed and still waits (a second write
    // now would only say `WouldBlock`).
    let mut blocked = false;
    // One clock read per call: everything it answers happens "now".
    let now = r.now();
    loop {
        let Some(conn) = s.conns.get_mut(index).and_then(Option::as_mut) else {
            return;
        };
        // Backpressure: parse nothing more while a parked or closing
        // request, or too much output, waits for the client.
        if conn.park != Park::No || conn.closing || conn.out.pending().len() >= OUT_HIGH {
            if !conn.flush() {
                s.close(r, index);
                return;
            }
            if conn.closing && conn.out.is_empty() {
                s.close(r, index);
                return;
            }
            if conn.park != Park::No || conn.closing || !conn.out.is_empty() {
                blocked = !conn.out.is_empty();
                break;
            }
        }
        let input = &conn.rbuf[conn.rstart..conn.rlen];
        let received = conn.http.receive(input, now);
        let (consumed, step) = match received {
            Ok(rx) => {
                let step = match rx.event {
                    HttpEvent::Head(head) => {
                        conn.req.start(&head, s.http.max_body);
                        // RFC 9110 §10.1.1: the client holds the body back
                        // until invited. Every route reads the whole body
                        // before answering, so invite it; a body over the
                        // limit was already refused (413) with the head.
                        if head.expects_continue() {
                            let _ = conn.http.write_continue(&mut conn.out);
                            Step::Again
                        } else if head.body() == BodyLen::Fixed(0) {
                            // No body: the request is complete with its
                            // head. Answering now spares the call that would
                            // only report its end; `finish` then rewinds the
                            // machine to the next head, so that end is never
                            // reported (a parked request calls `receive`
                            // again only after its answer).
                            Step::Answer
                        } else {
                            Step::Again
                        }
                    }
                    HttpEvent::Body(bytes) => {
                        conn.req.body(bytes);
                        Step::Again
                    }
                    HttpEvent::End => Step::Answer,
                    HttpEvent::NeedMore => Step::NeedMore,
                    HttpEvent::Paused => Step::Wait,
                    HttpEvent::Closed => Step::Close,
                };
                (rx.consumed, step)
            }
            Err(e) => {
                let _ = conn.http.send_error(&mut conn.out, e.status());
                conn.closing = true;
                (0, Step::Again)
            }
        };
        conn.consume(consumed);
        match step {
            Step::Again => {}
            Step::Answer => routes::answer(s, r, index, now),
            Step::NeedMore => {
                if conn.peer_closed || conn.buffered() == conn.rbuf.len() {
                    conn.closing = true;
                    continue;
                }
                if conn.drained {
                    break; // wait for readiness
                }
                let before = conn.buffered();
                if !conn.fill(false) {
                    s.close(r, index);
                    return;
                }
                if conn.buffered() == before && !conn.peer_closed {
                    break; // would block: wait for readiness
                }
            }
            Step::Wait => break,
            Step::Close => conn.closing = true,
        }
    }
    let draining = s.shutting_down();
    let Some(conn) = s.conns.get_mut(index).and_then(Option::as_mut) else {
        return;
    };
    // Everything answered from this read leaves in one write.
    if !blocked && !conn.flush() {
        s.close(r, index);
        return;
    }
    if conn.closing && conn.out.is_empty() {
        s.close(r, index);
        return;
    }
    // Closed by the peer, or shutting down: an idle connection has nothing
    // left to finish.
    if (conn.peer_closed || draining) && conn.is_idle() && conn.buffered() == 0 {
        s.close(r, index);
        return;
    }
    if !conn.sync_interest(r) {
        s.close(r, index);
        return;
    }
    conn.arm_deadline(r, index);
}

enum Step {
    Again,
    Answer,
    NeedMore,
    Wait,
    Close,
}

/// The header or idle timeout timer.
fn deadline_passed(s: &mut Server, r: &mut Loop, index: usize) -> CallbackResult {
    let Some(conn) = s.conns.get_mut(index).and_then(Option::as_mut) else {
        return Ok(());
    };
    conn.deadline = None;
    // Asked before `on_timeout`, which marks the connection failed.
    let idle = conn.http.is_idle() && conn.buffered() == 0;
    if let Err(e) = conn.http.on_timeout(r.now()) {
        // 408 first when a request head had started; an idle connection is
        // simply closed (RFC 9112 §9.5), so that a client sending its next
        // request just then cannot take a 408 for that request's answer.
        if !idle {
            let _ = conn.http.send_error(&mut conn.out, e.status());
        }
        conn.closing = true;
        drive(s, r, index);
        return Ok(());
    }
    conn.arm_deadline(r, index);
    Ok(())
}
