//! The fixed-capacity timer store.
//!
//! [`TimerHeap<T, N>`] holds at most `N` pending timers, each an item of
//! type `T` due at an [`Instant`]. Timers come out by deadline, and timers
//! with equal deadlines in the order they were scheduled: every
//! [`schedule`](TimerHeap::schedule) and
//! [`reschedule`](TimerHeap::reschedule) takes the next value of a
//! sequence counter (`seq`), and timers are ordered by `(deadline, seq)`.
//!
//! # Design
//!
//! Most timers are timeouts armed as `now + constant`, so their deadlines
//! arrive in order, and most of them are cancelled before they fire. The
//! store keeps two orders over one table of `N` slots:
//!
//! - the *lane* (`lane.rs`), a FIFO ring of keys, takes every timer whose
//!   deadline is no earlier than the lane's last one: scheduling appends,
//!   firing pops the front, cancelling only moves a generation on;
//! - the *heap* (`heap.rs`), an indexed 4-ary min-heap of keys, takes the
//!   rest;
//! - the *slot table* (`slots.rs`) holds each timer's item, generation and
//!   place (which structure its key is in, and where), and the free list.
//!
//! The next timer is the lesser of the lane's front and the heap's root,
//! by `(deadline, seq)`, so the order contract holds across both. Keys are
//! 24 bytes `(deadline, seq, slot, generation)`: ordering never touches
//! the items.
//!
//! | operation | lane | heap |
//! | --- | --- | --- |
//! | `schedule` | O(1) append | O(log n) push (O(1) when it stays at the bottom) |
//! | `cancel` | O(1): the key dies in place | O(1) amortised: a tombstone |
//! | `remove` (firing) | O(1) pop of the front | O(log n) |
//! | `reschedule` | O(1) append, or a heap push | O(log n) in place |
//! | `peek` | O(1) | O(1) |
//! | `clear` | O(n) | O(n) |
//!
//! Dead keys cost nothing until they matter: at either end of the lane or
//! at the heap's root they are popped at once, and the heap is compacted in
//! one O(n) pass once its tombstones outnumber its live keys, so a cancel
//! pays O(1) of it. A cancelled timer's slot (and item) stays held until
//! its key leaves; if every slot is held when a timer is scheduled while
//! fewer than `N` are pending, both structures are compacted first, so
//! [`Full`] means exactly "`N` timers are pending". Nothing ever scans for
//! a handle.
//!
//! A new store needs no per-slot set-up, only zeros (and `None` items), so
//! [`TimerHeap::new`] is `const`. It takes about `N × (56 + size_of::<Option<T>>())`
//! bytes.
//!
//! # Handles
//!
//! A [`TimerHandle`] names a slot and the slot's generation, which moves on
//! every time the slot's timer fires, is cancelled or cleared. A handle of a
//! timer that is no longer pending matches nothing: cancelling it returns
//! `false` and never touches the timer that reused its slot. A handle whose
//! slot is out of range is rejected the same way; nothing indexes with a
//! handle before checking it. Generations are `u32` and wrap, so a handle
//! could only be confused after its slot has been reused 2^31 times.
//! (Handles carry no store identity: a handle used on another store is
//! checked against that store's slot like any other.)
//!
//! # Invariants
//!
//! - the heap's and the lane's own (see their modules);
//! - a slot's generation is odd iff its timer is pending; then its place
//!   names a key with the same slot and generation, and its item is `Some`;
//! - a slot is held (item `Some`, not on the free list) iff exactly one key
//!   in the heap or lane holds it; every other used slot is on the free
//!   list or at or past `fresh` (free, in index order, even generation);
//! - `live` counts the pending timers;
//! - `seq` is strictly greater than every key's `seq` (it is a `u64` and
//!   would take centuries to wrap).

mod handle;
mod heap;
mod lane;
mod slots;

use core::fmt;

use crate::error::Full;
use crate::time::Instant;

pub use handle::{Due, TimerHandle};
use heap::{Heap, Key};
use lane::Lane;
use slots::{SlotTable, LANE, NO_SLOT};

