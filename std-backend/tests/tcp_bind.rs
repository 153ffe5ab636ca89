//! Listening sockets: the flags and options every listener carries, IPv4
//! and IPv6 (`V6ONLY`, so both families can be bound on one port),
//! address-in-use errors that name the address, `SO_REUSEPORT`, and
//! `bind_all`'s resolution.

use std::collections::BTreeSet;
use std::io::ErrorKind;
use std::net::{SocketAddr, TcpListener, TcpStream};

use eddy_std::{bind_all, bind_sockets, Accepted, Acceptor, BindError, Drained, DEFAULT_BACKLOG};
use rustix::io::{Errno, FdFlags};
use rustix::net::sockopt;

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

#[track_caller]
fn assert_listener_flags(listener: &TcpListener) {
    assert!(
        rustix::io::fcntl_getfd(listener)
            .unwrap()
            .contains(FdFlags::CLOEXEC),
        "listener is not close-on-exec"
    );
    assert!(
        rustix::fs::fcntl_getfl(listener)
            .unwrap()
            .contains(rustix::fs::OFlags::NONBLOCK),
        "listener is blocking"
    );
    assert!(
        sockopt::socket_reuseaddr(listener).unwrap(),
        "SO_REUSEADDR is not set"
    );
    assert_eq!(listener.accept().unwrap_err().kind(), ErrorKind::WouldBlock);
}

/// `::1` may be missing (IPv6 disabled, or not configured on the loopback):
/// then the IPv6 tests say so and skip.
fn ipv6_missing(e: &BindError) -> bool {
    let errno = Errno::from_io_error(e.io_error());
    matches!(
        (e, errno),
        (BindError::Bind { .. }, Some(Errno::ADDRNOTAVAIL))
            | (BindError::Socket { .. }, Some(Errno::AFNOSUPPORT))
    )
}

#[test]
fn ipv4_listener_is_nonblocking_cloexec_and_reuses_addresses() {
    let listener = bind_sockets(addr("127.0.0.1:0"), DEFAULT_BACKLOG, false).unwrap();
    let local = listener.local_addr().unwrap();
    assert!(local.is_ipv4() && local.port() != 0, "{local}");
    assert_listener_flags(&listener);
    assert!(
        !sockopt::socket_reuseport(&listener).unwrap(),
        "SO_REUSEPORT set without asking"
    );
    // It listens: a client gets through.
    let _client = TcpStream::connect(local).unwrap();
    listener.set_nonblocking(false).unwrap();
    let (_, peer) = listener.accept().unwrap();
    assert!(peer.ip().is_loopback());
}

#[test]
fn ipv6_listener_is_v6_only_so_both_families_share_a_port() {
    let v6 = match bind_sockets(addr("[::]:0"), DEFAULT_BACKLOG, false) {
        Ok(l) => l,
        Err(e) if ipv6_missing(&e) => {
            eprintln!("SKIPPED: IPv6 is not available on this host ({e})");
            return;
        }
        Err(e) => panic!("{e}"),
    };
    assert_listener_flags(&v6);
    assert!(sockopt::ipv6_v6only(&v6).unwrap(), "IPV6_V6ONLY is not set");
    let port = v6.local_addr().unwrap().port();
    // Without V6ONLY (Linux's default), [::]:port would own the IPv4 port
    // too and this bind would fail with EADDRINUSE.
    let v4 = bind_sockets(
        SocketAddr::new("0.0.0.0".parse().unwrap(), port),
        DEFAULT_BACKLOG,
        false,
    )
    .expect("IPv4 wildcard on the IPv6 listener's port");
    for l in [&v6, &v4] {
        l.set_nonblocking(false).unwrap();
    }
    // Each family reaches its own listener.
    let _c4 = TcpStream::connect(("127.0.0.1", port)).unwrap();
    assert!(v4.accept().unwrap().1.is_ipv4());
    match TcpStream::connect(("::1", port)) {
        Ok(_c6) => assert!(v6.accept().unwrap().1.is_ipv6()),
        Err(e) => eprintln!("SKIPPED the IPv6 connect: ::1 is not configured ({e})"),
    }
}

#[test]
fn ipv6_loopback_listener() {
    let listener = match bind_sockets(addr("[::1]:0"), DEFAULT_BACKLOG, false) {
        Ok(l) => l,
        Err(e) if ipv6_missing(&e) => {
            eprintln!("SKIPPED: ::1 is not configured on this host ({e})");
            return;
        }
        Err(e) => panic!("{e}"),
    };
    assert_listener_flags(&listener);
    assert!(sockopt::ipv6_v6only(&listener).unwrap());
    let local = listener.local_addr().unwrap();
    assert_eq!(local.ip(), addr("[::1]:0").ip());
    let _client = TcpStream::connect(local).unwrap();
    listener.set_nonblocking(false).unwrap();
    assert!(listener.accept().unwrap().1.is_ipv6());
}

