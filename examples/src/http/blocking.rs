//! `GET /blocking?ms=N`: a blocking sleep run on a thread pool
//! ([`eddy_std::BlockingPool`], Tornado's `run_on_executor`), answered
//! `blocked N ms\n` while the loop goes on serving everyone else.
//!
//! The request parks its connection like `/sleep` does (so nothing more is
//! parsed on it meanwhile), with a guard timer at N ms plus a grace
//! period: a job that has not come back by then gets 504. A finished job's
//! thread posts to the `DONE` mailbox, which wakes the loop; the mailbox
//! callback finds the parked request by job id and answers it, unless the
//! connection went away (its parked timer no longer matches).

use std::io;
use std::time::Duration;

use eddy_core::http::Status;
use eddy_core::mailbox::Mailbox;
use eddy_core::timer::TimerHandle;
use eddy_core::{Callback, CallbackResult};
use eddy_std::{BlockingPool, JobId, StdWaker};

use super::server::{Loop, Server};
use super::service::conn::{drive, Park};
use super::service::routes::{reply, reply_error};
use super::service::Host;

/// Pool threads: how many `/blocking` requests sleep at once.
const THREADS: usize = 4;
/// Jobs in flight (queued or sleeping); one more gets 503.
const IN_FLIGHT: usize = 64;
/// How long past its N ms a job may take before the request gets 504.
const GRACE: Duration = Duration::from_secs(30);

/// Where the pool's threads post finished jobs.
static DONE: Mailbox<usize, StdWaker, IN_FLIGHT> = Mailbox::new();

/// The pool and the requests waiting on it.
#[derive(Debug)]
pub(crate) struct Blocking {
    pool: BlockingPool<u64>,
    /// (job, connection index, the connection's parked guard timer).
    parked: Vec<(JobId, usize, TimerHandle)>,
}

impl Blocking {
    /// Starts the pool's threads.
    pub(crate) fn new() -> io::Result<Blocking> {
        Ok(Blocking {
            pool: BlockingPool::new(THREADS, &DONE)?,
            parked: Vec::with_capacity(IN_FLIGHT),
        })
    }
}

/// Attaches the pool's mailbox to the server's reactor.
pub(crate) fn attach(r: &mut Loop) {
    r.attach_mailbox(&DONE, on_done);
}

/// Starts `GET /blocking?ms=N` on connection `index`.
pub(crate) fn start(s: &mut Server, r: &mut Loop, index: usize, ms: u64) {
    let sleep = Duration::from_millis(ms);
    let job = match s.blocking.pool.submit(move || {
        std::thread::sleep(sleep);
        ms
    }) {
        Ok(job) => job,
        Err(_) => return reply_error(s, index, Status::SERVICE_UNAVAILABLE),
    };
    let Ok(timer) = r.call_later(sleep + GRACE, Callback::new(overdue, index)) else {
        // The job runs on; its completion finds nothing parked.
        return reply_error(s, index, Status::SERVICE_UNAVAILABLE);
    };
    if let Some(conn) = s.service().conn(index) {
        conn.park = Park::Sleep { timer, ms };
        s.blocking.parked.push((job, index, timer));
    }
}

/// A finished job, on the loop: answer its request if it still waits.
fn on_done(s: &mut Server, r: &mut Loop, message: usize) -> CallbackResult {
    let Some((job, result)) = s.blocking.pool.complete(message, |_| {}) else {
        return Ok(());
    };
    let Some(pos) = s.blocking.parked.iter().position(|p| p.0 == job) else {
        return Ok(());
    };
    let (_, index, timer) = s.blocking.parked.swap_remove(pos);
    if !unpark(s, r, index, timer) {
        return Ok(());
    }
    match result {
        Ok(ms) => {
            let text = format!("blocked {ms} ms\n");
            reply(s, index, r.now(), Status::OK, &[], &[text.as_bytes()]);
        }
        Err(_) => reply_error(s, index, Status::INTERNAL_SERVER_ERROR),
    }
    drive(s, r, index);
    Ok(())
}

/// The guard timer: the job is long overdue.
fn overdue(s: &mut Server, r: &mut Loop, index: usize) -> CallbackResult {
    let Some(conn) = s.service().conn(index) else {
        return Ok(());
    };
    let Park::Sleep { timer, .. } = conn.park else {
        return Ok(());
    };
    let Some(pos) = s
        .blocking
        .parked
        .iter()
        .position(|p| p.1 == index && p.2 == timer)
    else {
        return Ok(());
    };
    s.blocking.parked.swap_remove(pos);
    if let Some(conn) = s.service().conn(index) {
        conn.park = Park::No;
    }
    reply_error(s, index, Status::GATEWAY_TIMEOUT);
    drive(s, r, index);
    Ok(())
}

/// Un-parks connection `index` if it is still parked on `timer`.
fn unpark(s: &mut Server, r: &mut Loop, index: usize, timer: TimerHandle) -> bool {
    let Some(conn) = s.service().conn(index) else {
        return false;
    };
    match conn.park {
        Park::Sleep { timer: t, .. } if t == timer => {
            r.cancel(timer);
            conn.park = Park::No;
            true
        }
        _ => false,
    }
}
