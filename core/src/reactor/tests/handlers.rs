//! Registrations, and handlers that remove, replace or re-register
//! sources while the loop dispatches.

use super::*;

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
