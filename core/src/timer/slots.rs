//! The slot table: where each timer's item, generation and key live.
//!
//! Every timer owns one of `N` slots for as long as its item is stored. A
//! slot holds
//!
//! - a *generation*, odd while the slot's timer is pending; it moves on to
//!   the next even value when the timer fires, is cancelled or cleared,
//!   and to the next odd value when the slot is claimed again, so a handle
//!   matches exactly one timer;
//! - a *place*: where the timer's key is, either heap position `p` (as
//!   `p`) or lane ring index `i` (as [`LANE`]` | i`); while the slot is
//!   free, the next free slot instead (an intrusive free list ending in
//!   [`NO_SLOT`]);
//! - the item, `Some` from `claim` until `release`.
//!
//! Generation and place sit side by side, so checking a handle and finding
//! its key read one 8-byte word. Slots from `fresh` up are free and off the
//! free list (even generation, no item) and are claimed in index order: a
//! new table is all zeros and `None` with `fresh` at 0, which is why
//! [`SlotTable::new`] is `const`. Whenever no slot is held, the store puts
//! `fresh` back to 0 ([`SlotTable::restart`]), so the next timers take
//! neighbouring slots again instead of the scattered order in which the
//! last ones were freed.
//!
//! A slot is *held* while its item is stored: its timer is pending, or it
//! was cancelled and its key has not left the heap or lane yet (the item is
//! dropped when the key does). Held slots are never on the free list.

use super::heap::Key;

/// The tag of a lane place; heap places are plain positions below it.
pub(super) const LANE: u32 = 1 << 31;

/// The end of the free list. It has the [`LANE`] bit set but names no ring
/// index (`N` is below `LANE`), so no key's place is ever equal to it.
pub(super) const NO_SLOT: u32 = u32::MAX;

/// One slot's generation and place (see the [module docs](self)).
#[derive(Clone, Copy, Debug)]
pub(super) struct Slot {
    pub(super) generation: u32,
    pub(super) place: u32,
}

/// `N` slots, their items, and the free list.
pub(super) struct SlotTable<T, const N: usize> {
    pub(super) meta: [Slot; N],
    pub(super) items: [Option<T>; N],
    /// Slots `fresh..N` are free, off the free list, claimed in order.
    pub(super) fresh: usize,
    /// Head of the free list threaded through `meta[..].place`.
    pub(super) free: u32,
}

impl<T, const N: usize> SlotTable<T, N> {
    /// No slot used yet.
    pub(super) const fn new() -> Self {
        SlotTable {
            meta: [Slot {
                generation: 0,
                place: 0,
            }; N],
            items: [const { None }; N],
            fresh: 0,
            free: NO_SLOT,
        }
    }

    /// Takes a free slot for `item` and returns it with its new (odd)
    /// generation; the caller sets its place. `Err(item)` if every slot is
    /// held.
    #[inline]
    pub(super) fn claim(&mut self, item: T) -> Result<(u32, u32), T> {
        let slot = if self.free != NO_SLOT {
            let slot = self.free;
            self.free = self.meta[slot as usize].place;
            slot
        } else if self.fresh < N {
            self.fresh += 1;
            (self.fresh - 1) as u32
        } else {
            return Err(item);
        };
        let meta = &mut self.meta[slot as usize];
        // Free generations are even: claiming makes it odd (live).
        meta.generation = meta.generation.wrapping_add(1);
        self.items[slot as usize] = Some(item);
        Ok((slot, meta.generation))
    }

    /// Frees a held slot: retires its generation (if the timer was still
    /// pending), hands back its item and puts it on the free list.
    #[inline]
    pub(super) fn release(&mut self, slot: u32) -> Option<T> {
        let meta = &mut self.meta[slot as usize];
        // Pending (odd) moves on to even; cancelled is even already.
        meta.generation = meta.generation.wrapping_add(meta.generation & 1);
        meta.place = self.free;
        self.free = slot;
        self.items[slot as usize].take()
    }

    /// Whether a key names its slot's pending timer. A cancelled timer's
    /// key fails the generation check; a key left behind when its timer
    /// moved fails the place check (`place` is where the key sits).
    #[inline(always)]
    pub(super) fn is_live(&self, key: &Key, place: u32) -> bool {
        let meta = self.meta[key.slot as usize];
        meta.generation == key.generation && meta.place == place
    }

    /// Whether the key at `place` holds its slot (pending or cancelled),
    /// so dropping the key must release the slot.
    #[inline(always)]
    pub(super) fn is_owner(&self, key: &Key, place: u32) -> bool {
        self.meta[key.slot as usize].place == place
    }

    /// The place of the pending timer `(slot, generation)`, or `None` if
    /// that is not a pending timer (stale, never issued, out of range).
    #[inline]
    pub(super) fn place_of(&self, slot: u32, generation: u32) -> Option<u32> {
        // Generations are odd exactly while a slot's timer is pending, so
        // an even one is never live, and a free slot (even) matches no
        // handle.
        if generation & 1 == 0 {
            return None;
        }
        let meta = self.meta.get(slot as usize)?;
        (meta.generation == generation).then_some(meta.place)
    }

    /// Claims in index order from slot 0 again. Only for a table where
    /// no slot is held: every slot is then free, and their generations
    /// (even) keep every old handle stale. O(1).
    pub(super) fn restart(&mut self) {
        self.fresh = 0;
        self.free = NO_SLOT;
    }

    /// Retires every pending timer's generation, then drops every item and
    /// frees every slot. O(`fresh`).
    pub(super) fn clear(&mut self) {
        // Retire every handle before dropping any item, so that even a
        // panicking `Drop` leaves no live handle behind.
        let used = self.fresh;
        for meta in &mut self.meta[..used] {
            meta.generation = meta.generation.wrapping_add(meta.generation & 1);
        }
        self.restart();
        // A panicking `Drop` leaves the rest for `claim` (which overwrites
        // them) or for the table's own drop.
        for item in &mut self.items[..used] {
            *item = None;
        }
    }
}
