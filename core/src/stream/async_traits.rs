//! `embedded-io-async` for [`AsyncStream`]: `Read`, `BufRead` and `Write`,
//! so crates written against those traits run over an eddy stream.
//!
//! The mapping (see the module docs of [`stream`](super)):
//! - `Read::read` copies buffered bytes if there are any, else waits for a
//!   streaming read; end-of-file is `Ok(0)`.
//! - `BufRead::fill_buf` is the buffered bytes (waiting for some if there
//!   are none), `consume(amt)` drops a prefix of them.
//! - `Write::write` buffers what fits, waiting while the buffer is full;
//!   `flush` waits until the transport took every byte.

use embedded_io::ErrorType;
use embedded_io_async::{BufRead, Read, Write};

use super::async_io::AsyncStream;
use super::error::{CloseReason, ReadError, StreamError};
use super::source::IoSource;
use crate::backend::Backend;

impl<B: Backend, T: IoSource<B>, const R: usize, const W: usize> ErrorType for AsyncStream<'_, B, T, R, W> {
    type Error = StreamError;
}

impl<B: Backend, T: IoSource<B>, const R: usize, const W: usize> AsyncStream<'_, B, T, R, W> {
    /// Waits until at least one byte is buffered; `false` at end-of-file.
    async fn fill(&mut self) -> Result<bool, StreamError> {
        if !self.stream.buffered().is_empty() {
            return Ok(true);
        }
        match self.read_some().await {
            Ok(_done) => Ok(true),
            Err(ReadError::Closed(CloseReason::PeerClosed)) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
}

impl<B: Backend, T: IoSource<B>, const R: usize, const W: usize> Read for AsyncStream<'_, B, T, R, W> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, StreamError> {
        if buf.is_empty() || !self.fill().await? {
            return Ok(0);
        }
        let data = self.stream.buffered();
        let n = data.len().min(buf.len());
        buf[..n].copy_from_slice(&data[..n]);
        Ok(self.stream.discard(n)?)
    }
}

impl<B: Backend, T: IoSource<B>, const R: usize, const W: usize> BufRead for AsyncStream<'_, B, T, R, W> {
    async fn fill_buf(&mut self) -> Result<&[u8], StreamError> {
        if !self.fill().await? {
            return Ok(&[]);
        }
        Ok(self.stream.buffered())
    }

    fn consume(&mut self, amt: usize) {
        // No read is pending between `fill_buf` and `consume`: the only
        // failure of `discard` cannot happen here.
        let _ = self.stream.discard(amt);
    }
}

impl<B: Backend, T: IoSource<B>, const R: usize, const W: usize> Write for AsyncStream<'_, B, T, R, W> {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, StreamError> {
        Ok(AsyncStream::write(self, buf).await?)
    }

    async fn flush(&mut self) -> Result<(), StreamError> {
        Ok(AsyncStream::flush(self).await?)
    }
}
