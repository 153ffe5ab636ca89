//! Listening sockets: [`bind_sockets`] for one address, [`bind_all`] for
//! every address a host name resolves to (Tornado's `bind_sockets`).
//!
//! Every listener is non-blocking, close-on-exec and has `SO_REUSEADDR`
//! set, so a restarted server can bind a port whose previous connections
//! are still in `TIME_WAIT` (`socket(7)`). It does **not** let two live
//! listeners share a port; `SO_REUSEPORT` (opt-in) does.
//!
//! # Dual stack, made explicit
//!
//! An IPv6 listener is always created with `IPV6_V6ONLY` set (`ipv6(7)`),
//! whatever the system default (`net.ipv6.bindv6only` on Linux, on by
//! default on the BSDs): `[::]:80` accepts IPv6 connections only, never
//! IPv4-mapped ones. To serve both families, bind both — `0.0.0.0:80` and
//! `[::]:80` — which is what [`bind_all`] does for the empty host name, and
//! what `V6ONLY` makes possible without a port conflict.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, ToSocketAddrs};

use rustix::io::Errno;
use rustix::net::sockopt;

use super::error::BindError;
use crate::sys::socket;

/// Tornado's default listen backlog (`_DEFAULT_BACKLOG`).
pub const DEFAULT_BACKLOG: u32 = 128;

/// A listening TCP socket bound to `addr`: non-blocking, close-on-exec,
/// `SO_REUSEADDR` set; with `reuse_port` also `SO_REUSEPORT` (several
/// listeners, in this process or others, share the port and the kernel
/// spreads connections among them).
///
/// An IPv6 `addr` always gets `IPV6_V6ONLY` (`ipv6(7)`), whatever the
/// system default (`net.ipv6.bindv6only` on Linux, on by default on the
/// BSDs): `[::]:80` accepts IPv6 connections only, never IPv4-mapped ones.
/// To serve both families, bind both — `0.0.0.0:80` and `[::]:80`, which
/// `V6ONLY` lets share the port, and which [`bind_all`] does for the host
/// `""`.
///
/// Port 0 picks a free port; read it back with
/// [`TcpListener::local_addr`].
///
/// `backlog` is `listen(2)`'s: the kernel caps it (`somaxconn`).
///
/// # Errors
/// [`BindError::Socket`] if the socket cannot be created (no support for
/// the family, out of fds); [`BindError::SetOption`] if an option is
/// refused; [`BindError::Bind`] if the address is in use, not configured
/// on this host, or needs privileges; [`BindError::Listen`] if `listen(2)`
/// fails. Each names the address and says what to do.
///
/// # Examples
///
/// ```
/// use eddy_std::{bind_sockets, DEFAULT_BACKLOG};
///
/// let listener = bind_sockets("127.0.0.1:0".parse()?, DEFAULT_BACKLOG, false)?;
/// let addr = listener.local_addr()?;
/// assert_ne!(addr.port(), 0);
/// // A second listener on the same address is refused, and says why.
/// let err = bind_sockets(addr, DEFAULT_BACKLOG, false).unwrap_err();
/// assert!(err.to_string().contains("is in use"), "{err}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn bind_sockets(addr: SocketAddr, backlog: u32, reuse_port: bool) -> Result<TcpListener, BindError> {
    let fd = socket::stream_socket(socket::family_of(&addr))
        .map_err(|source| BindError::Socket { addr, source })?;
    let option = |option: &'static str| {
        move |e: Errno| BindError::SetOption {
            addr,
            option,
            source: e.into(),
        }
    };
    // setsockopt(2) SO_REUSEADDR (socket(7)): rebind despite TIME_WAIT.
    sockopt::set_socket_reuseaddr(&fd, true).map_err(option("SO_REUSEADDR"))?;
    if reuse_port {
        // SO_REUSEPORT (socket(7)): every listener on the port must set it.
        sockopt::set_socket_reuseport(&fd, true).map_err(option("SO_REUSEPORT"))?;
    }
    if addr.is_ipv6() {
        // IPV6_V6ONLY (ipv6(7)): never accept IPv4-mapped connections.
        sockopt::set_ipv6_v6only(&fd, true).map_err(option("IPV6_V6ONLY"))?;
    }
    // bind(2): EADDRINUSE, EADDRNOTAVAIL, EACCES are explained by BindError.
    rustix::net::bind(&fd, &addr).map_err(|e| BindError::Bind {
        addr,
        source: e.into(),
    })?;
    // listen(2) takes an int; the kernel caps it at somaxconn anyway.
    let backlog = i32::try_from(backlog).unwrap_or(i32::MAX);
    rustix::net::listen(&fd, backlog).map_err(|e| BindError::Listen {
        addr,
        source: e.into(),
    })?;
    Ok(TcpListener::from(fd))
}

