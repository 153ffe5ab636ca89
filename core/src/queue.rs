//! The fixed-capacity callback queue, with Tornado's snapshot rule.
//!
//! The reactor runs, in each iteration, exactly the callbacks that were
//! queued before the iteration began; callbacks added while those run wait
//! for the next iteration, so a callback that re-adds itself cannot starve
//! I/O. [`CallbackQueue::snapshot`] takes that count and
//! [`CallbackQueue::pop_snapshot`] hands them out.
//!
//! The queue is a ring of `N` slots (`heapless::Deque`); pushing onto a full
//! queue returns the item inside [`Full`].

use heapless::Deque;

use crate::error::Full;

/// A FIFO of at most `N` items with a per-iteration snapshot.
#[derive(Debug)]
pub struct CallbackQueue<T, const N: usize> {
    items: Deque<T, N>,
    /// How many of the queued items belong to the running iteration.
    snapshot: usize,
}

impl<T, const N: usize> CallbackQueue<T, N> {
    /// An empty queue.
    pub const fn new() -> Self {
        CallbackQueue {
            items: Deque::new(),
            snapshot: 0,
        }
    }

    /// Appends an item.
    ///
    /// # Errors
    /// [`Full`] with the item if `N` items are queued already.
    pub fn push(&mut self, item: T) -> Result<(), Full<T>> {
        self.items.push_back(item).map_err(Full)
    }

    /// Marks everything queued now as this iteration's work and returns how
    /// many items that is.
    pub fn snapshot(&mut self) -> usize {
        self.snapshot = self.items.len();
        self.snapshot
    }

    /// The next item of the current snapshot, or `None` when the snapshot
    /// is used up (items pushed since the snapshot stay queued).
    pub fn pop_snapshot(&mut self) -> Option<T> {
        if self.snapshot == 0 {
            return None;
        }
        self.snapshot -= 1;
        self.items.pop_front()
    }

    /// Removes and returns the oldest item regardless of the snapshot.
    pub fn pop(&mut self) -> Option<T> {
        let item = self.items.pop_front()?;
        self.snapshot = self.snapshot.saturating_sub(1);
        Some(item)
    }

    /// Number of queued items.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Whether another push would fail.
    pub fn is_full(&self) -> bool {
        self.items.is_full()
    }

    /// The fixed capacity `N`.
    pub const fn capacity(&self) -> usize {
        N
    }

    /// Drops every queued item.
    pub fn clear(&mut self) {
        self.items.clear();
        self.snapshot = 0;
    }
}

impl<T, const N: usize> Default for CallbackQueue<T, N> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests;
