//! The board's clock and idle hook: a 1 ms SysTick tick count as the
//! monotonic clock, and WFI as the idle hook of the smoltcp backend.
//!
//! The SysTick exception handler itself must live in the binary (an
//! exception handler in a library is not linked in): it calls [`tick`].
//! Each tick interrupt also ends a WFI, so an idle backend wakes at least
//! once a millisecond to look at its deadlines.

use core::sync::atomic::{AtomicU32, Ordering};
use core::time::Duration;

use cortex_m::peripheral::syst::SystClkSource;
use cortex_m::peripheral::SYST;
use eddy_core::Instant;

/// The core clock of the MPS2 AN386 board (25 MHz).
pub const CORE_HZ: u32 = 25_000_000;

static TICKS: AtomicU32 = AtomicU32::new(0);

/// Starts SysTick: an interrupt every millisecond from the core clock.
pub fn start_clock(mut syst: SYST) {
    syst.set_clock_source(SystClkSource::Core);
    syst.set_reload(CORE_HZ / 1000 - 1);
    syst.clear_current();
    syst.enable_interrupt();
    syst.enable_counter();
}

/// Counts one millisecond; called from the SysTick exception handler.
pub fn tick() {
    TICKS.fetch_add(1, Ordering::Relaxed);
}

/// Milliseconds since [`start_clock`], as the reactor's [`Instant`]. The
/// 32-bit count wraps after 49 days; this image runs for seconds.
pub fn now() -> Instant {
    Instant::from_millis(u64::from(TICKS.load(Ordering::Relaxed)))
}

/// The idle hook: sleep until the next interrupt (at most a tick away)
/// unless a frame already waits. The backend calls it again while its
/// timeout has not passed.
pub fn idle<D: HasFrames>(device: &mut D, _timeout: Option<Duration>) {
    if !device.has_frames() {
        cortex_m::asm::wfi();
    }
}

/// A device that can say whether a received frame waits.
pub trait HasFrames {
    /// Whether a frame waits to be received.
    fn has_frames(&self) -> bool;
}

impl<const MTU: usize, const Q: usize> HasFrames for eddy_bare::phy::MemLoopback<MTU, Q> {
    fn has_frames(&self) -> bool {
        eddy_bare::phy::MemLoopback::has_frames(self)
    }
}
