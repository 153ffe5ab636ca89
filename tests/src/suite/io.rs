//! Readiness on connected pairs: reading, registration changes during
//! dispatch, peer close and reset.
//!
//! Tests that must show an event is *not* delivered use a sentinel: a
//! second pair that receives data after the silenced one. Once the
//! sentinel's event has been handled, any event for the silenced source
//! would have been polled too.

use eddy_core::{CallbackResult, Event, Handler, Interest};

use super::PATIENCE;
use crate::harness::{Harness, Pair, RecvError};
use crate::world::{failed, Loop, World};

/// Reads until the source would block; notes what was read and how the
/// read ended.
fn drain<H: Harness>(w: &mut World<H>, r: &mut Loop<H>, i: usize) -> (Vec<u8>, &'static str) {
    let mut buf = [0u8; 3];
    let mut got = Vec::new();
    loop {
        match w.pairs[i].recv(r.backend_mut(), &mut buf) {
            Ok(0) => return (got, "eof"),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(RecvError::WouldBlock) => return (got, "would-block"),
            Err(RecvError::Reset) => return (got, "reset"),
        }
    }
}

fn reader<H: Harness>(w: &mut World<H>, r: &mut Loop<H>, _: Event, i: usize) -> CallbackResult {
    let (got, end) = drain(w, r, i);
    if !got.is_empty() || end != "would-block" {
        w.note(format!("{i}: {} ({end})", String::from_utf8_lossy(&got)));
    }
    Ok(())
}

fn register<H: Harness>(
    w: &mut World<H>,
    r: &mut Loop<H>,
    i: usize,
    interest: Interest,
    h: Handler<World<H>, Loop<H>>,
) {
    let token = r.add_handler(w.pairs[i].source(), interest, h).unwrap();
    w.tokens[i] = Some(token);
}

fn setup<H: Harness>(pairs: usize) -> (Loop<H>, World<H>) {
    let mut r = Loop::<H>::new(H::backend());
    let mut w = World::<H>::default();
    for _ in 0..pairs {
        let pair = H::pair(r.backend_mut());
        w.add_pair(pair);
    }
    (r, w)
}

/// Data sent by the peer makes the local end readable.
pub fn pipe_becomes_readable_when_data_arrives<H: Harness>() {
    let (mut r, mut w) = setup::<H>(1);
    register(
        &mut w,
        &mut r,
        0,
        Interest::READABLE,
        Handler::new(reader::<H>, 0),
    );
    w.pairs[0].send(r.backend_mut(), b"hello");
    r.run_until(&mut w, Some(PATIENCE), |w| !w.trace.is_empty())
        .unwrap();
    assert_eq!(w.trace, ["0: hello (would-block)"]);
}

/// Several sends are all read, through however many events it takes, and
/// nothing is read twice.
pub fn handler_reads_until_would_block<H: Harness>() {
    let (mut r, mut w) = setup::<H>(1);
    register(
        &mut w,
        &mut r,
        0,
        Interest::READABLE,
        Handler::new(reader::<H>, 0),
    );
    for chunk in [&b"abc"[..], b"defgh", b"ij"] {
        w.pairs[0].send(r.backend_mut(), chunk);
    }
    let all = |w: &World<H>| {
        w.trace
            .iter()
            .map(|l| l.trim_start_matches("0: ").trim_end_matches(" (would-block)"))
            .collect::<String>()
    };
    r.run_until(&mut w, Some(PATIENCE), |w| all(w).len() >= 10)
        .unwrap();
    assert_eq!(all(&w), "abcdefghij");
}

fn read_once_then_remove_self<H: Harness>(
    w: &mut World<H>,
    r: &mut Loop<H>,
    ev: Event,
    i: usize,
) -> CallbackResult {
    let (got, _) = drain(w, r, i);
    w.note(format!("{i}: {} then removed", String::from_utf8_lossy(&got)));
    r.remove_handler(w.pairs[i].source(), ev.token).map_err(failed)
}

/// A handler may remove its own registration; no later event reaches it.
pub fn handler_may_remove_itself_during_dispatch<H: Harness>() {
    let (mut r, mut w) = setup::<H>(2);
    register(
        &mut w,
        &mut r,
        0,
        Interest::READABLE,
        Handler::new(read_once_then_remove_self::<H>, 0),
    );
    w.pairs[0].send(r.backend_mut(), b"one");
    r.run_until(&mut w, Some(PATIENCE), |w| !w.trace.is_empty())
        .unwrap();
    // More data for the removed source, then the sentinel.
    w.pairs[0].send(r.backend_mut(), b"two");
    register(
        &mut w,
        &mut r,
        1,
        Interest::READABLE,
        Handler::new(reader::<H>, 1),
    );
    w.pairs[1].send(r.backend_mut(), b"sentinel");
    r.run_until(&mut w, Some(PATIENCE), |w| w.trace.len() >= 2)
        .unwrap();
    assert_eq!(w.trace, ["0: one then removed", "1: sentinel (would-block)"]);
    assert!(!r.has_handler(w.tokens[0].unwrap()));
}

fn remove_the_other<H: Harness>(w: &mut World<H>, r: &mut Loop<H>, _: Event, i: usize) -> CallbackResult {
    let other = 1 - i;
    let (got, _) = drain(w, r, i);
    w.note(format!("{i}: {}", String::from_utf8_lossy(&got)));
    if let Some(token) = w.tokens[other].take() {
        r.remove_handler(w.pairs[other].source(), token).map_err(failed)?;
    }
    Ok(())
}

