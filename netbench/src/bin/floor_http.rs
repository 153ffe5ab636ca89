//! The floor of the HTTP benchmark: the least work a server can do per
//! request on epoll, to show how much of a server's CPU per request is the
//! kernel's and how much is left to win in user space.
//!
//! It is not an HTTP server: it parses nothing. Each readable event gets
//! one `read` (a short read means the socket is drained, as eddy does);
//! every `\r\n\r\n` in the buffer counts as one request and is answered
//! with the fixed response eddy gives `GET /`; all answers of one read
//! leave in one `write`. What remains per request is what every server
//! pays: a share of `epoll_wait`, one `recv`, one `send`.
//!
//! - `floor_http --addr 127.0.0.1:PORT` binds, prints
//!   `listening on http://ADDR` and flushes stdout;
//! - SIGINT or SIGTERM stops it with exit status 0.
//!
//! Only the benchmark's own load (`GET /`, keep-alive) is answered right.

#![forbid(unsafe_code)]

use std::io::{ErrorKind, Read, Write};
use std::net::SocketAddr;
use std::process::ExitCode;

use mio::net::{TcpListener, TcpStream, UnixStream};
use mio::{Events, Interest, Poll, Token};

const USAGE: &str = "usage: floor_http --addr 127.0.0.1:PORT";
const LISTENER: Token = Token(usize::MAX);
const SIGNALS: Token = Token(usize::MAX - 1);
const READ_BUF: usize = 16 * 1024;
/// Eddy's answer to `GET /`, byte for byte.
const ANSWER: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 16\r\n\r\nYou requested /\n";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let addr = match (args.next().as_deref(), args.next(), args.next()) {
        (Some("--addr"), Some(addr), None) => addr
            .parse::<SocketAddr>()
            .map_err(|e| format!("--addr {addr}: {e}")),
        _ => Err("--addr is required".to_string()),
    };
    let result = addr.and_then(|addr| serve(addr).map_err(|e| e.to_string()));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("floor_http: {msg}\n{USAGE}");
            ExitCode::FAILURE
        }
    }
}

/// One connection.
struct Conn {
    stream: TcpStream,
    rbuf: Box<[u8]>,
    rlen: usize,
    wbuf: Vec<u8>,
    wpos: usize,
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
                LISTENER => accept(&poll, &mut listener, &mut conns),
                Token(i) => {
                    let keep = conns.get_mut(i).and_then(Option::as_mut).is_some_and(on_ready);
                    if !keep {
                        if let Some(mut conn) = conns.get_mut(i).and_then(Option::take) {
                            let _ = poll.registry().deregister(&mut conn.stream);
                        }
                    }
                }
            }
        }
    }
}

fn accept(poll: &Poll, listener: &mut TcpListener, conns: &mut Vec<Option<Conn>>) {
    while let Ok((mut stream, _)) = listener.accept() {
        let _ = stream.set_nodelay(true);
        let index = conns.iter().position(Option::is_none).unwrap_or_else(|| {
            conns.push(None);
            conns.len() - 1
        });
        let interest = Interest::READABLE | Interest::WRITABLE;
        if poll
            .registry()
            .register(&mut stream, Token(index), interest)
            .is_ok()
        {
            conns[index] = Some(Conn {
                stream,
                rbuf: vec![0; READ_BUF].into_boxed_slice(),
                rlen: 0,
                wbuf: Vec::with_capacity(64 * 1024),
                wpos: 0,
            });
        }
    }
}

/// Readiness: one read (more only after a read that filled the buffer),
/// the answers, one write; `false` when the connection is done.
fn on_ready(conn: &mut Conn) -> bool {
    let finder = memchr::memmem::Finder::new(b"\r\n\r\n");
    loop {
        let free = conn.rbuf.len() - conn.rlen;
        let filled = match conn.stream.read(&mut conn.rbuf[conn.rlen..]) {
            Ok(0) => return false,
            Ok(n) => {
                conn.rlen += n;
                n == free
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock || e.kind() == ErrorKind::Interrupted => false,
            Err(_) => return false,
        };
        let mut at = 0;
        while let Some(end) = finder.find(&conn.rbuf[at..conn.rlen]) {
            at += end + 4;
            conn.wbuf.extend_from_slice(ANSWER);
        }
        conn.rbuf.copy_within(at..conn.rlen, 0);
        conn.rlen -= at;
        if conn.rlen == conn.rbuf.len() {
            return false; // not the benchmark's load
        }
        if !filled {
            break;
        }
    }
    while conn.wpos < conn.wbuf.len() {
        match conn.stream.write(&conn.wbuf[conn.wpos..]) {
            Ok(0) => return false,
            Ok(n) => conn.wpos += n,
            Err(e) if e.kind() == ErrorKind::WouldBlock => return true, // wait for WRITABLE
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
    conn.wbuf.clear();
    conn.wpos = 0;
    true
}
