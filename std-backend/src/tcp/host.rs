//! The reactor glue for accepting: [`TcpHost`], implemented by the
//! application state, and [`start_accepting`] / [`pause_accepting`] /
//! [`resume_accepting`] / [`stop_accepting`].
//!
//! An acceptor is in one of these states, and is registered with the
//! reactor (waiting for the listener's readability) only in the first:
//!
//! | state | registered | leaves it by |
//! | --- | --- | --- |
//! | accepting | yes | a pause, a hold, a stop |
//! | backing off | no, a timer is set | the timer (re-registers) |
//! | held | no | [`resume_accepting`] |
//! | stopped | no | [`start_accepting`] |
//!
//! Why deregister instead of just not accepting: on the level-triggered
//! `poll(2)` backend a listener with connections queued is reported on
//! *every* poll, so a listener that cannot accept (out of descriptors)
//! would spin the loop at 100 % CPU; on edge-triggered epoll/kqueue an
//! undrained listener is never reported again, so accepting would stall
//! for good. Registering again reports the readiness that is already there
//! on every backend (epoll, kqueue and `poll(2)` all check the current
//! state on registration), so the queue is drained as soon as the pause
//! ends and no connection waits for a new one to arrive.

use std::io;
use std::net::{SocketAddr, TcpStream};
use std::os::fd::AsFd;
use std::time::Duration;

use eddy_core::reactor::{HandlerError, RegisterError};
use eddy_core::{Callback, CallbackError, CallbackResult, Event, Handler, Interest, Reactor};

use super::accept::{Accept, Accepted, Acceptor};
use super::error::AcceptingError;
use crate::StdBackend;

/// The reactor on the std backend, as the glue names it.
pub type StdReactor<A, const CB: usize, const TM: usize, const IO: usize, const EV: usize> =
    Reactor<StdBackend, A, CB, TM, IO, EV>;

/// The application state's side of accepting: where its acceptors are, and
/// what to do with a new connection. `R` is the reactor type
/// ([`StdReactor`]); listeners are numbered by the application.
///
/// # Examples
///
/// ```
/// use std::net::{SocketAddr, TcpStream};
/// use std::time::Duration;
/// use eddy_std::{bind_sockets, start_accepting, Accepted, Acceptor, StdBackend, StdReactor, TcpHost};
///
/// type Loop = StdReactor<Server, 8, 8, 8, 16>;
///
/// struct Server {
///     acceptor: Acceptor,
///     conns: Vec<TcpStream>,
/// }
///
/// impl TcpHost<Loop> for Server {
///     fn acceptor(&mut self, _listener: usize) -> &mut Acceptor {
///         &mut self.acceptor
///     }
///     fn on_accept(&mut self, _: &mut Loop, stream: TcpStream, _: SocketAddr, _: usize) -> Accepted {
///         self.conns.push(stream);
///         Accepted::Keep
///     }
/// }
///
/// let listener = bind_sockets("127.0.0.1:0".parse()?, 128, false)?;
/// let addr = listener.local_addr()?;
/// let mut server = Server { acceptor: Acceptor::new(listener), conns: Vec::new() };
/// let mut reactor = Loop::new(StdBackend::new()?);
/// start_accepting(&mut server, &mut reactor, 0)?;
/// let _client = TcpStream::connect(addr)?;
/// reactor.run_until(&mut server, Some(Duration::from_secs(10)), |s| s.conns.len() == 1)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait TcpHost<R> {
    /// The acceptor of listener number `listener`.
    fn acceptor(&mut self, listener: usize) -> &mut Acceptor;

    /// A new connection (non-blocking, close-on-exec) from `peer` on
    /// listener `listener`. Return [`Accepted::PauseAccepting`] to stop
    /// accepting on this listener until [`resume_accepting`] (a server at
    /// its connection limit); the stream is yours either way.
    fn on_accept(
        &mut self,
        reactor: &mut R,
        stream: TcpStream,
        peer: SocketAddr,
        listener: usize,
    ) -> Accepted;

    /// Accepting on `listener` is paused for `retry_after` because of
    /// `error` (usually out of descriptors: `EMFILE`). Called after the
    /// listener was deregistered and the retry timer set. Default: nothing
    /// (the acceptor logs a warning and counts it in its stats).
    fn on_pause(&mut self, reactor: &mut R, listener: usize, retry_after: Duration, error: &io::Error) {
        let _ = (reactor, listener, retry_after, error);
    }
}