/// When two sources are ready together and the first handler removes the
/// other registration, the other handler is not called — even though its
/// event may already have been polled.
pub fn handler_may_remove_another_pending_registration<H: Harness>() {
    let (mut r, mut w) = setup::<H>(3);
    for i in 0..2 {
        register(
            &mut w,
            &mut r,
            i,
            Interest::READABLE,
            Handler::new(remove_the_other::<H>, i),
        );
    }
    w.pairs[0].send(r.backend_mut(), b"a");
    w.pairs[1].send(r.backend_mut(), b"b");
    register(
        &mut w,
        &mut r,
        2,
        Interest::READABLE,
        Handler::new(reader::<H>, 2),
    );
    w.pairs[2].send(r.backend_mut(), b"sentinel");
    r.run_until(&mut w, Some(PATIENCE), |w| {
        w.trace.iter().any(|l| l.starts_with("2:"))
    })
    .unwrap();
    let handled: Vec<_> = w.trace.iter().filter(|l| !l.starts_with("2:")).collect();
    assert_eq!(
        handled.len(),
        1,
        "only one of the pair may be handled: {:?}",
        w.trace
    );
}

fn writable_then_readable<H: Harness>(
    w: &mut World<H>,
    r: &mut Loop<H>,
    ev: Event,
    i: usize,
) -> CallbackResult {
    if ev.ready.is_writable() && w.trace.is_empty() {
        w.note("writable");
        return r
            .update_handler(w.pairs[i].source(), ev.token, Interest::READABLE)
            .map_err(failed);
    }
    if ev.ready.is_readable() {
        let (got, _) = drain(w, r, i);
        w.note(format!("read {}", String::from_utf8_lossy(&got)));
    }
    Ok(())
}

/// Changing a registration's interest inside its own handler takes effect.
pub fn reregister_switches_interest<H: Harness>() {
    let (mut r, mut w) = setup::<H>(1);
    register(
        &mut w,
        &mut r,
        0,
        Interest::WRITABLE,
        Handler::new(writable_then_readable::<H>, 0),
    );
    r.run_until(&mut w, Some(PATIENCE), |w| !w.trace.is_empty())
        .unwrap();
    w.pairs[0].send(r.backend_mut(), b"now");
    r.run_until(&mut w, Some(PATIENCE), |w| w.trace.len() >= 2)
        .unwrap();
    assert_eq!(w.trace, ["writable", "read now"]);
}

/// After `remove_handler`, a source's readiness is never delivered.
pub fn deregistered_source_is_silent<H: Harness>() {
    let (mut r, mut w) = setup::<H>(2);
    register(
        &mut w,
        &mut r,
        0,
        Interest::READABLE,
        Handler::new(reader::<H>, 0),
    );
    let token = w.tokens[0].take().unwrap();
    r.remove_handler(w.pairs[0].source(), token).unwrap();
    w.pairs[0].send(r.backend_mut(), b"ignored");
    register(
        &mut w,
        &mut r,
        1,
        Interest::READABLE,
        Handler::new(reader::<H>, 1),
    );
    w.pairs[1].send(r.backend_mut(), b"sentinel");
    r.run_until(&mut w, Some(PATIENCE), |w| !w.trace.is_empty())
        .unwrap();
    assert_eq!(w.trace, ["1: sentinel (would-block)"]);
    assert_eq!(r.stats().events, 1);
}

/// A clean close by the peer is delivered and reads end of stream after
/// the data.
pub fn peer_close_is_reported_as_read_closed<H: Harness>() {
    let (mut r, mut w) = setup::<H>(1);
    register(
        &mut w,
        &mut r,
        0,
        Interest::READABLE,
        Handler::new(reader::<H>, 0),
    );
    w.pairs[0].send(r.backend_mut(), b"last words");
    w.pairs[0].close_remote(r.backend_mut());
    r.run_until(&mut w, Some(PATIENCE), |w| {
        w.trace.iter().any(|l| l.contains("(eof)"))
    })
    .unwrap();
    let text: String = w.trace.concat();
    assert!(
        text.contains("last words"),
        "data before EOF is not lost: {:?}",
        w.trace
    );
}

/// A reset by the peer is delivered and the read reports it.
pub fn peer_reset_is_reported<H: Harness>() {
    let (mut r, mut w) = setup::<H>(1);
    register(
        &mut w,
        &mut r,
        0,
        Interest::READABLE,
        Handler::new(reader::<H>, 0),
    );
    w.pairs[0].reset_remote(r.backend_mut());
    r.run_until(&mut w, Some(PATIENCE), |w| !w.trace.is_empty())
        .unwrap();
    assert_eq!(w.trace, ["0:  (reset)"]);
}

fn note_writable<H: Harness>(w: &mut World<H>, _: &mut Loop<H>, ev: Event, i: usize) -> CallbackResult {
    if ev.ready.is_writable() {
        w.note(format!("{i} writable"));
    }
    Ok(())
}

/// A connected socket with send space reports writability.
pub fn writable_interest_is_reported<H: Harness>() {
    let (mut r, mut w) = setup::<H>(1);
    register(
        &mut w,
        &mut r,
        0,
        Interest::WRITABLE,
        Handler::new(note_writable::<H>, 0),
    );
    r.run_until(&mut w, Some(PATIENCE), |w| !w.trace.is_empty())
        .unwrap();
    assert_eq!(w.trace, ["0 writable"]);
}
