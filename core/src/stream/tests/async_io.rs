//! The async stream on the simulated runtime: readiness events wake the
//! waiting task, registrations follow the waiting operation, every read
//! mode, backpressure, flush, cancellation and a full handler table.
//!
//! The peer is a second task (or the test between runs) that queues bytes in
//! the shared [`MemTransport`] and scripts the readiness a socket would
//! report.

use core::cell::RefCell;
use core::pin::pin;
use core::time::Duration;
use std::vec::Vec;

use crate::event::Ready;
use crate::reactor::RunError;
use crate::sim::{SimBackend, SimSource, SimTransport};
use crate::stream::{AsyncStream, CloseReason, MemTransport, ReadError, WriteError};
use crate::task::{with_timeout, Runtime, RuntimeHandle, TaskPool, TimedOut};
use crate::time::Instant;

type Rt = Runtime<SimBackend, (), 4, 8, 8, 4, 8>;
type Pipe = RefCell<MemTransport<256>>;
type Stream<'r, 'p> = AsyncStream<'r, SimBackend, SimTransport<&'p Pipe>, 64, 32>;

const SRC: SimSource = SimSource(7);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// The peer sends `bytes` and the source becomes readable.
fn arrive(rt: &Rt, pipe: &Pipe, bytes: &[u8]) {
    pipe.borrow_mut().peer_send(bytes).unwrap();
    rt.reactor()
        .unwrap()
        .backend_mut()
        .ready_now(SRC, Ready::READABLE)
        .unwrap();
}

#[test]
fn a_readiness_event_wakes_the_task_waiting_on_the_stream() {
    let rt = Rt::new(SimBackend::new(), ());
    let pipe = Pipe::new(MemTransport::new());
    let slots = [pin!(None)];
    let pool = TaskPool::new(&rt, slots).unwrap();
    let (rtr, piper) = (&rt, &pipe);
    pool.spawn(&rt, async move {
        rtr.sleep(ms(10)).await;
        arrive(rtr, piper, b"hel");
        rtr.sleep(ms(10)).await;
        arrive(rtr, piper, b"lo\nrest");
    })
    .unwrap();
    let (line, at, registered) = rt
        .block_on(
            &[&pool],
            async {
                let mut s: Stream = AsyncStream::new(&rt, SimTransport::new(&pipe, SRC));
                let line = s.read_until(b"\n", 64).await.unwrap();
                let text = s.data(&line).to_vec();
                s.consume(line).unwrap();
                let registered = rt.reactor().unwrap().handlers();
                assert_eq!(s.get_ref().buffered(), b"rest");
                (text, rt.now(), registered)
            },
            None,
        )
        .unwrap();
    assert_eq!(line, b"hello\n");
    assert_eq!(at, Instant::from_millis(20), "woken by the second arrival");
    assert_eq!(registered, 0, "the registration ends with the wait");
}

#[test]
fn without_a_readiness_event_the_task_stays_asleep() {
    let rt = Rt::new(SimBackend::new(), ());
    let pipe = Pipe::new(MemTransport::new());
    let slots = [pin!(None)];
    let pool = TaskPool::new(&rt, slots).unwrap();
    let piper = &pipe;
    let rtr = &rt;
    pool.spawn(&rt, async move {
        rtr.sleep(ms(10)).await;
        // Bytes arrive but no event says so.
        piper.borrow_mut().peer_send(b"line\n").unwrap();
    })
    .unwrap();
    let res = rt.block_on(
        &[&pool],
        async {
            let mut s: Stream = AsyncStream::new(&rt, SimTransport::new(&pipe, SRC));
            s.read_until(b"\n", 64).await.map(|_| ())
        },
        Some(ms(1000)),
    );
    assert!(matches!(res, Err(RunError::TimedOut)));
}

