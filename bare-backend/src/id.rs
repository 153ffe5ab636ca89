//! Names for what the stack owns: [`SocketId`] (a TCP socket of the pool,
//! with a generation) and [`ListenerId`], and [`Source`], what the reactor
//! registers.
//!
//! A released socket's slot moves to a new generation, so an id kept past
//! `release` fails with [`SocketError::Stale`](crate::SocketError::Stale)
//! instead of reaching the connection that reuses the slot. Ids print like
//! tokens: `socket#3.1`, `listener#0`.

use core::fmt;

/// One TCP socket of the stack's pool: slot index and slot generation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SocketId {
    pub(crate) index: u16,
    pub(crate) generation: u16,
}

/// One listening port (a group of sockets listening on it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ListenerId(pub(crate) u16);

/// What can be registered with [`BareBackend`](crate::BareBackend): a
/// connection's socket, or a listener (readable when a connection waits to
/// be accepted).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Source {
    /// A connection (accepted or connecting).
    Socket(SocketId),
    /// A listener.
    Listener(ListenerId),
}

impl From<SocketId> for Source {
    fn from(id: SocketId) -> Source {
        Source::Socket(id)
    }
}

impl From<ListenerId> for Source {
    fn from(id: ListenerId) -> Source {
        Source::Listener(id)
    }
}

impl fmt::Display for SocketId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "socket#{}.{}", self.index, self.generation)
    }
}

impl fmt::Display for ListenerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "listener#{}", self.0)
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Socket(id) => id.fmt(f),
            Source::Listener(id) => id.fmt(f),
        }
    }
}
