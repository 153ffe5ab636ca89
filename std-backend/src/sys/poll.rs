//! The portable selector: `poll(2)` over a table of registered fds.
//!
//! It runs on every unix, is picked at run time by
//! [`StdBackend::with_poll`](crate::StdBackend::with_poll), and is the only
//! selector when the crate is built with `--cfg eddy_force_poll`.
//!
//! # Triggering: level, on purpose
//!
//! `poll(2)` has no edge mode. mio emulates one by dropping an fd's interest
//! once it is reported and re-arming it when its own I/O types hit
//! `WouldBlock`; eddy's `Backend` trait has no such hook, and every
//! emulation without one either loses wake-ups (new data arriving between a
//! drain and the next poll looks like "still readable", so no edge is seen)
//! or is level-triggered. This selector is therefore **level-triggered**:
//! every `select` reports every registered fd that is ready for its interest
//! (or has hung up / failed). That is a superset of what epoll/kqueue report,
//! which the `Backend` contract allows (spurious readiness), so consumers that
//! drain until `WouldBlock` work unchanged. The cost: a source that stays
//! ready is reported on every call — register `WRITABLE` only while there is
//! something to write, and deregister a source after its hang-up.
//!
//! Fairness: when more fds are ready than the caller's buffer holds, the next
//! scan starts after the last fd reported, so every ready fd gets its turn.
//!
//! Flag translation (`poll(2)`): `POLLIN` → readable, `POLLOUT` → writable,
//! `POLLRDHUP` (Linux) → read-closed, `POLLHUP` → read-closed and
//! write-closed, `POLLERR` → error (and write-closed: a pipe whose reader is
//! gone), `POLLNVAL` (the fd was closed without being deregistered) → error.
//!
//! Cost: O(registered fds) per call, plus a `HashMap` lookup per
//! (de)registration.

#![allow(unsafe_code)]

use std::collections::HashMap;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, RawFd};
use std::sync::Arc;
use std::time::Duration;

use eddy_core::{Event, Interest, Ready, Token};
use rustix::event::{poll, PollFd, PollFlags};

use super::{Notifier, Notify, Selected, Selector};
use crate::backend::PollerKind;

#[derive(Clone, Copy, Debug)]
struct Entry {
    fd: RawFd,
    key: u64,
    interest: Interest,
}

/// A table of registered fds polled with `poll(2)`.
#[derive(Debug)]
pub(crate) struct PollSelector {
    notifier: Arc<Notifier>,
    entries: Vec<Entry>,
    /// fd → index in `entries`.
    index: HashMap<RawFd, usize>,
    /// Where the next scan of `entries` starts (fairness).
    cursor: usize,
    /// The `poll(2)` array, rebuilt by every `select` and emptied before it
    /// returns, kept only so its allocation is reused. Its `'static` is a
    /// lie that never escapes `select` (see the SAFETY note there).
    fds: Vec<PollFd<'static>>,
}

#[cfg(eddy_epoll)]
const READ_FLAGS: PollFlags = PollFlags::IN.union(PollFlags::RDHUP);
#[cfg(not(eddy_epoll))]
const READ_FLAGS: PollFlags = PollFlags::IN;

fn flags_for(interest: Interest) -> PollFlags {
    let mut flags = PollFlags::empty();
    if interest.is_readable() {
        flags |= READ_FLAGS;
    }
    if interest.is_writable() {
        flags |= PollFlags::OUT;
    }
    flags
}

/// Translates `revents` into eddy's readiness set.
fn ready_from(revents: PollFlags) -> Ready {
    let mut ready = Ready::EMPTY;
    if revents.contains(PollFlags::IN) {
        ready = ready | Ready::READABLE;
    }
    if revents.contains(PollFlags::OUT) {
        ready = ready | Ready::WRITABLE;
    }
    if revents.intersects(READ_FLAGS.difference(PollFlags::IN) | PollFlags::HUP) {
        ready = ready | Ready::READ_CLOSED;
    }
    if revents.intersects(PollFlags::HUP | PollFlags::ERR) {
        ready = ready | Ready::WRITE_CLOSED;
    }
    if revents.intersects(PollFlags::ERR | PollFlags::NVAL) {
        ready = ready | Ready::ERROR;
    }
    ready
}

fn not_registered() -> io::Error {
    io::Error::new(
        io::ErrorKind::NotFound,
        "fd is not registered with this poll selector",
    )
}

