//! The monotonic clock: `clock_gettime(2)` with `CLOCK_MONOTONIC`.
//!
//! Its epoch is unspecified (boot, on Linux) and it never goes backwards,
//! which is all [`eddy_core::Instant`] asks for. Nanoseconds are truncated
//! to whole microseconds.

use eddy_core::Instant;
use rustix::time::{clock_gettime, ClockId};

/// The current instant of `CLOCK_MONOTONIC`.
pub(crate) fn now() -> Instant {
    // clock_gettime(2): CLOCK_MONOTONIC cannot fail for a valid clock id.
    let ts = clock_gettime(ClockId::Monotonic);
    let secs = u64::try_from(ts.tv_sec).unwrap_or(0);
    let micros = u64::try_from(ts.tv_nsec / 1000).unwrap_or(0);
    Instant::from_micros(secs.saturating_mul(1_000_000).saturating_add(micros))
}

#[cfg(test)]
mod tests {
    #[test]
    fn never_goes_backwards() {
        let mut last = super::now();
        for _ in 0..1000 {
            let t = super::now();
            assert!(t >= last, "{t} < {last}");
            last = t;
        }
        assert!(last > eddy_core::Instant::ZERO);
    }
}
