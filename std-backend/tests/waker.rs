//! The cross-thread waker, run once per selector. Synchronised with a
//! `Barrier`, never with sleeps: a 60-second poll that returns with zero
//! user events can only have been ended by the wake.

#[macro_use]
mod common;

use std::os::fd::AsFd;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

use common::{pipe, poll_until, LONG};
use eddy_core::{Backend, Event, Interest, Token, Wake};
use eddy_std::StdBackend;

for_each_backend!(
    wake_from_another_thread_ends_a_long_poll,
    wake_before_poll_is_not_lost_and_never_reported,
    waker_works_alongside_user_events,
);

fn wake_from_another_thread_ends_a_long_poll(mut backend: StdBackend) {
    // A registered source that never becomes ready.
    let (r, _w) = pipe();
    backend
        .register(r.as_fd(), Token::new(1, 0), Interest::READABLE)
        .unwrap();

    let barrier = Arc::new(Barrier::new(2));
    let waker = backend.waker();
    let other = {
        let barrier = barrier.clone();
        thread::spawn(move || {
            barrier.wait();
            waker.wake();
        })
    };
    barrier.wait();
    let mut events = [Event::EMPTY; 8];
    let n = backend.poll(&mut events, Some(LONG)).unwrap();
    assert_eq!(n, 0, "woken poll reported {:?}", &events[..n]);
    other.join().unwrap();
}

fn wake_before_poll_is_not_lost_and_never_reported(mut backend: StdBackend) {
    let waker = backend.waker();
    for _ in 0..1000 {
        waker.clone().wake(); // many wakes coalesce; a full pipe is fine
    }
    let mut events = [Event::EMPTY; 8];
    assert_eq!(backend.poll(&mut events, Some(LONG)).unwrap(), 0);
    // Drained: the waker's readiness does not linger as a user event.
    assert_eq!(backend.poll(&mut events, Some(Duration::ZERO)).unwrap(), 0);
}

fn waker_works_alongside_user_events(mut backend: StdBackend) {
    let (r, w) = pipe();
    let tok = Token::new(3, 1);
    backend.register(r.as_fd(), tok, Interest::READABLE).unwrap();
    rustix::io::write(&w, b"x").unwrap();
    backend.waker().wake();
    assert!(poll_until(&mut backend, tok).is_readable());
    // Whatever the wake left behind is gone too.
    let mut events = [Event::EMPTY; 8];
    let n = backend.poll(&mut events, Some(Duration::ZERO)).unwrap();
    assert!(events[..n].iter().all(|e| e.token == tok), "{:?}", &events[..n]);
}