/// Starts accepting on listener `listener`: registers it for readability;
/// each readiness drains its queue into [`TcpHost::on_accept`]. Does
/// nothing if already started. While started the acceptor uses one handler
/// slot, and one timer slot while backing off.
///
/// The listener must stay open while started: call [`stop_accepting`]
/// before dropping it.
///
/// # Errors
/// [`AcceptingError::HandlerTableFull`] or [`AcceptingError::Backend`] if
/// the listener cannot be registered (the acceptor stays stopped).
pub fn start_accepting<A, const CB: usize, const TM: usize, const IO: usize, const EV: usize>(
    app: &mut A,
    reactor: &mut StdReactor<A, CB, TM, IO, EV>,
    listener: usize,
) -> Result<(), AcceptingError>
where
    A: TcpHost<StdReactor<A, CB, TM, IO, EV>> + 'static,
{
    let reg = &mut app.acceptor(listener).reg;
    if reg.started {
        return Ok(());
    }
    reg.started = true;
    sync(app, reactor, listener).inspect_err(|_| app.acceptor(listener).reg.started = false)
}

/// Stops accepting on `listener`: deregisters it, cancels a pending
/// back-off and clears a hold. Connections already queued stay queued; the
/// listener can be dropped afterwards, or started again.
///
/// # Errors
/// [`AcceptingError::Backend`] if the backend refused to deregister (the
/// acceptor is stopped all the same).
pub fn stop_accepting<A, const CB: usize, const TM: usize, const IO: usize, const EV: usize>(
    app: &mut A,
    reactor: &mut StdReactor<A, CB, TM, IO, EV>,
    listener: usize,
) -> Result<(), AcceptingError>
where
    A: TcpHost<StdReactor<A, CB, TM, IO, EV>> + 'static,
{
    let reg = &mut app.acceptor(listener).reg;
    reg.started = false;
    reg.held = false;
    if let Some(timer) = reg.timer.take() {
        reactor.cancel(timer);
    }
    sync(app, reactor, listener)
}

/// Pauses accepting on `listener` (a server at its connection limit):
/// deregisters it until [`resume_accepting`]. Connections keep queuing in
/// the kernel's backlog meanwhile. Returning [`Accepted::PauseAccepting`]
/// from [`TcpHost::on_accept`] does the same.
///
/// # Errors
/// [`AcceptingError::Backend`] if the backend refused to deregister (the
/// acceptor is held all the same).
pub fn pause_accepting<A, const CB: usize, const TM: usize, const IO: usize, const EV: usize>(
    app: &mut A,
    reactor: &mut StdReactor<A, CB, TM, IO, EV>,
    listener: usize,
) -> Result<(), AcceptingError>
where
    A: TcpHost<StdReactor<A, CB, TM, IO, EV>> + 'static,
{
    app.acceptor(listener).reg.held = true;
    sync(app, reactor, listener)
}

/// Lifts a [`pause_accepting`] (call it when a connection closes and the
/// server is under its limit again). A started acceptor registers again,
/// and connections that queued meanwhile are accepted on the next
/// iteration; during a back-off it waits for the back-off timer.
///
/// # Errors
/// [`AcceptingError::HandlerTableFull`] or [`AcceptingError::Backend`] if
/// the listener cannot be registered (it stays held; call again later).
pub fn resume_accepting<A, const CB: usize, const TM: usize, const IO: usize, const EV: usize>(
    app: &mut A,
    reactor: &mut StdReactor<A, CB, TM, IO, EV>,
    listener: usize,
) -> Result<(), AcceptingError>
where
    A: TcpHost<StdReactor<A, CB, TM, IO, EV>> + 'static,
{
    app.acceptor(listener).reg.held = false;
    sync(app, reactor, listener).inspect_err(|_| app.acceptor(listener).reg.held = true)
}

