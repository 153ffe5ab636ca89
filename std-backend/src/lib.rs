//! # eddy-std
//!
//! The hosted backend of eddy: [`StdBackend`] implements
//! [`eddy_core::Backend`] on top of the operating system's readiness
//! mechanism, through [`rustix`].
//!
//! ## The layers
//!
//! - [`StdBackend`] (in `backend`): the one type the reactor sees. It keeps
//!   the parts every platform shares — the reserved waker token, timeouts
//!   rounded **up** to whole milliseconds, the `EINTR` retry loop — and hands
//!   the system calls to a selector.
//! - `sys/`: the only place with platform code and `unsafe`. One file per
//!   mechanism, each implementing the crate-private `Selector` trait:
//!   `epoll` (Linux, edge-triggered), `kqueue` (macOS and FreeBSD,
//!   `EV_CLEAR`) and `poll` (any unix, level-triggered; see
//!   [`PollerKind::Poll`]). Beside them: the cross-thread wakers (`eventfd`
//!   on Linux, a pipe elsewhere), the monotonic clock and [`Signals`].
//! - `tcp/`: TCP on top, in safe code with `std::net` types (its one
//!   platform split: Apple has no `accept4`/`SOCK_CLOEXEC`, so `tcp/socket.rs`
//!   sets those flags after the call there). Listeners from
//!   [`bind_sockets`] / [`bind_all`] (`SO_REUSEADDR`, optional
//!   `SO_REUSEPORT`, IPv6 always `V6ONLY`: to serve both families, bind
//!   both); an [`Acceptor`] that drains the queue and pauses with a
//!   [`Backoff`] when out of descriptors, glued to the reactor by
//!   [`TcpHost`] and [`start_accepting`] so that a listener that cannot
//!   accept is deregistered rather than spinning the loop; and
//!   non-blocking [`connect`].
//! - `stream`: [`TcpTransport`], a non-blocking `TcpStream` seen through
//!   `embedded-io` (readiness flags fed from the reactor's events,
//!   would-block reported as `Interrupted`), so an
//!   [`eddy_core::stream::BufferedStream`] runs over TCP.
//! - `process/`: pre-forked workers ([`fork_processes`], [`task_id`]),
//!   [`Subprocess`] with non-blocking pipes ([`PipeTransport`]) and an exit
//!   fd, glued to the reactor by [`ProcessHost`] and [`watch_subprocess`],
//!   and [`BlockingPool`] for blocking work completed on the loop.
//! - [`StdError`], [`SignalsError`], [`BindError`], [`AcceptingError`] and
//!   [`FinishError`]: what failed, and what to do about it.
//!
//! The native mechanism is chosen at compile time; the `poll(2)` fallback can
//! be picked at run time with [`StdBackend::with_poll`], or forced for the
//! whole crate with `RUSTFLAGS="--cfg eddy_force_poll"` (which is how the
//! suite is re-run against it on Linux).
//!
//! ## Example
//!
//! ```
//! use std::time::Duration;
//! use eddy_core::{Backend, Event, Wake};
//! use eddy_std::StdBackend;
//!
//! let mut backend = StdBackend::new()?;
//! let waker = backend.waker();
//! std::thread::spawn(move || waker.wake());
//! let mut events = [Event::EMPTY; 16];
//! // Returns once the other thread's wake arrives, with no user events.
//! let n = backend.poll(&mut events, Some(Duration::from_secs(60)))?;
//! assert_eq!(n, 0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Features
//!
//! - `log` (default): log through the `log` facade (and turn on
//!   `eddy-core/log`). Without it, logging compiles to nothing.
//!
//! # Configuration
//!
//! - `--cfg eddy_force_poll`: [`StdBackend::new`] uses `poll(2)` instead of
//!   epoll/kqueue.

#![deny(missing_docs)]
#![deny(unsafe_code)]

#[macro_use]
mod fmt;

mod backend;
mod error;
mod process;
mod stream;
mod sys;
mod tcp;

pub use backend::{PollerKind, StdBackend, StdWaker};
pub use error::{SignalsError, StdError};
pub use process::{
    fork_processes, task_id, unwatch_subprocess, watch_subprocess, Blocking, BlockingPool, Exit, ExitReason,
    ForkError, Forked, JobId, JobPanicked, Output, OutputStream, PipeError, PipeTransport, PortReservation,
    ProcessHost, SpawnError, SpawnOptions, Subprocess, WatchError, OUTPUT_BUFFER,
};
pub use stream::{TcpTransport, TcpTransportError};
pub use sys::signal::{Signal, SignalSet, Signals};
pub use tcp::{
    bind_all, bind_sockets, connect, connect_stream, pause_accepting, resume_accepting, start_accepting,
    stop_accepting, Accept, AcceptStats, Accepted, AcceptingError, Acceptor, Backoff, BindError, Connecting,
    Drained, FinishError, StdReactor, TcpHost, DEFAULT_BACKLOG,
};
