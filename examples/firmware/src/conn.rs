//! One HTTP connection of the image's server: the core's [`HttpStream`]
//! over a [`Socket`] of the stack, with its 2 KiB read buffer and 2 KiB
//! write buffer inline, and the route of the request being answered.
//!
//! [`Conn::drive`] runs on every readiness event: the stream pulls what the
//! socket holds, the HTTP machine's events are answered, the answers are
//! flushed, until nothing moves. Two rules keep every response write from
//! failing on a full write buffer: a new request head is parsed only with
//! [`HEAD_ROOM`] bytes free (every response head and fixed body fits in
//! it, [`HttpStream::with_head_room`]), and an echoed body is taken only as
//! far as the write buffer has room for it
//! ([`HttpStream::next_within`]). Bad requests get the machine's error
//! status and a close, written by the stream; nothing here panics on
//! input.

use core::cell::RefCell;
use core::time::Duration;

use eddy_bare::{BareTransport, SocketError, SocketId, TransportError};
use eddy_core::event::Ready;
use eddy_core::http::{BodyLen, Config, Event, HttpStream, Next, Reply, RequestError, ResponseError, Status};
use eddy_core::stream::CloseReason;
use eddy_core::{Instant, Interest, Token};
use embedded_io::{ErrorType, Read, ReadReady, Write, WriteReady};

use crate::net::{Device, NetStack, SOCKETS};
use crate::routes::Route;

/// Size of each connection's read buffer and of its write buffer.
pub const BUF: usize = 2048;
/// Request headers a head may carry.
pub const HEADERS: usize = 16;
/// Write buffer room required before a new request head is parsed.
pub const HEAD_ROOM: usize = 512;
/// Write buffer room kept for the framing of one body chunk and the last
/// chunk.
const CHUNK_ROOM: usize = 16;

/// The HTTP limits: a head must fit the read buffer; bodies up to 64 KiB;
/// a head must arrive within 2 s, since a stalled client holds one of only
/// four connections.
pub const CONFIG: Config = Config::new()
    .with_max_head(BUF)
    .with_max_body(64 * 1024)
    .with_header_timeout(Duration::from_secs(2))
    .with_idle_timeout(Duration::from_secs(30));

/// A connection's HTTP stream: 2 KiB read and write buffers, 16 headers.
pub type ConnStream = HttpStream<Socket, BUF, BUF, HEADERS>;

/// A slot's transport: a connection of the stack, or none while the slot
/// is free (then every call fails with [`SocketError::Stale`]). Dropping
/// it gives the socket back to the pool.
#[derive(Debug)]
pub struct Socket(Option<BareTransport<'static, 'static, Device, SOCKETS>>);

impl Socket {
    fn with<R>(
        &mut self,
        op: impl FnOnce(&mut BareTransport<'static, 'static, Device, SOCKETS>) -> Result<R, TransportError>,
    ) -> Result<R, TransportError> {
        self.0
            .as_mut()
            .map_or(Err(TransportError(SocketError::Stale)), op)
    }
}

impl ErrorType for Socket {
    type Error = TransportError;
}

impl Read for Socket {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, TransportError> {
        self.with(|t| t.read(buf))
    }
}

impl ReadReady for Socket {
    fn read_ready(&mut self) -> Result<bool, TransportError> {
        // A free slot answers `true` so the read collects the error.
        Ok(self.with(|t| t.read_ready()).unwrap_or(true))
    }
}

impl Write for Socket {
    fn write(&mut self, buf: &[u8]) -> Result<usize, TransportError> {
        self.with(|t| t.write(buf))
    }

    fn flush(&mut self) -> Result<(), TransportError> {
        Ok(())
    }
}

impl WriteReady for Socket {
    fn write_ready(&mut self) -> Result<bool, TransportError> {
        Ok(self.with(|t| t.write_ready()).unwrap_or(true))
    }
}

/// How a connection ended, once it has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// Closed in order: by the server after its last response, or by the
    /// peer.
    Closed,
    /// The socket failed or was reset.
    Dropped,
}

/// One connection slot; free while [`id`](Conn::id) is `None`.
#[derive(Debug)]
pub struct Conn {
    pub(crate) token: Option<Token>,
    pub(crate) interest: Interest,
    http: ConnStream,
    /// The request being answered, from its head to its response's end.
    route: Option<Route>,
    /// Responses finished on this connection (error responses included).
    pub(crate) served: u32,
}

/// Borrows the shared stack for one call; a re-entrant call is `Busy`.
pub(crate) fn with_stack<R>(
    stack: &RefCell<NetStack>,
    f: impl FnOnce(&mut NetStack) -> Result<R, SocketError>,
) -> Result<R, SocketError> {
    f(&mut *stack.try_borrow_mut().map_err(|_| SocketError::Busy)?)
}

impl Default for Conn {
    fn default() -> Self {
        Conn::new()
    }
}

