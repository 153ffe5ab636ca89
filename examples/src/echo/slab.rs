//! A fixed slab of connections: `capacity` slots chosen at start, a free
//! list, and the value handed back when full. Shared by the echo and chat
//! servers.

/// Slots `0..capacity`, each empty or holding a `T`.
#[derive(Debug)]
pub(crate) struct Slab<T> {
    slots: Vec<Option<T>>,
    free: Vec<usize>,
}

impl<T> Slab<T> {
    /// `capacity` empty slots; the lowest index is handed out first.
    pub(crate) fn new(capacity: usize) -> Slab<T> {
        Slab {
            slots: (0..capacity).map(|_| None).collect(),
            free: (0..capacity).rev().collect(),
        }
    }

    /// Stores `value` and returns its slot.
    ///
    /// # Errors
    /// `Err(value)` when every slot is taken.
    pub(crate) fn insert(&mut self, value: T) -> Result<usize, T> {
        match self.free.pop() {
            Some(i) => {
                self.slots[i] = Some(value);
                Ok(i)
            }
            None => Err(value),
        }
    }

    /// Empties slot `i`, returning what it held.
    pub(crate) fn remove(&mut self, i: usize) -> Option<T> {
        let value = self.slots.get_mut(i)?.take()?;
        self.free.push(i);
        Some(value)
    }

    pub(crate) fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        self.slots.get_mut(i)?.as_mut()
    }

    pub(crate) fn is_full(&self) -> bool {
        self.free.is_empty()
    }

    /// The taken slots, in index order.
    pub(crate) fn indices(&self) -> Vec<usize> {
        (0..self.slots.len())
            .filter(|&i| self.slots[i].is_some())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::Slab;

    #[test]
    fn full_hands_the_value_back_and_slots_are_reused() {
        let mut slab = Slab::new(2);
        assert_eq!(slab.insert("a"), Ok(0));
        assert_eq!(slab.insert("b"), Ok(1));
        assert!(slab.is_full());
        assert_eq!(slab.insert("c"), Err("c"));
        assert_eq!(slab.remove(0), Some("a"));
        assert_eq!(slab.remove(0), None);
        assert_eq!(slab.insert("d"), Ok(0));
        assert_eq!(slab.indices(), [0, 1]);
        assert_eq!(slab.get_mut(1), Some(&mut "b"));
    }
}
