//! Signals as readiness, and `EINTR` being retried, once per selector.
//!
//! Each test uses its own signal numbers so tests running in parallel in
//! this process do not steal each other's deliveries (a signal reaches every
//! live `Signals` that wants it, so sharing one would still be correct).

#![forbid(unsafe_code)]

#[macro_use]
mod common;

use std::os::fd::AsFd;
use std::sync::{Arc, Barrier};
use std::thread;

use common::{pipe, poll_until, poll_until_all, LONG};
use eddy_core::{Backend, Event, Interest, Token};
use eddy_std::{Signal, SignalSet, Signals, StdBackend};
use rustix::process::{getpid, kill_process, Signal as RawSignal};

for_each_backend!(
    sighup_is_reported_through_the_fd,
    every_subscriber_hears_the_signal,
    interrupted_poll_keeps_waiting,
);

fn sighup_is_reported_through_the_fd(mut backend: StdBackend) {
    let signals = Signals::new(&[Signal::Hup, Signal::Term]).unwrap();
    let tok = Token::new(9, 0);
    backend
        .register(signals.as_fd(), tok, Interest::READABLE)
        .unwrap();

    kill_process(getpid(), RawSignal::HUP).unwrap();
    assert!(poll_until(&mut backend, tok).is_readable());
    let pending = signals.take_pending();
    assert!(pending.contains(Signal::Hup), "{pending:?}");
    assert!(!pending.contains(Signal::Term), "{pending:?}");
    // Taken: the fd is drained and the set is empty until the next signal.
    assert!(signals.take_pending().is_empty());
}

fn every_subscriber_hears_the_signal(mut backend: StdBackend) {
    let first = Signals::new(&[Signal::Usr2]).unwrap();
    let second = Signals::new(&[Signal::Usr2, Signal::Winch]).unwrap();
    backend
        .register(first.as_fd(), Token::new(1, 0), Interest::READABLE)
        .unwrap();
    backend
        .register(second.as_fd(), Token::new(2, 0), Interest::READABLE)
        .unwrap();

    kill_process(getpid(), RawSignal::USR2).unwrap();
    poll_until_all(&mut backend, &[Token::new(1, 0), Token::new(2, 0)]);
    assert_eq!(first.take_pending().collect::<Vec<_>>(), [Signal::Usr2]);
    assert!(second.take_pending().contains(Signal::Usr2));
}

/// The polling thread is sent `SIGUSR1` with `pthread_kill` (through
/// [`Signal::send_to_thread`]) a hundred times while it waits; its poll
/// must neither fail nor return early, and must still report the pipe that
/// becomes readable afterwards.
fn interrupted_poll_keeps_waiting(mut backend: StdBackend) {
    let signals = Arc::new(Signals::new(&[Signal::Usr1]).unwrap());
    let (r, w) = pipe();
    let tok = Token::new(5, 0);
    backend.register(r.as_fd(), tok, Interest::READABLE).unwrap();

    let barrier = Arc::new(Barrier::new(2));
    let poller = {
        let barrier = barrier.clone();
        thread::spawn(move || {
            barrier.wait();
            let mut events = [Event::EMPTY; 4];
            let n = backend.poll(&mut events, Some(LONG));
            n.map(|n| events[..n].to_vec())
        })
    };
    barrier.wait();
    let mut delivered = 0;
    'kill: for _ in 0..100 {
        // SIGUSR1 has the handler `signals` installed, so it cannot kill us.
        Signal::Usr1.send_to_thread(&poller).expect("pthread_kill failed");
        // Wait until the handler has run before sending the next one.
        while !signals.take_pending().contains(Signal::Usr1) {
            if poller.is_finished() {
                break 'kill;
            }
            thread::yield_now();
        }
        delivered += 1;
    }
    rustix::io::write(&w, b"x").unwrap();
    let events = poller.join().unwrap().expect("an interrupted poll must not fail");
    assert_eq!(delivered, 100, "poll returned early: {events:?}");
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].token, tok);
}

#[test]
fn signal_sets_iterate_each_signal_once() {
    let signals = Signals::new(&[]).unwrap();
    let empty: SignalSet = signals.take_pending();
    assert!(empty.is_empty());
    assert_eq!(empty.count(), 0);
    assert_eq!(Signal::Int.to_string(), "SIGINT");
    assert_eq!(Signal::Term.as_raw(), RawSignal::TERM.as_raw());
    assert_eq!(Signal::Chld.as_raw(), RawSignal::CHILD.as_raw());
}
