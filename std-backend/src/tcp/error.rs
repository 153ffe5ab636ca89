//! The errors of the `tcp` module, one enum per operation: [`BindError`]
//! for binding listeners, [`AcceptingError`] for (un)registering an
//! acceptor with the reactor. (Connecting has its own,
//! [`FinishError`](super::FinishError), beside [`connect`](super::connect).)
//!
//! Each `Display` names the address involved and says what to do.

use std::fmt;
use std::io;
use std::net::SocketAddr;

use crate::error::StdError;

/// [`bind_sockets`](super::bind_sockets) or [`bind_all`](super::bind_all)
/// failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum BindError {
    /// The host name could not be resolved, or left no address that can be
    /// bound on this host.
    Resolve {
        /// The name as given.
        host: String,
        /// The resolver's error.
        source: io::Error,
    },
    /// `socket(2)` failed: the address family is not supported here (IPv6
    /// disabled), or the process is out of file descriptors.
    Socket {
        /// The address the socket was for.
        addr: SocketAddr,
        /// The operating system's error.
        source: io::Error,
    },
    /// `setsockopt(2)` refused an option (`SO_REUSEADDR`, `SO_REUSEPORT`,
    /// `IPV6_V6ONLY`): the platform does not support it.
    SetOption {
        /// The address the socket was for.
        addr: SocketAddr,
        /// The option's name.
        option: &'static str,
        /// The operating system's error.
        source: io::Error,
    },
    /// `bind(2)` failed: the address is in use (`EADDRINUSE`), not
    /// configured on this host (`EADDRNOTAVAIL`), or needs privileges
    /// (`EACCES`).
    Bind {
        /// The address that could not be bound.
        addr: SocketAddr,
        /// The operating system's error.
        source: io::Error,
    },
    /// `listen(2)` failed.
    Listen {
        /// The bound address.
        addr: SocketAddr,
        /// The operating system's error.
        source: io::Error,
    },
}

impl BindError {
    /// The address that failed; `None` for a name that did not resolve.
    pub fn addr(&self) -> Option<SocketAddr> {
        match self {
            BindError::Resolve { .. } => None,
            BindError::Socket { addr, .. }
            | BindError::SetOption { addr, .. }
            | BindError::Bind { addr, .. }
            | BindError::Listen { addr, .. } => Some(*addr),
        }
    }

    /// The underlying error.
    pub fn io_error(&self) -> &io::Error {
        match self {
            BindError::Resolve { source, .. }
            | BindError::Socket { source, .. }
            | BindError::SetOption { source, .. }
            | BindError::Bind { source, .. }
            | BindError::Listen { source, .. } => source,
        }
    }

    /// The kind of the underlying error (`AddrInUse`, …).
    pub fn kind(&self) -> io::ErrorKind {
        self.io_error().kind()
    }
}

/// `EMFILE`/`ENFILE`: the process or the system is out of descriptors.
fn out_of_fds(e: &io::Error) -> bool {
    let errno = rustix::io::Errno::from_io_error(e);
    errno == Some(rustix::io::Errno::MFILE) || errno == Some(rustix::io::Errno::NFILE)
}

impl fmt::Display for BindError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BindError::Resolve { host, source } => write!(
                f,
                "could not resolve host {host:?} to an address to bind ({source}): check the name, \
                 or give a numeric address such as 127.0.0.1, ::1, or \"\" for every interface"
            ),
            BindError::Socket { addr, source } if out_of_fds(source) => write!(
                f,
                "could not create a socket for {addr}: out of file descriptors ({source}); \
                 close some, or raise the limit (ulimit -n)"
            ),
            BindError::Socket { addr, source } => write!(
                f,
                "could not create a socket for {addr} ({source}): this host may not support its \
                 address family (IPv6 disabled?); bind an address of the other family"
            ),
            BindError::SetOption { addr, option, source } => write!(
                f,
                "could not set {option} on the socket for {addr} ({source}): this platform does \
                 not support it; bind without it"
            ),
            BindError::Bind { addr, source } => match source.kind() {
                io::ErrorKind::AddrInUse => write!(
                    f,
                    "address {addr} is in use: stop the other server or pick another address or port"
                ),
                io::ErrorKind::AddrNotAvailable => write!(
                    f,
                    "address {addr} is not configured on this host: bind one of its own addresses, \
                     or 0.0.0.0 / :: for all of them"
                ),
                io::ErrorKind::PermissionDenied => write!(
                    f,
                    "binding {addr} is not permitted ({source}): ports below 1024 need privileges \
                     (CAP_NET_BIND_SERVICE); pick a higher port"
                ),
                _ => write!(f, "could not bind {addr} ({source}): check the address and port"),
            },
            BindError::Listen { addr, source } => write!(
                f,
                "could not listen on {addr} ({source}): check the backlog and that the socket \
                 is a TCP socket"
            ),
        }
    }
}

impl std::error::Error for BindError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.io_error())
    }
}

/// Starting, pausing or resuming an acceptor on the reactor failed
/// ([`start_accepting`](super::start_accepting) and friends).
#[derive(Debug)]
#[non_exhaustive]
pub enum AcceptingError {
    /// The reactor's handler table is full, so the listener could not be
    /// registered.
    HandlerTableFull,
    /// The backend refused to register or deregister the listener.
    Backend(StdError),
}

impl fmt::Display for AcceptingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AcceptingError::HandlerTableFull => f.write_str(
                "could not register the listener: the reactor's handler table is full; raise its \
                 IO capacity or close sources",
            ),
            AcceptingError::Backend(e) => write!(f, "could not (de)register the listener: {e}"),
        }
    }
}

impl std::error::Error for AcceptingError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AcceptingError::HandlerTableFull => None,
            AcceptingError::Backend(e) => Some(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_address_and_the_remedy() {
        let addr: SocketAddr = "127.0.0.1:8888".parse().unwrap();
        let in_use = BindError::Bind {
            addr,
            source: io::ErrorKind::AddrInUse.into(),
        };
        assert_eq!(
            in_use.to_string(),
            "address 127.0.0.1:8888 is in use: stop the other server or pick another address or port"
        );
        assert_eq!(in_use.addr(), Some(addr));
        let fds = BindError::Socket {
            addr,
            source: rustix::io::Errno::MFILE.into(),
        };
        assert!(fds.to_string().contains("out of file descriptors"), "{fds}");
        let host = BindError::Resolve {
            host: "nowhere".into(),
            source: io::ErrorKind::NotFound.into(),
        };
        assert!(host.to_string().contains("\"nowhere\""), "{host}");
        assert_eq!(host.addr(), None);
    }
}
