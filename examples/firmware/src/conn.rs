//! One HTTP connection of the image's server: its socket, a 2 KiB read
//! buffer and a 2 KiB output buffer (both in static storage), and the
//! core's sans-I/O [`Connection`] between them.
//!
//! [`Conn::drive`] runs on every readiness event: flush output, read what
//! the socket holds, let the HTTP machine consume it, answer, repeat until
//! nothing moves. Two rules keep every response write from failing on a
//! full output buffer: a new request head is parsed only with
//! [`HEAD_ROOM`] bytes free (every response head and fixed body fits in
//! it), and an echoed body is fed to the machine only as far as the
//! output has room for it. Bad requests get the machine's error status and
//! a close; nothing here panics on input.

use core::cell::RefCell;
use core::time::Duration;

use eddy_bare::{SocketError, SocketId};
use eddy_core::http::{BodyLen, Config, Connection, Event, Next, Output, OutputFull, ResponseError, Status};
use eddy_core::{Instant, Interest, Token};

use crate::net::NetStack;
use crate::routes::Route;

/// Size of each connection's read buffer and of its output buffer.
pub const BUF: usize = 2048;
/// Request headers a head may carry.
pub const HEADERS: usize = 16;
/// Output room required before a new request head is parsed.
pub const HEAD_ROOM: usize = 512;
/// Output room kept for the framing of one body chunk and the last chunk.
const CHUNK_ROOM: usize = 16;

/// The HTTP limits: a head must fit the read buffer; bodies up to 64 KiB;
/// a head must arrive within 2 s, since a stalled client holds one of only
/// four connections.
pub const CONFIG: Config = Config::new()
    .with_max_head(BUF)
    .with_max_body(64 * 1024)
    .with_header_timeout(Duration::from_secs(2))
    .with_idle_timeout(Duration::from_secs(30));

/// One connection's read buffer and output buffer.
pub type ConnBuffers = [[u8; BUF]; 2];

/// The output buffer: response bytes not yet handed to the socket.
#[derive(Debug)]
pub struct OutBuf {
    buf: &'static mut [u8; BUF],
    len: usize,
}

impl OutBuf {
    fn pending(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Drops the first `n` bytes (they were sent).
    fn advance(&mut self, n: usize) {
        let n = n.min(self.len);
        self.buf.copy_within(n..self.len, 0);
        self.len -= n;
    }
}

impl Output for OutBuf {
    fn spare(&self) -> usize {
        BUF - self.len
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), OutputFull> {
        let end = self.len + bytes.len();
        let dst = self.buf.get_mut(self.len..end).ok_or(OutputFull)?;
        dst.copy_from_slice(bytes);
        self.len = end;
        Ok(())
    }
}

/// One connection slot; free while `id` is `None`.
#[derive(Debug)]
pub struct Conn {
    pub(crate) id: Option<SocketId>,
    pub(crate) token: Option<Token>,
    pub(crate) interest: Interest,
    http: Option<Connection<HEADERS>>,
    rbuf: &'static mut [u8; BUF],
    rlen: usize,
    out: OutBuf,
    /// The request being answered, from its head to its response's end.
    route: Option<Route>,
    peer_closed: bool,
    closing: bool,
    /// Responses finished on this connection.
    pub(crate) served: u32,
}

/// Borrows the shared stack for one call; a re-entrant call is `Busy`.
pub(crate) fn with_stack<R>(
    stack: &RefCell<NetStack>,
    f: impl FnOnce(&mut NetStack) -> Result<R, SocketError>,
) -> Result<R, SocketError> {
    f(&mut *stack.try_borrow_mut().map_err(|_| SocketError::Busy)?)
}

impl Conn {
    /// A free slot over its two buffers.
    pub fn new(buffers: &'static mut ConnBuffers) -> Conn {
        let [rbuf, out] = buffers;
        Conn {
            id: None,
            token: None,
            interest: Interest::READABLE,
            http: None,
            rbuf,
            rlen: 0,
            out: OutBuf { buf: out, len: 0 },
            route: None,
            peer_closed: false,
            closing: false,
            served: 0,
        }
    }

    /// Takes the slot for connection `id`, accepted at `now`.
    pub fn open(&mut self, id: SocketId, now: Instant) {
        self.clear();
        self.id = Some(id);
        self.http = Some(Connection::new(CONFIG, now));
    }

    /// Frees the slot.
    pub fn clear(&mut self) {
        self.id = None;
        self.token = None;
        self.interest = Interest::READABLE;
        self.http = None;
        self.rlen = 0;
        self.out.len = 0;
        self.route = None;
        self.peer_closed = false;
        self.closing = false;
        self.served = 0;
    }

    /// Runs the connection as far as it goes now.
    ///
    /// # Errors
    /// The socket's error (reset, released): drop the connection.
    pub fn drive(&mut self, stack: &RefCell<NetStack>, now: Instant) -> Result<(), SocketError> {
        loop {
            self.flush(stack)?;
            self.fill(stack)?;
            if !self.parse(now) {
                return self.flush(stack);
            }
        }
    }

