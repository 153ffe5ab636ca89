//! One test per loop rule; each fails if its rule is broken. Ordering is
//! asserted with a trace recorder on the simulated backend.

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

fn remove_victim(t: &mut Trace, r: &mut R, ev: Event, _: usize) -> CallbackResult {
    t.log.push(std::format!("remover {}", ev.token));
    let (src, tok) = t.victim.take().ok_or(CallbackError::new("no victim"))?;
    r.remove_handler(src, tok)
        .map_err(|_| CallbackError::new("remove failed"))
}

#[test]
fn an_event_for_a_registration_removed_earlier_in_the_same_dispatch_is_dropped() {
    let mut r = R::new(SimBackend::new());
    let mut t = Trace::default();
    let (a, b) = (SimSource(1), SimSource(2));
    let ta = r
        .add_handler(a, Interest::READABLE, Handler::new(remove_victim, 0))
        .unwrap();
    let tb = r.add_handler(b, Interest::READABLE, Handler::new(io, 1)).unwrap();
    t.victim = Some((b, tb));
    r.backend_mut().ready_now(a, Ready::READABLE).unwrap();
    r.backend_mut().ready_now(b, Ready::READABLE).unwrap();
    r.run_once(&mut t).unwrap();
    assert_eq!(
        t.take(),
        [std::format!("remover {ta}")],
        "b's event was already polled, yet not delivered"
    );
    assert_eq!(r.stats().stale_events, 1);
}

fn replace_self(t: &mut Trace, r: &mut R, ev: Event, _: usize) -> CallbackResult {
    t.log.push(std::format!("old {}", ev.token));
    // Remove our own registration, then register another source: it takes
    // the same slot with a new generation.
    r.remove_handler(SimSource(1), ev.token)
        .map_err(|_| CallbackError::new("remove"))?;
    let new = r
        .add_handler(SimSource(3), Interest::READABLE, Handler::new(io, 5))
        .map_err(|_| CallbackError::new("add"))?;
    t.log.push(std::format!("new {new}"));
    Ok(())
}

#[test]
fn a_handler_may_remove_itself_and_its_reused_slot_never_sees_the_old_event() {
    let mut r = R::new(SimBackend::new());
    let mut t = Trace::default();
    let old = r
        .add_handler(SimSource(1), Interest::READABLE, Handler::new(replace_self, 0))
        .unwrap();
    // Two events for the old registration in the same batch.
    r.backend_mut().ready_now(SimSource(1), Ready::READABLE).unwrap();
    r.backend_mut()
        .ready_now(SimSource(1), Ready::READ_CLOSED)
        .unwrap();
    r.run_once(&mut t).unwrap();
    let log = t.take();
    assert_eq!(log.len(), 2, "second old event must be dropped: {log:?}");
    assert_eq!(log[0], std::format!("old {old}"));
    assert_eq!(log[1], "new #0.1", "same slot, next generation");
    // The new registration works.
    r.backend_mut().ready_now(SimSource(3), Ready::READABLE).unwrap();
    r.run_once(&mut t).unwrap();
    assert_eq!(t.take(), ["io f #0.1 readable"]);
}

fn switch_interest(t: &mut Trace, r: &mut R, ev: Event, _: usize) -> CallbackResult {
    t.log.push(std::format!("{}", ev.ready));
    r.update_handler(SimSource(1), ev.token, Interest::WRITABLE)
        .map_err(|_| CallbackError::new("update"))
}

#[test]
fn a_handler_may_change_its_own_interest() {
    let mut r = R::new(SimBackend::new());
    let mut t = Trace::default();
    r.add_handler(SimSource(1), Interest::READABLE, Handler::new(switch_interest, 0))
        .unwrap();
    r.backend_mut().ready_now(SimSource(1), Ready::READABLE).unwrap();
    r.run_once(&mut t).unwrap();
    r.backend_mut()
        .ready_now(SimSource(1), Ready::READABLE | Ready::WRITABLE)
        .unwrap();
    r.run_once(&mut t).unwrap();
    assert_eq!(t.take(), ["readable", "writable"]);
}

fn noop_handler(_: &mut Trace, _: &mut R, _: Event, _: usize) -> CallbackResult {
    Ok(())
}

#[test]
fn full_containers_return_typed_errors_with_the_item() {
    let mut r = R::new(SimBackend::new());
    for i in 0..4 {
        r.add_callback(cb(i)).unwrap();
        r.call_later(Duration::from_secs(1), cb(i)).unwrap();
        r.add_handler(
            SimSource(i as u32),
            Interest::READABLE,
            Handler::new(noop_handler, i),
        )
        .unwrap();
    }
    assert_eq!(r.add_callback(cb(5)).unwrap_err().into_inner().arg(), 5);
    assert_eq!(
        r.call_later(Duration::ZERO, cb(4))
            .unwrap_err()
            .into_inner()
            .arg(),
        4
    );
    assert_eq!(
        r.call_every(Duration::from_millis(1), cb(3))
            .unwrap_err()
            .into_inner()
            .arg(),
        3
    );
    match r.add_handler(SimSource(9), Interest::READABLE, Handler::new(noop_handler, 9)) {
        Err(RegisterError::Full(h)) => assert_eq!(h.arg(), 9),
        other => panic!("expected Full, got {other:?}"),
    }
}

