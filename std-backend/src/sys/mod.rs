//! Platform code: the only module that splits on the platform or uses
//! `unsafe`. The platform families are cfgs set by the crate's build script
//! (`build.rs`), which holds their `target_os` lists: `eddy_epoll` (Linux,
//! Android), `eddy_kqueue` (64-bit Apple and FreeBSD) and `eddy_no_pipe2`.
//!
//! Each readiness mechanism lives in its own file and implements the
//! crate-private [`Selector`] trait, so a selector that drifts from the
//! others is a compile error on the targets that build it:
//!
//! | file | mechanism | where | triggering |
//! | --- | --- | --- | --- |
//! | `epoll.rs` | `epoll(7)` | Linux, Android | edge (`EPOLLET`) |
//! | `kqueue.rs` | `kqueue(2)` | macOS/iOS, FreeBSD (64-bit) | edge (`EV_CLEAR`) |
//! | `poll.rs` | `poll(2)` | every unix | level |
//!
//! The cross-thread wakers sit beside them (`waker_eventfd.rs` on Linux,
//! `waker_pipe.rs` elsewhere), each implementing [`Notify`]. Also here: the
//! monotonic clock (`clock.rs`), signal delivery (`signal.rs`) and a
//! signal sent to one thread (`thread_signal.rs`), `fork(2)`
//! and the signal mask around it (`fork.rs`), and a child's exit
//! notification — pidfd, kqueue `EVFILT_PROC` or `SIGCHLD`
//! (`exit_watch.rs`).
//!
//! The native selector is picked at compile time below; with
//! `--cfg eddy_force_poll`, or on a unix in neither family, it is the
//! `poll(2)` selector.
//!
//! Invariants every selector keeps:
//! - the waker's fd is registered under [`WAKER_KEY`]; its readiness is
//!   drained inside `select` and never written to the caller's buffer;
//! - `select` asks the OS for at most `events.len()` (and at most [`CHUNK`])
//!   events, so an
//!   edge-triggered event is never taken from the kernel without a slot to
//!   put it in;
//! - `EINTR` is returned as [`std::io::ErrorKind::Interrupted`]; the retry
//!   loop lives in `crate::backend`, once for all selectors.

use std::io;
use std::os::fd::BorrowedFd;
use std::sync::Arc;
use std::time::Duration;

use eddy_core::{Event, Interest};

use crate::backend::PollerKind;

pub(crate) mod clock;
pub(crate) mod exit_watch;
pub(crate) mod fork;
pub(crate) mod poll;
pub(crate) mod signal;
pub(crate) mod socket;
mod thread_signal;
mod waker_pipe;

// The platform families (`eddy_epoll`, `eddy_kqueue`) are set by the
// crate's build script, which holds their lists of `target_os` values.
#[cfg(all(not(eddy_force_poll), eddy_epoll))]
mod epoll;

#[cfg(all(not(eddy_force_poll), eddy_kqueue))]
mod kqueue;

#[cfg(eddy_epoll)]
mod waker_eventfd;

/// The cross-thread waker of this platform.
#[cfg(eddy_epoll)]
pub(crate) use waker_eventfd::EventFdWaker as Notifier;
/// The cross-thread waker of this platform.
#[cfg(not(eddy_epoll))]
pub(crate) use waker_pipe::PipeWaker as Notifier;

pub(crate) use waker_pipe::nonblocking_pipe;

/// The native selector of this build.
#[cfg(all(not(eddy_force_poll), eddy_epoll))]
pub(crate) use epoll::Epoll as NativeSelector;
/// The native selector of this build.
#[cfg(all(not(eddy_force_poll), eddy_kqueue))]
pub(crate) use kqueue::Kqueue as NativeSelector;
/// The native selector of this build: forced, or no native one here.
#[cfg(any(eddy_force_poll, not(any(eddy_epoll, eddy_kqueue))))]
pub(crate) use poll::PollSelector as NativeSelector;

/// The registration key reserved for the waker: `Event::EMPTY.token`
/// packed, which no live registration may use.
pub(crate) const WAKER_KEY: u64 = u64::MAX;

