//! Generation-tagged tokens: the names under which I/O sources are registered.
//!
//! A [`Token`] is a slot index plus the generation of that slot when the
//! registration was made. When a registration is removed its slot's
//! generation moves on, so an event that was already in flight for the old
//! registration (or one that comes back from the OS late) carries a stale
//! generation and is dropped instead of reaching whoever reused the slot.
//! Tokens print as `#index.generation`, e.g. `#3.1`.

use core::fmt;

/// The name of one registration: slot index and slot generation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Token {
    index: u32,
    generation: u32,
}

impl Token {
    /// A token for slot `index` at `generation`.
    pub const fn new(index: u32, generation: u32) -> Token {
        Token { index, generation }
    }

    /// The slot index.
    pub const fn index(self) -> u32 {
        self.index
    }

    /// The slot generation this token was issued for.
    pub const fn generation(self) -> u32 {
        self.generation
    }

    /// Packs the token into 64 bits (for `epoll_event.data`, `kevent.udata`, …).
    pub const fn to_u64(self) -> u64 {
        ((self.generation as u64) << 32) | self.index as u64
    }

    /// Unpacks a token packed by [`Token::to_u64`].
    pub const fn from_u64(raw: u64) -> Token {
        Token {
            index: raw as u32,
            generation: (raw >> 32) as u32,
        }
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}.{}", self.index, self.generation)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_and_prints() {
        let t = Token::new(3, 1);
        assert_eq!(Token::from_u64(t.to_u64()), t);
        let big = Token::new(u32::MAX, u32::MAX - 1);
        assert_eq!(Token::from_u64(big.to_u64()), big);

        assert_eq!(std::format!("{t}"), "#3.1");
    }
}
