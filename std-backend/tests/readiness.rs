//! Readiness on real fds: pipes, Unix socket pairs and TCP on loopback, run
//! once per selector (`native::*` and `poll::*`). No test sleeps: every wait
//! is a poll with a long timeout that readiness ends.

#[macro_use]
mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::time::Duration;

use common::{pipe, poll_now, poll_until, LONG};
use eddy_core::{Backend, Event, Interest, Token};
use eddy_std::{PollerKind, StdBackend, StdError};

const R: Token = Token::new(1, 0);
const W: Token = Token::new(2, 0);

for_each_backend!(
    pipe_readable_and_writable,
    read_closed_when_writer_dropped,
    write_side_reports_a_gone_reader,
    socketpair_hang_up_is_read_closed,
    tcp_peer_reset_is_error_or_read_closed,
    reregister_changes_interest_and_token,
    deregister_stops_events,
    register_errors_say_what_failed,
    small_buffer_gets_every_event_in_turn,
    timeout_is_never_early,
    empty_buffer_returns_at_once,
);

fn pipe_readable_and_writable(mut backend: StdBackend) {
    let (r, w) = pipe();
    backend.register(r.as_fd(), R, Interest::READABLE).unwrap();
    backend.register(w.as_fd(), W, Interest::WRITABLE).unwrap();

    let ready = poll_until(&mut backend, W);
    assert!(ready.is_writable() && !ready.is_write_closed(), "{ready}");
    assert!(
        !poll_now(&mut backend).iter().any(|e| e.token == R),
        "empty pipe reported readable"
    );

    rustix::io::write(&w, b"hello").unwrap();
    let ready = poll_until(&mut backend, R);
    assert!(ready.is_readable() && !ready.is_read_closed(), "{ready}");
    let mut buf = [0u8; 16];
    assert_eq!(rustix::io::read(&r, &mut buf).unwrap(), 5);
}

fn read_closed_when_writer_dropped(mut backend: StdBackend) {
    let (r, w) = pipe();
    backend.register(r.as_fd(), R, Interest::READABLE).unwrap();
    drop(w);
    let ready = poll_until(&mut backend, R);
    assert!(ready.is_read_closed(), "{ready}");
    assert!(
        ready.is_readable(),
        "a reader must be told to read its EOF: {ready}"
    );
}

fn write_side_reports_a_gone_reader(mut backend: StdBackend) {
    let (r, w) = pipe();
    backend.register(w.as_fd(), W, Interest::WRITABLE).unwrap();
    let _ = poll_until(&mut backend, W); // the initial writable edge
    drop(r);
    let ready = poll_until(&mut backend, W);
    assert!(ready.is_write_closed() || ready.is_error(), "{ready}");
}

fn socketpair_hang_up_is_read_closed(mut backend: StdBackend) {
    let (a, b) = UnixStream::pair().unwrap();
    b.set_nonblocking(true).unwrap();
    backend.register(b.as_fd(), R, Interest::READABLE).unwrap();
    drop(a);
    let ready = poll_until(&mut backend, R);
    assert!(ready.is_read_closed(), "{ready}");
}

fn tcp_peer_reset_is_error_or_read_closed(mut backend: StdBackend) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (server, _) = listener.accept().unwrap();
    server.set_nonblocking(true).unwrap();
    backend.register(server.as_fd(), R, Interest::READABLE).unwrap();
    // SO_LINGER with a zero timeout makes close(2) send RST (socket(7)).
    rustix::net::sockopt::set_socket_linger(&client, Some(Duration::ZERO)).unwrap();
    drop(client);
    let ready = poll_until(&mut backend, R);
    assert!(ready.is_error() || ready.is_read_closed(), "{ready}");
}

fn reregister_changes_interest_and_token(mut backend: StdBackend) {
    let (_a, b) = UnixStream::pair().unwrap();
    b.set_nonblocking(true).unwrap();
    backend.register(b.as_fd(), R, Interest::READABLE).unwrap();
    // Writable but nothing to read: with readable interest only, silence.
    assert_eq!(poll_now(&mut backend), []);

    backend.reregister(b.as_fd(), W, Interest::WRITABLE).unwrap();
    let ready = poll_until(&mut backend, W);
    assert!(ready.is_writable(), "{ready}");
    assert!(
        !poll_now(&mut backend).iter().any(|e| e.token == R),
        "old token still reported"
    );
}

