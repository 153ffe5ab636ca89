//! [`TcpTransport`]: a non-blocking [`TcpStream`] seen through
//! `embedded-io`, so that an [`eddy_core::stream::BufferedStream`] can run
//! over it.
//!
//! The adapter keeps the contract written down on
//! [`eddy_core::stream::Transport`]:
//!
//! - readiness is answered from flags, not from a system call: the
//!   reactor's events set them ([`TcpTransport::set_ready`]) and a call that
//!   would block (`EAGAIN`, `recv(2)` / `send(2)`) clears them. Both start
//!   `true` (an optimistic answer the contract allows: the first call finds
//!   out), so a stream may read or write right after accepting;
//! - a short read clears the read flag too: a TCP `recv(2)` that returns
//!   less than it was offered has emptied the socket's receive queue, and
//!   every later arrival is a new readiness event (edge-triggered epoll(7)
//!   and kqueue(2) report each one; level-triggered poll(2) reports it at
//!   every poll), so the `recv(2)` that would only say `EAGAIN` is spared —
//!   one system call per readable event. Once an event said read-closed or
//!   error, the peer's FIN (or the error) is no new arrival and may sit
//!   behind the bytes just read, so from then on reads go on until
//!   end-of-file or would-block;
//! - would-block becomes [`ErrorKind::Interrupted`], which the stream reads
//!   as "wait for the next event"; a real `EINTR` is retried here and never
//!   reported;
//! - end-of-file is `Ok(0)`, `ECONNRESET` is
//!   [`ErrorKind::ConnectionReset`]; a pending `SO_ERROR` is what the
//!   kernel returns from the next `recv(2)` / `send(2)` (`socket(7)`), so an
//!   `ERROR` event only sets both flags and the next call collects it.
//!
//! Writes never raise `SIGPIPE`: std sends with `MSG_NOSIGNAL` on Linux
//! and sets `SO_NOSIGPIPE` on Apple, and Rust programs ignore `SIGPIPE`.

use std::fmt;
use std::io;
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::os::fd::{AsFd, BorrowedFd};

use eddy_core::event::Ready;
use embedded_io::{ErrorKind, ErrorType, Read, ReadReady, Write, WriteReady};
use rustix::net::{RecvFlags, SendFlags};

/// A non-blocking TCP connection as an `embedded-io` transport for
/// [`BufferedStream`](eddy_core::stream::BufferedStream).
///
/// Register [`as_fd`](AsFd::as_fd) with the reactor and hand every event's
/// readiness to [`set_ready`](Self::set_ready) before the stream's
/// `on_readable` / `on_writable`.
///
/// # Examples
///
/// ```
/// use std::net::{TcpListener, TcpStream};
/// use std::io::Write as _;
/// use eddy_core::event::Ready;
/// use eddy_core::stream::BufferedStream;
/// use eddy_std::TcpTransport;
///
/// let listener = TcpListener::bind("127.0.0.1:0")?;
/// let mut client = TcpStream::connect(listener.local_addr()?)?;
/// let (server, _) = listener.accept()?;
/// let mut stream: BufferedStream<TcpTransport, 1024, 1024> =
///     BufferedStream::new(TcpTransport::new(server)?);
///
/// stream.write(b"hello\n")?;
/// stream.on_writable(); // an idle socket takes it at once
/// assert!(stream.is_flushed());
///
/// client.write_all(b"hi\n")?;
/// stream.read_until(b"\n", 1024)?;
/// // A reactor event would say READABLE here; on loopback the bytes are
/// // already queued.
/// stream.transport_mut().set_ready(Ready::READABLE);
/// stream.on_readable();
/// if let Some(line) = stream.poll_read() {
///     let line = line?;
///     assert_eq!(stream.data(&line), b"hi\n");
///     stream.consume(line)?;
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct TcpTransport {
    stream: TcpStream,
    readable: bool,
    writable: bool,
    /// An event said read-closed or error: short reads no longer mean
    /// "empty", the end-of-file or error must still be collected.
    to_eof: bool,
}

