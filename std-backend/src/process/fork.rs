//! Pre-forked workers: [`fork_processes`] (Tornado's
//! `tornado.process.fork_processes`) and [`task_id`].
//!
//! The parent forks `n` workers and then only supervises: it waits on a
//! [`Signals`] for `SIGCHLD`, `SIGTERM` and `SIGINT` (one `poll(2)` on its
//! fd; no reactor), reaps every child that ends (`waitpid(2)` with
//! `WNOHANG`, so no zombie stays), and
//!
//! - restarts a worker that was killed by a signal or exited non-zero,
//!   under the same task id, up to `max_restarts` times in all; one more
//!   abnormal death sends `SIGTERM` to the others, waits for them and
//!   returns [`ForkError::TooManyRestarts`];
//! - lets a worker that exited with status 0 go (Tornado does the same);
//! - on `SIGTERM` or `SIGINT`, forwards that signal to every worker, stops
//!   restarting, and returns [`Forked::Finished`] once all have ended.
//!
//! Sockets bound before the call are inherited by every worker (Tornado's
//! model: one listening socket, the kernel hands each connection to
//! whichever worker accepts first, which is known to favour one worker).
//! For an even split, have each worker bind its own `SO_REUSEPORT`
//! listener after the call ([`bind_sockets`](crate::bind_sockets) with
//! `reuse_port`): the kernel then spreads connections over the listeners by
//! a hash of the connection's addresses.
//!
//! Around each `fork(2)` the parent blocks the three signals; the child
//! drops the parent's subscription (which puts the default dispositions
//! back, see `sys/signal.rs`) and then restores the mask, so a worker
//! starts with a clean signal state and may make its own [`Signals`].

use std::sync::atomic::{AtomicUsize, Ordering};

use rustix::event::{poll, PollFd, PollFlags};
use rustix::process::{getpid, kill_process, waitpid, Pid, Signal as RSignal, WaitOptions, WaitStatus};

use super::error::{ExitReason, ForkError};
use crate::sys::fork::{fork, term_with_parent, MaskGuard, Side};
use crate::{Signal, Signals};

/// `usize::MAX`: this process is not a worker.
static TASK_ID: AtomicUsize = AtomicUsize::new(usize::MAX);

/// The signals the parent handles, blocked around each fork.
const WATCHED: [Signal; 3] = [Signal::Chld, Signal::Term, Signal::Int];

/// What [`fork_processes`] returns, in the process it returns in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Forked {
    /// In a worker: its task id, `0..n`. A restarted worker gets the id of
    /// the one it replaces.
    Worker(usize),
    /// In the parent: every worker has ended, after a `SIGTERM`/`SIGINT`
    /// (forwarded to them) or by exiting with status 0. The parent should
    /// exit now.
    Finished,
}

/// The task id of this process if it is a worker made by
/// [`fork_processes`] (Tornado's `task_id()`); `None` in the parent and in
/// programs that never forked.
pub fn task_id() -> Option<usize> {
    match TASK_ID.load(Ordering::Relaxed) {
        usize::MAX => None,
        id => Some(id),
    }
}

