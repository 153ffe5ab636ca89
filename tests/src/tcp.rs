//! Helpers for the TCP stress tests of the std backend: lowering the
//! descriptor limit for a while, listing open descriptors, and reading the
//! process's CPU time.
//!
//! A lowered limit is process-wide: a test that uses [`NofileLimit`] must
//! run in its own test binary, alone (see `tests/fd_exhaustion.rs`).

use std::io;
use std::os::fd::AsRawFd;
use std::time::Duration;

use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};

/// The open descriptors of this process, ascending (read from
/// `/proc/self/fd`, or `/dev/fd` where there is no `/proc`).
///
/// # Errors
/// The OS error if neither directory can be read.
pub fn open_fds() -> io::Result<Vec<i32>> {
    use rustix::fs::{open, Dir, Mode, OFlags};
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    let dir_fd =
        open("/proc/self/fd", flags, Mode::empty()).or_else(|_| open("/dev/fd", flags, Mode::empty()))?;
    // The directory's own fd is listed too, and closed when we are done.
    let own = dir_fd.as_raw_fd();
    let mut fds = Vec::new();
    for entry in Dir::new(dir_fd)? {
        let entry = entry?;
        if let Some(fd) = entry
            .file_name()
            .to_str()
            .ok()
            .and_then(|n| n.parse::<i32>().ok())
        {
            if fd != own {
                fds.push(fd);
            }
        }
    }
    fds.sort_unstable();
    Ok(fds)
}

/// A lowered soft `RLIMIT_NOFILE`, restored when dropped (also when the
/// test panics).
#[derive(Debug)]
pub struct NofileLimit {
    saved: Rlimit,
    limit: u64,
}

impl NofileLimit {
    /// Lowers the soft limit so that exactly `free` descriptor numbers
    /// below it are unused: the process can open `free` more descriptors,
    /// then gets `EMFILE`. (The limit is on descriptor *numbers*: a new fd
    /// takes the lowest free number, and fails if that is not below the
    /// limit.)
    ///
    /// # Errors
    /// The OS error if the open descriptors cannot be listed or the limit
    /// cannot be set.
    pub fn leave_free(free: usize) -> io::Result<NofileLimit> {
        let saved = getrlimit(Resource::Nofile);
        let open = open_fds()?;
        // The smallest L with L - #{open fd < L} == free.
        let mut limit = free;
        loop {
            let below = open
                .iter()
                .filter(|&&fd| usize::try_from(fd).is_ok_and(|fd| fd < limit))
                .count();
            if free + below == limit {
                break;
            }
            limit = free + below;
        }
        let limit = limit as u64;
        setrlimit(
            Resource::Nofile,
            Rlimit {
                current: Some(limit),
                maximum: saved.maximum,
            },
        )?;
        Ok(NofileLimit { saved, limit })
    }

    /// The lowered soft limit.
    pub fn limit(&self) -> u64 {
        self.limit
    }
}

impl Drop for NofileLimit {
    fn drop(&mut self) {
        if let Err(e) = setrlimit(Resource::Nofile, self.saved) {
            eprintln!("could not restore RLIMIT_NOFILE: {e}");
        }
    }
}

/// User plus system CPU time of the whole process, all threads
/// (`CLOCK_PROCESS_CPUTIME_ID`: the same total as `getrusage(RUSAGE_SELF)`,
/// at nanosecond resolution).
pub fn process_cpu_time() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    Duration::new(t.tv_sec.unsigned_abs(), t.tv_nsec.try_into().unwrap_or(0))
}
