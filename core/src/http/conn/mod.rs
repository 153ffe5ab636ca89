//! The connection state machine: one HTTP/1.1 server connection, sans-I/O.
//!
//! The read side walks `Head → Body → Done` for each request; the write
//! side walks `Idle → Body` for its response. [`Connection::finish`] joins
//! them: it either rewinds both for the next request or closes. Input is
//! looked at only while the read side has somewhere to go, so pipelined
//! bytes of the next request wait in the caller's buffer until the current
//! response is finished (RFC 9112 §9.3.2: responses in request order).

use core::time::Duration;

use super::body::{BodyDecoder, Decoded};
use super::event::{Event, Received};
use super::head::{self, RequestHead};
use super::response::{Exchange, Framing};
use super::{Config, RequestError};
use crate::time::Instant;

mod respond;

/// One HTTP/1.1 server connection as a state machine: bytes and `now` in,
/// [`Event`]s and response bytes out. It never touches a socket.
///
/// `H` is the most header lines a request may have (431 beyond it); the
/// head is parsed into an array of `H` headers on the stack (about 32 bytes
/// each on a 64-bit target).
///
/// # Driving it
///
/// - Read from the socket into your buffer; pass the unconsumed bytes to
///   [`receive`](Connection::receive) and drop the
///   [`consumed`](Received::consumed) bytes from the front. Keep calling it
///   until it returns [`Event::NeedMore`] (read more), [`Event::Paused`]
///   (answer the request first) or [`Event::Closed`]. Bytes not yet consumed
///   must be passed again, unchanged, at the front of the next call.
/// - After [`Event::Head`], answer with
///   [`start_response`](Connection::start_response),
///   [`write_body`](Connection::write_body) and
///   [`finish`](Connection::finish), which say what to write by appending
///   to your [`Output`](super::Output). You may answer while the body is still arriving.
/// - On `Err(e)` from `receive` or [`on_timeout`](Connection::on_timeout),
///   write [`send_error(out, e.status())`](Connection::send_error), flush
///   and close.
/// - Sleep until [`poll_at`](Connection::poll_at) at most, then call
///   `on_timeout`.
///
/// # Examples
///
/// Two pipelined requests in one read, answered in order:
///
/// ```
/// use eddy_core::http::{BodyLen, Config, Connection, Event, Next, SliceOutput, Status};
/// use eddy_core::Instant;
///
/// let now = Instant::ZERO;
/// let mut conn = Connection::<16>::new(Config::new(), now);
/// let input = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n";
/// let mut buf = [0u8; 256];
/// let mut out = SliceOutput::new(&mut buf);
///
/// let mut at = 0;
/// let mut target = "";
/// let mut answered = 0;
/// while answered < 2 {
///     let received = conn.receive(&input[at..], now)?;
///     at += received.consumed;
///     match received.event {
///         Event::Head(head) => target = head.target(),
///         Event::Body(_) => {}
///         Event::End => {
///             let body = target.as_bytes();
///             let len = BodyLen::Fixed(body.len() as u64);
///             conn.start_response(&mut out, Status::OK, None, &[("Content-Type", "text/plain")], len)?;
///             conn.write_body(&mut out, body)?;
///             assert_eq!(conn.finish(&mut out, now)?, Next::KeepAlive);
///             answered += 1;
///         }
///         Event::NeedMore | Event::Paused | Event::Closed => unreachable!(),
///     }
/// }
/// assert_eq!(at, input.len());
/// assert_eq!(
///     out.written(),
///     &b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n/a\
///        HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n/b"[..]
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Connection<const H: usize = 32> {
    config: Config,
    /// `config.header_timeout` and `config.idle_timeout` in whole
    /// microseconds (rounded up): a deadline per request is then one
    /// saturating add.
    header_us: u64,
    idle_us: u64,
    read: Read,
    write: Write,
    /// The current request's facts, from its head until `finish`.
    exchange: Option<Exchange>,
    /// `Expect: 100-continue` awaiting its interim response.
    continue_pending: bool,
    /// The server asked to close after the current response.
    close_requested: bool,
}

/// `timeout` in whole microseconds, rounded up so a deadline never comes
/// early, saturating at `u64::MAX` ("never").
const fn micros_up(timeout: Duration) -> u64 {
    let round_up = (!timeout.subsec_nanos().is_multiple_of(1000)) as u128;
    let micros = timeout.as_micros() + round_up;
    if micros >= u64::MAX as u128 {
        u64::MAX
    } else {
        micros as u64
    }
}

/// `now` plus `timeout_us` microseconds, clamped to [`Instant::MAX`]
/// ("never"); `const` so that [`Connection::new`] can be.
const fn expiry(now: Instant, timeout_us: u64) -> Instant {
    Instant::from_micros(now.as_micros().saturating_add(timeout_us))
}

