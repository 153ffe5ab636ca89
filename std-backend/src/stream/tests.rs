//! Unit tests of [`TcpTransport`](super::TcpTransport): the read flag, short reads, end-of-file
//! after read-closed, and the error kinds.

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::time::Duration;

use eddy_core::stream::BufferedStream;
use eddy_core::{Backend, Event, Interest, Token};
use embedded_io::Error as _;

use super::*;
use crate::StdBackend;

/// A connected pair: the adapter on one end, a blocking std socket on
/// the other.
fn pair() -> (TcpTransport, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (server, _) = listener.accept().unwrap();
    client.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    (TcpTransport::new(server).unwrap(), client)
}

/// Waits (bounded) for `interest` on `t` through a real backend and
/// feeds the event to `set_ready`, as a reactor handler would.
#[track_caller]
fn wait_for(t: &mut TcpTransport, interest: Interest) -> Ready {
    let ready = poll_once(t, interest);
    t.set_ready(ready);
    ready
}

/// Waits (bounded) for `interest` on `t` and returns the event's
/// readiness without telling the transport.
#[track_caller]
fn poll_once(t: &TcpTransport, interest: Interest) -> Ready {
    let mut backend = StdBackend::new().unwrap();
    backend.register(t.as_fd(), Token::new(1, 0), interest).unwrap();
    let mut events = [Event::EMPTY; 4];
    let n = backend.poll(&mut events, Some(Duration::from_secs(10))).unwrap();
    assert_eq!(n, 1, "no readiness within 10 s");
    backend.deregister(t.as_fd()).unwrap();
    events[0].ready
}

#[test]
fn a_short_read_clears_the_read_flag_a_full_one_does_not() {
    let (mut t, mut client) = pair();
    client.write_all(b"12345678").unwrap();
    wait_for(&mut t, Interest::READABLE);
    let mut buf = [0; 8];
    assert_eq!(t.read(&mut buf).unwrap(), 8);
    assert!(t.is_read_ready(), "a full read may have left bytes behind");
    client.write_all(b"abc").unwrap();
    wait_for(&mut t, Interest::READABLE);
    let mut buf = [0; 16];
    assert_eq!(t.read(&mut buf).unwrap(), 3);
    assert!(!t.is_read_ready(), "a short read emptied the socket");
}

#[test]
fn a_buffered_stream_reads_once_per_event_and_waits_for_the_next() {
    let (t, mut client) = pair();
    let mut stream: BufferedStream<TcpTransport, 64, 64> = BufferedStream::new(t);
    client.write_all(b"a").unwrap();
    wait_for(stream.transport_mut(), Interest::READABLE);
    assert_eq!(stream.on_readable(), 1);
    // More bytes are queued now, but no event has announced them to
    // the transport: the stream does not go looking.
    client.write_all(b"b").unwrap();
    assert!(poll_once(stream.transport(), Interest::READABLE).is_readable());
    assert_eq!(stream.on_readable(), 0, "no read without a new event");
    stream.transport_mut().set_ready(Ready::READABLE);
    assert_eq!(stream.on_readable(), 1);
    assert_eq!(stream.buffered(), b"ab");
}

#[test]
fn after_read_closed_short_reads_go_on_to_end_of_file() {
    let (mut t, mut client) = pair();
    client.write_all(b"bye").unwrap();
    client.shutdown(Shutdown::Write).unwrap();
    assert!(poll_once(&t, Interest::READABLE).is_readable());
    // What epoll and kqueue report for bytes followed by a FIN (the
    // poll(2) fallback may report only readable, see below).
    t.set_ready(Ready::READABLE | Ready::READ_CLOSED);
    let mut buf = [0; 16];
    assert_eq!(t.read(&mut buf).unwrap(), 3);
    assert!(t.is_read_ready(), "the end-of-file is still to be read");
    loop {
        match t.read(&mut buf) {
            Ok(n) => break assert_eq!(n, 0, "end-of-file"),
            // The FIN was not in yet: it comes with an event.
            Err(e) if e.kind() == ErrorKind::Interrupted => drop(wait_for(&mut t, Interest::READABLE)),
            Err(e) => panic!("{e}"),
        }
    }
}

#[test]
fn a_short_read_before_the_fin_leaves_it_to_the_next_event() {
    let (mut t, mut client) = pair();
    client.write_all(b"bye").unwrap();
    client.shutdown(Shutdown::Write).unwrap();
    assert!(poll_once(&t, Interest::READABLE).is_readable());
    // An event that says only readable (poll(2) without POLLRDHUP).
    t.set_ready(Ready::READABLE);
    let mut buf = [0; 16];
    assert_eq!(t.read(&mut buf).unwrap(), 3);
    assert!(!t.is_read_ready(), "a short read emptied the socket");
    // The pending end-of-file keeps the socket readable: every backend
    // reports it again.
    wait_for(&mut t, Interest::READABLE);
    assert_eq!(t.read(&mut buf).unwrap(), 0, "end-of-file");
}