impl Conn {
    /// A free slot.
    pub const fn new() -> Conn {
        Conn {
            token: None,
            interest: Interest::READABLE,
            http: HttpStream::new(Socket(None), CONFIG, Instant::ZERO).with_head_room(HEAD_ROOM),
            route: None,
            served: 0,
        }
    }

    /// The connection's socket, while the slot is taken.
    pub fn id(&self) -> Option<SocketId> {
        self.http.transport().0.as_ref().map(BareTransport::id)
    }

    /// Takes the slot for connection `id` of `stack`, accepted at `now`.
    pub fn open(&mut self, stack: &'static RefCell<NetStack>, id: SocketId, now: Instant) {
        self.clear();
        drop(self.http.reopen(Socket(Some(BareTransport::new(stack, id))), now));
    }

    /// Frees the slot and gives its socket back to the pool (a FIN
    /// follows the queued bytes).
    pub fn clear(&mut self) {
        drop(self.http.reopen(Socket(None), Instant::ZERO));
        self.token = None;
        self.interest = Interest::READABLE;
        self.route = None;
        self.served = 0;
    }

    /// Runs the connection as far as it goes now: reads, answers and
    /// flushes until nothing moves.
    pub fn drive(&mut self, now: Instant) {
        self.http.on_event(Ready::READABLE.add(Ready::WRITABLE));
        loop {
            let moved = self.step(now);
            let sent = self.http.on_writable();
            let got = self.http.on_readable();
            if !moved && sent == 0 && got == 0 {
                return;
            }
        }
    }

    /// Whether the connection is over, and how; reported once.
    pub fn poll_end(&mut self) -> Option<Ended> {
        self.http.poll_close().map(|reason| match reason {
            CloseReason::Reset | CloseReason::Error(_) => Ended::Dropped,
            _ => Ended::Closed,
        })
    }

    /// The interest to register: writable only while output waits.
    pub fn wanted_interest(&self) -> Interest {
        self.http.desired_interest().unwrap_or(Interest::READABLE)
    }

    /// Checks the HTTP machine's header and idle timeouts; an expired
    /// header timeout is answered 408, and either closes the connection.
    pub fn on_timeout(&mut self, now: Instant) {
        if let Err(e) = self.http.on_timeout(now) {
            self.route = None;
            if e != RequestError::IdleTimeout {
                self.served += 1;
            }
        }
    }

    /// One event of the HTTP machine, answered; whether anything moved.
    fn step(&mut self, now: Instant) -> bool {
        let room = match self.route {
            Some(Route::Echo(_)) => self.http.write_space().saturating_sub(CHUNK_ROOM),
            _ => usize::MAX,
        };
        let already_failed = self.http.error().is_some();
        let (route, served) = (&mut self.route, &mut self.served);
        let handled = self
            .http
            .next_within(now, room, |event, reply| handle(event, reply, route, served, now));
        match handled {
            Ok(Handled::Moved) => true,
            Ok(Handled::Waiting) => false,
            Ok(Handled::Abort) => {
                self.route = None;
                self.http.close();
                false
            }
            Err(_) => {
                // The stream writes the error response and closes after it.
                if !already_failed {
                    self.served += 1;
                    self.route = None;
                }
                false
            }
        }
    }
}

/// What one event's handling came to.
enum Handled {
    /// Something moved: ask for the next event.
    Moved,
    /// The connection waits for bytes, room or its close.
    Waiting,
    /// A response could not be written: drop the connection.
    Abort,
}

/// Answers one event of the HTTP machine.
fn handle<const W: usize>(
    event: Event<'_, HEADERS>,
    reply: &mut Reply<'_, W, HEADERS>,
    route: &mut Option<Route>,
    served: &mut u32,
    now: Instant,
) -> Handled {
    match event {
        Event::Head(head) => {
            let r = Route::of(&head);
            *route = Some(r);
            if let Route::Echo(framing) = r {
                // The echo is framed as the request was.
                let headers = [("Content-Type", "application/octet-stream")];
                if reply.start_response(Status::OK, None, &headers, framing).is_err() {
                    return Handled::Abort;
                }
            }
            Handled::Moved
        }
        Event::Body(data) => {
            // Takes all of `data`: the run was capped at the room.
            if let Some(Route::Echo(_)) = route {
                if reply.write_body(data) != Ok(data.len()) {
                    return Handled::Abort;
                }
            }
            Handled::Moved
        }
        Event::End => match answer(reply, route.take(), now) {
            Ok(_) => {
                *served += 1;
                Handled::Moved
            }
            Err(_) => Handled::Abort,
        },
        Event::NeedMore | Event::Paused | Event::Closed => Handled::Waiting,
    }
}

/// Ends the response to a fully read request.
fn answer<const W: usize>(
    reply: &mut Reply<'_, W, HEADERS>,
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
        reply.start_response(status, None, headers, BodyLen::Fixed(body.len() as u64))?;
        reply.write_body(body)?;
    }
    reply.finish(now)
}
