//! The HTTP request path without a socket: 16 pipelined `GET /` requests
//! (the bytes wrk's pipelined benchmark sends) read, parsed, answered and
//! written, per iteration.
//!
//! - `eddy::HttpStream`: core's [`HttpStream`] over an in-memory transport,
//!   answering each head with a prepared `200 text/plain` head, as the
//!   hosted example's hot route does;
//! - `httparse loop`: the least a server can do for the same bytes, what
//!   netbench's `mio_http` does per read: `httparse`, a scan of the headers
//!   for `Connection` and a body, and the response appended to a `Vec`.
//!
//! Both copy the request bytes in and the response bytes out once, as a
//! `recv` and a `send` would. The ratio of the two times is the user-space
//! cost of eddy's HTTP machine over the minimum; the end-to-end figures
//! come from `netbench/run-http.sh`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use eddy_core::http::{BodyLen, Config, Event, HttpStream, PreparedHead, Status};
use eddy_core::stream::MemTransport;
use eddy_core::Instant;

const DEPTH: usize = 16;
const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: 127.0.0.1:28888\r\n\r\n";

type Stream = HttpStream<MemTransport<32768, 4>, 16384, 16384, 32>;

/// One read of `batch` answered by the HTTP stream; the response bytes.
fn eddy_round(http: &mut Stream, ok: &PreparedHead, batch: &[u8], now: Instant) -> usize {
    let _ = http.transport_mut().peer_send(batch);
    http.on_readable();
    loop {
        let more = http.next(now, |event, reply| match event {
            Event::Head(head) if head.body() == BodyLen::Fixed(0) => reply
                .respond(ok, &[b"You requested ", head.target().as_bytes(), b"\n"], now)
                .is_ok(),
            Event::Head(_) | Event::Body(_) | Event::End => true,
            Event::NeedMore | Event::Paused | Event::Closed => false,
        });
        if more != Ok(true) {
            break;
        }
    }
    http.on_writable();
    let out = http.transport().outbound().len();
    http.transport_mut().peer_drain(out);
    out
}

/// The minimal server's state: a read buffer and an output `Vec`.
struct Minimal {
    rbuf: Box<[u8]>,
    wbuf: Vec<u8>,
    sent: Vec<u8>,
}

/// One read of `batch` answered as `mio_http` does; the response bytes.
fn minimal_round(m: &mut Minimal, batch: &[u8]) -> usize {
    let rlen = batch.len().min(m.rbuf.len());
    m.rbuf[..rlen].copy_from_slice(&batch[..rlen]);
    let mut at = 0;
    loop {
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut req = httparse::Request::new(&mut headers);
        let Ok(httparse::Status::Complete(len)) = req.parse(&m.rbuf[at..rlen]) else {
            break;
        };
        at += len;
        let mut keep_alive = req.version == Some(1);
        for h in req.headers.iter() {
            if h.name.eq_ignore_ascii_case("connection") {
                keep_alive = !h.value.eq_ignore_ascii_case(b"close");
            } else if h.name.eq_ignore_ascii_case("content-length") && h.value != b"0" {
                keep_alive = false;
            }
        }
        let target = req.path.unwrap_or("/");
        let n = b"You requested \n".len() + target.len();
        m.wbuf
            .extend_from_slice(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ");
        let mut digits = [0u8; 20];
        let mut d = digits.len();
        let mut v = n;
        loop {
            d -= 1;
            digits[d] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        m.wbuf.extend_from_slice(&digits[d..]);
        if !keep_alive {
            m.wbuf.extend_from_slice(b"\r\nConnection: close");
        }
        m.wbuf.extend_from_slice(b"\r\n\r\nYou requested ");
        m.wbuf.extend_from_slice(target.as_bytes());
        m.wbuf.push(b'\n');
    }
    m.sent.clear();
    m.sent.extend_from_slice(&m.wbuf);
    m.wbuf.clear();
    m.sent.len()
}

fn http(c: &mut Criterion) {
    let batch = REQUEST.repeat(DEPTH);
    let now = Instant::from_micros(1);
    let ok = PreparedHead::new(Status::OK, None, &[("Content-Type", "text/plain")]).expect("a valid head");
    let mut http: Box<Stream> = Box::new(HttpStream::new(MemTransport::new(), Config::new(), now));
    let mut minimal = Minimal {
        rbuf: vec![0; 16384].into_boxed_slice(),
        wbuf: Vec::with_capacity(65536),
        sent: Vec::with_capacity(65536),
    };
    // Same answer, byte for byte.
    let expect = minimal_round(&mut minimal, &batch);
    assert_eq!(eddy_round(&mut http, &ok, &batch, now), expect);

    let mut group = c.benchmark_group("http/16 pipelined GET");
    group
        .throughput(Throughput::Elements(DEPTH as u64))
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    group.bench_function("eddy::HttpStream", |b| {
        b.iter(|| eddy_round(black_box(&mut http), &ok, black_box(&batch), now))
    });
    group.bench_function("httparse loop", |b| {
        b.iter(|| minimal_round(black_box(&mut minimal), black_box(&batch)))
    });
    group.finish();
}

criterion_group!(benches, http);
criterion_main!(benches);
