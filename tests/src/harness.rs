//! What a backend must provide to run the shared suite.
//!
//! A [`Harness`] makes a backend and connected byte-stream pairs on it (a
//! TCP connection on real backends, a scripted pipe on the simulator). The
//! suite registers the pair's local end with the reactor and drives the
//! remote end directly, the way a test client would.
//!
//! Two shapes of pair:
//! - [`Pair`] (readiness tests, `suite::io`): the local end stays a raw
//!   source the test reads itself.
//! - [`Harness::stream_pair`] (stream tests, `suite::stream*`): the local
//!   end is a [`Harness::Transport`] that a
//!   [`BufferedStream`](eddy_core::stream::BufferedStream) owns, the remote
//!   end a [`Peer`] the test drives. [`Harness::connect`] and
//!   [`Harness::accept`] make the same shape from the client side: the
//!   local end is a client connection being opened
//!   ([`ConnectAttempt`]), the remote end the server's accepted end.
//!
//! # Implementing the stream part for a backend
//!
//! - `Transport`: the backend's stream transport, implementing
//!   [`IoSource`] for the backend (its registration source, and
//!   `set_ready` for the readiness each event brings). Dropping it closes
//!   the connection: the peer then reads end of stream (a stream's owner
//!   closes a connection by dropping the stream).
//! - `Peer`: the far end. Its operations take the backend so a simulated
//!   peer can script readiness on it; a real one ignores it.
//!   [`Peer::recv`] may wait a bounded time (the suite's
//!   [`PATIENCE`](crate::suite::PATIENCE)) for bytes already sent by the
//!   local end to arrive, since a real network delivers them
//!   asynchronously; the suite only calls it when it expects bytes or
//!   end-of-file. The peer's receive buffer is finite (a real socket's, or
//!   a fixed pipe): a peer that does not read must eventually make the
//!   local end's writes block, which is how backpressure is tested.
//! - `connect` starts a client connection towards a listener of the
//!   harness's own and returns both; the suite registers the attempt for
//!   `WRITABLE`, waits until it completes, and only then calls `accept`
//!   for the server's end. Real backends must let a connection complete
//!   before it is accepted (a listen backlog).

use eddy_core::stream::{ConnectAttempt, IoSource};
use eddy_core::Backend;

/// Why a [`Pair`] read did not return data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecvError {
    /// Nothing to read now; wait for readiness.
    WouldBlock,
    /// The connection was reset by the peer.
    Reset,
}

/// A connected pair: a local end registered with the reactor and a remote
/// end the test drives.
pub trait Pair<B: Backend> {
    /// The local end, for registration.
    fn source(&self) -> B::Source<'_>;
    /// Writes `data` from the remote end towards the local end.
    fn send(&mut self, backend: &mut B, data: &[u8]);
    /// Reads from the local end: `Ok(0)` is end of stream.
    ///
    /// # Errors
    /// [`RecvError::WouldBlock`] when nothing is buffered,
    /// [`RecvError::Reset`] after a reset.
    fn recv(&mut self, backend: &mut B, buf: &mut [u8]) -> Result<usize, RecvError>;
    /// Closes the remote end cleanly (FIN).
    fn close_remote(&mut self, backend: &mut B);
    /// Aborts the remote end (RST).
    fn reset_remote(&mut self, backend: &mut B);
}

/// The remote end of a stream pair: the test plays it, the way a client
/// or server on the other side would.
pub trait Peer<B: Backend> {
    /// Sends `data` towards the local end (all of it; a simulated pipe may
    /// panic if the suite overfills it, real sockets block until sent).
    fn send(&mut self, backend: &mut B, data: &[u8]);
    /// Reads what the local end sent: `Ok(n)` bytes, `Ok(0)` at end of
    /// stream. May wait a bounded time for bytes in flight.
    ///
    /// # Errors
    /// [`RecvError::WouldBlock`] when nothing arrived,
    /// [`RecvError::Reset`] after the local end reset the connection.
    fn recv(&mut self, backend: &mut B, buf: &mut [u8]) -> Result<usize, RecvError>;
    /// Closes the sending side cleanly (FIN); receiving goes on.
    fn close(&mut self, backend: &mut B);
    /// Aborts the connection (RST).
    fn reset(&mut self, backend: &mut B);
}

/// A backend under test.
pub trait Harness: 'static {
    /// The backend type.
    type Backend: Backend + 'static;
    /// The connected pair type.
    type Pair: Pair<Self::Backend> + 'static;
    /// The local end of a stream pair: what a `BufferedStream` owns.
    type Transport: IoSource<Self::Backend> + 'static;
    /// The remote end of a stream pair.
    type Peer: Peer<Self::Backend> + 'static;
    /// A client connection being opened, which completes into a
    /// [`Harness::Transport`].
    type Connecting: ConnectAttempt<Self::Backend, Transport = Self::Transport> + 'static;
    /// The harness's listening end for [`Harness::connect`].
    type Listener: 'static;
    /// A fresh backend.
    fn backend() -> Self::Backend;
    /// A fresh connected pair on `backend`.
    fn pair(backend: &mut Self::Backend) -> Self::Pair;
    /// A fresh connected stream pair on `backend`: the local end as a
    /// transport (not registered yet), and the remote end.
    fn stream_pair(backend: &mut Self::Backend) -> (Self::Transport, Self::Peer);
    /// Starts a client connection on `backend` towards a fresh listener of
    /// the harness's own; the attempt is not registered yet.
    fn connect(backend: &mut Self::Backend) -> (Self::Connecting, Self::Listener);
    /// The server's end of the connection `connect` started, once the
    /// attempt has completed.
    fn accept(backend: &mut Self::Backend, listener: Self::Listener) -> Self::Peer;
}
