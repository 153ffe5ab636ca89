//! The heap order: compact keys in a 4-ary min-heap, and the sift routines
//! that keep every slot's back-pointer in step with its key.
//!
//! Invariants, for `len` keys in `heap[..len]`:
//!
//! - no key sorts [`before`](Key::before) its parent at `(i - 1) / 4`;
//! - `pos[heap[i].slot] == i` for every live key (every move goes
//!   through [`TimerHeap::place`]).

use super::TimerHeap;

/// Children per node. Four halves the depth of a binary heap, and the four
/// sibling keys sit next to each other (96 bytes), so a level costs one or
/// two cache lines instead of one line per level.
const ARITY: usize = 4;

/// One heap node: the ordering key, the slot it belongs to, and the slot's
/// generation (so [`TimerHeap::peek`] never touches the slab). 24 bytes.
///
/// Past `len`, nodes are not in the heap: `heap[len..fresh]` park the slots
/// that are free for reuse (only `slot` and `generation` mean anything
/// there).
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

#[inline(always)]
fn parent(pos: usize) -> usize {
    (pos - 1) / ARITY
}

#[inline(always)]
fn first_child(pos: usize) -> usize {
    pos.saturating_mul(ARITY).saturating_add(1)
}

impl<T, const N: usize> TimerHeap<T, N> {
    /// Writes `key` at `pos` and points its slot back at it.
    #[inline(always)]
    pub(super) fn place(&mut self, pos: usize, key: Key) {
        self.heap[pos] = key;
        self.pos[key.slot as usize] = pos as u32;
    }

    /// Puts `key` into the hole at `pos`, whose previous key was `old`,
    /// moving it up or down as it needs.
    ///
    /// Comparing with `old` rather than with the parent reads the line that
    /// is about to be written anyway: `old` did not sort before its parent,
    /// so a `key` that does not sort before `old` cannot either.
    #[inline]
    pub(super) fn settle(&mut self, pos: usize, old: Key, key: Key) {
        if key.before(&old) {
            self.sift_up(pos, key);
        } else {
            self.sift_down(pos, key);
        }
    }

    /// Moves the hole at `pos` up while `key` sorts before its parent, then
    /// fills it with `key`.
    pub(super) fn sift_up(&mut self, mut pos: usize, key: Key) {
        while pos > 0 {
            let up = parent(pos);
            let p = self.heap[up];
            if !key.before(&p) {
                break;
            }
            self.place(pos, p);
            pos = up;
        }
        self.place(pos, key);
    }

    /// Moves the hole at `pos` down while a child sorts before `key`, then
    /// fills it with `key`.
    pub(super) fn sift_down(&mut self, mut pos: usize, key: Key) {
        while let Some(c) = self.least_child(pos) {
            let child = self.heap[c];
            if !child.before(&key) {
                break;
            }
            self.place(pos, child);
            pos = c;
        }
        self.place(pos, key);
    }

    /// Fills the hole a removal leaves at `pos` with `key`, the heap's last
    /// key, which is likely to belong near the bottom: the hole first follows the
    /// least child all the way down, without comparing against `key`, and
    /// `key` then sifts up from there, usually not at all. std's
    /// `BinaryHeap::pop` does the same.
    ///
    /// This needs no compare with the key that was removed, so a removal
    /// never waits to read the line it overwrites, and which way the hole
    /// goes depends only on `pos`. It is correct for any `key`: every key
    /// moved up was the least of its siblings, so the order holds above the
    /// final hole, and the sift-up may carry `key` above `pos` if it must.
    pub(super) fn sift_down_to_bottom(&mut self, mut pos: usize, key: Key) {
        while let Some(c) = self.least_child(pos) {
            self.place(pos, self.heap[c]);
            pos = c;
        }
        self.sift_up(pos, key);
    }

    /// The least child of `pos`, if it has any.
    #[inline(always)]
    fn least_child(&self, pos: usize) -> Option<usize> {
        let first = first_child(pos);
        if first >= self.len {
            return None;
        }
        let end = first.saturating_add(ARITY).min(self.len);
        let c = self.heap.get(first..end)?;
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
