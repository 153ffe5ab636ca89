//! The read operations: one pending at a time, completed sans-I/O.
//!
//! A read is started with its parameters, checked against the buffered
//! bytes by [`poll_read`](BufferedStream::poll_read), and handed over as a
//! [`ReadDone`]: a length into the read buffer, so nothing is copied. The
//! bytes stay at the front of the buffer until
//! [`consume`](BufferedStream::consume)d; bytes past them stay buffered for
//! the next read.
//!
//! # Invariants
//!
//! - At most one read is pending; positions inside it are relative to the
//!   front of the read buffer, which does not move while it is pending
//!   (nothing is consumed then; compaction moves bytes, not the front).
//! - `read_until` remembers the first delimiter start it has not ruled out
//!   (`next_start`), so each byte is examined at most once plus the
//!   delimiter's length per arrival: a long line costs O(n), and a
//!   delimiter split across arrivals is still found.
//! - A `ReadDone` is valid until the next read starts; a stale one reads as
//!   empty and consumes nothing.
//! - Outcomes follow Tornado: bytes satisfy a read whenever they can, even
//!   after close; a read over its limit closes with `BufferFull`; when the
//!   read side is finished, `read_until_close` completes with every
//!   buffered byte and the others fail with the reason.

use super::buffered::BufferedStream;
use super::error::{CloseReason, ReadError};
use super::pending::{Check, Delimiter, ReadOp};
use super::transport::Transport;

/// The longest delimiter [`read_until`](BufferedStream::read_until) takes.
pub const MAX_DELIMITER: usize = 16;

/// A completed read: the first [`len`](Self::len) buffered bytes are its
/// data. Look at them with [`BufferedStream::data`], then hand it back to
/// [`BufferedStream::consume`].
#[derive(Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[must_use = "the bytes stay buffered until the ReadDone is consumed"]
pub struct ReadDone {
    seq: u32,
    len: usize,
    delimiter_len: usize,
}

