//! [`StdBackend`]: `eddy_core::Backend` for hosted unix systems.
//!
//! This file holds what every selector shares, so it is written once:
//! - the waker token: `Event::EMPTY.token` is reserved for the backend's own
//!   waker and refused at registration;
//! - timeouts: rounded **up** to whole milliseconds so a poll never returns
//!   before its timeout, and clamped to `i32::MAX` ms per system call (a
//!   longer wait is several calls; `None` waits forever);
//! - interruptions: a system call interrupted by a signal (`EINTR`) is
//!   retried with the time that is left, so only a wake, readiness or the
//!   timeout end a poll.
//!
//! The system calls themselves are in `crate::sys`.

use std::fmt;
use std::io;
use std::os::fd::BorrowedFd;
use std::sync::Arc;
use std::time::Duration;

use eddy_core::{Backend, Event, Instant, Interest, Token, Wake};

use crate::error::StdError;
use crate::sys::{self, AnySelector, Notifier, Notify, Selector};

/// The longest single wait handed to the OS: `poll(2)` and `epoll_wait(2)`
/// take an `int` of milliseconds.
const MAX_WAIT: Duration = Duration::from_millis(i32::MAX as u64);

/// Which readiness mechanism a [`StdBackend`] runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PollerKind {
    /// Linux `epoll(7)`, edge-triggered (`EPOLLET`).
    Epoll,
    /// macOS/FreeBSD `kqueue(2)`, edge-triggered (`EV_CLEAR`).
    Kqueue,
    /// Portable `poll(2)`, **level-triggered**: a source that stays ready is
    /// reported by every poll (allowed by the `Backend` contract as spurious
    /// readiness). Register `WRITABLE` only while there is something to
    /// write, and deregister a source once it has hung up.
    Poll,
}

impl fmt::Display for PollerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PollerKind::Epoll => "epoll",
            PollerKind::Kqueue => "kqueue",
            PollerKind::Poll => "poll",
        })
    }
}

/// The waker of a [`StdBackend`]: an `eventfd` on Linux, a pipe elsewhere.
/// Cheap to clone; callable from any thread, and from a signal handler (it
/// is one `write(2)`; a handler should save and restore `errno` around it).
#[derive(Clone, Debug)]
pub struct StdWaker(Arc<Notifier>);

impl Wake for StdWaker {
    /// Makes the backend's current or next poll return (with no events, if
    /// nothing else is ready). Async-signal-safe: one `write(2)`, no lock,
    /// no allocation, no logging.
    fn wake(&self) {
        self.0.notify();
    }
}

/// `eddy_core::Backend` on epoll (Linux), kqueue (macOS/FreeBSD) or
/// `poll(2)`.
///
/// Sources are borrowed file descriptors. The fd must stay open while it is
/// registered: deregister it before closing it.
///
/// # Examples
///
/// ```
/// use std::io::Write;
/// use std::os::fd::AsFd;
/// use std::os::unix::net::UnixStream;
/// use std::time::Duration;
/// use eddy_core::{Backend, Event, Interest, Token};
/// use eddy_std::StdBackend;
///
/// let mut backend = StdBackend::new()?;
/// println!("running on {}", backend.kind());
/// let (mut a, b) = UnixStream::pair()?;
/// b.set_nonblocking(true)?;
/// backend.register(b.as_fd(), Token::new(7, 0), Interest::READABLE)?;
/// a.write_all(b"ping")?;
/// let mut events = [Event::EMPTY; 8];
/// let n = backend.poll(&mut events, Some(Duration::from_secs(5)))?;
/// assert_eq!(events[..n][0].token, Token::new(7, 0));
/// assert!(events[0].ready.is_readable());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct StdBackend {
    selector: AnySelector,
    notifier: Arc<Notifier>,
}

impl StdBackend {
    /// A backend on this platform's native mechanism: epoll on Linux,
    /// kqueue on macOS/FreeBSD, `poll(2)` elsewhere or when the crate is
    /// built with `--cfg eddy_force_poll`.
    ///
    /// # Errors
    /// The OS error if the waker or the selector cannot be created
    /// (usually: out of file descriptors).
    pub fn new() -> io::Result<StdBackend> {
        let notifier = Arc::new(Notifier::new()?);
        let selector = AnySelector::Native(sys::NativeSelector::new(notifier.clone())?);
        Ok(StdBackend { selector, notifier })
    }

