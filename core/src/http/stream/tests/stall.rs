//! The send timeout: a peer that stops taking response bytes is cut after
//! one to two [`Config::send_timeout`]s; one that takes any is not.

use core::time::Duration;

use super::{arrive, http, serve};
use crate::event::Ready;
use crate::http::Config;
use crate::http::HttpStream;
use crate::stream::CloseReason;
use crate::stream::MemTransport;
use crate::time::Instant;

const T: Duration = Duration::from_secs(5);

fn at(ms: u64) -> Instant {
    Instant::from_millis(ms)
}

/// A transport whose peer holds at most 64 unread bytes: it takes
/// exactly what the test drains.
type Tiny = HttpStream<MemTransport<64, 4>, 1024, 1024, 8>;

/// A connection that answered two pipelined `GET /s` (80 response bytes)
/// at time zero to a peer that has read nothing: 16 bytes wait.
fn stalled() -> Tiny {
    let config = Config::new().with_send_timeout(T);
    let mut h: Tiny = HttpStream::new(MemTransport::new(), config, Instant::ZERO);
    arrive(
        &mut h,
        b"GET /s HTTP/1.1\r\nHost: x\r\n\r\nGET /s HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    assert_eq!(serve(&mut h, at(0)).unwrap(), ["/s", "/s"]);
    h.on_event(Ready::WRITABLE);
    assert_eq!(h.stream().unflushed(), 16, "the peer's side is full");
    h
}

#[test]
fn a_peer_that_takes_nothing_is_cut_within_two_send_timeouts() {
    let mut h = stalled();
    // Armed at the last call that brought the time.
    assert_eq!(h.poll_at(), Some(at(5_000)));
    h.on_timeout(at(4_999)).unwrap();
    assert_eq!(h.poll_close(), None, "cut before its time");
    // The peer took 64 bytes after the watch started: a new one runs.
    h.on_timeout(at(5_000)).unwrap();
    assert_eq!(h.poll_close(), None, "cut although it took bytes");
    assert_eq!(h.poll_at(), Some(at(10_000)));
    // Nothing since: cut.
    h.on_timeout(at(10_000)).unwrap();
    assert_eq!(h.poll_close(), Some(CloseReason::Timeout));
    assert_eq!(h.poll_at(), None, "a closed stream needs no more timers");
}

#[test]
fn a_peer_that_takes_bytes_is_not_cut_while_it_does() {
    let mut h = stalled();
    let mut now = 0;
    // One byte per 4 s: slow, never stalled for a whole timeout.
    for _ in 0..10 {
        now += 4_000;
        h.transport_mut().peer_drain(1);
        h.on_event(Ready::WRITABLE);
        let due = h.poll_at().expect("output waits");
        if due.as_millis() <= now {
            h.on_timeout(at(now)).unwrap();
        }
        assert_eq!(h.poll_close(), None, "cut at {now} ms while taking bytes");
    }
    // Then it stops: cut within two timeouts of its last byte.
    let last = now;
    while h.poll_close().is_none() {
        let due = h.poll_at().expect("output waits").as_millis();
        assert!(due <= last + 2 * 5_000, "still open at {due} ms");
        h.on_timeout(at(due)).unwrap();
    }
}

#[test]
fn a_flushed_stream_keeps_no_send_watch() {
    let mut h = http::<1024, 1024>(Config::new().with_send_timeout(T).with_idle_timeout(T * 100));
    arrive(&mut h, b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(serve(&mut h, at(0)).unwrap(), ["/a"]);
    h.on_event(Ready::WRITABLE);
    assert!(h.stream().is_flushed());
    // Only the idle timeout is left.
    assert_eq!(h.poll_at(), Some(at(500_000)));
}
