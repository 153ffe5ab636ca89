//! Connections on a [`Stack`]: connect, receive, send, close, release.
//!
//! Receives and sends keep the edge filter honest: a receive that drains
//! the buffer (or finds it empty) and a send that fills the queue (or finds
//! it full) forget the `READABLE` / `WRITABLE` they consumed, so the next
//! arrival of data or space is reported again even if it comes before the
//! backend looks.

use smoltcp::phy::Device;
use smoltcp::socket::tcp::{self, RecvError, SendError, State};
use smoltcp::wire::IpEndpoint;

use crate::error::{ConnectError, SocketError};
use crate::id::SocketId;
use crate::readiness;
use crate::stack::{Role, Stack, EPHEMERAL_FIRST};
use eddy_core::Ready;

impl<'s, D: Device, const N: usize> Stack<'s, D, N> {
    /// Starts a connection to `remote` from the next ephemeral port. The
    /// socket becomes writable once connected, or reports an error if the
    /// peer refuses.
    ///
    /// # Errors
    /// [`ConnectError::NoFreeSocket`] when the pool is in use,
    /// [`ConnectError::Unaddressable`] for an unspecified address or port 0.
    pub fn connect(&mut self, remote: impl Into<IpEndpoint>) -> Result<SocketId, ConnectError> {
        let remote = remote.into();
        if remote.port == 0 || remote.addr.is_unspecified() {
            return Err(ConnectError::Unaddressable);
        }
        let i = self.take_free(true).ok_or(ConnectError::NoFreeSocket)?;
        let port = self.next_ephemeral_port();
        let handle = self.slots[i].handle;
        let socket = self.sockets.get_mut::<tcp::Socket>(handle);
        socket
            .connect(self.iface.context(), remote, port)
            .map_err(|_| ConnectError::Unaddressable)?;
        let slot = &mut self.slots[i];
        slot.role = Role::Connection;
        slot.watch = None;
        Ok(id_of(i, slot.generation))
    }

    /// Reads into `buf`; `Ok(0)` only at end of stream (for a non-empty
    /// `buf`).
    ///
    /// # Errors
    /// [`SocketError::WouldBlock`] when nothing is buffered (or the socket
    /// is still connecting), [`SocketError::Reset`] after a reset,
    /// [`SocketError::Stale`] for a released id.
    pub fn recv(&mut self, id: SocketId, buf: &mut [u8]) -> Result<usize, SocketError> {
        let i = self.connection(id)?;
        if buf.is_empty() {
            return Ok(0);
        }
        let socket = self.sockets.get_mut::<tcp::Socket>(self.slots[i].handle);
        let result = match socket.recv_slice(buf) {
            Ok(0) => Err(SocketError::WouldBlock),
            Ok(n) => Ok(n),
            Err(RecvError::Finished) => Ok(0),
            Err(RecvError::InvalidState) if is_connecting(socket.state()) => Err(SocketError::WouldBlock),
            Err(RecvError::InvalidState) => Err(SocketError::Reset),
        };
        if !socket.can_recv() {
            self.forget(i, Ready::READABLE);
        }
        result
    }

    /// Queues `data` for sending; returns how much was queued (at least one
    /// byte for a non-empty `data`).
    ///
    /// # Errors
    /// [`SocketError::WouldBlock`] when the queue is full (or the socket is
    /// still connecting), [`SocketError::Reset`] after a reset,
    /// [`SocketError::WriteClosed`] after a local close or the end of the
    /// connection, [`SocketError::Stale`] for a released id.
    pub fn send(&mut self, id: SocketId, data: &[u8]) -> Result<usize, SocketError> {
        let i = self.connection(id)?;
        if data.is_empty() {
            return Ok(0);
        }
        let socket = self.sockets.get_mut::<tcp::Socket>(self.slots[i].handle);
        let result = match socket.send_slice(data) {
            Ok(0) => Err(SocketError::WouldBlock),
            Ok(n) => Ok(n),
            Err(SendError::InvalidState) if is_connecting(socket.state()) => Err(SocketError::WouldBlock),
            Err(SendError::InvalidState) if readiness::is_reset(socket) => Err(SocketError::Reset),
            Err(SendError::InvalidState) => Err(SocketError::WriteClosed),
        };
        if !socket.can_send() {
            self.forget(i, Ready::WRITABLE);
        }
        result
    }

    /// Closes the sending side: a FIN follows the queued data. Reading goes
    /// on until the peer closes too (half-close).
    ///
    /// # Errors
    /// [`SocketError::Stale`] for a released id.
    pub fn close(&mut self, id: SocketId) -> Result<(), SocketError> {
        let i = self.connection(id)?;
        self.sockets.get_mut::<tcp::Socket>(self.slots[i].handle).close();
        Ok(())
    }

