//! The async style over each backend: a line echo whose client is another
//! task on the same runtime, and the TCP client connect (connect to a
//! listener, exchange, close).

use core::cell::RefCell;
use core::future::poll_fn;
use core::pin::pin;
use core::task::Poll;

use eddy_core::stream::{AsyncStream, CloseReason, ReadError};
use eddy_core::task::{Runtime, RuntimeHandle, TaskPool};

use crate::harness::{Harness, Peer};
use crate::suite::PATIENCE;

type Rt<H> = Runtime<<H as Harness>::Backend, (), 4, 16, 16, 16, 16>;
type Stream<'r, H> = AsyncStream<'r, <H as Harness>::Backend, <H as Harness>::Transport, 128, 128>;

/// Lets the reactor run once before the task goes on.
async fn yield_now(rt: &dyn RuntimeHandle) {
    let mut yielded = false;
    poll_fn(|_| {
        if yielded {
            return Poll::Ready(());
        }
        yielded = true;
        if let Some(me) = rt.current_task() {
            rt.wake(me);
        }
        Poll::Pending
    })
    .await;
}

/// Reads `n` bytes (or up to end of stream) on the peer.
fn peer_read<H: Harness>(rt: &Rt<H>, peer: &mut H::Peer, n: usize) -> Vec<u8> {
    let mut got = Vec::new();
    let mut buf = [0u8; 512];
    while got.len() < n {
        let mut reactor = rt.reactor().expect("called from a task");
        match peer.recv(reactor.backend_mut(), &mut buf) {
            Ok(0) | Err(_) => break,
            Ok(k) => got.extend_from_slice(&buf[..k]),
        }
    }
    got
}

/// `read_until(..).await` over the backend's transport: lines sent in
/// pieces by a peer task come back upper-cased, and the echo ends at the
/// peer's end of file with `PeerClosed`.
pub fn stream_async_echo_over_the_backend<H: Harness>() {
    let rt = Rt::<H>::new(H::backend(), ());
    let (transport, peer) = {
        let mut r = rt.reactor().unwrap();
        H::stream_pair(r.backend_mut())
    };
    let peer = RefCell::new(peer);
    let pieces: [&[u8]; 6] = [b"hel", b"lo\nwor", b"ld\n", b"a", b"sync\n", b"!\n"];
    let slots = [pin!(None)];
    let pool = TaskPool::new(&rt, slots).unwrap();
    let (rtr, peerr) = (&rt, &peer);
    pool.spawn(&rt, async move {
        for piece in pieces {
            {
                let mut r = rtr.reactor().unwrap();
                peerr.borrow_mut().send(r.backend_mut(), piece);
            }
            yield_now(rtr).await;
        }
        let mut r = rtr.reactor().unwrap();
        peerr.borrow_mut().close(r.backend_mut());
    })
    .unwrap();
    let (lines, end) = rt
        .block_on(
            &[&pool],
            async {
                let mut s: Stream<'_, H> = AsyncStream::new(&rt, transport);
                let mut lines = 0;
                let end = loop {
                    let line = match s.read_until(b"\n", 128).await {
                        Ok(line) => line,
                        Err(e) => break e,
                    };
                    let upper = s.data(&line).to_ascii_uppercase();
                    s.consume(line).unwrap();
                    s.write_all(&upper).await.unwrap();
                    s.flush().await.unwrap();
                    lines += 1;
                };
                assert_eq!(s.poll_close(), Some(CloseReason::PeerClosed));
                (lines, end)
            },
            Some(PATIENCE),
        )
        .expect("the echo finished");
    assert_eq!((lines, end), (4, ReadError::Closed(CloseReason::PeerClosed)));
    let got = rt
        .block_on(
            &[],
            async { peer_read::<H>(&rt, &mut peer.borrow_mut(), 22) },
            Some(PATIENCE),
        )
        .unwrap();
    assert_eq!(got, b"HELLO\nWORLD\nASYNC\n!\n");
}

/// The TCP client: connect to a listener, exchange a line each way, close;
/// the server's end then reads end of stream.
pub fn stream_client_connects_exchanges_and_closes<H: Harness>() {
    let rt = Rt::<H>::new(H::backend(), ());
    let (attempt, listener) = {
        let mut r = rt.reactor().unwrap();
        H::connect(r.backend_mut())
    };
    let (request, reply, eof) = rt
        .block_on(
            &[],
            async {
                let mut s: Stream<'_, H> = AsyncStream::connect(&rt, attempt)
                    .await
                    .unwrap_or_else(|_| panic!("connect failed"));
                let mut server = {
                    let mut r = rt.reactor().unwrap();
                    H::accept(r.backend_mut(), listener)
                };
                s.write_all(b"ping\n").await.unwrap();
                s.flush().await.unwrap();
                let request = peer_read::<H>(&rt, &mut server, 5);
                {
                    let mut r = rt.reactor().unwrap();
                    server.send(r.backend_mut(), b"pong\n");
                }
                let line = s.read_until(b"\n", 128).await.unwrap();
                let reply = s.data(&line).to_vec();
                s.consume(line).unwrap();
                assert_eq!(s.close(), Some(CloseReason::Local));
                drop(s);
                let mut byte = [0u8; 1];
                let eof = {
                    let mut r = rt.reactor().unwrap();
                    server.recv(r.backend_mut(), &mut byte)
                };
                (request, reply, eof)
            },
            Some(PATIENCE),
        )
        .expect("the exchange finished");
    assert_eq!(request, b"ping\n");
    assert_eq!(reply, b"pong\n");
    assert_eq!(
        eof,
        Ok(0),
        "the server reads end of stream once the stream is dropped"
    );
    assert_eq!(rt.reactor().unwrap().handlers(), 0, "nothing left registered");
}

/// Between operations a stream is not registered: bytes that arrive while
/// its task awaits something else (a timer) produce no events, even on the
/// level-triggered poll(2) backend, and are read by the next operation.
pub fn stream_async_idle_stream_stays_quiet<H: Harness>() {
    let rt = Rt::<H>::new(H::backend(), ());
    let (transport, mut peer) = {
        let mut r = rt.reactor().unwrap();
        H::stream_pair(r.backend_mut())
    };
    let (events_while_idle, second) = rt
        .block_on(
            &[],
            async {
                let mut s: Stream<'_, H> = AsyncStream::new(&rt, transport);
                {
                    let mut r = rt.reactor().unwrap();
                    peer.send(r.backend_mut(), b"first\n");
                }
                let line = s.read_until(b"\n", 128).await.unwrap();
                s.consume(line).unwrap();
                let before = {
                    let mut r = rt.reactor().unwrap();
                    peer.send(r.backend_mut(), b"second\n");
                    r.stats().events
                };
                rt.sleep(core::time::Duration::from_millis(10)).await;
                let idle = rt.reactor().unwrap().stats().events - before;
                let line = s.read_until(b"\n", 128).await.unwrap();
                (idle, s.data(&line).to_vec())
            },
            Some(PATIENCE),
        )
        .expect("both lines were read");
    assert_eq!(events_while_idle, 0, "an idle stream is not registered");
    assert_eq!(second, b"second\n");
}
