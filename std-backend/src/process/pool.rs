//! [`BlockingPool`]: blocking work offloaded to a small fixed set of
//! threads, its results completed on the loop (Tornado's
//! `run_on_executor`).
//!
//! A job is a closure run on one of the pool's threads. When it returns,
//! the thread stores the result in the job's slot and posts the slot's
//! number to the pool's [`Mailbox`] — which wakes the reactor's poll
//! through the backend's waker. The reactor runs its mailbox callback for
//! the message on the loop thread, and that callback hands the message to
//! [`BlockingPool::complete`], which
//!
//! - for a job started with [`submit`](BlockingPool::submit) (the callback
//!   form) returns the job's id and result, for the callback to use;
//! - for a job started with [`run_blocking`](BlockingPool::run_blocking)
//!   (the future form) wakes the task awaiting it.
//!
//! Capacity: at most `N` jobs are in flight (queued or running), `N` being
//! the mailbox's capacity, so a completion can always be posted; one more
//! is refused with [`Full`] holding the closure. The mailbox must be the
//! pool's alone. A job that panics completes with [`JobPanicked`]; the
//! thread goes on. Dropping the pool drops the jobs still queued and joins
//! its threads (jobs already running finish first).

use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

use eddy_core::error::Full;
use eddy_core::mailbox::Mailbox;
use eddy_core::task::{RuntimeHandle, TaskId};

use super::blocking::Blocking;
use eddy_core::Wake;

/// The job panicked; the panic was caught on the pool's thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JobPanicked;

impl fmt::Display for JobPanicked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the blocking job panicked: its result is lost (see the panic message on stderr)")
    }
}

impl std::error::Error for JobPanicked {}

/// Names one job of a [`BlockingPool`]: its slot and the slot's
/// generation, printed `job 3.1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct JobId {
    pub(super) index: usize,
    generation: u32,
}

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "job {}.{}", self.index, self.generation)
    }
}

/// Where a completion goes: implemented for every [`Mailbox`] of words.
trait Outbox: Sync {
    fn post(&self, message: usize) -> bool;
}

impl<W: Wake + Send, const N: usize> Outbox for Mailbox<usize, W, N> {
    fn post(&self, message: usize) -> bool {
        Mailbox::post(self, message).is_ok()
    }
}

type Job<T> = Box<dyn FnOnce() -> T + Send>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Mode {
    /// `submit`: `complete` returns the result.
    Callback,
    /// `run_blocking`: the future takes the result; `complete` wakes it.
    Future(Option<TaskId>),
    /// The future was dropped unfinished: `complete` frees the slot.
    Abandoned,
}

pub(super) struct Slot<T> {
    generation: u32,
    busy: bool,
    pub(super) mode: Mode,
    pub(super) value: Option<Result<T, JobPanicked>>,
    /// The completion message was handled on the loop.
    pub(super) delivered: bool,
}

pub(super) struct State<T> {
    queue: VecDeque<(usize, Job<T>)>,
    pub(super) slots: Vec<Slot<T>>,
    free: Vec<usize>,
    shutdown: bool,
}

pub(super) struct Shared<T> {
    state: Mutex<State<T>>,
    work: Condvar,
    outbox: &'static dyn Outbox,
}

impl<T> Shared<T> {
    pub(super) fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A fixed set of threads for blocking work (Tornado's `run_on_executor`).
///
/// A finished job's thread posts the job's slot number to the pool's
/// [`Mailbox`], which wakes the reactor; the mailbox callback, on the
/// loop, passes the message to [`complete`](Self::complete). At most `N`
/// jobs (the mailbox's capacity) are in flight; the mailbox must be the
/// pool's alone. A panicking job completes with [`JobPanicked`]. Dropping
/// the pool drops queued jobs and joins its threads.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use eddy_core::mailbox::Mailbox;
/// use eddy_core::{CallbackResult, Reactor};
/// use eddy_std::{BlockingPool, StdBackend, StdWaker};
///
/// static DONE: Mailbox<usize, StdWaker, 8> = Mailbox::new();
/// type Loop = Reactor<StdBackend, App, 8, 8, 8>;
/// struct App { pool: BlockingPool<u64>, got: Option<u64> }
///
/// fn on_done(app: &mut App, _: &mut Loop, message: usize) -> CallbackResult {
///     if let Some((_job, result)) = app.pool.complete(message, |_| {}) {
///         app.got = result.ok();
///     }
///     Ok(())
/// }
///
/// let mut app = App { pool: BlockingPool::new(2, &DONE)?, got: None };
/// let mut reactor = Loop::new(StdBackend::new()?);
/// reactor.attach_mailbox(&DONE, on_done);
/// app.pool.submit(|| (1..=10u64).product()).map_err(|_| "pool full")?;
/// reactor.run_until(&mut app, Some(Duration::from_secs(10)), |a| a.got.is_some())?;
/// assert_eq!(app.got, Some(3_628_800));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct BlockingPool<T: Send + 'static> {
    pub(super) shared: Arc<Shared<T>>,
    threads: Vec<JoinHandle<()>>,
}

impl<T: Send + 'static> fmt::Debug for BlockingPool<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlockingPool")
            .field("threads", &self.threads.len())
            .field("in_flight", &self.in_flight())
            .finish()
    }
}

