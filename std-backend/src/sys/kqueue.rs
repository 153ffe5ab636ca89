//! The macOS/FreeBSD selector: `kqueue(2)`, edge-triggered with `EV_CLEAR`.
//!
//! An fd gets one `EVFILT_READ` and/or one `EVFILT_WRITE` filter, each added
//! with `EV_CLEAR` so its state resets after it is reported (edge
//! semantics, like `EPOLLET`). The token travels in `udata`, which is why
//! this selector is only built for 64-bit targets (`sys/mod.rs`).
//!
//! Changes are submitted with `EV_RECEIPT`, so `kevent(2)` answers each one
//! with an `EV_ERROR` entry whose `data` is 0 or an errno, instead of mixing
//! change errors into pending events.
//!
//! Flag translation (`kevent(2)`): a read filter → readable, plus
//! read-closed with `EV_EOF`; a write filter → writable, plus write-closed
//! with `EV_EOF`; `EV_ERROR` → error. The socket error that `EV_EOF` carries
//! in `fflags` is not exposed by rustix; consumers see it on their next
//! read or write. Both filters of one fd may arrive as two consecutive
//! entries; they are merged into one event when adjacent.
//!
//! Portability: unlike epoll, `EV_ADD` on an fd that is already registered
//! updates it instead of failing.

#![allow(unsafe_code)]

use std::io;
use std::mem::MaybeUninit;
use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd};
use std::sync::Arc;
use std::time::Duration;

use eddy_core::{Event, Interest, Ready, Token};
use rustix::event::kqueue::{self, EventFilter, EventFlags};
use rustix::io::Errno;

use super::{Notifier, Notify, Selected, Selector, WAKER_KEY};
use crate::backend::PollerKind;

/// A kqueue with the waker's pipe registered in it.
pub(crate) struct Kqueue {
    kq: OwnedFd,
    notifier: Arc<Notifier>,
}

impl std::fmt::Debug for Kqueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kqueue")
            .field("fd", &self.kq)
            .finish_non_exhaustive()
    }
}

fn udata(key: u64) -> *mut core::ffi::c_void {
    // A 64-bit key in a 64-bit pointer (sys/mod.rs builds this file only
    // where pointers are 64 bits); never dereferenced.
    std::ptr::without_provenance_mut(key as usize)
}

fn change(filter: EventFilter, flags: EventFlags, key: u64) -> kqueue::Event {
    kqueue::Event::new(filter, flags | EventFlags::RECEIPT, udata(key))
}

impl Kqueue {
    /// Submits `changes` and checks every receipt; errnos in `ignore` (such
    /// as `ENOENT` when deleting a filter that was never added) count as
    /// success. Returns how many changes failed with an ignored errno.
    fn apply(&self, changes: &[kqueue::Event], ignore: &[Errno]) -> io::Result<usize> {
        let mut buf = [MaybeUninit::<kqueue::Event>::uninit(); 2];
        let spare = &mut buf[..changes.len()];
        // SAFETY: `kevent` requires the fds named in `changes` to be valid
        // for as long as they stay registered. Each one comes from a
        // `BorrowedFd` that is open during this call, and kqueue(2) deletes
        // an fd's filters when the fd is closed, so the queue never refers
        // to a closed fd afterwards.
        let (receipts, _) = unsafe { kqueue::kevent(&self.kq, changes, spare, Some(Duration::ZERO))? };
        let mut ignored = 0;
        for r in receipts.iter() {
            let errno = r.data();
            if r.flags().contains(EventFlags::ERROR) && errno != 0 {
                let errno = Errno::from_raw_os_error(i32::try_from(errno).unwrap_or(i32::MAX));
                if ignore.contains(&errno) {
                    ignored += 1;
                } else {
                    return Err(errno.into());
                }
            }
        }
        Ok(ignored)
    }

