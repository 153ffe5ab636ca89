//! Callback, timer and loop-control ordering.

use core::time::Duration;

use eddy_core::{Callback, CallbackResult, Event, Handler, Instant, Interest};

use super::PATIENCE;
use crate::harness::{Harness, Pair};
use crate::world::{failed, Loop, World};

fn note<H: Harness>(w: &mut World<H>, _: &mut Loop<H>, i: usize) -> CallbackResult {
    w.note(format!("cb {i}"));
    Ok(())
}

fn timer<H: Harness>(w: &mut World<H>, _: &mut Loop<H>, i: usize) -> CallbackResult {
    w.note(format!("timer {i}"));
    Ok(())
}

fn read_all<H: Harness>(w: &mut World<H>, r: &mut Loop<H>, _: Event, i: usize) -> CallbackResult {
    let mut buf = [0u8; 64];
    let mut got = Vec::new();
    while let Ok(n @ 1..) = w.pairs[i].recv(r.backend_mut(), &mut buf) {
        got.extend_from_slice(&buf[..n]);
    }
    w.note(format!("io {i} {}", String::from_utf8_lossy(&got)));
    Ok(())
}

/// Callbacks run before timers, and timers before I/O, within one iteration.
pub fn callbacks_run_before_timers_before_io<H: Harness>() {
    let mut r = Loop::<H>::new(H::backend());
    let mut w = World::<H>::default();
    let p = w.add_pair(H::pair(r.backend_mut()));
    r.add_handler(
        w.pairs[p].source(),
        Interest::READABLE,
        Handler::new(read_all::<H>, p),
    )
    .unwrap();
    w.pairs[p].send(r.backend_mut(), b"x");
    r.call_at(Instant::ZERO, Callback::new(timer::<H>, 1)).unwrap();
    r.add_callback(Callback::new(note::<H>, 0)).unwrap();
    r.run_until(&mut w, Some(PATIENCE), |w| w.trace.len() >= 3)
        .unwrap();
    assert_eq!(w.trace, ["cb 0", "timer 1", "io 0 x"]);
}

fn chain<H: Harness>(w: &mut World<H>, r: &mut Loop<H>, i: usize) -> CallbackResult {
    w.note(format!("cb {i} at iteration {}", r.stats().iterations));
    if i < 2 {
        r.add_callback(Callback::new(chain::<H>, i + 1)).map_err(failed)?;
    }
    Ok(())
}

/// A callback added by a running callback runs in the next iteration.
pub fn callbacks_added_while_running_wait_an_iteration<H: Harness>() {
    let mut r = Loop::<H>::new(H::backend());
    let mut w = World::<H>::default();
    r.add_callback(Callback::new(chain::<H>, 0)).unwrap();
    r.run_until(&mut w, Some(PATIENCE), |w| w.trace.len() == 3)
        .unwrap();
    assert_eq!(
        w.trace,
        [
            "cb 0 at iteration 0",
            "cb 1 at iteration 1",
            "cb 2 at iteration 2"
        ]
    );
}

/// Timers fire in deadline order, whatever order they were scheduled in.
pub fn timers_fire_in_deadline_order<H: Harness>() {
    let mut r = Loop::<H>::new(H::backend());
    let mut w = World::<H>::default();
    for (i, ms) in [(0, 30), (1, 10), (2, 20)] {
        r.call_later(Duration::from_millis(ms), Callback::new(timer::<H>, i))
            .unwrap();
    }
    r.run_until(&mut w, Some(PATIENCE), |w| w.trace.len() == 3)
        .unwrap();
    assert_eq!(w.trace, ["timer 1", "timer 2", "timer 0"]);
}

/// Timers with the same deadline fire in the order they were scheduled.
pub fn equal_deadlines_fire_in_scheduling_order<H: Harness>() {
    let mut r = Loop::<H>::new(H::backend());
    let mut w = World::<H>::default();
    let at = r.now().saturating_add(Duration::from_millis(5));
    for i in [3, 1, 4, 0, 2] {
        r.call_at(at, Callback::new(timer::<H>, i)).unwrap();
    }
    r.run_until(&mut w, Some(PATIENCE), |w| w.trace.len() == 5)
        .unwrap();
    assert_eq!(w.trace, ["timer 3", "timer 1", "timer 4", "timer 0", "timer 2"]);
}

/// A cancelled timer never fires; the others do.
pub fn cancelled_timers_never_fire<H: Harness>() {
    let mut r = Loop::<H>::new(H::backend());
    let mut w = World::<H>::default();
    let a = r
        .call_later(Duration::from_millis(1), Callback::new(timer::<H>, 0))
        .unwrap();
    r.call_later(Duration::from_millis(2), Callback::new(timer::<H>, 1))
        .unwrap();
    assert!(r.cancel(a));
    r.run_until(&mut w, Some(PATIENCE), |w| !w.trace.is_empty())
        .unwrap();
    assert_eq!(w.trace, ["timer 1"]);
    assert_eq!(r.pending_timers(), 0);
}

fn tick<H: Harness>(w: &mut World<H>, r: &mut Loop<H>, _: usize) -> CallbackResult {
    w.note(format!("{}", r.now().as_micros()));
    Ok(())
}

/// A periodic timer's k-th tick never comes before `start + k·period`.
pub fn periodic_timer_stays_on_its_grid<H: Harness>() {
    let mut r = Loop::<H>::new(H::backend());
    let mut w = World::<H>::default();
    let period = Duration::from_millis(3);
    let start = r.now();
    let h = r.call_every(period, Callback::new(tick::<H>, 0)).unwrap();
    r.run_until(&mut w, Some(PATIENCE), |w| w.trace.len() == 4)
        .unwrap();
    let p = period.as_micros() as u64;
    for (k, at) in w.trace.iter().enumerate() {
        let at: u64 = at.parse().unwrap();
        let earliest = start.as_micros() + (k as u64 + 1) * p;
        assert!(at >= earliest, "tick {k} at {at} µs, before {earliest} µs");
    }
    assert!(r.cancel(h));
}

fn stop_now<H: Harness>(w: &mut World<H>, r: &mut Loop<H>, _: usize) -> CallbackResult {
    w.note("stop");
    r.stop();
    Ok(())
}

/// `stop` ends `run` after the current iteration, without waiting for the
/// far timer.
pub fn stop_ends_the_loop_after_the_iteration<H: Harness>() {
    let mut r = Loop::<H>::new(H::backend());
    let mut w = World::<H>::default();
    r.call_later(Duration::from_secs(3600), Callback::new(timer::<H>, 9))
        .unwrap();
    r.call_later(Duration::from_millis(1), Callback::new(stop_now::<H>, 0))
        .unwrap();
    r.run(&mut w).unwrap();
    assert_eq!(w.trace, ["stop"]);
    assert_eq!(r.pending_timers(), 1, "the far timer is still pending");
}