/// Registers or deregisters the listener so that it is registered exactly
/// when started, not held and not backing off.
fn sync<A, const CB: usize, const TM: usize, const IO: usize, const EV: usize>(
    app: &mut A,
    reactor: &mut StdReactor<A, CB, TM, IO, EV>,
    listener: usize,
) -> Result<(), AcceptingError>
where
    A: TcpHost<StdReactor<A, CB, TM, IO, EV>> + 'static,
{
    let acceptor = app.acceptor(listener);
    let reg = acceptor.reg;
    let wanted = reg.started && !reg.held && reg.timer.is_none();
    match (wanted, reg.token) {
        (true, None) => {
            let handler = Handler::new(accept_ready::<A, CB, TM, IO, EV>, listener);
            let token = reactor
                .add_handler(acceptor.listener().as_fd(), Interest::READABLE, handler)
                .map_err(|e| match e {
                    RegisterError::Full(_) => AcceptingError::HandlerTableFull,
                    RegisterError::Backend(e) => AcceptingError::Backend(e),
                })?;
            acceptor.reg.token = Some(token);
        }
        (false, Some(token)) => {
            acceptor.reg.token = None;
            match reactor.remove_handler(acceptor.listener().as_fd(), token) {
                Ok(()) | Err(HandlerError::UnknownToken) => {}
                Err(HandlerError::Backend(e)) => return Err(AcceptingError::Backend(e)),
            }
        }
        _ => {}
    }
    Ok(())
}

/// The listener is readable: accept until the queue is empty, the host
/// asks to pause, or accepting fails.
fn accept_ready<A, const CB: usize, const TM: usize, const IO: usize, const EV: usize>(
    app: &mut A,
    reactor: &mut StdReactor<A, CB, TM, IO, EV>,
    _: Event,
    listener: usize,
) -> CallbackResult
where
    A: TcpHost<StdReactor<A, CB, TM, IO, EV>> + 'static,
{
    // `on_accept` may have stopped or paused this listener itself.
    while app.acceptor(listener).is_accepting() {
        match app.acceptor(listener).try_accept() {
            Accept::Stream(stream, peer) => {
                if app.on_accept(reactor, stream, peer, listener) == Accepted::PauseAccepting {
                    return pause_accepting(app, reactor, listener)
                        .map_err(|_| CallbackError::new(DEREGISTER_FAILED));
                }
            }
            Accept::WouldBlock => break,
            Accept::Paused { retry_after, error } => {
                let backed_off = back_off(app, reactor, listener, retry_after);
                app.on_pause(reactor, listener, retry_after, &error);
                return backed_off;
            }
        }
    }
    Ok(())
}

const DEREGISTER_FAILED: &str = "accept: could not deregister the listener";

/// Deregisters the listener and sets the timer that registers it again.
fn back_off<A, const CB: usize, const TM: usize, const IO: usize, const EV: usize>(
    app: &mut A,
    reactor: &mut StdReactor<A, CB, TM, IO, EV>,
    listener: usize,
    retry_after: Duration,
) -> CallbackResult
where
    A: TcpHost<StdReactor<A, CB, TM, IO, EV>> + 'static,
{
    let retry = Callback::new(retry_accepting::<A, CB, TM, IO, EV>, listener);
    let full = match reactor.call_later(retry_after, retry) {
        Ok(timer) => {
            app.acceptor(listener).reg.timer = Some(timer);
            false
        }
        // No timer slot: hold instead (never re-register at once, which
        // would spin); resume_accepting lifts it.
        Err(_) => {
            app.acceptor(listener).reg.held = true;
            true
        }
    };
    sync(app, reactor, listener).map_err(|_| CallbackError::new(DEREGISTER_FAILED))?;
    if full {
        return Err(CallbackError::new(
            "accept: no timer slot for the back-off (raise the reactor's TM); accepting is held \
             until resume_accepting",
        ));
    }
    Ok(())
}

/// The back-off is over: register again (the readiness that is already
/// there is reported, so the queue is drained next iteration).
fn retry_accepting<A, const CB: usize, const TM: usize, const IO: usize, const EV: usize>(
    app: &mut A,
    reactor: &mut StdReactor<A, CB, TM, IO, EV>,
    listener: usize,
) -> CallbackResult
where
    A: TcpHost<StdReactor<A, CB, TM, IO, EV>> + 'static,
{
    app.acceptor(listener).reg.timer = None;
    sync(app, reactor, listener)
        .map_err(|_| CallbackError::new("accept: could not register the listener again"))
}
