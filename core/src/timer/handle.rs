//! Timer handles and the view of the earliest timer.

use core::fmt;

use crate::time::Instant;

/// Names one scheduled timer: slot index plus the slot's generation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TimerHandle {
    slot: u32,
    generation: u32,
}

impl TimerHandle {
    pub(crate) const fn new(slot: u32, generation: u32) -> Self {
        TimerHandle { slot, generation }
    }

    /// The slot index.
    pub const fn slot(self) -> u32 {
        self.slot
    }

    /// The slot generation the handle was issued for.
    pub const fn generation(self) -> u32 {
        self.generation
    }
}

impl fmt::Display for TimerHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "timer#{}.{}", self.slot, self.generation)
    }
}

/// The earliest pending timer, as [`TimerHeap::peek`](super::TimerHeap::peek)
/// reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Due {
    /// Its handle.
    pub handle: TimerHandle,
    /// Its deadline.
    pub deadline: Instant,
    /// Its scheduling order (unique, increasing).
    pub seq: u64,
}
