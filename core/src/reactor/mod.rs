//! The reactor: Tornado's IOLoop over a [`Backend`].
//!
//! A [`Reactor`] owns a backend and the loop's fixed-capacity containers —
//! the callback queue, the timer heap, the handler table and the event
//! buffer — each sized by a const generic. The application's state `A` is
//! not owned by the reactor; it is lent to [`Reactor::run`] and handed to
//! every callback and handler together with `&mut Reactor`, so a callback
//! can schedule more work, change registrations or stop the loop.
//!
//! One iteration ([`Reactor::run_once`]) does, in this order:
//! 1. move posts from the attached [`Mailbox`](crate::mailbox::Mailbox)
//!    into the callback queue, then run exactly the callbacks queued before
//!    this step began (callbacks they add run next iteration);
//! 2. fire the timers that were due at the start of this step, in deadline
//!    order with ties in scheduling order (timers they add wait for the next
//!    iteration even if already due);
//! 3. poll the backend: timeout zero if callbacks are waiting or the loop is
//!    stopping, else until the next timer, else [`Reactor::set_poll_cap`];
//! 4. dispatch each event to the handler registered under its token; an
//!    event whose token is stale (its registration was removed, perhaps
//!    earlier in this very step) is dropped and counted.
//!
//! A callback or handler that returns an error is logged and counted in
//! [`Stats`]; the loop goes on.

mod error;
mod run;

use core::time::Duration;

pub use error::{HandlerError, RegisterError, RunError};

use crate::backend::Backend;
use crate::callback::{Callback, Handler};
use crate::error::Full;
use crate::event::{Event, Interest};
use crate::handlers::HandlerTable;
use crate::mailbox::Inbox;
use crate::queue::CallbackQueue;
use crate::time::Instant;
use crate::timer::{TimerHandle, TimerHeap};
use crate::token::Token;

/// Tornado's cap on a poll with nothing scheduled (`_POLL_TIMEOUT`).
pub const DEFAULT_POLL_CAP: Duration = Duration::from_secs(3600);

/// Counters describing what the loop has done; cheap to copy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Stats {
    /// Completed iterations.
    pub iterations: u64,
    /// Callbacks run (from the queue).
    pub callbacks: u64,
    /// Timer callbacks run.
    pub timers: u64,
    /// Events delivered to handlers.
    pub events: u64,
    /// Events dropped because their token was stale.
    pub stale_events: u64,
    /// Callbacks, timers and handlers that returned an error.
    pub errors: u64,
}

/// A timer's callback and, for periodic timers, its period.
pub(crate) struct TimerEntry<A, R> {
    pub(crate) callback: Callback<A, R>,
    pub(crate) period: Option<Duration>,
}

impl<A, R> Clone for TimerEntry<A, R> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<A, R> Copy for TimerEntry<A, R> {}

/// The attached mailbox and the callback its messages run.
struct Remote<A, R, W: 'static> {
    mailbox: &'static dyn Inbox<usize, W>,
    on_message: fn(&mut A, &mut R, usize) -> crate::callback::CallbackResult,
}

/// Tornado's IOLoop: see the [module documentation](self).
///
/// - `B`: the backend; `A`: the application state lent to callbacks;
/// - `CB`: callback queue capacity; `TM`: timer capacity; `IO`: handler
///   table capacity; `EV`: events taken per poll.
pub struct Reactor<B: Backend, A, const CB: usize, const TM: usize, const IO: usize, const EV: usize = 32> {
    backend: B,
    callbacks: CallbackQueue<Callback<A, Self>, CB>,
    timers: TimerHeap<TimerEntry<A, Self>, TM>,
    handlers: HandlerTable<Handler<A, Self>, IO>,
    events: [Event; EV],
    remote: Option<Remote<A, Self, B::Waker>>,
    stopping: bool,
    poll_cap: Duration,
    stats: Stats,
}

impl<B: Backend, A, const CB: usize, const TM: usize, const IO: usize, const EV: usize> core::fmt::Debug
    for Reactor<B, A, CB, TM, IO, EV>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Reactor")
            .field("callbacks", &self.callbacks.len())
            .field("timers", &self.timers.len())
            .field("handlers", &self.handlers.len())
            .field("stopping", &self.stopping)
            .field("stats", &self.stats)
            .finish()
    }
}

