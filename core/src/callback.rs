//! Callbacks and I/O handlers: function pointers with a typed context.
//!
//! The reactor stores no closures and needs no heap: a [`Callback`] is a
//! plain `fn` plus one word of argument (an index into the application's own
//! tables, a connection number, a request id). It receives the
//! application's state `&mut A` and the reactor `&mut R`, so it can schedule
//! more callbacks and timers or change registrations. A [`Handler`] is the
//! same for readiness events and also receives the [`Event`].
//!
//! A callback that fails returns a [`CallbackError`]; the reactor logs it,
//! counts it and goes on with the next callback (Tornado logs the exception
//! and keeps the loop alive).

use core::fmt;

use crate::event::Event;

/// What a callback or handler returns.
pub type CallbackResult = Result<(), CallbackError>;

/// A callback's failure: logged and counted by the reactor, never fatal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CallbackError {
    /// What went wrong, for the log.
    pub reason: &'static str,
}

impl CallbackError {
    /// A failure with a reason.
    pub const fn new(reason: &'static str) -> CallbackError {
        CallbackError { reason }
    }
}

impl fmt::Display for CallbackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "callback failed: {}", self.reason)
    }
}

impl core::error::Error for CallbackError {}

/// A deferred call: `f(app, reactor, arg)`.
pub struct Callback<A, R> {
    f: fn(&mut A, &mut R, usize) -> CallbackResult,
    arg: usize,
}

impl<A, R> Callback<A, R> {
    /// A callback that will call `f` with `arg`.
    pub const fn new(f: fn(&mut A, &mut R, usize) -> CallbackResult, arg: usize) -> Self {
        Callback { f, arg }
    }

    /// The argument word.
    pub const fn arg(&self) -> usize {
        self.arg
    }

    /// Runs the callback.
    ///
    /// # Errors
    /// Whatever the callback returns.
    pub fn call(self, app: &mut A, reactor: &mut R) -> CallbackResult {
        (self.f)(app, reactor, self.arg)
    }
}

// Manual impls: derives would demand `A: Clone` and `R: Clone`.
impl<A, R> Clone for Callback<A, R> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<A, R> Copy for Callback<A, R> {}

impl<A, R> fmt::Debug for Callback<A, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Callback").field("arg", &self.arg).finish()
    }
}

/// A readiness handler: `f(app, reactor, event, arg)`.
pub struct Handler<A, R> {
    f: fn(&mut A, &mut R, Event, usize) -> CallbackResult,
    arg: usize,
}

impl<A, R> Handler<A, R> {
    /// A handler that will call `f` with each event and `arg`.
    pub const fn new(f: fn(&mut A, &mut R, Event, usize) -> CallbackResult, arg: usize) -> Self {
        Handler { f, arg }
    }

    /// The argument word.
    pub const fn arg(&self) -> usize {
        self.arg
    }

    /// Runs the handler for `event`.
    ///
    /// # Errors
    /// Whatever the handler returns.
    pub fn call(self, app: &mut A, reactor: &mut R, event: Event) -> CallbackResult {
        (self.f)(app, reactor, event, self.arg)
    }
}

impl<A, R> Clone for Handler<A, R> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<A, R> Copy for Handler<A, R> {}

impl<A, R> fmt::Debug for Handler<A, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handler").field("arg", &self.arg).finish()
    }
}
