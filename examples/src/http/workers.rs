//! `http_server --workers N`: pre-forked worker processes (the seeds'
//! multi-process example, Tornado's `fork_processes`).
//!
//! The parent binds first, then forks with [`eddy_std::fork_processes`]
//! and only supervises: restarts a worker that dies abnormally (up to
//! `--max-restarts`), forwards SIGTERM/SIGINT, and exits once every worker
//! is gone (status 0), or with an error after too many deaths. Each worker
//! builds its own reactor after the fork and serves on
//!
//! - its own `SO_REUSEPORT` listener on the port the parent holds with a
//!   [`PortReservation`] (the default): the kernel spreads connections
//!   over the workers' listeners evenly;
//! - or, with `--shared-listener`, the one listener the parent bound and
//!   every worker inherited (Tornado's way; the kernel hands a connection
//!   to whichever worker accepts first, which favours a busy one).
//!
//! Every worker prints `listening on http://ADDR (worker K, pid P)` once
//! it accepts.

use eddy_std::{bind_sockets, fork_processes, task_id, Forked, PortReservation};

use super::cli::Options;
use super::server::serve;

/// Forks the workers and serves in each; returns in the parent once all
/// have ended.
///
/// # Errors
/// Binding, forking, too many worker deaths (in the parent); whatever
/// serving fails with (in a worker).
pub(crate) fn run(opts: &Options) -> Result<(), Box<dyn std::error::Error>> {
    let (shared, reservation, addr) = if opts.shared_listener {
        let listener = bind_sockets(opts.addr, 1024, false)?;
        let addr = listener.local_addr()?;
        (Some(listener), None, addr)
    } else {
        let port = PortReservation::new(opts.addr)?;
        let addr = port.local_addr();
        (None, Some(port), addr)
    };
    match fork_processes(opts.workers, opts.max_restarts)? {
        Forked::Worker(_) => {
            // The parent keeps the reservation; this copy is not needed.
            drop(reservation);
            let listener = match shared {
                Some(listener) => listener,
                None => bind_sockets(addr, 1024, true)?,
            };
            // Announced from `task_id()`, which the tests read back.
            serve(opts, listener, task_id())
        }
        Forked::Finished => Ok(()),
    }
}
