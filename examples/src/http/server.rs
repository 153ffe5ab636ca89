//! The server's state: the acceptor, the connection table, the `/wait`
//! waiters, signals and shutdown.

use std::io::{self, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsFd;

use eddy_core::http::{Config, PreparedHead, ResponseHeaders, Status};
use eddy_core::{CallbackResult, Event, Handler, Interest, Token};
use eddy_std::{
    bind_sockets, resume_accepting, start_accepting, stop_accepting, Accepted, Acceptor, Signal, Signals,
    StdBackend, StdReactor, TcpHost,
};

use super::cli::Options;
use super::conn::Conn;

/// The most connections this build can hold (the reactor's handler and
/// timer tables are sized for it).
pub const MAX_CONNECTIONS: usize = 16_000;

/// The reactor type the server runs on.
pub type Loop = StdReactor<Server, 1024, { 2 * MAX_CONNECTIONS + 16 }, { MAX_CONNECTIONS + 16 }, 256>;

/// The application state lent to every callback.
#[derive(Debug)]
pub struct Server {
    acceptor: Acceptor,
    pub(crate) conns: Vec<Option<Conn>>,
    free: Vec<usize>,
    open: usize,
    max_connections: usize,
    pub(crate) http: Config,
    /// `Content-Type: text/plain`, checked once for every response.
    pub(crate) text_plain: ResponseHeaders<'static>,
    /// `200 OK` with `Content-Type: text/plain`, rendered once.
    pub(crate) ok_plain: PreparedHead,
    /// Connections parked on `GET /wait`.
    pub(crate) waiters: Vec<usize>,
    signals: Signals,
    signal_token: Option<Token>,
    paused: bool,
    shutting_down: bool,
    /// `GET /blocking`: the thread pool and the requests parked on it.
    pub(crate) blocking: super::blocking::Blocking,
}

impl TcpHost<Loop> for Server {
    fn acceptor(&mut self, _: usize) -> &mut Acceptor {
        &mut self.acceptor
    }

    fn on_accept(&mut self, r: &mut Loop, stream: TcpStream, _: SocketAddr, _: usize) -> Accepted {
        let _ = stream.set_nodelay(true);
        let index = match self.free.pop() {
            Some(i) => i,
            None => {
                self.conns.push(None);
                self.conns.len() - 1
            }
        };
        let handler = Handler::new(conn_ready, index);
        match r.add_handler(stream.as_fd(), Interest::READABLE, handler) {
            Ok(token) => {
                self.conns[index] = Some(Conn::new(stream, token, self.http, r.now()));
                self.open += 1;
                if let Some(conn) = self.conns[index].as_mut() {
                    conn.arm_deadline(r, index);
                }
            }
            Err(e) => {
                eprintln!("http_server: cannot watch a new connection: {e}");
                self.free.push(index);
            }
        }
        if self.open >= self.max_connections {
            self.paused = true;
            Accepted::PauseAccepting
        } else {
            Accepted::Keep
        }
    }
}

/// Readiness on connection `index`.
fn conn_ready(s: &mut Server, r: &mut Loop, ev: Event, index: usize) -> CallbackResult {
    super::conn::on_ready(s, r, ev, index);
    Ok(())
}

impl Server {
    /// Closes connection `index`: deregisters it, cancels its timers, drops
    /// it from the waiters, and resumes accepting if it was paused at the
    /// limit.
    pub(crate) fn close(&mut self, r: &mut Loop, index: usize) {
        let Some(conn) = self.conns.get_mut(index).and_then(Option::take) else {
            return;
        };
        conn.release(r);
        self.waiters.retain(|&w| w != index);
        self.free.push(index);
        self.open -= 1;
        if self.paused && self.open < self.max_connections && !self.shutting_down {
            self.paused = false;
            if let Err(e) = resume_accepting(self, r, 0) {
                eprintln!("http_server: cannot resume accepting: {e}");
            }
        }
        if self.shutting_down && self.open == 0 {
            r.stop();
        }
    }

    /// Whether the server is draining for exit.
    pub(crate) fn shutting_down(&self) -> bool {
        self.shutting_down
    }

    /// SIGINT/SIGTERM: stop accepting, close idle connections, let the
    /// others finish their request, stop when none is left.
    fn shut_down(&mut self, r: &mut Loop) {
        if self.shutting_down {
            return;
        }
        self.shutting_down = true;
        if let Err(e) = stop_accepting(self, r, 0) {
            eprintln!("http_server: stopping the listener: {e}");
        }
        let idle: Vec<usize> = (0..self.conns.len())
            .filter(|&i| self.conns[i].as_ref().is_some_and(Conn::is_idle))
            .collect();
        for i in idle {
            self.close(r, i);
        }
        // The others finish their request; its response says
        // `Connection: close`, and the connection then closes.
        for conn in self.conns.iter_mut().flatten() {
            conn.http.close_after_response();
        }
        if self.open == 0 {
            r.stop();
        }
    }
}

fn on_signal(s: &mut Server, r: &mut Loop, _: Event, _: usize) -> CallbackResult {
    let pending = s.signals.take_pending();
    if pending.contains(Signal::Int) || pending.contains(Signal::Term) {
        s.shut_down(r);
    }
    Ok(())
}

/// Binds, prints `listening on http://ADDR`, and serves until SIGINT or
/// SIGTERM. With `--workers` other than 1, forks the workers instead
/// (`super::workers`).
///
/// # Errors
/// Binding, creating the poller or the signal pipe, or a poll failure.
pub fn run(opts: &Options) -> Result<(), Box<dyn std::error::Error>> {
    if opts.workers != 1 {
        return super::workers::run(opts);
    }
    serve(opts, bind_sockets(opts.addr, 1024, false)?, None)
}

/// The loop thread's stack. The reactor is several MiB (its tables are
/// sized for [`MAX_CONNECTIONS`]) and an unoptimised build copies it on
/// the stack while building it, past a main thread's usual 8 MiB.
const LOOP_STACK: usize = 64 << 20;

/// Serves `listener` until SIGINT or SIGTERM on a thread with
/// [`LOOP_STACK`]; `worker` is the task id in a forked worker, printed in
/// the `listening on` line.
pub(crate) fn serve(
    opts: &Options,
    listener: TcpListener,
    worker: Option<usize>,
) -> Result<(), Box<dyn std::error::Error>> {
    let opts = opts.clone();
    let thread = std::thread::Builder::new()
        .name("http-loop".into())
        .stack_size(LOOP_STACK)
        .spawn(move || serve_here(&opts, listener, worker).map_err(|e| e.to_string()))?;
    match thread.join() {
        Ok(result) => Ok(result?),
        Err(_) => Err("the server's loop thread panicked".into()),
    }
}

fn serve_here(
    opts: &Options,
    listener: TcpListener,
    worker: Option<usize>,
) -> Result<(), Box<dyn std::error::Error>> {
    let addr = listener.local_addr()?;
    let http = Config::new()
        .with_header_timeout(opts.header_timeout)
        .with_idle_timeout(opts.idle_timeout);
    let mut server = Server {
        acceptor: Acceptor::new(listener),
        conns: Vec::with_capacity(1024),
        free: Vec::with_capacity(1024),
        open: 0,
        max_connections: opts.max_connections,
        http,
        text_plain: ResponseHeaders::new(super::routes::TEXT_PLAIN)?,
        ok_plain: PreparedHead::new(Status::OK, None, super::routes::TEXT_PLAIN)?,
        waiters: Vec::with_capacity(64),
        signals: Signals::new(&[Signal::Int, Signal::Term])?,
        signal_token: None,
        paused: false,
        shutting_down: false,
        blocking: super::blocking::Blocking::new()?,
    };
    // The reactor's tables are large: build it on the heap.
    let mut reactor: Box<Loop> = Box::new(Loop::new(StdBackend::new()?));
    let token = reactor
        .add_handler(
            server.signals.as_fd(),
            Interest::READABLE,
            Handler::new(on_signal, 0),
        )
        .map_err(|e| io::Error::other(e.to_string()))?;
    server.signal_token = Some(token);
    super::blocking::attach(&mut reactor);
    start_accepting(&mut server, &mut reactor, 0)?;
    let mut out = io::stdout().lock();
    match worker {
        None => writeln!(out, "listening on http://{addr}")?,
        Some(id) => writeln!(
            out,
            "listening on http://{addr} (worker {id}, pid {})",
            std::process::id()
        )?,
    }
    out.flush()?;
    drop(out);
    reactor.run(&mut server)?;
    Ok(())
}
