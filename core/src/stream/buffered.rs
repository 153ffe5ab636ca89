//! The stream itself: transport, buffers, readiness entry points and close.
//!
//! Reads live in [`read`](super::read) and writes in
//! [`write`](super::write); this file holds the state they share and the
//! rules that end a stream.
//!
//! # Invariants
//!
//! - `closed` is set once and never changes; from then on the transport is
//!   not called again and the write buffer is empty. Buffered read bytes
//!   stay readable.
//! - `read_end` (end-of-file, or a read over its limit) stops pulling from
//!   the transport but not writing: the stream is half-closed until the
//!   application has been told (`end_delivered`) and the write buffer is
//!   flushed, and only then closes with that reason.
//! - `rx_more` is true only when the last pull stopped because the read
//!   buffer was full, i.e. the transport may still hold bytes that no new
//!   readiness event will announce (edge-triggered backends).

use core::fmt;

use embedded_io::{Error as _, ErrorKind};

use super::buffer::{ReadBuffer, WriteBuffer};
use super::error::{CloseReason, StreamError};
use super::read::ReadState;
use super::transport::Transport;
use crate::event::Interest;

/// Tornado's `IOStream`, sans-I/O: a non-blocking [`Transport`] with an
/// `R`-byte read buffer and a `W`-byte write buffer.
///
/// - Reads: start one of [`read_until`](Self::read_until),
///   [`read_exact`](Self::read_exact), [`read_chunk`](Self::read_chunk) /
///   [`read_some`](Self::read_some) or
///   [`read_until_close`](Self::read_until_close); feed readiness with
///   [`on_readable`](Self::on_readable); ask
///   [`poll_read`](Self::poll_read); look at the bytes with
///   [`data`](Self::data) and drop them with [`consume`](Self::consume).
/// - Writes: [`write`](Self::write) buffers, [`on_writable`](Self::on_writable)
///   flushes, [`poll_flushed`](Self::poll_flushed) says when all went out.
/// - Close: [`poll_close`](Self::poll_close) reports the [`CloseReason`]
///   exactly once.
///
/// # Examples
///
/// ```
/// use eddy_core::stream::{BufferedStream, CloseReason, MemTransport, StreamError};
///
/// let mut stream: BufferedStream<MemTransport<64>, 64, 64> = BufferedStream::new(MemTransport::new());
/// // The peer sends a request head and the start of a body, in two pieces.
/// stream.transport_mut().peer_send(b"GET / HTTP/1.1\r\n\r").unwrap();
/// stream.transport_mut().peer_send(b"\nbody").unwrap();
///
/// stream.read_until(b"\r\n\r\n", 64)?;
/// stream.on_readable(); // a readiness event arrived
/// let head = stream.poll_read().expect("the head is complete")?;
/// assert_eq!(stream.data(&head), b"GET / HTTP/1.1\r\n\r\n");
/// stream.consume(head)?;
/// assert_eq!(stream.buffered(), b"body"); // bytes past the delimiter stay
///
/// stream.write(b"HTTP/1.1 204 No Content\r\n\r\n")?;
/// assert!(stream.wants_write()); // register WRITABLE interest now
/// stream.on_writable();
/// assert!(stream.poll_flushed());
/// assert_eq!(stream.transport().outbound(), b"HTTP/1.1 204 No Content\r\n\r\n");
///
/// stream.close();
/// assert_eq!(stream.poll_close(), Some(CloseReason::Local));
/// assert_eq!(stream.poll_close(), None, "reported once");
/// # Ok::<(), StreamError>(())
/// ```
pub struct BufferedStream<T, const R: usize, const W: usize> {
    pub(super) transport: T,
    pub(super) rx: ReadBuffer<R>,
    pub(super) tx: WriteBuffer<W>,
    pub(super) read: ReadState,
    /// The read side finished: `PeerClosed` (EOF) or `BufferFull`.
    pub(super) read_end: Option<CloseReason>,
    /// A read result caused by `read_end` was handed to the application.
    pub(super) end_delivered: bool,
    pub(super) rx_more: bool,
    /// `close_after_flush` was called.
    pub(super) shutdown: bool,
    pub(super) closed: Option<CloseReason>,
    pub(super) close_reported: bool,
    pub(super) flush_event: bool,
    pub(super) written: u64,
    pub(super) flushed: u64,
}

