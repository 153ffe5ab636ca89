//! A client connection in progress: the [`ConnectAttempt`] trait every
//! backend's TCP connect implements, so one async [`connect`] serves them
//! all.
//!
//! The shape is `connect(2)`'s non-blocking protocol, which smoltcp's
//! `Socket::connect` follows too: the attempt is registered for
//! `WRITABLE`; when that is reported, [`ConnectAttempt::complete`] turns it
//! into a connected transport, hands it back as
//! [`ConnectError::Pending`] if the readiness was spurious, or gives the
//! failure.
//!
//! [`connect`]: super::AsyncStream::connect

use core::fmt;

use super::source::IoSource;
use crate::backend::Backend;

/// Why [`ConnectAttempt::complete`] gave no transport.
#[derive(Debug)]
pub enum ConnectError<C, E> {
    /// Not connected yet (spurious readiness): the attempt is handed back;
    /// wait for writability again.
    Pending(C),
    /// The connection failed (refused, unreachable, timed out, …).
    Failed(E),
}

impl<C, E: fmt::Display> fmt::Display for ConnectError<C, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnectError::Pending(_) => {
                f.write_str("the connection is still in progress: wait until it is writable")
            }
            ConnectError::Failed(e) => write!(f, "could not connect: {e}"),
        }
    }
}

impl<C: fmt::Debug, E: fmt::Debug + fmt::Display> core::error::Error for ConnectError<C, E> {}

/// A non-blocking client connection being opened on backend `B`.
///
/// Implemented by `eddy_std::Connecting` (from `eddy_std::connect`), by the
/// simulator's scripted attempt in the test suite, and by the smoltcp
/// backend's socket in `SynSent`.
pub trait ConnectAttempt<B: Backend>: Sized {
    /// The connected transport.
    type Transport: IoSource<B>;
    /// Why a connection failed.
    type Error;

    /// The source to register for `WRITABLE` while the attempt is in
    /// progress; the transport it becomes has the same source.
    fn source(&self) -> B::Source<'_>;

    /// The outcome, once the source was reported writable (or closed, or in
    /// error).
    ///
    /// # Errors
    /// [`ConnectError::Pending`] with `self` if the connection is not
    /// established yet; [`ConnectError::Failed`] if it failed.
    fn complete(self) -> Result<Self::Transport, ConnectError<Self, Self::Error>>;
}
