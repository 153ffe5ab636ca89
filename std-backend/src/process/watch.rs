//! The reactor glue for subprocesses: [`ProcessHost`], implemented by the
//! application state, and [`watch_subprocess`].
//!
//! Watching registers the child's exit fd and each piped output stream for
//! readability and, with a timeout, sets one reactor timer. Then:
//!
//! - each readiness on stdout/stderr drains the pipe through its
//!   [`OutputStream`](super::OutputStream) and hands every chunk to
//!   [`ProcessHost::on_output`] as it arrives, so output of any size flows
//!   without filling a buffer (the child never blocks on a full pipe while
//!   the loop runs); at end-of-file the pipe is deregistered;
//! - readiness on the exit fd reaps the child (`waitpid(2)`), cancels the
//!   timer and deregisters the fd; the timer kills the child;
//! - once the child is reaped **and** every piped output reached
//!   end-of-file, [`ProcessHost::on_exit`] is called, once. (A grandchild
//!   that keeps the pipes open delays it until it closes them.)
//!
//! Handler arguments pack the application's subprocess number with the
//! source kind (`id << 2 | kind`).

use std::fmt;
use std::os::fd::AsFd;

use eddy_core::timer::TimerHandle;
use eddy_core::{Callback, CallbackError, CallbackResult, Event, Handler, Interest, Token};

use super::subprocess::{Exit, Output, Subprocess};
use crate::{StdError, StdReactor};

const EXIT: usize = 0;
const OUTPUTS: [Output; 2] = [Output::Stdout, Output::Stderr];

/// What a watched subprocess has registered (crate-private bookkeeping).
#[derive(Debug, Default)]
pub(crate) struct WatchState {
    exit: Option<Token>,
    pipes: [Option<Token>; 2],
    timer: Option<TimerHandle>,
    watching: bool,
    reported: bool,
}

/// The application state's side of subprocesses: where they are, and what
/// to do with their output and their exit. `R` is the reactor type
/// ([`StdReactor`]); subprocesses are numbered by the application.
pub trait ProcessHost<R> {
    /// Subprocess number `id`, if it is still there.
    fn subprocess(&mut self, id: usize) -> Option<&mut Subprocess>;

    /// `bytes` arrived on `which` of subprocess `id` (at most
    /// [`OUTPUT_BUFFER`](super::OUTPUT_BUFFER) at a time).
    fn on_output(&mut self, reactor: &mut R, id: usize, which: Output, bytes: &[u8]);

    /// Subprocess `id` was reaped and its output is complete. Called once;
    /// the subprocess may be dropped from here on.
    fn on_exit(&mut self, reactor: &mut R, id: usize, exit: Exit);
}

/// [`watch_subprocess`] failed; whatever it had registered is undone.
#[derive(Debug)]
#[non_exhaustive]
pub enum WatchError {
    /// [`ProcessHost::subprocess`] has no subprocess with this number.
    UnknownId(usize),
    /// It is watched already.
    AlreadyWatched(usize),
    /// The reactor's handler table or timer heap is full.
    Full,
    /// The backend refused a registration.
    Backend(StdError),
}

impl fmt::Display for WatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WatchError::UnknownId(id) => write!(f, "no subprocess number {id}: add it before watching"),
            WatchError::AlreadyWatched(id) => write!(f, "subprocess {id} is watched already"),
            WatchError::Full => {
                f.write_str("the reactor's handler table or timer heap is full: raise its IO or TM capacity")
            }
            WatchError::Backend(e) => write!(f, "cannot watch the subprocess: {e}"),
        }
    }
}

impl std::error::Error for WatchError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WatchError::Backend(e) => Some(e),
            _ => None,
        }
    }
}

