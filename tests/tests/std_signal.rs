//! A signal sent to the process arrives as a callback on a running
//! reactor, on the native poller and on `poll(2)`. Its own test binary, so
//! the signal numbers it uses are not shared with other tests.

use std::os::fd::AsFd;
use std::time::Duration;

use eddy_core::{CallbackResult, Event, Handler, Interest, Reactor};
use eddy_std::{Signal, Signals, StdBackend};
use rustix::process::{getpid, kill_process, Signal as RawSignal};

struct App {
    signals: Signals,
    heard: Vec<Signal>,
}

type Loop = Reactor<StdBackend, App, 8, 8, 8, 8>;

fn on_signal(app: &mut App, _: &mut Loop, _: Event, _: usize) -> CallbackResult {
    app.heard.extend(app.signals.take_pending());
    Ok(())
}

fn delivered_as_a_callback(backend: StdBackend, signal: Signal, raw: RawSignal) {
    let mut app = App {
        signals: Signals::new(&[signal]).expect("install the handler"),
        heard: Vec::new(),
    };
    let mut reactor = Loop::new(backend);
    reactor
        .add_handler(
            app.signals.as_fd(),
            Interest::READABLE,
            Handler::new(on_signal, 0),
        )
        .expect("register the signal fd");
    kill_process(getpid(), raw).expect("send the signal");
    // The timeout bounds a failing test; the callback ends the wait.
    reactor
        .run_until(&mut app, Some(Duration::from_secs(10)), |a| !a.heard.is_empty())
        .expect("the signal callback runs on the loop");
    assert_eq!(app.heard, [signal]);
}

#[test]
fn native_poller_delivers_a_signal_as_a_callback() {
    delivered_as_a_callback(StdBackend::new().unwrap(), Signal::Usr1, RawSignal::USR1);
}

#[test]
fn poll_fallback_delivers_a_signal_as_a_callback() {
    delivered_as_a_callback(StdBackend::with_poll().unwrap(), Signal::Usr2, RawSignal::USR2);
}
