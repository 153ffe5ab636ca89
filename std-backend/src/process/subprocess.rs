//! [`Subprocess`]: a child process with non-blocking pipes and an exit
//! notification (Tornado's `tornado.process.Subprocess`).
//!
//! Starting is [`std::process::Command`]'s job (it reports an `exec`
//! failure such as `ENOENT` back to the parent, and is safe in threaded
//! programs); this type adds what a reactor needs:
//!
//! - stdout and stderr as [`OutputStream`]s — [`BufferedStream`]s over
//!   non-blocking [`PipeTransport`]s — and stdin as a `PipeTransport`;
//! - an exit fd (`sys/exit_watch.rs`: a pidfd on Linux, a kqueue
//!   `EVFILT_PROC` on macOS/FreeBSD, a `SIGCHLD` subscription elsewhere)
//!   that turns readable when the child exits, after which
//!   [`Subprocess::try_wait`] reaps it: no zombie is left;
//! - an optional timeout: [`Subprocess::on_timeout`] kills the child
//!   (`SIGKILL`) and the [`Exit`] says it timed out.
//!
//! The reactor glue (registrations, the timer, delivering output) is in
//! `watch.rs`; this file is the state a caller may also drive by hand.

use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use eddy_core::stream::BufferedStream;

use super::error::{ExitReason, SpawnError};
use super::pipe::PipeTransport;
use super::watch::WatchState;
use crate::sys::exit_watch::ExitWatch;

/// Read buffer of each output stream: the most one read hands over.
pub const OUTPUT_BUFFER: usize = 16 * 1024;

/// A child's stdout or stderr: a read-only buffered stream over a pipe.
pub type OutputStream = BufferedStream<PipeTransport, OUTPUT_BUFFER, 0>;

/// Which output pipe of a child.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Output {
    /// The child's standard output.
    Stdout,
    /// The child's standard error.
    Stderr,
}

/// How a [`Subprocess`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Exit {
    /// Its exit status or the signal that killed it.
    pub reason: ExitReason,
    /// Whether it was killed because its timeout passed.
    pub timed_out: bool,
}

/// What [`Subprocess::spawn`] connects and limits. By default stdout and
/// stderr are pipes, stdin is `/dev/null`, and there is no timeout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpawnOptions {
    stdin: bool,
    stdout: bool,
    stderr: bool,
    timeout: Option<Duration>,
}

impl Default for SpawnOptions {
    fn default() -> Self {
        SpawnOptions::new()
    }
}

impl SpawnOptions {
    /// Stdout and stderr piped, stdin from `/dev/null`, no timeout.
    pub const fn new() -> SpawnOptions {
        SpawnOptions {
            stdin: false,
            stdout: true,
            stderr: true,
            timeout: None,
        }
    }

    /// Pipe stdin (`true`) or give the child `/dev/null` (`false`).
    pub const fn stdin(mut self, piped: bool) -> Self {
        self.stdin = piped;
        self
    }

    /// Pipe stdout (`true`) or let the child inherit this process's.
    pub const fn stdout(mut self, piped: bool) -> Self {
        self.stdout = piped;
        self
    }

    /// Pipe stderr (`true`) or let the child inherit this process's.
    pub const fn stderr(mut self, piped: bool) -> Self {
        self.stderr = piped;
        self
    }

    /// Kill the child (`SIGKILL`) if it runs longer than `timeout`.
    pub const fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }
}

/// A running or finished child process (Tornado's `Subprocess`): stdout
/// and stderr as [`OutputStream`]s over non-blocking pipes, stdin as a
/// [`PipeTransport`], an [exit fd](Self::exit_fd) that turns readable when
/// the child exits (a pidfd on Linux, a kqueue `EVFILT_PROC` on
/// macOS/FreeBSD, a `SIGCHLD` subscription elsewhere), after which
/// [`try_wait`](Self::try_wait) reaps it, and an optional timeout
/// ([`on_timeout`](Self::on_timeout) kills it). [`watch_subprocess`](crate::watch_subprocess)
/// drives all of it on a reactor.
///
/// Dropping a `Subprocess` whose child has not been reaped kills it
/// (`SIGKILL`) and reaps it, so no zombie outlives it.
#[derive(Debug)]
pub struct Subprocess {
    child: Child,
    exit_watch: ExitWatch,
    stdin: Option<PipeTransport>,
    stdout: Option<OutputStream>,
    stderr: Option<OutputStream>,
    timeout: Option<Duration>,
    timed_out: bool,
    exit: Option<Exit>,
    pub(super) watch: WatchState,
}

fn pipe_end(fd: Option<impl Into<OwnedFd>>) -> io::Result<Option<PipeTransport>> {
    fd.map(|fd| PipeTransport::new(fd.into())).transpose()
}

