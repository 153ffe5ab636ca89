//! The heap: compact keys in a 4-ary min-heap, for the timers whose
//! deadlines do not arrive in order, and the sift routines that keep every
//! slot's place in step with its key.
//!
//! Invariants, for `len` keys in `keys[..len]`:
//!
//! - no key sorts [`before`](Key::before) its parent at `(i - 1) / 4`;
//! - every key holds its slot: `place == i` for the key at `i` (every move
//!   goes through [`Heap::place`]), so a key here is either pending or a
//!   *tombstone* (cancelled: its slot's generation moved on);
//! - `dead` counts the tombstones, and the root is never one.

use super::slots::SlotTable;

/// Children per node. Four halves the depth of a binary heap, and the four
/// sibling keys sit next to each other (96 bytes), so a level costs one or
/// two cache lines instead of one line per level.
const ARITY: usize = 4;

/// One timer's ordering key, its slot, and the slot's generation when the
/// key was written (so [`Heap::root`] and the lane's front never touch the
/// slot table). 24 bytes.
#[derive(Clone, Copy, Debug)]
pub(super) struct Key {
    pub(super) deadline: u64,
    pub(super) seq: u64,
    pub(super) slot: u32,
    pub(super) generation: u32,
}

impl Key {
    /// All zeros, so a fresh heap is zero-initialised.
    pub(super) const ZERO: Key = Key {
        deadline: 0,
        seq: 0,
        slot: 0,
        generation: 0,
    };

    /// Orders by `(deadline, seq)`; `seq` is unique, so this is total.
    #[inline(always)]
    pub(super) fn before(&self, other: &Key) -> bool {
        // One 128-bit comparison (sub/sbb on 64-bit targets), no branch.
        let a = (u128::from(self.deadline) << 64) | u128::from(self.seq);
        let b = (u128::from(other.deadline) << 64) | u128::from(other.seq);
        a < b
    }
}

/// The 4-ary min-heap of [`Key`]s (see the [module docs](self)).
pub(super) struct Heap<const N: usize> {
    pub(super) keys: [Key; N],
    pub(super) len: usize,
    pub(super) dead: usize,
}

#[inline(always)]
fn parent(pos: usize) -> usize {
    (pos - 1) / ARITY
}

#[inline(always)]
fn first_child(pos: usize) -> usize {
    pos.saturating_mul(ARITY).saturating_add(1)
}

impl<const N: usize> Heap<N> {
    /// No keys.
    pub(super) const fn new() -> Self {
        Heap {
            keys: [Key::ZERO; N],
            len: 0,
            dead: 0,
        }
    }

    /// The least key, which is never a tombstone.
    #[inline(always)]
    pub(super) fn root(&self) -> Option<&Key> {
        self.keys[..self.len].first()
    }

    /// Adds the key of a claimed slot. The caller makes sure there is
    /// room: every key holds a distinct slot, so `len < N` while a slot is
    /// claimed but not yet placed.
    pub(super) fn push<T>(&mut self, key: Key, slots: &mut SlotTable<T, N>) {
        let pos = self.len;
        self.len += 1;
        self.sift_up(pos, key, slots);
    }

    /// Takes the key at `pos` out (its slot is the caller's to release),
    /// then pops any tombstones that reached the root. O(log n).
    pub(super) fn remove_at<T>(&mut self, pos: usize, slots: &mut SlotTable<T, N>) {
        self.len -= 1;
        let last = self.len;
        if pos < last {
            self.sift_down_to_bottom(pos, self.keys[last], slots);
        }
        self.purge_root(slots);
    }

    /// Marks the key at `pos` as a tombstone (its generation has moved
    /// on); O(1) amortised: popped at once at the root, else swept by a
    /// compaction once tombstones outnumber pending timers.
    pub(super) fn bury<T>(&mut self, pos: usize, slots: &mut SlotTable<T, N>) {
        self.dead += 1;
        if pos == 0 {
            self.purge_root(slots);
        } else if self.dead * 2 > self.len {
            self.compact(slots);
        }
    }

    /// Replaces the key at `pos` with `key` (same slot), moving it up or
    /// down as it needs, then pops any tombstone that reached the root.
    pub(super) fn rekey<T>(&mut self, pos: usize, key: Key, slots: &mut SlotTable<T, N>) {
        // Comparing with the old key rather than the parent reads the line
        // about to be written anyway: the old key did not sort before its
        // parent, so a key that does not sort before it cannot either.
        if key.before(&self.keys[pos]) {
            self.sift_up(pos, key, slots);
        } else {
            self.sift_down(pos, key, slots);
        }
        self.purge_root(slots);
    }

