//! Requests in, responses out: pipelining in any split, bodies larger than
//! the write buffer under backpressure, an echo capped at the write room,
//! the head room, and a read buffer refilled without a readiness event.

use std::string::String;
use std::vec::Vec;

use super::{arrive, drain, fnv, http, ok, serve, serve_from, Rng};
use crate::event::Ready;
use crate::http::{BodyLen, Config, Event, HttpStream, ResponseError, Status};
use crate::stream::MemTransport;
use crate::time::Instant;

const PIPELINE: &[u8] = b"GET /1 HTTP/1.1\r\nHost: x\r\n\r\n\
POST /2 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello\
POST /3 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n\
GET /4 HTTP/1.1\r\nHost: x\r\n\r\n";

#[test]
fn pipelined_requests_in_random_splits_are_answered_in_order() {
    let expected: String = ["/1", "/2", "/3", "/4"].iter().map(|t| ok(t)).collect();
    for seed in 1..=40u64 {
        let mut rng = Rng(seed * 0x9e37_79b9);
        let mut h = http::<256, 1024>(Config::new().with_max_head(256));
        let (mut at, mut answered, mut wire) = (0, Vec::new(), Vec::new());
        let mut target = String::new();
        while at < PIPELINE.len() {
            let end = (at + rng.upto(40)).min(PIPELINE.len());
            arrive(&mut h, &PIPELINE[at..end]);
            at = end;
            answered.extend(serve_from(&mut h, Instant::ZERO, &mut target).unwrap());
            drain(&mut h, &mut wire);
        }
        assert_eq!(answered, ["/1", "/2", "/3", "/4"], "seed {seed}");
        assert_eq!(String::from_utf8(wire).unwrap(), expected, "seed {seed}");
        assert!(h.buffered().is_empty(), "seed {seed}: every byte consumed");
    }
}

