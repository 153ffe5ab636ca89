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
//! - Glue (`glue.rs`): [`StreamDriver`] maps an event's `Ready` flags onto
//!   the stream and says how to change the registration.
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
//! # Toward `embedded-io-async`
//!
//! The stream already implements `embedded_io::ErrorType` with
//! [`StreamError`], whose kinds map onto `embedded_io::ErrorKind`. The async
//! side will be thin futures over this same state machine, driven by the
//! same reactor: a readiness event wakes the task that registered a waker
//! beside the stream, and the future re-checks its `poll_*` method.
//! `read_until(..).await` starts the read and then polls [`poll_read`];
//! `Read::read` is [`read_some`] plus a copy and a consume; `BufRead`'s
//! `fill_buf` is [`read_some`] plus [`data`], its `consume(amt)` a partial
//! consume; `Write::write` is [`write`], awaiting writability on
//! [`WriteError::Full`]; `flush` awaits [`flushed`] reaching [`written`].
//! End-of-file becomes `Ok(0)` there instead of `Closed(PeerClosed)`.
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
mod error;
mod glue;
#[cfg(any(test, feature = "sim"))]
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
pub use error::{CloseReason, ReadError, StreamError, WriteError};
pub use glue::{InterestChange, StreamDriver};
#[cfg(any(test, feature = "sim"))]
pub use mem::MemTransport;
pub use read::{ReadDone, MAX_DELIMITER};
pub use source::IoSource;
pub use transport::Transport;

#[cfg(test)]
mod tests;
