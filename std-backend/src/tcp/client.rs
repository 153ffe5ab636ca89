//! The std backend's side of the core's client and stream traits:
//! [`TcpTransport`] is an [`IoSource`] of [`StdBackend`] (its descriptor,
//! readiness flags fed from events), and [`Connecting`] is a
//! [`ConnectAttempt`] that completes into a [`TcpTransport`].
//!
//! With these, [`AsyncStream::connect`] opens a client stream from
//! [`connect`](super::connect), and [`connect_stream`] does both steps.
//! In the callback style, register the [`Connecting`] for `WRITABLE`, and
//! on the event turn it into a transport with
//! [`ConnectAttempt::complete`] and wrap that in a
//! [`BufferedStream`](eddy_core::stream::BufferedStream).
//!
//! The smoltcp backend provides the same pair of traits for its sockets,
//! so code written against `AsyncStream::connect` runs on both.

use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsFd, BorrowedFd};

use eddy_core::event::Ready;
use eddy_core::stream::{AsyncStream, ConnectAttempt, ConnectError, ConnectFailed, IoSource};
use eddy_core::task::IoHandle;

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

/// Connects to `addr` and returns an async stream with an `R`-byte read
/// buffer and a `W`-byte write buffer (Tornado's `TCPClient.connect`):
/// [`connect`](super::connect) then [`AsyncStream::connect`], woken
/// through the runtime `rt`. Bound it with
/// [`with_timeout`](eddy_core::task::with_timeout).
///
/// # Errors
/// The OS error if the socket cannot be made or the connection fails
/// (`ConnectionRefused`, `TimedOut`, …); `OutOfMemory` if the reactor has
/// no room to wait for it.
///
/// # Examples
///
/// ```
/// use std::io::{Read as _, Write as _};
/// use std::net::TcpListener;
/// use eddy_core::task::Runtime;
/// use eddy_std::{connect_stream, StdBackend};
///
/// let listener = TcpListener::bind("127.0.0.1:0")?;
/// let addr = listener.local_addr()?;
/// let rt: Runtime<StdBackend, (), 2, 8, 8, 8, 8> = Runtime::new(StdBackend::new()?, ());
/// let line = rt.block_on(&[], async {
///     let mut stream = connect_stream::<1024, 1024>(&rt, addr).await?;
///     let (mut server, _) = listener.accept()?;
///     server.write_all(b"hello\n")?;
///     let line = stream.read_until(b"\n", 1024).await.map_err(std::io::Error::other)?;
///     let text = stream.data(&line).to_vec();
///     stream.consume(line).map_err(std::io::Error::other)?;
///     Ok::<_, std::io::Error>(text)
/// }, Some(std::time::Duration::from_secs(10)))??;
/// assert_eq!(line, b"hello\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub async fn connect_stream<'r, const R: usize, const W: usize>(
    rt: &'r dyn IoHandle<StdBackend>,
    addr: SocketAddr,
) -> io::Result<AsyncStream<'r, StdBackend, TcpTransport, R, W>> {
    let attempt = super::connect(addr)?;
    AsyncStream::connect(rt, attempt).await.map_err(|e| match e {
        ConnectFailed::Failed(e) => e,
        ConnectFailed::Register(e) => io::Error::new(io::ErrorKind::OutOfMemory, e.to_string()),
        other => io::Error::other(other.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use std::net::TcpListener;
    use std::time::Duration;

    use eddy_core::task::Runtime;

    use super::*;

    type Rt = Runtime<StdBackend, (), 2, 8, 8, 8, 8>;

    #[test]
    fn a_refused_connection_is_the_os_error_and_leaves_nothing_registered() {
        // A port that was just listening and is closed now refuses.
        let addr = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        let rt = Rt::new(StdBackend::new().unwrap(), ());
        let res = rt
            .block_on(
                &[],
                async { connect_stream::<64, 64>(&rt, addr).await.map(|_| ()) },
                Some(Duration::from_secs(10)),
            )
            .unwrap();
        assert_eq!(res.unwrap_err().kind(), io::ErrorKind::ConnectionRefused);
        assert_eq!(rt.reactor().unwrap().handlers(), 0);
    }
}
