//! The HTTP connection driven by a buffered stream (`HttpStream`) on
//! target, over the in-memory transport: pipelined requests trickled in
//! small pieces and answered in order, a body eight times the write buffer
//! streamed to a peer with a small window, and an oversized head answered
//! 431, flushed, then closed.

use eddy_core::event::Ready;
use eddy_core::http::{BodyLen, Config, Event, HttpStream, RequestError, ResponseError, Status};
use eddy_core::stream::{CloseReason, MemTransport};
use eddy_core::Instant;
use eddy_firmware::harness::{Outcome, Test};
use eddy_firmware::{check, check_eq, check_ok};
use heapless::Vec;

const T0: Instant = Instant::ZERO;

/// Answers each complete request with 200 and its one-byte target name
/// until the connection waits; returns how many were answered.
fn serve<const N: usize, const R: usize, const W: usize>(
    http: &mut HttpStream<MemTransport<N>, R, W, 8>,
    name: &mut u8,
) -> Result<usize, RequestError> {
    let mut answered = 0;
    loop {
        let go = http.next(T0, |event, reply| match event {
            Event::Head(head) => {
                *name = head.target().as_bytes().get(1).copied().unwrap_or(b'?');
                true
            }
            Event::Body(_) => true,
            Event::End => {
                let sent = reply
                    .start_response(Status::OK, None, &[], BodyLen::Fixed(1))
                    .and_then(|()| reply.write_body(&[*name]))
                    .and_then(|_| reply.finish(T0));
                answered += usize::from(sent.is_ok());
                true
            }
            Event::NeedMore | Event::Paused | Event::Closed => false,
        })?;
        if !go {
            return Ok(answered);
        }
    }
}

fn pipelined_requests_in_small_pieces_are_answered_in_order() -> Outcome {
    let input = b"GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\nGET /c HTTP/1.1\r\nHost: h\r\n\r\n";
    let mut http: HttpStream<MemTransport<256>, 128, 256, 8> =
        HttpStream::new(MemTransport::new(), Config::new().with_max_head(128), T0);
    let (mut answered, mut name) = (0, 0u8);
    for piece in input.chunks(7) {
        check_ok!(http
            .transport_mut()
            .peer_send(piece)
            .map_err(|_| "transport full"));
        http.on_event(Ready::READABLE);
        answered += check_ok!(serve(&mut http, &mut name));
    }
    http.on_event(Ready::WRITABLE);
    check_eq!(answered, 3);
    let out = http.transport().outbound();
    let bodies: Vec<u8, 3> = out
        .windows(4)
        .enumerate()
        .filter(|(_, w)| *w == b"\r\n\r\n")
        .filter_map(|(i, _)| out.get(i + 4).copied())
        .collect();
    check_eq!(&bodies[..], b"abc", "responses in request order");
    check!(http.buffered().is_empty(), "every byte consumed");
    Ok(())
}

fn a_body_larger_than_the_write_buffer_streams_out() -> Outcome {
    let mut http: HttpStream<MemTransport<100, 4>, 128, 64, 8> =
        HttpStream::new(MemTransport::new(), Config::new().with_max_head(128), T0);
    check_ok!(http
        .transport_mut()
        .peer_send(b"GET /big HTTP/1.1\r\nHost: h\r\n\r\n")
        .map_err(|_| "full"));
    http.on_event(Ready::READABLE);
    while check_ok!(http.next(T0, |event, _| !matches!(event, Event::End))) {}
    let body = |i: u32| (i * 31 + i / 7) as u8;
    const LEN: u32 = 512;
    check_ok!(http.start_response(Status::OK, None, &[], BodyLen::Fixed(u64::from(LEN))));
    let (mut sent, mut partial, mut got, mut sum_in, mut sum_out) = (0u32, 0, 0usize, 0u32, 0u32);
    let mut chunk = [0u8; 100];
    for _ in 0..1000 {
        if sent == LEN {
            break;
        }
        let want = (LEN - sent).min(100) as usize;
        for (i, b) in chunk[..want].iter_mut().enumerate() {
            *b = body(sent + i as u32);
        }
        match http.write_body(&chunk[..want]) {
            Ok(n) => {
                partial += usize::from(n < want);
                sent += n as u32;
            }
            Err(ResponseError::OutputFull) => {}
            Err(e) => check!(false, "write_body: {:?}", e),
        }
        http.on_event(Ready::WRITABLE);
        // The peer reads at most 40 bytes a round; its window is 100.
        let out = http.transport().outbound();
        let take = out.len().min(40);
        for &b in &out[..take] {
            got += 1;
            sum_in = sum_in.wrapping_mul(31).wrapping_add(u32::from(b));
        }
        http.transport_mut().peer_drain(take);
    }
    check_eq!(sent, LEN);
    check_ok!(http.finish(T0));
    for _ in 0..100 {
        http.on_event(Ready::WRITABLE);
        let out = http.transport().outbound();
        let take = out.len();
        for &b in out {
            got += 1;
            sum_in = sum_in.wrapping_mul(31).wrapping_add(u32::from(b));
        }
        http.transport_mut().peer_drain(take);
    }
    let head = b"HTTP/1.1 200 OK\r\nContent-Length: 512\r\n\r\n";
    for &b in head
        .iter()
        .chain((0..LEN).map(body).collect::<Vec<u8, 512>>().iter())
    {
        sum_out = sum_out.wrapping_mul(31).wrapping_add(u32::from(b));
    }
    check!(partial > 0, "write_body took part of a run");
    check_eq!(got, head.len() + LEN as usize, "every byte arrived");
    check_eq!(sum_in, sum_out, "in order");
    Ok(())
}

fn an_oversized_head_gets_431_flushed_then_closed() -> Outcome {
    let mut http: HttpStream<MemTransport<256>, 64, 256, 8> =
        HttpStream::new(MemTransport::new(), Config::new().with_max_head(64), T0);
    http.transport_mut().set_write_limit(0);
    check_ok!(http
        .transport_mut()
        .peer_send(b"GET / HTTP/1.1\r\nHost: h\r\nX-Long: 0123456789012345678901234567890123456789\r\n\r\n")
        .map_err(|_| "full"));
    http.on_event(Ready::READABLE);
    check_eq!(serve(&mut http, &mut 0), Err(RequestError::HeadTooLarge));
    http.on_event(Ready::WRITABLE);
    check_eq!(http.poll_close(), None, "open until the response is out");
    http.transport_mut().set_write_limit(usize::MAX);
    http.on_event(Ready::WRITABLE);
    check!(http.transport().outbound().starts_with(b"HTTP/1.1 431 "));
    check_eq!(http.poll_close(), Some(CloseReason::Local));
    Ok(())
}

/// This module's tests.
pub const TESTS: &[Test] = &[
    Test {
        name: "http_stream::pipelined_requests_in_small_pieces_are_answered_in_order",
        run: pipelined_requests_in_small_pieces_are_answered_in_order,
    },
    Test {
        name: "http_stream::a_body_larger_than_the_write_buffer_streams_out",
        run: a_body_larger_than_the_write_buffer_streams_out,
    },
    Test {
        name: "http_stream::an_oversized_head_gets_431_flushed_then_closed",
        run: an_oversized_head_gets_431_flushed_then_closed,
    },
];