#[test]
fn a_body_larger_than_the_write_buffer_streams_out_under_backpressure() {
    // 64-byte write buffer, and a peer whose receive window is 100 bytes:
    // the 5000-byte body goes out in pieces as the peer reads.
    let body: Vec<u8> = (0..5000u32).map(|i| (i * 7 + i / 13) as u8).collect();
    let mut h: HttpStream<MemTransport<100, 4>, 64, 64, 8> =
        HttpStream::new(MemTransport::new(), Config::new(), Instant::ZERO);
    arrive(&mut h, b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n");
    let started = h
        .next(Instant::ZERO, |event, _| matches!(event, Event::Head(_)))
        .unwrap();
    assert!(started);
    assert!(h
        .next(Instant::ZERO, |event, _| matches!(event, Event::End))
        .unwrap());
    let len = BodyLen::Fixed(body.len() as u64);
    h.start_response(Status::OK, None, &[], len).unwrap();

    let (mut sent, mut partial, mut full, mut wire) = (0, 0, 0, Vec::new());
    let mut rng = Rng(7);
    while sent < body.len() {
        match h.write_body(&body[sent..]) {
            Ok(n) => {
                assert!(n > 0);
                partial += usize::from(n < body.len() - sent);
                sent += n;
            }
            Err(ResponseError::OutputFull) => full += 1,
            Err(e) => panic!("write_body: {e:?}"),
        }
        // Writable readiness, then the peer reads a little, or nothing.
        h.on_event(Ready::WRITABLE);
        let take = if rng.next().is_multiple_of(3) {
            0
        } else {
            rng.upto(60)
        };
        let take = take.min(h.transport().outbound().len());
        wire.extend_from_slice(&h.transport().outbound()[..take]);
        h.transport_mut().peer_drain(take);
    }
    h.finish(Instant::ZERO).unwrap();
    while !h.stream().is_flushed() || !h.transport().outbound().is_empty() {
        drain(&mut h, &mut wire);
    }
    assert!(partial > 10, "write_body took part of the rest {partial} times");
    assert!(full > 0, "the full buffer pushed back");
    let head = b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n";
    assert_eq!(&wire[..head.len()], head);
    let got = &wire[head.len()..];
    assert_eq!(got.len(), body.len());
    assert_eq!(fnv(got), fnv(&body), "every byte, in order");
}

/// Decodes a chunked body at the front of `wire`, after its head.
fn dechunk(mut wire: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    loop {
        let line = wire.iter().position(|&b| b == b'\n').expect("chunk line");
        let size = std::str::from_utf8(&wire[..line - 1]).unwrap();
        let size = usize::from_str_radix(size, 16).unwrap();
        wire = &wire[line + 1..];
        if size == 0 {
            assert_eq!(wire, b"\r\n", "last chunk, no trailers");
            return body;
        }
        body.extend_from_slice(&wire[..size]);
        assert_eq!(&wire[size..size + 2], b"\r\n");
        wire = &wire[size + 2..];
    }
}

#[test]
fn an_echo_capped_at_the_write_room_passes_every_byte_on() {
    let payload: Vec<u8> = (0..3000u32).map(|i| (i % 251) as u8).collect();
    let mut request = Vec::from(&b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"[..]);
    for piece in payload.chunks(700) {
        request.extend_from_slice(std::format!("{:x}\r\n", piece.len()).as_bytes());
        request.extend_from_slice(piece);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");

    let mut h = http::<128, 64>(Config::new().with_max_head(128));
    let (mut at, mut wire, mut done) = (0, Vec::new(), false);
    let mut rng = Rng(99);
    while !done {
        if at < request.len() {
            let end = (at + rng.upto(90)).min(request.len());
            arrive(&mut h, &request[at..end]);
            at = end;
        }
        loop {
            let room = h.write_space().saturating_sub(8);
            let go = h
                .next_within(Instant::ZERO, room, |event, reply| match event {
                    Event::Head(_) => {
                        reply
                            .start_response(Status::OK, None, &[], BodyLen::Chunked)
                            .unwrap();
                        true
                    }
                    Event::Body(data) => {
                        assert!(data.len() <= room);
                        assert_eq!(reply.write_body(data), Ok(data.len()));
                        true
                    }
                    Event::End => {
                        reply.finish(Instant::ZERO).unwrap();
                        done = true;
                        false
                    }
                    Event::NeedMore | Event::Paused | Event::Closed => false,
                })
                .unwrap();
            if !go {
                break;
            }
        }
        drain(&mut h, &mut wire);
    }
    drain(&mut h, &mut wire);
    let head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    assert_eq!(&wire[..head.len()], head);
    assert_eq!(dechunk(&wire[head.len()..]), payload);
}

#[test]
fn a_new_head_waits_for_head_room() {
    let config = Config::new().with_max_head(256);
    let mut h = http::<256, 128>(config).with_head_room(100);
    h.transport_mut().set_write_limit(0); // the peer reads nothing yet
    arrive(
        &mut h,
        b"GET /first-target-of-some-length HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    assert_eq!(
        serve(&mut h, Instant::ZERO).unwrap(),
        ["/first-target-of-some-length"]
    );
    assert!(h.write_space() < 100);
    assert!(h
        .next(Instant::ZERO, |event, _| matches!(event, Event::Paused))
        .unwrap());
    assert_eq!(h.desired_interest(), Some(crate::Interest::BOTH));

    h.transport_mut().set_write_limit(usize::MAX);
    let mut wire = Vec::new();
    drain(&mut h, &mut wire);
    assert_eq!(serve(&mut h, Instant::ZERO).unwrap(), ["/2"]);
    drain(&mut h, &mut wire);
    let expected = ok("/first-target-of-some-length") + &ok("/2");
    assert_eq!(String::from_utf8(wire).unwrap(), expected);
}

#[test]
fn a_full_read_buffer_is_refilled_without_a_readiness_event() {
    // Three requests of 28 bytes arrive at once; the 64-byte buffer takes
    // two and some, the rest waits in the transport.
    let mut h = http::<64, 512>(Config::new().with_max_head(64));
    arrive(&mut h, b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(h.transport().inbound_len() > 0, "the buffer filled first");
    assert_eq!(serve(&mut h, Instant::ZERO).unwrap(), ["/a", "/b", "/c"]);
    assert_eq!(h.transport().inbound_len(), 0);
}

#[test]
fn a_response_started_later_goes_through_the_stream() {
    let mut h = http::<256, 256>(Config::new().with_max_head(256));
    arrive(&mut h, b"GET /later HTTP/1.1\r\nHost: x\r\n\r\n");
    // The handler only notes the request; the answer comes afterwards.
    while h
        .next(Instant::ZERO, |event, _| !matches!(event, Event::End))
        .unwrap()
    {}
    assert_eq!(h.write_continue(), Ok(false));
    h.start_response(Status::NO_CONTENT, None, &[], BodyLen::Fixed(0))
        .unwrap();
    assert_eq!(h.finish(Instant::ZERO), Ok(crate::http::Next::KeepAlive));
    let mut wire = Vec::new();
    drain(&mut h, &mut wire);
    assert_eq!(wire, b"HTTP/1.1 204 No Content\r\n\r\n");
}
