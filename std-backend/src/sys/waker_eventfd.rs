//! The Linux waker: an `eventfd(2)` counter.
//!
//! A wake adds 1 to the counter, which makes the fd readable (and, under
//! `EPOLLET`, produces a fresh edge on every write); draining reads the
//! counter back to zero. Both calls are non-blocking and async-signal-safe.

use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

use rustix::event::{eventfd, EventfdFlags};

use super::Notify;

/// An `eventfd` used as a wake-up flag.
#[derive(Debug)]
pub(crate) struct EventFdWaker {
    fd: OwnedFd,
}

impl Notify for EventFdWaker {
    fn new() -> io::Result<Self> {
        // eventfd(2): a counter readable while non-zero.
        let fd = eventfd(0, EventfdFlags::CLOEXEC | EventfdFlags::NONBLOCK)?;
        Ok(EventFdWaker { fd })
    }

    fn notify(&self) {
        // eventfd(2): write adds the 8-byte value to the counter. EAGAIN
        // means the counter is at its maximum, i.e. a wake is already
        // pending; nothing else can fail on our own open eventfd. No
        // logging: this may run inside a signal handler.
        let _ = rustix::io::write(&self.fd, &1u64.to_ne_bytes());
    }

    fn drain(&self) {
        // eventfd(2): read returns the counter and resets it to zero; EAGAIN
        // when it already is zero (nothing to drain).
        let mut buf = [0u8; 8];
        let _ = rustix::io::read(&self.fd, &mut buf);
    }

    fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}