#[test]
fn a_backend_refusal_rolls_the_registration_back() {
    let mut r = R::new(SimBackend::new());
    r.add_handler(SimSource(1), Interest::READABLE, Handler::new(noop_handler, 0))
        .unwrap();
    let err = r.add_handler(SimSource(1), Interest::READABLE, Handler::new(noop_handler, 1));
    assert!(matches!(
        err,
        Err(RegisterError::Backend(SimError::AlreadyRegistered))
    ));
    assert_eq!(r.handlers(), 1, "the failed registration holds no slot");
    let stale = Token::new(3, 0);
    assert_eq!(
        r.update_handler(SimSource(1), stale, Interest::BOTH),
        Err(HandlerError::UnknownToken)
    );
}

fn stopper(t: &mut Trace, r: &mut R, i: usize) -> CallbackResult {
    t.log.push(std::format!("stop {}", NAMES[i]));
    r.stop();
    r.add_callback(cb(i + 1)).map_err(|_| CallbackError::new("full"))
}

#[test]
fn stop_ends_run_after_the_current_iteration() {
    let mut r = R::new(SimBackend::new());
    let mut t = Trace::default();
    r.call_later(Duration::from_secs(30), Callback::new(timer, 5))
        .unwrap();
    r.call_later(Duration::ZERO, Callback::new(timer, 2)).unwrap();
    r.add_callback(Callback::new(stopper, 0)).unwrap();
    r.run(&mut t).unwrap();
    // The timer of the same iteration still ran; the callback added by the
    // stopper did not; the poll did not block for 30 s.
    assert_eq!(t.take(), ["stop a", "timer c @0"]);
    assert_eq!(r.backend().last_timeout(), Some(Some(Duration::ZERO)));
    assert_eq!(r.stats().iterations, 1);
    assert!(!r.is_stopping(), "the stop request is consumed");
    r.run_once(&mut t).unwrap();
    assert_eq!(t.take(), ["cb b @0"]);
}

fn fail(t: &mut Trace, _: &mut R, _: usize) -> CallbackResult {
    t.log.push("fail".to_string());
    Err(CallbackError::new("boom"))
}

#[test]
fn a_failing_callback_is_counted_and_the_loop_goes_on() {
    let mut r = R::new(SimBackend::new());
    let mut t = Trace::default();
    r.add_callback(Callback::new(fail, 0)).unwrap();
    r.add_callback(cb(1)).unwrap();
    r.call_later(Duration::ZERO, Callback::new(fail, 0)).unwrap();
    r.call_later(Duration::ZERO, Callback::new(timer, 2)).unwrap();
    r.run_once(&mut t).unwrap();
    assert_eq!(t.take(), ["fail", "cb b @0", "fail", "timer c @0"]);
    assert_eq!(r.stats().errors, 2);
}

#[test]
fn poll_timeout_follows_the_next_deadline_or_the_cap() {
    let mut r = R::new(SimBackend::new());
    let mut t = Trace::default();
    r.set_poll_cap(Duration::from_secs(7));
    r.run_once(&mut t).unwrap();
    assert_eq!(
        r.backend().last_timeout(),
        Some(Some(Duration::from_secs(7))),
        "nothing scheduled: the cap"
    );
    r.call_later(Duration::from_millis(250), Callback::new(timer, 0))
        .unwrap();
    r.run_once(&mut t).unwrap();
    assert_eq!(r.backend().last_timeout(), Some(Some(Duration::from_millis(250))));
    assert_eq!(r.now(), Instant::from_millis(7250));
}

fn slow_tick(t: &mut Trace, r: &mut R, _: usize) -> CallbackResult {
    t.log.push(std::format!("tick @{}", r.now().as_millis()));
    // The work takes 25 ms: the ticks at 20 and 30 are missed.
    if t.log.len() == 1 {
        r.backend_mut().advance(Duration::from_millis(25));
    }
    Ok(())
}

#[test]
fn periodic_timers_skip_missed_ticks_without_drifting() {
    let mut r = R::new(SimBackend::new());
    let mut t = Trace::default();
    let h = r
        .call_every(Duration::from_millis(10), Callback::new(slow_tick, 0))
        .unwrap();
    r.backend_mut().advance(Duration::from_millis(3)); // off-grid "now" later on
    for _ in 0..4 {
        r.run_once(&mut t).unwrap();
    }
    // Started at 0: grid 10, 20, 30, 40, 50, …; the slow first tick ends at
    // 35, so 20 and 30 are skipped, never run late.
    assert_eq!(t.take(), ["tick @10", "tick @40", "tick @50"]);
    assert!(r.cancel(h), "the handle stays valid across ticks");
    assert_eq!(r.pending_timers(), 0);
}

