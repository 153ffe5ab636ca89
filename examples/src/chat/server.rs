//! The chat server's state and its one rule: a line goes to everyone else,
//! and whoever cannot take it is dropped.

use std::io::{self, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::fd::AsFd;

use eddy_core::stream::{CloseReason, ReadError, WriteError};
use eddy_core::{CallbackResult, Event, Handler, Interest};
use eddy_std::{
    bind_sockets, resume_accepting, start_accepting, stop_accepting, Accepted, Acceptor, Signal, Signals,
    StdBackend, StdReactor, TcpHost,
};

use crate::echo::cli::{Options, MAX_CONNECTIONS};
use crate::echo::link::Link;
use crate::echo::slab::Slab;
use crate::echo::TOO_LONG;

/// The longest chat line, `\n` not counted.
pub const MAX_LINE: usize = 8 * 1024;
/// Read buffer: a whole line with its `\n` must fit.
const READ_BUF: usize = 16 * 1024;
/// Output a client may have pending on the server: past this it is
/// disconnected.
const WRITE_BUF: usize = 64 * 1024;
const _: () = assert!(READ_BUF > MAX_LINE && WRITE_BUF > MAX_LINE);

/// The reactor type the server runs on.
pub type Loop = StdReactor<Server, 64, 16, { MAX_CONNECTIONS + 8 }, 256>;

#[derive(Debug)]
struct Conn {
    link: Link<READ_BUF, WRITE_BUF>,
    peer: Option<SocketAddr>,
    /// Got lines since its last flush.
    dirty: bool,
}

/// The application state lent to every callback.
#[derive(Debug)]
pub struct Server {
    acceptor: Acceptor,
    conns: Slab<Box<Conn>>,
    /// The connections in the room, in arrival order.
    members: Vec<usize>,
    /// Recipients that got lines during the current event.
    dirty: Vec<usize>,
    /// The line being broadcast.
    scratch: Box<[u8]>,
    signals: Signals,
    paused: bool,
}

impl TcpHost<Loop> for Server {
    fn acceptor(&mut self, _: usize) -> &mut Acceptor {
        &mut self.acceptor
    }

    fn on_accept(&mut self, r: &mut Loop, socket: TcpStream, peer: SocketAddr, _: usize) -> Accepted {
        match Link::new(socket) {
            Ok(link) => {
                let conn = Box::new(Conn {
                    link,
                    peer: Some(peer),
                    dirty: false,
                });
                match self.conns.insert(conn) {
                    Ok(index) => {
                        self.members.push(index);
                        self.receive(r, index);
                    }
                    Err(_) => eprintln!("chat_server: the slab is full; dropping a connection"),
                }
            }
            Err(e) => eprintln!("chat_server: cannot use a new connection: {e}"),
        }
        if self.conns.is_full() {
            self.paused = true;
            Accepted::PauseAccepting
        } else {
            Accepted::Keep
        }
    }
}

/// Readiness on connection `index`.
fn conn_ready(s: &mut Server, r: &mut Loop, ev: Event, index: usize) -> CallbackResult {
    if let Some(conn) = s.conns.get_mut(index) {
        conn.link.on_event(ev);
        s.receive(r, index);
    }
    Ok(())
}

impl Server {
    /// Broadcasts every complete line `index` has sent, flushes the
    /// recipients, and settles everyone touched.
    fn receive(&mut self, r: &mut Loop, index: usize) {
        while let Some(len) = self.next_line(index) {
            self.broadcast(index, len);
        }
        if let Some(conn) = self.conns.get_mut(index) {
            conn.link.stream.on_writable();
        }
        self.settle(r, index);
        for j in std::mem::take(&mut self.dirty) {
            if let Some(conn) = self.conns.get_mut(j) {
                conn.dirty = false;
                conn.link.stream.on_writable();
            }
            self.settle(r, j);
        }
    }

    /// Copies `index`'s next complete line into `scratch` and returns its
    /// length; `None` when no line is complete (or the stream ended).
    fn next_line(&mut self, index: usize) -> Option<usize> {
        let stream = &mut self.conns.get_mut(index)?.link.stream;
        if !stream.is_read_pending() {
            stream.read_until(b"\n", MAX_LINE + 1).ok()?;
        }
        match stream.poll_read()? {
            Ok(line) => {
                let n = line.len();
                self.scratch[..n].copy_from_slice(stream.data(&line));
                let _ = stream.consume(line);
                Some(n)
            }
            Err(ReadError::Closed(CloseReason::BufferFull)) => {
                let _ = stream.try_write_all(TOO_LONG);
                stream.close_after_flush();
                None
            }
            // End-of-file or failure: it leaves once flushed.
            Err(_) => None,
        }
    }

    /// Buffers `scratch[..len]` for every member but `from`; a member
    /// whose buffer cannot take it even after a flush is closed.
    fn broadcast(&mut self, from: usize, len: usize) {
        let line = &self.scratch[..len];
        for &j in &self.members {
            if j == from {
                continue;
            }
            let Some(conn) = self.conns.get_mut(j) else {
                continue;
            };
            let stream = &mut conn.link.stream;
            let mut sent = stream.try_write_all(line);
            if sent == Err(WriteError::Full) {
                stream.on_writable();
                sent = stream.try_write_all(line);
            }
            match sent {
                Ok(()) => {}
                Err(WriteError::Full) => {
                    eprintln!(
                        "chat_server: disconnecting {}: its output buffer is full (it does not read)",
                        conn.peer.map_or_else(|| format!("#{j}"), |p| p.to_string())
                    );
                    stream.close();
                }
                // Closed or closing: it is on its way out.
                Err(_) => continue,
            }
            if !conn.dirty {
                conn.dirty = true;
                self.dirty.push(j);
            }
        }
    }

    /// Drops connection `index` if its stream closed, else brings its
    /// registration in line.
    fn settle(&mut self, r: &mut Loop, index: usize) {
        let Some(conn) = self.conns.get_mut(index) else {
            return;
        };
        if conn.link.stream.poll_close().is_some() || !conn.link.sync(r, Handler::new(conn_ready, index)) {
            self.close(r, index);
        }
    }

    /// Drops connection `index` from the room and the slab; resumes
    /// accepting if the slab was full.
    fn close(&mut self, r: &mut Loop, index: usize) {
        let Some(mut conn) = self.conns.remove(index) else {
            return;
        };
        conn.link.release(r);
        self.members.retain(|&m| m != index);
        self.dirty.retain(|&d| d != index);
        if self.paused {
            self.paused = false;
            if let Err(e) = resume_accepting(self, r, 0) {
                eprintln!("chat_server: cannot resume accepting: {e}");
            }
        }
    }
}

/// SIGINT/SIGTERM: stop accepting, drop every connection, stop the loop.
fn on_signal(s: &mut Server, r: &mut Loop, _: Event, _: usize) -> CallbackResult {
    let pending = s.signals.take_pending();
    if pending.contains(Signal::Int) || pending.contains(Signal::Term) {
        let _ = stop_accepting(s, r, 0);
        s.paused = false;
        for index in s.conns.indices() {
            s.close(r, index);
        }
        r.stop();
    }
    Ok(())
}

/// Binds, prints `listening on ADDR`, and relays lines until SIGINT or
/// SIGTERM.
///
/// # Errors
/// Binding, creating the poller or the signal pipe, or a poll failure.
pub fn run(opts: &Options) -> Result<(), Box<dyn std::error::Error>> {
    let listener = bind_sockets(opts.addr, 1024, false)?;
    let addr = listener.local_addr()?;
    let mut server = Server {
        acceptor: Acceptor::new(listener),
        conns: Slab::new(opts.max_connections),
        members: Vec::with_capacity(opts.max_connections),
        dirty: Vec::with_capacity(opts.max_connections),
        scratch: vec![0; MAX_LINE + 1].into_boxed_slice(),
        signals: Signals::new(&[Signal::Int, Signal::Term])?,
        paused: false,
    };
    // The handler table is large: build the reactor on the heap.
    let mut reactor: Box<Loop> = Box::new(Loop::new(StdBackend::new()?));
    reactor
        .add_handler(
            server.signals.as_fd(),
            Interest::READABLE,
            Handler::new(on_signal, 0),
        )
        .map_err(|e| io::Error::other(e.to_string()))?;
    start_accepting(&mut server, &mut reactor, 0)?;
    let mut out = io::stdout().lock();
    writeln!(out, "listening on {addr}")?;
    out.flush()?;
    drop(out);
    reactor.run(&mut server)?;
    Ok(())
}
