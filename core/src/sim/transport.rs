//! [`SimTransport`]: a [`MemTransport`] shared between a stream and the test
//! that plays its peer, registered with the simulator under a
//! [`SimSource`].

use core::cell::RefCell;
use core::fmt;
use core::ops::Deref;

use embedded_io::{ErrorKind, ErrorType, Read, ReadReady, Write, WriteReady};

use super::{SimBackend, SimSource};
use crate::event::Ready;
use crate::stream::{IoSource, MemTransport};

/// The stream's end of a scripted pipe: reads and writes go to a
/// [`MemTransport`] behind a shared `RefCell` (`&RefCell` without an
/// allocator, `Rc<RefCell>` in hosted tests), which the test drives through
/// the `peer_*` methods while the stream owns this end.
///
/// Readiness comes from the pipe itself, so [`IoSource::set_ready`] does
/// nothing; the test scripts the matching event on the [`SimBackend`]
/// (`ready_now(source, Ready::READABLE)` after a `peer_send`). If the pipe
/// is borrowed at the moment of a call, the call reports would-block
/// (`ErrorKind::Interrupted`) rather than panic.
pub struct SimTransport<P> {
    pipe: P,
    source: SimSource,
}

impl<P> SimTransport<P> {
    /// The end of `pipe` registered as `source`.
    pub const fn new(pipe: P, source: SimSource) -> Self {
        SimTransport { pipe, source }
    }

    /// The simulated source.
    pub const fn sim_source(&self) -> SimSource {
        self.source
    }

    /// The shared pipe.
    pub fn pipe(&self) -> &P {
        &self.pipe
    }
}

impl<P> fmt::Debug for SimTransport<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimTransport")
            .field("source", &self.source)
            .finish()
    }
}

impl<P, const N: usize, const C: usize> SimTransport<P>
where
    P: Deref<Target = RefCell<MemTransport<N, C>>>,
{
    fn with<R>(
        &self,
        f: impl FnOnce(&mut MemTransport<N, C>) -> Result<R, ErrorKind>,
    ) -> Result<R, ErrorKind> {
        match self.pipe.try_borrow_mut() {
            Ok(mut pipe) => f(&mut pipe),
            Err(_) => Err(ErrorKind::Interrupted),
        }
    }
}

impl<P> ErrorType for SimTransport<P> {
    type Error = ErrorKind;
}

impl<P, const N: usize, const C: usize> Read for SimTransport<P>
where
    P: Deref<Target = RefCell<MemTransport<N, C>>>,
{
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        self.with(|p| p.read(buf))
    }
}

impl<P, const N: usize, const C: usize> ReadReady for SimTransport<P>
where
    P: Deref<Target = RefCell<MemTransport<N, C>>>,
{
    fn read_ready(&mut self) -> Result<bool, ErrorKind> {
        self.with(|p| p.read_ready()).or(Ok(false))
    }
}

impl<P, const N: usize, const C: usize> Write for SimTransport<P>
where
    P: Deref<Target = RefCell<MemTransport<N, C>>>,
{
    fn write(&mut self, buf: &[u8]) -> Result<usize, ErrorKind> {
        self.with(|p| p.write(buf))
    }

    fn flush(&mut self) -> Result<(), ErrorKind> {
        self.with(|p| p.flush())
    }
}

impl<P, const N: usize, const C: usize> WriteReady for SimTransport<P>
where
    P: Deref<Target = RefCell<MemTransport<N, C>>>,
{
    fn write_ready(&mut self) -> Result<bool, ErrorKind> {
        self.with(|p| p.write_ready()).or(Ok(false))
    }
}

impl<P, const N: usize, const C: usize, const S: usize, const Q: usize> IoSource<SimBackend<S, Q>>
    for SimTransport<P>
where
    P: Deref<Target = RefCell<MemTransport<N, C>>>,
{
    fn source(&self) -> SimSource {
        self.source
    }

    fn set_ready(&mut self, _: Ready) {}
}
