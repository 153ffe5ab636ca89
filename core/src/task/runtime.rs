//! The runtime: a reactor plus the tasks it wakes.
//!
//! [`Runtime::block_on`] alternates two phases until its future finishes:
//! 1. poll every woken task, in wake order (the reactor is not borrowed, so
//!    tasks may schedule timers, register sources, spawn and wake others);
//! 2. run the reactor until at least one task is woken again (callbacks,
//!    timers and handlers wake tasks by inserting their ids into the
//!    [`TaskCx`] the reactor lends them).
//!
//! Everything is single-threaded and borrow-checked at run time with
//! `RefCell`; the runtime never holds a borrow while it polls a task, and a
//! borrow that would conflict is reported, never a panic.

use core::cell::{Cell, RefCell, RefMut};
use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};
use core::time::Duration;

use super::io::IoReady;
use super::pool::Tasks;
use super::woken::WokenSet;
use super::TaskId;
use crate::backend::Backend;
use crate::callback::{Callback, CallbackResult};
use crate::event::Ready;
use crate::reactor::{Reactor, RunError};
use crate::time::Instant;
use crate::timer::TimerHandle;

/// The state a runtime's reactor lends to callbacks and handlers: the woken
/// set, and the application's own state `U`.
#[derive(Debug)]
pub struct TaskCx<U, const T: usize> {
    /// Tasks to poll next; a callback wakes task `id` with
    /// `cx.woken.insert(id)`.
    pub woken: WokenSet<T>,
    /// The application's state.
    pub user: U,
    /// Readiness of task I/O registrations, per task, until it is polled.
    pub(super) io: IoReady<T>,
}

/// What eddy's futures need from the runtime that polls them, without
/// naming its capacities.
pub trait RuntimeHandle {
    /// The reactor clock's current instant.
    fn now(&self) -> Instant;
    /// The task being polled, if any.
    fn current_task(&self) -> Option<TaskId>;
    /// Wakes `id`: it will be polled before the reactor blocks again.
    fn wake(&self, id: TaskId);
    /// Schedules a reactor timer that wakes `id` at `deadline`; `None` if the
    /// timer heap is full or the reactor is busy.
    fn wake_at(&self, deadline: Instant, id: TaskId) -> Option<TimerHandle>;
    /// Cancels a timer made by [`RuntimeHandle::wake_at`].
    fn cancel_timer(&self, timer: TimerHandle) -> bool;
}

/// A reactor that also polls `async` tasks; see the [`task`](crate::task)
/// module docs.
///
/// `B`: backend; `U`: application state; `T`: task ids (the `block_on`
/// future plus every pool slot); `CB`, `TM`, `IO`, `EV`: the reactor's
/// capacities.
pub struct Runtime<
    B: Backend,
    U,
    const T: usize,
    const CB: usize,
    const TM: usize,
    const IO: usize,
    const EV: usize,
> {
    reactor: RefCell<Reactor<B, TaskCx<U, T>, CB, TM, IO, EV>>,
    cx: RefCell<TaskCx<U, T>>,
    /// Wakes that arrive while `cx` is lent to the reactor.
    wake_later: RefCell<WokenSet<T>>,
    current: Cell<Option<TaskId>>,
    /// The I/O readiness the task being polled received since its last poll.
    polled: Cell<Ready>,
    next_id: Cell<u16>,
}

impl<B: Backend, U, const T: usize, const CB: usize, const TM: usize, const IO: usize, const EV: usize>
    core::fmt::Debug for Runtime<B, U, T, CB, TM, IO, EV>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Runtime")
            .field("current", &self.current.get())
            .field("ids_used", &self.next_id.get())
            .finish()
    }
}

/// The reactor callback that wakes task `id`.
fn wake_task<U, R, const T: usize>(cx: &mut TaskCx<U, T>, _: &mut R, id: usize) -> CallbackResult {
    cx.woken.insert(TaskId::new(id as u16));
    Ok(())
}