    /// Aborts the connection: an RST is sent and unsent data is dropped.
    ///
    /// # Errors
    /// [`SocketError::Stale`] for a released id.
    pub fn abort(&mut self, id: SocketId) -> Result<(), SocketError> {
        let i = self.connection(id)?;
        self.sockets.get_mut::<tcp::Socket>(self.slots[i].handle).abort();
        Ok(())
    }

    /// Gives the socket back to the pool: it is closed (a FIN after the
    /// queued data) and reused once the close has finished. The id, and any
    /// registration under it, are dead from here on.
    ///
    /// # Errors
    /// [`SocketError::Stale`] for an id released already.
    pub fn release(&mut self, id: SocketId) -> Result<(), SocketError> {
        let i = self.connection(id)?;
        let socket = self.sockets.get_mut::<tcp::Socket>(self.slots[i].handle);
        socket.close();
        // A peer that never finishes its side must not hold the socket
        // forever: probe it, and abort when it stays silent.
        socket.set_keep_alive(Some(RELEASE_PROBE));
        socket.set_timeout(Some(RELEASE_TIMEOUT));
        // TIME-WAIT is not `is_open`, but the socket still has a close to
        // finish: only a closed socket is free at once.
        let open = socket.state() != State::Closed;
        let slot = &mut self.slots[i];
        slot.generation = slot.generation.wrapping_add(1);
        slot.watch = None;
        slot.role = if open { Role::Releasing } else { Role::Free };
        Ok(())
    }

    /// The TCP state of a connection.
    ///
    /// # Errors
    /// [`SocketError::Stale`] for a released id.
    pub fn state(&self, id: SocketId) -> Result<State, SocketError> {
        let i = self.connection(id)?;
        Ok(self.sockets.get::<tcp::Socket>(self.slots[i].handle).state())
    }

    /// Whether a read would return data, end of stream or an error
    /// (`can_recv() || !may_recv()`, for a connected socket).
    ///
    /// # Errors
    /// [`SocketError::Stale`] for a released id.
    pub fn can_read(&self, id: SocketId) -> Result<bool, SocketError> {
        let i = self.connection(id)?;
        let socket = self.sockets.get::<tcp::Socket>(self.slots[i].handle);
        Ok(!is_connecting(socket.state()) && (socket.can_recv() || !socket.may_recv()))
    }

    /// Whether a write would queue bytes or return an error.
    ///
    /// # Errors
    /// [`SocketError::Stale`] for a released id.
    pub fn can_write(&self, id: SocketId) -> Result<bool, SocketError> {
        let i = self.connection(id)?;
        let socket = self.sockets.get::<tcp::Socket>(self.slots[i].handle);
        Ok(!is_connecting(socket.state()) && (socket.can_send() || !socket.may_send()))
    }

    /// The peer's address and port, once connected.
    ///
    /// # Errors
    /// [`SocketError::Stale`] for a released id.
    pub fn remote_endpoint(&self, id: SocketId) -> Result<Option<IpEndpoint>, SocketError> {
        let i = self.connection(id)?;
        Ok(self
            .sockets
            .get::<tcp::Socket>(self.slots[i].handle)
            .remote_endpoint())
    }

    /// The slot index of a live connection id.
    fn connection(&self, id: SocketId) -> Result<usize, SocketError> {
        let i = usize::from(id.index);
        match self.slots.get(i) {
            Some(s) if s.generation == id.generation && s.role == Role::Connection => Ok(i),
            _ => Err(SocketError::Stale),
        }
    }

    fn forget(&mut self, i: usize, flags: Ready) {
        if let Some(w) = self.slots[i].watch.as_mut() {
            w.forget(flags);
        }
    }

    fn next_ephemeral_port(&mut self) -> u16 {
        let port = self.next_port;
        self.next_port = self.next_port.checked_add(1).unwrap_or(EPHEMERAL_FIRST);
        port
    }
}

/// How often a released socket that is still closing probes its peer.
const RELEASE_PROBE: smoltcp::time::Duration = smoltcp::time::Duration::from_secs(2);
/// How long a released socket waits for a silent peer before aborting.
const RELEASE_TIMEOUT: smoltcp::time::Duration = smoltcp::time::Duration::from_secs(10);

/// The id of slot `i` at `generation`.
pub(crate) fn id_of(i: usize, generation: u16) -> SocketId {
    SocketId {
        // Slots are at most `N`, and ids are only made for existing slots.
        index: u16::try_from(i).unwrap_or(u16::MAX),
        generation,
    }
}

/// Whether the handshake is still under way.
fn is_connecting(state: State) -> bool {
    matches!(state, State::SynSent | State::SynReceived | State::Listen)
}
