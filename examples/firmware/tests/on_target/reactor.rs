//! The reactor's rules, on target: callbacks before timers before I/O, the
//! callback snapshot, timer tie order, harmless cancels of fired and reused
//! handles, stale tokens after removal and slot reuse, typed errors from
//! full containers, and errors that do not stop the loop.

use core::time::Duration;

use eddy_core::callback::{Callback, CallbackError, CallbackResult, Handler};
use eddy_core::reactor::RegisterError;
use eddy_core::sim::{SimBackend, SimSource};
use eddy_core::{Event, Instant, Interest, Reactor, Ready};
use eddy_firmware::harness::{Outcome, Test};
use eddy_firmware::{check, check_eq, check_ok};

use crate::trace::{check_trace, Trace};

type R = Reactor<SimBackend<8, 16>, Trace, 4, 4, 4, 4>;

const NAMES: [&str; 6] = ["a", "b", "c", "d", "e", "f"];

fn note(t: &mut Trace, r: &mut R, i: usize) -> CallbackResult {
    t.note(format_args!("cb {} @{}", NAMES[i], r.now().as_millis()));
    Ok(())
}

fn timer(t: &mut Trace, r: &mut R, i: usize) -> CallbackResult {
    t.note(format_args!("timer {} @{}", NAMES[i], r.now().as_millis()));
    Ok(())
}

fn io(t: &mut Trace, _: &mut R, ev: Event, i: usize) -> CallbackResult {
    t.note(format_args!("io {} {} {}", NAMES[i], ev.token, ev.ready));
    Ok(())
}

fn noop(_: &mut Trace, _: &mut R, _: Event, _: usize) -> CallbackResult {
    Ok(())
}

fn callbacks_then_timers_then_io() -> Outcome {
    let mut r = R::new(SimBackend::new());
    let mut t = Trace::default();
    let src = SimSource(1);
    let tok = check_ok!(r.add_handler(src, Interest::READABLE, Handler::new(io, 2)));
    check_ok!(r.backend_mut().ready_now(src, Ready::READABLE));
    check_ok!(r.call_later(Duration::ZERO, Callback::new(timer, 1)));
    check_ok!(r.add_callback(Callback::new(note, 0)));
    check_ok!(r.run_once(&mut t));
    check_eq!(tok.to_u64(), 0, "first registration is #0.0");
    check_trace!(t, ["cb a @0", "timer b @0", "io c #0.0 readable"]);
    Ok(())
}

fn add_next(t: &mut Trace, r: &mut R, i: usize) -> CallbackResult {
    t.note(format_args!("cb {}", NAMES[i]));
    r.add_callback(Callback::new(add_next, i + 1))
        .map_err(|_| CallbackError::new("full"))
}

fn callbacks_added_while_running_wait_for_the_next_iteration() -> Outcome {
    let mut r = R::new(SimBackend::new());
    let mut t = Trace::default();
    check_ok!(r.add_callback(Callback::new(add_next, 0)));
    check_ok!(r.run_once(&mut t));
    check_trace!(t, ["cb a"]);
    check_eq!(
        r.backend().last_timeout(),
        Some(Some(Duration::ZERO)),
        "a pending callback makes the poll non-blocking"
    );
    check_ok!(r.run_once(&mut t));
    check_trace!(t, ["cb b"]);
    Ok(())
}

fn schedule_due(t: &mut Trace, r: &mut R, i: usize) -> CallbackResult {
    t.note(format_args!("timer {} @{}", NAMES[i], r.now().as_millis()));
    r.call_later(Duration::ZERO, Callback::new(timer, i + 1))
        .map(|_| ())
        .map_err(|_| CallbackError::new("full"))
}

fn timers_added_by_a_timer_wait_for_the_next_iteration() -> Outcome {
    let mut r = R::new(SimBackend::new());
    let mut t = Trace::default();
    check_ok!(r.call_later(Duration::ZERO, Callback::new(schedule_due, 0)));
    check_ok!(r.run_once(&mut t));
    check_trace!(t, ["timer a @0"]);
    check_ok!(r.run_once(&mut t));
    check_trace!(t, ["timer b @0"]);
    Ok(())
}

