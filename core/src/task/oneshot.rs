//! `Oneshot`: a value that one party sets once and many tasks await
//! (Tornado's `Future.set_result` seen from the awaiting coroutines).

use core::cell::RefCell;
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use heapless::Vec;

use super::runtime::RuntimeHandle;
use super::TaskId;

/// Why a wait on a [`Oneshot`] failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum OneshotError {
    /// `W` tasks are waiting already; this one cannot be recorded.
    WaitersFull,
}

impl fmt::Display for OneshotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("too many tasks are waiting on this oneshot: raise its waiter capacity")
    }
}

impl core::error::Error for OneshotError {}

struct State<T, const W: usize> {
    value: Option<T>,
    waiters: Vec<TaskId, W>,
}

/// A write-once value with up to `W` waiting tasks.
///
/// Set it from a task with [`Oneshot::set`], or from a reactor callback
/// with [`Oneshot::set_and_wake`] (waking through the callback's
/// `TaskCx::woken`). Every waiter gets a clone of the value.
pub struct Oneshot<T, const W: usize> {
    state: RefCell<State<T, W>>,
}

impl<T, const W: usize> fmt::Debug for Oneshot<T, W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (set, waiting) = self
            .state
            .try_borrow()
            .map_or((false, 0), |s| (s.value.is_some(), s.waiters.len()));
        f.debug_struct("Oneshot")
            .field("set", &set)
            .field("waiting", &waiting)
            .finish()
    }
}

impl<T: Clone, const W: usize> Oneshot<T, W> {
    /// An unset oneshot with nobody waiting.
    pub const fn new() -> Self {
        Oneshot {
            state: RefCell::new(State {
                value: None,
                waiters: Vec::new(),
            }),
        }
    }

    /// Sets the value and wakes every waiter through `rt`. Returns how many
    /// tasks were woken.
    ///
    /// # Errors
    /// The value back if the oneshot was set already.
    pub fn set(&self, rt: &dyn RuntimeHandle, value: T) -> Result<usize, T> {
        self.set_and_wake(value, |id| rt.wake(id))
    }

    /// Sets the value and calls `wake` for every waiter; for reactor
    /// callbacks: `oneshot.set_and_wake(v, |id| { cx.woken.insert(id); })`.
    ///
    /// # Errors
    /// The value back if the oneshot was set already.
    pub fn set_and_wake(&self, value: T, mut wake: impl FnMut(TaskId)) -> Result<usize, T> {
        let Ok(mut state) = self.state.try_borrow_mut() else {
            return Err(value);
        };
        if state.value.is_some() {
            return Err(value);
        }
        state.value = Some(value);
        let woken = state.waiters.len();
        for id in state.waiters.drain(..) {
            wake(id);
        }
        Ok(woken)
    }

    /// Whether the value is set.
    pub fn is_set(&self) -> bool {
        self.state.try_borrow().is_ok_and(|s| s.value.is_some())
    }

    /// A clone of the value, if set.
    pub fn get(&self) -> Option<T> {
        self.state.try_borrow().ok()?.value.clone()
    }

    /// Number of tasks waiting.
    pub fn waiting(&self) -> usize {
        self.state.try_borrow().map_or(0, |s| s.waiters.len())
    }

    /// Clears the value so the oneshot can be used again; waiters stay.
    pub fn reset(&self) {
        if let Ok(mut s) = self.state.try_borrow_mut() {
            s.value = None;
        }
    }

    /// A future that completes with the value once it is set.
    pub fn wait<'a>(&'a self, rt: &'a dyn RuntimeHandle) -> Wait<'a, T, W> {
        Wait {
            oneshot: self,
            rt,
            registered: None,
        }
    }
}

impl<T: Clone, const W: usize> Default for Oneshot<T, W> {
    fn default() -> Self {
        Self::new()
    }
}

/// The future returned by [`Oneshot::wait`]; leaving it unfinished removes
/// the task from the waiter list.
#[must_use = "futures do nothing unless awaited"]
pub struct Wait<'a, T, const W: usize> {
    oneshot: &'a Oneshot<T, W>,
    rt: &'a dyn RuntimeHandle,
    registered: Option<TaskId>,
}

impl<T, const W: usize> fmt::Debug for Wait<'_, T, W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wait")
            .field("registered", &self.registered)
            .finish()
    }
}

impl<T: Clone, const W: usize> Future for Wait<'_, T, W> {
    type Output = Result<T, OneshotError>;

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let Ok(mut state) = this.oneshot.state.try_borrow_mut() else {
            return Poll::Pending;
        };
        if let Some(v) = &state.value {
            this.registered = None;
            return Poll::Ready(Ok(v.clone()));
        }
        let Some(task) = this.rt.current_task() else {
            return Poll::Pending;
        };
        if !state.waiters.contains(&task) {
            if state.waiters.push(task).is_err() {
                return Poll::Ready(Err(OneshotError::WaitersFull));
            }
            this.registered = Some(task);
        }
        Poll::Pending
    }
}

impl<T, const W: usize> Drop for Wait<'_, T, W> {
    fn drop(&mut self) {
        if let Some(task) = self.registered.take() {
            if let Ok(mut state) = self.oneshot.state.try_borrow_mut() {
                state.waiters.retain(|w| *w != task);
            }
        }
    }
}