impl<B: Backend, U, const T: usize, const CB: usize, const TM: usize, const IO: usize, const EV: usize>
    Runtime<B, U, T, CB, TM, IO, EV>
{
    /// A runtime over `backend` with application state `user`.
    pub const fn new(backend: B, user: U) -> Self {
        Runtime {
            reactor: RefCell::new(Reactor::new(backend)),
            cx: RefCell::new(TaskCx {
                woken: WokenSet::new(),
                user,
                io: IoReady::new(),
            }),
            wake_later: RefCell::new(WokenSet::new()),
            current: Cell::new(None),
            polled: Cell::new(Ready::EMPTY),
            next_id: Cell::new(1),
        }
    }

    /// The reactor, to schedule timers, register sources or stop the loop
    /// from a task. `None` while the reactor is running (inside a callback
    /// or handler, which get `&mut Reactor` directly).
    pub fn reactor(&self) -> Option<RefMut<'_, Reactor<B, TaskCx<U, T>, CB, TM, IO, EV>>> {
        self.reactor.try_borrow_mut().ok()
    }

    /// The application state, from a task. `None` while the reactor is
    /// running (callbacks get it in their [`TaskCx`]).
    pub fn user(&self) -> Option<RefMut<'_, U>> {
        RefMut::filter_map(self.cx.try_borrow_mut().ok()?, |cx| Some(&mut cx.user)).ok()
    }

    /// Reserves `n` consecutive task ids for a pool; `None` if the runtime
    /// has fewer than `n` left.
    pub(super) fn reserve_ids(&self, n: usize) -> Option<u16> {
        let base = self.next_id.get();
        let end = (base as usize).checked_add(n)?;
        if end > T || end > u16::MAX as usize {
            return None;
        }
        self.next_id.set(end as u16);
        Some(base)
    }

    /// Drives `future` to completion, polling the tasks of `pools` as they
    /// are woken, with an optional timeout (Tornado's `run_sync`).
    ///
    /// # Errors
    /// [`RunError::TimedOut`], [`RunError::Stopped`] (a task or callback
    /// called `stop`), or [`RunError::Backend`]. Pool tasks that are still
    /// running stay in their pools.
    pub fn block_on<F: Future>(
        &self,
        pools: &[&dyn Tasks],
        future: F,
        timeout: Option<Duration>,
    ) -> Result<F::Output, RunError<B::Error>> {
        let mut main = pin!(future);
        let mut context = Context::from_waker(Waker::noop());
        let deadline = timeout.map(|t| self.now().saturating_add(t));
        self.wake(TaskId::MAIN);
        loop {
            while let Some(id) = self.next_woken() {
                self.current.set(Some(id));
                let ready = self
                    .cx
                    .try_borrow_mut()
                    .map_or(Ready::EMPTY, |mut cx| cx.io.take(id));
                self.polled.set(ready);
                if id == TaskId::MAIN {
                    if let Poll::Ready(out) = main.as_mut().poll(&mut context) {
                        self.current.set(None);
                        self.polled.set(Ready::EMPTY);
                        return Ok(out);
                    }
                } else if let Some(pool) = pools.iter().find(|p| p.owns(id)) {
                    pool.poll_task(id, &mut context);
                }
                self.current.set(None);
                self.polled.set(Ready::EMPTY);
            }
            let remaining = match deadline {
                Some(d) => match d.checked_duration_since(self.now()) {
                    Some(left) if !left.is_zero() => Some(left),
                    _ => return Err(RunError::TimedOut),
                },
                None => None,
            };
            let (Ok(mut reactor), Ok(mut cx)) = (self.reactor.try_borrow_mut(), self.cx.try_borrow_mut())
            else {
                // Only reachable if a task kept a borrow across an await.
                return Err(RunError::Stopped);
            };
            let later = &self.wake_later;
            let result = reactor.run_until(&mut cx, remaining, |cx| {
                !cx.woken.is_empty() || later.try_borrow().map_or(true, |l| !l.is_empty())
            });
            match result {
                Ok(()) | Err(RunError::TimedOut) => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// The readiness behind [`IoHandle::io_ready`](super::IoHandle::io_ready).
    pub(super) fn polled_ready(&self) -> Ready {
        self.polled.get()
    }

    fn next_woken(&self) -> Option<TaskId> {
        if let Ok(mut later) = self.wake_later.try_borrow_mut() {
            if !later.is_empty() {
                if let Ok(mut cx) = self.cx.try_borrow_mut() {
                    while let Some(id) = later.pop() {
                        cx.woken.insert(id);
                    }
                }
            }
        }
        self.cx.try_borrow_mut().ok()?.woken.pop()
    }
}

impl<B: Backend, U, const T: usize, const CB: usize, const TM: usize, const IO: usize, const EV: usize>
    RuntimeHandle for Runtime<B, U, T, CB, TM, IO, EV>
{
    fn now(&self) -> Instant {
        match self.reactor.try_borrow() {
            Ok(r) => r.now(),
            // Lent to a callback: that callback's own clock reading is the
            // same clock; the epoch is a safe lower bound.
            Err(_) => Instant::ZERO,
        }
    }

    fn current_task(&self) -> Option<TaskId> {
        self.current.get()
    }

    fn wake(&self, id: TaskId) {
        if let Ok(mut cx) = self.cx.try_borrow_mut() {
            cx.woken.insert(id);
        } else if let Ok(mut later) = self.wake_later.try_borrow_mut() {
            later.insert(id);
        }
    }

    fn wake_at(&self, deadline: Instant, id: TaskId) -> Option<TimerHandle> {
        let mut reactor = self.reactor.try_borrow_mut().ok()?;
        reactor
            .call_at(deadline, Callback::new(wake_task::<U, _, T>, id.index() as usize))
            .ok()
    }

    fn cancel_timer(&self, timer: TimerHandle) -> bool {
        self.reactor.try_borrow_mut().is_ok_and(|mut r| r.cancel(timer))
    }
}

impl<B: Backend, U, const T: usize, const CB: usize, const TM: usize, const IO: usize, const EV: usize>
    Runtime<B, U, T, CB, TM, IO, EV>
{
    /// A future that completes after `duration` (Tornado's `gen.sleep`).
    pub fn sleep(&self, duration: Duration) -> super::Sleep<'_> {
        super::Sleep::new(self, duration)
    }
}