#[test]
fn run_sync_times_out_on_the_simulated_clock() {
    let mut r = R::new(SimBackend::new());
    let mut t = Trace::default();
    let never = core::future::pending::<()>();
    assert_eq!(
        r.run_sync(&mut t, never, Some(Duration::from_secs(5))),
        Err(RunError::TimedOut)
    );
    assert_eq!(
        r.now(),
        Instant::from_millis(5000),
        "timed out exactly at the deadline"
    );
}

static DONE_AT_3: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(false);

fn finish(_: &mut Trace, _: &mut R, _: usize) -> CallbackResult {
    DONE_AT_3.store(true, core::sync::atomic::Ordering::SeqCst);
    Ok(())
}

#[test]
fn run_sync_returns_the_output_once_the_loop_completes_it() {
    let mut r = R::new(SimBackend::new());
    let mut t = Trace::default();
    r.call_later(Duration::from_secs(3), Callback::new(finish, 0))
        .unwrap();
    let fut = core::future::poll_fn(|_| {
        if DONE_AT_3.load(core::sync::atomic::Ordering::SeqCst) {
            core::task::Poll::Ready(42)
        } else {
            core::task::Poll::Pending
        }
    });
    assert_eq!(r.run_sync(&mut t, fut, Some(Duration::from_secs(10))), Ok(42));
    assert_eq!(r.now(), Instant::from_millis(3000));
}

#[test]
fn run_until_checks_the_condition_and_the_timeout() {
    let mut r = R::new(SimBackend::new());
    let mut t = Trace::default();
    r.call_later(Duration::from_millis(40), Callback::new(timer, 0))
        .unwrap();
    assert_eq!(
        r.run_until(&mut t, Some(Duration::from_millis(100)), |t| !t.log.is_empty()),
        Ok(())
    );
    assert_eq!(r.now(), Instant::from_millis(40));
    let res = r.run_until(&mut t, Some(Duration::from_millis(100)), |t| t.log.len() > 1);
    assert_eq!(res, Err(RunError::TimedOut));
    assert_eq!(r.now(), Instant::from_millis(140));
}

#[test]
fn an_unbounded_poll_cap_saturates_instead_of_overflowing() {
    let mut r = R::new(SimBackend::new());
    r.set_poll_cap(Duration::MAX);
    let mut t = Trace::default();
    // With a cap of "forever" the simulator still advances: Duration::MAX
    // saturates to Instant::MAX rather than overflowing.
    assert_eq!(r.run_once(&mut t), Ok(()));
    assert_eq!(r.now(), Instant::MAX);
}

#[test]
fn more_ready_events_than_the_buffer_holds_arrive_over_several_polls() {
    let mut t = Trace::default();
    let mut small: Reactor<SimBackend, Trace, 4, 4, 4, 2> = Reactor::new(SimBackend::new());
    for i in 0..4u32 {
        small
            .add_handler(
                SimSource(i),
                Interest::READABLE,
                Handler::new(io_small, i as usize),
            )
            .unwrap();
        small
            .backend_mut()
            .ready_now(SimSource(i), Ready::READABLE)
            .unwrap();
    }
    small.run_once(&mut t).unwrap();
    assert_eq!(t.log.len(), 2);
    small.run_once(&mut t).unwrap();
    assert_eq!(
        t.take().len(),
        4,
        "nothing is lost when the event buffer is small"
    );
}

fn io_small(
    t: &mut Trace,
    _: &mut Reactor<SimBackend, Trace, 4, 4, 4, 2>,
    ev: Event,
    _: usize,
) -> CallbackResult {
    t.log.push(std::format!("{}", ev.token));
    Ok(())
}

mod statics {
    use super::*;
    use core::cell::RefCell;
    use critical_section::Mutex;

    use crate::mailbox::Mailbox;
    use crate::sim::SimWaker;

    type Firmware = Reactor<SimBackend<4, 4>, u32, 8, 8, 4, 4>;

    /// Compile-time proof: the reactor and a mailbox build in `static`s.
    static REACTOR: Mutex<RefCell<Firmware>> = Mutex::new(RefCell::new(Reactor::new(SimBackend::new())));
    static MAILBOX: Mailbox<usize, SimWaker, 8> = Mailbox::new();

    fn bump(n: &mut u32, _: &mut Firmware, by: usize) -> CallbackResult {
        *n += by as u32;
        Ok(())
    }

    #[test]
    fn a_static_reactor_runs_callbacks_posted_from_other_threads() {
        critical_section::with(|cs| REACTOR.borrow_ref_mut(cs).attach_mailbox(&MAILBOX, bump));
        let posters: Vec<_> = (1..=3)
            .map(|by| std::thread::spawn(move || MAILBOX.post(by).unwrap()))
            .collect();
        posters.into_iter().for_each(|p| p.join().unwrap());
        let mut n = 0u32;
        critical_section::with(|cs| {
            let mut r = REACTOR.borrow_ref_mut(cs);
            r.run_once(&mut n).unwrap();
            assert_eq!(r.stats().callbacks, 3);
        });
        assert_eq!(n, 6);
    }
}
