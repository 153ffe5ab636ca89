//! An in-memory [`Transport`](super::Transport) whose peer the test drives;
//! see [`MemTransport`].

use core::fmt;

use embedded_io::{ErrorKind, ErrorType, Read, ReadReady, Write, WriteReady};
use heapless::Deque;

use super::buffer::WriteBuffer;
use crate::error::Full;

/// An in-memory connection for tests: up to `N` bytes queued each way and
/// `C` inbound chunks.
///
/// The far end is played by the test:
/// the `peer_*` methods queue bytes for the stream to read (each
/// [`peer_send`](MemTransport::peer_send) is one chunk, and a `read` never
/// crosses a chunk boundary, so a test chooses exactly how data arrives),
/// send end-of-file, reset the connection, or fail it with any error kind;
/// [`outbound`](MemTransport::outbound) and
/// [`peer_drain`](MemTransport::peer_drain) play the peer's receive side,
/// and [`set_write_limit`](MemTransport::set_write_limit) caps how many
/// bytes one `write` accepts. A full outbound side blocks writes: that is
/// how a test makes a peer that does not read and gets backpressure.
///
/// It keeps the transport contract: `read_ready()` is true while a chunk,
/// end-of-file or an error is waiting; a read or write that would block
/// returns `ErrorKind::Interrupted`. Capacity is fixed (`N` bytes each way,
/// `C` queued chunks), so it works without an allocator.
pub struct MemTransport<const N: usize, const C: usize = 16> {
    inbound: WriteBuffer<N>,
    chunks: Deque<usize, C>,
    eof: bool,
    error: Option<ErrorKind>,
    outbound: WriteBuffer<N>,
    write_limit: usize,
    reads: usize,
    writes: usize,
}

impl<const N: usize, const C: usize> MemTransport<N, C> {
    /// An open connection with nothing queued and no write limit.
    pub const fn new() -> Self {
        MemTransport {
            inbound: WriteBuffer::new(),
            chunks: Deque::new(),
            eof: false,
            error: None,
            outbound: WriteBuffer::new(),
            write_limit: usize::MAX,
            reads: 0,
            writes: 0,
        }
    }

    /// Queues `chunk` as one arrival; reads hand it over in at most one
    /// piece per call. An empty chunk is ignored.
    ///
    /// # Errors
    /// [`Full`] with the chunk, and nothing queued, if it does not fit in
    /// the `N` inbound bytes or the `C` chunk slots.
    pub fn peer_send<'a>(&mut self, chunk: &'a [u8]) -> Result<(), Full<&'a [u8]>> {
        if chunk.is_empty() {
            return Ok(());
        }
        if self.chunks.is_full() || self.inbound.free() < chunk.len() {
            return Err(Full(chunk));
        }
        self.inbound.push(chunk);
        // Cannot fail: checked not full above.
        let _ = self.chunks.push_back(chunk.len());
        Ok(())
    }

    /// The peer shuts down its sending side: once the queued chunks are
    /// read, reads return `Ok(0)`.
    pub fn peer_close(&mut self) {
        self.eof = true;
    }

    /// The peer resets the connection: queued inbound bytes are lost and
    /// every later read and write fails with `ErrorKind::ConnectionReset`.
    pub fn peer_reset(&mut self) {
        self.fail(ErrorKind::ConnectionReset);
    }

    /// The connection fails: queued inbound bytes are lost and every later
    /// read and write fails with `kind`.
    pub fn fail(&mut self, kind: ErrorKind) {
        self.inbound.clear();
        self.chunks.clear();
        self.error = Some(kind);
    }

    /// Caps the bytes one `write` call accepts (`0`: writes block).
    pub fn set_write_limit(&mut self, limit: usize) {
        self.write_limit = limit;
    }

    /// The bytes the stream wrote that the peer has not drained yet.
    pub fn outbound(&self) -> &[u8] {
        self.outbound.pending()
    }

    /// The peer reads `n` bytes (clamped), making room for more writes;
    /// returns how many it took.
    pub fn peer_drain(&mut self, n: usize) -> usize {
        self.outbound.advance(n)
    }

    /// Inbound bytes queued and not yet read by the stream.
    pub fn inbound_len(&self) -> usize {
        self.inbound.len()
    }

    /// Number of `read` calls that returned bytes.
    pub fn reads(&self) -> usize {
        self.reads
    }

    /// Number of `write` calls that accepted bytes.
    pub fn writes(&self) -> usize {
        self.writes
    }
}

impl<const N: usize, const C: usize> Default for MemTransport<N, C> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize, const C: usize> fmt::Debug for MemTransport<N, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemTransport")
            .field("inbound", &self.inbound.len())
            .field("outbound", &self.outbound.len())
            .field("eof", &self.eof)
            .field("error", &self.error)
            .finish()
    }
}

impl<const N: usize, const C: usize> ErrorType for MemTransport<N, C> {
    type Error = ErrorKind;
}

impl<const N: usize, const C: usize> Read for MemTransport<N, C> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        if let Some(kind) = self.error {
            return Err(kind);
        }
        if buf.is_empty() {
            return Ok(0);
        }
        let Some(chunk) = self.chunks.front_mut() else {
            return if self.eof {
                Ok(0)
            } else {
                Err(ErrorKind::Interrupted)
            };
        };
        let n = (*chunk).min(buf.len());
        buf[..n].copy_from_slice(&self.inbound.pending()[..n]);
        self.inbound.advance(n);
        *chunk -= n;
        if *chunk == 0 {
            self.chunks.pop_front();
        }
        self.reads += 1;
        Ok(n)
    }
}

impl<const N: usize, const C: usize> ReadReady for MemTransport<N, C> {
    fn read_ready(&mut self) -> Result<bool, ErrorKind> {
        Ok(self.error.is_some() || !self.chunks.is_empty() || self.eof)
    }
}

impl<const N: usize, const C: usize> Write for MemTransport<N, C> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, ErrorKind> {
        if let Some(kind) = self.error {
            return Err(kind);
        }
        if buf.is_empty() {
            return Ok(0);
        }
        let n = buf.len().min(self.write_limit).min(self.outbound.free());
        if n == 0 {
            return Err(ErrorKind::Interrupted);
        }
        self.outbound.push(&buf[..n]);
        self.writes += 1;
        Ok(n)
    }

    fn flush(&mut self) -> Result<(), ErrorKind> {
        match self.error {
            Some(kind) => Err(kind),
            None => Ok(()),
        }
    }
}

impl<const N: usize, const C: usize> WriteReady for MemTransport<N, C> {
    fn write_ready(&mut self) -> Result<bool, ErrorKind> {
        Ok(self.error.is_some() || (self.write_limit > 0 && !self.outbound.is_full()))
    }
}