/// Starts watching subprocess `id` of `app` on `reactor` (until
/// [`ProcessHost::on_exit`] or [`unwatch_subprocess`]): every chunk of
/// its piped output goes to [`ProcessHost::on_output`] as it arrives (so
/// output of any size flows without the child blocking on a full pipe),
/// the exit fd reaps the child, the timeout (if any) kills it, and once the
/// child is reaped and its outputs reached end-of-file,
/// [`ProcessHost::on_exit`] is called once. Uses up to three handler slots
/// and one timer slot until then.
///
/// # Errors
/// [`WatchError`]; nothing stays registered then.
pub fn watch_subprocess<A, const CB: usize, const TM: usize, const IO: usize, const EV: usize>(
    app: &mut A,
    reactor: &mut StdReactor<A, CB, TM, IO, EV>,
    id: usize,
) -> Result<(), WatchError>
where
    A: ProcessHost<StdReactor<A, CB, TM, IO, EV>> + 'static,
{
    let sub = app.subprocess(id).ok_or(WatchError::UnknownId(id))?;
    if sub.watch.watching {
        return Err(WatchError::AlreadyWatched(id));
    }
    if let Err(e) = register_all(sub, reactor, id) {
        unregister_all(sub, reactor);
        return Err(e);
    }
    sub.watch.watching = true;
    // An exit that came before the watch (possible with the SIGCHLD
    // fallback) is found by this first check.
    let _ = reactor.add_callback(Callback::new(check_exit::<A, CB, TM, IO, EV>, id));
    Ok(())
}

/// Stops watching subprocess `id`: removes its registrations and its
/// timer; [`ProcessHost::on_exit`] will not be called. Do this before
/// dropping a watched subprocess that has not reported its exit (dropping
/// it then kills and reaps the child). Returns whether it was watched.
pub fn unwatch_subprocess<A, const CB: usize, const TM: usize, const IO: usize, const EV: usize>(
    app: &mut A,
    reactor: &mut StdReactor<A, CB, TM, IO, EV>,
    id: usize,
) -> bool
where
    A: ProcessHost<StdReactor<A, CB, TM, IO, EV>> + 'static,
{
    let Some(sub) = app.subprocess(id) else {
        return false;
    };
    let was = sub.watch.watching;
    unregister_all(sub, reactor);
    sub.watch.watching = false;
    was
}

fn register_all<A, const CB: usize, const TM: usize, const IO: usize, const EV: usize>(
    sub: &mut Subprocess,
    r: &mut StdReactor<A, CB, TM, IO, EV>,
    id: usize,
) -> Result<(), WatchError>
where
    A: ProcessHost<StdReactor<A, CB, TM, IO, EV>> + 'static,
{
    let map = |e: eddy_core::reactor::RegisterError<StdError, _>| match e {
        eddy_core::reactor::RegisterError::Backend(e) => WatchError::Backend(e),
        _ => WatchError::Full,
    };
    let handler = Handler::new(exit_ready::<A, CB, TM, IO, EV>, id << 2 | EXIT);
    sub.watch.exit = Some(
        r.add_handler(sub.exit_fd(), Interest::READABLE, handler)
            .map_err(map)?,
    );
    for (k, which) in OUTPUTS.into_iter().enumerate() {
        let Some(stream) = sub.output_mut(which) else {
            continue;
        };
        let handler = Handler::new(pipe_ready::<A, CB, TM, IO, EV>, id << 2 | (k + 1));
        let token = r
            .add_handler(stream.transport().as_fd(), Interest::READABLE, handler)
            .map_err(map)?;
        sub.watch.pipes[k] = Some(token);
    }
    if let Some(t) = sub.timeout() {
        let cb = Callback::new(timed_out::<A, CB, TM, IO, EV>, id);
        sub.watch.timer = Some(r.call_later(t, cb).map_err(|_| WatchError::Full)?);
    }
    Ok(())
}

fn unregister_all<A, const CB: usize, const TM: usize, const IO: usize, const EV: usize>(
    sub: &mut Subprocess,
    r: &mut StdReactor<A, CB, TM, IO, EV>,
) {
    release_exit(sub, r);
    for k in 0..OUTPUTS.len() {
        release_pipe(sub, r, k);
    }
}

/// Drops the exit fd's registration and the timeout, if any: the child is
/// reaped, or no longer watched.
fn release_exit<A, const CB: usize, const TM: usize, const IO: usize, const EV: usize>(
    sub: &mut Subprocess,
    r: &mut StdReactor<A, CB, TM, IO, EV>,
) {
    if let Some(token) = sub.watch.exit.take() {
        let _ = r.remove_handler(sub.exit_fd(), token);
    }
    if let Some(timer) = sub.watch.timer.take() {
        r.cancel(timer);
    }
}

