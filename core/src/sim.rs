//! The simulated backend: a virtual clock and scripted readiness.
//!
//! [`SimBackend`] lets tests drive the reactor without sockets and without
//! sleeping. Time only moves when a poll would wait: the clock jumps straight
//! to the poll's deadline or to the next scripted event, whichever is first,
//! so a test of a 60-second timeout runs in microseconds. A poll that would
//! wait forever — no timeout, nothing scripted — returns
//! [`SimError::WouldBlockForever`] instead of hanging, which turns a lost
//! wake-up in the code under test into a failing test.
//!
//! Readiness is scripted per [`SimSource`] with [`SimBackend::ready_at`] (or
//! [`SimBackend::ready_now`]). A scripted readiness is delivered once (edge
//! semantics) when its time has come, its source is registered and the
//! registration's interest covers it; until then it stays pending, as a real
//! socket would stay readable.

use core::fmt;
use core::time::Duration;

mod transport;

pub use transport::SimTransport;

use heapless::Vec;

use crate::backend::{Backend, Wake};
use crate::event::{Event, Interest, Ready};
use crate::time::{Clock, Instant};
use crate::token::Token;

/// A simulated I/O source, named by a number the test chooses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SimSource(pub u32);

/// What went wrong in a simulated poll or registration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum SimError {
    /// The poll had no timeout and nothing was scripted: a real backend
    /// would hang here.
    WouldBlockForever,
    /// The source is already registered.
    AlreadyRegistered,
    /// The source is not registered.
    NotRegistered,
    /// The simulator's fixed tables are full.
    Full,
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SimError::WouldBlockForever => {
                "simulated poll would block forever: nothing is scripted and no timer is pending"
            }
            SimError::AlreadyRegistered => "source is already registered: use reregister",
            SimError::NotRegistered => "source is not registered",
            SimError::Full => "simulator tables are full: raise SimBackend's capacity",
        })
    }
}

impl core::error::Error for SimError {}

/// The simulated clock: starts at zero, moves only when told to.
#[derive(Clone, Copy, Debug, Default)]
pub struct SimClock {
    now: Instant,
}

impl SimClock {
    /// A clock at [`Instant::ZERO`].
    pub const fn new() -> Self {
        SimClock { now: Instant::ZERO }
    }

    /// Moves the clock forward by `d` (saturating).
    pub fn advance(&mut self, d: Duration) {
        self.now = self.now.saturating_add(d);
    }

    /// Moves the clock to `t` if `t` is later.
    pub fn advance_to(&mut self, t: Instant) {
        self.now = self.now.max(t);
    }
}

impl Clock for SimClock {
    fn now(&self) -> Instant {
        self.now
    }
}

/// The simulator's waker. Its poll never blocks in real time, so there is
/// nothing to interrupt; wakes are counted for tests that want to see them.
#[derive(Clone, Copy, Debug, Default)]
pub struct SimWaker;

impl Wake for SimWaker {
    fn wake(&self) {}
}

#[derive(Clone, Copy, Debug)]
struct Registration {
    source: SimSource,
    token: Token,
    interest: Interest,
}

#[derive(Clone, Copy, Debug)]
struct Scripted {
    at: Instant,
    source: SimSource,
    ready: Ready,
}

/// A backend with a virtual clock and scripted readiness; up to `S`
/// registered sources and `P` pending scripted readiness entries.
#[derive(Debug)]
pub struct SimBackend<const S: usize = 32, const P: usize = 64> {
    clock: SimClock,
    registrations: Vec<Registration, S>,
    script: Vec<Scripted, P>,
    polls: u64,
    last_timeout: Option<Option<Duration>>,
}

impl<const S: usize, const P: usize> SimBackend<S, P> {
    /// A simulator at time zero with nothing registered or scripted.
    pub const fn new() -> Self {
        SimBackend {
            clock: SimClock::new(),
            registrations: Vec::new(),
            script: Vec::new(),
            polls: 0,
            last_timeout: None,
        }
    }

    /// Moves the virtual clock forward by `d`.
    pub fn advance(&mut self, d: Duration) {
        self.clock.advance(d);
    }

    /// Scripts `ready` for `source` at instant `at`.
    ///
    /// # Errors
    /// [`SimError::Full`] if `P` entries are pending already.
    pub fn ready_at(&mut self, at: Instant, source: SimSource, ready: Ready) -> Result<(), SimError> {
        self.script
            .push(Scripted { at, source, ready })
            .map_err(|_| SimError::Full)
    }

    /// Scripts `ready` for `source` now.
    ///
    /// # Errors
    /// [`SimError::Full`] if `P` entries are pending already.
    pub fn ready_now(&mut self, source: SimSource, ready: Ready) -> Result<(), SimError> {
        self.ready_at(self.clock.now(), source, ready)
    }

    /// How many times `poll` was called.
    pub fn polls(&self) -> u64 {
        self.polls
    }

    /// The timeout of the most recent poll (`None` if never polled).
    pub fn last_timeout(&self) -> Option<Option<Duration>> {
        self.last_timeout
    }

    /// Whether `source` is registered.
    pub fn is_registered(&self, source: SimSource) -> bool {
        self.find(source).is_some()
    }

    fn find(&self, source: SimSource) -> Option<usize> {
        self.registrations.iter().position(|r| r.source == source)
    }