#[test]
fn every_read_mode_completes_and_end_of_file_finishes_the_read_side() {
    let rt = Rt::new(SimBackend::new(), ());
    let pipe = Pipe::new(MemTransport::new());
    for chunk in [&b"GET /\r"[..], b"\n\r\n", b"12345", b"678", b"tail"] {
        pipe.borrow_mut().peer_send(chunk).unwrap();
    }
    pipe.borrow_mut().peer_close();
    let got = rt
        .block_on(
            &[],
            async {
                let mut s: Stream = AsyncStream::new(&rt, SimTransport::new(&pipe, SRC));
                let mut got: Vec<Vec<u8>> = Vec::new();
                let d = s.read_until(b"\r\n\r\n", 64).await.unwrap();
                got.push(s.data(&d).to_vec());
                s.consume(d).unwrap();
                let d = s.read_exact(4).await.unwrap();
                got.push(s.data(&d).to_vec());
                s.consume(d).unwrap();
                let d = s.read_chunk(2).await.unwrap();
                got.push(s.data(&d).to_vec());
                s.consume(d).unwrap();
                let d = s.read_until_close().await.unwrap();
                got.push(s.data(&d).to_vec());
                s.consume(d).unwrap();
                let after = s.read_some().await;
                (got, after, s.poll_close(), s.poll_close())
            },
            Some(ms(1000)),
        )
        .unwrap();
    assert_eq!(got.0, [&b"GET /\r\n\r\n"[..], b"1234", b"56", b"78tail"]);
    assert_eq!(got.1, Err(ReadError::Closed(CloseReason::PeerClosed)));
    assert_eq!(
        (got.2, got.3),
        (Some(CloseReason::PeerClosed), None),
        "close reported once"
    );
}

#[test]
fn unsatisfiable_and_over_limit_reads_are_typed_errors() {
    let rt = Rt::new(SimBackend::new(), ());
    let pipe = Pipe::new(MemTransport::new());
    pipe.borrow_mut()
        .peer_send(b"a line that is far too long\n")
        .unwrap();
    let res = rt
        .block_on(
            &[],
            async {
                let mut s: Stream = AsyncStream::new(&rt, SimTransport::new(&pipe, SRC));
                let exact = s.read_exact(65).await.map(|_| ());
                let until = s.read_until(b"\n", 8).await.map(|_| ());
                (exact, until, s.poll_close())
            },
            Some(ms(1000)),
        )
        .unwrap();
    assert_eq!(res.0, Err(ReadError::Unsatisfiable));
    assert_eq!(res.1, Err(ReadError::Closed(CloseReason::BufferFull)));
    assert_eq!(res.2, Some(CloseReason::BufferFull));
}

#[test]
fn a_peer_that_does_not_read_holds_the_writer_back() {
    let rt = Rt::new(SimBackend::new(), ());
    let pipe = Pipe::new(MemTransport::new());
    pipe.borrow_mut().set_write_limit(0);
    let slots = [pin!(None)];
    let pool = TaskPool::new(&rt, slots).unwrap();
    let (rtr, piper) = (&rt, &pipe);
    pool.spawn(&rt, async move {
        rtr.sleep(ms(50)).await;
        piper.borrow_mut().set_write_limit(usize::MAX);
        rtr.reactor()
            .unwrap()
            .backend_mut()
            .ready_now(SRC, Ready::WRITABLE)
            .unwrap();
    })
    .unwrap();
    let (first, flushed_at) = rt
        .block_on(
            &[&pool],
            async {
                let mut s: Stream = AsyncStream::new(&rt, SimTransport::new(&pipe, SRC));
                // 32 bytes fit the write buffer; the rest waits for room.
                let first = s.write(&[b'x'; 40]).await;
                s.write_all(&[b'y'; 40]).await.unwrap();
                s.flush().await.unwrap();
                (first, rt.now())
            },
            Some(ms(1000)),
        )
        .unwrap();
    assert_eq!(first, Ok(32), "only what fits is taken at once");
    assert_eq!(
        flushed_at,
        Instant::from_millis(50),
        "no progress before the peer reads"
    );
    let out = pipe.borrow().outbound().to_vec();
    assert_eq!(out.len(), 72);
    assert!(out[..32].iter().all(|&b| b == b'x') && out[32..].iter().all(|&b| b == b'y'));
}

