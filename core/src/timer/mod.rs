//! The fixed-capacity timer heap.
//!
//! [`TimerHeap<T, N>`] holds at most `N` pending timers, each an item of
//! type `T` due at an [`Instant`]. Timers come out by deadline, and timers
//! with equal deadlines in the order they were scheduled: every
//! [`schedule`](TimerHeap::schedule) and
//! [`reschedule`](TimerHeap::reschedule) takes the next value of a
//! sequence counter (`seq`), and the heap orders by `(deadline, seq)`.
//!
//! # Design
//!
//! The heap is *indexed*, so a timer can be cancelled or moved without a
//! search:
//!
//! - `N` slots, kept as three parallel arrays: generations (odd while the
//!   slot's timer is live), heap positions, and items;
//! - a 4-ary min-heap of compact 24-byte keys `(deadline, seq, slot,
//!   generation)` orders them; comparing and moving keys never touches the
//!   items, so sifting stays within the heap array.
//!
//! Every operation is O(log n) or better (amortised), and none scans:
//!
//! | operation | cost |
//! | --- | --- |
//! | `schedule` | claim a slot, push a key, sift it up (O(1) when deadlines only grow, as timeouts' do) |
//! | `cancel` | O(1) amortised: retire the handle and drop the item (one slot, one cache line); the key stays as a *tombstone* |
//! | `remove` (firing) | walk the hole down to a leaf, drop the last key into it and sift that up; the slot is free at once |
//! | `reschedule` | rewrite the key in place and sift it |
//! | `peek` | read the root, which is never a tombstone |
//! | `clear` | O(n): free every slot |
//!
//! Tombstones cost nothing until they matter: one that reaches the root is
//! popped there, and once tombstones outnumber live timers the heap is
//! compacted in one O(n) pass (live keys to the front, Floyd's heapify),
//! so each cancel pays O(1) of it. Unlike a `BinaryHeap` with lazy
//! deletion, a burst of cancelled timeouts is swept out in one linear pass
//! instead of being popped one O(log n) step at a time, and its slots are
//! reused — most timeouts are cancelled before they fire, so this is the
//! case that matters. The `eddy-benches` crate measures it against that
//! baseline.
//!
//! Free slots need no list of their own: the keys past the end of the heap,
//! `heap[len..fresh]`, park the slots that were used and freed (with their
//! current generation), and slots from `fresh` up have never been used.
//! Claiming a slot reads the key just past the end of the heap, which the
//! push writes anyway, and reads nothing from the slab. A new heap needs no
//! per-slot set-up, only zeros (and `None` items), so [`TimerHeap::new`] is
//! `const`.
//!
//! # Handles
//!
//! A [`TimerHandle`] names a slot and the slot's generation, which moves on
//! every time the slot is freed (fired, cancelled, cleared). A handle of a
//! timer that is no longer pending matches nothing: cancelling it returns
//! `false` and never touches the timer that reused its slot. A handle whose
//! slot is out of range is rejected the same way; nothing indexes with a
//! handle before checking it. Generations are `u32` and wrap, so a handle
//! could only be confused after its slot has been reused 2^31 times.
//! (Handles carry no heap identity: a handle used on another heap is
//! checked against that heap's slot like any other.)
//!
//! # Invariants
//!
//! - `heap[..len]` is a 4-ary min-heap by `(deadline, seq)` (see `heap.rs`);
//! - a slot is live iff its generation is odd and equals its key's; then
//!   its item is `Some` and its key is at `heap[pos]`;
//! - a key whose generation differs from its slot's is a tombstone (a
//!   cancelled timer, its item not yet dropped); the root never is one, and
//!   `dead` counts them;
//! - `heap[len..fresh]` hold exactly the freed slots, each with the slot's
//!   current generation; slots `fresh..N` have never been used (generation
//!   0);
//! - `seq` is strictly greater than every `seq` in the heap (it is a `u64`
//!   and would take centuries to wrap).

mod handle;
mod heap;

use core::fmt;

use crate::error::Full;
use crate::time::Instant;

pub use handle::{Due, TimerHandle};
use heap::Key;

/// At most `N` timers carrying items of type `T`, ordered by deadline and
/// then by the order they were scheduled in. See the [module docs](self)
/// for the design.
///
/// `N` must fit in a `u32` (it is a slot index); a larger `N` does not
/// compile.
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
/// A heap can live in a `static`:
///
/// ```
/// use eddy_core::timer::TimerHeap;
///
/// static TIMERS: critical_section::Mutex<core::cell::RefCell<TimerHeap<u8, 16>>> =
///     critical_section::Mutex::new(core::cell::RefCell::new(TimerHeap::new()));
/// ```
pub struct TimerHeap<T, const N: usize> {
    heap: [Key; N],
    /// Per slot: moves on each time the slot is freed or its timer is
    /// cancelled. A handle is live exactly while it matches. Kept apart
    /// from the items so that a cancel touches 4 bytes in a compact array.
    gens: [u32; N],
    /// Per slot: position of its key in the heap, while the slot is live.
    pos: [u32; N],
    /// Per slot: the timer's item. A cancelled timer's item stays until its
    /// tombstone leaves the heap (root purge, compaction, clear or drop).
    items: [Option<T>; N],
    len: usize,
    /// Tombstones among `heap[..len]`: keys of cancelled timers whose slot
    /// generation has moved on. Never at the root.
    dead: usize,
    fresh: usize,
    seq: u64,
}

