//! One HTTP/1.1 server connection driven by a [`BufferedStream`]:
//! [`HttpStream`] owns the stream and the sans-I/O [`Connection`] and runs
//! the receive, consume and flush loop every driver would otherwise write
//! itself.
//!
//! See [`HttpStream`] for how to drive it and the rules it keeps.

use core::time::Duration;

use super::{Config, Connection, RequestError, ResponseError, Status};
use crate::event::{Interest, Ready};
use crate::stream::{BufferedStream, CloseReason, Transport, WriteHalf};
use crate::time::Instant;

/// An HTTP/1.1 server connection over a [`BufferedStream`] with an
/// `R`-byte read buffer and a `W`-byte write buffer, taking requests of up
/// to `H` header lines.
///
/// # Driving it
///
/// - Readiness in: [`on_event`](HttpStream::on_event) with the event's
///   flags (or [`on_readable`](HttpStream::on_readable) /
///   [`on_writable`](HttpStream::on_writable)).
/// - Events out: [`next`](HttpStream::next) hands the next [`Event`](super::Event) and a
///   [`Reply`](super::Reply) (the response calls) to a closure. Call it until the closure
///   sees [`Event::NeedMore`](super::Event::NeedMore), [`Event::Paused`](super::Event::Paused) or [`Event::Closed`](super::Event::Closed), or it
///   returns an error. The event borrows the read buffer, which is why it
///   is lent to a closure rather than returned: once the closure returns,
///   the bytes the connection used are dropped from the buffer, so no
///   caller can drop too few or too many.
/// - Answer inside the closure, or later with the same calls on the
///   `HttpStream` ([`reply`](HttpStream::reply)).
/// - Registration: [`desired_interest`](HttpStream::desired_interest)
///   after each round (writable only while output waits).
/// - Time: sleep until [`poll_at`](HttpStream::poll_at) at most, then
///   [`on_timeout`](HttpStream::on_timeout).
/// - Close: [`poll_close`](HttpStream::poll_close) says, once, that the
///   connection is over and why; drop the transport and deregister then.
///
/// # Rules it keeps
///
/// - Bad input, a header timeout, or a head over the read buffer: the
///   error response ([`RequestError::status`]) is written (later, if the
///   write buffer is full: it waits for room), flushed, then the stream
///   closes. An idle keep-alive connection that times out closes without
///   a response (RFC 9112 §9.5).
/// - A closing connection whose peer stops reading does not stay: a
///   header timeout after the close was decided,
///   [`on_timeout`](HttpStream::on_timeout) closes it with
///   [`CloseReason::Timeout`] ([`poll_at`](HttpStream::poll_at) says when).
/// - Nor does an open one whose peer stops reading mid-response: once
///   it has taken no byte of waiting output for
///   [`Config::send_timeout`] (up to twice that), `on_timeout` closes it
///   with [`CloseReason::Timeout`] too.
/// - The peer's end-of-file: requests already buffered are still answered;
///   once the connection needs bytes that will not come, the stream closes
///   after flushing. A reset closes at once; response calls then return
///   [`ResponseError::Closed`].
/// - Backpressure: body writes take what fits ([`Reply::write_body`](super::Reply::write_body)
///   returns the count); flush with `on_writable`. A new request head is
///   parsed only with [`head_room`](HttpStream::with_head_room) bytes free
///   in the write buffer, so a response head written at its `End` fits;
///   [`next_within`](HttpStream::next_within) caps body runs at what the
///   caller can pass on (an echo).
/// - A read buffer that fills without the connection making progress (a
///   head or chunk line longer than `R`) is [`RequestError::HeadTooLarge`]
///   or [`RequestError::ChunkMetadataTooLarge`]: choose `R` of at least
///   [`Config::max_head`].
///
/// # Examples
///
/// Two pipelined requests, answered in order over the in-memory transport:
///
/// ```
/// use eddy_core::event::Ready;
/// use eddy_core::http::{BodyLen, Config, Event, HttpStream, Status};
/// use eddy_core::stream::MemTransport;
/// use eddy_core::Instant;
///
/// let now = Instant::ZERO;
/// let mut http: HttpStream<MemTransport<512>, 256, 256, 8> =
///     HttpStream::new(MemTransport::new(), Config::new(), now);
/// http.transport_mut()
///     .peer_send(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n")
///     .unwrap();
/// http.on_event(Ready::READABLE);
///
/// let mut target = [0u8; 2];
/// loop {
///     let more = http.next(now, |event, reply| match event {
///         Event::Head(head) => {
///             target.copy_from_slice(head.target().as_bytes());
///             true
///         }
///         Event::Body(_) => true,
///         Event::End => {
///             let len = BodyLen::Fixed(target.len() as u64);
///             reply.start_response(Status::OK, None, &[], len).unwrap();
///             reply.write_body(&target).unwrap();
///             reply.finish(now).unwrap();
///             true
///         }
///         Event::NeedMore | Event::Paused | Event::Closed => false,
///     })?;
///     if !more {
///         break;
///     }
/// }
/// http.on_event(Ready::WRITABLE);
/// assert_eq!(
///     http.transport().outbound(),
///     &b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n/a\
///        HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n/b"[..]
/// );
/// # Ok::<(), eddy_core::http::RequestError>(())
/// ```
///
/// No allocation: the buffers are inline, so an `HttpStream` can sit in a
/// `static` slot ([`new`](Self::new) is `const`) and take connection after
/// connection ([`reopen`](Self::reopen)). A `const` initial value is not
/// all zeros, so it puts the whole slot, buffers included, in `.data` (and
/// its image in flash); on firmware, keep the slot in an
/// `Option<Cell<HttpStream<..>>>` static, whose `None` is all zeros
/// (`Cell` hides the niches), and build it there at start-up, one slot at
/// a time to keep the stack small.
#[derive(Debug)]
pub struct HttpStream<T, const R: usize, const W: usize, const H: usize> {
    pub(super) stream: BufferedStream<T, R, W>,
    pub(super) conn: Connection<H>,
    /// Between a request's `Head` and its `End`.
    in_body: bool,
    /// Write space needed before a new head is parsed.
    head_room: usize,
    /// The request error that closes the connection, once seen.
    failed: Option<RequestError>,
    /// An error response that did not fit yet.
    error_due: Option<Status>,
    /// When a closing stream that still holds output is closed anyway.
    linger: Option<Instant>,
    /// The send timeout's watch over waiting output ([`stall`]).
    send_watch: Option<stall::Watch>,
    /// The latest `now` a call brought.
    now: Instant,
}

