//! The buffered stream on target, over the in-memory transport: reads
//! across chunk boundaries, an unsatisfiable delimiter, backpressure from a
//! peer that does not read, end-of-file and reset reported once, and a
//! stream driven by reactor events through `StreamDriver`.

use core::time::Duration;

use eddy_core::callback::{CallbackError, CallbackResult, Handler};
use eddy_core::sim::{SimBackend, SimSource};
use eddy_core::stream::{
    BufferedStream, CloseReason, InterestChange, MemTransport, ReadError, StreamDriver, WriteError,
};
use eddy_core::{Event, Instant, Interest, Reactor, Ready, Token};
use eddy_firmware::harness::{Outcome, Test};
use eddy_firmware::{check, check_eq, check_ok};

type Stream<const RB: usize, const WB: usize> = BufferedStream<MemTransport<64>, RB, WB>;

fn read_until_spans_chunks_and_keeps_the_rest() -> Outcome {
    let mut s: Stream<32, 16> = BufferedStream::new(MemTransport::new());
    check_ok!(s.read_until(b"\r\n", 32));
    check_ok!(s.transport_mut().peer_send(b"GET / HT"));
    s.on_readable();
    check!(s.poll_read().is_none(), "no delimiter yet");
    check_ok!(s.transport_mut().peer_send(b"TP/1.1\r"));
    s.on_readable();
    check!(s.poll_read().is_none(), "half a delimiter");
    check_ok!(s.transport_mut().peer_send(b"\nHost"));
    s.on_readable();
    let done = check_ok!(s.poll_read().ok_or("no line"));
    let done = check_ok!(done);
    check_eq!(s.data(&done), b"GET / HTTP/1.1\r\n");
    check_ok!(s.consume(done));
    check_eq!(s.buffered(), b"Host", "bytes past the delimiter stay");
    Ok(())
}

fn an_unsatisfiable_read_is_refused_and_an_overlong_line_closes_the_stream() -> Outcome {
    let mut s: Stream<16, 16> = BufferedStream::new(MemTransport::new());
    check_eq!(
        s.read_until(b"\r\n\r\n", 3),
        Err(ReadError::Unsatisfiable),
        "delimiter over max"
    );
    check_eq!(
        s.read_exact(17),
        Err(ReadError::Unsatisfiable),
        "more than the buffer holds"
    );
    check_ok!(s.read_exact(3));
    check_ok!(s.transport_mut().peer_send(b"abcd"));
    s.on_readable();
    let done = check_ok!(check_ok!(s.poll_read().ok_or("no read")));
    check_eq!(s.data(&done), b"abc", "the stream stayed usable");
    check_ok!(s.consume(done));
    check_ok!(s.read_until(b"\n", 8));
    check_ok!(s.transport_mut().peer_send(b"0123456789"));
    s.on_readable();
    check_eq!(
        s.poll_read(),
        Some(Err(ReadError::Closed(CloseReason::BufferFull)))
    );
    check_eq!(s.poll_close(), Some(CloseReason::BufferFull));
    Ok(())
}

fn a_peer_that_does_not_read_gets_backpressure() -> Outcome {
    // 64 bytes fit the transport, 16 the write buffer.
    let mut s: Stream<16, 16> = BufferedStream::new(MemTransport::new());
    let block = [b'x'; 16];
    let mut accepted = 0;
    for _ in 0..6 {
        match s.write(&block) {
            Ok(n) => accepted += n,
            Err(e) => check_eq!(e, WriteError::Full, "only backpressure is expected"),
        }
        s.on_writable();
    }
    check_eq!(
        accepted,
        64 + 16,
        "the transport and the buffer are full, nothing more"
    );
    check_eq!(s.write(b"y"), Err(WriteError::Full));
    check!(!s.is_flushed());
    check_eq!(s.transport_mut().peer_drain(64), 64);
    s.on_writable();
    check!(s.poll_flushed(), "drained peer: everything flushed");
    check_eq!(s.flushed(), 80);
    Ok(())
}

fn end_of_file_completes_read_until_close_and_close_is_reported_once() -> Outcome {
    let mut s: Stream<32, 16> = BufferedStream::new(MemTransport::new());
    check_ok!(s.read_until_close());
    check_ok!(s.transport_mut().peer_send(b"last "));
    check_ok!(s.transport_mut().peer_send(b"words"));
    s.on_readable();
    check!(s.poll_read().is_none(), "still open");
    s.transport_mut().peer_close();
    s.on_readable();
    let done = check_ok!(check_ok!(s.poll_read().ok_or("no read")));
    check_eq!(s.data(&done), b"last words");
    check_ok!(s.consume(done));
    check_eq!(s.poll_close(), Some(CloseReason::PeerClosed));
    check_eq!(s.poll_close(), None, "reported once");
    Ok(())
}

