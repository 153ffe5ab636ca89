//! Hosted helpers (feature `std`): a monotonic [`StdClock`] and
//! [`TapIdle`], the idle hook that sleeps in `select(2)` on the device's
//! descriptor through `smoltcp::phy::wait`.

use std::os::fd::AsRawFd;
use std::time::Duration;

use eddy_core::time::Clock;
use eddy_core::Instant;

use crate::backend::Idle;

/// Microseconds since the clock was made, from [`std::time::Instant`].
#[derive(Clone, Copy, Debug)]
pub struct StdClock(std::time::Instant);

impl StdClock {
    /// A clock whose epoch is now.
    pub fn new() -> StdClock {
        StdClock(std::time::Instant::now())
    }
}

impl Default for StdClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for StdClock {
    fn now(&self) -> Instant {
        Instant::from_micros(u64::try_from(self.0.elapsed().as_micros()).unwrap_or(u64::MAX))
    }
}

/// Sleeps until the device's descriptor is readable or the time is up
/// (`smoltcp::phy::wait`, which is `select(2)`); an interrupted or failed
/// wait simply returns, and the backend looks again.
#[derive(Clone, Copy, Debug, Default)]
pub struct TapIdle;

impl<D: AsRawFd> Idle<D> for TapIdle {
    fn idle(&mut self, device: &mut D, timeout: Option<Duration>) {
        let timeout = timeout
            .map(|d| smoltcp::time::Duration::from_micros(u64::try_from(d.as_micros()).unwrap_or(u64::MAX)));
        if let Err(e) = smoltcp::phy::wait(device.as_raw_fd(), timeout) {
            debug!("phy::wait failed: {}", e);
        }
    }
}
