//! A file descriptor that turns readable when a child process exits, for
//! [`Subprocess`](crate::Subprocess): the platform split lives here.
//!
//! | platform | mechanism |
//! | --- | --- |
//! | Linux, Android (`eddy_epoll`) | `pidfd_open(2)`: readable once the process exits |
//! | 64-bit Apple, FreeBSD (`eddy_kqueue`) | a private `kqueue(2)` holding one `EVFILT_PROC` / `NOTE_EXIT` filter; a kqueue fd is readable while it has events |
//! | elsewhere, or without pidfd (Linux < 5.3) | a [`Signals`] for `SIGCHLD`: readable when *any* child changes state, so the owner must check its own child with `waitpid(2)` |
//!
//! None of them reaps the child: the owner does, with `waitpid(2)`, when
//! the fd is reported (that is what keeps zombies away).

use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

use super::signal::{Signal, Signals};

/// How the exit of one child is seen.
#[derive(Debug)]
pub(crate) enum ExitWatch {
    /// A pidfd or a kqueue: readable exactly when the child has exited.
    #[allow(dead_code)] // not built on every platform
    Exact(OwnedFd),
    /// The `SIGCHLD` fallback: readable when some child changed state.
    Chld(Signals),
}

impl ExitWatch {
    /// Starts watching child `pid` (which the caller has not reaped yet).
    ///
    /// # Errors
    /// The pidfd or kqueue could not be made, and neither could the
    /// `SIGCHLD` subscription (out of descriptors, or 16 `Signals` alive).
    pub(crate) fn new(pid: u32) -> io::Result<ExitWatch> {
        match exact(pid) {
            Some(Ok(fd)) => Ok(ExitWatch::Exact(fd)),
            Some(Err(e)) if !fallback_allowed(&e) => Err(e),
            _ => ExitWatch::sigchld(),
        }
    }

    /// The `SIGCHLD` fallback, whatever the platform offers (also how the
    /// fallback is tested on Linux).
    ///
    /// # Errors
    /// The subscription could not be made (out of descriptors, or 16
    /// `Signals` alive).
    pub(crate) fn sigchld() -> io::Result<ExitWatch> {
        Signals::new(&[Signal::Chld])
            .map(ExitWatch::Chld)
            .map_err(io::Error::other)
    }

    /// Whether the watch may report other children's exits too.
    pub(crate) fn is_shared(&self) -> bool {
        matches!(self, ExitWatch::Chld(_))
    }

    /// Consumes a `SIGCHLD` notification, so a level-triggered poll stops
    /// reporting it; nothing to do for the exact kinds.
    pub(crate) fn drain(&self) {
        if let ExitWatch::Chld(s) = self {
            s.take_pending();
        }
    }
}

impl AsFd for ExitWatch {
    fn as_fd(&self) -> BorrowedFd<'_> {
        match self {
            ExitWatch::Exact(fd) => fd.as_fd(),
            ExitWatch::Chld(s) => s.as_fd(),
        }
    }
}

/// Kernels without `pidfd_open` say `ENOSYS`; seccomp filters may say
/// `EPERM`; a kqueue refuses a child that is already a zombie with
/// `ESRCH`. Those fall back to `SIGCHLD` (the owner checks its child once
/// right after watching, so an exit that came first is not missed).
fn fallback_allowed(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::ENOSYS) | Some(libc::EPERM) | Some(libc::EINVAL) | Some(libc::ESRCH)
    )
}

#[cfg(eddy_epoll)]
fn exact(pid: u32) -> Option<io::Result<OwnedFd>> {
    use rustix::process::{pidfd_open, Pid, PidfdFlags};
    let pid = Pid::from_raw(i32::try_from(pid).ok()?)?;
    // pidfd_open(2): close-on-exec always; readable once the process exits.
    Some(pidfd_open(pid, PidfdFlags::empty()).map_err(io::Error::from))
}

#[cfg(eddy_kqueue)]
fn exact(pid: u32) -> Option<io::Result<OwnedFd>> {
    use rustix::event::kqueue::{kevent_timespec, kqueue, Event, EventFilter, EventFlags, ProcessEvents};
    use rustix::event::Timespec;
    use rustix::process::Pid;
    let pid = Pid::from_raw(i32::try_from(pid).ok()?)?;
    let kq = match kqueue() {
        Ok(kq) => kq,
        Err(e) => return Some(Err(e.into())),
    };
    let change = [Event::new(
        EventFilter::Proc {
            pid,
            flags: ProcessEvents::EXIT,
        },
        EventFlags::ADD | EventFlags::ONESHOT,
        std::ptr::null_mut(),
    )];
    let zero = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    let mut none: [std::mem::MaybeUninit<Event>; 0] = [];
    // kevent(2) with a change list only: registers the filter. ESRCH means
    // the child is already a zombie; the SIGCHLD fallback then sees it at
    // once through the owner's first waitpid.
    #[allow(unsafe_code)]
    // SAFETY: the change list holds a valid event whose udata is null and
    // never dereferenced; the event list is empty, so nothing is written.
    let r = unsafe { kevent_timespec(&kq, &change, &mut none[..], Some(&zero)) };
    match r {
        Ok(_) => Some(Ok(kq)),
        Err(e) => Some(Err(io::Error::from(e))),
    }
}

#[cfg(not(any(eddy_epoll, eddy_kqueue)))]
fn exact(_pid: u32) -> Option<io::Result<OwnedFd>> {
    None
}
