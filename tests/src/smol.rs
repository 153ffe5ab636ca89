//! The suite's harness for `eddy-bare`: smoltcp over an in-memory loopback
//! ([`MemLoopback`]), driven by a virtual clock.
//!
//! Both ends of every pair are sockets of the same [`Stack`]: the local end
//! is accepted from a listener (backlog 1), the remote end connects to it
//! from 127.0.0.1. The backend's idle hook advances the virtual clock by
//! the time it was allowed to sleep (smoltcp's next timer or the reactor's
//! timeout) unless a frame is waiting, so every run is deterministic and
//! sleep-free: a 10-second bound passes in microseconds of real time.

#[cfg(test)]
mod checks;
mod peer;

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::Duration;

use eddy_bare::phy::MemLoopback;
use eddy_bare::smoltcp::iface::{Config, Interface, SocketStorage};
use eddy_bare::smoltcp::wire::{HardwareAddress, IpAddress, IpCidr};
use eddy_bare::{BareBackend, BareConnecting, BareTransport, Idle, ListenerId, SocketId, Stack, WakeFlag};
use eddy_core::time::Clock;
use eddy_core::Instant;

pub use peer::{SmolPair, SmolPeer};

use crate::harness::Harness;

/// The loopback device: 1500-byte frames, 64 in flight.
pub type SmolDevice = MemLoopback<1500, 64>;
/// Sockets per stack: enough for the suite's largest test.
pub const SOCKETS: usize = 16;
/// Receive and transmit buffer of each socket: as large as the stream
/// suite's write buffer, so that once the peer has read what reached it,
/// the rest fits in flight (as it does in a kernel's socket buffers).
pub const BUFFER: usize = 16 * 1024;
/// The stack under test.
pub type SmolStack = Stack<'static, SmolDevice, SOCKETS>;
/// The backend under test.
pub type SmolBackend = BareBackend<'static, 'static, SmolDevice, VirtualClock, VirtualIdle, SOCKETS>;

/// The smoltcp backend over the in-memory loopback.
#[derive(Debug)]
pub struct SmolLoopback;

/// A virtual clock shared by the backend and its idle hook.
#[derive(Clone, Debug, Default)]
pub struct VirtualClock(Rc<Cell<Instant>>);

impl VirtualClock {
    /// Moves the clock forward by `d`.
    pub fn advance(&self, d: Duration) {
        self.0.set(self.0.get().saturating_add(d));
    }
}

impl Clock for VirtualClock {
    fn now(&self) -> Instant {
        self.0.get()
    }
}

/// The idle hook: returns at once when a frame waits, else advances the
/// virtual clock by the whole allowed sleep (one second when unbounded).
#[derive(Debug)]
pub struct VirtualIdle(VirtualClock);

impl Idle<SmolDevice> for VirtualIdle {
    fn idle(&mut self, device: &mut SmolDevice, timeout: Option<Duration>) {
        if !device.has_frames() {
            self.0.advance(timeout.unwrap_or(Duration::from_secs(1)));
        }
    }
}

/// The loopback's address.
pub const LOCALHOST: IpAddress = IpAddress::v4(127, 0, 0, 1);

static NEXT_PORT: AtomicU16 = AtomicU16::new(1024);

/// A listening port not used before in this process.
fn fresh_port() -> u16 {
    NEXT_PORT.fetch_add(1, Ordering::Relaxed)
}

fn leak_buffer() -> &'static mut [u8] {
    vec![0u8; BUFFER].leak()
}

/// A fresh stack of [`SOCKETS`] sockets on 127.0.0.1/8 (leaked: each test
/// makes one).
pub fn stack() -> &'static RefCell<SmolStack> {
    let mut device = SmolDevice::new();
    let mut iface = Interface::new(
        Config::new(HardwareAddress::Ip),
        &mut device,
        eddy_bare::smoltcp::time::Instant::ZERO,
    );
    iface.update_ip_addrs(|a| a.push(IpCidr::new(LOCALHOST, 8)).expect("one address"));
    let storage = Box::leak(Box::new([SocketStorage::EMPTY; SOCKETS]));
    let mut stack = Stack::new(iface, device, storage);
    for _ in 0..SOCKETS {
        stack
            .add_socket(leak_buffer(), leak_buffer())
            .expect("pool has room");
    }
    Box::leak(Box::new(RefCell::new(stack)))
}