/// The read side.
#[derive(Clone, Copy, Debug)]
enum Read {
    /// Waiting for a request head.
    Head {
        /// When the running timeout expires.
        deadline: Instant,
        /// Which timeout runs: idle until the first byte, then header.
        idle: bool,
        /// A byte of this head has arrived.
        started: bool,
        /// Bytes already searched for a line end without completing the head.
        scanned: usize,
    },
    /// Reading the request body.
    Body(BodyDecoder),
    /// The request has been read; its response is not finished.
    Done,
    /// The peer's bytes were rejected; the connection is closing.
    Failed(RequestError),
    /// The connection is closing: a closing response was finished.
    Closed,
}

/// The write side.
#[derive(Clone, Copy, Debug)]
enum Write {
    /// No response started for the current request.
    Idle,
    /// The head is written; the body follows.
    Body { framing: Framing, close: bool },
}

impl<const H: usize> Connection<H> {
    /// A new connection accepted at `now`; the header timeout starts now.
    pub const fn new(config: Config, now: Instant) -> Connection<H> {
        let header_us = micros_up(config.header_timeout);
        let deadline = expiry(now, header_us);
        Connection {
            config,
            header_us,
            idle_us: micros_up(config.idle_timeout),
            read: Read::Head {
                deadline,
                idle: false,
                started: false,
                scanned: 0,
            },
            write: Write::Idle,
            exchange: None,
            continue_pending: false,
            close_requested: false,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Consumes request bytes from the front of `input`, read at `now`.
    ///
    /// Returns one [`Event`] and how many bytes it used; see
    /// [`Connection`] for the calling pattern. No copies are made: a head's
    /// strings and body runs borrow from `input`.
    ///
    /// # Errors
    ///
    /// A [`RequestError`] when the bytes break a rule or a timeout has
    /// passed; the connection is then marked to close and every later call
    /// returns the same error. Answer with
    /// [`send_error`](Connection::send_error) if no response was started.
    pub fn receive<'b>(&mut self, input: &'b [u8], now: Instant) -> Result<Received<'b, H>, RequestError> {
        // The usual state first, with a plain test rather than the `match`
        // below: its jump table's indirect branch is mispredicted after
        // every system call, which retrains the predictors.
        if let Read::Head { .. } = self.read {
            return self.receive_head(input, now);
        }
        self.receive_rest(input)
    }

