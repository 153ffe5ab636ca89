//! The echo server's state: the acceptor, the connection slab, signals.

use std::io::{self, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::fd::AsFd;

use eddy_core::{CallbackResult, Event, Handler, Interest};
use eddy_std::{
    bind_sockets, resume_accepting, start_accepting, stop_accepting, Accepted, Acceptor, Signal, Signals,
    StdBackend, StdReactor, TcpHost,
};

use super::cli::{Options, MAX_CONNECTIONS};
use super::conn::{Conn, MAX_LINE};
use super::slab::Slab;

/// The reactor type the server runs on.
pub type Loop = StdReactor<Server, 64, 16, { MAX_CONNECTIONS + 8 }, 256>;

/// The application state lent to every callback.
#[derive(Debug)]
pub struct Server {
    acceptor: Acceptor,
    conns: Slab<Box<Conn>>,
    /// One line on its way from a read buffer to a write buffer.
    scratch: Box<[u8]>,
    signals: Signals,
    paused: bool,
}

impl TcpHost<Loop> for Server {
    fn acceptor(&mut self, _: usize) -> &mut Acceptor {
        &mut self.acceptor
    }

    fn on_accept(&mut self, r: &mut Loop, socket: TcpStream, _: SocketAddr, _: usize) -> Accepted {
        match Conn::new(socket) {
            Ok(conn) => match self.conns.insert(conn) {
                Ok(index) => self.settle(r, index),
                Err(_) => eprintln!("echo_server: the slab is full; dropping a connection"),
            },
            Err(e) => eprintln!("echo_server: cannot use a new connection: {e}"),
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
        conn.pump(&mut s.scratch);
        s.settle(r, index);
    }
    Ok(())
}

impl Server {
    /// After reads and writes: drops the connection if its stream closed,
    /// else brings its registration in line.
    fn settle(&mut self, r: &mut Loop, index: usize) {
        let Some(conn) = self.conns.get_mut(index) else {
            return;
        };
        if conn.link.stream.poll_close().is_some() || !conn.link.sync(r, Handler::new(conn_ready, index)) {
            self.close(r, index);
        }
    }

    /// Drops connection `index`, and resumes accepting if the slab was
    /// full.
    fn close(&mut self, r: &mut Loop, index: usize) {
        let Some(mut conn) = self.conns.remove(index) else {
            return;
        };
        conn.link.release(r);
        if self.paused {
            self.paused = false;
            if let Err(e) = resume_accepting(self, r, 0) {
                eprintln!("echo_server: cannot resume accepting: {e}");
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

/// Binds, prints `listening on ADDR`, and echoes until SIGINT or SIGTERM.
///
/// # Errors
/// Binding, creating the poller or the signal pipe, or a poll failure.
pub fn run(opts: &Options) -> Result<(), Box<dyn std::error::Error>> {
    let listener = bind_sockets(opts.addr, 1024, false)?;
    let addr = listener.local_addr()?;
    let mut server = Server {
        acceptor: Acceptor::new(listener),
        conns: Slab::new(opts.max_connections),
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
