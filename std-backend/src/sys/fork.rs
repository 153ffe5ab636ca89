//! `fork(2)` and the signal mask held around it, for
//! [`fork_processes`](crate::fork_processes).
//!
//! rustix offers `fork` only behind its unstable `runtime` feature, and no
//! `sigprocmask`, so both are called through `libc` here.
//!
//! The parent blocks the signals it handles (`SIGCHLD`, `SIGTERM`,
//! `SIGINT`) for the instant of the fork: a signal arriving then stays
//! pending instead of running the inherited handler in a child that has
//! not yet put the default dispositions back. The child restores the mask
//! once it has done so; a signal that arrived meanwhile is delivered then,
//! with the default action.

#![allow(unsafe_code)]

use std::io;

use rustix::process::Pid;

use super::signal::Signal;

/// Which side of a [`fork`] the caller is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Side {
    /// The original process; the child's pid.
    Parent(Pid),
    /// The new process.
    Child,
}

/// `fork(2)`: a copy of the calling process with only the calling thread.
///
/// In the child, until the program builds its own loop, only
/// async-signal-safe work is sound if other threads existed in the parent
/// (`signal-safety(7)`); `fork_processes` documents that it must run
/// before any thread is started.
pub(crate) fn fork() -> io::Result<Side> {
    // SAFETY: fork(2) has no memory-safety preconditions of its own; the
    // child-side restrictions are documented above and on
    // `fork_processes`, which does only signal-disposition resets, closes
    // and a mask restore before returning to the caller's code.
    match unsafe { libc::fork() } {
        -1 => Err(io::Error::last_os_error()),
        0 => Ok(Side::Child),
        pid => Pid::from_raw(pid)
            .map(Side::Parent)
            .ok_or_else(|| io::Error::other("fork returned pid 0")),
    }
}

/// Signals blocked for this thread while it lives; the previous mask is put
/// back on drop (`pthread_sigmask(2)`, async-signal-safe).
pub(crate) struct MaskGuard {
    old: libc::sigset_t,
}

impl MaskGuard {
    /// Blocks `signals` for the calling thread.
    pub(crate) fn block(signals: &[Signal]) -> io::Result<MaskGuard> {
        // SAFETY: sigset_t is plain old data; it is initialised by
        // sigemptyset below before any other use.
        let mut set: libc::sigset_t = unsafe { std::mem::zeroed() };
        // SAFETY: as above, for the set receiving the old mask.
        let mut old: libc::sigset_t = unsafe { std::mem::zeroed() };
        // SAFETY: sigemptyset(3) / sigaddset(3) on a set we own, with
        // valid signal numbers from `Signal::as_raw`.
        unsafe {
            libc::sigemptyset(&mut set);
            for s in signals {
                libc::sigaddset(&mut set, s.as_raw());
            }
        }
        // SAFETY: pthread_sigmask(3) with valid pointers to initialised sets.
        let rc = unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, &set, &mut old) };
        if rc != 0 {
            return Err(io::Error::from_raw_os_error(rc));
        }
        Ok(MaskGuard { old })
    }
}

impl Drop for MaskGuard {
    fn drop(&mut self) {
        // SAFETY: restores the mask pthread_sigmask gave us in `block`.
        unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, &self.old, std::ptr::null_mut()) };
    }
}

impl std::fmt::Debug for MaskGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MaskGuard").finish_non_exhaustive()
    }
}

/// Asks the kernel to send this process `SIGTERM` when its parent dies
/// (`prctl(PR_SET_PDEATHSIG)` on Linux, `procctl(PROC_PDEATHSIG_CTL)` on
/// FreeBSD; nothing elsewhere), so a worker does not outlive a supervisor
/// killed with `SIGKILL`. Returns `false` if `parent` is no longer the
/// parent: it died before the request, and no signal will come.
pub(crate) fn term_with_parent(parent: Pid) -> bool {
    #[cfg(any(eddy_epoll, target_os = "freebsd"))]
    {
        let _ = rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::TERM));
        rustix::process::getppid() == Some(parent)
    }
    #[cfg(not(any(eddy_epoll, target_os = "freebsd")))]
    {
        let _ = parent;
        true
    }
}