/// Drops the registration of output `k` (an index into [`OUTPUTS`]), if
/// any: it reached end-of-file, or is no longer watched.
fn release_pipe<A, const CB: usize, const TM: usize, const IO: usize, const EV: usize>(
    sub: &mut Subprocess,
    r: &mut StdReactor<A, CB, TM, IO, EV>,
    k: usize,
) {
    if let Some(token) = sub.watch.pipes[k].take() {
        if let Some(stream) = sub.output_mut(OUTPUTS[k]) {
            let _ = r.remove_handler(stream.transport().as_fd(), token);
        }
    }
}

fn exit_ready<A, const CB: usize, const TM: usize, const IO: usize, const EV: usize>(
    app: &mut A,
    r: &mut StdReactor<A, CB, TM, IO, EV>,
    _: Event,
    arg: usize,
) -> CallbackResult
where
    A: ProcessHost<StdReactor<A, CB, TM, IO, EV>> + 'static,
{
    check_exit(app, r, arg >> 2)
}

/// Reaps the child if it has exited; then maybe reports.
fn check_exit<A, const CB: usize, const TM: usize, const IO: usize, const EV: usize>(
    app: &mut A,
    r: &mut StdReactor<A, CB, TM, IO, EV>,
    id: usize,
) -> CallbackResult
where
    A: ProcessHost<StdReactor<A, CB, TM, IO, EV>> + 'static,
{
    let Some(sub) = app.subprocess(id) else {
        return Ok(());
    };
    if !sub.watch.watching {
        return Ok(());
    }
    match sub.try_wait() {
        Ok(Some(_)) => release_exit(sub, r),
        Ok(None) => return Ok(()),
        Err(_) => return Err(CallbackError::new("waitpid failed for a watched subprocess")),
    }
    finish_if_done(app, r, id);
    Ok(())
}

fn pipe_ready<A, const CB: usize, const TM: usize, const IO: usize, const EV: usize>(
    app: &mut A,
    r: &mut StdReactor<A, CB, TM, IO, EV>,
    ev: Event,
    arg: usize,
) -> CallbackResult
where
    A: ProcessHost<StdReactor<A, CB, TM, IO, EV>> + 'static,
{
    let (id, k) = (arg >> 2, (arg & 3) - 1);
    let which = OUTPUTS[k];
    let mut chunk = [0u8; super::OUTPUT_BUFFER];
    let mut first = true;
    loop {
        let Some(sub) = app.subprocess(id) else {
            return Ok(());
        };
        let Some(stream) = sub.output_mut(which) else {
            return Ok(());
        };
        if first {
            stream.transport_mut().set_ready(ev.ready);
            stream.on_readable();
            first = false;
        }
        if !stream.is_read_pending() {
            let _ = stream.read_some();
        }
        let n = match stream.poll_read() {
            Some(Ok(done)) => {
                let data = stream.data(&done);
                let n = data.len();
                chunk[..n].copy_from_slice(data);
                let _ = stream.consume(done);
                n
            }
            Some(Err(_)) => {
                // End-of-file (or a failed pipe): this output is complete.
                release_pipe(sub, r, k);
                break;
            }
            None => return Ok(()),
        };
        app.on_output(r, id, which, &chunk[..n]);
    }
    finish_if_done(app, r, id);
    Ok(())
}

fn timed_out<A, const CB: usize, const TM: usize, const IO: usize, const EV: usize>(
    app: &mut A,
    _: &mut StdReactor<A, CB, TM, IO, EV>,
    id: usize,
) -> CallbackResult
where
    A: ProcessHost<StdReactor<A, CB, TM, IO, EV>> + 'static,
{
    let Some(sub) = app.subprocess(id) else {
        return Ok(());
    };
    sub.watch.timer = None;
    // The exit fd reports the death; the Exit says it timed out.
    sub.on_timeout()
        .map_err(|_| CallbackError::new("could not kill a subprocess past its timeout"))
}

/// Calls `on_exit` once the child is reaped and its outputs are complete.
fn finish_if_done<A, const CB: usize, const TM: usize, const IO: usize, const EV: usize>(
    app: &mut A,
    r: &mut StdReactor<A, CB, TM, IO, EV>,
    id: usize,
) where
    A: ProcessHost<StdReactor<A, CB, TM, IO, EV>> + 'static,
{
    let Some(sub) = app.subprocess(id) else {
        return;
    };
    let w = &sub.watch;
    if w.reported || w.pipes.iter().any(Option::is_some) {
        return;
    }
    let Some(exit) = sub.exit() else {
        return;
    };
    sub.watch.reported = true;
    sub.watch.watching = false;
    app.on_exit(r, id, exit);
}