impl<T, const R: usize, const W: usize, const H: usize> HttpStream<T, R, W, H> {
    /// A connection over `transport`, accepted at `now` (the header
    /// timeout starts now), with empty buffers and a head room of zero.
    pub const fn new(transport: T, config: Config, now: Instant) -> Self {
        HttpStream {
            stream: BufferedStream::new(transport),
            conn: Connection::new(config, now),
            in_body: false,
            head_room: 0,
            failed: None,
            error_due: None,
            linger: None,
            send_watch: None,
            now,
        }
    }

    /// Parses a new request head only while the write buffer has `bytes`
    /// free (clamped to `W`), so that a response head written at the
    /// request's end fits without waiting. Zero (the default) parses heads
    /// as soon as they arrive: pipelined responses then queue in the write
    /// buffer, and a response call may get [`ResponseError::OutputFull`].
    pub const fn with_head_room(mut self, bytes: usize) -> Self {
        self.head_room = if bytes < W { bytes } else { W };
        self
    }

    /// Starts over on `transport`, accepted at `now`, in place (no
    /// stack-sized temporary), as [`new`](Self::new) with the same config
    /// and head room; gives the old transport back.
    pub fn reopen(&mut self, transport: T, now: Instant) -> T {
        let config = *self.conn.config();
        self.conn = Connection::new(config, now);
        self.in_body = false;
        self.failed = None;
        self.error_due = None;
        self.linger = None;
        self.send_watch = None;
        self.now = now;
        self.stream.reopen(transport)
    }

    /// The stream, to look at its counters and state.
    pub fn stream(&self) -> &BufferedStream<T, R, W> {
        &self.stream
    }

    /// The connection, to look at its state.
    pub fn connection(&self) -> &Connection<H> {
        &self.conn
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        self.stream.transport()
    }

    /// The transport, mutably (its own API, or a test's peer).
    pub fn transport_mut(&mut self) -> &mut T {
        self.stream.transport_mut()
    }

    /// Bytes received and not used by the connection yet: a partial head,
    /// or pipelined requests waiting for the current response.
    pub fn buffered(&self) -> &[u8] {
        self.stream.buffered()
    }

    /// The request error that is closing the connection, if one came.
    pub fn error(&self) -> Option<RequestError> {
        self.failed
    }

    /// Free space in the write buffer.
    pub fn write_space(&self) -> usize {
        self.stream.write_space()
    }

    /// The interest to register now; `None` once nothing is wanted (the
    /// stream is closed or paused with nothing to send). See
    /// [`BufferedStream::desired_interest`].
    pub fn desired_interest(&self) -> Option<Interest> {
        self.stream.desired_interest()
    }

    /// When [`on_timeout`](Self::on_timeout) is due next: the header or
    /// idle deadline while waiting for a head, the end of the linger while
    /// a closing connection flushes its last bytes, or the send timeout's
    /// check while output waits; `None` once the stream is closed.
    pub fn poll_at(&self) -> Option<Instant> {
        if self.stream.is_closed() {
            return None;
        }
        // Pairwise, not through an array: its iterator reads back what was
        // just stored, and those reads stall.
        earliest(earliest(self.conn.poll_at(), self.linger), self.send_due())
    }

    /// How long from `now` until [`poll_at`](Self::poll_at); zero if it
    /// has passed.
    pub fn poll_delay(&self, now: Instant) -> Option<Duration> {
        self.poll_at().map(|at| at.saturating_duration_since(now))
    }

