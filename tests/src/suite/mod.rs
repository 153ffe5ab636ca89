//! The shared behavioural tests, one module per area. Each test is a
//! generic function over a [`Harness`](crate::harness::Harness); the
//! [`backend_suite!`](crate::backend_suite) macro instantiates them.
//!
//! Waiting is always on the reactor itself (`run_until` with a generous
//! timeout that only matters when the test is failing), never on a sleep.

use core::time::Duration;

pub mod io;
pub mod reactor;
pub mod stream;
pub mod stream_async;
pub mod stream_flow;
pub mod stream_modes;

/// How long a test lets the loop run before calling it a failure. Generous:
/// it bounds a failing test, it is not a speed assertion.
pub const PATIENCE: Duration = Duration::from_secs(10);
