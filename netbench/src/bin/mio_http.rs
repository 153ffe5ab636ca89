//! The minimal peer of the HTTP benchmark: one thread, mio's edge-triggered
//! poll, `httparse` for the head, and nothing else — the least a server can
//! do to answer the benchmark's requests correctly. It answers like eddy's
//! `http_server` does for `GET`:
//!
//! - `mio_http --addr 127.0.0.1:PORT` binds, prints
//!   `listening on http://ADDR` and flushes stdout;
//! - every request gets 200 with `Content-Type: text/plain`,
//!   `Content-Length` and `You requested <target>\n` — byte for byte what
//!   eddy sends;
//! - keep-alive follows HTTP/1.1 and 1.0 (`Connection: close`,
//!   `Connection: keep-alive`); pipelined requests are answered in order,
//!   all responses found in one read written with one `write`;
//! - a request with a body, a malformed head or a head over the read
//!   buffer gets `400` and the connection closes (it is a benchmark peer,
//!   not a server);
//! - SIGINT or SIGTERM stops the server with exit status 0.
//!
//! Each socket is drained until it would block, as edge-triggered readiness
//! requires; `TCP_NODELAY` is set, as eddy does.

#![forbid(unsafe_code)]

use std::io::{ErrorKind, Read, Write};
use std::net::SocketAddr;
use std::process::ExitCode;

use mio::net::{TcpListener, TcpStream, UnixStream};
use mio::{Events, Interest, Poll, Token};

const USAGE: &str = "usage: mio_http --addr 127.0.0.1:PORT";
const LISTENER: Token = Token(usize::MAX);
const SIGNALS: Token = Token(usize::MAX - 1);
/// A whole head must fit (eddy's limit is 8 KiB).
const READ_BUF: usize = 16 * 1024;
/// No more requests are parsed while this much output waits.
const WRITE_HIGH: usize = 64 * 1024;
const MAX_HEADERS: usize = 32;
const BAD_REQUEST: &[u8] =
    b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 12\r\nConnection: close\r\n\r\nBad Request\n";

fn main() -> ExitCode {
    let addr = match parse_args(std::env::args().skip(1)) {
        Ok(addr) => addr,
        Err(msg) => {
            eprintln!("mio_http: {msg}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match serve(addr) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mio_http: {e}");
            ExitCode::FAILURE
        }
    }
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<SocketAddr, String> {
    let mut addr = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--addr" => {
                let value = args.next().ok_or("--addr needs a value")?;
                addr = Some(value.parse().map_err(|e| format!("--addr {value}: {e}"))?);
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    addr.ok_or_else(|| "--addr is required".to_string())
}

/// One connection.
struct Conn {
    stream: TcpStream,
    rbuf: Box<[u8]>,
    rlen: usize,
    wbuf: Vec<u8>,
    wpos: usize,
    /// Close once the output is written.
    closing: bool,
    eof: bool,
}

fn serve(addr: SocketAddr) -> std::io::Result<()> {
    let mut poll = Poll::new()?;
    let mut listener = TcpListener::bind(addr)?;
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)?;
    // A signal writes a byte into `tx`; `rx` becomes readable.
    let (tx, mut rx) = UnixStream::pair()?;
    let tx = std::os::unix::net::UnixStream::from(std::os::fd::OwnedFd::from(tx));
    signal_hook::low_level::pipe::register(signal_hook::consts::SIGTERM, tx.try_clone()?)?;
    signal_hook::low_level::pipe::register(signal_hook::consts::SIGINT, tx)?;
    poll.registry().register(&mut rx, SIGNALS, Interest::READABLE)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "listening on http://{}", listener.local_addr()?)?;
    out.flush()?;
    drop(out);

    let mut conns: Vec<Option<Conn>> = Vec::new();
    let mut free: Vec<usize> = Vec::new();
    let mut events = Events::with_capacity(1024);
    loop {
        match poll.poll(&mut events, None) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
        for event in &events {
            match event.token() {
                SIGNALS => return Ok(()),
                LISTENER => accept(&poll, &mut listener, &mut conns, &mut free),
                Token(i) => {
                    let keep = conns.get_mut(i).and_then(Option::as_mut).is_some_and(on_ready);
                    if !keep {
                        if let Some(mut conn) = conns.get_mut(i).and_then(Option::take) {
                            let _ = poll.registry().deregister(&mut conn.stream);
                            free.push(i);
                        }
                    }
                }
            }
        }
    }
}