impl<T: Send + 'static> BlockingPool<T> {
    /// Starts `threads` threads whose completions go to `mailbox` (attach
    /// it to the reactor with `Reactor::attach_mailbox`); at most `N` jobs
    /// in flight.
    ///
    /// # Errors
    /// `InvalidInput` for zero threads or `N == 0`; the OS error if a
    /// thread cannot be started (those already started are joined).
    pub fn new<W: Wake + Send + 'static, const N: usize>(
        threads: usize,
        mailbox: &'static Mailbox<usize, W, N>,
    ) -> io::Result<BlockingPool<T>> {
        if threads == 0 || N == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a blocking pool needs at least one thread and a mailbox of at least one message",
            ));
        }
        let slots = (0..N)
            .map(|_| Slot {
                generation: 0,
                busy: false,
                mode: Mode::Callback,
                value: None,
                delivered: false,
            })
            .collect();
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                queue: VecDeque::with_capacity(N),
                slots,
                free: (0..N).rev().collect(),
                shutdown: false,
            }),
            work: Condvar::new(),
            outbox: mailbox,
        });
        let mut pool = BlockingPool {
            shared,
            threads: Vec::with_capacity(threads),
        };
        for i in 0..threads {
            let shared = pool.shared.clone();
            let handle = std::thread::Builder::new()
                .name(format!("eddy-blocking-{i}"))
                .spawn(move || work(&shared))?;
            pool.threads.push(handle);
        }
        Ok(pool)
    }

    /// Jobs queued or running, or done and not yet collected.
    pub fn in_flight(&self) -> usize {
        let state = self.shared.lock();
        state.slots.len() - state.free.len()
    }

    /// Runs `job` on a pool thread; its result comes back through
    /// [`complete`](Self::complete) (the callback form).
    ///
    /// # Errors
    /// [`Full`] with the closure if `N` jobs are in flight.
    pub fn submit<F>(&self, job: F) -> Result<JobId, Full<F>>
    where
        F: FnOnce() -> T + Send + 'static,
    {
        self.enqueue(job, Mode::Callback)
    }

    /// Runs `job` on a pool thread and returns a future, for a task of an
    /// `eddy_core::task::Runtime`, that completes with its result (the
    /// future form). The mailbox callback must pass the runtime's
    /// `TaskCx::woken` to [`complete`](Self::complete):
    /// `pool.complete(message, |id| { cx.woken.insert(id); })`.
    ///
    /// # Errors
    /// [`Full`] with the closure if `N` jobs are in flight.
    pub fn run_blocking<'a, F>(
        &'a self,
        rt: &'a dyn RuntimeHandle,
        job: F,
    ) -> Result<Blocking<'a, T>, Full<F>>
    where
        F: FnOnce() -> T + Send + 'static,
    {
        let id = self.enqueue(job, Mode::Future(None))?;
        Ok(Blocking::new(self, rt, id))
    }

    fn enqueue<F>(&self, job: F, mode: Mode) -> Result<JobId, Full<F>>
    where
        F: FnOnce() -> T + Send + 'static,
    {
        let mut state = self.shared.lock();
        let Some(index) = state.free.pop() else {
            return Err(Full(job));
        };
        let slot = &mut state.slots[index];
        slot.generation = slot.generation.wrapping_add(1);
        slot.busy = true;
        slot.mode = mode;
        slot.value = None;
        slot.delivered = false;
        let id = JobId {
            index,
            generation: slot.generation,
        };
        state.queue.push_back((index, Box::new(job)));
        drop(state);
        self.shared.work.notify_one();
        Ok(id)
    }

    /// Handles one mailbox `message` on the loop: returns the job and its
    /// result for a job from [`submit`](Self::submit); wakes the task
    /// awaiting a job from [`run_blocking`](Self::run_blocking) through
    /// `wake` and returns `None`. A message that names no finished job
    /// gives `None`.
    pub fn complete(
        &self,
        message: usize,
        mut wake: impl FnMut(TaskId),
    ) -> Option<(JobId, Result<T, JobPanicked>)> {
        let mut state = self.shared.lock();
        let slot = state.slots.get_mut(message)?;
        if !slot.busy || slot.delivered || slot.value.is_none() {
            return None;
        }
        slot.delivered = true;
        let id = JobId {
            index: message,
            generation: slot.generation,
        };
        match slot.mode {
            Mode::Callback => {
                let value = slot.value.take();
                release(&mut state, message);
                value.map(|v| (id, v))
            }
            Mode::Future(waiter) => {
                if let Some(task) = waiter {
                    wake(task);
                }
                None
            }
            Mode::Abandoned => {
                release(&mut state, message);
                None
            }
        }
    }
}

pub(super) fn release<T>(state: &mut State<T>, index: usize) {
    let slot = &mut state.slots[index];
    slot.busy = false;
    slot.value = None;
    state.free.push(index);
}

/// One pool thread: run jobs until shutdown.
fn work<T>(shared: &Shared<T>) {
    loop {
        let mut state = shared.lock();
        while state.queue.is_empty() && !state.shutdown {
            state = shared.work.wait(state).unwrap_or_else(PoisonError::into_inner);
        }
        let Some((index, job)) = state.queue.pop_front() else {
            return; // shut down with nothing queued
        };
        if state.shutdown {
            return;
        }
        drop(state);
        let value = catch_unwind(AssertUnwindSafe(job)).map_err(|_| JobPanicked);
        shared.lock().slots[index].value = Some(value);
        // Cannot be full while the mailbox is the pool's (N slots, N
        // messages); retry in case the application posted into it too.
        while !shared.outbox.post(index) {
            if shared.lock().shutdown {
                return;
            }
            std::thread::yield_now();
        }
    }
}

impl<T: Send + 'static> Drop for BlockingPool<T> {
    fn drop(&mut self) {
        {
            let mut state = self.shared.lock();
            state.shutdown = true;
            state.queue.clear();
        }
        self.shared.work.notify_all();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}
