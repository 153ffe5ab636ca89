//! Hosted helpers (feature `std`): a monotonic [`StdClock`], the wake
//! descriptor behind a host's [`WakeFlag`], and [`TapIdle`], the idle hook
//! that sleeps in `poll(2)` on the device's descriptor and the wake
//! descriptor together.

use std::io::{Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;
use std::time::Duration;

use eddy_core::time::Clock;
use eddy_core::Instant;
use rustix::event::{PollFd, PollFlags, Timespec};

use crate::backend::Idle;
use crate::wake::WakeFlag;

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

/// A non-blocking socket pair: a wake writes a byte to one end, a sleeper
/// waits for the other end to be readable and drains it.
#[derive(Debug)]
pub(crate) struct WakeSignal {
    rx: UnixStream,
    tx: UnixStream,
}

impl WakeSignal {
    /// A new pair, or `None` (logged) if the system refused one.
    pub(crate) fn new() -> Option<WakeSignal> {
        let made = UnixStream::pair().and_then(|(rx, tx)| {
            rx.set_nonblocking(true)?;
            tx.set_nonblocking(true)?;
            Ok(WakeSignal { rx, tx })
        });
        made.map_err(|e| debug!("no wake descriptor: {}", e)).ok()
    }

    /// Makes the read end readable. A full pair is readable already, so a
    /// failed write loses nothing.
    pub(crate) fn raise(&self) {
        let _ = (&self.tx).write(&[1]);
    }

    /// Reads every byte written so far.
    fn drain(&self) {
        let mut buf = [0u8; 64];
        while matches!((&self.rx).read(&mut buf), Ok(n) if n > 0) {}
    }

    fn fd(&self) -> BorrowedFd<'_> {
        self.rx.as_fd()
    }
}

/// The longest sleep when the hook cannot wait on the wake descriptor
/// (it could not duplicate the device's descriptor): a wake is then seen
/// within this time.
const BLIND_SLICE: Duration = Duration::from_millis(10);

/// Sleeps until the device's descriptor is readable, the backend is woken,
/// or the time is up, in `poll(2)` on both descriptors; an interrupted or
/// failed wait simply returns, and the backend looks again.
///
/// The device exposes only a raw descriptor (`AsRawFd`), so the hook keeps
/// its own duplicate of it (made with `pidfd_getfd(2)` on this process, on
/// Linux 5.6 and later), redone when the device's descriptor number
/// changes. Where that fails it sleeps in `smoltcp::phy::wait` on the
/// device alone, in slices of at most 10 ms, so a wake still ends the
/// sleep soon. [`Idle::idle`] (no wake flag) is `smoltcp::phy::wait`.
#[derive(Debug, Default)]
pub struct TapIdle {
    /// The device's descriptor number and this hook's duplicate of it.
    device: Option<(RawFd, OwnedFd)>,
}

impl TapIdle {
    /// A hook that has not duplicated any descriptor yet.
    pub fn new() -> TapIdle {
        TapIdle { device: None }
    }

    /// This hook's duplicate of descriptor `raw`, made on first use.
    fn device_fd(&mut self, raw: RawFd) -> Option<BorrowedFd<'_>> {
        if self.device.as_ref().map(|(r, _)| *r) != Some(raw) {
            self.device = match duplicate(raw) {
                Ok(fd) => Some((raw, fd)),
                Err(e) => {
                    debug!("cannot duplicate the device descriptor: {}", e);
                    None
                }
            };
        }
        self.device.as_ref().map(|(_, fd)| fd.as_fd())
    }
}

/// A duplicate of this process's descriptor `raw`.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn duplicate(raw: RawFd) -> rustix::io::Result<OwnedFd> {
    use rustix::process::{getpid, pidfd_getfd, pidfd_open, PidfdFlags, PidfdGetfdFlags};
    let me = pidfd_open(getpid(), PidfdFlags::empty())?;
    pidfd_getfd(&me, raw, PidfdGetfdFlags::empty())
}

/// No `pidfd_getfd(2)` here: the hook sleeps on the device alone.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn duplicate(_: RawFd) -> rustix::io::Result<OwnedFd> {
    Err(rustix::io::Errno::NOSYS)
}

impl<D: AsRawFd> Idle<D> for TapIdle {
    fn idle(&mut self, device: &mut D, timeout: Option<Duration>) {
        let timeout = timeout
            .map(|d| smoltcp::time::Duration::from_micros(u64::try_from(d.as_micros()).unwrap_or(u64::MAX)));
        if let Err(e) = smoltcp::phy::wait(device.as_raw_fd(), timeout) {
            debug!("phy::wait failed: {}", e);
        }
    }

    fn idle_or_wake(&mut self, device: &mut D, timeout: Option<Duration>, wake: &WakeFlag) {
        let (Some(signal), Some(dev)) = (wake.signal(), self.device_fd(device.as_raw_fd())) else {
            let slice = timeout.map_or(BLIND_SLICE, |t| t.min(BLIND_SLICE));
            return self.idle(device, Some(slice));
        };
        let mut fds = [
            PollFd::from_borrowed_fd(dev, PollFlags::IN),
            PollFd::from_borrowed_fd(signal.fd(), PollFlags::IN),
        ];
        // A timeout too long for a timespec is no timeout.
        let timeout = timeout.and_then(|t| Timespec::try_from(t).ok());
        if let Err(e) = rustix::event::poll(&mut fds, timeout.as_ref()) {
            debug!("poll failed: {}", e);
        }
        if !fds[1].revents().is_empty() {
            signal.drain();
        }
    }
}
