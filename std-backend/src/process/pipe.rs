//! [`PipeTransport`]: one end of a non-blocking pipe seen through
//! `embedded-io`, so an [`eddy_core::stream::BufferedStream`] can read a
//! child's stdout or stderr, or write its stdin.
//!
//! The contract is [`TcpTransport`](crate::TcpTransport)'s (see
//! [`eddy_core::stream::Transport`]): readiness flags set by the reactor's
//! events and cleared by a call that would block (`EAGAIN`, `pipe(7)`),
//! would-block reported as [`ErrorKind::Interrupted`], `EINTR` retried
//! here, end-of-file `Ok(0)` (every write end closed). A write to a pipe
//! whose reader is gone fails with `EPIPE` ([`ErrorKind::BrokenPipe`]);
//! Rust programs ignore `SIGPIPE`, so it never kills the process.
//!
//! A pipe has one direction: reading the write end (or writing the read
//! end) fails with `EBADF`, which a stream reports as a failed transport.

use std::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};

use eddy_core::event::Ready;
use embedded_io::{ErrorKind, ErrorType, Read, ReadReady, Write, WriteReady};

/// One end of a pipe, non-blocking, as an `embedded-io` transport.
///
/// Register [`as_fd`](AsFd::as_fd) with the reactor and hand each event's
/// readiness to [`set_ready`](Self::set_ready) before the stream's
/// `on_readable` / `on_writable`.
///
/// # Examples
///
/// ```
/// use std::io::Write as _;
/// use eddy_std::PipeTransport;
/// use embedded_io::Read as _;
///
/// let (reader, mut writer) = std::io::pipe()?;
/// let mut t = PipeTransport::new(reader.into())?;
/// writer.write_all(b"hi")?;
/// let mut buf = [0; 8];
/// assert_eq!(t.read(&mut buf)?, 2);
/// drop(writer);
/// assert_eq!(t.read(&mut buf)?, 0, "end-of-file once the writer is gone");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct PipeTransport {
    fd: OwnedFd,
    readable: bool,
    writable: bool,
}

impl PipeTransport {
    /// Wraps a pipe end, switching it to non-blocking mode
    /// (`ioctl(FIONBIO)`). Both readiness flags start `true`.
    ///
    /// # Errors
    /// The `ioctl(2)` failed (the descriptor is not open).
    pub fn new(fd: OwnedFd) -> io::Result<PipeTransport> {
        rustix::io::ioctl_fionbio(&fd, true)?;
        Ok(PipeTransport {
            fd,
            readable: true,
            writable: true,
        })
    }

    /// Records an event's readiness (see
    /// [`TcpTransport::set_ready`](crate::TcpTransport::set_ready)).
    pub fn set_ready(&mut self, ready: Ready) {
        self.readable |= ready.is_readable();
        self.writable |= ready.is_writable();
    }

    /// Gives the descriptor back (still non-blocking).
    pub fn into_inner(self) -> OwnedFd {
        self.fd
    }

    fn call(flag: &mut bool, mut op: impl FnMut() -> rustix::io::Result<usize>) -> Result<usize, PipeError> {
        loop {
            match op() {
                Ok(n) => return Ok(n),
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => {
                    if e == rustix::io::Errno::AGAIN {
                        *flag = false;
                    }
                    return Err(PipeError(e.into()));
                }
            }
        }
    }
}

/// A failed `read(2)` / `write(2)` on a [`PipeTransport`]: the OS error
/// with its `embedded-io` kind — would-block (`EAGAIN`) is
/// [`ErrorKind::Interrupted`] (the transport contract's "wait for the next
/// event", never a failure), `EPIPE` is [`ErrorKind::BrokenPipe`], the
/// rest [`ErrorKind::Other`].
#[derive(Debug)]
pub struct PipeError(io::Error);

impl PipeError {
    /// The OS error.
    pub fn io_error(&self) -> &io::Error {
        &self.0
    }
}

