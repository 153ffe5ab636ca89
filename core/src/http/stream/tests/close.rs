//! How a connection ends: error responses flushed before the close (also
//! when they had to wait for room), a reset mid-response, the header and
//! idle timeouts, the peer's end-of-file, and a slot reopened afterwards.

use core::time::Duration;
use std::vec::Vec;

use super::{arrive, drain, http, ok, serve};
use crate::event::Ready;
use crate::http::{BodyLen, Config, Event, HttpStream, RequestError, ResponseError, Status};
use crate::stream::{CloseReason, MemTransport};
use crate::time::Instant;

fn text(wire: &[u8]) -> &str {
    core::str::from_utf8(wire).unwrap()
}

#[test]
fn a_head_over_the_limit_gets_431_flushed_then_closed() {
    let mut h = http::<128, 256>(Config::new().with_max_head(128));
    h.transport_mut().set_write_limit(0);
    let mut head = Vec::from(&b"GET / HTTP/1.1\r\nHost: x\r\nX-Long: "[..]);
    head.resize(200, b'a');
    arrive(&mut h, &head);
    assert_eq!(serve(&mut h, Instant::ZERO), Err(RequestError::HeadTooLarge));
    assert_eq!(h.error(), Some(RequestError::HeadTooLarge));
    h.on_event(Ready::WRITABLE);
    assert_eq!(h.poll_close(), None, "not closed before the response is flushed");

    h.transport_mut().set_write_limit(usize::MAX);
    let mut wire = Vec::new();
    drain(&mut h, &mut wire);
    let wire = text(&wire);
    assert!(wire.starts_with("HTTP/1.1 431 "), "{wire}");
    assert!(wire.contains("Connection: close\r\n"), "{wire}");
    assert_eq!(h.poll_close(), Some(CloseReason::Local));
    assert_eq!(h.poll_close(), None, "reported once");
    assert_eq!(
        serve(&mut h, Instant::ZERO),
        Err(RequestError::HeadTooLarge),
        "the same error again"
    );
}

#[test]
fn a_head_longer_than_the_read_buffer_is_431_even_under_a_larger_limit() {
    // max_head allows 8 KiB, but the buffer holds 64 bytes.
    let mut h = http::<64, 256>(Config::new());
    arrive(&mut h, &[b'G'; 100]);
    assert_eq!(serve(&mut h, Instant::ZERO), Err(RequestError::HeadTooLarge));
    let mut wire = Vec::new();
    drain(&mut h, &mut wire);
    assert!(text(&wire).starts_with("HTTP/1.1 431 "));
    assert_eq!(h.poll_close(), Some(CloseReason::Local));
}

#[test]
fn a_timeout_after_a_head_too_large_for_the_buffer_is_no_second_error() {
    // The stream refuses a head longer than its buffer itself, and its 431
    // must wait behind an unread response; the connection's header
    // timeout, still running underneath, must not become a second,
    // different error then.
    let config = Config::new().with_header_timeout(core::time::Duration::from_secs(1));
    let mut h = http::<256, 160>(config);
    h.transport_mut().set_write_limit(0);
    let target = "/".repeat(100);
    let mut input = std::format!("GET {target} HTTP/1.1\r\nHost: x\r\n\r\n").into_bytes();
    input.extend_from_slice(&[b'G'; 50]);
    arrive(&mut h, &input);
    // At 0.2 s the first request is answered and the next head starts: its
    // header timeout runs to 1.2 s.
    assert_eq!(serve(&mut h, Instant::from_millis(200)).map(|a| a.len()), Ok(1));
    // At 0.8 s the head outgrows the buffer: refused, and the linger runs
    // to 1.8 s.
    arrive(&mut h, &[b'G'; 300]);
    assert_eq!(
        serve(&mut h, Instant::from_millis(800)),
        Err(RequestError::HeadTooLarge)
    );
    assert_eq!(h.error(), Some(RequestError::HeadTooLarge));
    assert_eq!(h.on_timeout(Instant::from_millis(1500)), Ok(()));
    assert_eq!(h.error(), Some(RequestError::HeadTooLarge));
    // The peer reads: the first answer, then the one 431, then the close.
    h.transport_mut().set_write_limit(usize::MAX);
    let mut wire = Vec::new();
    drain(&mut h, &mut wire);
    let wire = text(&wire);
    assert!(wire.contains("HTTP/1.1 431 "), "{wire}");
    assert_eq!(wire.matches("HTTP/1.1 ").count(), 2, "{wire}");
}

