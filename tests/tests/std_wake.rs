//! Another thread posts through a `static` mailbox while the loop is
//! blocked in a 60-second poll, and the loop runs the mailbox's callback — on the
//! default poller and on `poll(2)`.
//!
//! No sleeps: the poster learns the loop thread's id over a channel and
//! reads its scheduler state from `/proc/self/task/<tid>/stat` until it is
//! `S` (sleeping in a system call: the poll), yielding in between, for at
//! most 10 s. Only then does it post. If the wake did not work, the poll
//! would run out its 60 s before the callback ran; the test asserts the
//! whole run took less than 30 s, so it fails instead of passing slowly.
//!
//! Linux only (`/proc/self/task`); the cross-thread waker itself is tested
//! on every platform by `eddy-std`'s `tests/waker.rs`.

#![cfg(any(target_os = "linux", target_os = "android"))]

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use eddy_core::mailbox::Mailbox;
use eddy_core::{CallbackResult, Reactor};
use eddy_std::{StdBackend, StdWaker};

/// The poll cap: what a broken wake would make the loop wait.
const BLOCKED: Duration = Duration::from_secs(60);
/// A passing run takes milliseconds; a broken wake takes `BLOCKED`.
const MAX_RUN: Duration = Duration::from_secs(30);
/// How long the poster waits for the loop thread to fall asleep.
const SETTLE: Duration = Duration::from_secs(10);

type Loop = Reactor<StdBackend, App, 4, 4, 4, 4>;
/// The mailbox carries one-word messages; the reactor runs `mark` for each.
type Posts = Mailbox<usize, StdWaker, 4>;

#[derive(Debug, Default)]
struct App {
    ran: bool,
}

fn mark(app: &mut App, _: &mut Loop, arg: usize) -> CallbackResult {
    assert_eq!(arg, 42);
    app.ran = true;
    Ok(())
}

/// The scheduler state of thread `tid` of this process (`R`, `S`, `D`, …):
/// the field after the parenthesised command name in `proc_pid_stat(5)`.
fn thread_state(tid: i32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/self/task/{tid}/stat")).ok()?;
    // The command name may contain spaces and ')': the state follows the
    // last ')'.
    stat[stat.rfind(')')? + 1..].trim_start().chars().next()
}

/// Runs the loop on this thread, blocked in a 60 s poll with nothing
/// scheduled, while another thread posts once the loop is asleep.
fn post_wakes_a_loop_blocked_in_a_long_poll(backend: StdBackend, posts: &'static Posts) {
    let kind = backend.kind();
    let mut r = Loop::new(backend);
    r.set_poll_cap(BLOCKED);
    r.attach_mailbox(posts, mark);
    let (tid_tx, tid_rx) = mpsc::channel();
    let poster = thread::spawn(move || {
        let tid: i32 = tid_rx.recv().unwrap();
        let start = Instant::now();
        let mut seen = None;
        while start.elapsed() < SETTLE {
            seen = thread_state(tid);
            if seen == Some('S') {
                break;
            }
            thread::yield_now();
        }
        // Post in any case, so a loop that is not asleep still finishes.
        posts.post(42).unwrap();
        (seen, start.elapsed())
    });
    tid_tx
        .send(rustix::thread::gettid().as_raw_nonzero().get())
        .unwrap();

    let start = Instant::now();
    let mut app = App::default();
    r.run_until(&mut app, None, |app| app.ran).unwrap();
    let took = start.elapsed();
    let (state, waited) = poster.join().unwrap();
    eprintln!(
        "[{kind}] loop thread state {state:?} after {waited:?}; the post ran {took:?} after the loop started"
    );

    assert!(app.ran);
    assert_eq!(
        state,
        Some('S'),
        "[{kind}] the loop thread never blocked in its poll"
    );
    assert!(
        took < MAX_RUN,
        "[{kind}] the post did not wake the poll: the run took {took:?}"
    );
    assert_eq!(
        r.pending_timers(),
        0,
        "nothing but the post could have ended the poll"
    );
}

#[test]
fn native_post_wakes_a_60s_poll() {
    static POSTS: Posts = Mailbox::new();
    post_wakes_a_loop_blocked_in_a_long_poll(StdBackend::new().unwrap(), &POSTS);
}

#[test]
fn poll_post_wakes_a_60s_poll() {
    static POSTS: Posts = Mailbox::new();
    post_wakes_a_loop_blocked_in_a_long_poll(StdBackend::with_poll().unwrap(), &POSTS);
}
