//! The typed errors of each operation, each with a `Display` that says what
//! to do about it.
//!
//! A full pool hands the rejected buffers back in
//! [`Full`](eddy_core::Full) (see [`Stack::add_socket`](crate::Stack::add_socket));
//! everything else is one small enum per kind of operation.

use core::fmt;

/// Why a receive or send on a connection did not move bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum SocketError {
    /// Nothing to read, or no send space: wait for the next readiness event.
    WouldBlock,
    /// The connection was reset by the peer (or timed out, or was refused).
    Reset,
    /// Sending is no longer possible: the connection is closed locally or
    /// finished.
    WriteClosed,
    /// The id belongs to a released socket (or to no socket of this stack).
    Stale,
    /// The stack is borrowed elsewhere (a re-entrant call).
    Busy,
}

impl fmt::Display for SocketError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SocketError::WouldBlock => "socket would block: wait for readiness and retry",
            SocketError::Reset => "connection reset: release the socket",
            SocketError::WriteClosed => "connection can no longer send: release the socket",
            SocketError::Stale => "socket id is stale: it was released or belongs to another stack",
            SocketError::Busy => "stack is already borrowed: do not call it re-entrantly",
        })
    }
}

impl core::error::Error for SocketError {}

/// Why [`Stack::listen`](crate::Stack::listen) failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ListenError {
    /// Port 0, or a backlog of 0.
    Invalid,
    /// Another listener of this stack has the port.
    PortInUse,
    /// The listener table is full (as many listeners as sockets).
    TooManyListeners,
    /// Fewer free sockets than the backlog: add sockets or lower the backlog.
    NoFreeSocket,
}

impl fmt::Display for ListenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ListenError::Invalid => "listen needs a non-zero port and a non-zero backlog",
            ListenError::PortInUse => "port is already listened on: close that listener first",
            ListenError::TooManyListeners => "listener table is full: close a listener first",
            ListenError::NoFreeSocket => "not enough free sockets for the backlog: add sockets or lower it",
        })
    }
}

impl core::error::Error for ListenError {}

/// Why [`Stack::connect`](crate::Stack::connect) failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ConnectError {
    /// Every socket of the pool is in use: release one or add sockets.
    NoFreeSocket,
    /// The remote address is unspecified or its port is 0.
    Unaddressable,
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConnectError::NoFreeSocket => "no free socket to connect with: release one or add sockets",
            ConnectError::Unaddressable => "remote endpoint needs an address and a non-zero port",
        })
    }
}

impl core::error::Error for ConnectError {}

/// The backend's error: registration failures (polling itself cannot fail).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum BareError {
    /// The source is already registered: use `reregister`.
    AlreadyRegistered,
    /// The source is not registered.
    NotRegistered,
    /// The source is stale or unknown to this stack.
    Stale,
    /// The stack is borrowed elsewhere (a re-entrant call).
    Busy,
}

impl fmt::Display for BareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BareError::AlreadyRegistered => "source is already registered: use reregister",
            BareError::NotRegistered => "source is not registered",
            BareError::Stale => "source is stale: its socket was released, or it belongs to another stack",
            BareError::Busy => "stack is already borrowed: do not call the backend re-entrantly",
        })
    }
}

impl core::error::Error for BareError {}
