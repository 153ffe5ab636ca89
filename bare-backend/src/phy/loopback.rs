//! [`MemLoopback`]: every frame transmitted is received back, from a fixed
//! queue of `Q` frames of at most `MTU` bytes each.
//!
//! The medium is IP (no link layer): give the interface
//! `HardwareAddress::Ip` and an address such as `127.0.0.1/8`, and sockets
//! of one stack connect to each other through it. A frame sent while the
//! queue is full is dropped and counted, as a real NIC drops on a full ring;
//! TCP retransmits it.

use heapless::{Deque, Vec};
use smoltcp::phy::{self, Device, DeviceCapabilities, Medium};
use smoltcp::time::Instant;

/// An in-memory loopback device holding up to `Q` frames of `MTU` bytes.
#[derive(Debug)]
pub struct MemLoopback<const MTU: usize, const Q: usize> {
    queue: Deque<Vec<u8, MTU>, Q>,
    dropped: u64,
}

impl<const MTU: usize, const Q: usize> Default for MemLoopback<MTU, Q> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const MTU: usize, const Q: usize> MemLoopback<MTU, Q> {
    /// An empty loopback.
    pub const fn new() -> Self {
        MemLoopback {
            queue: Deque::new(),
            dropped: 0,
        }
    }

    /// Whether a frame waits to be received (an idle hook returns at once
    /// when it does).
    pub fn has_frames(&self) -> bool {
        !self.queue.is_empty()
    }

    /// How many frames were dropped on a full queue.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

/// A received frame.
#[derive(Debug)]
pub struct MemRxToken<const MTU: usize>(Vec<u8, MTU>);

/// Room to transmit one frame into the loopback's queue.
#[derive(Debug)]
pub struct MemTxToken<'a, const MTU: usize, const Q: usize> {
    queue: &'a mut Deque<Vec<u8, MTU>, Q>,
    dropped: &'a mut u64,
}

impl<const MTU: usize> phy::RxToken for MemRxToken<MTU> {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        f(&self.0)
    }
}

impl<const MTU: usize, const Q: usize> phy::TxToken for MemTxToken<'_, MTU, Q> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let mut frame: Vec<u8, MTU> = Vec::new();
        // Cannot fail: at most `MTU`.
        let _ = frame.resize(len.min(MTU), 0);
        let result = f(&mut frame);
        if self.queue.push_back(frame).is_err() {
            *self.dropped += 1;
        }
        result
    }
}

impl<const MTU: usize, const Q: usize> Device for MemLoopback<MTU, Q> {
    type RxToken<'a> = MemRxToken<MTU>;
    type TxToken<'a> = MemTxToken<'a, MTU, Q>;

    fn receive(&mut self, _: Instant) -> Option<(MemRxToken<MTU>, MemTxToken<'_, MTU, Q>)> {
        let frame = self.queue.pop_front()?;
        let tx = MemTxToken {
            queue: &mut self.queue,
            dropped: &mut self.dropped,
        };
        Some((MemRxToken(frame), tx))
    }

    fn transmit(&mut self, _: Instant) -> Option<MemTxToken<'_, MTU, Q>> {
        Some(MemTxToken {
            queue: &mut self.queue,
            dropped: &mut self.dropped,
        })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = DeviceCapabilities::default();
        caps.medium = Medium::Ip;
        caps.max_transmission_unit = MTU;
        caps
    }
}
