//! The HTTP/1.1 connection on target, sans-I/O: pipelined requests
//! answered in order on one keep-alive connection, a chunked body
//! decoded, and bad input answered with its status and a close.

use eddy_core::http::{BodyLen, Config, Connection, Event, Next, SliceOutput, Status};
use eddy_core::Instant;
use eddy_firmware::harness::{Outcome, Test};
use eddy_firmware::{check, check_eq, check_ok};
use heapless::Vec;

const T0: Instant = Instant::ZERO;

fn pipelined_requests_are_answered_in_order() -> Outcome {
    let input = b"GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n";
    let mut http: Connection<8> = Connection::new(Config::new(), T0);
    let mut buf = [0u8; 256];
    let mut out = SliceOutput::new(&mut buf);
    let (mut at, mut target) = (0, [0u8; 2]);
    let mut answered = 0;
    for _ in 0..16 {
        let got = check_ok!(http.receive(&input[at..], T0));
        at += got.consumed;
        match got.event {
            Event::Head(head) => target.copy_from_slice(head.target().as_bytes()),
            Event::End => {
                check_ok!(http.start_response(&mut out, Status::OK, None, &[], BodyLen::Fixed(2)));
                check_ok!(http.write_body(&mut out, &target));
                check_eq!(check_ok!(http.finish(&mut out, T0)), Next::KeepAlive);
                answered += 1;
            }
            Event::NeedMore => break,
            Event::Body(_) | Event::Paused | Event::Closed => {}
        }
    }
    check_eq!(answered, 2);
    let written = out.written();
    let a = written.windows(2).position(|w| w == b"/a");
    let b = written.windows(2).position(|w| w == b"/b");
    check!(a.is_some() && b.is_some() && a < b, "responses in request order");
    check!(written.starts_with(b"HTTP/1.1 200 OK\r\n"), "a status line first");
    Ok(())
}

fn a_chunked_body_is_decoded() -> Outcome {
    let input = b"POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
    let mut http: Connection<8> = Connection::new(Config::new(), T0);
    let mut body: Vec<u8, 32> = Vec::new();
    let mut at = 0;
    let mut ended = false;
    for _ in 0..16 {
        let got = check_ok!(http.receive(&input[at..], T0));
        at += got.consumed;
        match got.event {
            Event::Head(head) => check_eq!(head.body(), BodyLen::Chunked),
            Event::Body(bytes) => check!(body.extend_from_slice(bytes).is_ok()),
            Event::End => {
                ended = true;
                break;
            }
            _ => break,
        }
    }
    check!(ended, "the body ended");
    check_eq!(&body[..], b"hello world");
    check_eq!(at, input.len(), "everything consumed");
    Ok(())
}

fn bad_input_gets_its_status_and_a_close() -> Outcome {
    let cases: [(&[u8], u16); 3] = [
        (b"GET / HTTP/1.1\r\n\r\n", 400),
        (b"GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505),
        (
            b"GET / HTTP/1.1\r\nHost: h\r\nX-Long: 0123456789012345678901234567890123456789\r\n\r\n",
            431,
        ),
    ];
    for (input, code) in cases {
        let mut http: Connection<8> = Connection::new(Config::new().with_max_head(64), T0);
        let err = match http.receive(input, T0) {
            Err(e) => e,
            Ok(got) => {
                check!(false, "accepted {:?}", got.event);
                continue;
            }
        };
        check_eq!(err.status().code(), code);
        let mut buf = [0u8; 256];
        let mut out = SliceOutput::new(&mut buf);
        check_ok!(http.send_error(&mut out, err.status()));
        check!(
            out.written().windows(17).any(|w| w == b"Connection: close"),
            "the error response closes"
        );
        check!(http.is_closed());
    }
    Ok(())
}

/// This module's tests.
pub const TESTS: &[Test] = &[
    Test {
        name: "http::pipelined_requests_are_answered_in_order",
        run: pipelined_requests_are_answered_in_order,
    },
    Test {
        name: "http::a_chunked_body_is_decoded",
        run: a_chunked_body_is_decoded,
    },
    Test {
        name: "http::bad_input_gets_its_status_and_a_close",
        run: bad_input_gets_its_status_and_a_close,
    },
];
