//! [`BareConnecting`]: a client connection being opened on a shared
//! [`Stack`], and the reactor-facing traits of the smoltcp transport
//! ([`IoSource`] and [`ConnectAttempt`]).
//!
//! The shape is `connect(2)`'s non-blocking protocol: register the attempt
//! for `WRITABLE`; the socket reports it once the handshake completes
//! (smoltcp's `SYN-SENT` → `ESTABLISHED`), or reports an error when the
//! peer refuses (an RST) or the attempt times out.

use core::cell::RefCell;
use core::fmt;
use core::mem::ManuallyDrop;

use eddy_core::stream::{ConnectAttempt, ConnectError as AttemptError, IoSource};
use eddy_core::time::Clock;
use eddy_core::Ready;
use smoltcp::phy::Device;
use smoltcp::socket::tcp::State;
use smoltcp::wire::IpEndpoint;

use crate::backend::{BareBackend, Idle};
use crate::error::{ConnectError, SocketError};
use crate::id::{SocketId, Source};
use crate::stack::Stack;
use crate::transport::BareTransport;

/// A connection in progress; [`ConnectAttempt::complete`] turns it into a
/// [`BareTransport`].
pub struct BareConnecting<'a, 's, D: Device, const N: usize> {
    stack: &'a RefCell<Stack<'s, D, N>>,
    id: SocketId,
}

impl<'a, 's, D: Device, const N: usize> BareConnecting<'a, 's, D, N> {
    /// Starts connecting to `remote` (see [`Stack::connect`]).
    ///
    /// # Errors
    /// What [`Stack::connect`] returns; [`ConnectError::NoFreeSocket`] also
    /// when the stack is borrowed elsewhere.
    pub fn start(
        stack: &'a RefCell<Stack<'s, D, N>>,
        remote: impl Into<IpEndpoint>,
    ) -> Result<Self, ConnectError> {
        let mut borrowed = stack.try_borrow_mut().map_err(|_| ConnectError::NoFreeSocket)?;
        let id = borrowed.connect(remote)?;
        Ok(BareConnecting { stack, id })
    }

    /// The connecting socket's id.
    pub fn id(&self) -> SocketId {
        self.id
    }
}

impl<D: Device, const N: usize> fmt::Debug for BareConnecting<'_, '_, D, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BareConnecting").field("id", &self.id).finish()
    }
}

impl<'a, 's, D: Device, C: Clock, I: Idle<D>, const N: usize> ConnectAttempt<BareBackend<'a, 's, D, C, I, N>>
    for BareConnecting<'a, 's, D, N>
{
    type Transport = BareTransport<'a, 's, D, N>;
    type Error = SocketError;

    fn source(&self) -> Source {
        Source::Socket(self.id)
    }

    fn complete(self) -> Result<BareTransport<'a, 's, D, N>, AttemptError<Self, SocketError>> {
        let state = match self.stack.try_borrow() {
            Ok(stack) => stack.state(self.id),
            Err(_) => Err(SocketError::Busy),
        };
        match state {
            Ok(State::SynSent | State::SynReceived | State::Listen) => Err(AttemptError::Pending(self)),
            Ok(State::Closed) => Err(AttemptError::Failed(SocketError::Reset)),
            Ok(_) => {
                // The socket passes to the transport: no release on drop.
                let this = ManuallyDrop::new(self);
                Ok(BareTransport::new(this.stack, this.id))
            }
            Err(e) => Err(AttemptError::Failed(e)),
        }
    }
}

/// Dropping an attempt that did not complete (failed, or given up)
/// releases its socket back to the pool.
impl<D: Device, const N: usize> Drop for BareConnecting<'_, '_, D, N> {
    fn drop(&mut self) {
        if let Ok(mut stack) = self.stack.try_borrow_mut() {
            let _ = stack.release(self.id);
        }
    }
}

impl<'a, 's, D: Device, C: Clock, I: Idle<D>, const N: usize> IoSource<BareBackend<'a, 's, D, C, I, N>>
    for BareTransport<'a, 's, D, N>
{
    fn source(&self) -> Source {
        Source::Socket(self.id())
    }

    /// Nothing to record: readiness is read from the socket's state.
    fn set_ready(&mut self, _ready: Ready) {}
}
