//! Task pools: fixed sets of pinned slots for futures of one type.

use core::cell::RefCell;
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::Context;

use super::runtime::RuntimeHandle;
use super::TaskId;
use crate::backend::Backend;
use crate::task::Runtime;

/// Why a spawn failed; the future is handed back.
pub enum SpawnError<F> {
    /// Every slot of the pool holds a running task.
    Full(F),
}

impl<F> fmt::Debug for SpawnError<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SpawnError::Full(..)")
    }
}

impl<F> fmt::Display for SpawnError<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("task pool is full: give it more slots or shed load")
    }
}

impl<F> core::error::Error for SpawnError<F> {}

impl<F> SpawnError<F> {
    /// Takes the future back.
    pub fn into_inner(self) -> F {
        match self {
            SpawnError::Full(f) => f,
        }
    }
}

/// The runtime has too few task ids left for a pool; the slots are inside.
pub struct OutOfIds<S>(pub S);

impl<S> fmt::Debug for OutOfIds<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OutOfIds(..)")
    }
}

impl<S> fmt::Display for OutOfIds<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the runtime has too few task ids left for this pool: raise its `T`")
    }
}

impl<S> core::error::Error for OutOfIds<S> {}

/// What the runtime needs from a pool, whatever its future type.
pub trait Tasks {
    /// Whether task `id` lives in this pool.
    fn owns(&self, id: TaskId) -> bool;
    /// Polls task `id` once; a finished task's slot is emptied (its future
    /// dropped in place). Does nothing for an empty slot or a foreign id.
    fn poll_task(&self, id: TaskId, cx: &mut Context<'_>);
}

/// Up to `N` running futures of type `F`, in slots pinned by the caller.
///
/// # Examples
///
/// ```
/// use core::pin::pin;
/// use core::time::Duration;
/// use eddy_core::sim::SimBackend;
/// use eddy_core::task::{Runtime, RuntimeHandle, TaskPool};
///
/// type Rt = Runtime<SimBackend, u32, 4, 8, 8, 8, 8>;
/// let rt = Rt::new(SimBackend::new(), 0);
/// let slots = [pin!(None), pin!(None)];
/// let pool = TaskPool::new(&rt, slots).unwrap();
/// for ms in [20u64, 10] {
///     let rt = &rt;
///     pool.spawn(rt, async move {
///         rt.sleep(Duration::from_millis(ms)).await;
///         *rt.user().unwrap() += ms as u32;
///     })
///     .unwrap();
/// }
/// rt.block_on(&[&pool], rt.sleep(Duration::from_millis(25)), None).unwrap();
/// assert_eq!(*rt.user().unwrap(), 30);
/// assert_eq!(pool.running(), 0);
/// ```
pub struct TaskPool<'a, F, const N: usize> {
    base: u16,
    slots: [RefCell<Pin<&'a mut Option<F>>>; N],
}

impl<F: Future, const N: usize> fmt::Debug for TaskPool<'_, F, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskPool")
            .field("base", &self.base)
            .field("capacity", &N)
            .field("running", &self.running())
            .finish()
    }
}

impl<'a, F: Future, const N: usize> TaskPool<'a, F, N> {
    /// A pool over `slots`, taking `N` task ids from `runtime`. Each slot is
    /// an empty, pinned `Option<F>`: `pin!(None)` for a pool on the stack
    /// of a `main` that outlives it, `Pin::static_mut` for a `'static` one.
    /// Slots that are not empty are cleared.
    ///
    /// Create the slots in a `let` so the pinned temporaries live as long
    /// as the pool: `let slots = [pin!(None), pin!(None)];`.
    ///
    /// # Errors
    /// [`OutOfIds`] with the slots if the runtime has fewer than `N` ids
    /// left (raise the runtime's `T`).
    pub fn new<
        B: Backend,
        U,
        const T: usize,
        const CB: usize,
        const TM: usize,
        const IO: usize,
        const EV: usize,
    >(
        runtime: &Runtime<B, U, T, CB, TM, IO, EV>,
        slots: [Pin<&'a mut Option<F>>; N],
    ) -> Result<Self, OutOfIds<[Pin<&'a mut Option<F>>; N]>> {
        let Some(base) = runtime.reserve_ids(N) else {
            return Err(OutOfIds(slots));
        };
        Ok(TaskPool {
            base,
            slots: slots.map(|mut s| {
                s.set(None);
                RefCell::new(s)
            }),
        })
    }

    /// Starts `future` in a free slot and wakes it so it runs soon.
    ///
    /// # Errors
    /// [`SpawnError::Full`] with the future if every slot is busy.
    pub fn spawn(&self, runtime: &dyn RuntimeHandle, future: F) -> Result<TaskId, SpawnError<F>> {
        for (i, slot) in self.slots.iter().enumerate() {
            let Ok(mut slot) = slot.try_borrow_mut() else {
                continue; // the task being polled right now
            };
            if slot.is_none() {
                slot.set(Some(future));
                let id = TaskId::new(self.base + i as u16);
                runtime.wake(id);
                return Ok(id);
            }
        }
        Err(SpawnError::Full(future))
    }

    /// Number of running tasks.
    pub fn running(&self) -> usize {
        self.slots
            .iter()
            .filter(|s| s.try_borrow().map_or(true, |s| s.is_some()))
            .count()
    }

    /// Whether every slot is busy.
    pub fn is_full(&self) -> bool {
        self.running() == N
    }
}

impl<F: Future, const N: usize> Tasks for TaskPool<'_, F, N> {
    fn owns(&self, id: TaskId) -> bool {
        (self.base..self.base + N as u16).contains(&id.index())
    }

    fn poll_task(&self, id: TaskId, cx: &mut Context<'_>) {
        let Some(slot) = self.slots.get(id.index().wrapping_sub(self.base) as usize) else {
            return;
        };
        let Ok(mut slot) = slot.try_borrow_mut() else {
            return;
        };
        let done = match slot.as_mut().as_pin_mut() {
            Some(future) => future.poll(cx).is_ready(),
            None => false,
        };
        if done {
            slot.set(None);
        }
    }
}
