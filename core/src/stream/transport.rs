//! What a stream needs from a transport: the [`Transport`] bound and, in
//! its documentation, the contract a non-blocking adapter keeps.

use embedded_io::{Read, ReadReady, Write, WriteReady};

/// A non-blocking byte transport: what a [`BufferedStream`](super::BufferedStream) needs.
///
/// A transport is any byte pipe seen through `embedded-io`:
/// [`Read`] + [`Write`] + [`ReadReady`] + [`WriteReady`]. `embedded-io` 0.7
/// has no `WouldBlock` error kind; non-blocking use goes through the
/// readiness traits instead, and the stream calls `read` only right after
/// `read_ready()` said `Ok(true)` (`write` likewise after `write_ready()`).
///
/// # The contract an adapter keeps
///
/// - **`read_ready()` answers without blocking** from what the adapter knows:
///   the last readiness event, or the socket's state (smoltcp:
///   `can_recv() || !may_recv()`). It is `true` when a `read` would return
///   data, end-of-file (`Ok(0)`) or an error, and turns `false` once a read
///   would block. An adapter that cannot know may answer `true`
///   optimistically (see the next rule). `write_ready()` is the same for
///   `write`.
/// - **A call made after `Ok(true)` never blocks.** If it would (spurious
///   readiness, or an optimistic answer), the adapter records that it is no
///   longer ready and returns an error of kind
///   [`ErrorKind::Interrupted`](embedded_io::ErrorKind::Interrupted). The
///   stream reads that kind as "would block": it stops and waits for the
///   next readiness event. It is never a failure, so an adapter retries a
///   real `EINTR` itself rather than report it.
/// - **`read` returns `Ok(0)` only at end-of-file** (the peer shut down its
///   sending side), for the non-empty buffers the stream passes.
/// - **`write` returns `Ok(0)` never** for a non-empty buffer (as
///   `embedded-io` requires); the stream treats it as a failed transport
///   ([`ErrorKind::WriteZero`](embedded_io::ErrorKind::WriteZero)).
/// - **Errors carry their kind**: `ErrorKind::ConnectionReset` for a reset
///   (it becomes [`CloseReason::Reset`](super::CloseReason::Reset)); a
///   socket's pending `SO_ERROR` is returned from the next `read` or
///   `write`, so an `ERROR` readiness flag is collected by the stream's
///   next call.
/// - **`flush` is never called**: `embedded-io` lets it block until bytes
///   reach their destination. The stream counts a byte as flushed once
///   `write` accepted it.
///
/// The hosted adapter (a non-blocking socket in `eddy-std`) and the smoltcp
/// one (`eddy-bare`) implement this contract; the in-memory
/// [`MemTransport`](super::MemTransport) implements it for tests.
pub trait Transport: Read + Write + ReadReady + WriteReady {}

impl<T: Read + Write + ReadReady + WriteReady + ?Sized> Transport for T {}
