//! The harness's own checks: a client connect completes into a working
//! transport, and the peers of stream pairs and connects carry bytes and
//! end of stream both ways.

use std::time::Duration;

use eddy_core::stream::{ConnectAttempt, IoSource};
use eddy_core::{Backend, Event, Interest, Token};

use super::SmolLoopback;
use crate::harness::{Harness, Peer, RecvError};

#[test]
fn a_connect_completes_and_carries_bytes_both_ways() {
    let mut b = SmolLoopback::backend();
    let (attempt, listener) = SmolLoopback::connect(&mut b);
    let token = Token::new(0, 0);
    b.register(
        ConnectAttempt::<super::SmolBackend>::source(&attempt),
        token,
        Interest::WRITABLE,
    )
    .unwrap();
    let mut events = [Event::EMPTY; 4];
    let n = b.poll(&mut events, Some(Duration::from_secs(1))).unwrap();
    assert_eq!((n, events[0].token), (1, token));
    assert!(events[0].ready.is_writable());
    let transport = match ConnectAttempt::<super::SmolBackend>::complete(attempt) {
        Ok(t) => t,
        Err(e) => panic!("connect did not complete: {e}"),
    };
    let mut peer = SmolLoopback::accept(&mut b, listener);
    let id = transport.id();
    assert_eq!(b.stack().borrow_mut().send(id, b"ping"), Ok(4));
    let mut buf = [0u8; 8];
    assert_eq!(peer.recv(&mut b, &mut buf), Ok(4));
    assert_eq!(&buf[..4], b"ping");
    peer.send(&mut b, b"pong");
    peer.close(&mut b);
    b.poll(&mut events, Some(Duration::from_millis(10))).unwrap();
    assert_eq!(b.stack().borrow_mut().recv(id, &mut buf), Ok(4));
    assert_eq!(
        b.stack().borrow_mut().recv(id, &mut buf),
        Ok(0),
        "end of stream after the peer's FIN"
    );
}

#[test]
fn a_stream_pair_peer_sees_a_reset() {
    let mut b = SmolLoopback::backend();
    let (transport, mut peer) = SmolLoopback::stream_pair(&mut b);
    let _source = IoSource::<super::SmolBackend>::source(&transport);
    b.stack().borrow_mut().abort(transport.id()).unwrap();
    super::pump(&b);
    assert_eq!(peer.recv(&mut b, &mut [0u8; 4]), Err(RecvError::Reset));
}