impl<T, const R: usize, const W: usize> BufferedStream<T, R, W> {
    /// A stream over `transport` with empty buffers; `const`, so it can be
    /// built in a `static`.
    pub const fn new(transport: T) -> Self {
        BufferedStream {
            transport,
            rx: ReadBuffer::new(),
            tx: WriteBuffer::new(),
            read: ReadState::new(),
            read_end: None,
            end_delivered: false,
            rx_more: false,
            shutdown: false,
            closed: None,
            close_reported: false,
            flush_event: false,
            written: 0,
            flushed: 0,
        }
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// The transport, mutably (to reach its own API, or a test's peer).
    pub fn transport_mut(&mut self) -> &mut T {
        &mut self.transport
    }

    /// Gives the transport back; buffered bytes are dropped.
    pub fn into_inner(self) -> T {
        self.transport
    }

    /// Starts over on `transport` in place, as a fresh
    /// [`new`](Self::new) stream (empty buffers, nothing pending, open),
    /// and gives the old transport back: a stream in a `static` pool slot
    /// takes its next connection without a stack-sized temporary.
    pub fn reopen(&mut self, transport: T) -> T {
        let old = core::mem::replace(&mut self.transport, transport);
        self.rx.clear();
        self.tx.clear();
        self.read = ReadState::new();
        self.read_end = None;
        self.end_delivered = false;
        self.rx_more = false;
        self.shutdown = false;
        self.closed = None;
        self.close_reported = false;
        self.flush_event = false;
        self.written = 0;
        self.flushed = 0;
        old
    }

    /// Every byte received and not consumed yet, oldest first.
    pub fn buffered(&self) -> &[u8] {
        self.rx.data()
    }

    /// Whether the stream is closed, or will be at the next
    /// [`poll_close`](Self::poll_close) (a half-closed stream with nothing
    /// left to send; writing before that call keeps it open until flushed).
    pub fn is_closed(&self) -> bool {
        self.close_due().is_some()
    }

    /// Reports, exactly once, that the stream closed and why; `None` before
    /// that and after. A half-closed stream (the peer's end-of-file or a
    /// read over its limit was delivered by [`poll_read`](Self::poll_read))
    /// closes here once its write buffer is flushed, so call this after
    /// handling reads and writes. Once it reported, drop the stream (and
    /// with it the transport) and deregister its source.
    pub fn poll_close(&mut self) -> Option<CloseReason> {
        if self.close_reported {
            return None;
        }
        let reason = self.close_due()?;
        self.close_now(reason);
        self.close_reported = true;
        Some(reason)
    }

    /// Closes now (Tornado's `close`): unsent bytes are dropped. The reason
    /// is [`CloseReason::Local`], or the read side's reason if the peer's
    /// end-of-file or a read over its limit came first. Received bytes stay
    /// readable.
    pub fn close(&mut self) {
        self.close_now(self.read_end.unwrap_or(CloseReason::Local));
    }

    /// Closes once everything written so far is flushed; later writes get
    /// [`WriteError::Closing`](super::WriteError::Closing). Arm a timer and
    /// call [`on_timeout`](Self::on_timeout) if the peer may never read.
    pub fn close_after_flush(&mut self) {
        self.shutdown = true;
    }

    /// The application's timeout expired: closes now with
    /// [`CloseReason::Timeout`] (time is the caller's business; arm the
    /// timer on the reactor).
    pub fn on_timeout(&mut self) {
        self.close_now(CloseReason::Timeout);
    }

    /// Whether the stream wants to hear about readability: open, read side
    /// not finished, and room in the read buffer. A full buffer stops
    /// reading (flow control) until the application consumes.
    pub fn wants_read(&self) -> bool {
        self.close_due().is_none() && self.read_end.is_none() && !self.rx.is_full()
    }

    /// Whether the stream wants to hear about writability: open, with bytes
    /// waiting to be flushed. Register `WRITABLE` only then: a
    /// level-triggered backend (poll(2)) reports an idle socket writable on
    /// every poll.
    pub fn wants_write(&self) -> bool {
        self.close_due().is_none() && !self.tx.is_empty()
    }

    /// The interest to register now, `None` when nothing is wanted (the
    /// stream is closed, or paused: buffer full or end-of-file, and nothing
    /// to send); a `None` registration should be removed, since readable
    /// end-of-file or a full buffer would make a level-triggered backend
    /// spin.
    pub fn desired_interest(&self) -> Option<Interest> {
        match (self.wants_read(), self.wants_write()) {
            (true, true) => Some(Interest::BOTH),
            (true, false) => Some(Interest::READABLE),
            (false, true) => Some(Interest::WRITABLE),
            (false, false) => None,
        }
    }

    /// The reason the read side is finished, if it is.
    pub(super) fn read_side_end(&self) -> Option<CloseReason> {
        self.closed.or(self.read_end)
    }

    /// The reason the stream is closed or would close at `poll_close`.
    fn close_due(&self) -> Option<CloseReason> {
        if self.closed.is_some() {
            return self.closed;
        }
        if !self.tx.is_empty() {
            return None;
        }
        if self.shutdown {
            return Some(self.read_end.unwrap_or(CloseReason::Local));
        }
        if self.end_delivered {
            return self.read_end;
        }
        None
    }

    /// Marks the stream closed for `reason` (first reason wins) and drops
    /// unsent bytes.
    pub(super) fn close_now(&mut self, reason: CloseReason) {
        if self.closed.is_none() {
            debug!("stream closed: {:?}", reason);
            self.closed = Some(reason);
            self.tx.clear();
            self.rx_more = false;
        }
    }

    /// A transport call failed with `kind`.
    pub(super) fn fail(&mut self, kind: ErrorKind) {
        self.close_now(CloseReason::from_kind(kind));
    }
}

impl<T: Transport, const R: usize, const W: usize> BufferedStream<T, R, W> {
    /// Readiness says the transport is readable (or at end-of-file, or has
    /// an error): pulls bytes into the read buffer until the transport would
    /// block, reaches end-of-file or fails, or the buffer is full. Returns
    /// how many bytes arrived. End-of-file and failures are recorded, not
    /// returned: [`poll_read`](Self::poll_read) and
    /// [`poll_close`](Self::poll_close) report them.
    pub fn on_readable(&mut self) -> usize {
        self.pull()
    }

