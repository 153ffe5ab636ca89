//! A wake from another thread ends a `TapIdle` sleep at once: the backend
//! polls with a 30 s timeout over a device whose descriptor never becomes
//! readable, and another thread wakes it.
//!
//! No sleeps: the waking thread learns the loop thread's id over a channel
//! and reads its scheduler state from `/proc/self/task/<tid>/stat` until it
//! is `S` (asleep in a system call: the idle hook's wait), yielding in
//! between, for at most 10 s; only then does it wake. A hook blind to the
//! wake would sleep the whole 30 s; the test asserts the poll took less
//! than 15 s, so it fails instead of passing slowly.

#![cfg(all(feature = "std", any(target_os = "linux", target_os = "android")))]

use core::cell::RefCell;
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use eddy_bare::phy::MemLoopback;
use eddy_bare::smoltcp::iface::{Config, Interface, SocketStorage};
use eddy_bare::smoltcp::phy::{Device, DeviceCapabilities};
use eddy_bare::smoltcp::wire::HardwareAddress;
use eddy_bare::{BareBackend, Stack, StdClock, TapIdle, WakeFlag};
use eddy_core::{Backend, Event, Wake};

/// The poll's timeout: what a wake the hook cannot see makes it wait.
const BLOCKED: Duration = Duration::from_secs(30);
/// A woken poll returns in milliseconds; a blind one takes `BLOCKED`.
const MAX_POLL: Duration = Duration::from_secs(15);
/// How long the waking thread waits for the loop thread to fall asleep.
const SETTLE: Duration = Duration::from_secs(10);

/// A loopback whose descriptor (one end of a socket pair nobody writes
/// to) never becomes readable: only the wake can end the hook's sleep.
struct Quiet {
    lo: MemLoopback<1500, 4>,
    fd: UnixStream,
    _peer: UnixStream,
}

impl AsRawFd for Quiet {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

impl Device for Quiet {
    type RxToken<'a> = <MemLoopback<1500, 4> as Device>::RxToken<'a>;
    type TxToken<'a> = <MemLoopback<1500, 4> as Device>::TxToken<'a>;

    fn receive(
        &mut self,
        now: eddy_bare::smoltcp::time::Instant,
    ) -> Option<(Self::RxToken<'_>, Self::TxToken<'_>)> {
        self.lo.receive(now)
    }

    fn transmit(&mut self, now: eddy_bare::smoltcp::time::Instant) -> Option<Self::TxToken<'_>> {
        self.lo.transmit(now)
    }

    fn capabilities(&self) -> DeviceCapabilities {
        self.lo.capabilities()
    }
}

/// The scheduler state of thread `tid` of this process (`R`, `S`, …).
fn thread_state(tid: &str) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/self/task/{tid}/stat")).ok()?;
    // The state follows the parenthesised command name, which may hold ')'.
    stat[stat.rfind(')')? + 1..].trim_start().chars().next()
}

/// This thread's id, from `/proc/thread-self` (a link to `<pid>/task/<tid>`).
fn own_tid() -> String {
    let link = std::fs::read_link("/proc/thread-self").unwrap();
    link.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn a_wake_from_another_thread_ends_a_tap_idle_sleep() {
    static WAKE: WakeFlag = WakeFlag::new();
    let (tx, rx) = mpsc::channel();
    let looper = thread::spawn(move || {
        let (fd, peer) = UnixStream::pair().unwrap();
        let mut device = Quiet {
            lo: MemLoopback::new(),
            fd,
            _peer: peer,
        };
        let iface = Interface::new(
            Config::new(HardwareAddress::Ip),
            &mut device,
            eddy_bare::smoltcp::time::Instant::ZERO,
        );
        let storage = Box::leak(Box::new([SocketStorage::EMPTY; 1]));
        let stack = RefCell::new(Stack::new(iface, device, storage));
        let mut backend = BareBackend::new(&stack, StdClock::new(), TapIdle::new(), &WAKE);
        tx.send((own_tid(), backend.waker())).unwrap();
        let start = Instant::now();
        let n = backend.poll(&mut [Event::EMPTY; 2], Some(BLOCKED));
        (n, start.elapsed())
    });
    let (tid, waker) = rx.recv().unwrap();
    let start = Instant::now();
    let mut state = None;
    while start.elapsed() < SETTLE {
        state = thread_state(&tid);
        if state == Some('S') {
            break;
        }
        thread::yield_now();
    }
    // Wake in any case, so a loop that never slept still finishes.
    waker.wake();
    let (n, took) = looper.join().unwrap();
    eprintln!("loop thread state {state:?}; the poll returned after {took:?}");
    assert_eq!(state, Some('S'), "the loop thread never slept in its idle hook");
    assert_eq!(n.unwrap(), 0, "nothing but the wake could end the poll");
    assert!(
        took < MAX_POLL,
        "the wake did not end the sleep: the poll took {took:?}"
    );
}
