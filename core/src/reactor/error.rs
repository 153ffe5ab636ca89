//! The reactor's error enums, one per operation.

use core::fmt;

/// Why [`add_handler`](super::Reactor::add_handler) failed.
#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RegisterError<E, H> {
    /// The handler table is full; the handler is handed back.
    Full(H),
    /// The backend refused the source.
    Backend(E),
}

impl<E: fmt::Debug, H> fmt::Debug for RegisterError<E, H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegisterError::Full(_) => f.write_str("Full(..)"),
            RegisterError::Backend(e) => f.debug_tuple("Backend").field(e).finish(),
        }
    }
}

impl<E: fmt::Display, H> fmt::Display for RegisterError<E, H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegisterError::Full(_) => {
                f.write_str("handler table is full: raise the reactor's IO capacity or close sources")
            }
            RegisterError::Backend(e) => write!(f, "backend refused the source: {e}"),
        }
    }
}

impl<E: fmt::Debug + fmt::Display, H> core::error::Error for RegisterError<E, H> {}

/// Why changing or removing a registration failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum HandlerError<E> {
    /// The token is stale or was never issued.
    UnknownToken,
    /// The backend refused the change.
    Backend(E),
}

impl<E: fmt::Display> fmt::Display for HandlerError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HandlerError::UnknownToken => f.write_str("token is stale or unknown: the handler was removed"),
            HandlerError::Backend(e) => write!(f, "backend refused the change: {e}"),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> core::error::Error for HandlerError<E> {}

/// Why [`run_until`](super::Reactor::run_until) or
/// [`run_sync`](super::Reactor::run_sync) returned without finishing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RunError<E> {
    /// The timeout passed first.
    TimedOut,
    /// [`stop`](super::Reactor::stop) was called first.
    Stopped,
    /// The backend's poll failed.
    Backend(E),
}

impl<E: fmt::Display> fmt::Display for RunError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::TimedOut => f.write_str("timed out before the work finished"),
            RunError::Stopped => f.write_str("the reactor was stopped before the work finished"),
            RunError::Backend(e) => write!(f, "backend poll failed: {e}"),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> core::error::Error for RunError<E> {}
