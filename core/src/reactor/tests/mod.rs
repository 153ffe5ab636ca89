//! One test per loop rule; each fails if its rule is broken. Ordering is
//! asserted with a trace recorder on the simulated backend.
//!
//! Here: the shared recorder and the order of callbacks, timers and I/O
//! within an iteration; [`handlers`]: registrations and handlers that
//! change them while they run; [`running`]: stopping, failures, the poll
//! timeout, periodic timers and the `run_*` helpers; [`statics`]: a
//! reactor in a `static`.

mod handlers;
mod running;
mod statics;

use core::time::Duration;
use std::string::{String, ToString};
use std::vec::Vec;

use super::*;
use crate::callback::{CallbackError, CallbackResult};
use crate::event::Ready;
use crate::sim::{SimBackend, SimError, SimSource};

type R = Reactor<SimBackend, Trace, 4, 4, 4, 4>;
type Cb = Callback<Trace, R>;

#[derive(Default)]
struct Trace {
    log: Vec<String>,
    /// Handler-visible scratch: a token to remove, a source to register.
    victim: Option<(SimSource, Token)>,
}

impl Trace {
    fn take(&mut self) -> Vec<String> {
        core::mem::take(&mut self.log)
    }
}

const NAMES: [&str; 6] = ["a", "b", "c", "d", "e", "f"];

fn note(t: &mut Trace, r: &mut R, i: usize) -> CallbackResult {
    t.log
        .push(std::format!("cb {} @{}", NAMES[i], r.now().as_millis()));
    Ok(())
}

fn timer(t: &mut Trace, r: &mut R, i: usize) -> CallbackResult {
    t.log
        .push(std::format!("timer {} @{}", NAMES[i], r.now().as_millis()));
    Ok(())
}

fn io(t: &mut Trace, _: &mut R, ev: Event, i: usize) -> CallbackResult {
    t.log
        .push(std::format!("io {} {} {}", NAMES[i], ev.token, ev.ready));
    Ok(())
}

fn cb(i: usize) -> Cb {
    Callback::new(note, i)
}

#[test]
fn callbacks_then_timers_then_io_in_one_iteration() {
    let mut r = R::new(SimBackend::new());
    let mut t = Trace::default();
    let src = SimSource(1);
    let tok = r
        .add_handler(src, Interest::READABLE, Handler::new(io, 2))
        .unwrap();
    r.backend_mut().ready_now(src, Ready::READABLE).unwrap();
    r.call_later(Duration::ZERO, Callback::new(timer, 1)).unwrap();
    r.add_callback(cb(0)).unwrap();
    r.run_once(&mut t).unwrap();
    assert_eq!(
        t.take(),
        ["cb a @0", "timer b @0", &std::format!("io c {tok} readable")]
    );
}

fn add_next(t: &mut Trace, r: &mut R, i: usize) -> CallbackResult {
    t.log.push(std::format!("cb {}", NAMES[i]));
    r.add_callback(Callback::new(add_next, i + 1))
        .map_err(|_| CallbackError::new("full"))
}

#[test]
fn callbacks_added_while_running_wait_for_the_next_iteration() {
    let mut r = R::new(SimBackend::new());
    let mut t = Trace::default();
    r.add_callback(Callback::new(add_next, 0)).unwrap();
    r.run_once(&mut t).unwrap();
    assert_eq!(t.take(), ["cb a"], "b was added during iteration 1");
    assert_eq!(
        r.backend().last_timeout(),
        Some(Some(Duration::ZERO)),
        "pending callback: no blocking"
    );
    r.run_once(&mut t).unwrap();
    assert_eq!(t.take(), ["cb b"]);
}

#[test]
fn equal_deadlines_fire_in_scheduling_order_and_earlier_deadlines_first() {
    let mut r = R::new(SimBackend::new());
    let mut t = Trace::default();
    let at = Instant::from_millis(10);
    r.call_at(at, Callback::new(timer, 0)).unwrap();
    r.call_at(Instant::from_millis(5), Callback::new(timer, 1))
        .unwrap();
    r.call_at(at, Callback::new(timer, 2)).unwrap();
    r.call_at(at, Callback::new(timer, 3)).unwrap();
    r.run_once(&mut t).unwrap(); // polls until 5 ms
    r.run_once(&mut t).unwrap(); // fires b, polls until 10 ms
    r.run_once(&mut t).unwrap(); // fires a, c, d
    assert_eq!(
        t.take(),
        ["timer b @5", "timer a @10", "timer c @10", "timer d @10"]
    );
}

#[test]
fn cancelling_a_fired_cancelled_or_reused_handle_is_a_harmless_false() {
    let mut r = R::new(SimBackend::new());
    let mut t = Trace::default();
    let fired = r.call_later(Duration::ZERO, Callback::new(timer, 0)).unwrap();
    r.run_until(&mut t, None, |t| !t.log.is_empty()).unwrap();
    assert!(!r.cancel(fired), "already fired");
    let cancelled = r
        .call_later(Duration::from_millis(1), Callback::new(timer, 1))
        .unwrap();
    assert!(r.cancel(cancelled));
    assert!(!r.cancel(cancelled), "already cancelled");
    // The slot is reused by the next timer: the old handle must not cancel it.
    let live = r
        .call_later(Duration::from_millis(2), Callback::new(timer, 2))
        .unwrap();
    assert!(!r.cancel(fired) && !r.cancel(cancelled));
    assert_eq!(r.pending_timers(), 1);
    r.run_until(&mut t, None, |t| t.log.len() == 2).unwrap();
    assert_eq!(t.take(), ["timer a @0", "timer c @2"]);
    assert!(!r.cancel(live));
}
