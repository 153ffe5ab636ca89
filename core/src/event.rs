//! Interest in readiness, and the readiness events a backend reports.
//!
//! The vocabulary is mio's: a source is registered for an [`Interest`]
//! (readable, writable or both) and the backend reports [`Event`]s carrying
//! the registration's [`Token`] and a [`Ready`] set. Readiness is a hint, not
//! a promise: handlers must cope with spurious wake-ups and read or write
//! until the transport says it would block (edge-triggered backends only
//! report a change of state once).

use core::fmt;
use core::ops::{BitAnd, BitOr};

use crate::token::Token;

/// What a registration wants to hear about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Interest(u8);

impl Interest {
    /// Neither direction: the source is kept registered, but only what a
    /// platform reports unasked (a hang-up or an error under `poll(2)` and
    /// epoll) can still arrive. A source that can do nothing for now — its
    /// read buffer full or its peer done, nothing to send — is left with
    /// this, so that a level-triggered backend does not report its
    /// readability on every poll.
    pub const NONE: Interest = Interest(0);
    /// Readable (or read-closed, or error).
    pub const READABLE: Interest = Interest(1);
    /// Writable (or write-closed, or error).
    pub const WRITABLE: Interest = Interest(2);
    /// Both directions.
    pub const BOTH: Interest = Interest(3);

    /// Whether readability is wanted.
    pub const fn is_readable(self) -> bool {
        self.0 & 1 != 0
    }

    /// Whether writability is wanted.
    pub const fn is_writable(self) -> bool {
        self.0 & 2 != 0
    }

    /// The union of two interests.
    pub const fn add(self, other: Interest) -> Interest {
        Interest(self.0 | other.0)
    }
}

impl BitOr for Interest {
    type Output = Interest;
    fn bitor(self, rhs: Interest) -> Interest {
        self.add(rhs)
    }
}

/// A set of readiness flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Ready(u8);

impl Ready {
    /// Nothing is ready.
    pub const EMPTY: Ready = Ready(0);
    /// A read would not block.
    pub const READABLE: Ready = Ready(1);
    /// A write would not block.
    pub const WRITABLE: Ready = Ready(2);
    /// The peer will send no more (EOF after the buffered data).
    pub const READ_CLOSED: Ready = Ready(4);
    /// Writing can no longer succeed (peer gone, or shut down locally).
    pub const WRITE_CLOSED: Ready = Ready(8);
    /// The source has a pending error (for a socket: read it with `SO_ERROR`).
    pub const ERROR: Ready = Ready(16);

    /// Whether every flag of `other` is set in `self`.
    pub const fn contains(self, other: Ready) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether any flag is set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The union of two sets.
    pub const fn add(self, other: Ready) -> Ready {
        Ready(self.0 | other.0)
    }

    /// Whether a reader should try to read (data, EOF or an error to collect).
    pub const fn is_readable(self) -> bool {
        self.0 & (1 | 4 | 16) != 0
    }

    /// Whether a writer should try to write (space, or an error to collect).
    pub const fn is_writable(self) -> bool {
        self.0 & (2 | 8 | 16) != 0
    }

    /// Whether the read side is closed.
    pub const fn is_read_closed(self) -> bool {
        self.0 & 4 != 0
    }

    /// Whether the write side is closed.
    pub const fn is_write_closed(self) -> bool {
        self.0 & 8 != 0
    }

    /// Whether an error is pending.
    pub const fn is_error(self) -> bool {
        self.0 & 16 != 0
    }
}

impl BitOr for Ready {
    type Output = Ready;
    fn bitor(self, rhs: Ready) -> Ready {
        self.add(rhs)
    }
}

impl BitAnd for Ready {
    type Output = Ready;
    fn bitand(self, rhs: Ready) -> Ready {
        Ready(self.0 & rhs.0)
    }
}

impl fmt::Display for Ready {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = [
            (Ready::READABLE, "readable"),
            (Ready::WRITABLE, "writable"),
            (Ready::READ_CLOSED, "read-closed"),
            (Ready::WRITE_CLOSED, "write-closed"),
            (Ready::ERROR, "error"),
        ];
        let mut first = true;
        for (flag, name) in names {
            if self.contains(flag) {
                if !first {
                    f.write_str("|")?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        if first {
            f.write_str("none")?;
        }
        Ok(())
    }
}

/// One readiness report: which registration, and what is ready.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Event {
    /// The registration the event is for.
    pub token: Token,
    /// What is ready.
    pub ready: Ready,
}

impl Event {
    /// An event for `token`.
    pub const fn new(token: Token, ready: Ready) -> Event {
        Event { token, ready }
    }

    /// A placeholder used to fill event buffers.
    pub const EMPTY: Event = Event {
        token: Token::new(u32::MAX, u32::MAX),
        ready: Ready::EMPTY,
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_sets_combine_and_print() {
        let r = Ready::READABLE | Ready::READ_CLOSED;
        assert!(r.is_readable() && r.is_read_closed() && !r.is_writable());
        assert_eq!(std::format!("{r}"), "readable|read-closed");
        assert_eq!(std::format!("{}", Ready::EMPTY), "none");
        assert!(Ready::ERROR.is_readable() && Ready::ERROR.is_writable());
    }

    #[test]
    fn interest_union() {
        let i = Interest::READABLE | Interest::WRITABLE;
        assert_eq!(i, Interest::BOTH);
        assert!(!Interest::READABLE.is_writable());
    }
}
