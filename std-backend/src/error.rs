//! The errors of the std backend: one enum per operation family.
//!
//! [`StdError`] is [`eddy_core::Backend::Error`]: it says which backend call
//! failed and carries the operating system's [`io::Error`]. [`SignalsError`]
//! is what [`Signals::new`](crate::Signals::new) returns. Both print what to
//! do next, not only what went wrong.

use std::fmt;
use std::io;

use crate::sys::signal::Signal;

/// A backend call failed; the operating system's error is inside.
#[derive(Debug)]
#[non_exhaustive]
pub enum StdError {
    /// `register` failed: the fd is closed, already registered, not
    /// pollable (a regular file under epoll), or its token is the reserved
    /// placeholder `Event::EMPTY.token`.
    Register(io::Error),
    /// `reregister` failed: the fd is not registered with this backend, or
    /// the token is reserved.
    Reregister(io::Error),
    /// `deregister` failed: the fd is not registered with this backend.
    Deregister(io::Error),
    /// The poll system call failed for a reason other than an interruption
    /// (interruptions are retried).
    Poll(io::Error),
}

impl StdError {
    /// The operating system's error.
    pub fn io_error(&self) -> &io::Error {
        match self {
            StdError::Register(e) | StdError::Reregister(e) | StdError::Deregister(e) | StdError::Poll(e) => {
                e
            }
        }
    }

    /// The kind of the operating system's error.
    pub fn kind(&self) -> io::ErrorKind {
        self.io_error().kind()
    }
}

impl fmt::Display for StdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StdError::Register(e) => write!(
                f,
                "could not register the source ({e}): check that the fd is open and pollable, \
                 that it is not registered yet (use reregister), and that its token is not \
                 the reserved Event::EMPTY token"
            ),
            StdError::Reregister(e) => write!(
                f,
                "could not change the source's registration ({e}): register it first, \
                 and do not use the reserved Event::EMPTY token"
            ),
            StdError::Deregister(e) => write!(
                f,
                "could not deregister the source ({e}): it was not registered with this backend \
                 (or was closed before being deregistered)"
            ),
            StdError::Poll(e) => write!(
                f,
                "waiting for readiness failed ({e}): this backend cannot be used any more; \
                 drop it and create a new one"
            ),
        }
    }
}

impl std::error::Error for StdError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.io_error())
    }
}

impl From<StdError> for io::Error {
    fn from(e: StdError) -> io::Error {
        match e {
            StdError::Register(e) | StdError::Reregister(e) | StdError::Deregister(e) | StdError::Poll(e) => {
                e
            }
        }
    }
}

/// [`Signals::new`](crate::Signals::new) failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum SignalsError {
    /// The notification pipe could not be created (usually: out of fds).
    Pipe(io::Error),
    /// `sigaction(2)` refused to install the handler for `signal`.
    Install {
        /// The signal whose handler could not be installed.
        signal: Signal,
        /// The operating system's error.
        error: io::Error,
    },
    /// Every one of the process-wide [`Signals`](crate::Signals) slots is in use.
    NoFreeSlot,
}

impl fmt::Display for SignalsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignalsError::Pipe(e) => write!(
                f,
                "could not create the signal notification pipe ({e}): close unused fds \
                 or raise the fd limit"
            ),
            SignalsError::Install { signal, error } => write!(
                f,
                "could not install the handler for {signal} ({error}): this signal cannot \
                 be caught on this platform"
            ),
            SignalsError::NoFreeSlot => f.write_str(
                "too many live Signals in this process: share one Signals among all the \
                 signals you need, or drop the ones you no longer use",
            ),
        }
    }
}

impl std::error::Error for SignalsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SignalsError::Pipe(e) | SignalsError::Install { error: e, .. } => Some(e),
            SignalsError::NoFreeSlot => None,
        }
    }
}