fn equal_deadlines_fire_in_scheduling_order() -> Outcome {
    let mut r = R::new(SimBackend::new());
    let mut t = Trace::default();
    let at = Instant::from_millis(10);
    check_ok!(r.call_at(at, Callback::new(timer, 0)));
    check_ok!(r.call_at(Instant::from_millis(5), Callback::new(timer, 1)));
    check_ok!(r.call_at(at, Callback::new(timer, 2)));
    check_ok!(r.call_at(at, Callback::new(timer, 3)));
    for _ in 0..3 {
        check_ok!(r.run_once(&mut t));
    }
    check_trace!(t, ["timer b @5", "timer a @10", "timer c @10", "timer d @10"]);
    Ok(())
}

fn cancelling_fired_cancelled_or_reused_handles_is_harmless() -> Outcome {
    let mut r = R::new(SimBackend::new());
    let mut t = Trace::default();
    let fired = check_ok!(r.call_later(Duration::ZERO, Callback::new(timer, 0)));
    check_ok!(r.run_until(&mut t, None, |t| t.len() == 1));
    check!(!r.cancel(fired), "an already fired timer is not pending");
    let cancelled = check_ok!(r.call_later(Duration::from_millis(1), Callback::new(timer, 1)));
    check!(r.cancel(cancelled));
    check!(!r.cancel(cancelled), "already cancelled");
    // The next timer reuses the slot: the old handles must not cancel it.
    let live = check_ok!(r.call_later(Duration::from_millis(2), Callback::new(timer, 2)));
    check!(
        !r.cancel(fired) && !r.cancel(cancelled),
        "a stale handle cancelled a live timer"
    );
    check_eq!(r.pending_timers(), 1);
    check_ok!(r.run_until(&mut t, None, |t| t.len() == 2));
    check_trace!(t, ["timer a @0", "timer c @2"]);
    check!(!r.cancel(live));
    Ok(())
}

fn remove_victim(t: &mut Trace, r: &mut R, ev: Event, _: usize) -> CallbackResult {
    t.note(format_args!("remover {}", ev.token));
    let (src, tok) = t.victim.take().ok_or(CallbackError::new("no victim"))?;
    r.remove_handler(src, tok)
        .map_err(|_| CallbackError::new("remove failed"))
}

fn an_event_for_a_registration_removed_in_the_same_dispatch_is_dropped() -> Outcome {
    let mut r = R::new(SimBackend::new());
    let mut t = Trace::default();
    let (a, b) = (SimSource(1), SimSource(2));
    check_ok!(r.add_handler(a, Interest::READABLE, Handler::new(remove_victim, 0)));
    let tb = check_ok!(r.add_handler(b, Interest::READABLE, Handler::new(io, 1)));
    t.victim = Some((b, tb));
    check_ok!(r.backend_mut().ready_now(a, Ready::READABLE));
    check_ok!(r.backend_mut().ready_now(b, Ready::READABLE));
    check_ok!(r.run_once(&mut t));
    check_trace!(t, ["remover #0.0"]);
    check_eq!(
        r.stats().stale_events,
        1,
        "b's event was polled but not delivered"
    );
    Ok(())
}

fn replace_self(t: &mut Trace, r: &mut R, ev: Event, _: usize) -> CallbackResult {
    t.note(format_args!("old {}", ev.token));
    r.remove_handler(SimSource(1), ev.token)
        .map_err(|_| CallbackError::new("remove"))?;
    let new = r
        .add_handler(SimSource(3), Interest::READABLE, Handler::new(io, 5))
        .map_err(|_| CallbackError::new("add"))?;
    t.note(format_args!("new {new}"));
    Ok(())
}

fn a_reused_slot_never_sees_the_old_tokens_event() -> Outcome {
    let mut r = R::new(SimBackend::new());
    let mut t = Trace::default();
    check_ok!(r.add_handler(SimSource(1), Interest::READABLE, Handler::new(replace_self, 0)));
    check_ok!(r.backend_mut().ready_now(SimSource(1), Ready::READABLE));
    check_ok!(r.backend_mut().ready_now(SimSource(1), Ready::READ_CLOSED));
    check_ok!(r.run_once(&mut t));
    check_trace!(t, ["old #0.0", "new #0.1"]);
    check_ok!(r.backend_mut().ready_now(SimSource(3), Ready::READABLE));
    check_ok!(r.run_once(&mut t));
    check_trace!(t, ["io f #0.1 readable"]);
    Ok(())
}

