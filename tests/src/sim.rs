//! The suite's harness for the simulated backend: pairs are scripted pipes
//! whose sends script readiness on the simulator.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, Ordering};

use eddy_core::sim::{SimBackend, SimSource};
use eddy_core::Ready;

use crate::harness::{Harness, Pair, RecvError};

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
}
