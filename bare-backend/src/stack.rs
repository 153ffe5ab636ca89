//! [`Stack`]: the smoltcp interface, its device and a fixed pool of TCP
//! sockets, with the bookkeeping the backend and the transports share.
//!
//! The caller supplies everything: the configured [`Interface`], the
//! [`Device`], the socket storage (`[SocketStorage; N]`, usually a
//! `static`) and one receive and one transmit buffer per socket
//! ([`Stack::add_socket`]). Nothing is allocated. Each socket of the pool is
//! free, listening for a [listener](Stack::listen), a connection (accepted
//! or [connecting](Stack::connect)), or released and draining its close.
//!
//! Backend and transports reach one stack through a shared
//! `&RefCell<Stack>`: every call borrows it for the length of one
//! operation, and a call made while it is borrowed gets a `Busy` error
//! rather than a panic.

use core::fmt;
use core::time::Duration;

use eddy_core::{Event, Full, Instant, Ready};
use heapless::Vec;
use smoltcp::iface::{
    Interface, PollIngressSingleResult, PollResult, SocketHandle, SocketSet, SocketStorage,
};
use smoltcp::phy::Device;
use smoltcp::socket::tcp::{self, State};

use crate::error::BareError;
use crate::id::Source;
use crate::readiness::{self, Watch};

/// What a socket of the pool is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// Closed and unused: can listen or connect.
    Free,
    /// Listening for the listener with this index.
    Listening(u16),
    /// Handed out as a connection.
    Connection,
    /// Released by its owner; free once its close has finished. A socket
    /// in TIME-WAIT stays here, so that it still answers a retransmitted
    /// FIN, and is reused only when no socket is free (see
    /// [`Stack::take_free`]).
    Releasing,
}

/// One socket of the pool.
#[derive(Debug)]
pub(crate) struct Slot {
    pub(crate) handle: SocketHandle,
    pub(crate) generation: u16,
    pub(crate) role: Role,
    pub(crate) watch: Option<Watch>,
}

/// One listener: a port and how many sockets should listen on it.
#[derive(Debug)]
pub(crate) struct ListenerSlot {
    pub(crate) port: u16,
    pub(crate) backlog: u16,
    pub(crate) open: bool,
    pub(crate) watch: Option<Watch>,
}

/// The buffers handed back when the pool is full.
pub type Buffers<'s> = (&'s mut [u8], &'s mut [u8]);

/// A smoltcp interface and device with a pool of up to `N` TCP sockets.
///
/// # Examples
///
/// ```
/// use eddy_bare::phy::MemLoopback;
/// use eddy_bare::smoltcp::iface::{Config, Interface, SocketStorage};
/// use eddy_bare::smoltcp::wire::{HardwareAddress, IpAddress, IpCidr};
/// use eddy_bare::Stack;
///
/// let mut device = MemLoopback::<1500, 8>::new();
/// let config = Config::new(HardwareAddress::Ip);
/// let mut iface = Interface::new(config, &mut device, smoltcp::time::Instant::ZERO);
/// iface.update_ip_addrs(|a| a.push(IpCidr::new(IpAddress::v4(127, 0, 0, 1), 8)).unwrap());
///
/// let storage = Box::leak(Box::new([SocketStorage::EMPTY; 2]));
/// let mut stack = Stack::new(iface, device, storage);
/// let (rx, tx) = (Box::leak(Box::new([0u8; 512])), Box::leak(Box::new([0u8; 512])));
/// stack.add_socket(rx, tx).unwrap();
/// assert_eq!(stack.free_sockets(), 1);
/// # use eddy_bare::smoltcp;
/// ```
pub struct Stack<'s, D: Device, const N: usize> {
    pub(crate) iface: Interface,
    pub(crate) device: D,
    pub(crate) sockets: SocketSet<'s>,
    pub(crate) slots: Vec<Slot, N>,
    pub(crate) listeners: Vec<ListenerSlot, N>,
    pub(crate) next_port: u16,
}

