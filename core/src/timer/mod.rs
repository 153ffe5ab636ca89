//! The fixed-capacity timer heap.
//!
//! Timers are ordered by deadline, ties broken by a sequence number taken at
//! scheduling time, so equal deadlines fire in the order they were
//! scheduled. The heap is *indexed*: entries live in a slab of `N` slots and
//! a 4-ary min-heap holds compact keys `(deadline, seq, slot)`, while each
//! slot remembers where its key sits in the heap. That makes every
//! operation O(log n) with no scan:
//!
//! - `schedule`: take a free slot, push a key, sift it up;
//! - `cancel`/`remove`: move the last key into the hole and sift it; the
//!   slot is freed at once (no tombstones piling up, unlike a lazy-deletion
//!   `BinaryHeap`, which pays for every cancelled timeout again when it
//!   reaches the top);
//! - `reschedule`: change the key in place and sift (periodic timers keep
//!   their handle).
//!
//! Handles carry the slot's generation, which moves on every time the slot
//! is freed: a handle of a fired, cancelled or reused timer matches nothing
//! and its cancel is a harmless `false`.
//!
//! A 4-ary heap halves the depth of a binary one and keeps a node's children
//! in one or two cache lines, which is what matters at 10^6 timers.

mod handle;

use crate::error::Full;
use crate::time::Instant;

pub use handle::{Due, TimerHandle};

const NONE: u32 = u32::MAX;
const ARITY: usize = 4;

/// One heap node: the ordering key and the slot it belongs to.
#[derive(Clone, Copy, Debug)]
struct Key {
    deadline: u64,
    seq: u64,
    slot: u32,
}

impl Key {
    const EMPTY: Key = Key {
        deadline: 0,
        seq: 0,
        slot: NONE,
    };

    fn before(&self, other: &Key) -> bool {
        (self.deadline, self.seq) < (other.deadline, other.seq)
    }
}

#[derive(Debug)]
struct Slot<T> {
    generation: u32,
    /// Position of this slot's key in the heap, while scheduled.
    pos: u32,
    next_free: u32,
    item: Option<T>,
}

/// At most `N` timers carrying items of type `T`, ordered by
/// `(deadline, scheduling order)`.
///
/// # Examples
///
/// ```
/// use eddy_core::timer::TimerHeap;
/// use eddy_core::Instant;
///
/// let mut timers: TimerHeap<&str, 8> = TimerHeap::new();
/// let t = |ms| Instant::from_millis(ms);
/// let late = timers.schedule(t(20), "late").unwrap();
/// timers.schedule(t(10), "first").unwrap();
/// timers.schedule(t(10), "second").unwrap();
/// assert!(timers.cancel(late));
/// assert!(!timers.cancel(late), "a cancelled handle is stale");
///
/// let mut fired = Vec::new();
/// while let Some(due) = timers.peek() {
///     fired.push(timers.remove(due.handle).unwrap());
/// }
/// assert_eq!(fired, ["first", "second"]);
/// ```
#[derive(Debug)]
pub struct TimerHeap<T, const N: usize> {
    heap: [Key; N],
    len: u32,
    slots: [Slot<T>; N],
    free: u32,
    fresh: u32,
    seq: u64,
}

impl<T, const N: usize> TimerHeap<T, N> {
    /// An empty heap; `const`, so it can sit in a `static`.
    pub const fn new() -> Self {
        TimerHeap {
            heap: [Key::EMPTY; N],
            len: 0,
            slots: [const {
                Slot {
                    generation: 0,
                    pos: NONE,
                    next_free: NONE,
                    item: None,
                }
            }; N],
            free: NONE,
            fresh: 0,
            seq: 0,
        }
    }

    /// Schedules `item` at `deadline`.
    ///
    /// # Errors
    /// [`Full`] with the item if `N` timers are pending.
    pub fn schedule(&mut self, deadline: Instant, item: T) -> Result<TimerHandle, Full<T>> {
        let slot = if self.free != NONE {
            let s = self.free;
            self.free = self.slots[s as usize].next_free;
            s
        } else if (self.fresh as usize) < N && self.fresh != NONE {
            self.fresh += 1;
            self.fresh - 1
        } else {
            return Err(Full(item));
        };
        let pos = self.len as usize;
        self.heap[pos] = Key {
            deadline: deadline.as_micros(),
            seq: self.take_seq(),
            slot,
        };
        self.len += 1;
        let s = &mut self.slots[slot as usize];
        s.item = Some(item);
        s.next_free = NONE;
        let generation = s.generation;
        self.sift_up(pos);
        Ok(TimerHandle::new(slot, generation))
    }