fn deregister_stops_events(mut backend: StdBackend) {
    let (mut a, b) = UnixStream::pair().unwrap();
    b.set_nonblocking(true).unwrap();
    backend.register(b.as_fd(), R, Interest::READABLE).unwrap();
    backend.deregister(b.as_fd()).unwrap();
    a.write_all(b"ignored").unwrap();
    assert_eq!(poll_now(&mut backend), []);

    // Registering again works and sees the data that is already there.
    backend.register(b.as_fd(), W, Interest::READABLE).unwrap();
    assert!(poll_until(&mut backend, W).is_readable());
}

fn register_errors_say_what_failed(mut backend: StdBackend) {
    let (r, _w) = pipe();
    let reserved = Event::EMPTY.token;
    let err = backend
        .register(r.as_fd(), reserved, Interest::READABLE)
        .unwrap_err();
    assert!(matches!(err, StdError::Register(_)), "{err:?}");
    assert!(err.to_string().contains("reserved"), "{err}");

    assert!(matches!(
        backend.reregister(r.as_fd(), R, Interest::READABLE),
        Err(StdError::Reregister(_))
    ));
    assert!(matches!(
        backend.deregister(r.as_fd()),
        Err(StdError::Deregister(_))
    ));

    backend.register(r.as_fd(), R, Interest::READABLE).unwrap();
    if backend.kind() != PollerKind::Kqueue {
        // kqueue's EV_ADD updates an existing registration instead.
        assert!(matches!(
            backend.register(r.as_fd(), R, Interest::READABLE),
            Err(StdError::Register(_))
        ));
    }
    backend.deregister(r.as_fd()).unwrap();
}

fn small_buffer_gets_every_event_in_turn(mut backend: StdBackend) {
    let pipes: Vec<_> = (0..3).map(|_| pipe()).collect();
    for (i, (r, w)) in pipes.iter().enumerate() {
        backend
            .register(r.as_fd(), Token::new(i as u32, 0), Interest::READABLE)
            .unwrap();
        rustix::io::write(w, b"x").unwrap();
    }
    let mut seen = BTreeSet::new();
    let mut one = [Event::EMPTY; 1];
    for _ in 0..3 {
        assert_eq!(backend.poll(&mut one, Some(LONG)).unwrap(), 1);
        seen.insert(one[0].token.index());
    }
    assert_eq!(seen, BTreeSet::from([0, 1, 2]));
}

fn timeout_is_never_early(mut backend: StdBackend) {
    let (r, _w) = pipe();
    backend.register(r.as_fd(), R, Interest::READABLE).unwrap();
    let mut events = [Event::EMPTY; 4];
    let before = backend.now();
    // 1.5 ms rounds up to 2 ms; nothing is ready, so only the timeout ends it.
    assert_eq!(
        backend
            .poll(&mut events, Some(Duration::from_micros(1500)))
            .unwrap(),
        0
    );
    let waited = backend.now().saturating_duration_since(before);
    assert!(waited >= Duration::from_micros(1500), "returned after {waited:?}");
}

fn empty_buffer_returns_at_once(mut backend: StdBackend) {
    let (r, w) = pipe();
    backend.register(r.as_fd(), R, Interest::READABLE).unwrap();
    rustix::io::write(&w, b"x").unwrap();
    assert_eq!(backend.poll(&mut [], Some(LONG)).unwrap(), 0);
    // The edge was not consumed by the empty poll.
    assert!(poll_until(&mut backend, R).is_readable());
}

#[test]
fn kinds_are_what_the_build_promises() {
    let native = StdBackend::new().unwrap().kind();
    if cfg!(eddy_force_poll) {
        assert_eq!(native, PollerKind::Poll);
    } else {
        assert!(
            matches!(native, PollerKind::Epoll | PollerKind::Kqueue),
            "{native}"
        );
    }
    assert_eq!(StdBackend::with_poll().unwrap().kind(), PollerKind::Poll);
    assert_eq!(PollerKind::Epoll.to_string(), "epoll");
}
