//! # eddy-core
//!
//! The reactor at the heart of eddy: Tornado's IOLoop, IOStream and HTTP
//! server rebuilt as a `#![no_std]` library that needs no allocator, so the
//! same code runs in bare-metal firmware and in hosted Linux/macOS servers.
//!
//! ## The layers
//!
//! - [`time`]: monotonic [`Instant`]s; durations are
//!   [`core::time::Duration`]. Only a backend reads a clock.
//! - [`token`] and [`event`]: generation-tagged [`Token`]s,
//!   [`Interest`] and readiness [`Event`]s.
//! - [`backend`]: the [`Backend`] trait, **the one seam**
//!   between the reactor and a platform (epoll/kqueue/poll in `eddy-std`,
//!   smoltcp in `eddy-bare`, the simulator in [`sim`]).
//! - [`queue`], [`mailbox`], [`timer`], [`handlers`]: the fixed-capacity
//!   containers the loop is made of — the callback queue, the cross-thread
//!   and interrupt-safe mailbox, the timer heap and the handler table.
//! - [`reactor`]: the loop itself, in Tornado's order: callbacks queued
//!   before the iteration, then expired timers, then a poll, then I/O
//!   handlers.
//! - `http` (feature `http`): a sans-I/O HTTP/1.1 server connection —
//!   bytes and `now` in, events and response bytes out — shared by firmware
//!   and hosted servers.
//! - [`stream`]: Tornado's IOStream, sans-I/O — a buffered stream over any
//!   non-blocking `embedded-io` transport with `read_until`, `read_exact`,
//!   `read_until_close`, streaming reads, buffered writes with
//!   backpressure, and a close reported once with its reason.
//! - [`task`]: Tornado's coroutines — a [`Runtime`](task::Runtime) that
//!   polls `async` tasks from fixed pools between reactor iterations, with
//!   `sleep`, `with_timeout` and a [`Oneshot`](task::Oneshot) many tasks
//!   can await. No heap and no `unsafe`: the caller pins the task slots.
//!
//! ## Capacities and errors
//!
//! Every capacity is a const generic chosen by the user, and every
//! constructor is `const`, so a reactor can live in a `static`. A full
//! container returns [`Full`] with the rejected item inside;
//! nothing panics on a full container and nothing is dropped silently.
//!
//! # Features
//!
//! - `log`: log through the `log` facade (hosted).
//! - `defmt`: log through `defmt` and derive `defmt::Format` (firmware).
//! - `sim`: the simulated backend ([`sim`]), for tests on any target.
//! - `http`: the HTTP/1.1 server connection (`http` module, through
//!   `httparse`).
//!
//! At most one of `log` and `defmt` may be on; with neither, logging
//! compiles to nothing.

#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(test)]
extern crate std;

#[macro_use]
mod fmt;

pub mod backend;
pub mod callback;
pub mod error;
pub mod event;
pub mod handlers;
#[cfg(feature = "http")]
pub mod http;
pub mod mailbox;
pub mod queue;
pub mod reactor;
#[cfg(any(test, doc, feature = "sim"))]
pub mod sim;
pub mod stream;
pub mod task;
pub mod time;
pub mod timer;
pub mod token;

pub use backend::{Backend, Wake};
pub use callback::{Callback, CallbackError, CallbackResult, Handler};
pub use error::Full;
pub use event::{Event, Interest, Ready};
pub use reactor::Reactor;
pub use time::Instant;
pub use timer::TimerHandle;
pub use token::Token;