fn accept(poll: &Poll, listener: &mut TcpListener, conns: &mut Vec<Option<Conn>>, free: &mut Vec<usize>) {
    loop {
        let mut stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) if e.kind() == ErrorKind::WouldBlock => return,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => {
                eprintln!("mio_http: accept: {e}");
                return;
            }
        };
        let _ = stream.set_nodelay(true);
        let index = free.pop().unwrap_or_else(|| {
            conns.push(None);
            conns.len() - 1
        });
        if let Err(e) =
            poll.registry()
                .register(&mut stream, Token(index), Interest::READABLE | Interest::WRITABLE)
        {
            eprintln!("mio_http: register: {e}");
            free.push(index);
            continue;
        }
        conns[index] = Some(Conn {
            stream,
            rbuf: vec![0; READ_BUF].into_boxed_slice(),
            rlen: 0,
            wbuf: Vec::with_capacity(WRITE_HIGH),
            wpos: 0,
            closing: false,
            eof: false,
        });
    }
}

/// Readiness: read until would-block, answering and writing as it goes;
/// `false` when the connection is done.
fn on_ready(conn: &mut Conn) -> bool {
    loop {
        let mut blocked = conn.eof || conn.closing;
        if !blocked && conn.rlen < conn.rbuf.len() {
            match conn.stream.read(&mut conn.rbuf[conn.rlen..]) {
                Ok(0) => conn.eof = true,
                Ok(n) => conn.rlen += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => blocked = true,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(_) => return false,
            }
        }
        process(conn);
        match flush(conn) {
            Some(true) => {}
            Some(false) => return true, // output waits for WRITABLE
            None => return false,
        }
        if conn.closing || (conn.eof && conn.rlen == 0) {
            return false;
        }
        if conn.rlen == conn.rbuf.len() {
            // A full buffer that `process` could not use: a head too large.
            conn.wbuf.extend_from_slice(BAD_REQUEST);
            conn.closing = true;
            continue;
        }
        if blocked || conn.eof {
            return !conn.eof;
        }
    }
}

/// Answers every complete request in the read buffer.
fn process(conn: &mut Conn) {
    let mut at = 0;
    while !conn.closing && conn.wbuf.len() < WRITE_HIGH {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut req = httparse::Request::new(&mut headers);
        match req.parse(&conn.rbuf[at..conn.rlen]) {
            Ok(httparse::Status::Complete(len)) => {
                at += len;
                let mut keep_alive = req.version == Some(1);
                let mut has_body = false;
                for h in req.headers.iter() {
                    if h.name.eq_ignore_ascii_case("connection") {
                        if h.value.eq_ignore_ascii_case(b"close") {
                            keep_alive = false;
                        } else if h.value.eq_ignore_ascii_case(b"keep-alive") {
                            keep_alive = true;
                        }
                    } else if h.name.eq_ignore_ascii_case("transfer-encoding")
                        || (h.name.eq_ignore_ascii_case("content-length") && h.value != b"0")
                    {
                        has_body = true;
                    }
                }
                if has_body {
                    conn.wbuf.extend_from_slice(BAD_REQUEST);
                    conn.closing = true;
                    break;
                }
                respond(
                    &mut conn.wbuf,
                    req.path.unwrap_or("/"),
                    keep_alive,
                    req.version == Some(0),
                );
                conn.closing = !keep_alive;
            }
            Ok(httparse::Status::Partial) => break,
            Err(_) => {
                conn.wbuf.extend_from_slice(BAD_REQUEST);
                conn.closing = true;
                break;
            }
        }
    }
    conn.rbuf.copy_within(at..conn.rlen, 0);
    conn.rlen -= at;
}

/// Appends the response eddy gives `GET <target>`.
fn respond(out: &mut Vec<u8>, target: &str, keep_alive: bool, http10: bool) {
    let len = b"You requested \n".len() + target.len();
    out.extend_from_slice(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ");
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = len;
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
    match (keep_alive, http10) {
        (false, _) => out.extend_from_slice(b"\r\nConnection: close"),
        (true, true) => out.extend_from_slice(b"\r\nConnection: keep-alive"),
        (true, false) => {}
    }
    out.extend_from_slice(b"\r\n\r\nYou requested ");
    out.extend_from_slice(target.as_bytes());
    out.push(b'\n');
}

/// Writes pending output: `Some(true)` when all is written, `Some(false)`
/// when the socket would block, `None` when the connection failed.
fn flush(conn: &mut Conn) -> Option<bool> {
    while conn.wpos < conn.wbuf.len() {
        match conn.stream.write(&conn.wbuf[conn.wpos..]) {
            Ok(0) => return None,
            Ok(n) => conn.wpos += n,
            Err(e) if e.kind() == ErrorKind::WouldBlock => return Some(false),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    conn.wbuf.clear();
    conn.wpos = 0;
    Some(true)
}