/// At most `N` timers carrying items of type `T`, ordered by deadline and
/// then by the order they were scheduled in. See the [module docs](self)
/// for the design.
///
/// `N` must be below 2^31 (slot indices and places are `u32`); a larger
/// `N` does not compile.
///
/// # Examples
///
/// ```
/// use eddy_core::timer::TimerHeap;
/// use eddy_core::Instant;
///
/// let mut timers: TimerHeap<&str, 8> = TimerHeap::new();
/// let ms = Instant::from_millis;
/// let idle = timers.schedule(ms(30), "idle timeout").unwrap();
/// timers.schedule(ms(10), "first").unwrap();
/// timers.schedule(ms(10), "second").unwrap();
///
/// // The request finished in time: cancel its timeout.
/// assert!(timers.cancel(idle));
/// assert!(!timers.cancel(idle), "a cancelled handle is stale");
///
/// // The loop fires what is due at `now`, earliest first.
/// let now = ms(20);
/// let mut fired = Vec::new();
/// while let Some(due) = timers.peek().filter(|d| d.deadline <= now) {
///     fired.push(timers.remove(due.handle).unwrap());
/// }
/// assert_eq!(fired, ["first", "second"]);
/// assert!(timers.is_empty());
/// ```
///
/// A store can live in a `static`:
///
/// ```
/// use eddy_core::timer::TimerHeap;
///
/// static TIMERS: critical_section::Mutex<core::cell::RefCell<TimerHeap<u8, 16>>> =
///     critical_section::Mutex::new(core::cell::RefCell::new(TimerHeap::new()));
/// ```
pub struct TimerHeap<T, const N: usize> {
    slots: SlotTable<T, N>,
    lane: Lane<N>,
    heap: Heap<N>,
    live: usize,
    seq: u64,
}

impl<T, const N: usize> TimerHeap<T, N> {
    /// Slot indices and places are `u32`, lane places tagged with [`LANE`].
    const N_FITS: () = assert!(N < LANE as usize, "TimerHeap capacity must be below 2^31");

    /// An empty store. `const`, so a reactor holding one can be a `static`.
    pub const fn new() -> Self {
        let () = Self::N_FITS;
        TimerHeap {
            slots: SlotTable::new(),
            lane: Lane::new(),
            heap: Heap::new(),
            live: 0,
            seq: 0,
        }
    }

    /// Schedules `item` to be due at `deadline`, after every pending timer
    /// with the same deadline. O(1) when deadlines only grow (as timeouts'
    /// do), else O(log n).
    ///
    /// # Errors
    ///
    /// [`Full`] with `item` inside if `N` timers are pending.
    pub fn schedule(&mut self, deadline: Instant, item: T) -> Result<TimerHandle, Full<T>> {
        if self.lane.len == 0 && self.heap.len == 0 {
            // Nothing is held: claim neighbouring slots again.
            self.slots.restart();
        }
        let (slot, generation) = match self.slots.claim(item) {
            Ok(claimed) => claimed,
            Err(item) if self.live >= N => return Err(Full(item)),
            Err(item) => {
                // Fewer than N pending, so cancelled timers hold slots.
                self.reclaim();
                self.slots.claim(item).map_err(Full)?
            }
        };
        let key = Key {
            deadline: deadline.as_micros(),
            seq: self.take_seq(),
            slot,
            generation,
        };
        self.insert(key);
        self.live += 1;
        Ok(TimerHandle::new(slot, generation))
    }

    /// Cancels a pending timer; `true` if it was pending. A handle whose
    /// timer fired, was cancelled, or whose slot was reused returns `false`
    /// and changes nothing.
    ///
    /// O(1) amortised: the handle is retired at once, while the key stays
    /// behind, dead, and the item is dropped when the key leaves (at an end
    /// of the lane or the heap's root, at a compaction, on `clear`, or with
    /// the store). Use [`TimerHeap::remove`] to get the item back at once.
    pub fn cancel(&mut self, handle: TimerHandle) -> bool {
        let Some(place) = self.slots.place_of(handle.slot(), handle.generation()) else {
            return false;
        };
        let meta = &mut self.slots.meta[handle.slot() as usize];
        meta.generation = meta.generation.wrapping_add(1);
        self.live -= 1;
        if place & LANE != 0 {
            self.lane.bury((place & !LANE) as usize, &mut self.slots);
        } else {
            self.heap.bury(place as usize, &mut self.slots);
        }
        true
    }

    /// Removes a pending timer and hands back its item; `None` (and no
    /// effect) for a handle that is stale or from elsewhere. This is also
    /// how a timer fires: [`peek`](Self::peek), then `remove` its handle.
    /// O(1) for the lane's front, else O(log n).
    pub fn remove(&mut self, handle: TimerHandle) -> Option<T> {
        let slot = handle.slot();
        let is =
            |key: Option<&Key>| key.is_some_and(|k| k.slot == slot && k.generation == handle.generation());
        // Firing: the front or root key proves the handle live, so the
        // work below need not wait for the slot table.
        if is(self.lane.front()) {
            self.live -= 1;
            let item = self.slots.release(slot);
            self.lane.pop_front(&mut self.slots);
            return item;
        }
        let place = if is(self.heap.root()) {
            0
        } else {
            self.slots.place_of(slot, handle.generation())?
        };
        self.live -= 1;
        let item = self.slots.release(slot);
        if place & LANE != 0 {
            // The key stays behind, dead: its slot's place moved on.
            self.lane.bury((place & !LANE) as usize, &mut self.slots);
        } else {
            self.heap.remove_at(place as usize, &mut self.slots);
        }
        item
    }

