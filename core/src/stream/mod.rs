//! Buffered streams: Tornado's `IOStream`, sans-I/O, over any non-blocking
//! transport.
//!
//! A [`BufferedStream`] owns a [`Transport`] (anything `embedded-io`
//! `Read + Write + ReadReady + WriteReady`: a non-blocking socket, a pipe, a
//! smoltcp socket, the in-memory [`MemTransport`]) and two fixed-capacity
//! buffers whose sizes are const generics. It never waits and never reads a
//! clock: readiness goes in through [`on_readable`] / [`on_writable`],
//! outcomes come out through [`poll_read`], [`poll_flushed`] and
//! [`poll_close`].
//!
//! # A tour
//!
//! - [`buffer`](ReadBuffer): [`ReadBuffer`] and [`WriteBuffer`], `N` bytes
//!   each, compacted so free space is contiguous; no call panics.
//! - [`transport`](Transport): the trait bound and the contract an adapter
//!   keeps (readiness answered from the last event, would-block reported as
//!   `ErrorKind::Interrupted`, `flush` never called).
//! - Reads (`read.rs`): [`read_until`] (delimiters up to [`MAX_DELIMITER`]
//!   bytes), [`read_exact`], [`read_chunk`] / [`read_some`],
//!   [`read_until_close`]; one pending at a time; completed data is a
//!   borrow ([`data`]) released by [`consume`], never a copy.
//! - Writes (`write.rs`): [`write`] buffers what fits and says how much,
//!   [`WriteError::Full`] is backpressure; [`on_writable`] flushes.
//! - Close: [`poll_close`] reports a [`CloseReason`] exactly once.
//! - Direct access (`direct.rs`): [`BufferedStream::split`] lends the
//!   unconsumed bytes and a [`WriteHalf`] at once, for a parser that
//!   consumes bytes itself (the HTTP driver) and writes while it reads.
//! - Glue (`glue.rs`): [`StreamDriver`] maps an event's `Ready` flags onto
//!   the stream and says how to change the registration.
//! - Async (`async_io.rs`, `async_ops.rs`, `async_traits.rs`,
//!   `async_connect.rs`): [`AsyncStream`], below; [`IoSource`]
//!   (`source.rs`) and [`ConnectAttempt`] (`connect.rs`) are what a backend
//!   provides for it.
//!
//! # Rules (Tornado's, with half-close)
//!
//! - A read whose delimiter cannot fit `max_bytes` or the read buffer, or
//!   that asks for more than the buffer holds, is
//!   [`ReadError::Unsatisfiable`] at once and the stream stays usable.
//! - A line that does not end within `max_bytes`, or a read buffer that
//!   fills without satisfying the read, fails the read with
//!   `Closed(BufferFull)` and closes the stream with
//!   [`CloseReason::BufferFull`] once pending writes are flushed (so an
//!   error reply still goes out).
//! - End-of-file finishes the read side only: reads complete from the
//!   buffer while they can, `read_until_close` completes with everything,
//!   the others fail with `Closed(PeerClosed)`; writes go on. Once that was
//!   delivered and the write buffer is empty the stream closes with
//!   [`CloseReason::PeerClosed`].
//! - A transport error (reset: [`CloseReason::Reset`]), [`close`] and
//!   [`on_timeout`] close at once and drop unsent bytes; received bytes
//!   stay readable.
//!
//! # The async style
//!
//! [`AsyncStream`] wraps the same state machine in `async` methods driven
//! by the same reactor through a [`Runtime`](crate::task::Runtime):
//! `stream.read_until(b"\r\n\r\n", 8192).await`, `read_exact`,
//! `read_chunk` / `read_some`, `read_until_close`, `write` / `write_all`,
//! `flush` and `close`, and [`AsyncStream::connect`] for a client. An
//! operation that must wait registers the transport's source (an
//! [`IoSource`]) under a handler that wakes the current task by id; the
//! event's readiness reaches the transport when the task is polled again,
//! and the operation re-checks its `poll_*` method. It implements
//! `embedded-io-async` `Read`, `BufRead` and `Write` (end-of-file is
//! `Ok(0)` there), so other crates can use eddy streams.
//!
//! Client connections are a backend's [`ConnectAttempt`]: `eddy_std`'s
//! `Connecting`, the simulator's scripted attempt in the test suite, a
//! smoltcp socket in `SynSent`.
//!
//! [`on_readable`]: BufferedStream::on_readable
//! [`on_writable`]: BufferedStream::on_writable
//! [`poll_read`]: BufferedStream::poll_read
//! [`poll_flushed`]: BufferedStream::poll_flushed
//! [`poll_close`]: BufferedStream::poll_close
//! [`read_until`]: BufferedStream::read_until
//! [`read_exact`]: BufferedStream::read_exact
//! [`read_chunk`]: BufferedStream::read_chunk
//! [`read_some`]: BufferedStream::read_some
//! [`read_until_close`]: BufferedStream::read_until_close
//! [`data`]: BufferedStream::data
//! [`consume`]: BufferedStream::consume
//! [`write`]: BufferedStream::write
//! [`close`]: BufferedStream::close
//! [`on_timeout`]: BufferedStream::on_timeout
//! [`flushed`]: BufferedStream::flushed
//! [`written`]: BufferedStream::written

mod async_connect;
mod async_io;
mod async_ops;
mod async_traits;
mod buffer;
mod buffered;
mod connect;
mod direct;
mod error;
mod glue;
#[cfg(any(test, doc, feature = "sim"))]
mod mem;
mod pending;
mod read;
mod source;
mod transport;
mod write;

pub use async_connect::ConnectFailed;
pub use async_io::AsyncStream;
pub use buffer::{ReadBuffer, WriteBuffer};
pub use buffered::BufferedStream;
pub use connect::{ConnectAttempt, ConnectError};
pub use direct::WriteHalf;
pub use error::{CloseReason, ReadError, StreamError, WriteError};
pub use glue::{InterestChange, StreamDriver};
#[cfg(any(test, doc, feature = "sim"))]
pub use mem::MemTransport;
pub use read::{ReadDone, MAX_DELIMITER};
pub use source::IoSource;
pub use transport::Transport;

#[cfg(test)]
mod tests;
