//! Non-blocking connect: [`connect`] starts it, the socket turns writable
//! when it has finished (or failed), [`Connecting::finish`] reads the
//! outcome.
//!
//! The protocol is `connect(2)`'s (ERRORS, `EINPROGRESS`): "The socket is
//! nonblocking and the connection cannot be completed immediately … After
//! select(2) indicates writability, use getsockopt(2) to read the SO_ERROR
//! option … to determine whether connect() completed successfully (SO_ERROR
//! is zero) or unsuccessfully". Readiness may be spurious (the `Backend`
//! contract allows it), so `finish` also checks that the socket has a peer
//! (`getpeername(2)`), like Go's runtime does, and hands the socket back
//! with [`FinishError::Pending`] if it is not connected yet.

use std::fmt;
use std::io;
use std::net::{SocketAddr, TcpStream};
use std::os::fd::{AsFd, BorrowedFd};

use rustix::io::Errno;
use rustix::net::sockopt;

use crate::sys::socket;

/// Starts connecting to `addr` from a new non-blocking, close-on-exec
/// socket. Register the [`Connecting`] (it is [`AsFd`]) for
/// [`WRITABLE`](eddy_core::Interest::WRITABLE) and call
/// [`Connecting::finish`] when it is reported.
///
/// # Errors
/// The OS error if the socket cannot be created (out of descriptors) or the
/// connection fails at once (`ENETUNREACH`, or a refusal some systems report
/// immediately on loopback: check for
/// [`ConnectionRefused`](io::ErrorKind::ConnectionRefused) here as well as
/// from `finish`).
///
/// # Examples
///
/// ```
/// use std::os::fd::AsFd;
/// use std::time::Duration;
/// use eddy_core::{Backend, Event, Interest, Token};
/// use eddy_std::{bind_sockets, connect, StdBackend};
///
/// let listener = bind_sockets("127.0.0.1:0".parse()?, 16, false)?;
/// let mut backend = StdBackend::new()?;
/// let connecting = connect(listener.local_addr()?)?;
/// backend.register(connecting.as_fd(), Token::new(1, 0), Interest::WRITABLE)?;
/// let mut events = [Event::EMPTY; 4];
/// backend.poll(&mut events, Some(Duration::from_secs(10)))?;
/// backend.deregister(connecting.as_fd())?;
/// let stream = connecting.finish()?;
/// assert_eq!(stream.peer_addr()?, listener.local_addr()?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn connect(addr: SocketAddr) -> io::Result<Connecting> {
    let fd = socket::stream_socket(socket::family_of(&addr))?;
    match rustix::net::connect(&fd, &addr) {
        // EINPROGRESS: finishing in the background. EINTR: POSIX connect()
        // says "the connection shall be established asynchronously".
        Ok(()) | Err(Errno::INPROGRESS) | Err(Errno::INTR) => Ok(Connecting {
            stream: TcpStream::from(fd),
            addr,
        }),
        Err(e) => Err(e.into()),
    }
}

/// A connection in progress, from [`connect`].
#[derive(Debug)]
pub struct Connecting {
    stream: TcpStream,
    addr: SocketAddr,
}

impl Connecting {
    /// The address being connected to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The outcome, once the socket was reported writable (or closed, or
    /// in error). Deregister it first if it is registered: the stream is a
    /// new owner of the same fd.
    ///
    /// # Errors
    /// [`FinishError::Failed`] with the connection's error read from
    /// `SO_ERROR` (`ConnectionRefused`, `TimedOut`, `HostUnreachable`, …);
    /// [`FinishError::Pending`] with `self` handed back if it is not
    /// connected yet (the readiness was spurious): wait for writability
    /// again.
    pub fn finish(self) -> Result<TcpStream, FinishError> {
        let failed = |source: io::Error| FinishError::Failed {
            addr: self.addr,
            source,
        };
        // getsockopt(2) SO_ERROR: the attempt's outcome, cleared by reading.
        match sockopt::socket_error(&self.stream) {
            Ok(Ok(())) => {}
            Ok(Err(errno)) => return Err(failed(errno.into())),
            Err(e) => return Err(failed(e.into())),
        }
        // getpeername(2): ENOTCONN while the handshake is still going on.
        match rustix::net::getpeername(&self.stream) {
            Ok(_) => Ok(self.stream),
            Err(Errno::NOTCONN) => Err(FinishError::Pending(self)),
            Err(e) => Err(failed(e.into())),
        }
    }
}

impl AsFd for Connecting {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.stream.as_fd()
    }
}

/// [`Connecting::finish`] did not produce a connected stream.
#[derive(Debug)]
pub enum FinishError {
    /// Not connected yet (spurious readiness): the connection attempt is
    /// handed back; wait until it is writable and call `finish` again.
    Pending(Connecting),
    /// The connection failed.
    Failed {
        /// The address that was being connected to.
        addr: SocketAddr,
        /// The connection's error (`ConnectionRefused`, `TimedOut`, …).
        source: io::Error,
    },
}

impl FinishError {
    /// `WouldBlock` for [`FinishError::Pending`], else the kind of the
    /// connection's error.
    pub fn kind(&self) -> io::ErrorKind {
        match self {
            FinishError::Pending(_) => io::ErrorKind::WouldBlock,
            FinishError::Failed { source, .. } => source.kind(),
        }
    }
}

impl fmt::Display for FinishError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FinishError::Pending(c) => write!(
                f,
                "the connection to {} is still in progress: wait until it is writable and call \
                 finish again",
                c.addr
            ),
            FinishError::Failed { addr, source } if source.kind() == io::ErrorKind::ConnectionRefused => {
                write!(
                    f,
                    "connection to {addr} refused: is the server running and listening on that port?"
                )
            }
            FinishError::Failed { addr, source } => write!(f, "could not connect to {addr}: {source}"),
        }
    }
}

impl std::error::Error for FinishError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FinishError::Pending(_) => None,
            FinishError::Failed { source, .. } => Some(source),
        }
    }
}

impl From<FinishError> for io::Error {
    fn from(e: FinishError) -> io::Error {
        match e {
            FinishError::Pending(c) => io::Error::new(
                io::ErrorKind::WouldBlock,
                format!("connection to {} still in progress", c.addr),
            ),
            FinishError::Failed { source, .. } => source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unconnected_socket_is_pending_and_handed_back() {
        // A socket that never started connecting: SO_ERROR is 0 and it has
        // no peer, exactly what spurious writability looks like.
        let fd = socket::stream_socket(rustix::net::AddressFamily::INET).unwrap();
        let addr: SocketAddr = "127.0.0.1:9".parse().unwrap();
        let connecting = Connecting {
            stream: TcpStream::from(fd),
            addr,
        };
        match connecting.finish() {
            Err(e @ FinishError::Pending(_)) => {
                assert_eq!(e.kind(), io::ErrorKind::WouldBlock);
                let FinishError::Pending(back) = e else {
                    unreachable!()
                };
                assert_eq!(back.addr(), addr);
            }
            other => panic!("expected Pending, got {other:?}"),
        }
    }
}
