//! The std backend's side of the core's client and stream traits:
//! [`TcpTransport`] is an [`IoSource`] of [`StdBackend`] (its descriptor,
//! readiness flags fed from events), and [`Connecting`] is a
//! [`ConnectAttempt`] that completes into a [`TcpTransport`].
//!
//! With these, `eddy_core::stream::AsyncStream::connect` opens a client
//! stream from [`connect`](super::connect):
//! `AsyncStream::connect(&rt, eddy_std::connect(addr)?).await`.

use std::io;
use std::os::fd::{AsFd, BorrowedFd};

use eddy_core::event::Ready;
use eddy_core::stream::{ConnectAttempt, ConnectError, IoSource};

use super::connect::{Connecting, FinishError};
use crate::backend::StdBackend;
use crate::stream::TcpTransport;

impl IoSource<StdBackend> for TcpTransport {
    fn source(&self) -> BorrowedFd<'_> {
        self.as_fd()
    }

    fn set_ready(&mut self, ready: Ready) {
        TcpTransport::set_ready(self, ready);
    }
}

impl ConnectAttempt<StdBackend> for Connecting {
    type Transport = TcpTransport;
    type Error = io::Error;

    fn source(&self) -> BorrowedFd<'_> {
        self.as_fd()
    }

    /// [`Connecting::finish`], then [`TcpTransport::new`].
    fn complete(self) -> Result<TcpTransport, ConnectError<Self, io::Error>> {
        match self.finish() {
            Ok(stream) => TcpTransport::new(stream).map_err(ConnectError::Failed),
            Err(FinishError::Pending(again)) => Err(ConnectError::Pending(again)),
            Err(FinishError::Failed { source, .. }) => Err(ConnectError::Failed(source)),
        }
    }
}
