//! Answering a request through a [`BufferedStream`]'s write buffer: the
//! [`Output`] implementations over it and [`Reply`], the response calls of
//! an [`HttpStream`](super::HttpStream) bound to its write side.
//!
//! The write buffer is an [`Output`] like any other: a write fits whole or
//! writes nothing ([`OutputFull`]), so a response head is never cut, and
//! a body write takes what fits. Space frees up as the stream flushes.
//!
//! `Reply` adds what the stream knows and the bare connection does not: a
//! closed stream refuses every call ([`ResponseError::Closed`]), and a
//! response that ends the connection ([`Next::Close`], an error response,
//! a body cut short) asks the stream to close once it is flushed, so the
//! last bytes still reach the peer.

use super::HttpStream;
use super::{
    BodyLen, Connection, Next, Output, OutputFull, PreparedHead, ResponseError, ResponseHeaders, Status,
};
use crate::stream::{BufferedStream, WriteHalf};
use crate::time::Instant;

impl<const W: usize> Output for WriteHalf<'_, W> {
    #[inline]
    fn spare(&self) -> usize {
        self.write_space()
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) -> Result<(), OutputFull> {
        self.try_write_all(bytes).map_err(|_| OutputFull)
    }

    #[inline]
    fn write_parts(&mut self, parts: &[&[u8]]) -> Result<(), OutputFull> {
        self.try_write_parts(parts).map_err(|_| OutputFull)
    }
}

impl<T, const R: usize, const W: usize> Output for BufferedStream<T, R, W> {
    #[inline]
    fn spare(&self) -> usize {
        if self.is_closed() {
            0
        } else {
            self.write_space()
        }
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) -> Result<(), OutputFull> {
        self.try_write_all(bytes).map_err(|_| OutputFull)
    }
}

/// The response calls of one connection, writing into its stream's write
/// buffer: what an [`HttpStream`](super::HttpStream) hands its event
/// handler next to each event, and what
/// [`HttpStream::reply`](super::HttpStream::reply) lends outside one.
///
/// Each call is [`Connection`]'s namesake with the write buffer as the
/// [`Output`]; see there for the rules. [`ResponseError::OutputFull`] is
/// backpressure: nothing was written; wait until the stream flushed
/// (writable readiness) and call again.
#[derive(Debug)]
pub struct Reply<'a, const W: usize, const H: usize> {
    pub(super) conn: &'a mut Connection<H>,
    pub(super) out: WriteHalf<'a, W>,
}

impl<const W: usize, const H: usize> Reply<'_, W, H> {
    /// Starts the response; see [`Connection::start_response`].
    ///
    /// # Errors
    ///
    /// As [`Connection::start_response`], and [`ResponseError::Closed`]
    /// once the stream is closed.
    pub fn start_response(
        &mut self,
        status: Status,
        reason: Option<&str>,
        headers: &[(&str, &str)],
        body: BodyLen,
    ) -> Result<(), ResponseError> {
        self.check_open()?;
        self.conn
            .start_response(&mut self.out, status, reason, headers, body)
    }

    /// Starts the response with headers checked beforehand; see
    /// [`Connection::start_response_checked`].
    ///
    /// # Errors
    ///
    /// As [`start_response`](Self::start_response), less the header errors.
    pub fn start_response_checked(
        &mut self,
        status: Status,
        reason: Option<&str>,
        headers: ResponseHeaders<'_>,
        body: BodyLen,
    ) -> Result<(), ResponseError> {
        self.check_open()?;
        self.conn
            .start_response_checked(&mut self.out, status, reason, headers, body)
    }

    /// Starts the response from a [`PreparedHead`]; see
    /// [`Connection::start_prepared`].
    ///
    /// # Errors
    ///
    /// As [`Connection::start_prepared`], and [`ResponseError::Closed`]
    /// once the stream is closed.
    pub fn start_prepared<const N: usize>(
        &mut self,
        head: &PreparedHead<N>,
        body: BodyLen,
    ) -> Result<(), ResponseError> {
        self.check_open()?;
        self.conn.start_prepared(&mut self.out, head, body)
    }

    /// A whole fixed-length response in one call, written whole or not at
    /// all; see [`Connection::respond`]. On [`Next::Close`] the stream
    /// closes once flushed.
    ///
    /// # Errors
    ///
    /// As [`Connection::respond`] ([`ResponseError::OutputFull`]: nothing
    /// was written; answer once the stream flushed, or in pieces), and
    /// [`ResponseError::Closed`] once the stream is closed.
    pub fn respond<const N: usize>(
        &mut self,
        head: &PreparedHead<N>,
        parts: &[&[u8]],
        now: Instant,
    ) -> Result<Next, ResponseError> {
        self.check_open()?;
        let next = self.conn.respond(&mut self.out, head, parts, now);
        if next == Ok(Next::Close) {
            self.out.close_after_flush();
        }
        next
    }

    /// Writes as much of `data` as fits as response body and returns how
    /// much that was; see [`Connection::write_body`]. Call again with the
    /// rest once the stream flushed.
    ///
    /// # Errors
    ///
    /// As [`Connection::write_body`] ([`ResponseError::OutputFull`] if not
    /// one byte fits), and [`ResponseError::Closed`] once the stream is
    /// closed.
    pub fn write_body(&mut self, data: &[u8]) -> Result<usize, ResponseError> {
        self.check_open()?;
        self.conn.write_body(&mut self.out, data)
    }

    /// Ends the response; see [`Connection::finish`]. On
    /// [`Next::Close`] the stream closes once flushed.
    ///
    /// # Errors
    ///
    /// As [`Connection::finish`]; after [`ResponseError::BodyIncomplete`]
    /// the stream closes once flushed. [`ResponseError::Closed`] once the
    /// stream is closed.
    pub fn finish(&mut self, now: Instant) -> Result<Next, ResponseError> {
        self.check_open()?;
        let next = self.conn.finish(&mut self.out, now);
        if matches!(next, Ok(Next::Close) | Err(ResponseError::BodyIncomplete)) {
            self.out.close_after_flush();
        }
        next
    }

    /// Writes a complete error response and closes the stream once it is
    /// flushed; see [`Connection::send_error`].
    ///
    /// # Errors
    ///
    /// As [`Connection::send_error`]: after
    /// [`ResponseError::AlreadyStarted`] the stream closes once flushed
    /// (the started response cannot become an error response), after
    /// [`ResponseError::OutputFull`] nothing changed (retry once flushed).
    pub fn send_error(&mut self, status: Status) -> Result<(), ResponseError> {
        self.check_open()?;
        let sent = self.conn.send_error(&mut self.out, status);
        if !matches!(sent, Err(ResponseError::OutputFull)) {
            self.out.close_after_flush();
        }
        sent
    }

    /// Writes `100 Continue` if the request expects it; see
    /// [`Connection::write_continue`].
    ///
    /// # Errors
    ///
    /// As [`Connection::write_continue`], and [`ResponseError::Closed`]
    /// once the stream is closed.
    pub fn write_continue(&mut self) -> Result<bool, ResponseError> {
        self.check_open()?;
        self.conn.write_continue(&mut self.out)
    }

    /// Closes after the current response; see
    /// [`Connection::close_after_response`].
    pub fn close_after_response(&mut self) {
        self.conn.close_after_response();
    }

    /// Free space in the write buffer: what a response head or a body write
    /// may use now (a chunk's framing takes a few bytes of it).
    pub fn write_space(&self) -> usize {
        self.out.write_space()
    }

    /// The connection, to look at its state.
    pub fn connection(&self) -> &Connection<H> {
        self.conn
    }

    fn check_open(&self) -> Result<(), ResponseError> {
        match self.out.closed() {
            Some(_) => Err(ResponseError::Closed),
            None => Ok(()),
        }
    }
}

