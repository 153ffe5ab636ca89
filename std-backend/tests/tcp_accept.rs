//! Accepting through the reactor glue (`TcpHost` + `start_accepting`), once
//! per selector: a burst drained in one readiness, pausing and resuming a
//! server at its limit, stopping. Synchronised on the reactor only.

#[macro_use]
mod common;

use std::collections::BTreeSet;
use std::io::{ErrorKind, Read};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use common::LONG;
use eddy_core::{Callback, CallbackResult};
use eddy_std::{
    bind_sockets, pause_accepting, resume_accepting, start_accepting, stop_accepting, Accepted, Acceptor,
    StdBackend, StdReactor, TcpHost,
};
use rustix::io::FdFlags;

type Loop = StdReactor<Server, 8, 8, 8, 16>;

struct Server {
    acceptor: Acceptor,
    conns: Vec<(TcpStream, SocketAddr)>,
    /// `on_accept` asks to pause once this many connections are open.
    limit: usize,
    /// Set by a reactor timer: "some loop time has passed".
    ticked: bool,
}

impl TcpHost<Loop> for Server {
    fn acceptor(&mut self, listener: usize) -> &mut Acceptor {
        assert_eq!(listener, 0);
        &mut self.acceptor
    }

    fn on_accept(&mut self, _: &mut Loop, stream: TcpStream, peer: SocketAddr, _: usize) -> Accepted {
        self.conns.push((stream, peer));
        if self.conns.len() >= self.limit {
            Accepted::PauseAccepting
        } else {
            Accepted::Keep
        }
    }
}

fn setup(backend: StdBackend, limit: usize) -> (Loop, Server, SocketAddr) {
    let listener = bind_sockets("127.0.0.1:0".parse().unwrap(), 128, false).unwrap();
    let addr = listener.local_addr().unwrap();
    let server = Server {
        acceptor: Acceptor::new(listener),
        conns: Vec::new(),
        limit,
        ticked: false,
    };
    (Loop::new(backend), server, addr)
}

/// Runs the loop for `d` of reactor time.
fn run_for(r: &mut Loop, s: &mut Server, d: Duration) {
    fn tick(s: &mut Server, _: &mut Loop, _: usize) -> CallbackResult {
        s.ticked = true;
        Ok(())
    }
    s.ticked = false;
    r.call_later(d, Callback::new(tick, 0)).unwrap();
    r.run_until(s, Some(LONG), |s| s.ticked).unwrap();
}

for_each_backend!(
    a_burst_of_connects_is_drained_in_one_readiness,
    pause_and_resume_hold_a_server_at_its_limit,
    stop_accepting_deregisters_and_start_again_accepts_the_queue,
);

fn a_burst_of_connects_is_drained_in_one_readiness(backend: StdBackend) {
    const N: usize = 50;
    let (mut r, mut s, addr) = setup(backend, usize::MAX);
    start_accepting(&mut s, &mut r, 0).unwrap();
    // Each blocking connect returns once its connection is queued, so all
    // 50 wait in the backlog before the loop first polls.
    let clients: Vec<TcpStream> = (0..N).map(|_| TcpStream::connect(addr).unwrap()).collect();
    r.run_until(&mut s, Some(LONG), |s| s.conns.len() == N).unwrap();
    assert_eq!(
        r.stats().events,
        1,
        "the burst took more than one readiness: {:?}",
        r.stats()
    );
    assert_eq!(s.acceptor.stats().accepted, N as u64);
    assert!(s.acceptor.is_accepting());
    // The peers are the clients, and every stream is non-blocking and
    // close-on-exec.
    let peers: BTreeSet<SocketAddr> = s.conns.iter().map(|(_, p)| *p).collect();
    let locals: BTreeSet<SocketAddr> = clients.iter().map(|c| c.local_addr().unwrap()).collect();
    assert_eq!(peers, locals);
    for (stream, _) in &mut s.conns {
        assert_eq!(
            stream.read(&mut [0; 8]).unwrap_err().kind(),
            ErrorKind::WouldBlock
        );
        assert!(rustix::io::fcntl_getfd(&*stream)
            .unwrap()
            .contains(FdFlags::CLOEXEC));
    }
}

fn pause_and_resume_hold_a_server_at_its_limit(backend: StdBackend) {
    let (mut r, mut s, addr) = setup(backend, 3);
    start_accepting(&mut s, &mut r, 0).unwrap();
    let _clients: Vec<TcpStream> = (0..6).map(|_| TcpStream::connect(addr).unwrap()).collect();
    r.run_until(&mut s, Some(LONG), |s| s.conns.len() == 3).unwrap();
    assert!(s.acceptor.is_held() && !s.acceptor.is_accepting());
    assert_eq!(r.handlers(), 0, "a held listener must be deregistered");
    // Three connections wait in the queue, yet nothing is accepted, and the
    // loop is not busy with the listener (no events at all).
    let events = r.stats().events;
    run_for(&mut r, &mut s, Duration::from_millis(100));
    assert_eq!(s.conns.len(), 3);
    assert_eq!(r.stats().events, events, "a held listener still produced events");
    // A connection closes: under the limit again (2 open, limit 4).
    s.conns.pop();
    s.limit = 4;
    resume_accepting(&mut s, &mut r, 0).unwrap();
    assert!(s.acceptor.is_accepting() && !s.acceptor.is_held());
    // The queue is drained without any new connection arriving, up to the
    // limit, which holds the server again.
    r.run_until(&mut s, Some(LONG), |s| s.conns.len() == 4).unwrap();
    assert!(s.acceptor.is_held() && r.handlers() == 0);
    assert_eq!(s.acceptor.stats().accepted, 5);
    // Pausing from outside works the same; resuming takes the last one.
    s.limit = usize::MAX;
    resume_accepting(&mut s, &mut r, 0).unwrap();
    pause_accepting(&mut s, &mut r, 0).unwrap();
    assert!(s.acceptor.is_held() && r.handlers() == 0);
    resume_accepting(&mut s, &mut r, 0).unwrap();
    r.run_until(&mut s, Some(LONG), |s| s.acceptor.stats().accepted == 6)
        .unwrap();
    assert!(s.acceptor.is_accepting());
}

fn stop_accepting_deregisters_and_start_again_accepts_the_queue(backend: StdBackend) {
    let (mut r, mut s, addr) = setup(backend, usize::MAX);
    start_accepting(&mut s, &mut r, 0).unwrap();
    start_accepting(&mut s, &mut r, 0).unwrap(); // idempotent
    assert_eq!(r.handlers(), 1);
    stop_accepting(&mut s, &mut r, 0).unwrap();
    assert_eq!(r.handlers(), 0);
    assert!(!s.acceptor.is_accepting());
    let _clients: Vec<TcpStream> = (0..2).map(|_| TcpStream::connect(addr).unwrap()).collect();
    run_for(&mut r, &mut s, Duration::from_millis(50));
    assert!(s.conns.is_empty(), "a stopped acceptor accepted");
    start_accepting(&mut s, &mut r, 0).unwrap();
    r.run_until(&mut s, Some(LONG), |s| s.conns.len() == 2).unwrap();
}
