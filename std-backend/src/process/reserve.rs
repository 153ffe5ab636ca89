//! [`PortReservation`]: a port held for workers' `SO_REUSEPORT` listeners.
//!
//! With one `SO_REUSEPORT` listener per worker, the kernel spreads new
//! connections over the listeners by a hash of their addresses, which is
//! fairer than one inherited listener that every worker accepts from. The
//! workers need the port before they bind, and a port `0` must be chosen
//! once for all of them: the parent binds a socket with `SO_REUSEADDR` and
//! `SO_REUSEPORT` and never calls `listen(2)` on it. A socket that does not
//! listen is not in the port's accept group, so it never takes a
//! connection, but it keeps the port while workers come and go (a
//! restarted worker binds again next to the others).

use std::io;
use std::net::SocketAddr;
use std::os::fd::OwnedFd;

use rustix::net::{bind, getsockname, sockopt};

use crate::sys::socket::{family_of, stream_socket};

/// A bound, non-listening `SO_REUSEPORT` socket that holds a port for the
/// workers' own listeners ([`bind_sockets`](crate::bind_sockets) with
/// `reuse_port` on [`local_addr`](Self::local_addr)).
///
/// # Examples
///
/// ```
/// use eddy_std::{bind_sockets, PortReservation};
///
/// let port = PortReservation::new("127.0.0.1:0".parse()?)?;
/// let a = bind_sockets(port.local_addr(), 128, true)?;
/// let b = bind_sockets(port.local_addr(), 128, true)?;
/// assert_eq!(a.local_addr()?, b.local_addr()?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct PortReservation {
    _fd: OwnedFd,
    addr: SocketAddr,
}

impl PortReservation {
    /// Binds `addr` (port `0`: the kernel picks one) without listening.
    ///
    /// # Errors
    /// `socket(2)`, `setsockopt(2)` or `bind(2)` failed (`EADDRINUSE`: a
    /// listener without `SO_REUSEPORT` has the port).
    pub fn new(addr: SocketAddr) -> io::Result<PortReservation> {
        let fd = stream_socket(family_of(&addr))?;
        sockopt::set_socket_reuseaddr(&fd, true)?;
        // socket(7): every socket on the port must set SO_REUSEPORT.
        sockopt::set_socket_reuseport(&fd, true)?;
        if addr.is_ipv6() {
            sockopt::set_ipv6_v6only(&fd, true)?;
        }
        bind(&fd, &addr)?;
        let local = getsockname(&fd)?;
        let addr =
            SocketAddr::try_from(local).map_err(|_| io::Error::other("getsockname: not an IP address"))?;
        Ok(PortReservation { _fd: fd, addr })
    }

    /// The reserved address, with the chosen port.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }
}
