//! The `async` operations of [`AsyncStream`]: each starts the matching
//! [`BufferedStream`](super::BufferedStream) operation and then polls it,
//! waiting for readiness in between (see `async_io.rs` for how a wait
//! works).

use core::future::poll_fn;
use core::task::Poll;

use super::async_io::AsyncStream;
use super::error::{ReadError, WriteError};
use super::read::ReadDone;
use super::source::IoSource;
use crate::backend::Backend;
use crate::event::Interest;

impl<B: Backend, T: IoSource<B>, const R: usize, const W: usize> AsyncStream<'_, B, T, R, W> {
    /// Reads up to and including `delimiter`, at most `max_bytes` bytes
    /// (Tornado's `read_until`); see [`BufferedStream::read_until`].
    ///
    /// # Errors
    /// As [`BufferedStream::read_until`] and
    /// [`BufferedStream::poll_read`]: `InvalidDelimiter` and
    /// `Unsatisfiable` at once, `Closed(BufferFull)` for a line over the
    /// limit, `Closed(reason)` once no more bytes can arrive.
    ///
    /// [`BufferedStream::read_until`]: super::BufferedStream::read_until
    /// [`BufferedStream::poll_read`]: super::BufferedStream::poll_read
    pub async fn read_until(&mut self, delimiter: &[u8], max_bytes: usize) -> Result<ReadDone, ReadError> {
        self.stream.cancel_read();
        self.stream.read_until(delimiter, max_bytes)?;
        self.finish_read().await
    }

    /// Reads exactly `n` bytes (Tornado's `read_bytes`).
    ///
    /// # Errors
    /// `Unsatisfiable` if `n` is over `R`; `Closed(reason)` if the read
    /// side finishes first.
    pub async fn read_exact(&mut self, n: usize) -> Result<ReadDone, ReadError> {
        self.stream.cancel_read();
        self.stream.read_exact(n)?;
        self.finish_read().await
    }

    /// Reads whatever arrives next, up to `max` bytes (Tornado's
    /// `read_bytes(partial=True)`): the streaming read.
    ///
    /// # Errors
    /// `Unsatisfiable` if `max` is zero; `Closed(reason)` once no more
    /// bytes can arrive and none are buffered.
    pub async fn read_chunk(&mut self, max: usize) -> Result<ReadDone, ReadError> {
        self.stream.cancel_read();
        self.stream.read_chunk(max)?;
        self.finish_read().await
    }

    /// [`read_chunk`](Self::read_chunk) limited only by the buffer.
    ///
    /// # Errors
    /// As [`read_chunk`](Self::read_chunk).
    pub async fn read_some(&mut self) -> Result<ReadDone, ReadError> {
        self.read_chunk(usize::MAX).await
    }

    /// Reads everything until the read side finishes (Tornado's
    /// `read_until_close`); it must fit the read buffer.
    ///
    /// # Errors
    /// `Closed(BufferFull)` if the buffer fills first; `Closed(reason)` if
    /// the end was already delivered and nothing is buffered.
    pub async fn read_until_close(&mut self) -> Result<ReadDone, ReadError> {
        self.stream.cancel_read();
        self.stream.read_until_close()?;
        self.finish_read().await
    }

    async fn finish_read(&mut self) -> Result<ReadDone, ReadError> {
        poll_fn(|_| {
            if let Some(done) = self.stream.poll_read() {
                self.settle();
                return Poll::Ready(done);
            }
            self.pump();
            if let Some(done) = self.stream.poll_read() {
                self.settle();
                return Poll::Ready(done);
            }
            match self.wait(Interest::READABLE) {
                Ok(()) => Poll::Pending,
                Err(reason) => Poll::Ready(Err(ReadError::Closed(reason))),
            }
        })
        .await
    }

    /// Buffers as much of `bytes` as fits, waiting while the buffer is
    /// full (backpressure), and starts sending; returns how much was taken
    /// (`0` only for empty `bytes`). The bytes go out while the stream is
    /// awaited; [`flush`](Self::flush) waits for all of them.
    ///
    /// # Errors
    /// [`WriteError::Closing`] or [`WriteError::Closed`], as
    /// [`BufferedStream::write`](super::BufferedStream::write).
    pub async fn write(&mut self, bytes: &[u8]) -> Result<usize, WriteError> {
        let written = poll_fn(|_| loop {
            match self.stream.write(bytes) {
                Ok(n) => {
                    self.stream.on_writable();
                    return Poll::Ready(Ok(n));
                }
                Err(WriteError::Full) => {
                    self.pump();
                    if self.stream.write_space() > 0 {
                        continue;
                    }
                    // Still full: the transport would block.
                    return match self.wait(Interest::WRITABLE) {
                        Ok(()) => Poll::Pending,
                        Err(reason) => Poll::Ready(Err(WriteError::Closed(reason))),
                    };
                }
                Err(e) => return Poll::Ready(Err(e)),
            }
        })
        .await;
        self.settle();
        written
    }

    /// Buffers all of `bytes`, waiting for room as often as needed.
    ///
    /// # Errors
    /// As [`write`](Self::write); bytes buffered before the error stay
    /// buffered (or are dropped, if the stream closed).
    pub async fn write_all(&mut self, mut bytes: &[u8]) -> Result<(), WriteError> {
        while !bytes.is_empty() {
            let n = self.write(bytes).await?;
            bytes = bytes.get(n..).unwrap_or_default();
        }
        Ok(())
    }

    /// Waits until every buffered byte was handed to the transport
    /// (Tornado's resolved write future).
    ///
    /// # Errors
    /// [`WriteError::Closed`] if the stream closed first (unsent bytes are
    /// lost then).
    pub async fn flush(&mut self) -> Result<(), WriteError> {
        let done = poll_fn(|_| {
            if let Some(reason) = self.stream.closed {
                return Poll::Ready(Err(WriteError::Closed(reason)));
            }
            self.pump();
            if let Some(reason) = self.stream.closed {
                return Poll::Ready(Err(WriteError::Closed(reason)));
            }
            if self.stream.is_flushed() {
                return Poll::Ready(Ok(()));
            }
            match self.wait(Interest::WRITABLE) {
                Ok(()) => Poll::Pending,
                Err(reason) => Poll::Ready(Err(WriteError::Closed(reason))),
            }
        })
        .await;
        self.settle();
        done
    }
}