    /// [`receive`](Connection::receive) in every state but `Read::Head`.
    fn receive_rest<'b>(&mut self, input: &'b [u8]) -> Result<Received<'b, H>, RequestError> {
        let done = |consumed, event| Ok(Received { consumed, event });
        match self.read {
            Read::Failed(e) => Err(e),
            Read::Closed => done(0, Event::Closed),
            Read::Done => done(0, Event::Paused),
            Read::Body(mut decoder) => {
                let decoded = decoder.decode(input, self.config.max_body, self.config.max_head);
                match decoded {
                    Err(e) => self.fail(e),
                    Ok((n, Decoded::Data(bytes))) => {
                        // The client sends without waiting: 100 is moot
                        // (RFC 9110 §10.1.1 lets the server skip it).
                        self.continue_pending = false;
                        self.read = Read::Body(decoder);
                        done(n, Event::Body(bytes))
                    }
                    Ok((n, Decoded::NeedMore)) => {
                        self.read = Read::Body(decoder);
                        done(n, Event::NeedMore)
                    }
                    Ok((n, Decoded::Done)) => {
                        self.read = Read::Done;
                        done(n, Event::End)
                    }
                }
            }
            // `receive` took this state before calling here.
            Read::Head { .. } => done(0, Event::NeedMore),
        }
    }

    /// The `Read::Head` arm of [`receive`](Connection::receive).
    fn receive_head<'b>(&mut self, input: &'b [u8], now: Instant) -> Result<Received<'b, H>, RequestError> {
        self.on_timeout(now)?;
        if input.is_empty() {
            return Ok(Received {
                consumed: 0,
                event: Event::NeedMore,
            });
        }
        let Read::Head {
            mut deadline,
            mut idle,
            mut started,
            scanned,
        } = self.read
        else {
            return Ok(Received {
                consumed: 0,
                event: Event::NeedMore,
            });
        };
        if !started {
            started = true;
            if idle {
                // The idle timeout ends and the header timeout starts with the
                // first byte of the next request; further bytes never move it.
                idle = false;
                deadline = expiry(now, self.header_us);
            }
        }
        let window = input.get(..self.config.max_head).unwrap_or(input);
        // A head ends with a line end, so parse only when a new '\n' arrived,
        // and only the complete lines: a head trickled a byte at a time costs
        // one parse per line, not one per byte, and the verdict on a line
        // never depends on where the input was cut.
        let fresh_from = scanned.min(window.len());
        let fresh = window.get(fresh_from..).unwrap_or(&[]);
        if let Some(last) = fresh.iter().rposition(|&b| b == b'\n') {
            let lines = window
                .get(..fresh_from.saturating_add(last).saturating_add(1))
                .unwrap_or(window);
            match head::parse::<H>(lines, self.config.max_body) {
                Ok(Some((head, len))) => return Ok(self.on_head(head, len)),
                Ok(None) => {}
                Err(e) => return self.fail(e),
            }
        }
        // Every byte of the window has now been searched for a line end.
        let scanned = window.len();
        // RFC 9110 §5.4: fields larger than the server wishes to process get
        // a 4xx; 431 is RFC 6585 §5.
        if input.len() >= self.config.max_head {
            return self.fail(RequestError::HeadTooLarge);
        }
        self.read = Read::Head {
            deadline,
            idle,
            started,
            scanned,
        };
        Ok(Received {
            consumed: 0,
            event: Event::NeedMore,
        })
    }

    /// A head arrived: set up the exchange and the body decoder.
    fn on_head<'b>(&mut self, head: RequestHead<'b, H>, len: usize) -> Received<'b, H> {
        self.exchange = Some(Exchange {
            version: head.version(),
            is_head: head.is_head(),
            keep_alive: head.keep_alive(),
        });
        self.continue_pending = head.expects_continue();
        self.write = Write::Idle;
        self.read = Read::Body(BodyDecoder::new(head.body()));
        Received {
            consumed: len,
            event: Event::Head(head),
        }
    }

    /// Marks the connection failed with `e`.
    #[cold]
    fn fail<T>(&mut self, e: RequestError) -> Result<T, RequestError> {
        debug!("http: closing connection: {}", e);
        self.read = Read::Failed(e);
        Err(e)
    }

    /// When the connection next needs [`on_timeout`](Connection::on_timeout):
    /// the header or idle deadline while waiting for a head, `None` while a
    /// request is in progress or the connection is closing.
    pub fn poll_at(&self) -> Option<Instant> {
        match self.read {
            Read::Head { deadline, .. } if deadline != Instant::MAX => Some(deadline),
            _ => None,
        }
    }

    /// How long from `now` until [`poll_at`](Connection::poll_at); zero if
    /// it has passed.
    pub fn poll_delay(&self, now: Instant) -> Option<Duration> {
        self.poll_at().map(|at| at.saturating_duration_since(now))
    }

    /// Checks the timeouts at `now`. Spurious calls are harmless.
    ///
    /// # Errors
    ///
    /// [`RequestError::HeaderTimeout`] when a head was not complete within
    /// the header timeout (even if bytes keep arriving), or
    /// [`RequestError::IdleTimeout`] when a keep-alive connection sat idle
    /// too long. The connection is then marked to close; answer 408 with
    /// [`send_error`](Connection::send_error) (optional for idle) and close.
    pub fn on_timeout(&mut self, now: Instant) -> Result<(), RequestError> {
        match self.read {
            // A deadline at Instant::MAX is "never" (crate::time).
            Read::Head { deadline, idle, .. } if now >= deadline && deadline != Instant::MAX => {
                // RFC 9110 §15.5.9: 408 when no complete request arrived in
                // time; RFC 9112 §9.5: idle connections may be closed at any time.
                let e = if idle {
                    RequestError::IdleTimeout
                } else {
                    RequestError::HeaderTimeout
                };
                self.fail(e)
            }
            _ => Ok(()),
        }
    }

    /// `true` between requests before any byte of the next one arrived:
    /// the connection can be closed now without cutting a request (graceful
    /// shutdown).
    pub fn is_idle(&self) -> bool {
        matches!(self.read, Read::Head { started: false, .. })
    }

    /// `true` once the connection is closing: after a request error, a
    /// timeout, an error response or a finished closing response.
    pub fn is_closed(&self) -> bool {
        matches!(self.read, Read::Closed | Read::Failed(_))
    }

    /// Marks the connection closed.
    fn close(&mut self) {
        self.read = Read::Closed;
        self.write = Write::Idle;
        self.exchange = None;
        self.continue_pending = false;
    }

    /// `true` if the current request has been read to its end.
    fn body_done(&self) -> bool {
        match self.read {
            Read::Done => true,
            Read::Body(decoder) => decoder.is_done(),
            _ => false,
        }
    }
}