/// The most OS events one `select` asks for (a stack buffer of this many);
/// a larger caller buffer is filled by the next calls.
#[allow(dead_code)] // unused when the native selector is poll(2)
pub(crate) const CHUNK: usize = 256;

/// A selector timeout as a `Timespec` (`None`: wait forever). The caller
/// has clamped it to `i32::MAX` milliseconds, so it always fits.
pub(crate) fn timespec(timeout: Option<Duration>) -> Option<rustix::event::Timespec> {
    timeout.and_then(|t| rustix::event::Timespec::try_from(t).ok())
}

/// What one `select` call saw.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Selected {
    /// User events written to the caller's buffer.
    pub(crate) events: usize,
    /// Entries the OS reported, the waker's included (0: the call timed out).
    pub(crate) raw: usize,
}

/// A readiness mechanism: one per file in this module.
pub(crate) trait Selector: Sized {
    /// Which mechanism this is.
    const KIND: PollerKind;

    /// Opens the mechanism and registers `notifier` under [`WAKER_KEY`].
    fn new(notifier: Arc<Notifier>) -> io::Result<Self>;

    /// Starts watching `fd` for `interest`, reporting it under `key`.
    fn register(&mut self, fd: BorrowedFd<'_>, key: u64, interest: Interest) -> io::Result<()>;

    /// Changes the key and interest of a watched `fd`.
    fn reregister(&mut self, fd: BorrowedFd<'_>, key: u64, interest: Interest) -> io::Result<()>;

    /// Stops watching `fd`.
    fn deregister(&mut self, fd: BorrowedFd<'_>) -> io::Result<()>;

    /// One wait of at most `timeout` (`None`: forever; already rounded to
    /// whole milliseconds and clamped by the caller). Writes at most
    /// `events.len()` user events; `events` is never empty.
    fn select(&mut self, events: &mut [Event], timeout: Option<Duration>) -> io::Result<Selected>;
}

/// A cross-thread waker's fd: one per waker file in this module.
pub(crate) trait Notify: Send + Sync + Sized {
    /// Creates the fd, non-blocking and close-on-exec.
    fn new() -> io::Result<Self>;
    /// Makes the fd readable. Async-signal-safe, callable from any thread.
    fn notify(&self);
    /// Consumes all pending notifications so the fd is no longer readable.
    fn drain(&self);
    /// The fd a selector watches for readability.
    fn fd(&self) -> BorrowedFd<'_>;
}

/// The native selector or the `poll(2)` fallback, chosen at run time.
#[derive(Debug)]
pub(crate) enum AnySelector {
    /// The mechanism picked at compile time ([`NativeSelector`]).
    Native(NativeSelector),
    /// The `poll(2)` fallback.
    Poll(poll::PollSelector),
}

macro_rules! dispatch {
    ($self:ident, $s:ident => $call:expr) => {
        match $self {
            AnySelector::Native($s) => $call,
            AnySelector::Poll($s) => $call,
        }
    };
}

impl AnySelector {
    /// Which mechanism this is.
    pub(crate) fn kind(&self) -> PollerKind {
        match self {
            AnySelector::Native(_) => NativeSelector::KIND,
            AnySelector::Poll(_) => poll::PollSelector::KIND,
        }
    }

    pub(crate) fn register(&mut self, fd: BorrowedFd<'_>, key: u64, i: Interest) -> io::Result<()> {
        dispatch!(self, s => s.register(fd, key, i))
    }

    pub(crate) fn reregister(&mut self, fd: BorrowedFd<'_>, key: u64, i: Interest) -> io::Result<()> {
        dispatch!(self, s => s.reregister(fd, key, i))
    }

    pub(crate) fn deregister(&mut self, fd: BorrowedFd<'_>) -> io::Result<()> {
        dispatch!(self, s => s.deregister(fd))
    }

    pub(crate) fn select(&mut self, ev: &mut [Event], t: Option<Duration>) -> io::Result<Selected> {
        dispatch!(self, s => s.select(ev, t))
    }
}
