//! The portable waker: a non-blocking pipe (macOS, the BSDs, any unix).
//!
//! A wake writes one byte to the write end, which makes the read end
//! readable; draining reads until `EAGAIN`. When the pipe is full a wake is
//! already pending, so a failed write loses nothing. [`nonblocking_pipe`] is
//! shared with signal delivery (`signal.rs`).

use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

use super::Notify;

/// Creates a pipe whose both ends are non-blocking and close-on-exec.
///
/// # Errors
/// The `pipe(2)` / `fcntl(2)` error (usually: out of file descriptors).
#[cfg(not(eddy_no_pipe2))]
pub(crate) fn nonblocking_pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    use rustix::pipe::{pipe_with, PipeFlags};
    // pipe2(2): both flags set atomically, so no fd leaks into a child
    // forked by another thread in between.
    Ok(pipe_with(PipeFlags::CLOEXEC | PipeFlags::NONBLOCK)?)
}

/// Creates a pipe whose both ends are non-blocking and close-on-exec.
///
/// # Errors
/// The `pipe(2)` / `fcntl(2)` error (usually: out of file descriptors).
#[cfg(eddy_no_pipe2)]
pub(crate) fn nonblocking_pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    use rustix::fs::{fcntl_getfl, fcntl_setfl, OFlags};
    use rustix::io::{fcntl_setfd, FdFlags};
    // No pipe2(2) here: pipe(2), then fcntl(2) F_SETFD FD_CLOEXEC and
    // F_SETFL O_NONBLOCK on each end (mio and std do the same on Apple).
    let (read, write) = rustix::pipe::pipe()?;
    for fd in [&read, &write] {
        fcntl_setfd(fd, FdFlags::CLOEXEC)?;
        fcntl_setfl(fd, fcntl_getfl(fd)? | OFlags::NONBLOCK)?;
    }
    Ok((read, write))
}

/// A pipe used as a wake-up flag.
#[derive(Debug)]
#[cfg_attr(eddy_epoll, allow(dead_code))]
pub(crate) struct PipeWaker {
    read: OwnedFd,
    write: OwnedFd,
}

impl Notify for PipeWaker {
    fn new() -> io::Result<Self> {
        let (read, write) = nonblocking_pipe()?;
        Ok(PipeWaker { read, write })
    }

    fn notify(&self) {
        // write(2) of one byte; EAGAIN means the pipe is full, so the read
        // end is readable already and the wake is not lost; nothing else
        // can fail on our own open pipe. No logging: this may run inside a
        // signal handler.
        let _ = rustix::io::write(&self.write, &[1]);
    }

    fn drain(&self) {
        // read(2) until EAGAIN (empty) or 0 (cannot happen: we hold the
        // write end).
        let mut buf = [0u8; 64];
        while let Ok(n) = rustix::io::read(&self.read, &mut buf) {
            if n < buf.len() {
                break;
            }
        }
    }

    fn fd(&self) -> BorrowedFd<'_> {
        self.read.as_fd()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipe_waker_becomes_readable_and_drains() {
        let w = PipeWaker::new().unwrap();
        let mut buf = [0u8; 1];
        assert_eq!(rustix::io::read(&w.read, &mut buf), Err(rustix::io::Errno::AGAIN));
        w.notify();
        w.notify();
        w.drain();
        assert_eq!(rustix::io::read(&w.read, &mut buf), Err(rustix::io::Errno::AGAIN));
    }
}
