//! Issue 5, item 4: eddy's HTTP server makes no heap allocation per
//! request in steady state.
//!
//! The test binary's global allocator is `stats_alloc`'s counting wrapper
//! around the system allocator. eddy's `http_server` code
//! ([`eddy_examples::http::run`]) serves on a thread of this process; the
//! test thread is its client. After a warm-up (connections accepted,
//! buffers grown), every allocation the whole process makes while the
//! server answers `REQUESTS` keep-alive `GET /` requests — plain and
//! pipelined, on the same connections — is counted. The client reads and
//! writes only pre-allocated buffers, so any allocation in the window is
//! the server's, and the count must be zero.

#![forbid(unsafe_code)]

use std::alloc::System;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use eddy_examples::http::{run, Options};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// How long the server may take to start, and a reply to arrive: a failure
/// bound only.
const BOUND: Duration = Duration::from_secs(20);
const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n";
const RESPONSE: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 16\r\n\r\nYou requested /\n";
const CONNECTIONS: usize = 4;
const DEPTH: usize = 16;
const ROUNDS: usize = 200;

/// A loopback port that was free a moment ago.
fn free_port() -> SocketAddr {
    let probe = TcpListener::bind("127.0.0.1:0").expect("bind a probe socket");
    probe.local_addr().expect("probe address")
}

/// Starts the server on a thread of this process and connects once it
/// accepts.
fn start_server() -> SocketAddr {
    let addr = free_port();
    let opts = Options {
        addr,
        ..Options::default()
    };
    // The reactor's tables are built on the stack before they are boxed:
    // give the thread the main thread's room and more.
    std::thread::Builder::new()
        .name("http-server".into())
        .stack_size(64 << 20)
        .spawn(move || {
            if let Err(e) = run(&opts) {
                panic!("http server failed: {e}");
            }
        })
        .expect("spawn the server thread");
    let deadline = Instant::now() + BOUND;
    while TcpStream::connect(addr).is_err() {
        assert!(Instant::now() < deadline, "the server did not listen on {addr}");
        std::thread::yield_now();
    }
    addr
}

/// Sends `depth` pipelined `GET /` on `stream` and reads their responses
/// into `buf` (pre-allocated), checking each byte.
fn exchange(stream: &mut TcpStream, batch: &[u8], depth: usize, buf: &mut [u8]) {
    stream.write_all(batch).expect("send requests");
    let want = RESPONSE.len() * depth;
    let mut got = 0;
    while got < want {
        let n = stream.read(&mut buf[got..want]).expect("read responses");
        assert!(n > 0, "the server closed a keep-alive connection");
        got += n;
    }
    for reply in buf[..want].chunks(RESPONSE.len()) {
        assert_eq!(reply, RESPONSE, "unexpected response");
    }
}

/// One round: one plain request and one pipelined batch per connection.
fn round(conns: &mut [TcpStream], batch: &[u8], buf: &mut [u8]) -> usize {
    for stream in conns.iter_mut() {
        exchange(stream, REQUEST, 1, buf);
        exchange(stream, batch, DEPTH, buf);
    }
    conns.len() * (1 + DEPTH)
}

#[test]
fn keep_alive_get_allocates_nothing_in_steady_state() {
    let addr = start_server();
    let mut conns: Vec<TcpStream> = (0..CONNECTIONS)
        .map(|_| {
            let s = TcpStream::connect(addr).expect("connect");
            s.set_read_timeout(Some(BOUND)).expect("read timeout");
            s.set_nodelay(true).expect("nodelay");
            s
        })
        .collect();
    let batch: Vec<u8> = REQUEST.repeat(DEPTH);
    let mut buf = vec![0u8; RESPONSE.len() * DEPTH];

    // Warm-up: accept, first requests, buffers at their working size.
    for _ in 0..10 {
        round(&mut conns, &batch, &mut buf);
    }

    // The counter is live: an allocation in a region is seen.
    let probe = Region::new(GLOBAL);
    drop(std::hint::black_box(vec![0u8; 64]));
    assert_eq!(
        probe.change().allocations,
        1,
        "the counting allocator sees allocations"
    );

    let region = Region::new(GLOBAL);
    let mut served = 0;
    for _ in 0..ROUNDS {
        served += round(&mut conns, &batch, &mut buf);
    }
    let change = region.change();
    let per_request = change.allocations as f64 / served as f64;
    println!(
        "{served} keep-alive GET / requests: {} allocations, {} reallocations ({per_request} per request)",
        change.allocations, change.reallocations
    );
    assert_eq!(
        change.allocations, 0,
        "allocations while serving {served} requests"
    );
    assert_eq!(
        change.reallocations, 0,
        "reallocations while serving {served} requests"
    );
}
