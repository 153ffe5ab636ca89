//! Devices of our own for smoltcp: [`MemLoopback`], an in-memory loopback
//! that needs no allocator (smoltcp's `Loopback` needs `alloc`), for tests
//! on a host and on a microcontroller.

mod loopback;

pub use loopback::{MemLoopback, MemRxToken, MemTxToken};
