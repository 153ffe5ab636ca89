//! Async tasks: Tornado's coroutines, without a heap.
//!
//! A [`Runtime`] wraps a [`Reactor`](crate::Reactor) and polls
//! `async` tasks between its iterations. Tasks live in [`TaskPool`]s whose
//! slots the caller provides already pinned — `core::pin::pin!(None)` on
//! the stack of a firmware `main` that never returns, or
//! `Pin::static_mut(Box::leak(..))` on a host — so a pool needs neither an
//! allocator nor `unsafe`: spawning is `Pin::set`, polling is
//! `Option::as_pin_mut`, finishing is `Pin::set(None)`, which drops the
//! future in place.
//!
//! ## Waking
//!
//! eddy's own futures — [`Sleep`],
//! [`WithTimeout`], [`Oneshot`]'s
//! waits, stream reads — do not rely on the `core::task::Waker` in the
//! `Context`. When one must wait it records the *current task id* where the
//! event will come from (a reactor timer, a readiness handler, the oneshot's
//! waiter list); when the event comes, that id joins the runtime's woken
//! set, and the runtime polls exactly the woken tasks. The loop never blocks
//! in a poll while a task is woken. For I/O, [`IoHandle`] registers a source
//! under a handler that records the event's readiness for the waiting task
//! and wakes it; the task's futures read that readiness when it is polled
//! (this is how [`AsyncStream`](crate::stream::AsyncStream) waits).
//!
//! A future from another crate that only wakes through the `Waker` is not
//! re-polled by this mechanism: drive such
//! futures from an eddy future that wakes on its behalf, or poll them with
//! a periodic timer.
//!
//! Task ids are small integers: `0` is the future given to
//! [`Runtime::block_on`], pools take ranges after it; `T`, the runtime's
//! last const generic, is the total number of ids.

mod io;
mod oneshot;
mod pool;
mod runtime;
mod sleep;
mod timeout;
mod woken;

#[cfg(test)]
mod tests;

use core::fmt;

pub use io::{IoError, IoHandle};
pub use oneshot::{Oneshot, OneshotError, Wait};
pub use pool::{OutOfIds, SpawnError, TaskPool, Tasks};
pub use runtime::{Runtime, RuntimeHandle, TaskCx};
pub use sleep::Sleep;
pub use timeout::{with_timeout, TimedOut, WithTimeout};
pub use woken::WokenSet;

/// Names one task of a [`Runtime`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TaskId(u16);

impl TaskId {
    /// The id of the future driven by [`Runtime::block_on`].
    pub const MAIN: TaskId = TaskId(0);

    /// The task with index `i`.
    pub const fn new(i: u16) -> TaskId {
        TaskId(i)
    }

    /// The index.
    pub const fn index(self) -> u16 {
        self.0
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "task {}", self.0)
    }
}
