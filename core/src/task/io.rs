//! Readiness for tasks: [`IoHandle`] lets eddy's I/O futures register a
//! source with the runtime's reactor so that its events wake the task
//! waiting on it.
//!
//! A registration's handler is [`Handler::new`]`(io_ready, task id)`: on an
//! event it ORs the event's [`Ready`] flags into the task's slot in
//! [`TaskCx`] and wakes the task. When the runtime next polls that task it
//! takes the slot, and every I/O future polled during that poll sees the
//! flags through [`IoHandle::io_ready`] (a task waiting on two streams may
//! show one stream the other's readiness: that is spurious readiness, which
//! every transport already tolerates).
//!
//! [`Handler::new`]: crate::Handler::new

use core::fmt;

use super::runtime::{Runtime, RuntimeHandle, TaskCx};
use super::TaskId;
use crate::backend::Backend;
use crate::callback::{CallbackResult, Handler};
use crate::event::{Event, Interest, Ready};
use crate::token::Token;

/// Why an I/O registration could not be made or changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum IoError {
    /// The reactor is running (the call came from a callback or handler,
    /// not from a task).
    Busy,
    /// The reactor's handler table is full: raise its `IO` capacity.
    Full,
    /// The token is stale: the registration was removed.
    UnknownToken,
    /// The backend refused the source (logged at debug level).
    Backend,
}

impl fmt::Display for IoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IoError::Busy => "the reactor is running: register sources from a task, not a callback",
            IoError::Full => "the reactor's handler table is full: raise its IO capacity",
            IoError::UnknownToken => "the registration was already removed",
            IoError::Backend => "the backend refused the source: is it still open?",
        })
    }
}

impl core::error::Error for IoError {}

/// What an I/O future needs from the runtime polling it, for backend `B`:
/// register a source so its events wake a task, and see the readiness
/// those events brought.
pub trait IoHandle<B: Backend>: RuntimeHandle {
    /// Registers `source` for `interest`; its events wake `task`.
    ///
    /// # Errors
    /// [`IoError::Busy`], [`IoError::Full`] or [`IoError::Backend`].
    fn register(&self, source: B::Source<'_>, interest: Interest, task: TaskId) -> Result<Token, IoError>;
    /// Changes a registration's interest and the task its events wake.
    ///
    /// # Errors
    /// [`IoError::Busy`], [`IoError::UnknownToken`] or [`IoError::Backend`].
    fn reregister(
        &self,
        source: B::Source<'_>,
        token: Token,
        interest: Interest,
        task: TaskId,
    ) -> Result<(), IoError>;
    /// Removes a registration.
    ///
    /// # Errors
    /// [`IoError::Busy`], [`IoError::UnknownToken`] or [`IoError::Backend`]
    /// (the token is stale all the same).
    fn deregister(&self, source: B::Source<'_>, token: Token) -> Result<(), IoError>;
    /// The readiness delivered to the task being polled since its previous
    /// poll (empty outside a task poll).
    fn io_ready(&self) -> Ready;
}

/// Per-task readiness waiting for the task's next poll.
#[derive(Debug)]
pub(super) struct IoReady<const T: usize> {
    slots: [Ready; T],
}

impl<const T: usize> IoReady<T> {
    pub(super) const fn new() -> Self {
        IoReady {
            slots: [Ready::EMPTY; T],
        }
    }

    fn add(&mut self, id: usize, ready: Ready) {
        if let Some(slot) = self.slots.get_mut(id) {
            *slot = *slot | ready;
        }
    }

    /// Takes task `id`'s readiness, leaving it empty.
    pub(super) fn take(&mut self, id: TaskId) -> Ready {
        self.slots
            .get_mut(id.index() as usize)
            .map_or(Ready::EMPTY, core::mem::take)
    }
}

/// The handler of every task I/O registration: records the readiness for
/// task `id` and wakes it.
fn io_ready<U, R, const T: usize>(cx: &mut TaskCx<U, T>, _: &mut R, ev: Event, id: usize) -> CallbackResult {
    cx.io.add(id, ev.ready);
    cx.woken.insert(TaskId::new(id as u16));
    Ok(())
}

impl<B: Backend, U, const T: usize, const CB: usize, const TM: usize, const IO: usize, const EV: usize>
    IoHandle<B> for Runtime<B, U, T, CB, TM, IO, EV>
{
    fn register(&self, source: B::Source<'_>, interest: Interest, task: TaskId) -> Result<Token, IoError> {
        let mut reactor = self.reactor().ok_or(IoError::Busy)?;
        let handler = Handler::new(io_ready::<U, _, T>, task.index() as usize);
        reactor
            .add_handler(source, interest, handler)
            .map_err(|e| match e {
                crate::reactor::RegisterError::Full(_) => IoError::Full,
                crate::reactor::RegisterError::Backend(_) => {
                    debug!("task I/O registration refused by the backend");
                    IoError::Backend
                }
            })
    }

    fn reregister(
        &self,
        source: B::Source<'_>,
        token: Token,
        interest: Interest,
        task: TaskId,
    ) -> Result<(), IoError> {
        let mut reactor = self.reactor().ok_or(IoError::Busy)?;
        let handler = Handler::new(io_ready::<U, _, T>, task.index() as usize);
        reactor
            .replace_handler(token, handler)
            .map_err(|_| IoError::UnknownToken)?;
        reactor
            .update_handler(source, token, interest)
            .map_err(handler_error)
    }

    fn deregister(&self, source: B::Source<'_>, token: Token) -> Result<(), IoError> {
        let mut reactor = self.reactor().ok_or(IoError::Busy)?;
        reactor.remove_handler(source, token).map_err(handler_error)
    }

    fn io_ready(&self) -> Ready {
        self.polled_ready()
    }
}

fn handler_error<E>(e: crate::reactor::HandlerError<E>) -> IoError {
    match e {
        crate::reactor::HandlerError::UnknownToken => IoError::UnknownToken,
        crate::reactor::HandlerError::Backend(_) => {
            debug!("task I/O registration change refused by the backend");
            IoError::Backend
        }
    }
}
