//! The `Backend` trait: the one seam between the reactor and a platform.
//!
//! A backend registers I/O sources for readiness, polls for readiness into a
//! fixed buffer with a timeout, can be woken from another thread or an
//! interrupt handler, and reads the clock. Everything above this trait
//! (reactor, streams, TCP and HTTP servers) is written once and runs on every
//! backend: the simulated one in [`crate::sim`], epoll/kqueue/poll in
//! `eddy-std`, and smoltcp in `eddy-bare`.
//!
//! # Portability contract
//!
//! - **Readiness is edge-like.** A backend may report a readiness change only
//!   once (epoll with `EPOLLET`, kqueue with `EV_CLEAR`, smoltcp state
//!   changes). Consumers read or write until the transport reports
//!   `WouldBlock` before waiting for the next event.
//! - **Spurious readiness is allowed.** An event may arrive when a read would
//!   still block; consumers treat `WouldBlock` as "wait again", not an error.
//! - **Stale events are the reactor's problem, not the backend's.** A backend
//!   may return events for a token that was deregistered during the same
//!   iteration; the reactor's generation check drops them.
//! - **`poll` must return early when woken**, and must retry internally when
//!   the OS call is interrupted (`EINTR`) unless the wake-up came from
//!   [`Wake::wake`].
//! - **Time** comes only from [`Backend::now`], a monotonic clock.

use core::time::Duration;

use crate::event::{Event, Interest};
use crate::time::Instant;
use crate::token::Token;

/// A handle that wakes a backend's blocked [`Backend::poll`] from another
/// thread or from an interrupt handler.
pub trait Wake {
    /// Makes the current or next `poll` return promptly. Safe to call from
    /// any thread or interrupt context, any number of times.
    fn wake(&self);
}

/// A platform's readiness mechanism and clock.
///
/// See the module documentation for the portability contract every
/// implementation keeps.
pub trait Backend {
    /// What can be registered: a borrowed file descriptor on `eddy-std`, a
    /// socket handle on `eddy-bare`, a numbered source in the simulator.
    type Source<'a>: Copy;
    /// The backend's error: registration failures and poll failures.
    type Error: core::fmt::Debug + core::fmt::Display;
    /// The cross-context waker; cheap to clone, `Send + Sync`.
    type Waker: Wake + Clone + Send + Sync + 'static;

    /// Starts reporting readiness of `source` under `token`.
    ///
    /// # Errors
    /// The backend's error if the source cannot be watched (already
    /// registered, closed, or the OS refuses).
    fn register(
        &mut self,
        source: Self::Source<'_>,
        token: Token,
        interest: Interest,
    ) -> Result<(), Self::Error>;

    /// Changes the token or interest of a registered source.
    ///
    /// # Errors
    /// The backend's error if the source is not registered or the OS refuses.
    fn reregister(
        &mut self,
        source: Self::Source<'_>,
        token: Token,
        interest: Interest,
    ) -> Result<(), Self::Error>;

    /// Stops reporting readiness of `source`.
    ///
    /// # Errors
    /// The backend's error if the source is not registered.
    fn deregister(&mut self, source: Self::Source<'_>) -> Result<(), Self::Error>;

    /// Waits until a source is ready, the waker fires, or `timeout` passes
    /// (`None`: no limit; `Some(ZERO)`: do not block), and writes up to
    /// `events.len()` events into `events`, returning how many. More events
    /// than fit are reported by the next call.
    ///
    /// # Errors
    /// The backend's error if the platform's poll fails for a reason other
    /// than an interruption.
    fn poll(&mut self, events: &mut [Event], timeout: Option<Duration>) -> Result<usize, Self::Error>;

    /// A waker for this backend.
    fn waker(&self) -> Self::Waker;

    /// The current instant of the backend's monotonic clock.
    fn now(&self) -> Instant;
}