    /// Whether the connection is done: closing or closed by the peer, with
    /// every output byte handed to the socket.
    pub fn is_finished(&self) -> bool {
        (self.closing || self.peer_closed) && self.out.is_empty()
    }

    /// The interest to register: writable only while output waits.
    pub fn wanted_interest(&self) -> Interest {
        if self.out.is_empty() {
            Interest::READABLE
        } else {
            Interest::BOTH
        }
    }

    /// Checks the HTTP machine's header and idle timeouts; an expired one
    /// is answered (408 if no response started) and closes the connection.
    pub fn on_timeout(&mut self, now: Instant) {
        let Some(http) = self.http.as_mut() else {
            return;
        };
        if let Err(e) = http.on_timeout(now) {
            // Refused once a response started: the connection just closes.
            if http.send_error(&mut self.out, e.status()).is_ok() {
                self.served += 1;
            }
            self.closing = true;
        }
    }

    fn flush(&mut self, stack: &RefCell<NetStack>) -> Result<(), SocketError> {
        let Some(id) = self.id else {
            return Err(SocketError::Stale);
        };
        while !self.out.is_empty() {
            match with_stack(stack, |s| s.send(id, self.out.pending())) {
                Ok(n) => self.out.advance(n),
                Err(SocketError::WouldBlock) => break,
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn fill(&mut self, stack: &RefCell<NetStack>) -> Result<(), SocketError> {
        let Some(id) = self.id else {
            return Err(SocketError::Stale);
        };
        while self.rlen < BUF && !self.peer_closed {
            match with_stack(stack, |s| s.recv(id, &mut self.rbuf[self.rlen..])) {
                Ok(0) => self.peer_closed = true,
                Ok(n) => self.rlen += n,
                Err(SocketError::WouldBlock) => break,
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// One step of the HTTP machine; whether anything moved.
    fn parse(&mut self, now: Instant) -> bool {
        let Some(http) = self.http.as_mut() else {
            return false;
        };
        if self.closing {
            return false;
        }
        let spare = self.out.spare();
        let limit = match self.route {
            Some(Route::Echo(_)) => self.rlen.min(spare.saturating_sub(CHUNK_ROOM)),
            Some(_) => self.rlen,
            None if spare < HEAD_ROOM => return false,
            None => self.rlen,
        };
        let received = match http.receive(&self.rbuf[..limit], now) {
            Ok(received) => received,
            Err(e) => {
                // A response already started cannot become an error
                // response: then the connection just closes.
                if http.send_error(&mut self.out, e.status()).is_ok() {
                    self.served += 1;
                }
                self.closing = true;
                self.route = None;
                return true;
            }
        };
        let consumed = received.consumed;
        let moved = match received.event {
            Event::Head(head) => {
                let route = Route::of(&head);
                if let Route::Echo(body) = route {
                    // The echo is framed as the request was.
                    let framing = body;
                    let headers = [("Content-Type", "application/octet-stream")];
                    if http
                        .start_response(&mut self.out, Status::OK, None, &headers, framing)
                        .is_err()
                    {
                        self.closing = true;
                    }
                }
                self.route = Some(route);
                true
            }
            Event::Body(data) => {
                if let Some(Route::Echo(_)) = self.route {
                    // Takes all of `data`: the input was cut to the room.
                    if http.write_body(&mut self.out, data) != Ok(data.len()) {
                        self.closing = true;
                    }
                }
                true
            }
            Event::End => {
                match answer(http, &mut self.out, self.route.take(), now) {
                    Ok(next) => {
                        self.served += 1;
                        self.closing = next == Next::Close;
                    }
                    Err(_) => self.closing = true,
                }
                true
            }
            Event::NeedMore | Event::Paused => false,
            Event::Closed => {
                self.closing = true;
                false
            }
        };
        let consumed = consumed.min(self.rlen);
        self.rbuf.copy_within(consumed..self.rlen, 0);
        self.rlen -= consumed;
        moved || consumed > 0
    }
}

/// Ends the response to a fully read request.
fn answer(
    http: &mut Connection<HEADERS>,
    out: &mut OutBuf,
    route: Option<Route>,
    now: Instant,
) -> Result<Next, ResponseError> {
    let route = route.ok_or(ResponseError::NoRequest)?;
    if let Some((status, body)) = route.fixed() {
        let allow = match route {
            Route::MethodNotAllowed(methods) => Some(("Allow", methods)),
            _ => None,
        };
        let plain = ("Content-Type", "text/plain");
        let with_allow;
        let headers: &[(&str, &str)] = match allow {
            Some(allow) => {
                with_allow = [plain, allow];
                &with_allow
            }
            None => core::slice::from_ref(&plain),
        };
        http.start_response(out, status, None, headers, BodyLen::Fixed(body.len() as u64))?;
        http.write_body(out, body)?;
    }
    http.finish(out, now)
}
