//! The image's HTTP server on the reactor: a listener with a backlog of
//! [`CONNECTIONS`] sockets on port [`PORT`], one [`Conn`] slot per
//! connection, and a periodic sweep for the HTTP timeouts.
//!
//! Accepting takes every established connection the listener holds; one
//! that finds no free slot is released at once (counted in
//! [`Server::refused`]). After each event a connection either goes on with
//! the interest it needs (writable only while output waits) or, finished,
//! is deregistered and its socket released, which re-arms the listener.

use core::time::Duration;

use eddy_bare::{ListenerId, Source};
use eddy_core::callback::{Callback, CallbackError, CallbackResult, Handler};
use eddy_core::Event;

use crate::conn::{with_stack, Conn, Ended};
use crate::net::{App, Loop, CONNECTIONS, PORT};

/// How often the HTTP header and idle timeouts are checked.
pub const SWEEP: Duration = Duration::from_secs(1);

/// The server's state.
#[derive(Debug)]
pub struct Server {
    listener: Option<ListenerId>,
    conns: [&'static mut Conn; CONNECTIONS],
    /// Connections taken into a slot.
    pub accepted: u32,
    /// Connections released at once because every slot was busy.
    pub refused: u32,
    /// Connections dropped on a socket or registration error.
    pub dropped: u32,
    /// Responses finished on connections closed since.
    finished: u32,
}

impl Server {
    /// A server that is not listening yet, over its connection slots (in
    /// static storage: each holds its HTTP buffers).
    pub fn new(conns: [&'static mut Conn; CONNECTIONS]) -> Server {
        Server {
            listener: None,
            conns,
            accepted: 0,
            refused: 0,
            dropped: 0,
            finished: 0,
        }
    }

    /// Responses finished so far.
    pub fn served(&self) -> u32 {
        self.finished + self.conns.iter().map(|c| c.served).sum::<u32>()
    }
}

/// Listens on [`PORT`] with a backlog of [`CONNECTIONS`] and starts the
/// timeout sweep.
///
/// # Errors
/// A [`CallbackError`] naming what failed: the listen, the registration or
/// the timer.
pub fn start(app: &mut App, r: &mut Loop) -> CallbackResult {
    let stack = r.backend().stack();
    let backlog = CONNECTIONS as u16;
    let listener = stack
        .try_borrow_mut()
        .map_err(|_| CallbackError::new("stack busy"))?
        .listen(PORT, backlog)
        .map_err(|_| CallbackError::new("listen failed"))?;
    r.add_handler(
        Source::Listener(listener),
        eddy_core::Interest::READABLE,
        Handler::new(on_listener, 0),
    )
    .map_err(|_| CallbackError::new("listener registration failed"))?;
    r.call_every(SWEEP, Callback::new(sweep, 0))
        .map_err(|_| CallbackError::new("timer heap full"))?;
    app.server.listener = Some(listener);
    Ok(())
}

fn on_listener(app: &mut App, r: &mut Loop, _: Event, _: usize) -> CallbackResult {
    let listener = app.server.listener.ok_or(CallbackError::new("not listening"))?;
    let stack = r.backend().stack();
    while let Ok(Some(id)) = with_stack(stack, |s| s.accept(listener)) {
        let Some(i) = app.server.conns.iter().position(|c| c.id().is_none()) else {
            app.server.refused += 1;
            let _ = with_stack(stack, |s| s.release(id));
            continue;
        };
        let now = r.now();
        app.server.conns[i].open(stack, id, now);
        match r.add_handler(
            Source::Socket(id),
            eddy_core::Interest::READABLE,
            Handler::new(on_conn, i),
        ) {
            Ok(token) => {
                app.server.accepted += 1;
                app.server.conns[i].token = Some(token);
            }
            Err(_) => drop_conn(app, r, i),
        }
    }
    Ok(())
}

fn on_conn(app: &mut App, r: &mut Loop, _: Event, i: usize) -> CallbackResult {
    run(app, r, i);
    Ok(())
}

/// Drives connection `i`, then settles its registration.
fn run(app: &mut App, r: &mut Loop, i: usize) {
    let now = r.now();
    let Some(conn) = app.server.conns.get_mut(i) else {
        return;
    };
    if conn.id().is_none() {
        return;
    }
    conn.drive(now);
    match conn.poll_end() {
        Some(Ended::Dropped) => return drop_conn(app, r, i),
        Some(Ended::Closed) => return release(app, r, i),
        None => {}
    }
    let want = conn.wanted_interest();
    if want != conn.interest {
        let (Some(id), Some(token)) = (conn.id(), conn.token) else {
            return;
        };
        if r.update_handler(Source::Socket(id), token, want).is_err() {
            drop_conn(app, r, i);
            return;
        }
        app.server.conns[i].interest = want;
    }
}

/// Checks every connection's HTTP timeouts.
fn sweep(app: &mut App, r: &mut Loop, _: usize) -> CallbackResult {
    let now = r.now();
    for i in 0..CONNECTIONS {
        if app.server.conns[i].id().is_some() {
            app.server.conns[i].on_timeout(now);
            run(app, r, i);
        }
    }
    Ok(())
}

/// Deregisters connection `i` and gives its socket back (a FIN follows
/// the queued bytes).
fn release(app: &mut App, r: &mut Loop, i: usize) {
    let conn = &mut app.server.conns[i];
    if let (Some(id), Some(token)) = (conn.id(), conn.token) {
        let _ = r.remove_handler(Source::Socket(id), token);
    }
    app.server.finished += conn.served;
    conn.clear();
}

/// Drops connection `i` after an error.
fn drop_conn(app: &mut App, r: &mut Loop, i: usize) {
    app.server.dropped += 1;
    release(app, r, i);
}
