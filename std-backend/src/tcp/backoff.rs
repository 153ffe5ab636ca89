//! The accept back-off: how long a listener that cannot accept waits before
//! trying again.
//!
//! It starts at [`Backoff::FIRST`] (50 ms), doubles with each consecutive
//! failure up to [`Backoff::MAX`] (1 s), and goes back to the start after a
//! successful accept. While out of descriptors a server thus retries at
//! most once a second and uses no CPU in between; once descriptors free up
//! it accepts again within a second.

use std::time::Duration;

/// An exponential back-off, 50 ms doubling to 1 s.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use eddy_std::Backoff;
///
/// let mut b = Backoff::new();
/// let ms: Vec<u64> = (0..7).map(|_| b.next_delay().as_millis() as u64).collect();
/// assert_eq!(ms, [50, 100, 200, 400, 800, 1000, 1000]);
/// b.reset();
/// assert_eq!(b.next_delay(), Duration::from_millis(50));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    next: Duration,
}

impl Backoff {
    /// The first delay.
    pub const FIRST: Duration = Duration::from_millis(50);
    /// The longest delay.
    pub const MAX: Duration = Duration::from_secs(1);

    /// A back-off at its first delay.
    pub const fn new() -> Backoff {
        Backoff { next: Backoff::FIRST }
    }

    /// The delay the next failure will get.
    pub const fn peek(&self) -> Duration {
        self.next
    }

    /// The delay for this failure; the next one waits twice as long, up to
    /// [`Backoff::MAX`].
    pub fn next_delay(&mut self) -> Duration {
        let delay = self.next;
        self.next = delay.saturating_mul(2).min(Backoff::MAX);
        delay
    }

    /// Back to the first delay (after a success).
    pub fn reset(&mut self) {
        self.next = Backoff::FIRST;
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff::new()
    }
}
