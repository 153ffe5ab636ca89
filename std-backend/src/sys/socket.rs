//! Socket creation and `accept` with the two flags every eddy socket
//! carries: non-blocking (`O_NONBLOCK`) and close-on-exec (`FD_CLOEXEC`).
//!
//! Where the OS sets both in the creating call — `SOCK_NONBLOCK |
//! SOCK_CLOEXEC` in `socket(2)` and `accept4(2)` on Linux and the BSDs — it
//! does, so no other thread can `fork` + `exec` between creation and
//! `FD_CLOEXEC` and leak the fd into a child. Apple platforms have neither
//! flag nor `accept4`: there the flags are set right after, with
//! `fcntl(F_SETFD, FD_CLOEXEC)` and `ioctl(FIONBIO)` (what std and mio do).
//!
//! Invariant: every fd this file returns is non-blocking and close-on-exec.
//! It lives in `sys/` because it is the TCP code's one platform split
//! (`target_vendor`); `crate::tcp` above it is portable.

use std::io;
use std::net::SocketAddr;
use std::os::fd::{BorrowedFd, OwnedFd};

use rustix::net::{AddressFamily, SocketAddrAny, SocketType};

/// The address family of `addr`.
pub(crate) fn family_of(addr: &SocketAddr) -> AddressFamily {
    match addr {
        SocketAddr::V4(_) => AddressFamily::INET,
        SocketAddr::V6(_) => AddressFamily::INET6,
    }
}

#[cfg(not(target_vendor = "apple"))]
const FLAGS: rustix::net::SocketFlags =
    rustix::net::SocketFlags::NONBLOCK.union(rustix::net::SocketFlags::CLOEXEC);

/// A new, unbound TCP socket of `family`: `socket(2)` with
/// `SOCK_NONBLOCK | SOCK_CLOEXEC`.
pub(crate) fn stream_socket(family: AddressFamily) -> io::Result<OwnedFd> {
    #[cfg(not(target_vendor = "apple"))]
    let fd = rustix::net::socket_with(family, SocketType::STREAM, FLAGS, None)?;
    #[cfg(target_vendor = "apple")]
    let fd = {
        let fd = rustix::net::socket(family, SocketType::STREAM, None)?;
        set_flags(&fd)?;
        fd
    };
    Ok(fd)
}

/// Takes one connection from `listener`'s queue: `accept4(2)` with
/// `SOCK_NONBLOCK | SOCK_CLOEXEC`, returning the peer's address when the
/// kernel gives it. Errors are returned raw so the caller can classify the
/// errno.
pub(crate) fn accept(listener: BorrowedFd<'_>) -> rustix::io::Result<(OwnedFd, Option<SocketAddrAny>)> {
    #[cfg(not(target_vendor = "apple"))]
    let accepted = rustix::net::acceptfrom_with(listener, FLAGS)?;
    #[cfg(target_vendor = "apple")]
    let accepted = {
        let (fd, peer) = rustix::net::acceptfrom(listener)?;
        set_flags(&fd)?;
        (fd, peer)
    };
    Ok(accepted)
}

/// `fcntl(F_SETFD, FD_CLOEXEC)` then `ioctl(FIONBIO, 1)`, for platforms
/// that cannot set them at creation.
#[cfg(target_vendor = "apple")]
fn set_flags(fd: &OwnedFd) -> rustix::io::Result<()> {
    rustix::io::fcntl_setfd(fd, rustix::io::FdFlags::CLOEXEC)?;
    rustix::io::ioctl_fionbio(fd, true)
}