fn a_reset_fails_the_read_and_closes_with_reset() -> Outcome {
    let mut s: Stream<32, 16> = BufferedStream::new(MemTransport::new());
    check_ok!(s.read_until(b"\n", 32));
    check_ok!(s.try_write_all(b"unsent"));
    s.transport_mut().peer_reset();
    s.on_readable();
    check_eq!(s.poll_read(), Some(Err(ReadError::Closed(CloseReason::Reset))));
    check_eq!(s.poll_close(), Some(CloseReason::Reset));
    check_eq!(s.write(b"more"), Err(WriteError::Closed(CloseReason::Reset)));
    Ok(())
}

/// A line echo server on one stream, as a reactor handler runs it.
struct Echo {
    stream: BufferedStream<MemTransport<64>, 32, 32>,
    driver: StreamDriver,
    token: Option<Token>,
    closed: Option<CloseReason>,
}

type R = Reactor<SimBackend<4, 8>, Echo, 4, 4, 4, 4>;
const SRC: SimSource = SimSource(7);

fn on_echo_event(app: &mut Echo, r: &mut R, ev: Event, _: usize) -> CallbackResult {
    app.driver.on_event(&mut app.stream, ev.ready);
    while let Some(Ok(line)) = app.stream.poll_read() {
        let reply: &[u8] = if app.stream.data(&line) == b"ping\n" {
            b"pong\n"
        } else {
            b"?\n"
        };
        app.stream
            .try_write_all(reply)
            .map_err(|_| CallbackError::new("write"))?;
        app.stream
            .consume(line)
            .map_err(|_| CallbackError::new("consume"))?;
        app.stream
            .read_until(b"\n", 32)
            .map_err(|_| CallbackError::new("read"))?;
    }
    if let Some(reason) = app.stream.poll_close() {
        app.closed = Some(reason);
    }
    let token = app.token.ok_or(CallbackError::new("no token"))?;
    match app.driver.update(&app.stream) {
        Some(InterestChange::Reregister(i)) => r.update_handler(SRC, token, i),
        Some(InterestChange::Deregister) => r.remove_handler(SRC, token),
        Some(InterestChange::Register(_)) | None => Ok(()),
    }
    .map_err(|_| CallbackError::new("registration"))
}

fn a_stream_is_driven_by_reactor_events() -> Outcome {
    let mut app = Echo {
        stream: BufferedStream::new(MemTransport::new()),
        driver: StreamDriver::registered(Interest::READABLE),
        token: None,
        closed: None,
    };
    let mut r = R::new(SimBackend::new());
    app.token = Some(check_ok!(r.add_handler(
        SRC,
        Interest::READABLE,
        Handler::new(on_echo_event, 0)
    )));
    check_ok!(app.stream.read_until(b"\n", 32));
    check_ok!(app.stream.transport_mut().peer_send(b"ping\n"));
    check_ok!(r
        .backend_mut()
        .ready_at(Instant::from_millis(5), SRC, Ready::READABLE));
    check_ok!(r.run_until(&mut app, Some(Duration::from_secs(1)), |a| a.stream.written() > 0));
    check_eq!(
        r.now(),
        Instant::from_millis(5),
        "the poll slept until the readiness"
    );
    check_eq!(
        app.driver.interest(),
        Some(Interest::BOTH),
        "a reply waits: writable wanted"
    );
    check_ok!(r.backend_mut().ready_now(SRC, Ready::WRITABLE));
    check_ok!(r.run_until(&mut app, Some(Duration::from_secs(1)), |a| a.stream.is_flushed()));
    check_eq!(app.stream.transport().outbound(), b"pong\n");
    check_eq!(
        app.driver.interest(),
        Some(Interest::READABLE),
        "idle again: read only"
    );
    app.stream.transport_mut().peer_close();
    check_ok!(r
        .backend_mut()
        .ready_now(SRC, Ready::READABLE | Ready::READ_CLOSED));
    check_ok!(r.run_until(&mut app, Some(Duration::from_secs(1)), |a| a.closed.is_some()));
    check_eq!(app.closed, Some(CloseReason::PeerClosed));
    check!(!r.backend().is_registered(SRC), "a closed stream is deregistered");
    check_eq!(r.stats().errors, 0);
    Ok(())
}

/// This module's tests.
pub const TESTS: &[Test] = &[
    Test {
        name: "stream::read_until_spans_chunks_and_keeps_the_rest",
        run: read_until_spans_chunks_and_keeps_the_rest,
    },
    Test {
        name: "stream::an_unsatisfiable_read_is_refused_and_an_overlong_line_closes_the_stream",
        run: an_unsatisfiable_read_is_refused_and_an_overlong_line_closes_the_stream,
    },
    Test {
        name: "stream::a_peer_that_does_not_read_gets_backpressure",
        run: a_peer_that_does_not_read_gets_backpressure,
    },
    Test {
        name: "stream::end_of_file_completes_read_until_close_and_close_is_reported_once",
        run: end_of_file_completes_read_until_close_and_close_is_reported_once,
    },
    Test {
        name: "stream::a_reset_fails_the_read_and_closes_with_reset",
        run: a_reset_fails_the_read_and_closes_with_reset,
    },
    Test {
        name: "stream::a_stream_is_driven_by_reactor_events",
        run: a_stream_is_driven_by_reactor_events,
    },
];
