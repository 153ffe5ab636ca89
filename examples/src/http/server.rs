//! The server's state: the acceptor, the connection table, the `/wait`
//! waiters, signals and shutdown.

use std::io::{self, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsFd;

use eddy_core::http::Config;
use eddy_core::{CallbackResult, Event, Handler, Interest, Token};
use eddy_std::{
    bind_sockets, resume_accepting, start_accepting, stop_accepting, Accepted, Acceptor, Signal, Signals,
    StdBackend, StdReactor, TcpHost, TcpTransport,
};

use super::cli::Options;
use super::service::{self, Conn, Host, Service};

/// The most connections this build can hold (the reactor's handler and
/// timer tables are sized for it).
pub const MAX_CONNECTIONS: usize = 16_000;

/// The reactor type the server runs on.
pub type Loop = StdReactor<Server, 1024, { 2 * MAX_CONNECTIONS + 16 }, { MAX_CONNECTIONS + 16 }, 256>;

/// The application state lent to every callback.
#[derive(Debug)]
pub struct Server {
    acceptor: Acceptor,
    /// The connections and the `/wait` waiters.
    svc: Service<TcpTransport>,
    free: Vec<usize>,
    open: usize,
    max_connections: usize,
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
        let transport = match TcpTransport::new(stream) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("http_server: cannot use a new connection: {e}");
                return Accepted::Keep;
            }
        };
        let index = match self.free.pop() {
            Some(i) => i,
            None => {
                self.svc.conns.push(None);
                self.svc.conns.len() - 1
            }
        };
        let handler = Handler::new(conn_ready, index);
        match r.add_handler(transport.as_fd(), Interest::READABLE, handler) {
            Ok(token) => {
                let conn = self.svc.conns[index].insert(Conn::new(transport, token, self.svc.http, r.now()));
                conn.arm_deadline::<Server>(r, index);
                self.open += 1;
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
    service::on_ready(s, r, ev, index);
    Ok(())
}

impl Host for Server {
    type Backend = StdBackend;
    type Transport = TcpTransport;
    type Loop = Loop;
    const BLOCKING: bool = true;

    fn service(&mut self) -> &mut Service<TcpTransport> {
        &mut self.svc
    }

    /// Closes connection `index`: deregisters it, cancels its timers, drops
    /// it from the waiters, and resumes accepting if it was paused at the
    /// limit.
    fn close(&mut self, r: &mut Loop, index: usize) {
        let Some(conn) = self.svc.conns.get_mut(index).and_then(Option::take) else {
            return;
        };
        conn.release(r);
        self.svc.forget_waiter(index);
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

    fn shutting_down(&self) -> bool {
        self.shutting_down
    }

    fn start_blocking(&mut self, r: &mut Loop, index: usize, ms: u64) {
        super::blocking::start(self, r, index, ms);
    }
}

impl Server {
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
        let conns = &self.svc.conns;
        let idle: Vec<usize> = (0..conns.len())
            .filter(|&i| conns[i].as_ref().is_some_and(Conn::is_idle))
            .collect();
        for i in idle {
            self.close(r, i);
        }
        // The others finish their request; its response says
        // `Connection: close`, and the connection then closes.
        for conn in self.svc.conns.iter_mut().flatten() {
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

/// The stack of the threads that build and run the reactor. The reactor
/// is several MiB (its tables are sized for [`MAX_CONNECTIONS`]) and an
/// unoptimised build copies it on the stack while building it, past a
/// main thread's usual 8 MiB. Only the pages a thread touches count.
const LOOP_STACK: usize = 64 << 20;

/// Builds the reactor on the heap, on a thread of its own: building it
/// copies its multi-MiB tables through the stack (the compiler does not
/// build them in place), and stack pages once touched stay resident for
/// their thread's life — this thread's go when it ends, which keeps about
/// 4 MiB out of the server's resident set.
fn build_reactor() -> Result<Box<Loop>, Box<dyn std::error::Error>> {
    let builder = std::thread::Builder::new()
        .name("http-build".into())
        .stack_size(LOOP_STACK)
        .spawn(|| -> Result<Box<Loop>, String> {
            let backend = StdBackend::new().map_err(|e| e.to_string())?;
            Ok(Box::write(Box::new_uninit(), Loop::new(backend)))
        })?;
    match builder.join() {
        Ok(reactor) => Ok(reactor?),
        Err(_) => Err("building the reactor panicked".into()),
    }
}

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
        .with_idle_timeout(opts.idle_timeout)
        .with_send_timeout(opts.send_timeout);
    let mut server = Server {
        acceptor: Acceptor::new(listener),
        svc: Service::new(http, 1024)?,
        free: Vec::with_capacity(1024),
        open: 0,
        max_connections: opts.max_connections,
        signals: Signals::new(&[Signal::Int, Signal::Term])?,
        signal_token: None,
        paused: false,
        shutting_down: false,
        blocking: super::blocking::Blocking::new()?,
    };
    let mut reactor = build_reactor()?;
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
