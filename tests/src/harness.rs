//! What a backend must provide to run the shared suite.
//!
//! A [`Harness`] makes a backend and connected byte-stream pairs on it (a
//! TCP connection on real backends, a scripted pipe on the simulator). The
//! suite registers the pair's local end with the reactor and drives the
//! remote end directly, the way a test client would.

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

/// A backend under test.
pub trait Harness: 'static {
    /// The backend type.
    type Backend: Backend + 'static;
    /// The connected pair type.
    type Pair: Pair<Self::Backend> + 'static;
    /// A fresh backend.
    fn backend() -> Self::Backend;
    /// A fresh connected pair on `backend`.
    fn pair(backend: &mut Self::Backend) -> Self::Pair;
}
