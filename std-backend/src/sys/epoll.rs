//! The Linux selector: `epoll(7)`, edge-triggered.
//!
//! Every fd is registered with `EPOLLET`: a readiness change is reported
//! once and consumers read or write until `EAGAIN` before waiting again (the
//! `Backend` contract). Edge triggering is also what Miri supports and what
//! keeps a busy socket from being reported on every call.
//!
//! Flag translation (`epoll_ctl(2)`):
//! - `EPOLLIN` → readable; `EPOLLOUT` → writable;
//! - `EPOLLRDHUP` (peer shut down its write side) or `EPOLLHUP` → read-closed;
//! - `EPOLLHUP`, or `EPOLLERR` alone / with `EPOLLOUT` (a pipe whose reader
//!   is gone) → write-closed;
//! - `EPOLLERR` → error.
//!
//! `epoll_wait(2)` is asked for at most `events.len()` entries, so an edge
//! that does not fit stays on the kernel's ready list for the next call.
//! `EINTR` is passed up and retried by `crate::backend`.

use std::io;
use std::mem::MaybeUninit;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::Arc;
use std::time::Duration;

use eddy_core::{Event, Interest, Ready, Token};
use rustix::event::epoll::{self, CreateFlags, EventData, EventFlags};

use super::{Notifier, Notify, Selected, Selector, WAKER_KEY};
use crate::backend::PollerKind;

/// An epoll instance with the waker registered in it.
pub(crate) struct Epoll {
    ep: OwnedFd,
    notifier: Arc<Notifier>,
}

impl std::fmt::Debug for Epoll {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Epoll")
            .field("fd", &self.ep)
            .finish_non_exhaustive()
    }
}

fn flags_for(interest: Interest) -> EventFlags {
    let mut flags = EventFlags::ET;
    if interest.is_readable() {
        flags |= EventFlags::IN | EventFlags::RDHUP;
    }
    if interest.is_writable() {
        flags |= EventFlags::OUT;
    }
    flags
}

/// Translates epoll's flags into eddy's readiness set.
fn ready_from(flags: EventFlags) -> Ready {
    let mut ready = Ready::EMPTY;
    if flags.contains(EventFlags::IN) {
        ready = ready | Ready::READABLE;
    }
    if flags.contains(EventFlags::OUT) {
        ready = ready | Ready::WRITABLE;
    }
    if flags.intersects(EventFlags::RDHUP | EventFlags::HUP) {
        ready = ready | Ready::READ_CLOSED;
    }
    let err = flags.contains(EventFlags::ERR);
    let err_alone = flags & (EventFlags::IN | EventFlags::OUT | EventFlags::HUP) == EventFlags::empty();
    if flags.contains(EventFlags::HUP) || (err && (flags.contains(EventFlags::OUT) || err_alone)) {
        ready = ready | Ready::WRITE_CLOSED;
    }
    if err {
        ready = ready | Ready::ERROR;
    }
    ready
}

impl Selector for Epoll {
    const KIND: PollerKind = PollerKind::Epoll;

    fn new(notifier: Arc<Notifier>) -> io::Result<Self> {
        // epoll_create1(2) with EPOLL_CLOEXEC.
        let ep = epoll::create(CreateFlags::CLOEXEC)?;
        // epoll_ctl(2) EPOLL_CTL_ADD: the waker, readable, edge-triggered;
        // every write to the eventfd is a new edge.
        epoll::add(
            &ep,
            notifier.fd(),
            EventData::new_u64(WAKER_KEY),
            EventFlags::IN | EventFlags::ET,
        )?;
        Ok(Epoll { ep, notifier })
    }

    fn register(&mut self, fd: BorrowedFd<'_>, key: u64, interest: Interest) -> io::Result<()> {
        // epoll_ctl(2) EPOLL_CTL_ADD: EEXIST if already registered, EPERM
        // for a regular file or directory.
        Ok(epoll::add(
            &self.ep,
            fd,
            EventData::new_u64(key),
            flags_for(interest),
        )?)
    }

    fn reregister(&mut self, fd: BorrowedFd<'_>, key: u64, interest: Interest) -> io::Result<()> {
        // epoll_ctl(2) EPOLL_CTL_MOD: ENOENT if not registered. Re-arming
        // also reports a readiness that is already there (a new edge).
        Ok(epoll::modify(
            &self.ep,
            fd,
            EventData::new_u64(key),
            flags_for(interest),
        )?)
    }

    fn deregister(&mut self, fd: BorrowedFd<'_>) -> io::Result<()> {
        // epoll_ctl(2) EPOLL_CTL_DEL: ENOENT if not registered.
        Ok(epoll::delete(&self.ep, fd)?)
    }

    fn select(&mut self, events: &mut [Event], timeout: Option<Duration>) -> io::Result<Selected> {
        let timeout = super::timespec(timeout);
        // epoll_wait(2) into at most events.len() slots of a stack buffer:
        // no allocation, and no edge taken without room for it.
        let mut buf = [MaybeUninit::<epoll::Event>::uninit(); super::CHUNK];
        let max = events.len().min(super::CHUNK);
        let (filled, _) = epoll::wait(&self.ep, &mut buf[..max], timeout.as_ref())?;
        let mut user = 0;
        for ev in filled.iter() {
            let key = ev.data.u64();
            if key == WAKER_KEY {
                self.notifier.drain();
                continue;
            }
            events[user] = Event::new(Token::from_u64(key), ready_from(ev.flags));
            user += 1;
        }
        let raw = filled.len();
        Ok(Selected { events: user, raw })
    }
}

impl AsFd for Epoll {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.ep.as_fd()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_translate_like_the_man_page_says() {
        assert_eq!(ready_from(EventFlags::IN), Ready::READABLE);
        assert_eq!(
            ready_from(EventFlags::IN | EventFlags::RDHUP),
            Ready::READABLE | Ready::READ_CLOSED
        );
        assert_eq!(
            ready_from(EventFlags::HUP),
            Ready::READ_CLOSED | Ready::WRITE_CLOSED
        );
        // A pipe's write end whose reader is gone: EPOLLOUT | EPOLLERR.
        assert_eq!(
            ready_from(EventFlags::OUT | EventFlags::ERR),
            Ready::WRITABLE | Ready::WRITE_CLOSED | Ready::ERROR
        );
        assert_eq!(ready_from(EventFlags::ERR), Ready::WRITE_CLOSED | Ready::ERROR);
        assert_eq!(
            ready_from(EventFlags::IN | EventFlags::ERR),
            Ready::READABLE | Ready::ERROR
        );
    }
}