    /// Pops tombstones off the root, releasing their slots, so the root is
    /// always a pending timer.
    pub(super) fn purge_root<T>(&mut self, slots: &mut SlotTable<T, N>) {
        while let Some(&root) = self.root() {
            if root.generation == slots.meta[root.slot as usize].generation {
                break;
            }
            slots.release(root.slot);
            self.dead -= 1;
            self.len -= 1;
            let last = self.len;
            if last > 0 {
                self.sift_down_to_bottom(0, self.keys[last], slots);
            }
        }
    }

    /// Drops every tombstone in one O(n) pass, releasing their slots: the
    /// pending keys move to the front and are heapified (Floyd).
    pub(super) fn compact<T>(&mut self, slots: &mut SlotTable<T, N>) {
        let mut live = 0;
        for i in 0..self.len {
            let key = self.keys[i];
            if key.generation != slots.meta[key.slot as usize].generation {
                slots.release(key.slot);
                continue;
            }
            self.keys[live] = key;
            live += 1;
        }
        self.len = live;
        self.dead = 0;
        for i in 0..live {
            slots.meta[self.keys[i].slot as usize].place = i as u32;
        }
        for i in (0..live / ARITY + 1).rev() {
            if i < live {
                self.sift_down(i, self.keys[i], slots);
            }
        }
    }

    /// Writes `key` at `pos` and points its slot at it.
    #[inline(always)]
    fn place<T>(&mut self, pos: usize, key: Key, slots: &mut SlotTable<T, N>) {
        self.keys[pos] = key;
        slots.meta[key.slot as usize].place = pos as u32;
    }

    /// Moves the hole at `pos` up while `key` sorts before its parent, then
    /// fills it with `key`.
    fn sift_up<T>(&mut self, mut pos: usize, key: Key, slots: &mut SlotTable<T, N>) {
        while pos > 0 {
            let up = parent(pos);
            let p = self.keys[up];
            if !key.before(&p) {
                break;
            }
            self.place(pos, p, slots);
            pos = up;
        }
        self.place(pos, key, slots);
    }

    /// Moves the hole at `pos` down while a child sorts before `key`, then
    /// fills it with `key`.
    fn sift_down<T>(&mut self, mut pos: usize, key: Key, slots: &mut SlotTable<T, N>) {
        while let Some(c) = self.least_child(pos) {
            let child = self.keys[c];
            if !child.before(&key) {
                break;
            }
            self.place(pos, child, slots);
            pos = c;
        }
        self.place(pos, key, slots);
    }

    /// Fills the hole a removal leaves at `pos` with `key`, the heap's last
    /// key, which is likely to belong near the bottom: the hole first
    /// follows the least child all the way down, without comparing against
    /// `key`, and `key` then sifts up from there, usually not at all. std's
    /// `BinaryHeap::pop` does the same.
    ///
    /// It is correct for any `key`: every key moved up was the least of its
    /// siblings, so the order holds above the final hole, and the sift-up
    /// may carry `key` above `pos` if it must.
    fn sift_down_to_bottom<T>(&mut self, mut pos: usize, key: Key, slots: &mut SlotTable<T, N>) {
        while let Some(c) = self.least_child(pos) {
            self.place(pos, self.keys[c], slots);
            pos = c;
        }
        self.sift_up(pos, key, slots);
    }

    /// The least child of `pos`, if it has any.
    #[inline(always)]
    fn least_child(&self, pos: usize) -> Option<usize> {
        let first = first_child(pos);
        if first >= self.len {
            return None;
        }
        let end = first.saturating_add(ARITY).min(self.len);
        let c = self.keys.get(first..end)?;
        if let [c0, c1, c2, c3] = c {
            // All four present: a two-round tournament, whose first round's
            // compares are independent of each other.
            let (a, ka) = if c1.before(c0) { (1, c1) } else { (0, c0) };
            let (b, kb) = if c3.before(c2) { (3, c3) } else { (2, c2) };
            return Some(first + if kb.before(ka) { b } else { a });
        }
        let mut best = 0;
        for (i, k) in c.iter().enumerate().skip(1) {
            if k.before(&c[best]) {
                best = i;
            }
        }
        Some(first + best)
    }
}