impl<T, const N: usize> TimerHeap<T, N> {
    /// Slot indices and positions are stored as `u32`.
    const N_FITS_U32: () = assert!(N <= u32::MAX as usize, "TimerHeap capacity must fit in u32");

    /// An empty heap. `const`, so a reactor holding one can be a `static`.
    pub const fn new() -> Self {
        let () = Self::N_FITS_U32;
        TimerHeap {
            heap: [Key::ZERO; N],
            gens: [0; N],
            pos: [0; N],
            items: [const { None }; N],
            len: 0,
            dead: 0,
            fresh: 0,
            seq: 0,
        }
    }

    /// Schedules `item` to be due at `deadline`, after every pending timer
    /// with the same deadline. O(log n); O(1) when deadlines only grow.
    ///
    /// # Errors
    ///
    /// [`Full`] with `item` inside if `N` timers are pending.
    pub fn schedule(&mut self, deadline: Instant, item: T) -> Result<TimerHandle, Full<T>> {
        if self.len >= N && self.dead > 0 {
            self.compact();
        }
        let pos = self.len;
        if pos >= N {
            return Err(Full(item));
        }
        // The parked key names a free slot and its generation, so claiming
        // the slot reads nothing from the slab.
        let (slot, parked) = if pos < self.fresh {
            (self.heap[pos].slot, self.heap[pos].generation)
        } else {
            self.fresh += 1;
            (pos as u32, 0)
        };
        // Free generations are even, live ones odd (see `position`).
        let generation = parked.wrapping_add(1);
        self.gens[slot as usize] = generation;
        self.items[slot as usize] = Some(item);
        let key = Key {
            deadline: deadline.as_micros(),
            seq: self.take_seq(),
            slot,
            generation,
        };
        self.len = pos + 1;
        self.sift_up(pos, key);
        Ok(TimerHandle::new(slot, generation))
    }

    /// Cancels a pending timer; `true` if it was pending. A handle whose
    /// timer fired, was cancelled, or whose slot was reused returns `false`
    /// and changes nothing.
    ///
    /// O(1) amortised: the handle is retired at once, while the key stays
    /// as a tombstone and the item is dropped when it leaves the heap — at
    /// the root, at the next compaction (once tombstones outnumber live
    /// timers), on `clear`, or with the heap. Use [`TimerHeap::remove`] to
    /// get the item back at once.
    pub fn cancel(&mut self, handle: TimerHandle) -> bool {
        let Some(pos) = self.position(handle) else {
            return false;
        };
        if pos == 0 {
            return self.remove(handle).is_some();
        }
        // O(1): retire the handle (4 bytes in the generation array); the
        // key and the item stay as a tombstone until it leaves the heap.
        let g = &mut self.gens[handle.slot() as usize];
        *g = g.wrapping_add(1);
        self.dead += 1;
        if self.dead * 2 > self.len {
            self.compact();
        }
        true
    }

    /// Removes a pending timer and hands back its item; `None` (and no
    /// effect) for a handle that is stale or from elsewhere. This is also
    /// how a timer fires: [`peek`](Self::peek), then `remove` its handle.
    /// O(log n).
    pub fn remove(&mut self, handle: TimerHandle) -> Option<T> {
        let pos = match self.heap[..self.len].first() {
            // Firing: the root's key proves the handle live, so the heap
            // work below need not wait for the slab read.
            Some(root) if root.slot == handle.slot() && root.generation == handle.generation() => 0,
            _ => self.position(handle)?,
        };
        let slot = handle.slot();
        let generation = self.gens[slot as usize].wrapping_add(1);
        self.gens[slot as usize] = generation;
        let item = self.items[slot as usize].take();
        self.len -= 1;
        let last = self.len;
        let moved = self.heap[last];
        // Park the freed slot (and its new generation) just past the end.
        self.heap[last].slot = slot;
        self.heap[last].generation = generation;
        if pos < last {
            self.sift_down_to_bottom(pos, moved);
        }
        self.purge_root();
        item
    }

    /// Moves a pending timer to `deadline`, keeping its handle valid (a
    /// periodic timer re-arms this way). It takes a fresh sequence number,
    /// so it goes after every pending timer with the same deadline.
    /// `false` (and no effect) for a stale handle. O(log n).
    pub fn reschedule(&mut self, handle: TimerHandle, deadline: Instant) -> bool {
        let Some(pos) = self.position(handle) else {
            return false;
        };
        let old = self.heap[pos];
        let key = Key {
            deadline: deadline.as_micros(),
            seq: self.take_seq(),
            ..old
        };
        self.settle(pos, old, key);
        self.purge_root();
        true
    }