/// The response calls on the [`HttpStream`] itself, for an answer given
/// outside an event handler (one that was not ready when its request
/// ended).
impl<T, const R: usize, const W: usize, const H: usize> HttpStream<T, R, W, H> {
    /// The response calls, outside an event handler (an answer that was
    /// not ready when its request ended).
    pub fn reply(&mut self) -> Reply<'_, W, H> {
        let (_, out) = self.stream.split();
        Reply {
            conn: &mut self.conn,
            out,
        }
    }

    /// [`Reply::start_response`] outside an event handler.
    ///
    /// # Errors
    ///
    /// As [`Reply::start_response`].
    pub fn start_response(
        &mut self,
        status: Status,
        reason: Option<&str>,
        headers: &[(&str, &str)],
        body: BodyLen,
    ) -> Result<(), ResponseError> {
        self.reply().start_response(status, reason, headers, body)
    }

    /// [`Reply::start_response_checked`] outside an event handler.
    ///
    /// # Errors
    ///
    /// As [`Reply::start_response_checked`].
    pub fn start_response_checked(
        &mut self,
        status: Status,
        reason: Option<&str>,
        headers: ResponseHeaders<'_>,
        body: BodyLen,
    ) -> Result<(), ResponseError> {
        self.reply().start_response_checked(status, reason, headers, body)
    }

    /// [`Reply::start_prepared`] outside an event handler.
    ///
    /// # Errors
    ///
    /// As [`Reply::start_prepared`].
    pub fn start_prepared<const N: usize>(
        &mut self,
        head: &PreparedHead<N>,
        body: BodyLen,
    ) -> Result<(), ResponseError> {
        self.reply().start_prepared(head, body)
    }

    /// [`Reply::respond`] outside an event handler.
    ///
    /// # Errors
    ///
    /// As [`Reply::respond`].
    pub fn respond<const N: usize>(
        &mut self,
        head: &PreparedHead<N>,
        parts: &[&[u8]],
        now: Instant,
    ) -> Result<Next, ResponseError> {
        let next = self.reply().respond(head, parts, now);
        self.watch_send(now);
        next
    }

    /// [`Reply::write_body`] outside an event handler.
    ///
    /// # Errors
    ///
    /// As [`Reply::write_body`].
    pub fn write_body(&mut self, data: &[u8]) -> Result<usize, ResponseError> {
        self.reply().write_body(data)
    }

    /// [`Reply::finish`] outside an event handler.
    ///
    /// # Errors
    ///
    /// As [`Reply::finish`].
    pub fn finish(&mut self, now: Instant) -> Result<Next, ResponseError> {
        let next = self.reply().finish(now);
        self.watch_send(now);
        next
    }

    /// [`Reply::send_error`] outside an event handler.
    ///
    /// # Errors
    ///
    /// As [`Reply::send_error`].
    pub fn send_error(&mut self, status: Status) -> Result<(), ResponseError> {
        self.reply().send_error(status)
    }

    /// [`Reply::write_continue`] outside an event handler.
    ///
    /// # Errors
    ///
    /// As [`Reply::write_continue`].
    pub fn write_continue(&mut self) -> Result<bool, ResponseError> {
        self.reply().write_continue()
    }

    /// Closes after the current response (graceful shutdown).
    pub fn close_after_response(&mut self) {
        self.conn.close_after_response();
    }
}