    /// Whether the stream is closed, or closes at the next
    /// [`poll_close`](Self::poll_close).
    pub fn is_closed(&self) -> bool {
        self.stream.is_closed()
    }

    /// Reports, exactly once, that the connection is over and why; then
    /// drop the transport and deregister it.
    pub fn poll_close(&mut self) -> Option<CloseReason> {
        self.stream.poll_close()
    }

    /// Closes now: unsent bytes are dropped (shutdown, or a peer that does
    /// not read).
    pub fn close(&mut self) {
        self.stream.close();
    }

    /// Marks the connection failed with `e` and answers it: the error
    /// response (or none for an idle timeout), then a close once flushed.
    #[cold]
    fn fail(
        conn: &mut Connection<H>,
        out: &mut WriteHalf<'_, W>,
        failed: &mut Option<RequestError>,
        due: &mut Option<Status>,
        e: RequestError,
    ) {
        if failed.is_some() {
            return;
        }
        *failed = Some(e);
        if e == RequestError::IdleTimeout {
            out.close_after_flush();
            return;
        }
        *due = Some(e.status());
        Self::answer_error(conn, out, due);
    }

    /// Writes the error response that is due, if it fits now; closes once
    /// flushed when it was written, or when it can never fit.
    fn answer_error(conn: &mut Connection<H>, out: &mut WriteHalf<'_, W>, due: &mut Option<Status>) {
        let Some(status) = *due else { return };
        match conn.send_error(out, status) {
            Err(ResponseError::OutputFull) if out.unflushed() > 0 => return,
            // Written, or refused for good (a response already started, the
            // connection closed, a buffer too small for it): close.
            _ => out.close_after_flush(),
        }
        *due = None;
    }

    /// Retries an error response that did not fit.
    #[cold]
    fn settle_error(&mut self) {
        if self.error_due.is_some() {
            let (_, mut out) = self.stream.split();
            Self::answer_error(&mut self.conn, &mut out, &mut self.error_due);
        }
    }
}

impl<T: Transport, const R: usize, const W: usize, const H: usize> HttpStream<T, R, W, H> {
    /// Feeds one readiness event: readable (or read-closed, or error)
    /// pulls bytes in, writable (or write-closed, or error) flushes.
    pub fn on_event(&mut self, ready: Ready) {
        if ready.is_readable() {
            self.on_readable();
        }
        if ready.is_writable() {
            self.on_writable();
        }
    }

    /// Pulls what the transport holds into the read buffer; returns how
    /// many bytes arrived. Then call [`next`](Self::next).
    pub fn on_readable(&mut self) -> usize {
        self.stream.on_readable()
    }

    /// Flushes the write buffer to the transport, and writes an error
    /// response that was waiting for room; returns how many bytes went out.
    pub fn on_writable(&mut self) -> usize {
        let mut sent = self.stream.on_writable();
        if self.error_due.is_some() {
            self.settle_error();
            sent += self.stream.on_writable();
        }
        sent
    }

    /// Checks the header, idle and send timeouts and the linger at `now`;
    /// spurious calls are harmless. A stalled reader or an expired linger
    /// closes the stream ([`poll_close`](Self::poll_close) says so).
    ///
    /// # Errors
    ///
    /// [`RequestError::HeaderTimeout`] (a 408 is written, then the stream
    /// closes once flushed) or [`RequestError::IdleTimeout`] (it closes
    /// without a response). Once a request error was reported (by
    /// [`next`](Self::next) or here), later calls are `Ok`: the connection
    /// is already closing.
    pub fn on_timeout(&mut self, now: Instant) -> Result<(), RequestError> {
        if self.linger.is_some_and(|at| now >= at) {
            // The peer did not take the last bytes in time.
            self.stream.on_timeout();
        }
        if self.check_send(now) {
            // A stalled reader: closed, with nothing more to report.
            return Ok(());
        }
        if self.failed.is_some() {
            // Already failing (perhaps by the stream's own check, which the
            // connection never saw): no second error, as with a failed
            // `Connection`; only the linger above still runs.
            self.start_linger(now);
            return Ok(());
        }
        let timed_out = self.conn.on_timeout(now);
        if let Err(e) = timed_out {
            let (_, mut out) = self.stream.split();
            Self::fail(&mut self.conn, &mut out, &mut self.failed, &mut self.error_due, e);
            self.stream.on_writable();
        }
        self.start_linger(now);
        timed_out
    }

    /// Starts the linger once the stream is closing with output left: a
    /// peer that stops reading cannot hold the connection open, it is
    /// closed a header timeout later.
    fn start_linger(&mut self, now: Instant) {
        let draining = self.stream.is_closing() || self.error_due.is_some();
        if self.linger.is_none() && draining && !self.stream.is_closed() {
            let grace = self.conn.config().header_timeout;
            self.linger = Some(now.saturating_add(grace));
        }
    }
}

/// The earlier of two optional instants; `None` only if both are.
fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

mod next;
mod stall;
#[cfg(test)]
mod tests;