fn full_containers_hand_the_item_back() -> Outcome {
    let mut r = R::new(SimBackend::new());
    for i in 0..4 {
        check_ok!(r.add_callback(Callback::new(note, i)));
        check_ok!(r.call_later(Duration::from_secs(1), Callback::new(note, i)));
        check_ok!(r.add_handler(SimSource(i as u32), Interest::READABLE, Handler::new(noop, i)));
    }
    match r.add_callback(Callback::new(note, 5)) {
        Err(full) => check_eq!(full.into_inner().arg(), 5, "the queue hands back the callback"),
        Ok(()) => check!(false, "a fifth callback fit in a queue of 4"),
    }
    match r.call_later(Duration::ZERO, Callback::new(note, 4)) {
        Err(full) => check_eq!(full.into_inner().arg(), 4, "the heap hands back the callback"),
        Ok(_) => check!(false, "a fifth timer fit in a heap of 4"),
    }
    match r.add_handler(SimSource(9), Interest::READABLE, Handler::new(noop, 9)) {
        Err(RegisterError::Full(h)) => check_eq!(h.arg(), 9, "the table hands back the handler"),
        other => check!(false, "expected Full, got {:?}", other.map(|_| ())),
    }
    Ok(())
}

fn fail(t: &mut Trace, _: &mut R, _: usize) -> CallbackResult {
    t.note(format_args!("fail"));
    Err(CallbackError::new("boom"))
}

fn a_failing_callback_is_counted_and_the_loop_goes_on() -> Outcome {
    let mut r = R::new(SimBackend::new());
    let mut t = Trace::default();
    check_ok!(r.add_callback(Callback::new(fail, 0)));
    check_ok!(r.add_callback(Callback::new(note, 1)));
    check_ok!(r.call_later(Duration::ZERO, Callback::new(fail, 0)));
    check_ok!(r.call_later(Duration::ZERO, Callback::new(timer, 2)));
    check_ok!(r.run_once(&mut t));
    check_trace!(t, ["fail", "cb b @0", "fail", "timer c @0"]);
    check_eq!(r.stats().errors, 2);
    Ok(())
}

fn the_poll_waits_until_the_next_deadline_or_the_cap() -> Outcome {
    let mut r = R::new(SimBackend::new());
    let mut t = Trace::default();
    r.set_poll_cap(Duration::from_secs(7));
    check_ok!(r.run_once(&mut t));
    check_eq!(
        r.backend().last_timeout(),
        Some(Some(Duration::from_secs(7))),
        "nothing scheduled"
    );
    check_ok!(r.call_later(Duration::from_millis(250), Callback::new(timer, 0)));
    check_ok!(r.run_once(&mut t));
    check_eq!(r.backend().last_timeout(), Some(Some(Duration::from_millis(250))));
    check_eq!(r.now(), Instant::from_millis(7250));
    Ok(())
}

/// This module's tests.
pub const TESTS: &[Test] = &[
    Test {
        name: "reactor::callbacks_then_timers_then_io",
        run: callbacks_then_timers_then_io,
    },
    Test {
        name: "reactor::callbacks_added_while_running_wait_for_the_next_iteration",
        run: callbacks_added_while_running_wait_for_the_next_iteration,
    },
    Test {
        name: "reactor::timers_added_by_a_timer_wait_for_the_next_iteration",
        run: timers_added_by_a_timer_wait_for_the_next_iteration,
    },
    Test {
        name: "reactor::equal_deadlines_fire_in_scheduling_order",
        run: equal_deadlines_fire_in_scheduling_order,
    },
    Test {
        name: "reactor::cancelling_fired_cancelled_or_reused_handles_is_harmless",
        run: cancelling_fired_cancelled_or_reused_handles_is_harmless,
    },
    Test {
        name: "reactor::an_event_for_a_registration_removed_in_the_same_dispatch_is_dropped",
        run: an_event_for_a_registration_removed_in_the_same_dispatch_is_dropped,
    },
    Test {
        name: "reactor::a_reused_slot_never_sees_the_old_tokens_event",
        run: a_reused_slot_never_sees_the_old_tokens_event,
    },
    Test {
        name: "reactor::full_containers_hand_the_item_back",
        run: full_containers_hand_the_item_back,
    },
    Test {
        name: "reactor::a_failing_callback_is_counted_and_the_loop_goes_on",
        run: a_failing_callback_is_counted_and_the_loop_goes_on,
    },
    Test {
        name: "reactor::the_poll_waits_until_the_next_deadline_or_the_cap",
        run: the_poll_waits_until_the_next_deadline_or_the_cap,
    },
];
