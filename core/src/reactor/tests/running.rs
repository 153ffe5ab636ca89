//! Running the loop: stopping, failing callbacks, the poll timeout,
//! periodic timers, `run_sync` / `run_until`, and more events than one
//! poll holds.

use super::*;

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
