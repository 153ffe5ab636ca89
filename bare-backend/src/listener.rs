//! Listeners on a [`Stack`]: a port with a backlog of sockets listening on
//! it, accept, and re-arming.
//!
//! A smoltcp socket listens for one connection at a time: the SYN that
//! reaches it turns it into that connection. So a listener with a backlog
//! of `k` keeps `k` sockets of the pool in `LISTEN` on its port, and
//! [`Stack::poll`] re-arms a free socket as soon as one of them is taken —
//! after every received frame, so that a burst of SYNs larger than `k` is
//! still served while the pool has free sockets. A connection waits in its
//! socket until [`Stack::accept`] hands it out (the pool bounds this
//! accept queue). A SYN that arrives when the listener has no socket in
//! `LISTEN` and the pool none to arm is refused (RST) by smoltcp.

use smoltcp::phy::Device;
use smoltcp::socket::tcp::{self, State};

use crate::error::{ListenError, SocketError};
use crate::id::{ListenerId, SocketId};
use crate::readiness;
use crate::socket::id_of;
use crate::stack::{ListenerSlot, Role, Stack};
use eddy_core::Ready;

impl<'s, D: Device, const N: usize> Stack<'s, D, N> {
    /// Listens on `port` with `backlog` sockets of the pool.
    ///
    /// # Errors
    /// [`ListenError::Invalid`] for port 0 or a zero backlog,
    /// [`ListenError::PortInUse`], [`ListenError::TooManyListeners`], or
    /// [`ListenError::NoFreeSocket`] when fewer than `backlog` sockets are
    /// free.
    pub fn listen(&mut self, port: u16, backlog: u16) -> Result<ListenerId, ListenError> {
        if port == 0 || backlog == 0 {
            return Err(ListenError::Invalid);
        }
        if self.listeners.iter().any(|l| l.open && l.port == port) {
            return Err(ListenError::PortInUse);
        }
        if self.free_sockets() < usize::from(backlog) {
            return Err(ListenError::NoFreeSocket);
        }
        let slot = ListenerSlot {
            port,
            backlog,
            open: true,
            watch: None,
        };
        let l = match self.listeners.iter().position(|l| !l.open) {
            Some(l) => {
                self.listeners[l] = slot;
                l
            }
            None => {
                self.listeners
                    .push(slot)
                    .map_err(|_| ListenError::TooManyListeners)?;
                self.listeners.len() - 1
            }
        };
        self.rearm(l, true);
        Ok(ListenerId(l as u16))
    }

    /// Takes one established connection of the listener, if any, and arms a
    /// free socket in its place.
    ///
    /// # Errors
    /// [`SocketError::Stale`] for a closed or unknown listener.
    pub fn accept(&mut self, listener: ListenerId) -> Result<Option<SocketId>, SocketError> {
        let l = usize::from(listener.0);
        if !self.listeners.get(l).is_some_and(|x| x.open) {
            return Err(SocketError::Stale);
        }
        let port = self.listeners[l].port;
        let mut found = None;
        for (i, slot) in self.slots.iter().enumerate() {
            if slot.role != Role::Listening(listener.0) {
                continue;
            }
            let socket = self.sockets.get_mut::<tcp::Socket>(slot.handle);
            if socket.state() == State::Closed {
                // Died between handshake and accept: listen again.
                let _ = socket.listen(port);
            } else if found.is_none() && readiness::is_accepted(socket) {
                found = Some(i);
            }
        }
        let Some(i) = found else {
            if let Some(w) = self.listeners[l].watch.as_mut() {
                w.forget(Ready::READABLE);
            }
            return Ok(None);
        };
        let slot = &mut self.slots[i];
        slot.role = Role::Connection;
        slot.watch = None;
        let id = id_of(i, slot.generation);
        self.rearm(l, true);
        Ok(Some(id))
    }

    /// Stops listening: the listener's sockets go back to the pool and
    /// connections not yet accepted are aborted.
    ///
    /// # Errors
    /// [`SocketError::Stale`] for a closed or unknown listener.
    pub fn close_listener(&mut self, listener: ListenerId) -> Result<(), SocketError> {
        let l = usize::from(listener.0);
        match self.listeners.get_mut(l) {
            Some(x) if x.open => {
                x.open = false;
                x.watch = None;
            }
            _ => return Err(SocketError::Stale),
        }
        for slot in self.slots.iter_mut() {
            if slot.role == Role::Listening(listener.0) {
                self.sockets.get_mut::<tcp::Socket>(slot.handle).abort();
                slot.role = Role::Free;
            }
        }
        Ok(())
    }

    /// How many sockets of `listener` are in `LISTEN` right now (its
    /// connections waiting for accept are not counted).
    pub fn listening(&self, listener: ListenerId) -> usize {
        self.slots
            .iter()
            .filter(|s| {
                s.role == Role::Listening(listener.0)
                    && self.sockets.get::<tcp::Socket>(s.handle).state() == State::Listen
            })
            .count()
    }

    /// How many connections of `listener` wait to be accepted (handshake
    /// under way or done).
    pub fn pending(&self, listener: ListenerId) -> usize {
        self.slots
            .iter()
            .filter(|s| {
                s.role == Role::Listening(listener.0)
                    && self.sockets.get::<tcp::Socket>(s.handle).state() != State::Listen
            })
            .count()
    }

    /// Arms free sockets until listener `l` has its backlog (or the pool
    /// runs out); released sockets in TIME-WAIT too, last, if
    /// `reuse_time_wait`.
    pub(crate) fn rearm(&mut self, l: usize, reuse_time_wait: bool) {
        let Some(listener) = self.listeners.get(l) else {
            return;
        };
        if !listener.open {
            return;
        }
        let (port, backlog) = (listener.port, usize::from(listener.backlog));
        let mut armed = self.listening(ListenerId(l as u16));
        while armed < backlog {
            let Some(i) = self.take_free(reuse_time_wait) else {
                return;
            };
            let socket = self.sockets.get_mut::<tcp::Socket>(self.slots[i].handle);
            if socket.listen(port).is_err() {
                // Only an open socket refuses, and take_free hands out
                // closed ones (or ones in TIME-WAIT, which is not open).
                return;
            }
            self.slots[i].role = Role::Listening(l as u16);
            armed += 1;
        }
    }
}
