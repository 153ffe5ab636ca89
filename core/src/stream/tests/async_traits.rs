//! The async stream through `embedded-io-async`'s traits, and the async
//! client connect over a scripted attempt.

use core::cell::{Cell, RefCell};
use core::pin::pin;
use core::time::Duration;
use std::vec::Vec;

use embedded_io_async::{BufRead, Read, Write};

use crate::event::Ready;
use crate::sim::{SimBackend, SimSource, SimTransport};
use crate::stream::{AsyncStream, ConnectAttempt, ConnectError, ConnectFailed, MemTransport};
use crate::task::{Runtime, RuntimeHandle, TaskPool};
use crate::time::Instant;

type Rt = Runtime<SimBackend, (), 4, 8, 8, 4, 8>;
type Pipe = RefCell<MemTransport<256>>;
type Stream<'r, 'p> = AsyncStream<'r, SimBackend, SimTransport<&'p Pipe>, 16, 16>;

const SRC: SimSource = SimSource(3);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn read_copies_buffered_bytes_and_reads_zero_at_end_of_file() {
    let rt = Rt::new(SimBackend::new(), ());
    let pipe = Pipe::new(MemTransport::new());
    pipe.borrow_mut().peer_send(b"abcdef").unwrap();
    pipe.borrow_mut().peer_send(b"gh").unwrap();
    pipe.borrow_mut().peer_close();
    let got = rt
        .block_on(
            &[],
            async {
                let mut s: Stream = AsyncStream::new(&rt, SimTransport::new(&pipe, SRC));
                let mut buf = [0u8; 4];
                let mut got = Vec::new();
                loop {
                    let n = Read::read(&mut s, &mut buf).await.unwrap();
                    if n == 0 {
                        break;
                    }
                    got.push(buf[..n].to_vec());
                }
                got
            },
            Some(ms(100)),
        )
        .unwrap();
    assert_eq!(got, [&b"abcd"[..], b"efgh"]);
}

#[test]
fn read_exact_of_the_trait_spans_arrivals() {
    let rt = Rt::new(SimBackend::new(), ());
    let pipe = Pipe::new(MemTransport::new());
    let slots = [pin!(None)];
    let pool = TaskPool::new(&rt, slots).unwrap();
    let (rtr, piper) = (&rt, &pipe);
    pool.spawn(&rt, async move {
        for part in [&b"0123"[..], b"45678", b"9"] {
            rtr.sleep(ms(5)).await;
            piper.borrow_mut().peer_send(part).unwrap();
            rtr.reactor()
                .unwrap()
                .backend_mut()
                .ready_now(SRC, Ready::READABLE)
                .unwrap();
        }
    })
    .unwrap();
    let (buf, at) = rt
        .block_on(
            &[&pool],
            async {
                let mut s: Stream = AsyncStream::new(&rt, SimTransport::new(&pipe, SRC));
                let mut buf = [0u8; 10];
                Read::read_exact(&mut s, &mut buf).await.unwrap();
                (buf, rt.now())
            },
            Some(ms(100)),
        )
        .unwrap();
    assert_eq!(&buf, b"0123456789");
    assert_eq!(at, Instant::from_millis(15));
}

#[test]
fn buf_read_hands_out_the_buffer_and_consumes_a_prefix() {
    let rt = Rt::new(SimBackend::new(), ());
    let pipe = Pipe::new(MemTransport::new());
    pipe.borrow_mut().peer_send(b"key=value").unwrap();
    let (first, rest) = rt
        .block_on(
            &[],
            async {
                let mut s: Stream = AsyncStream::new(&rt, SimTransport::new(&pipe, SRC));
                let buf = s.fill_buf().await.unwrap();
                let eq = buf.iter().position(|&b| b == b'=').unwrap();
                let first = buf[..eq].to_vec();
                BufRead::consume(&mut s, eq + 1);
                let rest = s.fill_buf().await.unwrap().to_vec();
                (first, rest)
            },
            Some(ms(100)),
        )
        .unwrap();
    assert_eq!((first.as_slice(), rest.as_slice()), (&b"key"[..], &b"value"[..]));
}

#[test]
fn write_all_of_the_trait_goes_through_a_small_buffer() {
    let rt = Rt::new(SimBackend::new(), ());
    let pipe = Pipe::new(MemTransport::new());
    pipe.borrow_mut().set_write_limit(5);
    let message: Vec<u8> = (0..100u8).collect();
    rt.block_on(
        &[],
        async {
            let mut s: Stream = AsyncStream::new(&rt, SimTransport::new(&pipe, SRC));
            Write::write_all(&mut s, &message).await.unwrap();
            Write::flush(&mut s).await.unwrap();
        },
        Some(ms(100)),
    )
    .unwrap();
    assert_eq!(pipe.borrow().outbound(), message.as_slice());
}

/// A connection attempt that is not established on its first writability
/// (spurious readiness) and completes, or fails, on the second.
struct Scripted<'p> {
    pipe: &'p Pipe,
    checks: &'p Cell<u32>,
    fail: bool,
}

impl<'p> ConnectAttempt<SimBackend> for Scripted<'p> {
    type Transport = SimTransport<&'p Pipe>;
    type Error = &'static str;

    fn source(&self) -> SimSource {
        SRC
    }

    fn complete(self) -> Result<Self::Transport, ConnectError<Self, &'static str>> {
        self.checks.set(self.checks.get() + 1);
        match (self.checks.get(), self.fail) {
            (1, _) => Err(ConnectError::Pending(self)),
            (_, true) => Err(ConnectError::Failed("refused")),
            (_, false) => Ok(SimTransport::new(self.pipe, SRC)),
        }
    }
}

fn run_connect(fail: bool) -> (Result<Vec<u8>, ConnectFailed<&'static str>>, u32, usize) {
    let rt = Rt::new(SimBackend::new(), ());
    let pipe = Pipe::new(MemTransport::new());
    let checks = Cell::new(0);
    {
        let mut r = rt.reactor().unwrap();
        r.backend_mut()
            .ready_at(Instant::from_millis(1), SRC, Ready::WRITABLE)
            .unwrap();
        r.backend_mut()
            .ready_at(Instant::from_millis(2), SRC, Ready::WRITABLE)
            .unwrap();
    }
    let attempt = Scripted {
        pipe: &pipe,
        checks: &checks,
        fail,
    };
    let res = rt
        .block_on(
            &[],
            async {
                let mut s: Stream = AsyncStream::connect(&rt, attempt).await?;
                s.write_all(b"hello").await.unwrap();
                s.flush().await.unwrap();
                Ok(pipe.borrow().outbound().to_vec())
            },
            Some(ms(100)),
        )
        .unwrap();
    let handlers = rt.reactor().unwrap().handlers();
    (res, checks.get(), handlers)
}

#[test]
fn connect_waits_out_spurious_writability_and_yields_a_stream() {
    let (res, checks, handlers) = run_connect(false);
    assert_eq!(res.unwrap(), b"hello");
    assert_eq!(checks, 2, "checked once per writability event");
    assert_eq!(handlers, 0);
}

#[test]
fn a_failed_connect_is_reported_and_leaves_nothing_registered() {
    let (res, checks, handlers) = run_connect(true);
    assert!(matches!(res, Err(ConnectFailed::Failed("refused"))));
    assert_eq!((checks, handlers), (2, 0));
}
