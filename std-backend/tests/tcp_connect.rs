//! Non-blocking connect, once per selector: completion is reported through
//! writability and read with `SO_ERROR`; a refused connection says so.

#[macro_use]
mod common;

use std::io::{ErrorKind, Read, Write};
use std::os::fd::AsFd;

use common::poll_until;
use eddy_core::{Backend, Interest, Token};
use eddy_std::{bind_sockets, connect, FinishError, StdBackend};
use rustix::fs::OFlags;

const C: Token = Token::new(5, 0);

for_each_backend!(
    connect_completes_through_writability,
    refused_connect_reports_connection_refused,
);

fn connect_completes_through_writability(mut backend: StdBackend) {
    let listener = bind_sockets("127.0.0.1:0".parse().unwrap(), 16, false).unwrap();
    let addr = listener.local_addr().unwrap();
    let connecting = connect(addr).unwrap();
    assert_eq!(connecting.addr(), addr);
    backend
        .register(connecting.as_fd(), C, Interest::WRITABLE)
        .unwrap();
    let ready = poll_until(&mut backend, C);
    assert!(ready.is_writable() && !ready.is_error(), "{ready:?}");
    backend.deregister(connecting.as_fd()).unwrap();
    let mut stream = connecting.finish().expect("connected");
    assert_eq!(stream.peer_addr().unwrap(), addr);
    assert!(rustix::fs::fcntl_getfl(&stream)
        .unwrap()
        .contains(OFlags::NONBLOCK));
    // It is a working connection.
    listener.set_nonblocking(false).unwrap();
    let (mut server, peer) = listener.accept().unwrap();
    assert_eq!(peer, stream.local_addr().unwrap());
    stream.write_all(b"hello").unwrap();
    let mut buf = [0; 5];
    server.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"hello");
}

fn refused_connect_reports_connection_refused(mut backend: StdBackend) {
    // A port that was just free: bound, then closed.
    let addr = bind_sockets("127.0.0.1:0".parse().unwrap(), 16, false)
        .unwrap()
        .local_addr()
        .unwrap();
    let connecting = match connect(addr) {
        Ok(c) => c,
        Err(e) => {
            // Some systems refuse a loopback connect synchronously.
            assert_eq!(e.kind(), ErrorKind::ConnectionRefused, "{e}");
            eprintln!("refused synchronously by connect(2)");
            return;
        }
    };
    backend
        .register(connecting.as_fd(), C, Interest::WRITABLE)
        .unwrap();
    let ready = poll_until(&mut backend, C);
    eprintln!("a refused connect is reported as {ready:?}");
    backend.deregister(connecting.as_fd()).unwrap();
    let err = connecting.finish().expect_err("the connection was refused");
    assert!(
        matches!(err, FinishError::Failed { addr: a, .. } if a == addr),
        "{err:?}"
    );
    assert_eq!(err.kind(), ErrorKind::ConnectionRefused, "{err}");
    let message = err.to_string();
    assert!(
        message.contains(&addr.to_string()) && message.contains("refused"),
        "{message}"
    );
}
