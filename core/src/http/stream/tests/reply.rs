//! The write buffer as an [`Output`](crate::http::Output), and `respond` through a stream.

use crate::http::{Output, OutputFull};
use crate::stream::{BufferedStream, MemTransport};

#[test]
fn the_write_buffer_takes_a_write_whole_or_not_at_all() {
    let mut s: BufferedStream<MemTransport<64>, 16, 8> = BufferedStream::new(MemTransport::new());
    {
        let (_, mut out) = s.split();
        assert_eq!(out.spare(), 8);
        assert_eq!(Output::write(&mut out, b"12345"), Ok(()));
        assert_eq!(
            Output::write(&mut out, b"6789"),
            Err(OutputFull),
            "nothing of it is written"
        );
        assert_eq!(out.spare(), 3);
    }
    assert_eq!(Output::write(&mut s, b"678"), Ok(()));
    assert_eq!(Output::write(&mut s, b"9"), Err(OutputFull));
    s.on_writable();
    assert_eq!(s.transport().outbound(), b"12345678");
    s.close();
    assert_eq!(Output::spare(&s), 0, "a closed stream has no room");
    let (_, out) = s.split();
    assert_eq!(out.spare(), 0);
}

/// `respond` through a stream answers like the three calls it stands
/// for, and a closing answer closes the stream once flushed.
#[test]
fn respond_writes_whole_responses_and_closes_after_a_closing_one() {
    use crate::event::Ready;
    use crate::http::{Config, Event, HttpStream, Next, PreparedHead, Status};
    use crate::time::Instant;

    let head = PreparedHead::<64>::new(Status::OK, None, &[("Content-Type", "text/plain")]).unwrap();
    let now = Instant::ZERO;
    let mut http: HttpStream<MemTransport<1024>, 256, 256, 8> =
        HttpStream::new(MemTransport::new(), Config::new(), now);
    http.transport_mut()
        .peer_send(
            b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
        .unwrap();
    http.on_event(Ready::READABLE);
    let mut nexts = std::vec::Vec::new();
    loop {
        let more = http
            .next(now, |event, reply| match event {
                Event::Head(h) => {
                    let target = h.target();
                    nexts.push(reply.respond(&head, &[b"got ", target.as_bytes()], now));
                    true
                }
                Event::Body(_) | Event::End => true,
                Event::NeedMore | Event::Paused | Event::Closed => false,
            })
            .unwrap();
        if !more {
            break;
        }
    }
    assert_eq!(nexts, [Ok(Next::KeepAlive), Ok(Next::Close)]);
    http.on_event(Ready::WRITABLE);
    assert_eq!(
        http.transport().outbound(),
        &b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\ngot /a\
           HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\nConnection: close\r\n\r\ngot /b"[..]
    );
    assert!(
        http.poll_close().is_some(),
        "closed once the closing answer was flushed"
    );
}
