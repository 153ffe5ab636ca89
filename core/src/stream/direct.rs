//! Direct access to the buffers, for a parser that consumes bytes itself.
//!
//! The read operations (`read.rs`) suit protocols that read a line or a
//! length at a time. A sans-I/O parser that decides on its own how many
//! bytes it used (the HTTP connection) instead looks at every buffered byte
//! and drops what it consumed, while it writes its answer. This module is
//! what it needs, next to the read operations and not instead of them:
//!
//! - [`split`](BufferedStream::split): the unconsumed bytes and a
//!   [`WriteHalf`] borrowed at once, so the parser's output can be written
//!   while its input (borrowed by the events it produced) is still in use;
//! - [`discard`](BufferedStream::discard) (in `read.rs`) drops consumed
//!   bytes;
//! - [`refill`](BufferedStream::refill) pulls what a full buffer left in
//!   the transport, since no readiness event will announce it;
//! - [`read_closed`](BufferedStream::read_closed) and
//!   [`finish_read`](BufferedStream::finish_read): end-of-file seen and
//!   acknowledged, so the stream closes once its output is flushed.
//!
//! # Invariants
//!
//! A [`WriteHalf`] writes exactly as [`BufferedStream::write`] does: the
//! same refusals (closing, closed), the same `written` count. It cannot
//! close the stream at once, only ask for a close after the flush.

use super::buffer::WriteBuffer;
use super::buffered::BufferedStream;
use super::error::{CloseReason, WriteError};
use super::transport::Transport;

/// The write side of a [`BufferedStream`], borrowed by
/// [`split`](BufferedStream::split) alongside its unconsumed read bytes.
#[derive(Debug)]
pub struct WriteHalf<'a, const W: usize> {
    tx: &'a mut WriteBuffer<W>,
    written: &'a mut u64,
    shutdown: &'a mut bool,
    closed: Option<CloseReason>,
}

impl<const W: usize> WriteHalf<'_, W> {
    /// Buffers as much of `bytes` as fits and returns how much, as
    /// [`BufferedStream::write`].
    ///
    /// # Errors
    /// [`WriteError::Full`] if not one byte fits, [`WriteError::Closing`]
    /// after a close was asked for, [`WriteError::Closed`] once closed.
    pub fn write(&mut self, bytes: &[u8]) -> Result<usize, WriteError> {
        self.check_open()?;
        if bytes.is_empty() {
            return Ok(0);
        }
        match self.tx.push(bytes) {
            0 => Err(WriteError::Full),
            n => {
                *self.written += n as u64;
                Ok(n)
            }
        }
    }

    /// Buffers all of `bytes` or none, as [`BufferedStream::try_write_all`].
    ///
    /// # Errors
    /// [`WriteError::Full`] if `bytes` does not fit the free space (nothing
    /// is buffered); [`WriteError::Closing`] and [`WriteError::Closed`] as
    /// for [`write`](Self::write).
    #[inline]
    pub fn try_write_all(&mut self, bytes: &[u8]) -> Result<(), WriteError> {
        self.check_open()?;
        if bytes.len() > self.tx.free() {
            return Err(WriteError::Full);
        }
        *self.written += self.tx.push(bytes) as u64;
        Ok(())
    }

    /// Buffers all of `parts`, one after the other, or none of them: one
    /// check and one pass for a message in pieces (a response head).
    ///
    /// # Errors
    /// As [`try_write_all`](Self::try_write_all).
    #[inline]
    pub fn try_write_parts(&mut self, parts: &[&[u8]]) -> Result<(), WriteError> {
        self.check_open()?;
        let n = self.tx.push_parts(parts).ok_or(WriteError::Full)?;
        *self.written += n as u64;
        Ok(())
    }

    /// Free space in the write buffer, in bytes; zero once the stream is
    /// closing or closed, since nothing more can be written then.
    #[inline]
    pub fn write_space(&self) -> usize {
        match self.check_open() {
            Ok(()) => self.tx.free(),
            Err(_) => 0,
        }
    }

    /// Bytes buffered and not yet accepted by the transport.
    pub fn unflushed(&self) -> usize {
        self.tx.len()
    }

    /// Why the stream closed, once it has.
    pub fn closed(&self) -> Option<CloseReason> {
        self.closed
    }

    /// Closes the stream once everything written so far is flushed, as
    /// [`BufferedStream::close_after_flush`].
    pub fn close_after_flush(&mut self) {
        *self.shutdown = true;
    }

    #[inline]
    fn check_open(&self) -> Result<(), WriteError> {
        match self.closed {
            Some(reason) => Err(WriteError::Closed(reason)),
            None if *self.shutdown => Err(WriteError::Closing),
            None => Ok(()),
        }
    }
}

impl<T, const R: usize, const W: usize> BufferedStream<T, R, W> {
    /// The unconsumed read bytes and the write side, borrowed at once: a
    /// parser's events may borrow the input while it writes its answer.
    /// Drop consumed bytes afterwards with
    /// [`discard`](Self::discard).
    ///
    /// ```
    /// use eddy_core::stream::{BufferedStream, MemTransport};
    ///
    /// let mut stream: BufferedStream<MemTransport<64>, 64, 64> = BufferedStream::new(MemTransport::new());
    /// stream.transport_mut().peer_send(b"ping\n").unwrap();
    /// stream.on_readable();
    /// let (input, mut out) = stream.split();
    /// let line = input.strip_suffix(b"\n").unwrap_or(input);
    /// out.try_write_all(line)?;
    /// let used = input.len();
    /// stream.discard(used)?;
    /// stream.on_writable();
    /// assert_eq!(stream.transport().outbound(), b"ping");
    /// assert!(stream.buffered().is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn split(&mut self) -> (&[u8], WriteHalf<'_, W>) {
        let half = WriteHalf {
            tx: &mut self.tx,
            written: &mut self.written,
            shutdown: &mut self.shutdown,
            closed: self.closed,
        };
        (self.rx.data(), half)
    }

    /// Why the read side finished, if it has: the peer's end-of-file, a read
    /// over its limit, or the stream's close. Buffered bytes may remain.
    pub fn read_closed(&self) -> Option<CloseReason> {
        self.read_side_end()
    }

    /// Tells the stream the application has seen the end of the read side
    /// (see [`read_closed`](Self::read_closed)), as a failed read would:
    /// the stream then closes with that reason once its write buffer is
    /// flushed. Does nothing while the read side is open.
    pub fn finish_read(&mut self) {
        if self.read_side_end().is_some() {
            self.end_delivered = true;
        }
    }

    /// Whether a close after the flush was asked for
    /// ([`close_after_flush`](Self::close_after_flush), or through a
    /// [`WriteHalf`]) and bytes are still waiting to be flushed before it
    /// (see [`is_closed`](Self::is_closed)).
    pub fn is_closing(&self) -> bool {
        self.shutdown && !self.is_closed()
    }

    /// Whether the last pull stopped at a full read buffer, so the
    /// transport may hold bytes no readiness event will announce.
    pub fn has_unread(&self) -> bool {
        self.rx_more
    }
}

impl<T: Transport, const R: usize, const W: usize> BufferedStream<T, R, W> {
    /// Pulls from the transport if the last pull stopped at a full read
    /// buffer and room was made since (see [`has_unread`](Self::has_unread));
    /// returns how many bytes arrived. A parser that consumes with
    /// [`discard`](Self::discard) calls it before waiting for readiness.
    pub fn refill(&mut self) -> usize {
        if self.rx_more && !self.rx.is_full() {
            self.pull()
        } else {
            0
        }
    }
}