impl<B: Backend, A, const CB: usize, const TM: usize, const IO: usize, const EV: usize>
    Reactor<B, A, CB, TM, IO, EV>
{
    /// A reactor over `backend` with empty queues; `const`, so it can be
    /// built in a `static`.
    pub const fn new(backend: B) -> Self {
        Reactor {
            backend,
            callbacks: CallbackQueue::new(),
            timers: TimerHeap::new(),
            handlers: HandlerTable::new(),
            events: [Event::EMPTY; EV],
            remote: None,
            stopping: false,
            poll_cap: DEFAULT_POLL_CAP,
            stats: Stats {
                iterations: 0,
                callbacks: 0,
                timers: 0,
                events: 0,
                stale_events: 0,
                errors: 0,
            },
        }
    }

    /// The backend.
    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// The backend, mutably (to script a simulator, or reach a platform API).
    pub fn backend_mut(&mut self) -> &mut B {
        &mut self.backend
    }

    /// The backend clock's current instant.
    pub fn now(&self) -> Instant {
        self.backend.now()
    }

    /// What the loop has done so far.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// The longest a poll blocks when nothing is scheduled.
    pub fn set_poll_cap(&mut self, cap: Duration) {
        self.poll_cap = cap;
    }

    /// A waker for this reactor's backend.
    pub fn waker(&self) -> B::Waker {
        self.backend.waker()
    }

    /// Attaches the mailbox that other threads and interrupt handlers post
    /// messages into, and the callback that runs for each message (with the
    /// message as its argument). Posting wakes a sleeping poll; the messages
    /// run in step 1 of the next iteration, in posting order.
    ///
    /// A message is one word: a task id, a signal number, a job number, an
    /// index into the application's own table of requests.
    pub fn attach_mailbox(
        &mut self,
        mailbox: &'static dyn Inbox<usize, B::Waker>,
        on_message: fn(&mut A, &mut Self, usize) -> crate::callback::CallbackResult,
    ) {
        mailbox.attach(self.backend.waker());
        self.remote = Some(Remote { mailbox, on_message });
    }

    /// Queues `callback` to run on the next iteration (Tornado's
    /// `add_callback`, from the loop's own context).
    ///
    /// # Errors
    /// [`Full`] with the callback if `CB` callbacks are queued.
    pub fn add_callback(&mut self, callback: Callback<A, Self>) -> Result<(), Full<Callback<A, Self>>> {
        self.callbacks.push(callback)
    }

    /// Number of queued callbacks.
    pub fn pending_callbacks(&self) -> usize {
        self.callbacks.len()
    }

    /// Runs `callback` at `deadline` (Tornado's `call_at`).
    ///
    /// # Errors
    /// [`Full`] with the callback if `TM` timers are pending.
    pub fn call_at(
        &mut self,
        deadline: Instant,
        callback: Callback<A, Self>,
    ) -> Result<TimerHandle, Full<Callback<A, Self>>> {
        self.timers
            .schedule(
                deadline,
                TimerEntry {
                    callback,
                    period: None,
                },
            )
            .map_err(|Full(e)| Full(e.callback))
    }

    /// Runs `callback` after `delay` (Tornado's `call_later`). A delay past
    /// the end of the clock means "never", not an overflow.
    ///
    /// # Errors
    /// [`Full`] with the callback if `TM` timers are pending.
    pub fn call_later(
        &mut self,
        delay: Duration,
        callback: Callback<A, Self>,
    ) -> Result<TimerHandle, Full<Callback<A, Self>>> {
        let deadline = self.now().saturating_add(delay);
        self.call_at(deadline, callback)
    }

    /// Runs `callback` every `period`, first one period from now (Tornado's
    /// `PeriodicCallback`). Ticks stay on the grid `start + k·period`: a tick
    /// missed because the loop was busy is skipped, never run late twice,
    /// and the schedule does not drift. Periods under 1 µs count as 1 µs.
    /// Cancel it with [`Reactor::cancel`]; the handle stays valid across
    /// ticks.
    ///
    /// # Errors
    /// [`Full`] with the callback if `TM` timers are pending.
    pub fn call_every(
        &mut self,
        period: Duration,
        callback: Callback<A, Self>,
    ) -> Result<TimerHandle, Full<Callback<A, Self>>> {
        let period = period.max(Duration::from_micros(1));
        let deadline = self.now().saturating_add(period);
        self.timers
            .schedule(
                deadline,
                TimerEntry {
                    callback,
                    period: Some(period),
                },
            )
            .map_err(|Full(e)| Full(e.callback))
    }

    /// Cancels a timer (Tornado's `remove_timeout`). Returns whether it was
    /// pending; a fired, cancelled or reused handle gives a harmless `false`.
    pub fn cancel(&mut self, handle: TimerHandle) -> bool {
        self.timers.cancel(handle)
    }

    /// Number of pending timers.
    pub fn pending_timers(&self) -> usize {
        self.timers.len()
    }

    /// Registers `source` for `interest` and returns its token; events for
    /// it are passed to `handler` (Tornado's `add_handler`).
    ///
    /// # Errors
    /// [`RegisterError::Full`] if `IO` sources are registered;
    /// [`RegisterError::Backend`] if the backend refuses the source.
    pub fn add_handler(
        &mut self,
        source: B::Source<'_>,
        interest: Interest,
        handler: Handler<A, Self>,
    ) -> Result<Token, RegisterError<B::Error, Handler<A, Self>>> {
        let token = self
            .handlers
            .insert(handler)
            .map_err(|Full(h)| RegisterError::Full(h))?;
        if let Err(e) = self.backend.register(source, token, interest) {
            self.handlers.remove(token);
            return Err(RegisterError::Backend(e));
        }
        Ok(token)
    }

    /// Changes the interest of a registration (Tornado's `update_handler`).
    ///
    /// # Errors
    /// [`HandlerError::UnknownToken`] for a stale token;
    /// [`HandlerError::Backend`] if the backend refuses.
    pub fn update_handler(
        &mut self,
        source: B::Source<'_>,
        token: Token,
        interest: Interest,
    ) -> Result<(), HandlerError<B::Error>> {
        if !self.handlers.contains(token) {
            return Err(HandlerError::UnknownToken);
        }
        self.backend
            .reregister(source, token, interest)
            .map_err(HandlerError::Backend)
    }

    /// Replaces the handler behind `token`, keeping the registration.
    ///
    /// # Errors
    /// [`HandlerError::UnknownToken`] for a stale token.
    pub fn replace_handler(
        &mut self,
        token: Token,
        handler: Handler<A, Self>,
    ) -> Result<(), HandlerError<B::Error>> {
        let slot = self.handlers.get_mut(token).ok_or(HandlerError::UnknownToken)?;
        *slot = handler;
        Ok(())
    }

    /// Removes a registration (Tornado's `remove_handler`). From this call
    /// on, no event is delivered under `token`, including events already
    /// taken from the backend in the current iteration.
    ///
    /// # Errors
    /// [`HandlerError::UnknownToken`] for a stale token (nothing changes);
    /// [`HandlerError::Backend`] if the backend refused to deregister (the
    /// token is stale all the same).
    pub fn remove_handler(
        &mut self,
        source: B::Source<'_>,
        token: Token,
    ) -> Result<(), HandlerError<B::Error>> {
        self.handlers.remove(token).ok_or(HandlerError::UnknownToken)?;
        self.backend.deregister(source).map_err(HandlerError::Backend)
    }

    /// Whether `token` names a live registration.
    pub fn has_handler(&self, token: Token) -> bool {
        self.handlers.contains(token)
    }

    /// Number of live registrations.
    pub fn handlers(&self) -> usize {
        self.handlers.len()
    }

    /// Ends [`Reactor::run`] after the current iteration; the poll of that
    /// iteration does not block.
    pub fn stop(&mut self) {
        self.stopping = true;
    }

    /// Whether [`Reactor::stop`] was called and the loop has not ended yet.
    pub fn is_stopping(&self) -> bool {
        self.stopping
    }
}

#[cfg(test)]
mod tests;