impl Selector for PollSelector {
    const KIND: PollerKind = PollerKind::Poll;

    fn new(notifier: Arc<Notifier>) -> io::Result<Self> {
        Ok(PollSelector {
            notifier,
            entries: Vec::new(),
            index: HashMap::new(),
            cursor: 0,
            fds: Vec::new(),
        })
    }

    fn register(&mut self, fd: BorrowedFd<'_>, key: u64, interest: Interest) -> io::Result<()> {
        let raw = fd.as_raw_fd();
        if self.index.contains_key(&raw) {
            // Same answer as epoll_ctl(2) EPOLL_CTL_ADD.
            return Err(io::Error::from_raw_os_error(
                rustix::io::Errno::EXIST.raw_os_error(),
            ));
        }
        self.index.insert(raw, self.entries.len());
        self.entries.push(Entry {
            fd: raw,
            key,
            interest,
        });
        Ok(())
    }

    fn reregister(&mut self, fd: BorrowedFd<'_>, key: u64, interest: Interest) -> io::Result<()> {
        let i = *self.index.get(&fd.as_raw_fd()).ok_or_else(not_registered)?;
        self.entries[i].key = key;
        self.entries[i].interest = interest;
        Ok(())
    }

    fn deregister(&mut self, fd: BorrowedFd<'_>) -> io::Result<()> {
        let i = self.index.remove(&fd.as_raw_fd()).ok_or_else(not_registered)?;
        self.entries.swap_remove(i);
        if let Some(moved) = self.entries.get(i) {
            self.index.insert(moved.fd, i);
        }
        Ok(())
    }

    fn select(&mut self, events: &mut [Event], timeout: Option<Duration>) -> io::Result<Selected> {
        let timeout = super::timespec(timeout);
        // Slot 0 is the waker; slot i + 1 is entries[i].
        let fds = &mut self.fds;
        fds.clear();
        // SAFETY: `borrow_raw` needs the fd to stay open while the borrow is
        // used. The borrows live in `self.fds`, which is emptied before this
        // function returns, so they are only used by the poll(2) call below.
        // The waker's fd is owned by `self.notifier`, alive as long as self.
        // A user fd is open because the `Backend` contract has callers
        // deregister a source before closing it (its registration borrowed
        // it). If one does not, poll(2) reports POLLNVAL for the closed fd
        // (turned into an error event), or readiness of whatever reused the
        // number; poll(2) only reads readiness, so no other owner's data is
        // read, written or closed either way.
        let borrow = |raw: RawFd| unsafe { BorrowedFd::borrow_raw(raw) };
        fds.push(PollFd::from_borrowed_fd(
            borrow(self.notifier.fd().as_raw_fd()),
            PollFlags::IN,
        ));
        for e in &self.entries {
            fds.push(PollFd::from_borrowed_fd(borrow(e.fd), flags_for(e.interest)));
        }
        // poll(2): EINTR is passed up and retried by crate::backend.
        let polled = poll(fds, timeout.as_ref());
        let raw = match polled {
            Ok(raw) => raw,
            Err(e) => {
                fds.clear();
                return Err(e.into());
            }
        };
        if !fds[0].revents().is_empty() {
            self.notifier.drain();
        }
        let n = self.entries.len();
        let mut user = 0;
        let mut next_cursor = self.cursor;
        for step in 0..n {
            if user == events.len() {
                break;
            }
            let i = (self.cursor + step) % n;
            let revents = self.fds[i + 1].revents();
            if revents.is_empty() {
                continue;
            }
            events[user] = Event::new(Token::from_u64(self.entries[i].key), ready_from(revents));
            user += 1;
            next_cursor = i + 1;
        }
        self.cursor = if n == 0 { 0 } else { next_cursor % n };
        self.fds.clear();
        Ok(Selected { events: user, raw })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_translate_like_the_man_page_says() {
        assert_eq!(ready_from(PollFlags::IN), Ready::READABLE);
        assert_eq!(ready_from(PollFlags::OUT), Ready::WRITABLE);
        assert_eq!(
            ready_from(PollFlags::HUP),
            Ready::READ_CLOSED | Ready::WRITE_CLOSED
        );
        assert_eq!(ready_from(PollFlags::ERR), Ready::WRITE_CLOSED | Ready::ERROR);
        assert_eq!(ready_from(PollFlags::NVAL), Ready::ERROR);
    }
}
