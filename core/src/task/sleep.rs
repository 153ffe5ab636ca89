//! `Sleep`: a future that completes at a deadline on the reactor's clock.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;

use super::runtime::RuntimeHandle;
use super::TaskId;
use crate::time::Instant;
use crate::timer::TimerHandle;

/// Completes once the reactor's clock reaches its deadline (Tornado's
/// `gen.sleep`). Dropping it cancels its timer.
///
/// If the timer heap is full when it first waits, the task is woken again
/// on every loop turn until it can schedule its timer or its deadline
/// passes: it degrades to polling, it never hangs.
#[must_use = "futures do nothing unless awaited"]
pub struct Sleep<'r> {
    rt: &'r dyn RuntimeHandle,
    deadline: Instant,
    timer: Option<(TimerHandle, TaskId)>,
}

impl core::fmt::Debug for Sleep<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Sleep").field("deadline", &self.deadline).finish()
    }
}

impl<'r> Sleep<'r> {
    /// A sleep until `deadline`.
    pub fn until(rt: &'r dyn RuntimeHandle, deadline: Instant) -> Self {
        Sleep {
            rt,
            deadline,
            timer: None,
        }
    }

    /// A sleep for `duration` from now.
    pub fn new(rt: &'r dyn RuntimeHandle, duration: Duration) -> Self {
        Self::until(rt, rt.now().saturating_add(duration))
    }

    /// The deadline.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    fn cancel(&mut self) {
        if let Some((timer, _)) = self.timer.take() {
            self.rt.cancel_timer(timer);
        }
    }
}

impl Future for Sleep<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if this.rt.now() >= this.deadline {
            this.cancel();
            return Poll::Ready(());
        }
        let Some(task) = this.rt.current_task() else {
            return Poll::Pending;
        };
        // A timer armed for another task (the sleep moved between tasks)
        // must be re-armed for this one.
        if this.timer.is_some_and(|(_, owner)| owner != task) {
            this.cancel();
        }
        if this.timer.is_none() {
            match this.rt.wake_at(this.deadline, task) {
                Some(timer) => this.timer = Some((timer, task)),
                None => {
                    warn!("timer heap full: sleeping task polls until it has room");
                    this.rt.wake(task);
                }
            }
        }
        Poll::Pending
    }
}

impl Drop for Sleep<'_> {
    fn drop(&mut self) {
        self.cancel();
    }
}