#[test]
fn a_400_waits_for_room_behind_earlier_responses_then_closes() {
    // The first response nearly fills the 160-byte write buffer and the
    // peer reads nothing yet: the 400 must wait, not be lost.
    let target = "/".repeat(100);
    let mut h = http::<512, 160>(Config::new().with_max_head(512));
    h.transport_mut().set_write_limit(0);
    let mut input = std::format!("GET {target} HTTP/1.1\r\nHost: x\r\n\r\n").into_bytes();
    input.extend_from_slice(b"BAD REQUEST LINE\r\n\r\n");
    arrive(&mut h, &input);
    // The first request is answered, then the bad one fails.
    assert_eq!(serve(&mut h, Instant::ZERO), Err(RequestError::MalformedHead));
    assert!(h.transport().outbound().is_empty());
    assert!(!h.is_closed());
    assert_eq!(h.desired_interest(), Some(crate::Interest::BOTH));

    h.transport_mut().set_write_limit(usize::MAX);
    let mut wire = Vec::new();
    drain(&mut h, &mut wire);
    let wire = text(&wire);
    let first = ok(&target);
    assert!(wire.starts_with(&first), "{wire}");
    assert!(wire[first.len()..].starts_with("HTTP/1.1 400 "), "{wire}");
    assert_eq!(h.poll_close(), Some(CloseReason::Local));
}