    /// A backend on the portable `poll(2)` selector, on any platform. See
    /// [`PollerKind::Poll`] for its level-triggered behaviour.
    ///
    /// # Errors
    /// The OS error if the waker cannot be created.
    pub fn with_poll() -> io::Result<StdBackend> {
        let notifier = Arc::new(Notifier::new()?);
        let selector = AnySelector::Poll(sys::poll::PollSelector::new(notifier.clone())?);
        Ok(StdBackend { selector, notifier })
    }

    /// Which mechanism this backend runs on.
    pub fn kind(&self) -> PollerKind {
        self.selector.kind()
    }
}

fn check_token(token: Token) -> io::Result<u64> {
    match token.to_u64() {
        sys::WAKER_KEY => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "token #4294967295.4294967295 (Event::EMPTY.token) is reserved for the waker",
        )),
        key => Ok(key),
    }
}

/// `d` rounded up to a whole number of milliseconds.
fn round_up_to_millis(d: Duration) -> Duration {
    let millis = d.as_millis() + u128::from(!d.subsec_nanos().is_multiple_of(1_000_000));
    u64::try_from(millis).map_or(Duration::MAX, Duration::from_millis)
}

impl Backend for StdBackend {
    type Source<'a> = BorrowedFd<'a>;
    type Error = StdError;
    type Waker = StdWaker;

    fn register(&mut self, fd: BorrowedFd<'_>, token: Token, interest: Interest) -> Result<(), StdError> {
        let key = check_token(token).map_err(StdError::Register)?;
        self.selector
            .register(fd, key, interest)
            .map_err(StdError::Register)
    }

    fn reregister(&mut self, fd: BorrowedFd<'_>, token: Token, interest: Interest) -> Result<(), StdError> {
        let key = check_token(token).map_err(StdError::Reregister)?;
        self.selector
            .reregister(fd, key, interest)
            .map_err(StdError::Reregister)
    }

    fn deregister(&mut self, fd: BorrowedFd<'_>) -> Result<(), StdError> {
        self.selector.deregister(fd).map_err(StdError::Deregister)
    }

    /// Waits for readiness, a wake, or `timeout` (rounded up to whole
    /// milliseconds). An empty `events` buffer returns `Ok(0)` at once:
    /// there would be nowhere to put an edge taken from the kernel.
    fn poll(&mut self, events: &mut [Event], timeout: Option<Duration>) -> Result<usize, StdError> {
        if events.is_empty() {
            return Ok(0);
        }
        let timeout = timeout.map(round_up_to_millis);
        // One extra microsecond absorbs the truncation of `now()` to whole
        // microseconds, so a retried wait never ends early.
        let deadline: Option<Instant> = timeout.map(|t| {
            self.now()
                .saturating_add(t)
                .saturating_add(Duration::from_micros(1))
        });
        let mut wait = timeout;
        loop {
            let clamped = wait.is_some_and(|w| w > MAX_WAIT);
            let this_wait = wait.map(|w| w.min(MAX_WAIT));
            match self.selector.select(events, this_wait) {
                // Only the clamp ended the wait: keep waiting.
                Ok(s) if s.raw == 0 && clamped => {}
                Ok(s) => return Ok(s.events),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                    trace!("eddy-std: poll interrupted by a signal, retrying");
                }
                Err(e) => return Err(StdError::Poll(e)),
            }
            wait = deadline.map(|d| round_up_to_millis(d.saturating_duration_since(self.now())));
        }
    }

    fn waker(&self) -> StdWaker {
        StdWaker(self.notifier.clone())
    }

    fn now(&self) -> Instant {
        sys::clock::now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_round_up_to_whole_milliseconds() {
        assert_eq!(round_up_to_millis(Duration::ZERO), Duration::ZERO);
        assert_eq!(
            round_up_to_millis(Duration::from_nanos(1)),
            Duration::from_millis(1)
        );
        assert_eq!(
            round_up_to_millis(Duration::from_micros(1500)),
            Duration::from_millis(2)
        );
        assert_eq!(
            round_up_to_millis(Duration::from_millis(7)),
            Duration::from_millis(7)
        );
        assert_eq!(round_up_to_millis(Duration::MAX), Duration::MAX);
    }

    #[test]
    fn the_waker_token_is_reserved() {
        assert!(check_token(Event::EMPTY.token).is_err());
        assert_eq!(check_token(Token::new(1, 2)).unwrap(), Token::new(1, 2).to_u64());
    }

    #[test]
    fn thread_safety_is_what_the_types_promise() {
        fn waker<T: Clone + Send + Sync + 'static>() {}
        fn movable<T: Send>() {}
        waker::<StdWaker>();
        movable::<StdBackend>();
        movable::<crate::Signals>();
    }
}
