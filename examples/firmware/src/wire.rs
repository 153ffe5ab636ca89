//! An in-memory network for smoltcp, with no allocator.
//!
//! A [`FrameQueue`] holds up to `Q` IP packets of up to `MTU` bytes in
//! fixed storage. A [`MemPort`] is a `smoltcp::phy::Device` that receives
//! from one queue and transmits into another: two ports over the two
//! queues of a [`MemWire`] join two interfaces like a cable (eddy-bare's
//! `MemLoopback` is the one-interface counterpart). The medium is IP (no link layer, no ARP), so a packet is an IPv4
//! datagram.
//!
//! A full queue drops the packet and counts it, as a NIC with a full ring
//! does; TCP retransmits it. [`FrameQueue::lose_next`] drops packets on
//! purpose so tests can prove that recovery.

use core::cell::{Cell, RefCell};

use heapless::{Deque, Vec};
use smoltcp::phy::{self, Device, DeviceCapabilities, Medium};
use smoltcp::time::Instant;

/// A fixed queue of up to `Q` packets of up to `MTU` bytes each.
#[derive(Debug)]
pub struct FrameQueue<const MTU: usize, const Q: usize> {
    frames: RefCell<Deque<Vec<u8, MTU>, Q>>,
    sent: Cell<u32>,
    dropped: Cell<u32>,
    lose: Cell<u32>,
}

impl<const MTU: usize, const Q: usize> FrameQueue<MTU, Q> {
    /// An empty queue; `const`, so it can sit in a `static`.
    pub const fn new() -> Self {
        FrameQueue {
            frames: RefCell::new(Deque::new()),
            sent: Cell::new(0),
            dropped: Cell::new(0),
            lose: Cell::new(0),
        }
    }

    /// Packets waiting.
    pub fn len(&self) -> usize {
        self.frames.borrow().len()
    }

    /// Whether no packet is waiting.
    pub fn is_empty(&self) -> bool {
        self.frames.borrow().is_empty()
    }

    /// Packets queued so far.
    pub fn sent(&self) -> u32 {
        self.sent.get()
    }

    /// Packets dropped so far, because the queue was full or on purpose.
    pub fn dropped(&self) -> u32 {
        self.dropped.get()
    }

    /// Drops the next `n` packets offered to the queue.
    pub fn lose_next(&self, n: u32) {
        self.lose.set(n);
    }

    fn pop(&self) -> Option<Vec<u8, MTU>> {
        self.frames.borrow_mut().pop_front()
    }

    fn offer(&self, frame: Vec<u8, MTU>) {
        let lose = self.lose.get();
        if lose > 0 {
            self.lose.set(lose - 1);
            self.dropped.set(self.dropped.get() + 1);
            return;
        }
        match self.frames.borrow_mut().push_back(frame) {
            Ok(()) => self.sent.set(self.sent.get() + 1),
            Err(_) => self.dropped.set(self.dropped.get() + 1),
        }
    }
}

impl<const MTU: usize, const Q: usize> Default for FrameQueue<MTU, Q> {
    fn default() -> Self {
        Self::new()
    }
}

/// Two queues, one each way: the cable between ports [`a`](Self::a) and
/// [`b`](Self::b).
#[derive(Debug, Default)]
pub struct MemWire<const MTU: usize, const Q: usize> {
    /// Packets sent by port `a`, received by port `b`.
    pub a_to_b: FrameQueue<MTU, Q>,
    /// Packets sent by port `b`, received by port `a`.
    pub b_to_a: FrameQueue<MTU, Q>,
}

impl<const MTU: usize, const Q: usize> MemWire<MTU, Q> {
    /// A wire with nothing in flight.
    pub const fn new() -> Self {
        MemWire {
            a_to_b: FrameQueue::new(),
            b_to_a: FrameQueue::new(),
        }
    }

    /// One end.
    pub fn a(&self) -> MemPort<'_, MTU, Q> {
        MemPort::new(&self.b_to_a, &self.a_to_b)
    }

    /// The other end.
    pub fn b(&self) -> MemPort<'_, MTU, Q> {
        MemPort::new(&self.a_to_b, &self.b_to_a)
    }

    /// Whether no packet is in flight either way.
    pub fn is_idle(&self) -> bool {
        self.a_to_b.is_empty() && self.b_to_a.is_empty()
    }
}

/// A smoltcp device receiving from one [`FrameQueue`] and sending into
/// another.
#[derive(Clone, Copy, Debug)]
pub struct MemPort<'q, const MTU: usize, const Q: usize> {
    rx: &'q FrameQueue<MTU, Q>,
    tx: &'q FrameQueue<MTU, Q>,
}

impl<'q, const MTU: usize, const Q: usize> MemPort<'q, MTU, Q> {
    /// A port that receives from `rx` and transmits into `tx`.
    pub const fn new(rx: &'q FrameQueue<MTU, Q>, tx: &'q FrameQueue<MTU, Q>) -> Self {
        MemPort { rx, tx }
    }
}

/// A received packet, taken off its queue.
#[derive(Debug)]
pub struct MemRx<const MTU: usize> {
    frame: Vec<u8, MTU>,
}

/// Room for one packet in a queue; a full queue drops it.
#[derive(Debug)]
pub struct MemTx<'q, const MTU: usize, const Q: usize> {
    queue: &'q FrameQueue<MTU, Q>,
}

impl<const MTU: usize> phy::RxToken for MemRx<MTU> {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        f(&self.frame)
    }
}

impl<const MTU: usize, const Q: usize> phy::TxToken for MemTx<'_, MTU, Q> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        // smoltcp sizes packets by `capabilities()`, so `len <= MTU`; the
        // `min` only keeps a misbehaving caller from a panic here.
        let mut frame = Vec::new();
        let _ = frame.resize(len.min(MTU), 0);
        let result = f(&mut frame);
        self.queue.offer(frame);
        result
    }
}

impl<const MTU: usize, const Q: usize> Device for MemPort<'_, MTU, Q> {
    type RxToken<'a>
        = MemRx<MTU>
    where
        Self: 'a;
    type TxToken<'a>
        = MemTx<'a, MTU, Q>
    where
        Self: 'a;

    fn receive(&mut self, _: Instant) -> Option<(MemRx<MTU>, MemTx<'_, MTU, Q>)> {
        let frame = self.rx.pop()?;
        Some((MemRx { frame }, MemTx { queue: self.tx }))
    }

    fn transmit(&mut self, _: Instant) -> Option<MemTx<'_, MTU, Q>> {
        Some(MemTx { queue: self.tx })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = DeviceCapabilities::default();
        caps.medium = Medium::Ip;
        caps.max_transmission_unit = MTU;
        caps
    }
}