    /// The pull loop behind [`on_readable`](Self::on_readable).
    pub(super) fn pull(&mut self) -> usize {
        self.rx_more = false;
        if self.read_side_end().is_some() {
            return 0;
        }
        let mut total = 0;
        loop {
            if self.rx.is_full() {
                self.rx_more = true;
                break;
            }
            match self.transport.read_ready() {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    self.fail(e.kind());
                    break;
                }
            }
            match self.transport.read(self.rx.spare_mut()) {
                Ok(0) => {
                    trace!("stream read end-of-file");
                    self.read_end = Some(CloseReason::PeerClosed);
                    break;
                }
                Ok(n) => total += self.rx.commit(n),
                Err(e) if e.kind() == ErrorKind::Interrupted => break,
                Err(e) => {
                    self.fail(e.kind());
                    break;
                }
            }
        }
        total
    }
}

impl<T, const R: usize, const W: usize> embedded_io::ErrorType for BufferedStream<T, R, W> {
    type Error = StreamError;
}

impl<T, const R: usize, const W: usize> fmt::Debug for BufferedStream<T, R, W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BufferedStream")
            .field("buffered", &self.rx.len())
            .field("unflushed", &self.tx.len())
            .field("read_pending", &self.read.is_pending())
            .field("read_end", &self.read_end)
            .field("closed", &self.closed)
            .finish()
    }
}
