//! The handler table: registrations keyed by generation-tagged tokens.
//!
//! Each of the `N` slots holds a generation counter and, while occupied, one
//! entry. Inserting hands out a [`Token`] naming the slot and its current
//! generation; removing bumps the generation, so every token issued for the
//! old occupant — including one inside an event the OS already queued — no
//! longer matches and [`HandlerTable::get`] returns `None` for it. That is
//! the whole stale-event rule: the check happens at dispatch, in O(1).
//!
//! Free slots form an intrusive stack (most recently freed first) so insert
//! and remove are O(1) and need no extra storage.

use crate::error::Full;
use crate::token::Token;

const NONE: u32 = u32::MAX;

#[derive(Debug)]
struct Slot<H> {
    generation: u32,
    entry: Option<H>,
    next_free: u32,
}

/// At most `N` entries addressed by generation-checked [`Token`]s.
#[derive(Debug)]
pub struct HandlerTable<H, const N: usize> {
    slots: [Slot<H>; N],
    /// Head of the free stack; slots never used yet are taken from `fresh`.
    free: u32,
    fresh: u32,
    len: u32,
}

impl<H, const N: usize> HandlerTable<H, N> {
    /// An empty table.
    pub const fn new() -> Self {
        HandlerTable {
            slots: [const {
                Slot {
                    generation: 0,
                    entry: None,
                    next_free: NONE,
                }
            }; N],
            free: NONE,
            fresh: 0,
            len: 0,
        }
    }

    /// Stores `entry` and returns its token.
    ///
    /// # Errors
    /// [`Full`] with the entry if all `N` slots are taken.
    pub fn insert(&mut self, entry: H) -> Result<Token, Full<H>> {
        let index = if self.free != NONE {
            let i = self.free;
            self.free = self.slots[i as usize].next_free;
            i
        } else if (self.fresh as usize) < N && self.fresh != NONE {
            let i = self.fresh;
            self.fresh += 1;
            i
        } else {
            return Err(Full(entry));
        };
        let slot = &mut self.slots[index as usize];
        slot.entry = Some(entry);
        slot.next_free = NONE;
        self.len += 1;
        Ok(Token::new(index, slot.generation))
    }

    fn slot(&self, token: Token) -> Option<&Slot<H>> {
        let slot = self.slots.get(token.index() as usize)?;
        (slot.generation == token.generation() && slot.entry.is_some()).then_some(slot)
    }

    /// The entry for `token`, or `None` if the token is stale or unknown.
    pub fn get(&self, token: Token) -> Option<&H> {
        self.slot(token)?.entry.as_ref()
    }

    /// The entry for `token`, mutably.
    pub fn get_mut(&mut self, token: Token) -> Option<&mut H> {
        self.slot(token)?;
        self.slots[token.index() as usize].entry.as_mut()
    }

    /// Whether `token` names a live entry.
    pub fn contains(&self, token: Token) -> bool {
        self.slot(token).is_some()
    }

    /// Removes and returns the entry for `token`; its generation moves on so
    /// the token (and any copy of it) is stale from now on.
    pub fn remove(&mut self, token: Token) -> Option<H> {
        self.slot(token)?;
        let index = token.index();
        let slot = &mut self.slots[index as usize];
        let entry = slot.entry.take();
        slot.generation = slot.generation.wrapping_add(1);
        slot.next_free = self.free;
        self.free = index;
        self.len -= 1;
        entry
    }

    /// Number of live entries.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether there are no live entries.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether another insert would fail.
    pub fn is_full(&self) -> bool {
        self.len as usize >= N
    }

    /// The fixed capacity `N`.
    pub const fn capacity(&self) -> usize {
        N
    }
}

impl<H, const N: usize> Default for HandlerTable<H, N> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removed_token_is_stale_even_after_slot_reuse() {
        let mut t: HandlerTable<&str, 2> = HandlerTable::new();
        let a = t.insert("a").unwrap();
        assert_eq!(t.remove(a), Some("a"));
        let b = t.insert("b").unwrap();
        assert_eq!(b.index(), a.index(), "slot is reused");
        assert_ne!(b, a);
        assert_eq!(t.get(a), None, "old token must not reach the new entry");
        assert_eq!(t.remove(a), None);
        assert_eq!(t.get(b), Some(&"b"));
    }

    #[test]
    fn full_table_returns_entry_and_recovers() {
        let mut t: HandlerTable<u8, 2> = HandlerTable::new();
        let x = t.insert(1).unwrap();
        t.insert(2).unwrap();
        assert!(t.is_full());
        assert_eq!(t.insert(3).map_err(Full::into_inner), Err(3));
        t.remove(x);
        assert!(t.insert(3).is_ok());
        assert_eq!(t.len(), 2);
    }

    #[test]
    fn garbage_tokens_are_rejected() {
        let mut t: HandlerTable<u8, 2> = HandlerTable::new();
        t.insert(1).unwrap();
        assert_eq!(t.get(Token::new(7, 0)), None);
        assert_eq!(t.get(Token::new(u32::MAX, u32::MAX)), None);
        assert_eq!(t.remove(Token::new(1, 0)), None, "never-used slot");
        let mut zero: HandlerTable<u8, 0> = HandlerTable::new();
        assert!(zero.insert(1).is_err());
    }

    #[test]
    fn entries_drop_once() {
        use std::rc::Rc;
        let rc = Rc::new(());
        {
            let mut t: HandlerTable<Rc<()>, 3> = HandlerTable::new();
            let a = t.insert(rc.clone()).unwrap();
            t.insert(rc.clone()).unwrap();
            drop(t.remove(a));
            assert_eq!(Rc::strong_count(&rc), 2);
        }
        assert_eq!(Rc::strong_count(&rc), 1);
    }
}
