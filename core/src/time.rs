//! Monotonic time as the reactor sees it.
//!
//! An [`Instant`] is a count of microseconds since an epoch chosen by the
//! backend's clock (boot, process start, or a simulated zero). Only a backend
//! reads a clock; everything in `core` takes `now` as an argument, which is
//! what lets the tests drive time by hand.
//!
//! Durations are [`core::time::Duration`]. No operation here overflows
//! silently: arithmetic is `checked_*` (returning `None`) or `saturating_*`
//! (clamping at [`Instant::MAX`], which the reactor reads as "never").

use core::fmt;
use core::time::Duration;

/// A point on the backend's monotonic clock, in microseconds since its epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Instant {
    micros: u64,
}

impl Instant {
    /// The clock's epoch.
    pub const ZERO: Instant = Instant { micros: 0 };
    /// The last representable instant; a deadline here never arrives.
    pub const MAX: Instant = Instant { micros: u64::MAX };

    /// An instant `micros` microseconds after the epoch.
    pub const fn from_micros(micros: u64) -> Instant {
        Instant { micros }
    }

    /// An instant `millis` milliseconds after the epoch, saturating at [`Instant::MAX`].
    pub const fn from_millis(millis: u64) -> Instant {
        Instant {
            micros: millis.saturating_mul(1000),
        }
    }

    /// Microseconds since the epoch.
    pub const fn as_micros(self) -> u64 {
        self.micros
    }

    /// Milliseconds since the epoch, rounded down.
    pub const fn as_millis(self) -> u64 {
        self.micros / 1000
    }

    /// `self + d`, or `None` if that is past [`Instant::MAX`].
    pub fn checked_add(self, d: Duration) -> Option<Instant> {
        let add = duration_micros(d)?;
        self.micros.checked_add(add).map(Instant::from_micros)
    }

    /// `self + d`, clamped to [`Instant::MAX`] ("never").
    pub fn saturating_add(self, d: Duration) -> Instant {
        self.checked_add(d).unwrap_or(Instant::MAX)
    }

    /// `self - d`, or `None` if that is before the epoch.
    pub fn checked_sub(self, d: Duration) -> Option<Instant> {
        let sub = duration_micros(d)?;
        self.micros.checked_sub(sub).map(Instant::from_micros)
    }

    /// The time from `earlier` to `self`, or `None` if `earlier` is later.
    pub fn checked_duration_since(self, earlier: Instant) -> Option<Duration> {
        self.micros.checked_sub(earlier.micros).map(Duration::from_micros)
    }

    /// The time from `earlier` to `self`, or zero if `earlier` is later.
    pub fn saturating_duration_since(self, earlier: Instant) -> Duration {
        self.checked_duration_since(earlier).unwrap_or(Duration::ZERO)
    }
}

impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:06}s", self.micros / 1_000_000, self.micros % 1_000_000)
    }
}

/// A duration in whole microseconds, or `None` if it does not fit in `u64`.
/// Sub-microsecond remainders are rounded up so a timeout never fires early.
pub fn duration_micros(d: Duration) -> Option<u64> {
    let whole = u64::try_from(d.as_micros()).ok()?;
    if !d.subsec_nanos().is_multiple_of(1000) {
        whole.checked_add(1)
    } else {
        Some(whole)
    }
}

/// A clock: the one place time comes from. Backends implement it; the
/// simulated clock in [`crate::sim`] is advanced by hand.
pub trait Clock {
    /// The current instant. Never goes backwards.
    fn now(&self) -> Instant;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_overflow_is_reported_not_wrapped() {
        let near_end = Instant::from_micros(u64::MAX - 5);
        assert_eq!(near_end.checked_add(Duration::from_micros(10)), None);
        assert_eq!(near_end.saturating_add(Duration::from_micros(10)), Instant::MAX);
        assert_eq!(near_end.checked_add(Duration::from_micros(5)), Some(Instant::MAX));
        assert_eq!(Instant::ZERO.checked_add(Duration::MAX), None);
    }

    #[test]
    fn sub_and_since_never_go_negative() {
        let t = Instant::from_millis(5);
        assert_eq!(t.checked_sub(Duration::from_millis(6)), None);
        assert_eq!(
            Instant::ZERO.checked_duration_since(t),
            None,
            "earlier minus later"
        );
        assert_eq!(Instant::ZERO.saturating_duration_since(t), Duration::ZERO);
        assert_eq!(
            t.checked_duration_since(Instant::from_millis(2)),
            Some(Duration::from_millis(3))
        );
    }

    #[test]
    fn sub_microsecond_durations_round_up() {
        assert_eq!(duration_micros(Duration::from_nanos(1)), Some(1));
        assert_eq!(duration_micros(Duration::from_nanos(1000)), Some(1));
        assert_eq!(duration_micros(Duration::from_nanos(1001)), Some(2));
    }

    #[test]
    fn millis_constructor_saturates() {
        assert_eq!(Instant::from_millis(u64::MAX), Instant::MAX);
        assert_eq!(Instant::from_millis(3).as_micros(), 3000);
    }
}