impl ReadDone {
    /// Number of bytes the read delivered (a `read_until` line includes its
    /// delimiter).
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether the read delivered nothing (`read_exact(0)`, or
    /// `read_until_close` on an empty buffer).
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Length of the delimiter at the end of the data (`0` except for
    /// `read_until`).
    pub const fn delimiter_len(&self) -> usize {
        self.delimiter_len
    }
}

/// The read half of the stream's state.
#[derive(Debug)]
pub(super) struct ReadState {
    op: Option<ReadOp>,
    /// Number of the most recently started read.
    seq: u32,
    /// The read `seq` completed and its bytes were not consumed yet.
    unconsumed: bool,
    /// Bytes examined by delimiter searches (tests check the O(n) bound).
    scanned: usize,
}

impl ReadState {
    pub(super) const fn new() -> Self {
        ReadState {
            op: None,
            seq: 0,
            unconsumed: false,
            scanned: 0,
        }
    }

    pub(super) fn is_pending(&self) -> bool {
        self.op.is_some()
    }
}

impl<T, const R: usize, const W: usize> BufferedStream<T, R, W> {
    /// Starts reading up to and including `delimiter` (Tornado's
    /// `read_until`), at most `max_bytes` bytes in all. A `max_bytes` above
    /// the read buffer's `R` is allowed; the buffer is then the limit.
    ///
    /// # Errors
    /// [`ReadError::Pending`] if a read is pending;
    /// [`ReadError::InvalidDelimiter`] for an empty delimiter or one over
    /// [`MAX_DELIMITER`] bytes; [`ReadError::Unsatisfiable`] if the
    /// delimiter is longer than `max_bytes` or `R`. Nothing changes then.
    /// A line that does not end within the limit fails later, in
    /// [`poll_read`](Self::poll_read), closing the stream with
    /// [`CloseReason::BufferFull`].
    pub fn read_until(&mut self, delimiter: &[u8], max_bytes: usize) -> Result<(), ReadError> {
        self.check_idle()?;
        let d = Delimiter::new(delimiter).ok_or(ReadError::InvalidDelimiter)?;
        if d.len() > max_bytes.min(R) {
            return Err(ReadError::Unsatisfiable);
        }
        self.start(ReadOp::Until {
            delimiter: d,
            max: max_bytes,
            next_start: 0,
        });
        Ok(())
    }

    /// Starts reading exactly `n` bytes (Tornado's `read_bytes`).
    ///
    /// # Errors
    /// [`ReadError::Pending`] if a read is pending;
    /// [`ReadError::Unsatisfiable`] if `n` is over the read buffer's `R`.
    pub fn read_exact(&mut self, n: usize) -> Result<(), ReadError> {
        self.check_idle()?;
        if n > R {
            return Err(ReadError::Unsatisfiable);
        }
        self.start(ReadOp::Exact(n));
        Ok(())
    }

    /// Starts a streaming read: it completes with up to `max` bytes as soon
    /// as any byte is buffered (Tornado's `read_bytes(partial=True)`).
    ///
    /// # Errors
    /// [`ReadError::Pending`] if a read is pending;
    /// [`ReadError::Unsatisfiable`] if `max` or `R` is zero.
    pub fn read_chunk(&mut self, max: usize) -> Result<(), ReadError> {
        self.check_idle()?;
        if max == 0 || R == 0 {
            return Err(ReadError::Unsatisfiable);
        }
        self.start(ReadOp::Chunk(max));
        Ok(())
    }

    /// [`read_chunk`](Self::read_chunk) with no limit but the buffer:
    /// completes with everything buffered as soon as anything is.
    ///
    /// # Errors
    /// As [`read_chunk`](Self::read_chunk).
    pub fn read_some(&mut self) -> Result<(), ReadError> {
        self.read_chunk(usize::MAX)
    }

    /// Starts reading everything until the read side finishes (Tornado's
    /// `read_until_close`): it completes then with every buffered byte,
    /// possibly none. Everything must fit the read buffer: a buffer that
    /// fills first closes the stream with [`CloseReason::BufferFull`] (use
    /// [`read_some`](Self::read_some) to stream instead). On a stream whose
    /// end was already delivered and whose buffer is empty, it fails with
    /// the close reason.
    ///
    /// # Errors
    /// [`ReadError::Pending`] if a read is pending.
    pub fn read_until_close(&mut self) -> Result<(), ReadError> {
        self.check_idle()?;
        self.start(ReadOp::UntilClose);
        Ok(())
    }

    /// Whether a read is pending.
    pub fn is_read_pending(&self) -> bool {
        self.read.is_pending()
    }

    /// Abandons the pending read, if any (an async read whose future was
    /// dropped, say by a timeout); buffered bytes stay for the next read.
    pub fn cancel_read(&mut self) {
        self.read.op = None;
    }

    /// Drops the first `n` buffered bytes (all of them if fewer are
    /// buffered) outside any read, and returns how many: what
    /// `BufRead::consume` needs. A completed read that was not consumed yet
    /// becomes stale.
    ///
    /// # Errors
    /// [`ReadError::Pending`] if a read is pending (its positions are
    /// relative to the front of the buffer); nothing is dropped then.
    pub fn discard(&mut self, n: usize) -> Result<usize, ReadError> {
        self.check_idle()?;
        self.read.unconsumed = false;
        Ok(self.rx.consume(n))
    }

    /// The bytes of a completed read; empty if `done` is stale (a newer
    /// read started) or already consumed.
    pub fn data(&self, done: &ReadDone) -> &[u8] {
        if !self.is_current(done) {
            return &[];
        }
        let data = self.rx.data();
        &data[..done.len.min(data.len())]
    }

    /// Drops a completed read's bytes from the buffer; what follows them
    /// stays for the next read.
    ///
    /// # Errors
    /// [`ReadError::Stale`] if a newer read started since `done` completed;
    /// nothing is consumed then.
    pub fn consume(&mut self, done: ReadDone) -> Result<(), ReadError> {
        if !self.is_current(&done) {
            return Err(ReadError::Stale);
        }
        self.rx.consume(done.len);
        self.read.unconsumed = false;
        Ok(())
    }

    /// Bytes examined by delimiter searches so far.
    #[cfg(test)]
    pub(super) fn scanned(&self) -> usize {
        self.read.scanned
    }

    fn is_current(&self, done: &ReadDone) -> bool {
        self.read.unconsumed && done.seq == self.read.seq
    }

    fn check_idle(&self) -> Result<(), ReadError> {
        if self.read.is_pending() {
            Err(ReadError::Pending)
        } else {
            Ok(())
        }
    }

    fn start(&mut self, op: ReadOp) {
        self.read.op = Some(op);
        self.read.seq = self.read.seq.wrapping_add(1);
        self.read.unconsumed = false;
    }
}

impl<T: Transport, const R: usize, const W: usize> BufferedStream<T, R, W> {
    /// Whether the pending read completed: `None` while it waits for bytes
    /// (or when no read is pending), then once `Some` with the outcome, and
    /// the read is no longer pending. If the read buffer filled up earlier
    /// and the application consumed since, this pulls from the transport
    /// first, since no new readiness event may come for those bytes.
    ///
    /// # Errors
    /// [`ReadError::Closed`] with [`CloseReason::BufferFull`] if the read
    /// cannot complete within its limit or the buffer (the stream then
    /// closes once its writes are flushed: an error reply can still be
    /// sent), or with the reason the read side finished (end-of-file,
    /// reset, ...) if no more bytes will come. Buffered bytes stay readable
    /// through [`read_until_close`](Self::read_until_close).
    pub fn poll_read(&mut self) -> Option<Result<ReadDone, ReadError>> {
        let mut op = self.read.op?;
        // Bounded: a pull either leaves `rx_more` false or fills the buffer,
        // and a full buffer settles every read.
        for _ in 0..3 {
            let ended = self.read_side_end().is_some();
            let check = op.check(self.rx.data(), R, ended, &mut self.read.scanned);
            match check {
                Check::NeedMore if self.rx_more => {
                    self.pull();
                }
                Check::NeedMore => break,
                Check::Done { len, delimiter_len } => {
                    if matches!(op, ReadOp::UntilClose) {
                        if len == 0 && self.end_delivered {
                            return Some(Err(self.finish_ended()));
                        }
                        self.end_delivered = true;
                    }
                    self.read.op = None;
                    self.read.unconsumed = true;
                    let seq = self.read.seq;
                    return Some(Ok(ReadDone {
                        seq,
                        len,
                        delimiter_len,
                    }));
                }
                Check::Overflow => {
                    self.read.op = None;
                    if self.closed.is_none() && self.read_end.is_none() {
                        debug!("stream read over its limit");
                        self.read_end = Some(CloseReason::BufferFull);
                    }
                    self.end_delivered = true;
                    return Some(Err(ReadError::Closed(CloseReason::BufferFull)));
                }
                Check::Ended => return Some(Err(self.finish_ended())),
            }
        }
        self.read.op = Some(op);
        None
    }

    /// Ends the pending read because the read side finished.
    fn finish_ended(&mut self) -> ReadError {
        self.read.op = None;
        self.end_delivered = true;
        ReadError::Closed(self.read_side_end().unwrap_or(CloseReason::PeerClosed))
    }
}
