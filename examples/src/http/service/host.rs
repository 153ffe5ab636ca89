//! What the shared HTTP service needs from the server it runs in: the
//! [`Host`] (the application state, which owns a [`Service`]) and the
//! [`EventLoop`] it is driven by.
//!
//! The two servers differ only here: the hosted one runs on the std
//! backend over [`TcpTransport`](eddy_std::TcpTransport)s and adds
//! `/blocking`, accepting limits and graceful shutdown; the smoltcp one runs
//! on `eddy-bare` over its socket transports. Everything above — the route
//! table, the request type, the connection driver and the output — is
//! written once against these two traits.

use std::fmt;
use std::time::Duration;

use eddy_core::http::{Config, PreparedHead, ResponseError, ResponseHeaders, Status};
use eddy_core::stream::IoSource;
use eddy_core::timer::TimerHandle;
use eddy_core::{Backend, Callback, CallbackResult, Instant, Interest, Reactor, Token};

use super::conn::Conn;
use super::request::TEXT_PLAIN;
use super::routes::reply_error;

/// A callback of the service: the host, the loop, a connection index.
pub(crate) type Call<A, L> = fn(&mut A, &mut L, usize) -> CallbackResult;

/// The reactor calls the service makes, for any backend and capacities.
pub(crate) trait EventLoop<A>: Sized {
    /// The backend the loop polls.
    type Backend: Backend;

    /// The backend clock's current instant.
    fn now(&self) -> Instant;

    /// Runs `f(arg)` at `at`; `None` if the timer table is full.
    fn call_at(&mut self, at: Instant, f: Call<A, Self>, arg: usize) -> Option<TimerHandle>;

    /// Cancels a timer (a fired or stale handle is harmless).
    fn cancel(&mut self, timer: TimerHandle);

    /// Changes a registration's interest; `false` if it failed.
    fn set_interest(
        &mut self,
        source: <Self::Backend as Backend>::Source<'_>,
        token: Token,
        interest: Interest,
    ) -> bool;

    /// Removes a registration (errors are harmless: the source goes away).
    fn deregister(&mut self, source: <Self::Backend as Backend>::Source<'_>, token: Token);

    /// Runs `f(arg)` after `delay`; `None` if the timer table is full.
    fn call_later(&mut self, delay: Duration, f: Call<A, Self>, arg: usize) -> Option<TimerHandle> {
        let at = self.now().saturating_add(delay);
        self.call_at(at, f, arg)
    }
}

impl<B: Backend, A, const CB: usize, const TM: usize, const IO: usize, const EV: usize> EventLoop<A>
    for Reactor<B, A, CB, TM, IO, EV>
{
    type Backend = B;

    #[inline]
    fn now(&self) -> Instant {
        Reactor::now(self)
    }

    fn call_at(&mut self, at: Instant, f: Call<A, Self>, arg: usize) -> Option<TimerHandle> {
        Reactor::call_at(self, at, Callback::new(f, arg)).ok()
    }

    fn cancel(&mut self, timer: TimerHandle) {
        Reactor::cancel(self, timer);
    }

    fn set_interest(&mut self, source: B::Source<'_>, token: Token, interest: Interest) -> bool {
        self.update_handler(source, token, interest).is_ok()
    }

    fn deregister(&mut self, source: B::Source<'_>, token: Token) {
        let _ = self.remove_handler(source, token);
    }
}

/// The application state of a server that runs the service.
pub(crate) trait Host: Sized + 'static {
    /// The backend its reactor polls.
    type Backend: Backend;
    /// One connection's transport.
    type Transport: IoSource<Self::Backend>;
    /// Its reactor.
    type Loop: EventLoop<Self, Backend = Self::Backend>;

    /// Whether `GET /blocking?ms=N` is served (on a thread pool); without
    /// it the path is an ordinary `GET`.
    const BLOCKING: bool = false;

    /// The service's state.
    fn service(&mut self) -> &mut Service<Self::Transport>;

    /// Closes connection `index` and forgets it (see [`Conn::release`]).
    fn close(&mut self, r: &mut Self::Loop, index: usize);

    /// Whether the server is draining for exit: responses then close their
    /// connection, and idle connections are closed.
    fn shutting_down(&self) -> bool {
        false
    }

    /// Starts `GET /blocking?ms=N` on connection `index` (only called when
    /// [`BLOCKING`](Self::BLOCKING) is set).
    fn start_blocking(&mut self, r: &mut Self::Loop, index: usize, ms: u64) {
        let _ = (r, ms);
        reply_error(self, index, Status::NOT_FOUND);
    }
}

/// The service's state inside a host: the connections and what is shared
/// between them.
pub(crate) struct Service<T> {
    /// Connections by index (the handler and timer argument).
    pub(crate) conns: Vec<Option<Conn<T>>>,
    /// Connections parked on `GET /wait`.
    pub(crate) waiters: Vec<usize>,
    /// The HTTP limits and timeouts of every connection.
    pub(crate) http: Config,
    /// `Content-Type: text/plain`, checked once for every response.
    pub(crate) text_plain: ResponseHeaders<'static>,
    /// `200 OK` with `Content-Type: text/plain`, rendered once.
    pub(crate) ok_plain: PreparedHead,
    /// A response body assembled from its parts (reused, so it allocates
    /// only while growing): one body write per response, not one per part.
    pub(crate) scratch: Vec<u8>,
}

impl<T> Service<T> {
    /// An empty service with room for `conns` connections before its
    /// table grows.
    ///
    /// # Errors
    /// The response headers every answer carries do not pass
    /// [`ResponseHeaders::new`] or [`PreparedHead::new`] (a programming
    /// error, caught at start-up).
    pub(crate) fn new(http: Config, conns: usize) -> Result<Service<T>, ResponseError> {
        Ok(Service {
            conns: Vec::with_capacity(conns),
            waiters: Vec::with_capacity(64),
            http,
            text_plain: ResponseHeaders::new(TEXT_PLAIN)?,
            ok_plain: PreparedHead::new(Status::OK, None, TEXT_PLAIN)?,
            scratch: Vec::with_capacity(1024),
        })
    }

    /// Connection `index`, if open.
    #[inline]
    pub(crate) fn conn(&mut self, index: usize) -> Option<&mut Conn<T>> {
        self.conns.get_mut(index).and_then(Option::as_mut)
    }

    /// Whether `index` is no longer parked on `/wait` (it was answered or
    /// closed).
    pub(crate) fn forget_waiter(&mut self, index: usize) {
        self.waiters.retain(|&w| w != index);
    }
}

impl<T: fmt::Debug> fmt::Debug for Service<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Service")
            .field("open", &self.conns.iter().flatten().count())
            .field("waiters", &self.waiters)
            .field("http", &self.http)
            .finish_non_exhaustive()
    }
}