#[test]
fn would_block_is_interrupted_and_clears_the_flag() {
    let (mut t, _client) = pair();
    assert!(t.read_ready().unwrap(), "optimistic at first");
    let err = t.read(&mut [0; 16]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Interrupted);
    assert!(!t.read_ready().unwrap(), "cleared by would-block");
    assert!(t.write_ready().unwrap(), "the write flag is untouched");
    t.set_ready(Ready::WRITABLE);
    assert!(!t.is_read_ready(), "a writable event does not set the read flag");
    t.set_ready(Ready::ERROR);
    assert!(t.is_read_ready(), "an error is collected by the next read");
}

#[test]
fn readable_event_then_bytes_then_eof() {
    let (mut t, mut client) = pair();
    let _ = t.read(&mut [0; 16]);
    client.write_all(b"ping\n").unwrap();
    assert!(wait_for(&mut t, Interest::READABLE).is_readable());
    let mut buf = [0; 16];
    assert_eq!(t.read(&mut buf).unwrap(), 5);
    assert_eq!(&buf[..5], b"ping\n");
    drop(client);
    wait_for(&mut t, Interest::READABLE);
    assert_eq!(t.read(&mut buf).unwrap(), 0, "end-of-file is Ok(0)");
}

#[test]
fn reset_is_connection_reset() {
    let (mut t, client) = pair();
    // SO_LINGER with a zero timeout: close(2) sends RST (socket(7)).
    rustix::net::sockopt::set_socket_linger(&client, Some(Duration::ZERO)).unwrap();
    drop(client);
    wait_for(&mut t, Interest::READABLE);
    let err = t.read(&mut [0; 16]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err}");
    assert_eq!(err.io_error().kind(), io::ErrorKind::ConnectionReset);
}

#[test]
fn full_socket_blocks_writes_until_the_peer_reads() {
    let (mut t, mut client) = pair();
    let chunk = [7u8; 64 * 1024];
    let mut sent = 0usize;
    let err = loop {
        match t.write(&chunk) {
            Ok(n) => sent += n,
            Err(e) => break e,
        }
        assert!(sent < 256 << 20, "the socket never filled");
    };
    assert_eq!(err.kind(), ErrorKind::Interrupted, "{err}");
    assert!(!t.write_ready().unwrap());
    // The peer drains everything; the socket turns writable again.
    let mut buf = vec![0; 64 * 1024];
    let mut got = 0;
    while got < sent {
        got += client.read(&mut buf).unwrap();
    }
    assert!(wait_for(&mut t, Interest::WRITABLE).is_writable());
    assert!(t.write(b"more").unwrap() > 0);
}

#[test]
fn shutdown_write_is_a_half_close() {
    let (mut t, mut client) = pair();
    t.write(b"bye\n").unwrap();
    t.shutdown_write().unwrap();
    let mut got = Vec::new();
    client.read_to_end(&mut got).unwrap();
    assert_eq!(got, b"bye\n", "everything, then end-of-file");
    // The other direction still works.
    client.write_all(b"still here").unwrap();
    wait_for(&mut t, Interest::READABLE);
    let mut buf = [0; 16];
    assert_eq!(t.read(&mut buf).unwrap(), 10);
}

#[test]
fn a_buffered_stream_runs_over_it() {
    let (t, mut client) = pair();
    let mut stream: BufferedStream<TcpTransport, 64, 64> = BufferedStream::new(t);
    client.write_all(b"one\ntwo\n").unwrap();
    let mut lines = Vec::new();
    while lines.len() < 2 {
        stream.read_until(b"\n", 64).unwrap();
        loop {
            if let Some(done) = stream.poll_read() {
                let done = done.unwrap();
                lines.push(stream.data(&done).to_vec());
                stream.consume(done).unwrap();
                break;
            }
            let ready = wait_for(stream.transport_mut(), Interest::READABLE);
            assert!(ready.is_readable());
            stream.on_readable();
        }
    }
    assert_eq!(lines, [b"one\n".to_vec(), b"two\n".to_vec()]);
    stream.write(b"three\n").unwrap();
    stream.on_writable();
    assert!(stream.is_flushed());
    let mut buf = [0; 6];
    client.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"three\n");
}
