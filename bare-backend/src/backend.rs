//! [`BareBackend`]: the reactor's [`Backend`] over a shared [`Stack`], a
//! caller-supplied clock and a caller-supplied idle hook.
//!
//! `poll` runs smoltcp, collects the readiness changes of every registered
//! socket and listener (see [`readiness`](crate::readiness)), and when there
//! are none sleeps through the [`Idle`] hook for at most the reactor's
//! timeout and at most `Interface::poll_delay` (smoltcp's next retransmit,
//! delayed ACK or keep-alive), then looks again. The hook is WFI on a
//! microcontroller, `poll(2)` on the device's descriptor on a host
//! (`TapIdle` with the `std` feature), or a virtual clock's advance in
//! tests.
//!
//! Waking: [`BareWaker`] sets a [`WakeFlag`] that `poll` checks between
//! sleeps, and the hook gets the flag too ([`Idle::idle_or_wake`]). On a
//! microcontroller the interrupt that posts also ends the WFI; on a host,
//! `TapIdle` sleeps on the device and the flag's wake descriptor, so a wake
//! from another thread ends the sleep at once (see [`wake`](crate::wake)).

use core::cell::RefCell;
use core::fmt;
use core::time::Duration;

use eddy_core::time::Clock;
use eddy_core::{Backend, Event, Instant, Interest, Token};
use smoltcp::phy::Device;

use crate::error::BareError;
use crate::id::Source;
use crate::readiness::Watch;
use crate::stack::Stack;
use crate::wake::{BareWaker, WakeFlag};

/// How the backend sleeps when nothing is ready: given the device and the
/// longest it may sleep (`None`: until something happens), it returns when
/// the device may have a frame, an interrupt fired, or the time is up. A
/// hook may return early (spurious wake-ups are fine).
///
/// Any `FnMut(&mut D, Option<Duration>)` is a hook.
pub trait Idle<D> {
    /// Sleeps for at most `timeout`.
    fn idle(&mut self, device: &mut D, timeout: Option<Duration>);

    /// Sleeps for at most `timeout`, and returns early when `wake` is
    /// raised from another thread, if the hook can see that (the backend
    /// calls this one). The default calls [`Idle::idle`]: right where the
    /// wake arrives as an interrupt that ends the sleep anyway.
    fn idle_or_wake(&mut self, device: &mut D, timeout: Option<Duration>, wake: &WakeFlag) {
        let _ = wake;
        self.idle(device, timeout);
    }
}

impl<D, F: FnMut(&mut D, Option<Duration>)> Idle<D> for F {
    fn idle(&mut self, device: &mut D, timeout: Option<Duration>) {
        self(device, timeout)
    }
}

/// A clock from a plain function (a hardware timer read, a tick counter).
#[derive(Clone, Copy)]
pub struct FnClock(pub fn() -> Instant);

impl Clock for FnClock {
    fn now(&self) -> Instant {
        (self.0)()
    }
}

impl fmt::Debug for FnClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FnClock")
    }
}

/// The smoltcp backend: a shared [`Stack`], a clock `C` and an idle hook `I`.
pub struct BareBackend<'a, 's, D: Device, C, I, const N: usize> {
    stack: &'a RefCell<Stack<'s, D, N>>,
    clock: C,
    idle: I,
    wake: &'static WakeFlag,
}

/// How many times `poll` re-runs smoltcp without sleeping (it asked for no
/// delay) before returning to the reactor anyway.
const SPIN_LIMIT: u32 = 64;

impl<'a, 's, D: Device, C: Clock, I: Idle<D>, const N: usize> BareBackend<'a, 's, D, C, I, N> {
    /// A backend over `stack`, reading time from `clock`, sleeping through
    /// `idle`, woken through `wake`.
    pub fn new(stack: &'a RefCell<Stack<'s, D, N>>, clock: C, idle: I, wake: &'static WakeFlag) -> Self {
        BareBackend {
            stack,
            clock,
            idle,
            wake,
        }
    }

    /// The shared stack, for listening, accepting, connecting and the
    /// transports.
    pub fn stack(&self) -> &'a RefCell<Stack<'s, D, N>> {
        self.stack
    }

    /// The clock.
    pub fn clock(&self) -> &C {
        &self.clock
    }

    fn watch(&mut self, source: Source, watch: Option<Watch>, must_exist: bool) -> Result<(), BareError> {
        let mut stack = self.stack.try_borrow_mut().map_err(|_| BareError::Busy)?;
        let slot = stack.watch_mut(source)?;
        match (slot.is_some(), must_exist) {
            (true, false) if watch.is_some() => return Err(BareError::AlreadyRegistered),
            (false, true) => return Err(BareError::NotRegistered),
            _ => {}
        }
        *slot = watch;
        Ok(())
    }
}

impl<D: Device, C: Clock, I: Idle<D>, const N: usize> Backend for BareBackend<'_, '_, D, C, I, N> {
    type Source<'x> = Source;
    type Error = BareError;
    type Waker = BareWaker;

    fn register(&mut self, source: Source, token: Token, interest: Interest) -> Result<(), BareError> {
        self.watch(source, Some(Watch::new(token, interest)), false)
    }

    fn reregister(&mut self, source: Source, token: Token, interest: Interest) -> Result<(), BareError> {
        self.watch(source, Some(Watch::new(token, interest)), true)
    }

    fn deregister(&mut self, source: Source) -> Result<(), BareError> {
        self.watch(source, None, true)
    }

    fn poll(&mut self, events: &mut [Event], timeout: Option<Duration>) -> Result<usize, BareError> {
        let start = self.clock.now();
        let deadline = timeout.map(|t| start.saturating_add(t));
        let mut spins = 0;
        loop {
            let now = self.clock.now();
            let mut stack = self.stack.try_borrow_mut().map_err(|_| BareError::Busy)?;
            stack.poll(now);
            let n = stack.collect(events);
            if n > 0 || self.wake.take() {
                return Ok(n);
            }
            let left = deadline.map(|d| d.saturating_duration_since(now));
            if left == Some(Duration::ZERO) {
                return Ok(0);
            }
            let delay = match (left, stack.poll_delay(now)) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            if delay == Some(Duration::ZERO) {
                spins += 1;
                if spins >= SPIN_LIMIT {
                    return Ok(0);
                }
                continue;
            }
            self.idle.idle_or_wake(&mut stack.device, delay, self.wake);
        }
    }

    fn waker(&self) -> BareWaker {
        BareWaker(self.wake)
    }

    fn now(&self) -> Instant {
        self.clock.now()
    }
}

impl<D: Device, C, I, const N: usize> fmt::Debug for BareBackend<'_, '_, D, C, I, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BareBackend").finish_non_exhaustive()
    }
}
