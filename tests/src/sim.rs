//! The suite's harness for the simulated backend: pairs are scripted pipes
//! whose sends script readiness on the simulator.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::atomic::{AtomicU32, Ordering};

use eddy_core::sim::{SimBackend, SimSource, SimTransport};
use eddy_core::stream::{ConnectAttempt, ConnectError, MemTransport};
use eddy_core::Ready;

use crate::harness::{Harness, Pair, Peer, RecvError};

/// The simulated backend under test.
#[derive(Debug)]
pub struct Sim;

/// A scripted pipe: data "sent" by the remote end is queued here and its
/// arrival scripted as readiness on the simulator.
#[derive(Debug)]
pub struct SimPair {
    source: SimSource,
    inbox: VecDeque<u8>,
    closed: bool,
    reset: bool,
}

static NEXT_SOURCE: AtomicU32 = AtomicU32::new(1);

impl Pair<SimBackend> for SimPair {
    fn source(&self) -> SimSource {
        self.source
    }

    fn send(&mut self, backend: &mut SimBackend, data: &[u8]) {
        self.inbox.extend(data);
        backend
            .ready_now(self.source, Ready::READABLE)
            .expect("simulator script full");
    }

    fn recv(&mut self, _: &mut SimBackend, buf: &mut [u8]) -> Result<usize, RecvError> {
        if self.reset {
            return Err(RecvError::Reset);
        }
        if self.inbox.is_empty() {
            return if self.closed {
                Ok(0)
            } else {
                Err(RecvError::WouldBlock)
            };
        }
        let n = buf.len().min(self.inbox.len());
        for (dst, src) in buf.iter_mut().zip(self.inbox.drain(..n)) {
            *dst = src;
        }
        Ok(n)
    }

    fn close_remote(&mut self, backend: &mut SimBackend) {
        self.closed = true;
        backend
            .ready_now(self.source, Ready::READABLE | Ready::READ_CLOSED)
            .expect("simulator script full");
    }

    fn reset_remote(&mut self, backend: &mut SimBackend) {
        self.reset = true;
        self.inbox.clear();
        let ready = Ready::READABLE | Ready::READ_CLOSED | Ready::WRITE_CLOSED | Ready::ERROR;
        backend
            .ready_now(self.source, ready)
            .expect("simulator script full");
    }
}

impl Harness for Sim {
    type Backend = SimBackend;
    type Pair = SimPair;
    type Transport = SimStreamTransport;
    type Peer = SimPeer;
    type Connecting = SimConnecting;
    type Listener = SimPeer;

    fn backend() -> SimBackend {
        SimBackend::new()
    }

    fn pair(backend: &mut SimBackend) -> SimPair {
        let source = SimSource(NEXT_SOURCE.fetch_add(1, Ordering::Relaxed));
        // A fresh connection has send space: it is writable once registered.
        backend
            .ready_now(source, Ready::WRITABLE)
            .expect("simulator script full");
        SimPair {
            source,
            inbox: VecDeque::new(),
            closed: false,
            reset: false,
        }
    }

    fn stream_pair(_: &mut SimBackend) -> (SimStreamTransport, SimPeer) {
        sim_stream_pair()
    }

    fn connect(backend: &mut SimBackend) -> (SimConnecting, SimPeer) {
        let (transport, peer) = sim_stream_pair();
        // The handshake completes at once: the attempt turns writable.
        peer.script(backend, Ready::WRITABLE);
        (SimConnecting { transport }, peer)
    }

    fn accept(_: &mut SimBackend, listener: SimPeer) -> SimPeer {
        listener
    }
}

/// Bytes each way in a simulated stream pipe.
pub const PIPE_BYTES: usize = 64 * 1024;
/// Arrivals a simulated stream pipe queues before the stream reads them.
pub const PIPE_CHUNKS: usize = 256;

/// The shared pipe behind a simulated stream pair.
pub type Pipe = Rc<RefCell<MemTransport<PIPE_BYTES, PIPE_CHUNKS>>>;

/// The stream's end of a simulated pair.
pub type SimStreamTransport = SimTransport<Pipe>;

/// The test's end of a simulated stream pair: it queues arrivals in the
/// shared pipe and scripts the readiness a real socket would report.
#[derive(Debug)]
pub struct SimPeer {
    pipe: Pipe,
    source: SimSource,
}

impl SimPeer {
    fn script(&self, backend: &mut SimBackend, ready: Ready) {
        backend
            .ready_now(self.source, ready)
            .expect("simulator script full");
    }
}

impl Peer<SimBackend> for SimPeer {
    fn send(&mut self, backend: &mut SimBackend, data: &[u8]) {
        if data.is_empty() {
            return;
        }
        self.pipe
            .borrow_mut()
            .peer_send(data)
            .expect("simulated pipe full: the suite sent more than PIPE_BYTES unread");
        self.script(backend, Ready::READABLE);
    }

    fn recv(&mut self, backend: &mut SimBackend, buf: &mut [u8]) -> Result<usize, RecvError> {
        let mut pipe = self.pipe.borrow_mut();
        let out = pipe.outbound();
        if out.is_empty() {
            // The stream dropped its end: the peer reads end-of-file.
            return if Rc::strong_count(&self.pipe) == 1 {
                Ok(0)
            } else {
                Err(RecvError::WouldBlock)
            };
        }
        let was_full = out.len() == PIPE_BYTES;
        let n = buf.len().min(out.len());
        buf[..n].copy_from_slice(&out[..n]);
        pipe.peer_drain(n);
        drop(pipe);
        if was_full {
            // Room again: a real socket would turn writable.
            self.script(backend, Ready::WRITABLE);
        }
        Ok(n)
    }

    fn close(&mut self, backend: &mut SimBackend) {
        self.pipe.borrow_mut().peer_close();
        self.script(backend, Ready::READABLE | Ready::READ_CLOSED);
    }

    fn reset(&mut self, backend: &mut SimBackend) {
        self.pipe.borrow_mut().peer_reset();
        let ready = Ready::READABLE | Ready::READ_CLOSED | Ready::WRITE_CLOSED | Ready::ERROR;
        self.script(backend, ready);
    }
}

/// A simulated client connection: the handshake is scripted as done at
/// once (the source turns writable), so it completes on its first
/// writability.
#[derive(Debug)]
pub struct SimConnecting {
    transport: SimStreamTransport,
}

impl ConnectAttempt<SimBackend> for SimConnecting {
    type Transport = SimStreamTransport;
    type Error = core::convert::Infallible;

    fn source(&self) -> SimSource {
        self.transport.sim_source()
    }

    fn complete(self) -> Result<SimStreamTransport, ConnectError<Self, Self::Error>> {
        Ok(self.transport)
    }
}

fn sim_stream_pair() -> (SimStreamTransport, SimPeer) {
    let source = SimSource(NEXT_SOURCE.fetch_add(1, Ordering::Relaxed));
    let pipe: Pipe = Rc::new(RefCell::new(MemTransport::new()));
    let peer = SimPeer {
        pipe: pipe.clone(),
        source,
    };
    (SimTransport::new(pipe, source), peer)
}