impl Subprocess {
    /// Starts `command` with the pipes `options` asks for. The command's
    /// own stdin/stdout/stderr settings are replaced.
    ///
    /// # Errors
    /// [`SpawnError::NotFound`] (naming the program) if it does not exist,
    /// [`SpawnError::PermissionDenied`], [`SpawnError::Start`] for other
    /// start failures, [`SpawnError::Watch`] if the exit fd cannot be made
    /// (the child is then killed and reaped).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::process::Command;
    /// use eddy_std::{SpawnError, SpawnOptions, Subprocess};
    ///
    /// let err = Subprocess::spawn(&mut Command::new("no-such-program-here"), SpawnOptions::new())
    ///     .unwrap_err();
    /// assert!(matches!(err, SpawnError::NotFound { .. }));
    /// assert!(err.to_string().contains("no-such-program-here"));
    /// ```
    pub fn spawn(command: &mut Command, options: SpawnOptions) -> Result<Subprocess, SpawnError> {
        Subprocess::spawn_watched(command, options, ExitWatch::new)
    }

    /// [`spawn`](Self::spawn) with the exit watch made by `watch` (the
    /// tests force the `SIGCHLD` fallback through it).
    pub(super) fn spawn_watched(
        command: &mut Command,
        options: SpawnOptions,
        watch: fn(u32) -> io::Result<ExitWatch>,
    ) -> Result<Subprocess, SpawnError> {
        let program = command.get_program().to_os_string();
        let piped = |on: bool, or: fn() -> Stdio| if on { Stdio::piped() } else { or() };
        command
            .stdin(piped(options.stdin, Stdio::null))
            .stdout(piped(options.stdout, Stdio::inherit))
            .stderr(piped(options.stderr, Stdio::inherit));
        let mut child = command
            .spawn()
            .map_err(|e| SpawnError::from_spawn(program.clone(), e))?;
        let setup = (|| {
            let exit_watch = watch(child.id())?;
            let stdin = pipe_end(child.stdin.take())?;
            let stdout = pipe_end(child.stdout.take())?.map(BufferedStream::new);
            let stderr = pipe_end(child.stderr.take())?.map(BufferedStream::new);
            io::Result::Ok((exit_watch, stdin, stdout, stderr))
        })();
        match setup {
            Ok((exit_watch, stdin, stdout, stderr)) => Ok(Subprocess {
                child,
                exit_watch,
                stdin,
                stdout,
                stderr,
                timeout: options.timeout,
                timed_out: false,
                exit: None,
                watch: WatchState::default(),
            }),
            Err(source) => {
                let _ = child.kill();
                let _ = child.wait();
                Err(SpawnError::Watch { program, source })
            }
        }
    }

    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The timeout it was started with.
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// The stdout or stderr stream, if piped (and not taken).
    pub fn output_mut(&mut self, which: Output) -> Option<&mut OutputStream> {
        match which {
            Output::Stdout => self.stdout.as_mut(),
            Output::Stderr => self.stderr.as_mut(),
        }
    }

    /// Takes the stdout or stderr stream, to drive it yourself.
    pub fn take_output(&mut self, which: Output) -> Option<OutputStream> {
        match which {
            Output::Stdout => self.stdout.take(),
            Output::Stderr => self.stderr.take(),
        }
    }

    /// Takes the write end of the child's stdin, if piped; dropping it
    /// closes the child's stdin (end-of-file there).
    pub fn take_stdin(&mut self) -> Option<PipeTransport> {
        self.stdin.take()
    }

    /// The exit fd: register it for readability, and call
    /// [`try_wait`](Self::try_wait) when it is reported.
    pub fn exit_fd(&self) -> BorrowedFd<'_> {
        self.exit_watch.as_fd()
    }

    /// How the child ended, once reaped.
    pub fn exit(&self) -> Option<Exit> {
        self.exit
    }

    /// Reaps the child if it has exited (`waitpid(2)` with `WNOHANG`);
    /// `None` while it runs. Consumes the exit fd's notification.
    ///
    /// # Errors
    /// `waitpid(2)` failed (`ECHILD`: someone else reaped it).
    pub fn try_wait(&mut self) -> io::Result<Option<Exit>> {
        if self.exit.is_some() {
            return Ok(self.exit);
        }
        self.exit_watch.drain();
        let Some(status) = self.child.try_wait()? else {
            return Ok(None);
        };
        let reason = ExitReason::from_status(status).unwrap_or(ExitReason::Signaled(0));
        self.exit = Some(Exit {
            reason,
            timed_out: self.timed_out,
        });
        Ok(self.exit)
    }

    /// Whether the exit fd may also report other children's exits (the
    /// `SIGCHLD` fallback): then a report is only a hint.
    pub fn exit_fd_is_shared(&self) -> bool {
        self.exit_watch.is_shared()
    }

    /// Kills the child with `SIGKILL` (nothing if already reaped).
    ///
    /// # Errors
    /// `kill(2)` failed.
    pub fn kill(&mut self) -> io::Result<()> {
        if self.exit.is_some() {
            return Ok(());
        }
        self.child.kill()
    }

    /// The timeout passed: kills the child and marks its [`Exit`] as
    /// timed out. Does nothing once it has been reaped.
    ///
    /// # Errors
    /// `kill(2)` failed.
    pub fn on_timeout(&mut self) -> io::Result<()> {
        if self.exit.is_some() {
            return Ok(());
        }
        self.timed_out = true;
        self.kill()
    }
}

impl Drop for Subprocess {
    fn drop(&mut self) {
        if self.exit.is_none() && matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
