//! [`BareTransport`]: a connection of a shared [`Stack`] seen through
//! `embedded-io`, so an [`eddy_core::stream::BufferedStream`] runs over
//! smoltcp.
//!
//! The adapter keeps the contract written down on
//! [`eddy_core::stream::Transport`]: readiness is answered from the
//! socket's state (`can_recv() || !may_recv()`, and the same for sending),
//! would-block is [`ErrorKind::Interrupted`], end of stream is `Ok(0)`, a
//! reset is [`ErrorKind::ConnectionReset`]. `flush` does nothing: queued
//! bytes are smoltcp's to send. Dropping the transport releases its socket
//! back to the pool (a graceful close), as dropping a hosted socket closes
//! it.

use core::cell::RefCell;
use core::fmt;
use core::mem::ManuallyDrop;

use eddy_core::Ready;
use embedded_io::{ErrorKind, ErrorType, Read, ReadReady, Write, WriteReady};
use smoltcp::phy::Device;

use crate::error::SocketError;
use crate::id::SocketId;
use crate::stack::Stack;

/// The transport's error: a [`SocketError`] with its `embedded-io` kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TransportError(pub SocketError);

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl core::error::Error for TransportError {}

impl embedded_io::Error for TransportError {
    fn kind(&self) -> ErrorKind {
        match self.0 {
            SocketError::WouldBlock => ErrorKind::Interrupted,
            SocketError::Reset => ErrorKind::ConnectionReset,
            SocketError::WriteClosed => ErrorKind::BrokenPipe,
            SocketError::Stale => ErrorKind::NotConnected,
            _ => ErrorKind::Other,
        }
    }
}

/// One connection of a shared stack as a non-blocking `embedded-io`
/// transport. Register [`BareTransport::source`] with the reactor.
pub struct BareTransport<'a, 's, D: Device, const N: usize> {
    stack: &'a RefCell<Stack<'s, D, N>>,
    id: SocketId,
}

impl<'a, 's, D: Device, const N: usize> BareTransport<'a, 's, D, N> {
    /// The transport of connection `id` on `stack`.
    pub fn new(stack: &'a RefCell<Stack<'s, D, N>>, id: SocketId) -> Self {
        BareTransport { stack, id }
    }

    /// The connection's id (what to register with the reactor).
    pub fn id(&self) -> SocketId {
        self.id
    }

    /// The connection as a registrable source.
    pub fn source(&self) -> crate::Source {
        crate::Source::Socket(self.id)
    }

    /// Accepted for symmetry with the hosted transport: readiness here is
    /// read from the socket itself, so events need not be fed in.
    pub fn set_ready(&mut self, _ready: Ready) {}

    /// Closes the sending side (a FIN after the queued data); reading goes
    /// on (half-close).
    ///
    /// # Errors
    /// [`SocketError::Stale`] once released, [`SocketError::Busy`] when
    /// called re-entrantly.
    pub fn shutdown_write(&self) -> Result<(), SocketError> {
        self.with(|s, id| s.close(id))
    }

    /// Gives the socket back to the pool (it closes gracefully first).
    /// Dropping the transport does the same, ignoring errors.
    ///
    /// # Errors
    /// [`SocketError::Stale`] if released already, [`SocketError::Busy`]
    /// when called re-entrantly.
    pub fn release(self) -> Result<(), SocketError> {
        let this = ManuallyDrop::new(self);
        this.with(|s, id| s.release(id))
    }

    fn with<T>(
        &self,
        op: impl FnOnce(&mut Stack<'s, D, N>, SocketId) -> Result<T, SocketError>,
    ) -> Result<T, SocketError> {
        let mut stack = self.stack.try_borrow_mut().map_err(|_| SocketError::Busy)?;
        op(&mut stack, self.id)
    }
}

/// Dropping a transport releases its socket, as dropping a hosted socket
/// closes its descriptor: the queued bytes are still sent, then a FIN. (If
/// the stack is borrowed at that moment the socket stays a connection of
/// the pool until [`Stack::release`] is called with its id.)
impl<D: Device, const N: usize> Drop for BareTransport<'_, '_, D, N> {
    fn drop(&mut self) {
        let _ = self.with(|s, id| s.release(id));
    }
}

impl<D: Device, const N: usize> fmt::Debug for BareTransport<'_, '_, D, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BareTransport").field("id", &self.id).finish()
    }
}

impl<D: Device, const N: usize> ErrorType for BareTransport<'_, '_, D, N> {
    type Error = TransportError;
}

impl<D: Device, const N: usize> Read for BareTransport<'_, '_, D, N> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, TransportError> {
        self.with(|s, id| s.recv(id, buf)).map_err(TransportError)
    }
}

impl<D: Device, const N: usize> Write for BareTransport<'_, '_, D, N> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, TransportError> {
        self.with(|s, id| s.send(id, buf)).map_err(TransportError)
    }

    fn flush(&mut self) -> Result<(), TransportError> {
        Ok(())
    }
}

impl<D: Device, const N: usize> ReadReady for BareTransport<'_, '_, D, N> {
    fn read_ready(&mut self) -> Result<bool, TransportError> {
        // A stale id answers `true` so the read collects the error.
        Ok(self.with(|s, id| s.can_read(id)).unwrap_or(true))
    }
}

impl<D: Device, const N: usize> WriteReady for BareTransport<'_, '_, D, N> {
    fn write_ready(&mut self) -> Result<bool, TransportError> {
        Ok(self.with(|s, id| s.can_write(id)).unwrap_or(true))
    }
}
