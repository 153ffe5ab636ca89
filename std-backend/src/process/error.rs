//! The errors of the process module: [`ForkError`] for
//! [`fork_processes`](crate::fork_processes), [`SpawnError`] for
//! [`Subprocess::spawn`](crate::Subprocess::spawn), and the
//! [`ExitReason`] both speak of.

use std::ffi::OsString;
use std::fmt;
use std::io;

use crate::error::SignalsError;

/// How a process ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExitReason {
    /// It called `exit` with this status.
    Exited(i32),
    /// It was killed by this signal number.
    Signaled(i32),
}

impl ExitReason {
    /// Whether it exited with status 0.
    pub fn success(self) -> bool {
        self == ExitReason::Exited(0)
    }

    /// From a `std` exit status (`None` for a stopped process).
    pub fn from_status(status: std::process::ExitStatus) -> Option<ExitReason> {
        use std::os::unix::process::ExitStatusExt;
        match (status.code(), status.signal()) {
            (Some(code), _) => Some(ExitReason::Exited(code)),
            (None, Some(sig)) => Some(ExitReason::Signaled(sig)),
            (None, None) => None,
        }
    }
}

impl fmt::Display for ExitReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExitReason::Exited(code) => write!(f, "exit status {code}"),
            ExitReason::Signaled(sig) => write!(f, "killed by signal {sig}"),
        }
    }
}

/// [`fork_processes`](crate::fork_processes) failed, in the parent.
#[derive(Debug)]
#[non_exhaustive]
pub enum ForkError {
    /// The parent could not subscribe to `SIGCHLD`/`SIGTERM`/`SIGINT`.
    Signals(SignalsError),
    /// `fork(2)` failed (`EAGAIN`: the process limit; `ENOMEM`).
    Fork(io::Error),
    /// Waiting for the workers failed (`poll(2)` or `waitpid(2)`).
    Wait(io::Error),
    /// More workers died abnormally than `max_restarts` allows; the others
    /// were sent `SIGTERM` and waited for.
    TooManyRestarts {
        /// Restarts made before giving up.
        restarts: usize,
        /// The task id of the worker whose death was one too many.
        task_id: usize,
        /// How it ended.
        last: ExitReason,
    },
}

impl fmt::Display for ForkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ForkError::Signals(e) => write!(f, "cannot watch the workers: {e}"),
            ForkError::Fork(e) => write!(
                f,
                "fork(2) failed ({e}): lower the number of workers or raise the process limit"
            ),
            ForkError::Wait(e) => write!(f, "waiting for the workers failed ({e})"),
            ForkError::TooManyRestarts {
                restarts,
                task_id,
                last,
            } => write!(
                f,
                "too many worker restarts, giving up: worker {task_id} ended with {last} after \
                 {restarts} restarts; fix what kills the workers or raise max_restarts"
            ),
        }
    }
}

impl std::error::Error for ForkError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ForkError::Signals(e) => Some(e),
            ForkError::Fork(e) | ForkError::Wait(e) => Some(e),
            ForkError::TooManyRestarts { .. } => None,
        }
    }
}

/// [`Subprocess::spawn`](crate::Subprocess::spawn) failed: no child is
/// left behind.
#[derive(Debug)]
#[non_exhaustive]
pub enum SpawnError {
    /// The program does not exist (`ENOENT` from `execvp(3)`).
    NotFound {
        /// The program, as given.
        program: OsString,
    },
    /// The program exists but may not be run (`EACCES`).
    PermissionDenied {
        /// The program, as given.
        program: OsString,
    },
    /// Any other start failure (`fork`, `pipe`, `exec`).
    Start {
        /// The program, as given.
        program: OsString,
        /// The operating system's error.
        source: io::Error,
    },
    /// The child started but its exit cannot be watched (out of
    /// descriptors); it was killed and reaped.
    Watch {
        /// The program, as given.
        program: OsString,
        /// The operating system's error.
        source: io::Error,
    },
}

impl SpawnError {
    /// The program that could not be started.
    pub fn program(&self) -> &OsString {
        match self {
            SpawnError::NotFound { program }
            | SpawnError::PermissionDenied { program }
            | SpawnError::Start { program, .. }
            | SpawnError::Watch { program, .. } => program,
        }
    }

    pub(crate) fn from_spawn(program: OsString, e: io::Error) -> SpawnError {
        match e.kind() {
            io::ErrorKind::NotFound => SpawnError::NotFound { program },
            io::ErrorKind::PermissionDenied => SpawnError::PermissionDenied { program },
            _ => SpawnError::Start { program, source: e },
        }
    }
}

impl fmt::Display for SpawnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpawnError::NotFound { program } => write!(
                f,
                "cannot start {}: no such program (check the name and PATH)",
                program.to_string_lossy()
            ),
            SpawnError::PermissionDenied { program } => write!(
                f,
                "cannot start {}: permission denied (is it executable?)",
                program.to_string_lossy()
            ),
            SpawnError::Start { program, source } => {
                write!(f, "cannot start {}: {source}", program.to_string_lossy())
            }
            SpawnError::Watch { program, source } => write!(
                f,
                "started {} but cannot watch its exit ({source}): close unused fds",
                program.to_string_lossy()
            ),
        }
    }
}

impl std::error::Error for SpawnError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SpawnError::Start { source, .. } | SpawnError::Watch { source, .. } => Some(source),
            _ => None,
        }
    }
}