/// Listeners on every address `host` resolves to, all on one port, like
/// Tornado's `bind_sockets(port, address)`:
///
/// - `""` means every interface: `0.0.0.0` and `[::]` (two listeners, the
///   IPv6 one `V6ONLY`, see [`bind_sockets`]);
/// - otherwise `host` is a numeric address or a name resolved with
///   `getaddrinfo(3)`; each distinct address is bound once (a resolver may
///   list one address several times), IPv4 first;
/// - with `port` 0 the first listener picks a free port and the others
///   reuse it, so every family answers on the same port;
/// - like Tornado, addresses that cannot work on this host are skipped
///   rather than failing the whole call: a family the kernel does not
///   support (`EAFNOSUPPORT`, IPv6 disabled), `::1` for `localhost` when
///   IPv6 is not configured on the loopback, and link-local scoped IPv6
///   addresses of `localhost` (macOS lists `fe80::1%lo0`).
///
/// # Errors
/// [`BindError::Resolve`] if the name cannot be resolved or leaves no
/// address to bind; otherwise the first [`bind_sockets`] error that is not
/// skipped (the listeners already bound are closed).
///
/// # Examples
///
/// ```
/// use eddy_std::{bind_all, DEFAULT_BACKLOG};
///
/// let listeners = bind_all("127.0.0.1", 0, DEFAULT_BACKLOG, false)?;
/// assert_eq!(listeners.len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn bind_all(
    host: &str,
    port: u16,
    backlog: u32,
    reuse_port: bool,
) -> Result<Vec<TcpListener>, BindError> {
    let mut listeners: Vec<TcpListener> = Vec::new();
    let mut bound_port = None;
    for mut addr in resolve(host, port)? {
        if let (0, Some(p)) = (addr.port(), bound_port) {
            addr.set_port(p);
        }
        match bind_sockets(addr, backlog, reuse_port) {
            Ok(listener) => {
                bound_port = listener.local_addr().ok().map(|a| a.port());
                listeners.push(listener);
            }
            Err(e) if skippable(host, &e) => debug!("eddy-std: bind_all({host:?}) skips {addr}: {e}"),
            Err(e) => return Err(e),
        }
    }
    if listeners.is_empty() {
        return Err(BindError::Resolve {
            host: host.into(),
            source: io::Error::new(io::ErrorKind::NotFound, "no address of this host can be bound"),
        });
    }
    Ok(listeners)
}

/// The addresses to bind for `host`, deduplicated, IPv4 first.
fn resolve(host: &str, port: u16) -> Result<Vec<SocketAddr>, BindError> {
    if host.is_empty() {
        // getaddrinfo(NULL, port, AI_PASSIVE): the wildcard of each family.
        return Ok(vec![
            SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), port),
            SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), port),
        ]);
    }
    let resolve_error = |source| BindError::Resolve {
        host: host.into(),
        source,
    };
    // `(host, port)` parses numeric addresses itself, else getaddrinfo(3).
    let resolved = (host, port).to_socket_addrs().map_err(resolve_error)?;
    let mut addrs: Vec<SocketAddr> = Vec::new();
    for addr in resolved {
        let scoped = matches!(addr, SocketAddr::V6(a) if a.scope_id() != 0);
        let link_local_of_localhost = scoped && host == "localhost";
        if !link_local_of_localhost && !addrs.contains(&addr) {
            addrs.push(addr);
        }
    }
    // A stable sort: IPv4 first, the resolver's order within a family.
    addrs.sort_by_key(SocketAddr::is_ipv6);
    Ok(addrs)
}

/// Failures that mean "this address cannot work on this host", which
/// Tornado skips instead of failing the whole call.
fn skippable(host: &str, e: &BindError) -> bool {
    let errno = Errno::from_io_error(e.io_error());
    match e {
        BindError::Socket { .. } => errno == Some(Errno::AFNOSUPPORT),
        BindError::Bind { addr, .. } => {
            host == "localhost"
                && addr.ip() == IpAddr::V6(Ipv6Addr::LOCALHOST)
                && errno == Some(Errno::ADDRNOTAVAIL)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_empty_host_means_both_wildcards() {
        let addrs = resolve("", 80).unwrap();
        assert_eq!(addrs, ["0.0.0.0:80".parse().unwrap(), "[::]:80".parse().unwrap()]);
    }

    #[test]
    fn numeric_hosts_are_not_looked_up_and_v4_comes_first() {
        assert_eq!(resolve("::1", 8).unwrap(), ["[::1]:8".parse().unwrap()]);
        assert_eq!(resolve("10.0.0.1", 9).unwrap(), ["10.0.0.1:9".parse().unwrap()]);
    }

    #[test]
    fn only_unusable_addresses_are_skipped() {
        let v6 = "[::1]:1".parse().unwrap();
        let not_here = |addr| BindError::Bind {
            addr,
            source: Errno::ADDRNOTAVAIL.into(),
        };
        assert!(skippable("localhost", &not_here(v6)));
        assert!(!skippable("example.org", &not_here(v6)));
        assert!(!skippable("localhost", &not_here("127.0.0.1:1".parse().unwrap())));
        let in_use = BindError::Bind {
            addr: v6,
            source: Errno::ADDRINUSE.into(),
        };
        assert!(!skippable("localhost", &in_use));
        let no_family = BindError::Socket {
            addr: v6,
            source: Errno::AFNOSUPPORT.into(),
        };
        assert!(skippable("", &no_family));
    }
}
