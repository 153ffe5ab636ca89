//! `with_timeout`: give up on a future after a time (Tornado's
//! `gen.with_timeout`).

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;

use super::runtime::RuntimeHandle;
use super::sleep::Sleep;

/// The timeout passed before the future finished.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TimedOut;

impl fmt::Display for TimedOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("operation timed out")
    }
}

impl core::error::Error for TimedOut {}

/// The future returned by [`with_timeout`].
#[must_use = "futures do nothing unless awaited"]
#[derive(Debug)]
pub struct WithTimeout<'r, F> {
    future: F,
    sleep: Sleep<'r>,
}

/// Runs `future` until it finishes or `timeout` passes, whichever is first.
///
/// The future must be `Unpin`; pin an `async` block first with
/// `core::pin::pin!` (a pinned reference is `Unpin`):
/// `with_timeout(rt, d, pin!(async { … })).await`. On timeout the inner
/// future is dropped with the `WithTimeout`.
///
/// # Errors
/// [`TimedOut`] if the timeout passed first.
pub fn with_timeout<'r, F: Future + Unpin>(
    rt: &'r dyn RuntimeHandle,
    timeout: Duration,
    future: F,
) -> WithTimeout<'r, F> {
    WithTimeout {
        future,
        sleep: Sleep::new(rt, timeout),
    }
}

impl<F: Future + Unpin> Future for WithTimeout<'_, F> {
    type Output = Result<F::Output, TimedOut>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if let Poll::Ready(out) = Pin::new(&mut this.future).poll(cx) {
            return Poll::Ready(Ok(out));
        }
        match Pin::new(&mut this.sleep).poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(TimedOut)),
            Poll::Pending => Poll::Pending,
        }
    }
}