#[test]
fn address_in_use_is_a_bind_error_naming_the_address() {
    let first = bind_sockets(addr("127.0.0.1:0"), DEFAULT_BACKLOG, false).unwrap();
    let taken = first.local_addr().unwrap();
    let err = bind_sockets(taken, DEFAULT_BACKLOG, false).unwrap_err();
    match &err {
        BindError::Bind { addr, source } => {
            assert_eq!(*addr, taken);
            assert_eq!(source.kind(), ErrorKind::AddrInUse);
        }
        other => panic!("expected BindError::Bind, got {other:?}"),
    }
    let message = err.to_string();
    assert!(message.contains(&taken.to_string()), "{message}");
    assert!(
        message.contains("is in use") && message.contains("pick another"),
        "{message}"
    );
    // SO_REUSEPORT on the newcomer alone does not take over a port either.
    let err = bind_sockets(taken, DEFAULT_BACKLOG, true).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AddrInUse, "{err}");
}

#[test]
fn reuse_port_lets_two_listeners_share_a_port() {
    let a = bind_sockets(addr("127.0.0.1:0"), DEFAULT_BACKLOG, true).unwrap();
    let shared = a.local_addr().unwrap();
    let b = bind_sockets(shared, DEFAULT_BACKLOG, true).expect("second SO_REUSEPORT listener");
    for l in [&a, &b] {
        assert!(sockopt::socket_reuseport(l).unwrap(), "SO_REUSEPORT is not set");
    }
    assert_eq!(b.local_addr().unwrap(), shared);
    // A listener without the option is still refused.
    assert_eq!(
        bind_sockets(shared, DEFAULT_BACKLOG, false).unwrap_err().kind(),
        ErrorKind::AddrInUse
    );
    // Both are live: every connection lands in one of their queues (a
    // blocking connect returns once its connection is queued).
    const N: usize = 16;
    let clients: Vec<TcpStream> = (0..N).map(|_| TcpStream::connect(shared).unwrap()).collect();
    let mut total = 0;
    for l in [a, b] {
        let mut acceptor = Acceptor::new(l);
        let end = acceptor.drain(|_, _| {
            total += 1;
            Accepted::Keep
        });
        assert!(matches!(end, Drained::Empty), "{end:?}");
    }
    assert_eq!(total, clients.len());
}

#[test]
fn bind_all_binds_each_family_of_the_wildcard_on_one_port() {
    let listeners = bind_all("", 0, DEFAULT_BACKLOG, false).unwrap();
    let addrs: Vec<SocketAddr> = listeners.iter().map(|l| l.local_addr().unwrap()).collect();
    assert!(addrs[0].is_ipv4() && addrs[0].ip().is_unspecified(), "{addrs:?}");
    let ports: BTreeSet<u16> = addrs.iter().map(SocketAddr::port).collect();
    assert_eq!(ports.len(), 1, "one port for every family: {addrs:?}");
    match addrs.get(1) {
        Some(v6) => {
            assert!(v6.is_ipv6() && v6.ip().is_unspecified(), "{addrs:?}");
            assert_eq!(addrs.len(), 2, "{addrs:?}");
        }
        None => eprintln!("IPv6 not supported here: bound {addrs:?} only"),
    }
    for l in &listeners {
        assert_listener_flags(l);
    }
}

#[test]
fn bind_all_binds_each_address_of_localhost_once() {
    let listeners = bind_all("localhost", 0, DEFAULT_BACKLOG, false).unwrap();
    let addrs: Vec<SocketAddr> = listeners.iter().map(|l| l.local_addr().unwrap()).collect();
    assert!(addrs.iter().all(|a| a.ip().is_loopback()), "{addrs:?}");
    let distinct: BTreeSet<SocketAddr> = addrs.iter().copied().collect();
    assert_eq!(
        distinct.len(),
        addrs.len(),
        "an address was bound twice: {addrs:?}"
    );
    let ports: BTreeSet<u16> = addrs.iter().map(SocketAddr::port).collect();
    assert_eq!(ports.len(), 1, "{addrs:?}");
    assert!(addrs[0].is_ipv4(), "IPv4 first: {addrs:?}");
}

#[test]
fn an_unresolvable_host_is_a_resolve_error() {
    // RFC 6761: names under .invalid never resolve.
    let err = bind_all("no-such-host.invalid", 0, DEFAULT_BACKLOG, false).unwrap_err();
    assert!(
        matches!(err, BindError::Resolve { ref host, .. } if host == "no-such-host.invalid"),
        "{err:?}"
    );
    assert!(err.to_string().contains("no-such-host.invalid"), "{err}");
}