    /// Cancels a pending timer; `false` (and no effect) for a handle that
    /// fired, was cancelled, or names a reused slot.
    pub fn cancel(&mut self, handle: TimerHandle) -> bool {
        self.remove(handle).is_some()
    }

    /// Removes a pending timer and returns its item.
    pub fn remove(&mut self, handle: TimerHandle) -> Option<T> {
        let pos = self.position(handle)?;
        self.remove_at(pos);
        let slot = &mut self.slots[handle.slot() as usize];
        slot.generation = slot.generation.wrapping_add(1);
        slot.pos = NONE;
        slot.next_free = self.free;
        self.free = handle.slot();
        slot.item.take()
    }

    /// Moves a pending timer to `deadline`, keeping its handle; it takes a
    /// fresh scheduling order, so it goes after timers already due at the
    /// same instant. `false` for a stale handle.
    pub fn reschedule(&mut self, handle: TimerHandle, deadline: Instant) -> bool {
        let Some(pos) = self.position(handle) else {
            return false;
        };
        let old = self.heap[pos];
        let new = Key {
            deadline: deadline.as_micros(),
            seq: self.take_seq(),
            slot: old.slot,
        };
        self.heap[pos] = new;
        if new.before(&old) {
            self.sift_up(pos);
        } else {
            self.sift_down(pos);
        }
        true
    }

    /// The earliest pending timer.
    pub fn peek(&self) -> Option<Due> {
        if self.len == 0 {
            return None;
        }
        let key = self.heap[0];
        let generation = self.slots[key.slot as usize].generation;
        Some(Due {
            handle: TimerHandle::new(key.slot, generation),
            deadline: Instant::from_micros(key.deadline),
            seq: key.seq,
        })
    }

    /// The item of a pending timer.
    pub fn get(&self, handle: TimerHandle) -> Option<&T> {
        self.position(handle)?;
        self.slots[handle.slot() as usize].item.as_ref()
    }

    /// The item of a pending timer, mutably.
    pub fn get_mut(&mut self, handle: TimerHandle) -> Option<&mut T> {
        self.position(handle)?;
        self.slots[handle.slot() as usize].item.as_mut()
    }

    /// The sequence number the next `schedule` or `reschedule` will take.
    pub fn next_seq(&self) -> u64 {
        self.seq
    }

    /// Number of pending timers.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether no timer is pending.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether another `schedule` would fail.
    pub fn is_full(&self) -> bool {
        self.len as usize >= N
    }

    /// The fixed capacity `N`.
    pub const fn capacity(&self) -> usize {
        N
    }

    /// Drops every pending timer; all their handles become stale.
    pub fn clear(&mut self) {
        while let Some(due) = self.peek() {
            self.remove(due.handle);
        }
    }

    fn take_seq(&mut self) -> u64 {
        let s = self.seq;
        self.seq = self.seq.wrapping_add(1);
        s
    }

    /// The heap position of a live handle, or `None` if it is stale.
    fn position(&self, handle: TimerHandle) -> Option<usize> {
        let slot = self.slots.get(handle.slot() as usize)?;
        if slot.generation != handle.generation() || slot.item.is_none() {
            return None;
        }
        Some(slot.pos as usize)
    }

    fn remove_at(&mut self, pos: usize) {
        self.len -= 1;
        let last = self.len as usize;
        if pos == last {
            return;
        }
        let moved = self.heap[last];
        self.heap[pos] = moved;
        self.slots[moved.slot as usize].pos = pos as u32;
        if pos > 0 && moved.before(&self.heap[(pos - 1) / ARITY]) {
            self.sift_up(pos);
        } else {
            self.sift_down(pos);
        }
    }

    fn sift_up(&mut self, mut pos: usize) {
        let key = self.heap[pos];
        while pos > 0 {
            let parent = (pos - 1) / ARITY;
            if !key.before(&self.heap[parent]) {
                break;
            }
            self.place(pos, self.heap[parent]);
            pos = parent;
        }
        self.place(pos, key);
    }

    fn sift_down(&mut self, mut pos: usize) {
        let key = self.heap[pos];
        let len = self.len as usize;
        loop {
            let first = pos * ARITY + 1;
            if first >= len {
                break;
            }
            let end = (first + ARITY).min(len);
            let mut best = first;
            for c in first + 1..end {
                if self.heap[c].before(&self.heap[best]) {
                    best = c;
                }
            }
            if !self.heap[best].before(&key) {
                break;
            }
            self.place(pos, self.heap[best]);
            pos = best;
        }
        self.place(pos, key);
    }

    fn place(&mut self, pos: usize, key: Key) {
        self.heap[pos] = key;
        self.slots[key.slot as usize].pos = pos as u32;
    }
}

impl<T, const N: usize> Default for TimerHeap<T, N> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
