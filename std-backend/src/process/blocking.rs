//! [`Blocking`]: the future form of [`BlockingPool`], returned by
//! [`BlockingPool::run_blocking`] and awaited by a task of an
//! `eddy_core::task::Runtime`.
//!
//! The future takes the job's result only once the completion message was
//! handled on the loop (`delivered`), so a slot is never reused while its
//! message is still in the mailbox. Until then each poll records the
//! polling task as the one [`BlockingPool::complete`] wakes.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use eddy_core::task::RuntimeHandle;

use super::pool::{release, BlockingPool, JobId, JobPanicked, Mode};

/// The future returned by [`BlockingPool::run_blocking`]: the job's
/// result, or [`JobPanicked`]. Dropping it unfinished lets the job run to
/// its end and discards the result.
#[must_use = "futures do nothing unless awaited"]
pub struct Blocking<'a, T: Send + 'static> {
    pool: &'a BlockingPool<T>,
    rt: &'a dyn RuntimeHandle,
    job: JobId,
    finished: bool,
}

impl<T: Send + 'static> fmt::Debug for Blocking<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Blocking").field("job", &self.job).finish()
    }
}

impl<'a, T: Send + 'static> Blocking<'a, T> {
    pub(super) fn new(pool: &'a BlockingPool<T>, rt: &'a dyn RuntimeHandle, job: JobId) -> Self {
        Blocking {
            pool,
            rt,
            job,
            finished: false,
        }
    }

    /// The job this future waits for.
    pub fn job(&self) -> JobId {
        self.job
    }
}

impl<T: Send + 'static> Future for Blocking<'_, T> {
    type Output = Result<T, JobPanicked>;

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if this.finished {
            return Poll::Pending;
        }
        let mut state = this.pool.shared.lock();
        let slot = &mut state.slots[this.job.index];
        // Only once the completion went through the loop: the slot is
        // reused after that, never before its message is handled.
        if slot.delivered {
            if let Some(value) = slot.value.take() {
                release(&mut state, this.job.index);
                this.finished = true;
                return Poll::Ready(value);
            }
        }
        slot.mode = Mode::Future(this.rt.current_task());
        Poll::Pending
    }
}

impl<T: Send + 'static> Drop for Blocking<'_, T> {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        let mut state = self.pool.shared.lock();
        if state.slots[self.job.index].delivered {
            release(&mut state, self.job.index);
        } else {
            state.slots[self.job.index].mode = Mode::Abandoned;
        }
    }
}
