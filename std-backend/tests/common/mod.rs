//! Helpers shared by the integration tests: non-blocking pipes, a bounded
//! "poll until this token shows up" loop, and the macro that runs every test
//! once per selector (native and `poll(2)`).

#![allow(dead_code)] // each test file uses a different subset

use std::os::fd::OwnedFd;
use std::time::Duration;

use eddy_core::{Backend, Event, Ready, Token};
use eddy_std::StdBackend;

/// A long timeout that a passing test never waits out: polls return early
/// on readiness or a wake.
pub const LONG: Duration = Duration::from_secs(60);

/// Expands `name` into `native::name` (epoll/kqueue, or poll when forced)
/// and `poll::name` (the `poll(2)` selector), each calling `name(backend)`.
macro_rules! for_each_backend {
    ($($test:ident),* $(,)?) => {
        mod native {
            $(
                #[test]
                fn $test() {
                    let backend = eddy_std::StdBackend::new().expect("native backend");
                    eprintln!("running on {}", backend.kind());
                    super::$test(backend);
                }
            )*
        }
        mod poll {
            $(
                #[test]
                fn $test() {
                    let backend = eddy_std::StdBackend::with_poll().expect("poll backend");
                    assert_eq!(backend.kind(), eddy_std::PollerKind::Poll);
                    super::$test(backend);
                }
            )*
        }
    };
}

/// A pipe with both ends non-blocking.
pub fn pipe() -> (OwnedFd, OwnedFd) {
    let (r, w) = rustix::pipe::pipe().expect("pipe");
    rustix::io::ioctl_fionbio(&r, true).expect("nonblocking read end");
    rustix::io::ioctl_fionbio(&w, true).expect("nonblocking write end");
    (r, w)
}

/// Polls until `token` is reported; returns what was reported for it.
/// Panics if it is not within [`LONG`]. The limit is on time, not on the
/// number of polls: under the level-triggered `poll(2)` selector another
/// source that stays ready makes every poll return at once.
#[track_caller]
pub fn poll_until(backend: &mut StdBackend, token: Token) -> Ready {
    let mut events = [Event::EMPTY; 16];
    let give_up = backend.now().saturating_add(LONG);
    while backend.now() < give_up {
        let n = backend.poll(&mut events, Some(LONG)).expect("poll");
        let ready = events[..n]
            .iter()
            .filter(|e| e.token == token)
            .fold(Ready::EMPTY, |acc, e| acc | e.ready);
        if !ready.is_empty() {
            return ready;
        }
    }
    panic!("{token} was never reported");
}

/// Polls until every one of `tokens` has been reported. Panics if one is
/// not within [`LONG`] (a limit on time, as in [`poll_until`]).
#[track_caller]
pub fn poll_until_all(backend: &mut StdBackend, tokens: &[Token]) {
    let mut missing: Vec<Token> = tokens.to_vec();
    let mut events = [Event::EMPTY; 16];
    let give_up = backend.now().saturating_add(LONG);
    while backend.now() < give_up {
        let n = backend.poll(&mut events, Some(LONG)).expect("poll");
        missing.retain(|t| !events[..n].iter().any(|e| e.token == *t));
        if missing.is_empty() {
            return;
        }
    }
    panic!("never reported: {missing:?}");
}

/// Events ready right now (zero timeout).
#[track_caller]
pub fn poll_now(backend: &mut StdBackend) -> Vec<Event> {
    let mut events = [Event::EMPTY; 16];
    let n = backend.poll(&mut events, Some(Duration::ZERO)).expect("poll");
    events[..n].to_vec()
}