#[test]
fn a_reset_mid_response_closes_at_once_and_refuses_the_rest() {
    let mut h: HttpStream<MemTransport<100, 4>, 128, 64, 8> = HttpStream::new(
        MemTransport::new(),
        Config::new().with_max_head(128),
        Instant::ZERO,
    );
    arrive(&mut h, b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n");
    while h
        .next(Instant::ZERO, |event, _| !matches!(event, Event::End))
        .unwrap()
    {}
    h.start_response(Status::OK, None, &[], BodyLen::Fixed(1000))
        .unwrap();
    let n = h.write_body(&[b'x'; 1000]).unwrap();
    assert!(n < 1000);
    h.on_event(Ready::WRITABLE);
    h.transport_mut().peer_reset();
    h.on_event(Ready::WRITABLE.add(Ready::ERROR));
    assert_eq!(h.write_body(&[b'x'; 10]), Err(ResponseError::Closed));
    assert_eq!(h.finish(Instant::ZERO), Err(ResponseError::Closed));
    assert!(h
        .next(Instant::ZERO, |event, _| matches!(event, Event::Closed))
        .unwrap());
    assert_eq!(h.desired_interest(), None);
    assert_eq!(h.poll_close(), Some(CloseReason::Reset));
}

const TIMEOUTS: Config = Config::new()
    .with_max_head(256)
    .with_header_timeout(Duration::from_secs(2))
    .with_idle_timeout(Duration::from_secs(5));

fn at(secs: u64) -> Instant {
    Instant::from_micros(secs * 1_000_000)
}

#[test]
fn a_head_not_complete_in_time_gets_408_then_closes() {
    let mut h = http::<256, 256>(TIMEOUTS);
    assert_eq!(h.poll_at(), Some(at(2)));
    assert_eq!(h.on_timeout(at(1)), Ok(()));
    arrive(&mut h, b"GET / HTTP/1.1\r\nHo");
    assert_eq!(serve(&mut h, at(1)), Ok(std::vec![]));
    assert_eq!(h.poll_delay(at(1)), Some(Duration::from_secs(1)));
    assert_eq!(h.on_timeout(at(2)), Err(RequestError::HeaderTimeout));
    let mut wire = Vec::new();
    drain(&mut h, &mut wire);
    assert!(text(&wire).starts_with("HTTP/1.1 408 "), "{}", text(&wire));
    assert_eq!(h.poll_close(), Some(CloseReason::Local));
}

#[test]
fn an_idle_keep_alive_connection_closes_silently() {
    let mut h = http::<256, 256>(TIMEOUTS);
    arrive(&mut h, b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(serve(&mut h, at(1)).unwrap(), ["/a"]);
    let mut wire = Vec::new();
    drain(&mut h, &mut wire);
    assert_eq!(h.poll_at(), Some(at(6)), "the idle timeout runs from the finish");
    assert_eq!(h.on_timeout(at(5)), Ok(()));
    assert_eq!(h.on_timeout(at(6)), Err(RequestError::IdleTimeout));
    drain(&mut h, &mut wire);
    assert_eq!(text(&wire), ok("/a"), "no response to an idle timeout");
    assert_eq!(h.poll_close(), Some(CloseReason::Local));
}

#[test]
fn buffered_requests_are_answered_after_the_peer_closes() {
    let mut h = http::<256, 512>(Config::new().with_max_head(256));
    h.transport_mut()
        .peer_send(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    h.transport_mut().peer_close();
    h.on_event(Ready::READABLE.add(Ready::READ_CLOSED));
    assert_eq!(serve(&mut h, Instant::ZERO).unwrap(), ["/a", "/b"]);
    assert!(h
        .next(Instant::ZERO, |event, _| matches!(event, Event::Closed))
        .unwrap());
    assert_eq!(h.poll_close(), None, "the answers are not flushed yet");
    let mut wire = Vec::new();
    drain(&mut h, &mut wire);
    assert_eq!(text(&wire), ok("/a") + &ok("/b"));
    assert_eq!(h.poll_close(), Some(CloseReason::PeerClosed));
}

#[test]
fn a_peer_that_closes_half_way_through_a_head_gets_no_answer() {
    let mut h = http::<256, 256>(Config::new().with_max_head(256));
    arrive(&mut h, b"GET / HTTP/1.1\r\n");
    h.transport_mut().peer_close();
    h.on_event(Ready::READ_CLOSED);
    assert!(h
        .next(Instant::ZERO, |event, _| matches!(event, Event::Closed))
        .unwrap());
    assert_eq!(h.poll_close(), Some(CloseReason::PeerClosed));
    assert!(h.transport().outbound().is_empty());
}

#[test]
fn a_reopened_slot_serves_a_new_connection_from_scratch() {
    let mut h = http::<256, 256>(TIMEOUTS).with_head_room(64);
    arrive(&mut h, b"BAD\r\n\r\n");
    assert!(serve(&mut h, Instant::ZERO).is_err());
    h.on_event(Ready::WRITABLE);
    let old = h.reopen(MemTransport::new(), at(10));
    assert!(
        old.outbound().starts_with(b"HTTP/1.1 400 "),
        "the old peer got its answer"
    );
    assert_eq!(h.stream().written(), 0);
    assert!(!h.is_closed());
    assert_eq!(h.error(), None);
    assert_eq!(h.poll_at(), Some(at(12)), "the header timeout restarts");
    assert!(h.buffered().is_empty());
    arrive(&mut h, b"GET /new HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(serve(&mut h, at(10)).unwrap(), ["/new"]);
    let mut wire = Vec::new();
    drain(&mut h, &mut wire);
    assert_eq!(text(&wire), ok("/new"));
}

#[test]
fn a_peer_that_stops_reading_is_closed_a_header_timeout_after_the_close() {
    // An error response nobody reads.
    let mut h = http::<256, 256>(TIMEOUTS);
    h.transport_mut().set_write_limit(0);
    arrive(&mut h, b"BAD\r\n\r\n");
    assert_eq!(serve(&mut h, at(1)), Err(RequestError::MalformedHead));
    assert_eq!(h.poll_at(), Some(at(3)), "lingers one header timeout");
    assert_eq!(h.on_timeout(at(2)), Ok(()));
    assert_eq!(h.poll_close(), None);
    assert_eq!(h.on_timeout(at(3)), Ok(()));
    assert_eq!(h.poll_close(), Some(CloseReason::Timeout));

    // A closing response nobody reads.
    let mut h = http::<256, 256>(TIMEOUTS);
    h.transport_mut().set_write_limit(0);
    arrive(
        &mut h,
        b"GET /bye HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(serve(&mut h, at(1)).unwrap(), ["/bye"]);
    assert_eq!(h.poll_at(), Some(at(3)));
    assert_eq!(h.on_timeout(at(3)), Ok(()));
    assert_eq!(h.poll_close(), Some(CloseReason::Timeout));
}

#[test]
fn a_closing_response_the_peer_reads_is_flushed_then_closed() {
    let mut h = http::<256, 256>(TIMEOUTS);
    arrive(
        &mut h,
        b"GET /bye HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(serve(&mut h, at(1)).unwrap(), ["/bye"]);
    let mut wire = Vec::new();
    drain(&mut h, &mut wire);
    assert!(text(&wire).contains("Connection: close\r\n"));
    assert_eq!(h.poll_close(), Some(CloseReason::Local));
}