/// Runs smoltcp once and lets virtual time pass as the backend's idle
/// hook would: what the test's own waits use between attempts.
pub fn pump(backend: &SmolBackend) {
    let now = backend.now_virtual();
    let mut stack = backend.stack().borrow_mut();
    stack.poll(now);
    let delay = stack.poll_delay(now).unwrap_or(Duration::from_millis(1));
    if !stack.device_mut().has_frames() {
        backend.clock().advance(delay.max(Duration::from_micros(1)));
    }
}

/// Pumps until `done` holds or [`PATIENCE`](crate::suite::PATIENCE) of
/// virtual time passed; returns whether it held.
pub fn pump_until(backend: &SmolBackend, mut done: impl FnMut(&mut SmolStack) -> bool) -> bool {
    let deadline = backend.now_virtual().saturating_add(crate::suite::PATIENCE);
    loop {
        if done(&mut backend.stack().borrow_mut()) {
            return true;
        }
        if backend.now_virtual() >= deadline {
            return false;
        }
        pump(backend);
    }
}

/// Reading the virtual clock without naming the `Backend` trait.
trait VirtualNow {
    fn now_virtual(&self) -> Instant;
}

impl VirtualNow for SmolBackend {
    fn now_virtual(&self) -> Instant {
        self.clock().now()
    }
}

/// Connects a fresh client socket to a fresh listener and accepts it:
/// `(accepted, client)`.
fn connected(backend: &SmolBackend) -> (SocketId, SocketId) {
    let stack = backend.stack();
    let port = fresh_port();
    let listener = stack.borrow_mut().listen(port, 1).expect("listen");
    let client = stack.borrow_mut().connect((LOCALHOST, port)).expect("connect");
    let local = accept(backend, listener);
    (local, client)
}

/// Waits for the listener's connection, then closes the listener.
fn accept(backend: &SmolBackend, listener: ListenerId) -> SocketId {
    let mut accepted = None;
    let ok = pump_until(backend, |s| {
        accepted = s.accept(listener).expect("listener is open");
        accepted.is_some()
    });
    assert!(ok, "the loopback handshake did not complete");
    backend
        .stack()
        .borrow_mut()
        .close_listener(listener)
        .expect("listener is open");
    accepted.expect("accepted")
}

impl Harness for SmolLoopback {
    type Backend = SmolBackend;
    type Pair = SmolPair;
    type Transport = BareTransport<'static, 'static, SmolDevice, SOCKETS>;
    type Peer = SmolPeer;
    type Connecting = BareConnecting<'static, 'static, SmolDevice, SOCKETS>;
    type Listener = ListenerId;

    fn backend() -> SmolBackend {
        let clock = VirtualClock::default();
        let wake = Box::leak(Box::new(WakeFlag::new()));
        BareBackend::new(stack(), clock.clone(), VirtualIdle(clock), wake)
    }

    fn pair(backend: &mut SmolBackend) -> SmolPair {
        let (local, remote) = connected(backend);
        SmolPair::new(local, remote)
    }

    fn stream_pair(backend: &mut SmolBackend) -> (Self::Transport, SmolPeer) {
        let (local, remote) = connected(backend);
        (BareTransport::new(backend.stack(), local), SmolPeer::new(remote))
    }

    fn connect(backend: &mut SmolBackend) -> (Self::Connecting, ListenerId) {
        let port = fresh_port();
        let listener = backend.stack().borrow_mut().listen(port, 1).expect("listen");
        let connecting = BareConnecting::start(backend.stack(), (LOCALHOST, port)).expect("connect");
        (connecting, listener)
    }

    fn accept(backend: &mut SmolBackend, listener: ListenerId) -> SmolPeer {
        SmolPeer::new(accept(backend, listener))
    }
}
