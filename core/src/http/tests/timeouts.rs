//! Header and idle timeouts as data: `poll_at`, `on_timeout`, and the check
//! inside `receive`.

use core::time::Duration;

use super::*;
use crate::http::RequestError;

fn secs(s: u64) -> Instant {
    Instant::from_millis(s * 1000)
}

const REQ: &[u8] = b"GET / HTTP/1.1\r\nHost: h\r\n\r\n";

#[test]
fn new_connection_header_timeout_counts_from_creation() {
    let mut conn: Connection<8> = Connection::new(Config::new(), secs(100));
    assert_eq!(conn.poll_at(), Some(secs(110)));
    assert_eq!(conn.poll_delay(secs(104)), Some(Duration::from_secs(6)));
    assert!(conn.is_idle());
    assert_eq!(conn.on_timeout(secs(109)), Ok(()), "spurious wake-up");
    assert_eq!(conn.on_timeout(secs(110)), Err(RequestError::HeaderTimeout));
    assert_eq!(conn.poll_at(), None);
    let mut out = Sink::default();
    conn.send_error(&mut out, RequestError::HeaderTimeout.status())
        .unwrap();
    assert!(out.text().starts_with("HTTP/1.1 408 Request Timeout\r\n"));
}

#[test]
fn trickled_head_is_cut_at_the_deadline_though_bytes_keep_coming() {
    let mut d = Driver::new();
    let step = if cfg!(miri) { 4 } else { 1 };
    let mut t = 0;
    for piece in REQ[..REQ.len() - 1].chunks(step) {
        d.feed(piece, Instant::from_millis(t));
        t += 300;
        assert_eq!(d.conn.poll_at(), Some(secs(10)), "bytes never move the deadline");
    }
    assert!(d.trace.is_empty(), "still within the deadline");
    // 7.5 s of trickling; the last byte arrives at 10 s: too late.
    d.feed(&REQ[REQ.len() - 1..], secs(10));
    assert_eq!(lines(&d.trace), ["error 408 HeaderTimeout"]);
    assert!(d.out.text().starts_with("HTTP/1.1 408 Request Timeout\r\n"));
}

#[test]
fn idle_timeout_runs_between_requests() {
    let mut d = Driver::new();
    d.feed(REQ, secs(1));
    assert_eq!(lines(&d.trace), ["head GET / Fixed(0)", "end", "respond keep"]);
    assert!(d.conn.is_idle());
    // Finished at 1 s: idle until 61 s.
    assert_eq!(d.conn.poll_at(), Some(secs(61)));
    assert_eq!(d.conn.on_timeout(secs(60)), Ok(()));
    assert_eq!(d.conn.on_timeout(secs(61)), Err(RequestError::IdleTimeout));
}

#[test]
fn first_byte_switches_from_idle_to_header_timeout() {
    let mut d = Driver::new();
    d.feed(REQ, secs(0));
    d.feed(b"GE", secs(30));
    assert!(!d.conn.is_idle());
    assert_eq!(
        d.conn.poll_at(),
        Some(secs(40)),
        "header timeout from the first byte"
    );
    d.feed(b"T / HTTP/1.1\r\n", secs(39));
    assert_eq!(d.conn.poll_at(), Some(secs(40)));
    d.feed(b"Host: h\r\n\r\n", secs(40));
    assert_eq!(
        d.trace.last().map(String::as_str),
        Some("error 408 HeaderTimeout")
    );
}

#[test]
fn bytes_after_the_idle_deadline_are_too_late() {
    let mut d = Driver::new();
    d.feed(REQ, secs(0));
    d.feed(REQ, secs(60));
    assert_eq!(d.trace.last().map(String::as_str), Some("error 408 IdleTimeout"));
}

#[test]
fn idle_timeout_never_fires_while_a_request_is_in_progress() {
    let mut d = Driver::new();
    d.answer = Answer::Nothing;
    // A slow upload: head at 0 s, body bytes an hour apart.
    d.feed(
        b"POST /u HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n",
        secs(0),
    );
    assert_eq!(d.conn.poll_at(), None);
    assert_eq!(d.conn.on_timeout(secs(3600)), Ok(()));
    d.feed(b"a", secs(3600));
    d.feed(b"b", secs(7200));
    d.feed(b"c", secs(10_800));
    assert_eq!(lines(&d.trace), ["head POST /u Fixed(3)", "body abc", "end"]);
    // A slow handler: the response is pending for an hour.
    assert_eq!(d.conn.poll_at(), None);
    assert_eq!(d.conn.on_timeout(secs(14_400)), Ok(()));
    d.feed(REQ, secs(14_400));
    assert_eq!(d.trace.len(), 3, "paused, not timed out");
    d.answer = Answer::Fixed;
    d.respond(secs(18_000));
    // The idle timer starts at finish; the pipelined request is read now.
    d.pump(secs(18_000));
    assert_eq!(
        lines(&d.trace)[3..],
        ["respond keep", "head GET / Fixed(0)", "end", "respond keep"]
    );
    assert_eq!(d.conn.poll_at(), Some(secs(18_060)));
}

#[test]
fn endless_timeouts_mean_no_deadline() {
    let config = Config::new()
        .with_header_timeout(Duration::MAX)
        .with_idle_timeout(Duration::MAX);
    let mut conn: Connection<8> = Connection::new(config, secs(5));
    assert_eq!(conn.poll_at(), None);
    assert_eq!(conn.on_timeout(Instant::MAX), Ok(()), "Instant::MAX is never");
    let conn: Connection<8> = Connection::new(Config::new(), Instant::MAX);
    assert_eq!(conn.poll_at(), None, "saturates instead of overflowing");
}

#[test]
fn a_connection_can_live_in_a_static() {
    static CONN: Connection<4> = Connection::new(Config::new(), Instant::ZERO);
    assert!(CONN.is_idle());
    assert_eq!(CONN.config().max_head, 8 * 1024);
}