    /// The earliest pending timer by `(deadline, seq)`, without removing it.
    /// O(1); reads only the root key.
    pub fn peek(&self) -> Option<Due> {
        let key = self.heap[..self.len].first()?;
        Some(Due {
            handle: TimerHandle::new(key.slot, key.generation),
            deadline: Instant::from_micros(key.deadline),
            seq: key.seq,
        })
    }

    /// The item of a pending timer; `None` for a stale handle.
    pub fn get(&self, handle: TimerHandle) -> Option<&T> {
        self.position(handle)?;
        self.items[handle.slot() as usize].as_ref()
    }

    /// The item of a pending timer, mutably; `None` for a stale handle.
    pub fn get_mut(&mut self, handle: TimerHandle) -> Option<&mut T> {
        self.position(handle)?;
        self.items[handle.slot() as usize].as_mut()
    }

    /// The sequence number the next [`schedule`](Self::schedule) or
    /// [`reschedule`](Self::reschedule) will take.
    pub fn next_seq(&self) -> u64 {
        self.seq
    }

    /// Number of pending timers.
    pub fn len(&self) -> usize {
        self.len - self.dead
    }

    /// Whether no timer is pending.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether `N` timers are pending, so [`schedule`](Self::schedule)
    /// would return [`Full`].
    pub fn is_full(&self) -> bool {
        self.len() >= N
    }

    /// The capacity, `N`.
    pub const fn capacity(&self) -> usize {
        N
    }

    /// Drops every pending item; every handle issued so far becomes stale.
    /// The sequence counter keeps counting. O(n).
    pub fn clear(&mut self) {
        let len = core::mem::replace(&mut self.len, 0);
        self.dead = 0;
        // Retire every handle before dropping any item, so that even a
        // panicking `Drop` leaves no handle naming a slot that is not in
        // the heap (its remaining items are dropped on reuse or with the
        // heap).
        for key in &mut self.heap[..len] {
            let g = &mut self.gens[key.slot as usize];
            // Live (odd) slots move on to even; tombstones already did.
            *g = g.wrapping_add(*g & 1);
            // The key now parks a free slot: keep its generation in step.
            key.generation = *g;
        }
        for key in &self.heap[..len] {
            self.items[key.slot as usize] = None;
        }
    }

    /// Whether `key` belongs to a cancelled timer.
    #[inline]
    fn is_tombstone(&self, key: &Key) -> bool {
        self.gens[key.slot as usize] != key.generation
    }

    /// Pops tombstones off the root, so `peek` and the firing path only
    /// ever see a live timer there.
    fn purge_root(&mut self) {
        while let Some(&root) = self.heap[..self.len].first() {
            if !self.is_tombstone(&root) {
                break;
            }
            let generation = self.gens[root.slot as usize];
            self.items[root.slot as usize] = None;
            self.dead -= 1;
            self.len -= 1;
            let last = self.len;
            let moved = self.heap[last];
            self.heap[last].slot = root.slot;
            self.heap[last].generation = generation;
            if last > 0 {
                self.sift_down_to_bottom(0, moved);
            }
        }
    }

    /// Drops every tombstone in one O(n) pass: live keys move to the
    /// front, the freed slots are parked behind them, and the live keys are
    /// heapified (Floyd). Run when tombstones outnumber live timers, so a
    /// cancel costs O(1) amortised.
    fn compact(&mut self) {
        let mut live = 0;
        for i in 0..self.len {
            let key = self.heap[i];
            if self.is_tombstone(&key) {
                continue;
            }
            self.heap.swap(i, live);
            live += 1;
        }
        for i in live..self.len {
            // A parked key carries its slot's current generation.
            let slot = self.heap[i].slot;
            self.heap[i].generation = self.gens[slot as usize];
            self.items[slot as usize] = None;
        }
        self.len = live;
        self.dead = 0;
        for i in 0..live {
            let slot = self.heap[i].slot;
            self.pos[slot as usize] = i as u32;
        }
        for i in (0..live / 4 + 1).rev() {
            if i < live {
                self.sift_down(i, self.heap[i]);
            }
        }
    }

    fn take_seq(&mut self) -> u64 {
        let seq = self.seq;
        self.seq = seq.wrapping_add(1);
        seq
    }

    /// The heap position of a pending timer's key, or `None` if the handle
    /// is stale or its slot out of range.
    #[inline]
    fn position(&self, handle: TimerHandle) -> Option<usize> {
        // A slot at or past `fresh` was never used (generation 0 proves
        // nothing there); a used slot's generation matches only its live
        // timer's handle: freeing and cancelling both move it on.
        // Generations are odd exactly while a slot's timer is live, so a
        // handle with an even generation is never live, whatever it names.
        let slot = handle.slot() as usize;
        if handle.generation() & 1 == 0 || slot >= self.fresh || *self.gens.get(slot)? != handle.generation()
        {
            return None;
        }
        self.pos.get(slot).map(|&p| p as usize)
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
            .field("len", &self.len)
            .field("capacity", &N)
            .field("next", &self.peek())
            .field("next_seq", &self.seq)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