impl fmt::Display for PipeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.kind() {
            io::ErrorKind::WouldBlock => {
                f.write_str("the pipe would block: wait for the next readiness event")
            }
            io::ErrorKind::BrokenPipe => f.write_str("the other end of the pipe is closed: stop writing"),
            _ => write!(f, "the pipe failed ({}): drop it", self.0),
        }
    }
}

impl std::error::Error for PipeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

impl embedded_io::Error for PipeError {
    fn kind(&self) -> ErrorKind {
        match self.0.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted => ErrorKind::Interrupted,
            io::ErrorKind::BrokenPipe => ErrorKind::BrokenPipe,
            io::ErrorKind::InvalidInput => ErrorKind::InvalidInput,
            _ => ErrorKind::Other,
        }
    }
}

impl AsFd for PipeTransport {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl fmt::Debug for PipeTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PipeTransport")
            .field("fd", &self.fd.as_raw_fd())
            .field("readable", &self.readable)
            .field("writable", &self.writable)
            .finish()
    }
}

impl ErrorType for PipeTransport {
    type Error = PipeError;
}

impl Read for PipeTransport {
    /// `read(2)`: `Ok(0)` once every write end is closed.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, PipeError> {
        let fd = &self.fd;
        Self::call(&mut self.readable, || rustix::io::read(fd, &mut *buf))
    }
}

impl Write for PipeTransport {
    /// `write(2)`.
    fn write(&mut self, buf: &[u8]) -> Result<usize, PipeError> {
        let fd = &self.fd;
        Self::call(&mut self.writable, || rustix::io::write(fd, buf))
    }

    /// Nothing to do: bytes `write(2)` accepted are the kernel's.
    fn flush(&mut self) -> Result<(), PipeError> {
        Ok(())
    }
}

impl ReadReady for PipeTransport {
    fn read_ready(&mut self) -> Result<bool, PipeError> {
        Ok(self.readable)
    }
}

impl WriteReady for PipeTransport {
    fn write_ready(&mut self) -> Result<bool, PipeError> {
        Ok(self.writable)
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read as _, Write as _};

    use embedded_io::Error as _;

    use super::*;

    #[test]
    fn would_block_then_data_then_eof() {
        let (r, mut w) = std::io::pipe().unwrap();
        let mut t = PipeTransport::new(r.into()).unwrap();
        let err = t.read(&mut [0; 4]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Interrupted, "empty pipe: would block");
        assert!(!t.read_ready().unwrap());
        t.set_ready(Ready::READABLE);
        w.write_all(b"abc").unwrap();
        let mut buf = [0; 4];
        assert_eq!(t.read(&mut buf).unwrap(), 3);
        drop(w);
        assert_eq!(t.read(&mut buf).unwrap(), 0);
    }

    #[test]
    fn a_gone_reader_is_a_broken_pipe() {
        let (r, w) = std::io::pipe().unwrap();
        let mut t = PipeTransport::new(w.into()).unwrap();
        drop(r);
        assert_eq!(t.write(b"x").unwrap_err().kind(), ErrorKind::BrokenPipe);
    }

    #[test]
    fn a_full_pipe_blocks_writes_until_read() {
        let (mut r, w) = std::io::pipe().unwrap();
        let mut t = PipeTransport::new(w.into()).unwrap();
        let chunk = [1u8; 4096];
        let mut sent = 0;
        let err = loop {
            match t.write(&chunk) {
                Ok(n) => sent += n,
                Err(e) => break e,
            }
            assert!(sent < 64 << 20, "the pipe never filled");
        };
        assert_eq!(err.kind(), ErrorKind::Interrupted);
        assert!(!t.write_ready().unwrap());
        let mut buf = vec![0; sent];
        r.read_exact(&mut buf).unwrap();
        t.set_ready(Ready::WRITABLE);
        assert!(t.write(b"more").unwrap() > 0);
    }
}
