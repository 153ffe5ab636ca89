//! The monotone lane: a FIFO ring of keys in `(deadline, seq)` order, for
//! timers armed as `now + constant`, which arrive in order.
//!
//! A key joins the lane only if its deadline is no earlier than the lane's
//! last key; it then goes at the back (O(1)), and since every new key takes
//! a larger `seq`, the whole ring stays sorted. The earliest key is at the
//! front, so firing is a pop (O(1)), and a cancel only moves the slot's
//! generation on (O(1)): the key stays in the ring as a dead entry and is
//! skipped when it reaches the front or back.
//!
//! A key at ring index `i` is *live* while its slot's generation matches
//! and its slot's place is `LANE | i`. It can die three ways: cancelled
//! (generation moved on; the key still holds the slot, whose item goes when
//! the key leaves the ring), removed from the middle (the slot was released
//! at once and may be reused elsewhere: its place no longer says `i`), or
//! rescheduled (the timer got a new key, in the lane or the heap).
//!
//! Invariants, for `len` keys from ring index `head`:
//!
//! - the keys are in strictly increasing `(deadline, seq)` order, dead
//!   ones included;
//! - the front and back keys are live (dead ends are popped at once);
//! - `dead` counts the dead keys;
//! - no two keys hold the same slot, and only this key's ring index can
//!   make its place match, so a dead key never passes for a live one.

use super::heap::Key;
use super::slots::{SlotTable, LANE};

/// The ring (see the [module docs](self)).
pub(super) struct Lane<const N: usize> {
    pub(super) keys: [Key; N],
    pub(super) head: usize,
    pub(super) len: usize,
    pub(super) dead: usize,
}

impl<const N: usize> Lane<N> {
    /// No keys.
    pub(super) const fn new() -> Self {
        Lane {
            keys: [Key::ZERO; N],
            head: 0,
            len: 0,
            dead: 0,
        }
    }

    /// The ring index `k` places after the front; `k < N`.
    #[inline(always)]
    pub(super) fn index(&self, k: usize) -> usize {
        let i = self.head + k;
        if i >= N {
            i - N
        } else {
            i
        }
    }

    /// The earliest key, which is always live.
    #[inline(always)]
    pub(super) fn front(&self) -> Option<&Key> {
        if self.len == 0 {
            None
        } else {
            self.keys.get(self.head)
        }
    }

    /// The ring index of the last key, if any.
    #[inline(always)]
    fn back(&self) -> Option<usize> {
        self.len.checked_sub(1).map(|k| self.index(k))
    }

    /// Appends `key` if it keeps the lane in order, making room by
    /// compacting a full ring that is at least half dead. `Err(key)` if it
    /// does not belong here; the heap then takes it.
    #[inline]
    pub(super) fn push<T>(&mut self, key: Key, slots: &mut SlotTable<T, N>) -> Result<(), Key> {
        if let Some(b) = self.back() {
            if key.deadline < self.keys[b].deadline {
                return Err(key);
            }
        }
        if self.len >= N {
            if self.dead * 2 < self.len {
                return Err(key);
            }
            self.compact(slots);
        }
        let i = self.index(self.len);
        self.len += 1;
        self.keys[i] = key;
        slots.meta[key.slot as usize].place = LANE | i as u32;
        Ok(())
    }

    /// Notes that the key at ring index `i` has just died, and pops dead
    /// keys off whichever end it was at.
    #[inline]
    pub(super) fn bury<T>(&mut self, i: usize, slots: &mut SlotTable<T, N>) {
        self.dead += 1;
        if i == self.head {
            self.purge_front(slots);
        } else if Some(i) == self.back() {
            self.purge_back(slots);
        }
    }

    /// Pops the live front key, whose slot the caller has just released,
    /// then any dead keys behind it.
    #[inline]
    pub(super) fn pop_front<T>(&mut self, slots: &mut SlotTable<T, N>) {
        self.advance();
        self.purge_front(slots);
    }

    #[inline(always)]
    fn advance(&mut self) {
        self.head = self.index(1);
        self.len -= 1;
    }

    /// Drops the key at ring index `i`, releasing its slot if it holds it.
    #[inline(always)]
    fn drop_dead<T>(&mut self, i: usize, slots: &mut SlotTable<T, N>) {
        let key = self.keys[i];
        if slots.is_owner(&key, LANE | i as u32) {
            slots.release(key.slot);
        }
        self.dead -= 1;
    }

    fn purge_front<T>(&mut self, slots: &mut SlotTable<T, N>) {
        while self.len > 0 {
            let i = self.head;
            if slots.is_live(&self.keys[i], LANE | i as u32) {
                return;
            }
            self.drop_dead(i, slots);
            self.advance();
        }
    }

    fn purge_back<T>(&mut self, slots: &mut SlotTable<T, N>) {
        while let Some(i) = self.back() {
            if slots.is_live(&self.keys[i], LANE | i as u32) {
                return;
            }
            self.drop_dead(i, slots);
            self.len -= 1;
        }
    }

    /// Drops every dead key in one O(n) pass, releasing the slots they
    /// hold; the live keys close up in order from the front.
    pub(super) fn compact<T>(&mut self, slots: &mut SlotTable<T, N>) {
        let mut live = 0;
        for k in 0..self.len {
            let i = self.index(k);
            let key = self.keys[i];
            if !slots.is_live(&key, LANE | i as u32) {
                self.drop_dead(i, slots);
                continue;
            }
            let to = self.index(live);
            self.keys[to] = key;
            slots.meta[key.slot as usize].place = LANE | to as u32;
            live += 1;
        }
        self.len = live;
    }

    /// Forgets every key (the slot table is cleared separately).
    pub(super) fn clear(&mut self) {
        self.head = 0;
        self.len = 0;
        self.dead = 0;
    }
}