impl TcpTransport {
    /// Wraps `stream`, switching it to non-blocking mode (a stream from
    /// [`Acceptor`](crate::Acceptor) or [`connect`](crate::connect) already
    /// is). Both readiness flags start `true`.
    ///
    /// # Errors
    /// The `ioctl(FIONBIO)` behind [`TcpStream::set_nonblocking`] failed
    /// (the descriptor is not a socket any more).
    pub fn new(stream: TcpStream) -> io::Result<TcpTransport> {
        stream.set_nonblocking(true)?;
        Ok(TcpTransport {
            stream,
            readable: true,
            writable: true,
            to_eof: false,
        })
    }

    /// Records an event's readiness: readable, read-closed or error sets
    /// the read flag; writable, write-closed or error sets the write flag.
    /// Flags are only set here; a call that would block clears them, and so
    /// does a read shorter than its buffer (it emptied the socket; every
    /// later arrival is a new event), unless an event has said read-closed
    /// or error: then reads go on to end-of-file or would-block.
    pub fn set_ready(&mut self, ready: Ready) {
        self.readable |= ready.is_readable();
        self.writable |= ready.is_writable();
        self.to_eof |= ready.is_read_closed() || ready.is_error();
    }

    /// Whether a `read` is expected to make progress (the flag
    /// [`ReadReady::read_ready`] answers).
    pub fn is_read_ready(&self) -> bool {
        self.readable
    }

    /// Whether a `write` is expected to make progress (the flag
    /// [`WriteReady::write_ready`] answers).
    pub fn is_write_ready(&self) -> bool {
        self.writable
    }

    /// Shuts down the sending side (`shutdown(2)` with `SHUT_WR`): the
    /// peer reads end-of-file once it has everything sent so far; reading
    /// goes on (half-close).
    ///
    /// # Errors
    /// `ENOTCONN` if the connection is already gone.
    pub fn shutdown_write(&self) -> io::Result<()> {
        self.stream.shutdown(Shutdown::Write)
    }

    /// The peer's address (`getpeername(2)`).
    ///
    /// # Errors
    /// `ENOTCONN` if the connection is already gone.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.stream.peer_addr()
    }

    /// The socket, for options this type does not wrap.
    pub fn get_ref(&self) -> &TcpStream {
        &self.stream
    }

    /// Gives the socket back (still non-blocking).
    pub fn into_inner(self) -> TcpStream {
        self.stream
    }

    /// Runs a `recv(2)` / `send(2)`, retrying `EINTR`; would-block clears
    /// `flag` and becomes an `Interrupted` error.
    fn call(flag: &mut bool, mut op: impl FnMut() -> io::Result<usize>) -> Result<usize, TcpTransportError> {
        loop {
            match op() {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    if e.kind() == io::ErrorKind::WouldBlock {
                        *flag = false;
                    }
                    return Err(TcpTransportError(e));
                }
            }
        }
    }
}

impl AsFd for TcpTransport {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.stream.as_fd()
    }
}

impl fmt::Debug for TcpTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpTransport")
            .field("peer", &self.stream.peer_addr().ok())
            .field("readable", &self.readable)
            .field("writable", &self.writable)
            .field("to_eof", &self.to_eof)
            .finish()
    }
}

impl ErrorType for TcpTransport {
    type Error = TcpTransportError;
}

impl Read for TcpTransport {
    /// `recv(2)`: `Ok(0)` at end-of-file (for a non-empty `buf`). A read
    /// shorter than `buf` emptied the socket and clears the read flag,
    /// unless an event said read-closed or error.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, TcpTransportError> {
        let stream = &mut self.stream;
        let offered = buf.len();
        // rustix's direct system call, not libc's `recv` wrapper with its
        // cancellation-point bookkeeping: a read per request is hot.
        let n = Self::call(&mut self.readable, || {
            rustix::net::recv(&*stream, &mut *buf, RecvFlags::empty())
                .map(|(n, _)| n)
                .map_err(io::Error::from)
        })?;
        if n > 0 && n < offered && !self.to_eof {
            self.readable = false;
        }
        Ok(n)
    }
}