    /// Moves a pending timer to `deadline`, keeping its handle valid (a
    /// periodic timer re-arms this way). It takes a fresh sequence number,
    /// so it goes after every pending timer with the same deadline.
    /// `false` (and no effect) for a stale handle. O(1) for a lane timer
    /// moved no earlier than the lane's last one, else O(log n).
    pub fn reschedule(&mut self, handle: TimerHandle, deadline: Instant) -> bool {
        let slot = handle.slot();
        let Some(place) = self.slots.place_of(slot, handle.generation()) else {
            return false;
        };
        let key = Key {
            deadline: deadline.as_micros(),
            seq: self.take_seq(),
            slot,
            generation: handle.generation(),
        };
        if place & LANE == 0 {
            self.heap.rekey(place as usize, key, &mut self.slots);
        } else {
            // The old key dies (its slot's place no longer names it) and
            // the timer goes in again under its new key.
            self.slots.meta[slot as usize].place = NO_SLOT;
            self.lane.bury((place & !LANE) as usize, &mut self.slots);
            self.insert(key);
        }
        true
    }

    /// The earliest pending timer by `(deadline, seq)`, without removing it.
    /// O(1); reads only the lane's front and the heap's root.
    pub fn peek(&self) -> Option<Due> {
        let key = match (self.lane.front(), self.heap.root()) {
            (Some(a), Some(b)) => {
                if b.before(a) {
                    b
                } else {
                    a
                }
            }
            (a, b) => a.or(b)?,
        };
        Some(Due {
            handle: TimerHandle::new(key.slot, key.generation),
            deadline: Instant::from_micros(key.deadline),
            seq: key.seq,
        })
    }

    /// The item of a pending timer; `None` for a stale handle.
    pub fn get(&self, handle: TimerHandle) -> Option<&T> {
        self.slots.place_of(handle.slot(), handle.generation())?;
        self.slots.items[handle.slot() as usize].as_ref()
    }

    /// The item of a pending timer, mutably; `None` for a stale handle.
    pub fn get_mut(&mut self, handle: TimerHandle) -> Option<&mut T> {
        self.slots.place_of(handle.slot(), handle.generation())?;
        self.slots.items[handle.slot() as usize].as_mut()
    }

    /// The sequence number the next [`schedule`](Self::schedule) or
    /// [`reschedule`](Self::reschedule) will take.
    pub fn next_seq(&self) -> u64 {
        self.seq
    }

    /// Number of pending timers.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Whether no timer is pending.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Whether `N` timers are pending, so [`schedule`](Self::schedule)
    /// would return [`Full`].
    pub fn is_full(&self) -> bool {
        self.live >= N
    }

    /// The capacity, `N`.
    pub const fn capacity(&self) -> usize {
        N
    }

    /// Drops every pending item; every handle issued so far becomes stale.
    /// The sequence counter keeps counting. O(n).
    pub fn clear(&mut self) {
        // The structures are emptied before any item is dropped, so even a
        // panicking `Drop` leaves a consistent store.
        self.lane.clear();
        self.heap.len = 0;
        self.heap.dead = 0;
        self.live = 0;
        self.slots.clear();
    }

    /// Files `key` (of a claimed slot) in the lane if it keeps the lane's
    /// order, else in the heap.
    #[inline]
    fn insert(&mut self, key: Key) {
        if let Err(key) = self.lane.push(key, &mut self.slots) {
            self.heap.push(key, &mut self.slots);
        }
    }

    /// Releases the slots that cancelled timers still hold, by compacting
    /// whichever structure has dead keys. O(n).
    fn reclaim(&mut self) {
        if self.lane.dead > 0 {
            self.lane.compact(&mut self.slots);
        }
        if self.heap.dead > 0 {
            self.heap.compact(&mut self.slots);
        }
    }

    fn take_seq(&mut self) -> u64 {
        let seq = self.seq;
        self.seq = seq.wrapping_add(1);
        seq
    }
}

impl<T, const N: usize> Default for TimerHeap<T, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T, const N: usize> fmt::Debug for TimerHeap<T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TimerHeap")
            .field("len", &self.live)
            .field("capacity", &N)
            .field("next", &self.peek())
            .field("next_seq", &self.seq)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod lane_tests;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
