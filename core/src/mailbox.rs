//! The mailbox: posting work from another thread or an interrupt.
//!
//! Tornado's `add_callback` is the one IOLoop call that is safe from another
//! thread. Here that path is a [`Mailbox`]: a fixed ring behind a
//! `critical-section` mutex (interrupts masked on a single-core MCU, a global
//! lock on a host), plus the backend's waker so a post interrupts a poll
//! that is sleeping. A reactor attached with
//! [`Reactor::attach_mailbox`](crate::reactor::Reactor::attach_mailbox)
//! takes `usize` messages — a task id, a signal number, a job number — and
//! runs its message callback for each, at the start of the next iteration.
//! A message is one word so that the mailbox's type does not depend on the
//! application's, and an interrupt handler can post without knowing it.
//!
//! A mailbox outlives the reactor's users on other threads, so it is shared
//! by `&'static` reference: a `static` on firmware, `Box::leak` or a
//! `static` on a host.

use core::cell::RefCell;
use core::sync::atomic::{AtomicBool, Ordering};

use critical_section::Mutex;
use heapless::Deque;

use crate::backend::Wake;
use crate::error::Full;

/// A thread- and interrupt-safe queue of at most `N` items of `T` that wakes
/// the reactor it is attached to.
pub struct Mailbox<T, W, const N: usize> {
    items: Mutex<RefCell<Deque<T, N>>>,
    waker: Mutex<RefCell<Option<W>>>,
    /// Set by `post`, cleared by `take` when empty: lets the reactor skip
    /// the lock on the common empty path.
    pending: AtomicBool,
}

impl<T, W, const N: usize> core::fmt::Debug for Mailbox<T, W, N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Mailbox")
            .field("pending", &self.pending.load(Ordering::Relaxed))
            .finish()
    }
}

impl<T: Send, W: Wake + Send, const N: usize> Mailbox<T, W, N> {
    /// An empty mailbox with no reactor attached.
    pub const fn new() -> Self {
        Mailbox {
            items: Mutex::new(RefCell::new(Deque::new())),
            waker: Mutex::new(RefCell::new(None)),
            pending: AtomicBool::new(false),
        }
    }

    /// Queues `item` and wakes the attached reactor.
    ///
    /// Safe from any thread and from interrupt handlers.
    ///
    /// # Errors
    /// [`Full`] with the item if `N` items are waiting already.
    pub fn post(&self, item: T) -> Result<(), Full<T>> {
        critical_section::with(|cs| {
            self.items.borrow_ref_mut(cs).push_back(item).map_err(Full)?;
            self.pending.store(true, Ordering::Release);
            if let Some(waker) = self.waker.borrow_ref(cs).as_ref() {
                waker.wake();
            }
            Ok(())
        })
    }

    /// Whether something may be waiting (a cheap, lock-free check).
    pub fn is_pending(&self) -> bool {
        self.pending.load(Ordering::Acquire)
    }

    /// Takes the oldest waiting item.
    pub fn take(&self) -> Option<T> {
        if !self.is_pending() {
            return None;
        }
        critical_section::with(|cs| {
            let mut items = self.items.borrow_ref_mut(cs);
            let item = items.pop_front();
            if items.is_empty() {
                self.pending.store(false, Ordering::Release);
            }
            item
        })
    }

    /// Number of waiting items.
    pub fn len(&self) -> usize {
        critical_section::with(|cs| self.items.borrow_ref(cs).len())
    }

    /// Whether nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Attaches the waker of the reactor that drains this mailbox.
    pub fn attach(&self, waker: W) {
        critical_section::with(|cs| {
            *self.waker.borrow_ref_mut(cs) = Some(waker);
        });
    }
}

impl<T: Send, W: Wake + Send, const N: usize> Default for Mailbox<T, W, N> {
    fn default() -> Self {
        Self::new()
    }
}

/// The reactor's view of a mailbox, with the capacity erased.
pub trait Inbox<T, W>: Sync {
    /// Takes the oldest waiting item.
    fn take(&self) -> Option<T>;
    /// Whether something may be waiting.
    fn is_pending(&self) -> bool;
    /// Attaches the reactor's waker.
    fn attach(&self, waker: W);
}

impl<T: Send, W: Wake + Send, const N: usize> Inbox<T, W> for Mailbox<T, W, N> {
    fn take(&self) -> Option<T> {
        Mailbox::take(self)
    }
    fn is_pending(&self) -> bool {
        Mailbox::is_pending(self)
    }
    fn attach(&self, waker: W) {
        Mailbox::attach(self, waker)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::sync::atomic::AtomicUsize;
    use std::sync::Arc;

    #[derive(Clone, Default)]
    struct CountingWaker(Arc<AtomicUsize>);
    impl Wake for CountingWaker {
        fn wake(&self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn post_wakes_and_take_is_fifo() {
        let mb: Mailbox<u32, CountingWaker, 4> = Mailbox::new();
        mb.post(1).unwrap(); // no waker yet: queued, nobody to wake
        let w = CountingWaker::default();
        mb.attach(w.clone());
        mb.post(2).unwrap();
        assert_eq!(w.0.load(Ordering::SeqCst), 1);
        assert_eq!(mb.take(), Some(1));
        assert_eq!(mb.take(), Some(2));
        assert_eq!(mb.take(), None);
        assert!(!mb.is_pending());
    }

    #[test]
    fn full_mailbox_returns_the_item() {
        let mb: Mailbox<u8, CountingWaker, 2> = Mailbox::new();
        mb.post(1).unwrap();
        mb.post(2).unwrap();
        assert_eq!(mb.post(3).map_err(Full::into_inner), Err(3));
        assert_eq!(mb.len(), 2);
    }

    #[test]
    fn posts_from_many_threads_all_arrive() {
        static MB: Mailbox<u32, CountingWaker, 64> = Mailbox::new();
        let w = CountingWaker::default();
        MB.attach(w.clone());
        let threads: std::vec::Vec<_> = (0..4)
            .map(|t| std::thread::spawn(move || (0..8).for_each(|i| MB.post(t * 100 + i).unwrap())))
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
        let mut got: std::vec::Vec<u32> = core::iter::from_fn(|| MB.take()).collect();
        got.sort_unstable();
        let mut want: std::vec::Vec<u32> = (0..4).flat_map(|t| (0..8).map(move |i| t * 100 + i)).collect();
        want.sort_unstable();
        assert_eq!(got, want);
        assert_eq!(w.0.load(Ordering::SeqCst), 32);
    }
}