impl<'s, D: Device, const N: usize> Stack<'s, D, N> {
    /// A stack over `iface` and `device` with room for `N` sockets in
    /// `storage`; add the sockets with [`Stack::add_socket`].
    pub fn new(iface: Interface, device: D, storage: &'s mut [SocketStorage<'s>; N]) -> Self {
        Stack {
            iface,
            device,
            sockets: SocketSet::new(&mut storage[..]),
            slots: Vec::new(),
            listeners: Vec::new(),
            next_port: EPHEMERAL_FIRST,
        }
    }

    /// Adds one TCP socket to the pool, with its receive and transmit
    /// buffers (their lengths are the socket's window and send queue).
    /// Nagle's algorithm is off: the streams above batch their writes.
    ///
    /// # Errors
    /// [`Full`] with the buffers if `N` sockets were added already
    /// (smoltcp's own `SocketSet::add` would panic; this checks first).
    pub fn add_socket(&mut self, rx: &'s mut [u8], tx: &'s mut [u8]) -> Result<(), Full<Buffers<'s>>> {
        if self.slots.is_full() {
            return Err(Full((rx, tx)));
        }
        let mut socket = tcp::Socket::new(tcp::SocketBuffer::new(rx), tcp::SocketBuffer::new(tx));
        socket.set_nagle_enabled(false);
        let handle = self.sockets.add(socket);
        // Cannot fail: checked not full above.
        let _ = self.slots.push(Slot {
            handle,
            generation: 0,
            role: Role::Free,
            watch: None,
        });
        Ok(())
    }

    /// How many sockets the pool holds.
    pub fn sockets(&self) -> usize {
        self.slots.len()
    }

    /// How many sockets are free to listen or connect right now, counting
    /// released sockets in TIME-WAIT (used only when no other is free).
    pub fn free_sockets(&self) -> usize {
        self.slots
            .iter()
            .filter(|s| s.role == Role::Free || self.in_time_wait(s))
            .count()
    }

    /// Whether `slot` is a released socket in TIME-WAIT.
    fn in_time_wait(&self, slot: &Slot) -> bool {
        slot.role == Role::Releasing
            && self.sockets.get::<tcp::Socket>(slot.handle).state() == State::TimeWait
    }

    /// The smoltcp interface (addresses, routes).
    pub fn interface_mut(&mut self) -> &mut Interface {
        &mut self.iface
    }

    /// The device.
    pub fn device_mut(&mut self) -> &mut D {
        &mut self.device
    }

    /// Runs smoltcp once at `now`: every received frame in, one at a time,
    /// then every due frame out. After each frame, sockets whose release
    /// finished are freed and listeners whose listening sockets were taken
    /// by a SYN are re-armed, so a burst of connections larger than the
    /// backlog still finds a listening socket while the pool has free ones.
    /// A released socket in TIME-WAIT is re-armed only after the frames
    /// went out (its last ACK among them), and only when no socket is free.
    /// Returns whether any socket's state may have changed.
    pub fn poll(&mut self, now: Instant) -> bool {
        let now = to_smol(now);
        let mut changed = false;
        loop {
            match self
                .iface
                .poll_ingress_single(now, &mut self.device, &mut self.sockets)
            {
                PollIngressSingleResult::None => break,
                PollIngressSingleResult::PacketProcessed => {}
                PollIngressSingleResult::SocketStateChanged => {
                    changed = true;
                    self.sweep(false);
                }
            }
        }
        let out = self.iface.poll_egress(now, &mut self.device, &mut self.sockets);
        self.sweep(true);
        changed || out == PollResult::SocketStateChanged
    }

    /// How long smoltcp can wait before its next [`Stack::poll`]
    /// (`Interface::poll_delay`): `None` when nothing is scheduled.
    pub fn poll_delay(&mut self, now: Instant) -> Option<Duration> {
        self.iface
            .poll_delay(to_smol(now), &self.sockets)
            .map(|d| Duration::from_micros(d.total_micros()))
    }

    /// Frees finished releases (discarding what still arrives for them)
    /// and re-arms short listeners, with TIME-WAIT sockets as a last resort
    /// if `reuse_time_wait`.
    fn sweep(&mut self, reuse_time_wait: bool) {
        for slot in self.slots.iter_mut() {
            if slot.role != Role::Releasing {
                continue;
            }
            let socket = self.sockets.get_mut::<tcp::Socket>(slot.handle);
            if socket.state() == State::Closed {
                slot.role = Role::Free;
            } else if socket.can_recv() {
                // Nobody reads a released socket: discard what arrives so
                // the window stays open and the peer can finish and close.
                let _ = socket.recv(|data| (data.len(), ()));
            }
        }
        for l in 0..self.listeners.len() {
            self.rearm(l, reuse_time_wait);
        }
    }

    /// Writes the events for every registration whose readiness gained a
    /// flag into `events`; what does not fit stays unreported for the next
    /// call.
    pub(crate) fn collect(&mut self, events: &mut [Event]) -> usize {
        let mut n = 0;
        for slot in self.slots.iter_mut() {
            let Some(watch) = slot.watch.as_mut() else {
                continue;
            };
            if n == events.len() {
                return n;
            }
            let socket = self.sockets.get_mut::<tcp::Socket>(slot.handle);
            if let Some(ev) = watch.update(readiness::socket_ready(socket)) {
                events[n] = ev;
                n += 1;
            }
        }
        for (l, listener) in self.listeners.iter_mut().enumerate() {
            let Some(watch) = listener.watch.as_mut() else {
                continue;
            };
            if n == events.len() {
                return n;
            }
            let pending = self.slots.iter().any(|s| {
                s.role == Role::Listening(l as u16)
                    && readiness::is_accepted(self.sockets.get::<tcp::Socket>(s.handle))
            });
            let ready = if pending { Ready::READABLE } else { Ready::EMPTY };
            if let Some(ev) = watch.update(ready) {
                events[n] = ev;
                n += 1;
            }
        }
        n
    }

    /// The registration slot of `source`.
    pub(crate) fn watch_mut(&mut self, source: Source) -> Result<&mut Option<Watch>, BareError> {
        match source {
            Source::Socket(id) => match self.slots.get_mut(usize::from(id.index)) {
                Some(slot) if slot.generation == id.generation && slot.role == Role::Connection => {
                    Ok(&mut slot.watch)
                }
                _ => Err(BareError::Stale),
            },
            Source::Listener(id) => match self.listeners.get_mut(usize::from(id.0)) {
                Some(l) if l.open => Ok(&mut l.watch),
                _ => Err(BareError::Stale),
            },
        }
    }

    /// The index of a free socket, with the release limits of its last
    /// use cleared. When none is free and `reuse_time_wait`, a released
    /// socket in TIME-WAIT: reusing it ends its TIME-WAIT early, so it
    /// comes last.
    pub(crate) fn take_free(&mut self, reuse_time_wait: bool) -> Option<usize> {
        let i = match self.slots.iter().position(|s| s.role == Role::Free) {
            Some(i) => i,
            None if reuse_time_wait => self.slots.iter().position(|s| self.in_time_wait(s))?,
            None => return None,
        };
        let socket = self.sockets.get_mut::<tcp::Socket>(self.slots[i].handle);
        socket.set_timeout(None);
        socket.set_keep_alive(None);
        Some(i)
    }
}

impl<D: Device, const N: usize> fmt::Debug for Stack<'_, D, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stack")
            .field("slots", &self.slots)
            .field("listeners", &self.listeners)
            .finish_non_exhaustive()
    }
}

/// The first local port [`Stack::connect`] uses (RFC 6335's dynamic range).
pub(crate) const EPHEMERAL_FIRST: u16 = 49152;

/// An eddy instant as smoltcp's.
pub(crate) fn to_smol(now: Instant) -> smoltcp::time::Instant {
    smoltcp::time::Instant::from_micros(i64::try_from(now.as_micros()).unwrap_or(i64::MAX))
}
