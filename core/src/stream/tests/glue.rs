//! The callback glue, alone and driven by the reactor over the simulator.

use std::vec::Vec;

use super::*;
use crate::callback::{CallbackError, CallbackResult};
use crate::event::{Event, Interest, Ready};
use crate::reactor::Reactor;
use crate::sim::{SimBackend, SimSource};
use crate::stream::{CloseReason, InterestChange, StreamDriver};

#[test]
fn the_driver_asks_for_exactly_the_needed_registration_changes() {
    let mut s: Stream<8, 8> = stream();
    let mut d = StreamDriver::new();
    assert_eq!(d.update(&s), Some(InterestChange::Register(Interest::READABLE)));
    assert_eq!(d.update(&s), None, "already registered so");
    s.transport_mut().set_write_limit(0);
    s.write(b"x").unwrap();
    assert_eq!(d.update(&s), Some(InterestChange::Reregister(Interest::BOTH)));
    s.transport_mut().set_write_limit(8);
    d.on_event(&mut s, Ready::WRITABLE);
    assert_eq!(d.update(&s), Some(InterestChange::Reregister(Interest::READABLE)));
    d.on_event(&mut s, Ready::READABLE | Ready::READ_CLOSED);
    assert_eq!(s.transport().reads(), 0, "nothing was queued");
    s.transport_mut().peer_close();
    d.on_event(&mut s, Ready::READ_CLOSED);
    assert_eq!(
        d.update(&s),
        Some(InterestChange::Deregister),
        "EOF: nothing wanted"
    );
    assert_eq!(d.interest(), None);
    assert_eq!(d.update(&s), None);
}

/// One connection, echoing lines.
struct App {
    stream: Stream<64, 64>,
    driver: StreamDriver,
    closed: Option<CloseReason>,
    /// The registered interest after each event.
    interests: Vec<Option<Interest>>,
}

type Loop = Reactor<SimBackend, App, 4, 4, 4>;
const SRC: SimSource = SimSource(7);

fn on_conn(app: &mut App, r: &mut Loop, ev: Event, _: usize) -> CallbackResult {
    let s = &mut app.stream;
    app.driver.on_event(s, ev.ready);
    loop {
        if !s.is_read_pending() {
            s.read_until(b"\n", 64).map_err(|_| CallbackError::new("read"))?;
        }
        match s.poll_read() {
            Some(Ok(line)) => {
                let echo = s.data(&line).to_vec();
                s.try_write_all(&echo).map_err(|_| CallbackError::new("write"))?;
                s.consume(line).map_err(|_| CallbackError::new("consume"))?;
            }
            Some(Err(_)) | None => break,
        }
    }
    s.on_writable(); // send at once, as Tornado does
    let failed = |_| CallbackError::new("registration");
    match app.driver.update(s) {
        Some(InterestChange::Reregister(i)) => r.update_handler(SRC, ev.token, i).map_err(failed)?,
        Some(InterestChange::Deregister) => r.remove_handler(SRC, ev.token).map_err(failed)?,
        Some(InterestChange::Register(_)) => return Err(CallbackError::new("unexpected register")),
        None => {}
    }
    app.interests.push(app.driver.interest());
    if let Some(reason) = s.poll_close() {
        app.closed = Some(reason);
    }
    Ok(())
}

#[test]
fn a_reactor_handler_echoes_lines_with_backpressure_and_closes_once() {
    let mut r: Loop = Reactor::new(SimBackend::new());
    let mut app = App {
        stream: stream(),
        driver: StreamDriver::registered(Interest::READABLE),
        closed: None,
        interests: Vec::new(),
    };
    r.add_handler(SRC, Interest::READABLE, crate::Handler::new(on_conn, 0))
        .unwrap();

    app.stream.transport_mut().peer_send(b"hello\nwor").unwrap();
    r.backend_mut().ready_now(SRC, Ready::READABLE).unwrap();
    r.run_once(&mut app).unwrap();
    assert_eq!(app.stream.transport().outbound(), b"hello\n");
    assert_eq!(
        app.driver.interest(),
        Some(Interest::READABLE),
        "flushed: no WRITABLE"
    );

    // The peer stops reading: the echo waits and WRITABLE is registered.
    app.stream.transport_mut().set_write_limit(0);
    app.stream.transport_mut().peer_send(b"ld\n").unwrap();
    r.backend_mut().ready_now(SRC, Ready::READABLE).unwrap();
    r.run_once(&mut app).unwrap();
    assert_eq!(app.driver.interest(), Some(Interest::BOTH));
    assert_eq!(app.stream.unflushed(), 6);

    // The peer reads again, then closes.
    app.stream.transport_mut().set_write_limit(usize::MAX);
    app.stream.transport_mut().peer_close();
    r.backend_mut()
        .ready_now(SRC, Ready::WRITABLE | Ready::READ_CLOSED)
        .unwrap();
    r.run_once(&mut app).unwrap();
    assert_eq!(app.stream.transport().outbound(), b"hello\nworld\n");
    assert_eq!(app.closed, Some(CloseReason::PeerClosed));
    assert_eq!(r.handlers(), 0, "deregistered");
    assert_eq!(r.stats().errors, 0);
    assert_eq!(
        app.interests,
        [Some(Interest::READABLE), Some(Interest::BOTH), None]
    );
}