    fn set(&mut self, fd: BorrowedFd<'_>, key: u64, interest: Interest, add: EventFlags) -> io::Result<()> {
        let raw = fd.as_raw_fd();
        let pick = |wanted: bool| if wanted { add } else { EventFlags::DELETE };
        let changes = [
            change(EventFilter::Read(raw), pick(interest.is_readable()), key),
            change(EventFilter::Write(raw), pick(interest.is_writable()), key),
        ];
        // ENOENT: deleting the filter of a direction that was not watched.
        self.apply(&changes, &[Errno::NOENT]).map(drop)
    }
}

/// Translates one kevent into eddy's readiness set.
fn ready_from(ev: &kqueue::Event) -> Ready {
    let flags = ev.flags();
    let eof = flags.contains(EventFlags::EOF);
    let mut ready = match ev.filter() {
        EventFilter::Read(_) if eof => Ready::READABLE | Ready::READ_CLOSED,
        EventFilter::Read(_) => Ready::READABLE,
        EventFilter::Write(_) if eof => Ready::WRITABLE | Ready::WRITE_CLOSED,
        EventFilter::Write(_) => Ready::WRITABLE,
        _ => Ready::EMPTY,
    };
    if flags.contains(EventFlags::ERROR) {
        ready = ready | Ready::ERROR;
    }
    ready
}

impl Selector for Kqueue {
    const KIND: PollerKind = PollerKind::Kqueue;

    fn new(notifier: Arc<Notifier>) -> io::Result<Self> {
        // kqueue(2): rustix sets close-on-exec.
        let kq = kqueue::kqueue()?;
        let this = Kqueue { kq, notifier };
        let waker = this.notifier.fd().as_raw_fd();
        let add = change(
            EventFilter::Read(waker),
            EventFlags::ADD | EventFlags::CLEAR,
            WAKER_KEY,
        );
        this.apply(&[add], &[])?;
        Ok(this)
    }

    fn register(&mut self, fd: BorrowedFd<'_>, key: u64, interest: Interest) -> io::Result<()> {
        self.set(fd, key, interest, EventFlags::ADD | EventFlags::CLEAR)
    }

    fn reregister(&mut self, fd: BorrowedFd<'_>, key: u64, interest: Interest) -> io::Result<()> {
        self.set(fd, key, interest, EventFlags::ADD | EventFlags::CLEAR)
    }

    fn deregister(&mut self, fd: BorrowedFd<'_>) -> io::Result<()> {
        let raw = fd.as_raw_fd();
        let changes = [
            change(EventFilter::Read(raw), EventFlags::DELETE, 0),
            change(EventFilter::Write(raw), EventFlags::DELETE, 0),
        ];
        // One direction may legitimately be absent; both absent means the
        // fd was not registered.
        match self.apply(&changes, &[Errno::NOENT])? {
            2 => Err(Errno::NOENT.into()),
            _ => Ok(()),
        }
    }

    fn select(&mut self, events: &mut [Event], timeout: Option<Duration>) -> io::Result<Selected> {
        // At most events.len() entries (no edge taken without room for it),
        // in a stack buffer.
        let mut buf = [MaybeUninit::<kqueue::Event>::uninit(); super::CHUNK];
        let spare = &mut buf[..events.len().min(super::CHUNK)];
        // SAFETY: as in `apply`: no changes are submitted, and every fd the
        // queue refers to is open (kqueue(2) drops filters of closed fds).
        let (filled, _) = unsafe { kqueue::kevent(&self.kq, &[], spare, timeout)? };
        let mut user: usize = 0;
        for ev in filled.iter() {
            let key = ev.udata().addr() as u64;
            if key == WAKER_KEY {
                self.notifier.drain();
                continue;
            }
            let token = Token::from_u64(key);
            let ready = ready_from(ev);
            match user.checked_sub(1).map(|last| &mut events[last]) {
                Some(last) if last.token == token => last.ready = last.ready | ready,
                _ => {
                    events[user] = Event::new(token, ready);
                    user += 1;
                }
            }
        }
        let raw = filled.len();
        Ok(Selected { events: user, raw })
    }
}
