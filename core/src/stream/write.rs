//! The write side: buffered writes, flushing, and backpressure.
//!
//! [`write`](BufferedStream::write) only copies into the `W`-byte write
//! buffer; [`on_writable`](BufferedStream::on_writable) hands the buffer to
//! the transport until it would block. Memory is bounded by `W`: when the
//! buffer is full the writer gets [`WriteError::Full`] and decides (wait
//! for [`poll_flushed`](BufferedStream::poll_flushed), or disconnect a peer
//! that does not read).
//!
//! # Invariants
//!
//! - `written` counts bytes accepted by `write`, `flushed` bytes accepted by
//!   the transport; `written - flushed` is the buffer's length until a hard
//!   close drops unsent bytes (then `flushed` stays behind for good).
//! - Writes are refused after `close_after_flush` and after close, but not
//!   after the peer's end-of-file (half-close).

use embedded_io::{Error as _, ErrorKind};

use super::buffered::BufferedStream;
use super::error::WriteError;
use super::transport::Transport;

impl<T, const R: usize, const W: usize> BufferedStream<T, R, W> {
    /// Buffers as much of `bytes` as fits and returns how much: all of it,
    /// or a prefix once the buffer fills. `Ok(0)` only for empty `bytes`.
    /// Nothing is sent until [`on_writable`](Self::on_writable).
    ///
    /// # Errors
    /// [`WriteError::Full`] if not one byte fits (backpressure);
    /// [`WriteError::Closing`] after
    /// [`close_after_flush`](Self::close_after_flush);
    /// [`WriteError::Closed`] once the stream is closed.
    pub fn write(&mut self, bytes: &[u8]) -> Result<usize, WriteError> {
        // One implementation: the write half lent by `split` keeps the rules.
        self.split().1.write(bytes)
    }

    /// Buffers all of `bytes` or none of them (a message that must not be
    /// cut, like a chat line).
    ///
    /// # Errors
    /// [`WriteError::Full`] if `bytes` does not fit the free space (nothing
    /// is buffered); [`WriteError::Closing`] and [`WriteError::Closed`] as
    /// for [`write`](Self::write).
    pub fn try_write_all(&mut self, bytes: &[u8]) -> Result<(), WriteError> {
        self.split().1.try_write_all(bytes)
    }

    /// Free space in the write buffer, in bytes.
    pub fn write_space(&self) -> usize {
        self.tx.free()
    }

    /// Bytes buffered and not yet accepted by the transport.
    pub fn unflushed(&self) -> usize {
        self.tx.len()
    }

    /// Whether every buffered byte went to the transport.
    pub fn is_flushed(&self) -> bool {
        self.tx.is_empty()
    }

    /// Whether the write buffer became empty (in
    /// [`on_writable`](Self::on_writable)) since the last call: true once
    /// per flush completion (Tornado's resolved write future).
    pub fn poll_flushed(&mut self) -> bool {
        core::mem::take(&mut self.flush_event)
    }

    /// Total bytes accepted by [`write`](Self::write) since the start; with
    /// [`flushed`](Self::flushed) it tells whether a given write went out
    /// (note `written()` after writing, wait until `flushed()` reaches it).
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Total bytes handed to the transport since the start.
    pub fn flushed(&self) -> u64 {
        self.flushed
    }
}

impl<T: Transport, const R: usize, const W: usize> BufferedStream<T, R, W> {
    /// Readiness says the transport is writable (or failed): hands buffered
    /// bytes to the transport until it would block or the buffer is empty.
    /// Returns how many bytes went out. Also fine to call right after
    /// [`write`](Self::write), to send without waiting for an event (as
    /// Tornado does). A transport failure closes the stream (see
    /// [`poll_close`](Self::poll_close)).
    pub fn on_writable(&mut self) -> usize {
        if self.closed.is_some() || self.tx.is_empty() {
            return 0;
        }
        let mut total = 0;
        while !self.tx.is_empty() {
            match self.transport.write_ready() {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    self.fail(e.kind());
                    return total;
                }
            }
            match self.transport.write(self.tx.pending()) {
                Ok(0) => {
                    self.fail(ErrorKind::WriteZero);
                    return total;
                }
                Ok(n) => {
                    let n = self.tx.advance(n);
                    self.flushed += n as u64;
                    total += n;
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => break,
                Err(e) => {
                    self.fail(e.kind());
                    return total;
                }
            }
        }
        if self.tx.is_empty() {
            self.flush_event = true;
        }
        total
    }
}