/// A write to a peer that has gone must fail with `EPIPE`, not raise
/// `SIGPIPE`. Apple platforms have no `MSG_NOSIGNAL`; Rust programs
/// ignore `SIGPIPE` from the start there, as everywhere.
#[cfg(not(target_vendor = "apple"))]
const SEND_FLAGS: SendFlags = SendFlags::NOSIGNAL;
#[cfg(target_vendor = "apple")]
const SEND_FLAGS: SendFlags = SendFlags::empty();

impl Write for TcpTransport {
    /// `send(2)` (with `MSG_NOSIGNAL` where there is one).
    fn write(&mut self, buf: &[u8]) -> Result<usize, TcpTransportError> {
        let stream = &mut self.stream;
        Self::call(&mut self.writable, || {
            rustix::net::send(&*stream, buf, SEND_FLAGS).map_err(io::Error::from)
        })
    }

    /// Nothing to do: bytes `send(2)` accepted are the kernel's.
    fn flush(&mut self) -> Result<(), TcpTransportError> {
        Ok(())
    }
}

impl ReadReady for TcpTransport {
    fn read_ready(&mut self) -> Result<bool, TcpTransportError> {
        Ok(self.readable)
    }
}

impl WriteReady for TcpTransport {
    fn write_ready(&mut self) -> Result<bool, TcpTransportError> {
        Ok(self.writable)
    }
}

/// A failed `recv(2)` / `send(2)` on a [`TcpTransport`]: the OS error, with
/// its `embedded-io` kind.
///
/// [`kind`](embedded_io::Error::kind) maps would-block (`EAGAIN`) onto
/// [`ErrorKind::Interrupted`] (the transport contract's "would block",
/// never a failure), `ECONNRESET` onto [`ErrorKind::ConnectionReset`], and
/// the other kinds onto their `embedded-io` namesakes, or `Other`.
#[derive(Debug)]
pub struct TcpTransportError(io::Error);

impl TcpTransportError {
    /// The OS error.
    pub fn io_error(&self) -> &io::Error {
        &self.0
    }

    /// Gives the OS error back.
    pub fn into_io_error(self) -> io::Error {
        self.0
    }
}

impl fmt::Display for TcpTransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.kind() {
            io::ErrorKind::WouldBlock => {
                f.write_str("the socket would block: wait for the next readiness event")
            }
            _ => write!(f, "the connection failed ({}): drop it", self.0),
        }
    }
}

impl std::error::Error for TcpTransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

impl embedded_io::Error for TcpTransportError {
    fn kind(&self) -> ErrorKind {
        use io::ErrorKind as Io;
        match self.0.kind() {
            Io::WouldBlock | Io::Interrupted => ErrorKind::Interrupted,
            Io::ConnectionReset => ErrorKind::ConnectionReset,
            Io::ConnectionAborted => ErrorKind::ConnectionAborted,
            Io::ConnectionRefused => ErrorKind::ConnectionRefused,
            Io::NotConnected => ErrorKind::NotConnected,
            Io::BrokenPipe => ErrorKind::BrokenPipe,
            Io::TimedOut => ErrorKind::TimedOut,
            Io::PermissionDenied => ErrorKind::PermissionDenied,
            Io::InvalidInput => ErrorKind::InvalidInput,
            Io::InvalidData => ErrorKind::InvalidData,
            Io::OutOfMemory => ErrorKind::OutOfMemory,
            Io::WriteZero => ErrorKind::WriteZero,
            Io::Unsupported => ErrorKind::Unsupported,
            _ => ErrorKind::Other,
        }
    }
}

#[cfg(test)]
mod tests;