/// Forks `n` worker processes (`0`: one per CPU, from
/// [`std::thread::available_parallelism`]) and supervises them. Returns
/// [`Forked::Worker`] in each worker, which should then build its own
/// reactor and serve; the parent returns only once all workers are gone.
///
/// The parent waits for `SIGCHLD`, `SIGTERM` and `SIGINT`, reaps every
/// child that ends (no zombie stays), and
/// - restarts a worker killed by a signal or exiting non-zero, under the
///   same task id, up to `max_restarts` times in all; one more abnormal
///   death sends `SIGTERM` to the others, waits for them, and returns
///   [`ForkError::TooManyRestarts`];
/// - lets a worker that exits with status 0 go;
/// - on `SIGTERM`/`SIGINT`, forwards the signal to every worker, stops
///   restarting, and returns [`Forked::Finished`] once all have ended.
///
/// A worker is sent `SIGTERM` by the kernel if the parent itself dies (on
/// Linux and FreeBSD), so workers do not outlive a supervisor killed with
/// `SIGKILL`.
///
/// Sockets bound before the call are shared by every worker (Tornado's
/// model, which lets one worker take most connections); for an even split
/// each worker binds its own `SO_REUSEPORT` listener after the call
/// ([`bind_sockets`](crate::bind_sockets) with `reuse_port`).
///
/// Call it from a process that has started no thread and built no reactor
/// yet (as Tornado requires no IOLoop before `fork_processes`): after a
/// fork only the calling thread exists in the child, and locks other
/// threads held stay locked there. Bind the sockets the workers share
/// first.
///
/// # Errors
/// In the parent: [`ForkError::Signals`] if the supervisor cannot subscribe
/// to signals, [`ForkError::Fork`] if a fork fails (the workers already
/// made are sent `SIGTERM` and waited for), [`ForkError::Wait`] if waiting
/// fails, and [`ForkError::TooManyRestarts`].
///
/// # Examples
///
/// ```no_run
/// use eddy_std::{bind_sockets, fork_processes, Forked};
///
/// let listener = bind_sockets("127.0.0.1:8888".parse()?, 1024, false)?;
/// match fork_processes(0, 100)? {
///     Forked::Worker(id) => {
///         // Build a reactor, accept on `listener`, run.
///         println!("worker {id} serving on {}", listener.local_addr()?);
///     }
///     Forked::Finished => std::process::exit(0),
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn fork_processes(n: usize, max_restarts: usize) -> Result<Forked, ForkError> {
    let n = match n {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let signals = Signals::new(&WATCHED).map_err(ForkError::Signals)?;
    let mut sup = Supervisor {
        parent: getpid(),
        children: vec![None; n],
        restarts: 0,
        max_restarts,
        stopping: false,
    };
    for id in 0..n {
        match sup.spawn(id) {
            Ok(Some(mask)) => return Ok(in_child(signals, mask, sup.parent, id)),
            Ok(None) => {}
            Err(e) => {
                sup.stop_all(RSignal::TERM);
                sup.reap_all();
                return Err(e);
            }
        }
    }
    sup.supervise(signals)
}

/// The child's first steps: ask for `SIGTERM` when the parent dies, drop
/// the parent's subscription (restoring the default dispositions), then
/// the mask held since before the fork — a `SIGTERM` that came meanwhile
/// ends the worker now. A parent that died before the request means no
/// signal will come: the worker ends itself the same way.
fn in_child(signals: Signals, mask: MaskGuard, parent: Pid, id: usize) -> Forked {
    let parent_alive = term_with_parent(parent);
    drop(signals);
    drop(mask);
    if !parent_alive {
        let _ = kill_process(getpid(), RSignal::TERM);
        std::process::exit(1);
    }
    TASK_ID.store(id, Ordering::Relaxed);
    Forked::Worker(id)
}

struct Supervisor {
    /// This process, the workers' parent.
    parent: Pid,
    /// Live workers by task id.
    children: Vec<Option<Pid>>,
    restarts: usize,
    max_restarts: usize,
    stopping: bool,
}

impl Supervisor {
    /// Forks worker `id`. In the child: `Some` with the mask still held,
    /// for [`in_child`] to restore once the subscription is dropped.
    fn spawn(&mut self, id: usize) -> Result<Option<MaskGuard>, ForkError> {
        let mask = MaskGuard::block(&WATCHED).map_err(ForkError::Fork)?;
        let side = fork().map_err(ForkError::Fork)?;
        match side {
            Side::Parent(pid) => {
                self.children[id] = Some(pid);
                debug!("eddy-std: worker {} started as pid {}", id, pid.as_raw_nonzero());
                drop(mask);
                Ok(None)
            }
            Side::Child => Ok(Some(mask)),
        }
    }

    fn supervise(&mut self, signals: Signals) -> Result<Forked, ForkError> {
        while self.children.iter().any(Option::is_some) {
            wait_readable(&signals)?;
            let pending = signals.take_pending();
            for (sig, raw) in [(Signal::Term, RSignal::TERM), (Signal::Int, RSignal::INT)] {
                if pending.contains(sig) {
                    self.stopping = true;
                    self.stop_all(raw);
                }
            }
            while let Some((pid, status)) = reap_one()? {
                let Some(id) = self.children.iter().position(|c| *c == Some(pid)) else {
                    continue;
                };
                self.children[id] = None;
                let why = reason(status);
                if self.stopping || why.success() {
                    continue;
                }
                if self.restarts >= self.max_restarts {
                    self.stop_all(RSignal::TERM);
                    self.reap_all();
                    return Err(ForkError::TooManyRestarts {
                        restarts: self.restarts,
                        task_id: id,
                        last: why,
                    });
                }
                warn!(
                    "eddy-std: worker {} (pid {}) ended with {}; restarting",
                    id,
                    pid.as_raw_nonzero(),
                    why
                );
                self.restarts += 1;
                match self.spawn(id) {
                    Ok(Some(mask)) => return Ok(in_child(signals, mask, self.parent, id)),
                    Ok(None) => {}
                    Err(e) => {
                        // No orphans: the others are stopped and reaped.
                        self.stop_all(RSignal::TERM);
                        self.reap_all();
                        return Err(e);
                    }
                }
            }
        }
        Ok(Forked::Finished)
    }

    /// Sends `sig` to every live worker (one already gone is skipped).
    fn stop_all(&self, sig: RSignal) {
        for pid in self.children.iter().flatten() {
            let _ = kill_process(*pid, sig);
        }
    }

    /// Blocks until every worker has ended, reaping each.
    fn reap_all(&mut self) {
        while self.children.iter().any(Option::is_some) {
            match waitpid(None, WaitOptions::empty()) {
                Ok(Some((pid, _))) => self
                    .children
                    .iter_mut()
                    .filter(|c| **c == Some(pid))
                    .for_each(|c| *c = None),
                Ok(None) => {}
                Err(rustix::io::Errno::INTR) => {}
                Err(_) => break, // ECHILD: none left
            }
        }
    }
}

/// Blocks until the subscription's fd is readable (`poll(2)`, retrying
/// `EINTR`: the signal that interrupted it is what the fd reports).
fn wait_readable(signals: &Signals) -> Result<(), ForkError> {
    use std::os::fd::AsFd;
    loop {
        let fd = signals.as_fd();
        let mut fds = [PollFd::new(&fd, PollFlags::IN)];
        match poll(&mut fds, None) {
            Ok(_) => return Ok(()),
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(ForkError::Wait(e.into())),
        }
    }
}

/// Reaps one ended child without blocking (`waitpid(2)`, `WNOHANG`);
/// `None` when no child has ended (or none is left: `ECHILD`).
fn reap_one() -> Result<Option<(Pid, WaitStatus)>, ForkError> {
    loop {
        match waitpid(None, WaitOptions::NOHANG) {
            Ok(r) => return Ok(r),
            Err(rustix::io::Errno::INTR) => {}
            Err(rustix::io::Errno::CHILD) => return Ok(None),
            Err(e) => return Err(ForkError::Wait(e.into())),
        }
    }
}

fn reason(status: WaitStatus) -> ExitReason {
    match (status.exit_status(), status.terminating_signal()) {
        (Some(code), _) => ExitReason::Exited(code),
        (None, Some(sig)) => ExitReason::Signaled(sig),
        // Stopped or continued: waitpid without WUNTRACED does not report
        // those; count it as abnormal if it ever does.
        (None, None) => ExitReason::Signaled(0),
    }
}