#[test]
fn a_reset_fails_the_waiting_read_and_the_writes() {
    let rt = Rt::new(SimBackend::new(), ());
    let pipe = Pipe::new(MemTransport::new());
    let slots = [pin!(None)];
    let pool = TaskPool::new(&rt, slots).unwrap();
    let (rtr, piper) = (&rt, &pipe);
    pool.spawn(&rt, async move {
        rtr.sleep(ms(5)).await;
        piper.borrow_mut().peer_reset();
        rtr.reactor()
            .unwrap()
            .backend_mut()
            .ready_now(SRC, Ready::READABLE | Ready::ERROR)
            .unwrap();
    })
    .unwrap();
    let res = rt
        .block_on(
            &[&pool],
            async {
                let mut s: Stream = AsyncStream::new(&rt, SimTransport::new(&pipe, SRC));
                let read = s.read_until(b"\n", 64).await.map(|_| ());
                let write = s.write(b"late").await;
                (read, write, s.poll_close())
            },
            Some(ms(1000)),
        )
        .unwrap();
    assert_eq!(res.0, Err(ReadError::Closed(CloseReason::Reset)));
    assert_eq!(res.1, Err(WriteError::Closed(CloseReason::Reset)));
    assert_eq!(res.2, Some(CloseReason::Reset));
}

#[test]
fn a_read_abandoned_by_a_timeout_leaves_the_stream_usable() {
    let rt = Rt::new(SimBackend::new(), ());
    let pipe = Pipe::new(MemTransport::new());
    let slots = [pin!(None)];
    let pool = TaskPool::new(&rt, slots).unwrap();
    let (rtr, piper) = (&rt, &pipe);
    pool.spawn(&rt, async move {
        rtr.sleep(ms(30)).await;
        arrive(rtr, piper, b"late\n");
    })
    .unwrap();
    let (first, line, handlers_after_timeout) = rt
        .block_on(
            &[&pool],
            async {
                let mut s: Stream = AsyncStream::new(&rt, SimTransport::new(&pipe, SRC));
                let first = with_timeout(&rt, ms(10), pin!(s.read_until(b"\n", 64)))
                    .await
                    .map(|_| ());
                let handlers = rt.reactor().unwrap().handlers();
                let line = s.read_until(b"\n", 64).await.unwrap();
                (first, s.data(&line).to_vec(), handlers)
            },
            Some(ms(1000)),
        )
        .unwrap();
    assert_eq!(first, Err(TimedOut));
    assert_eq!(line, b"late\n");
    // The abandoned wait's registration stays until the stream settles;
    // it is the same source, so it is reused, not leaked.
    assert_eq!(handlers_after_timeout, 1);
    assert_eq!(rt.reactor().unwrap().handlers(), 0);
}

#[test]
fn a_full_handler_table_closes_the_stream_with_a_typed_reason() {
    type Small = Runtime<SimBackend, (), 4, 8, 8, 1, 8>;
    let rt = Small::new(SimBackend::new(), ());
    let (a, b) = (Pipe::new(MemTransport::new()), Pipe::new(MemTransport::new()));
    let slots = [pin!(None)];
    let pool = TaskPool::new(&rt, slots).unwrap();
    let (rtr, ar) = (&rt, &a);
    pool.spawn(&rt, async move {
        let mut s: AsyncStream<'_, SimBackend, _, 64, 32> = AsyncStream::new(rtr, SimTransport::new(ar, SRC));
        let _ = s.read_until(b"\n", 64).await;
    })
    .unwrap();
    let res = rt
        .block_on(
            &[&pool],
            async {
                rt.sleep(ms(1)).await; // the pool task holds the only slot now
                let mut s: AsyncStream<'_, SimBackend, _, 64, 32> =
                    AsyncStream::new(&rt, SimTransport::new(&b, SimSource(8)));
                s.read_until(b"\n", 64).await.map(|_| ())
            },
            Some(ms(1000)),
        )
        .unwrap();
    let full = CloseReason::Error(embedded_io::ErrorKind::OutOfMemory);
    assert_eq!(res, Err(ReadError::Closed(full)));
}
