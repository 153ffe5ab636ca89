//! Processes: Tornado's `tornado.process` and `run_on_executor`, on the
//! std backend.
//!
//! - `fork`: [`fork_processes`] forks pre-forked workers and supervises
//!   them (restarts, `SIGTERM`/`SIGINT` forwarding), [`task_id`] tells a
//!   worker which one it is; `reserve`: [`PortReservation`] holds a port
//!   for the workers' own `SO_REUSEPORT` listeners;
//! - `subprocess`: [`Subprocess`], a child with non-blocking pipes
//!   ([`PipeTransport`] in `pipe`, read through
//!   [`BufferedStream`](eddy_core::stream::BufferedStream)), an exit fd and
//!   a timeout; `watch` glues it to a reactor ([`ProcessHost`],
//!   [`watch_subprocess`]);
//! - `pool`: [`BlockingPool`], blocking work on a few threads, completed
//!   on the loop through a mailbox (callback form) or as a future
//!   ([`Blocking`], in `blocking`);
//! - `error`: [`ForkError`], [`SpawnError`], [`ExitReason`].
//!
//! The system calls with `unsafe` (`fork(2)`, the signal mask) and the
//! per-platform exit notification live in `sys/`.

mod blocking;
mod error;
mod fork;
mod pipe;
mod pool;
mod reserve;
mod subprocess;
#[cfg(test)]
mod tests;
mod watch;

pub use blocking::Blocking;
pub use error::{ExitReason, ForkError, SpawnError};
pub use fork::{fork_processes, task_id, Forked};
pub use pipe::{PipeError, PipeTransport};
pub use pool::{BlockingPool, JobId, JobPanicked};
pub use reserve::PortReservation;
pub use subprocess::{Exit, Output, OutputStream, SpawnOptions, Subprocess, OUTPUT_BUFFER};
pub use watch::{unwatch_subprocess, watch_subprocess, ProcessHost, WatchError};
