//! The loop: one iteration in Tornado's order, and the ways to drive it.

use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};
use core::time::Duration;

use super::{Reactor, RunError};
use crate::backend::Backend;
use crate::callback::Callback;
use crate::time::Instant;

impl<B: Backend, A, const CB: usize, const TM: usize, const IO: usize, const EV: usize>
    Reactor<B, A, CB, TM, IO, EV>
{
    /// Runs iterations until [`Reactor::stop`] is called (Tornado's
    /// `IOLoop.start`). The stop request is consumed, so the reactor can be
    /// run again.
    ///
    /// # Errors
    /// The backend's error if a poll fails; the loop ends there.
    pub fn run(&mut self, app: &mut A) -> Result<(), B::Error> {
        loop {
            self.iterate(app, None)?;
            if self.stopping {
                self.stopping = false;
                return Ok(());
            }
        }
    }

    /// Runs one iteration: callbacks, timers, one poll (blocking as the
    /// module documentation describes), handlers.
    ///
    /// # Errors
    /// The backend's error if the poll fails.
    pub fn run_once(&mut self, app: &mut A) -> Result<(), B::Error> {
        self.iterate(app, None)
    }

    /// Runs iterations until `done(app)` is true, the optional `timeout`
    /// passes, or the loop is stopped. `done` is checked before the first
    /// iteration, after each iteration's timers (so work finished by a
    /// callback or timer returns without waiting in a poll) and after each
    /// iteration's handlers.
    ///
    /// # Errors
    /// [`RunError::TimedOut`], [`RunError::Stopped`] (the stop request is
    /// consumed), or [`RunError::Backend`].
    pub fn run_until(
        &mut self,
        app: &mut A,
        timeout: Option<Duration>,
        mut done: impl FnMut(&A) -> bool,
    ) -> Result<(), RunError<B::Error>> {
        self.drive(app, timeout, &mut |app| done(app))
    }

    /// Drives `future` to completion on this loop (Tornado's `run_sync`),
    /// with an optional timeout. The future is polled whenever the loop may
    /// have made progress — before the first iteration, after each
    /// iteration's timers and after its handlers — so it may wait on
    /// anything the loop does: timers, handlers, posts from other threads.
    ///
    /// # Errors
    /// [`RunError::TimedOut`], [`RunError::Stopped`] or [`RunError::Backend`];
    /// the future is dropped unfinished.
    pub fn run_sync<F: Future>(
        &mut self,
        app: &mut A,
        future: F,
        timeout: Option<Duration>,
    ) -> Result<F::Output, RunError<B::Error>> {
        let mut future = pin!(future);
        let mut cx = Context::from_waker(Waker::noop());
        let mut output = None;
        self.drive(app, timeout, &mut |_| match future.as_mut().poll(&mut cx) {
            Poll::Ready(out) => {
                output = Some(out);
                true
            }
            Poll::Pending => false,
        })?;
        // `drive` returns Ok only once the check saw the future finish.
        output.ok_or(RunError::Stopped)
    }

    /// The loop behind `run_until` and `run_sync`.
    fn drive(
        &mut self,
        app: &mut A,
        timeout: Option<Duration>,
        done: &mut dyn FnMut(&A) -> bool,
    ) -> Result<(), RunError<B::Error>> {
        let deadline = timeout.map(|t| self.now().saturating_add(t));
        if done(app) {
            return Ok(());
        }
        loop {
            if self.stopping {
                self.stopping = false;
                return Err(RunError::Stopped);
            }
            if deadline.is_some_and(|d| self.now() >= d) {
                return Err(RunError::TimedOut);
            }
            self.run_callbacks(app);
            self.run_timers(app);
            if done(app) {
                self.stats.iterations += 1;
                return Ok(());
            }
            let n = self.poll(deadline).map_err(RunError::Backend)?;
            self.dispatch(app, n);
            self.stats.iterations += 1;
            if done(app) {
                return Ok(());
            }
        }
    }

    /// One iteration; `limit` bounds the poll so `run_until` can honour its
    /// own timeout.
    fn iterate(&mut self, app: &mut A, limit: Option<Instant>) -> Result<(), B::Error> {
        self.run_callbacks(app);
        self.run_timers(app);
        let n = self.poll(limit)?;
        self.dispatch(app, n);
        self.stats.iterations += 1;
        Ok(())
    }

    /// Step 1: posts from the mailbox join the queue, then exactly the
    /// callbacks queued at this point run.
    fn run_callbacks(&mut self, app: &mut A) {
        if let Some(remote) = &self.remote {
            let (mailbox, on_message) = (remote.mailbox, remote.on_message);
            // Stop moving when the queue is full: the rest stays safely in
            // the mailbox for the next iteration.
            while !self.callbacks.is_full() {
                match mailbox.take() {
                    Some(message) => {
                        // Cannot fail: the queue was checked not full.
                        let _ = self.callbacks.push(Callback::new(on_message, message));
                    }
                    None => break,
                }
            }
        }
        self.callbacks.snapshot();
        while let Some(cb) = self.callbacks.pop_snapshot() {
            self.stats.callbacks += 1;
            if let Err(e) = cb.call(app, self) {
                self.stats.errors += 1;
                error!("callback failed: {}", e.reason);
            }
        }
    }

    /// Step 2: timers due at the start of this step, in (deadline, order).
    fn run_timers(&mut self, app: &mut A) {
        let now = self.now();
        // Timers scheduled by the callbacks below get a sequence number at
        // or past this one and wait for the next iteration.
        let seq_limit = self.timers.next_seq();
        while let Some(due) = self.timers.peek() {
            if due.deadline > now || due.seq >= seq_limit {
                break;
            }
            let Some(entry) = self.timers.get(due.handle).copied() else {
                break;
            };
            if entry.period.is_none() {
                self.timers.remove(due.handle);
            } else {
                // Move the tick off "due" first so the handle stays valid
                // (the callback may cancel it) and it cannot run twice.
                self.timers.reschedule(due.handle, Instant::MAX);
            }
            self.stats.timers += 1;
            if let Err(e) = entry.callback.call(app, self) {
                self.stats.errors += 1;
                error!("timer callback failed: {}", e.reason);
            }
            if let Some(period) = entry.period {
                // PeriodicCallback._update_next, with the time after the
                // callback: the next tick is the first grid point after it.
                let next = next_tick(due.deadline, period, self.now());
                self.timers.reschedule(due.handle, next);
            }
        }
    }

    /// Step 3: how long to wait, then wait.
    fn poll(&mut self, limit: Option<Instant>) -> Result<usize, B::Error> {
        let now = self.now();
        let busy = !self.callbacks.is_empty()
            || self.stopping
            || self.remote.as_ref().is_some_and(|r| r.mailbox.is_pending());
        let timeout = if busy {
            Duration::ZERO
        } else {
            let next = match (self.timers.peek().map(|d| d.deadline), limit) {
                (Some(t), Some(l)) => Some(t.min(l)),
                (t, l) => t.or(l),
            };
            match next {
                Some(t) => t.saturating_duration_since(now).min(self.poll_cap),
                None => self.poll_cap,
            }
        };
        self.backend.poll(&mut self.events, Some(timeout))
    }

    /// Step 4: each event to its handler, unless its token went stale.
    fn dispatch(&mut self, app: &mut A, n: usize) {
        for i in 0..n.min(EV) {
            let event = self.events[i];
            let Some(handler) = self.handlers.get(event.token).copied() else {
                self.stats.stale_events += 1;
                trace!("dropping stale event for token {}", event.token.index());
                continue;
            };
            self.stats.events += 1;
            if let Err(e) = handler.call(app, self, event) {
                self.stats.errors += 1;
                error!("handler failed: {}", e.reason);
            }
        }
    }
}

/// The first instant on the grid `last + k·period` (k ≥ 1) after `now`.
fn next_tick(last: Instant, period: Duration, now: Instant) -> Instant {
    let p = crate::time::duration_micros(period).unwrap_or(u64::MAX).max(1);
    let last_us = last.as_micros();
    let now_us = now.as_micros();
    let k = if now_us < last_us {
        1
    } else {
        (now_us - last_us) / p + 1
    };
    Instant::from_micros(last_us.saturating_add(k.saturating_mul(p)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_tick_skips_missed_ticks_on_the_grid() {
        let p = Duration::from_millis(10);
        let t = |ms| Instant::from_millis(ms);
        assert_eq!(next_tick(t(10), p, t(10)), t(20));
        assert_eq!(next_tick(t(10), p, t(19)), t(20));
        assert_eq!(
            next_tick(t(10), p, t(20)),
            t(30),
            "exactly on a tick: that tick is missed"
        );
        assert_eq!(
            next_tick(t(10), p, t(57)),
            t(60),
            "40 and 50 are skipped, no drift"
        );
        assert_eq!(next_tick(Instant::MAX, p, t(0)), Instant::MAX, "saturates");
    }
}
