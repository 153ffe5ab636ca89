//! The remote ends the smoltcp harness drives: [`SmolPair`] for the
//! readiness tests and [`SmolPeer`] for the stream tests. Both are sockets
//! of the stack under test, used directly rather than through the reactor.

use eddy_bare::{SocketError, SocketId};

use super::{pump, pump_until, SmolBackend};
use crate::harness::{Pair, Peer, RecvError};

/// A connected pair on one stack: the accepted local end and the client.
#[derive(Debug)]
pub struct SmolPair {
    local: SocketId,
    remote: SmolPeer,
}

impl SmolPair {
    /// The pair of an accepted `local` socket and its client `remote`.
    pub fn new(local: SocketId, remote: SocketId) -> SmolPair {
        SmolPair {
            local,
            remote: SmolPeer::new(remote),
        }
    }
}

/// The far end of a connection, played by the test.
#[derive(Debug)]
pub struct SmolPeer {
    id: SocketId,
}

impl SmolPeer {
    /// The peer on socket `id`.
    pub fn new(id: SocketId) -> SmolPeer {
        SmolPeer { id }
    }
}

fn recv_on(backend: &SmolBackend, id: SocketId, buf: &mut [u8]) -> Result<usize, RecvError> {
    match backend.stack().borrow_mut().recv(id, buf) {
        Ok(n) => Ok(n),
        Err(SocketError::WouldBlock) => Err(RecvError::WouldBlock),
        Err(SocketError::Reset) => Err(RecvError::Reset),
        Err(e) => panic!("unexpected receive error: {e}"),
    }
}

impl Peer<SmolBackend> for SmolPeer {
    /// Queues all of `data`, running the stack when the send queue is
    /// full; panics if the far end stops taking bytes for the suite's
    /// patience.
    fn send(&mut self, backend: &mut SmolBackend, mut data: &[u8]) {
        while !data.is_empty() {
            let sent = match backend.stack().borrow_mut().send(self.id, data) {
                Ok(n) => n,
                Err(SocketError::WouldBlock) => 0,
                Err(e) => panic!("peer send failed: {e}"),
            };
            data = &data[sent..];
            if sent == 0 {
                let id = self.id;
                let moved = pump_until(backend, |s| s.can_write(id).unwrap_or(true));
                assert!(moved, "peer send stalled: the local end stopped reading");
            }
        }
    }

    /// Waits (in virtual time, bounded) for bytes or end of stream.
    fn recv(&mut self, backend: &mut SmolBackend, buf: &mut [u8]) -> Result<usize, RecvError> {
        let id = self.id;
        pump_until(backend, |s| s.can_read(id).unwrap_or(true));
        recv_on(backend, id, buf)
    }

    fn close(&mut self, backend: &mut SmolBackend) {
        backend
            .stack()
            .borrow_mut()
            .close(self.id)
            .expect("peer socket is live");
    }

    fn reset(&mut self, backend: &mut SmolBackend) {
        backend
            .stack()
            .borrow_mut()
            .abort(self.id)
            .expect("peer socket is live");
        pump(backend);
    }
}

impl Pair<SmolBackend> for SmolPair {
    fn source(&self) -> eddy_bare::Source {
        eddy_bare::Source::Socket(self.local)
    }

    fn send(&mut self, backend: &mut SmolBackend, data: &[u8]) {
        self.remote.send(backend, data);
    }

    fn recv(&mut self, backend: &mut SmolBackend, buf: &mut [u8]) -> Result<usize, RecvError> {
        recv_on(backend, self.local, buf)
    }

    fn close_remote(&mut self, backend: &mut SmolBackend) {
        self.remote.close(backend);
    }

    fn reset_remote(&mut self, backend: &mut SmolBackend) {
        self.remote.reset(backend);
    }
}
