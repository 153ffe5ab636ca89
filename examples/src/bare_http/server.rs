//! The server's state: the listener, the connection table and the `/wait`
//! waiters, generic over the [`Net`] it runs on.

use std::fmt;

use eddy_bare::{ListenError, ListenerId, Source};
use eddy_core::http::{Config, ResponseError};
use eddy_core::{CallbackResult, Event, Handler, Interest, Token};

use super::{Loop, Net, NetBackend, NetTransport, SOCKETS};
use crate::http::service::{self, Conn, Host, Service};

/// The application state lent to every callback.
pub struct Server<N: Net> {
    listener: ListenerId,
    listener_token: Option<Token>,
    /// The connections (one slot per socket) and the `/wait` waiters.
    svc: Service<NetTransport<N>>,
    accepted: u64,
}

impl<N: Net> Host for Server<N> {
    type Backend = NetBackend<N>;
    type Transport = NetTransport<N>;
    type Loop = Loop<N>;

    fn service(&mut self) -> &mut Service<NetTransport<N>> {
        &mut self.svc
    }

    /// Deregisters connection `index`, cancels its timers, drops it from
    /// the waiters and gives its socket back to the pool (the queued
    /// output is still sent, then a FIN).
    fn close(&mut self, r: &mut Loop<N>, index: usize) {
        let Some(conn) = self.svc.conns.get_mut(index).and_then(Option::take) else {
            return;
        };
        conn.release(r);
        self.svc.forget_waiter(index);
    }
}

impl<N: Net> fmt::Debug for Server<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("listener", &self.listener)
            .field("open", &self.open())
            .field("accepted", &self.accepted)
            .finish_non_exhaustive()
    }
}

/// Why the server could not start.
#[derive(Debug)]
#[non_exhaustive]
pub enum StartError {
    /// The port could not be listened on.
    Listen(ListenError),
    /// The listener could not be registered with the reactor.
    Register(String),
    /// The response headers did not pass their check.
    Headers(ResponseError),
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::Listen(e) => write!(f, "cannot listen: {e}"),
            StartError::Register(e) => write!(f, "cannot watch the listener: {e}"),
            StartError::Headers(e) => write!(f, "bad response headers: {e}"),
        }
    }
}

impl std::error::Error for StartError {}

/// Listens on `port` with `backlog` sockets and registers the listener;
/// run the returned reactor with the returned server.
///
/// # Errors
/// [`StartError`] if the stack cannot listen or the reactor cannot watch.
pub fn start<N: Net>(
    mut reactor: Box<Loop<N>>,
    port: u16,
    backlog: u16,
    http: Config,
) -> Result<(Box<Loop<N>>, Server<N>), StartError> {
    let listener = reactor
        .backend()
        .stack()
        .borrow_mut()
        .listen(port, backlog)
        .map_err(StartError::Listen)?;
    let token = reactor
        .add_handler(
            Source::Listener(listener),
            Interest::READABLE,
            Handler::new(on_listener::<N>, 0),
        )
        .map_err(|e| StartError::Register(e.to_string()))?;
    let mut svc = Service::new(http, SOCKETS).map_err(StartError::Headers)?;
    svc.conns.resize_with(SOCKETS, || None);
    let server = Server {
        listener,
        listener_token: Some(token),
        svc,
        accepted: 0,
    };
    Ok((reactor, server))
}

impl<N: Net> Server<N> {
    /// Open connections.
    pub fn open(&self) -> usize {
        self.svc.conns.iter().flatten().count()
    }

    /// Connections accepted so far.
    pub fn accepted(&self) -> u64 {
        self.accepted
    }

    fn add(&mut self, r: &mut Loop<N>, transport: NetTransport<N>) {
        let Some(index) = self.svc.conns.iter().position(Option::is_none) else {
            // Cannot happen: the table has a slot per socket.
            let _ = transport.release();
            return;
        };
        let handler = Handler::new(conn_ready::<N>, index);
        match r.add_handler(transport.source(), Interest::READABLE, handler) {
            Ok(token) => {
                let now = r.now();
                self.svc.conns[index] = Some(Conn::new(transport, token, self.svc.http, now));
                self.accepted += 1;
                // Bytes may be in already: serve them without waiting.
                service::on_ready(self, r, Event::new(token, eddy_core::Ready::READABLE), index);
            }
            Err(e) => {
                eprintln!("bare_http: cannot watch a new connection: {e}");
                let _ = transport.release();
            }
        }
    }
}

/// The listener is readable: accept every waiting connection.
fn on_listener<N: Net>(s: &mut Server<N>, r: &mut Loop<N>, _: Event, _: usize) -> CallbackResult {
    loop {
        let stack = r.backend().stack();
        let accepted = stack.borrow_mut().accept(s.listener);
        match accepted {
            Ok(Some(id)) => s.add(r, NetTransport::<N>::new(stack, id)),
            Ok(None) => return Ok(()),
            Err(e) => {
                eprintln!("bare_http: accept failed: {e}");
                if let Some(token) = s.listener_token.take() {
                    let _ = r.remove_handler(Source::Listener(s.listener), token);
                }
                return Ok(());
            }
        }
    }
}

/// Readiness on connection `index`.
fn conn_ready<N: Net>(s: &mut Server<N>, r: &mut Loop<N>, ev: Event, index: usize) -> CallbackResult {
    service::on_ready(s, r, ev, index);
    Ok(())
}
