//! The suite's harness for `eddy-std`: pairs are TCP connections over
//! 127.0.0.1, the local end non-blocking and registered, the remote end an
//! ordinary blocking socket the test writes to.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::fd::{AsFd, BorrowedFd};
use std::time::Duration;

use eddy_std::{Connecting, StdBackend, TcpTransport};

use crate::harness::{Harness, Pair, Peer, RecvError};
use crate::suite::PATIENCE;

/// `eddy-std` with the platform's default poller (epoll on Linux, kqueue on
/// macOS/BSD; `poll(2)` when built with `--cfg eddy_force_poll`).
#[derive(Debug)]
pub struct StdDefault;

/// `eddy-std` with the `poll(2)` fallback chosen at run time.
#[derive(Debug)]
pub struct StdPoll;

/// A TCP connection on loopback.
#[derive(Debug)]
pub struct TcpPair {
    local: TcpStream,
    remote: Option<TcpStream>,
}

/// A connected loopback pair: `(local, remote)`.
pub fn tcp_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let remote = TcpStream::connect(listener.local_addr().unwrap()).expect("connect loopback");
    let (local, _) = listener.accept().expect("accept loopback");
    local.set_nonblocking(true).unwrap();
    remote.set_nodelay(true).unwrap();
    (local, remote)
}

impl TcpPair {
    fn remote(&mut self) -> &mut TcpStream {
        self.remote.as_mut().expect("remote end already closed")
    }
}

impl Pair<StdBackend> for TcpPair {
    fn source(&self) -> BorrowedFd<'_> {
        self.local.as_fd()
    }

    fn send(&mut self, _: &mut StdBackend, data: &[u8]) {
        self.remote().write_all(data).expect("remote write");
    }

    fn recv(&mut self, _: &mut StdBackend, buf: &mut [u8]) -> Result<usize, RecvError> {
        match self.local.read(buf) {
            Ok(n) => Ok(n),
            Err(e) if e.kind() == ErrorKind::WouldBlock => Err(RecvError::WouldBlock),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => Err(RecvError::Reset),
            Err(e) => panic!("unexpected read error: {e}"),
        }
    }

    fn close_remote(&mut self, _: &mut StdBackend) {
        self.remote().shutdown(Shutdown::Write).expect("remote shutdown");
    }

    fn reset_remote(&mut self, _: &mut StdBackend) {
        let remote = self.remote.take().expect("remote end already closed");
        // SO_LINGER with a zero timeout turns close(2) into an RST.
        rustix::net::sockopt::set_socket_linger(&remote, Some(Duration::ZERO)).expect("SO_LINGER");
        drop(remote);
    }
}

/// The remote end of a stream pair: a blocking socket whose reads and
/// writes give up after [`PATIENCE`] (a bound for a failing test, never a
/// synchronisation).
#[derive(Debug)]
pub struct TcpPeer {
    stream: Option<TcpStream>,
}

impl TcpPeer {
    /// Wraps the remote end of a connection.
    pub fn new(stream: TcpStream) -> TcpPeer {
        stream.set_nodelay(true).expect("TCP_NODELAY");
        stream.set_read_timeout(Some(PATIENCE)).expect("SO_RCVTIMEO");
        stream.set_write_timeout(Some(PATIENCE)).expect("SO_SNDTIMEO");
        TcpPeer { stream: Some(stream) }
    }

    fn stream(&mut self) -> &mut TcpStream {
        self.stream.as_mut().expect("peer already reset")
    }
}

impl Peer<StdBackend> for TcpPeer {
    fn send(&mut self, _: &mut StdBackend, data: &[u8]) {
        self.stream().write_all(data).expect("peer write");
    }

    fn recv(&mut self, _: &mut StdBackend, buf: &mut [u8]) -> Result<usize, RecvError> {
        match self.stream().read(buf) {
            Ok(n) => Ok(n),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                Err(RecvError::WouldBlock)
            }
            Err(e) if e.kind() == ErrorKind::ConnectionReset => Err(RecvError::Reset),
            Err(e) => panic!("unexpected peer read error: {e}"),
        }
    }

    fn close(&mut self, _: &mut StdBackend) {
        self.stream().shutdown(Shutdown::Write).expect("peer shutdown");
    }

    fn reset(&mut self, _: &mut StdBackend) {
        let stream = self.stream.take().expect("peer already reset");
        // SO_LINGER with a zero timeout turns close(2) into an RST.
        rustix::net::sockopt::set_socket_linger(&stream, Some(Duration::ZERO)).expect("SO_LINGER");
        drop(stream);
    }
}

fn tcp_stream_pair() -> (TcpTransport, TcpPeer) {
    let (local, remote) = tcp_pair();
    (
        TcpTransport::new(local).expect("non-blocking"),
        TcpPeer::new(remote),
    )
}

fn tcp_connect() -> (Connecting, TcpListener) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let connecting = eddy_std::connect(listener.local_addr().unwrap()).expect("start connecting");
    (connecting, listener)
}

fn tcp_accept(listener: TcpListener) -> TcpPeer {
    let (stream, _) = listener.accept().expect("accept loopback");
    TcpPeer::new(stream)
}

impl Harness for StdDefault {
    type Backend = StdBackend;
    type Pair = TcpPair;
    type Transport = TcpTransport;
    type Peer = TcpPeer;
    type Connecting = Connecting;
    type Listener = TcpListener;

    fn backend() -> StdBackend {
        StdBackend::new().expect("create the default poller")
    }

    fn pair(_: &mut StdBackend) -> TcpPair {
        let (local, remote) = tcp_pair();
        TcpPair {
            local,
            remote: Some(remote),
        }
    }

    fn stream_pair(_: &mut StdBackend) -> (TcpTransport, TcpPeer) {
        tcp_stream_pair()
    }

    fn connect(_: &mut StdBackend) -> (Connecting, TcpListener) {
        tcp_connect()
    }

    fn accept(_: &mut StdBackend, listener: TcpListener) -> TcpPeer {
        tcp_accept(listener)
    }
}

impl Harness for StdPoll {
    type Backend = StdBackend;
    type Pair = TcpPair;
    type Transport = TcpTransport;
    type Peer = TcpPeer;
    type Connecting = Connecting;
    type Listener = TcpListener;

    fn backend() -> StdBackend {
        StdBackend::with_poll().expect("create the poll(2) poller")
    }

    fn pair(backend: &mut StdBackend) -> TcpPair {
        StdDefault::pair(backend)
    }

    fn stream_pair(_: &mut StdBackend) -> (TcpTransport, TcpPeer) {
        tcp_stream_pair()
    }

    fn connect(_: &mut StdBackend) -> (Connecting, TcpListener) {
        tcp_connect()
    }

    fn accept(_: &mut StdBackend, listener: TcpListener) -> TcpPeer {
        tcp_accept(listener)
    }
}