    /// The part of `ready` a registration with `interest` hears about.
    fn filter(ready: Ready, interest: Interest) -> Ready {
        let mut out = Ready::EMPTY;
        if interest.is_readable() {
            out = out | (ready & (Ready::READABLE | Ready::READ_CLOSED));
        }
        if interest.is_writable() {
            out = out | (ready & (Ready::WRITABLE | Ready::WRITE_CLOSED));
        }
        if !out.is_empty() || ready.is_error() {
            out = out | (ready & Ready::ERROR);
        }
        out
    }

    /// Moves every due, deliverable scripted entry into `events`.
    fn deliver(&mut self, events: &mut [Event]) -> usize {
        let now = self.clock.now();
        let mut n = 0;
        let mut i = 0;
        while i < self.script.len() && n < events.len() {
            let entry = self.script[i];
            let reg = self
                .find(entry.source)
                .map(|r| self.registrations[r])
                .filter(|_| entry.at <= now);
            let ready = reg.map(|r| (r, Self::filter(entry.ready, r.interest)));
            match ready {
                Some((r, ready)) if !ready.is_empty() => {
                    events[n] = Event::new(r.token, ready);
                    n += 1;
                    self.script.remove(i);
                }
                _ => i += 1,
            }
        }
        n
    }

    /// The earliest instant at which a scripted entry could be delivered.
    fn next_scripted(&self) -> Option<Instant> {
        self.script
            .iter()
            .filter(|e| {
                self.find(e.source)
                    .is_some_and(|r| !Self::filter(e.ready, self.registrations[r].interest).is_empty())
            })
            .map(|e| e.at)
            .min()
    }
}

impl<const S: usize, const P: usize> Default for SimBackend<S, P> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const S: usize, const P: usize> Backend for SimBackend<S, P> {
    type Source<'a> = SimSource;
    type Error = SimError;
    type Waker = SimWaker;

    fn register(&mut self, source: SimSource, token: Token, interest: Interest) -> Result<(), SimError> {
        if self.find(source).is_some() {
            return Err(SimError::AlreadyRegistered);
        }
        self.registrations
            .push(Registration {
                source,
                token,
                interest,
            })
            .map_err(|_| SimError::Full)
    }

    fn reregister(&mut self, source: SimSource, token: Token, interest: Interest) -> Result<(), SimError> {
        let i = self.find(source).ok_or(SimError::NotRegistered)?;
        self.registrations[i] = Registration {
            source,
            token,
            interest,
        };
        Ok(())
    }

    fn deregister(&mut self, source: SimSource) -> Result<(), SimError> {
        let i = self.find(source).ok_or(SimError::NotRegistered)?;
        self.registrations.swap_remove(i);
        Ok(())
    }

    fn poll(&mut self, events: &mut [Event], timeout: Option<Duration>) -> Result<usize, SimError> {
        self.polls += 1;
        self.last_timeout = Some(timeout);
        let n = self.deliver(events);
        if n > 0 || timeout == Some(Duration::ZERO) {
            return Ok(n);
        }
        let limit = timeout.map(|t| self.clock.now().saturating_add(t));
        let wake_at = match (limit, self.next_scripted()) {
            (Some(l), Some(s)) => l.min(s),
            (Some(l), None) => l,
            (None, Some(s)) => s,
            (None, None) => return Err(SimError::WouldBlockForever),
        };
        self.clock.advance_to(wake_at);
        Ok(self.deliver(events))
    }

    fn waker(&self) -> SimWaker {
        SimWaker
    }

    fn now(&self) -> Instant {
        self.clock.now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: SimSource = SimSource(1);

    #[test]
    fn poll_jumps_to_the_timeout_without_events() {
        let mut sim: SimBackend = SimBackend::new();
        let mut ev = [Event::EMPTY; 4];
        assert_eq!(sim.poll(&mut ev, Some(Duration::from_secs(60))), Ok(0));
        assert_eq!(sim.now(), Instant::from_millis(60_000));
    }

    #[test]
    fn scripted_readiness_is_delivered_once_when_due_and_registered() {
        let mut sim: SimBackend = SimBackend::new();
        let mut ev = [Event::EMPTY; 4];
        sim.ready_at(Instant::from_millis(5), A, Ready::READABLE).unwrap();
        // Not registered yet: the entry waits and cannot wake a poll.
        assert_eq!(sim.poll(&mut ev, None), Err(SimError::WouldBlockForever));
        let tok = Token::new(0, 0);
        sim.register(A, tok, Interest::READABLE).unwrap();
        assert_eq!(sim.poll(&mut ev, None), Ok(1));
        assert_eq!(ev[0], Event::new(tok, Ready::READABLE));
        assert_eq!(sim.now(), Instant::from_millis(5));
        assert_eq!(sim.poll(&mut ev, Some(Duration::ZERO)), Ok(0), "edge: once");
    }

    #[test]
    fn interest_filters_readiness() {
        let mut sim: SimBackend = SimBackend::new();
        let mut ev = [Event::EMPTY; 4];
        let tok = Token::new(2, 7);
        sim.register(A, tok, Interest::WRITABLE).unwrap();
        sim.ready_now(A, Ready::READABLE).unwrap();
        assert_eq!(sim.poll(&mut ev, Some(Duration::ZERO)), Ok(0));
        sim.reregister(A, tok, Interest::BOTH).unwrap();
        assert_eq!(sim.poll(&mut ev, Some(Duration::ZERO)), Ok(1));
        assert_eq!(sim.deregister(A), Ok(()));
        assert_eq!(sim.deregister(A), Err(SimError::NotRegistered));
    }
}
