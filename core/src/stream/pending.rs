//! The pending read: what was asked for, how far the search got, and the
//! check of the buffered bytes against it.
//!
//! # Invariants
//!
//! - Positions are relative to the front of the read buffer, which does not
//!   move while a read is pending (compaction moves bytes, not the front).
//! - `read_until` keeps `next_start`, the first delimiter start not yet
//!   ruled out: every start below it was compared against a delimiter that
//!   fitted entirely in the bytes searched. A search resumes there, so each
//!   byte is examined once plus the delimiter's length per arrival, and a
//!   delimiter split across arrivals (or overlapping itself, like
//!   `\r\n\r\n` after `\r\n\r`) is found at its first occurrence.
//! - The outcome never depends on how the bytes were split: completion
//!   first, then the limit (`Overflow`), then the end of input.

use super::MAX_DELIMITER;

/// A delimiter held inline.
#[derive(Clone, Copy, Debug)]
pub(super) struct Delimiter {
    bytes: [u8; MAX_DELIMITER],
    len: usize,
}

impl Delimiter {
    pub(super) fn new(d: &[u8]) -> Option<Delimiter> {
        if d.is_empty() || d.len() > MAX_DELIMITER {
            return None;
        }
        let mut bytes = [0; MAX_DELIMITER];
        bytes[..d.len()].copy_from_slice(d);
        Some(Delimiter { bytes, len: d.len() })
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// The pending read and its progress.
#[derive(Clone, Copy, Debug)]
pub(super) enum ReadOp {
    Until {
        delimiter: Delimiter,
        max: usize,
        next_start: usize,
    },
    Exact(usize),
    Chunk(usize),
    UntilClose,
}

/// What the buffered bytes say about a read.
pub(super) enum Check {
    Done {
        len: usize,
        delimiter_len: usize,
    },
    NeedMore,
    /// Over `max_bytes`, or the buffer is full: can never complete.
    Overflow,
    /// The read side finished first.
    Ended,
}

impl ReadOp {
    /// Checks `data` (the whole read buffer of `capacity`); `ended` says
    /// no byte will arrive any more. `scanned` counts examined bytes.
    pub(super) fn check(&mut self, data: &[u8], capacity: usize, ended: bool, scanned: &mut usize) -> Check {
        match self {
            ReadOp::Until {
                delimiter,
                max,
                next_start,
            } => {
                let d = delimiter.as_slice();
                // A delimiter ending past `max` fails anyway: look no further.
                let hay = &data[..data.len().min(*max)];
                if let Some(last_start) = hay.len().checked_sub(d.len()) {
                    if *next_start <= last_start {
                        let window = &hay[*next_start..];
                        *scanned = scanned.saturating_add(window.len());
                        let found = window
                            .windows(d.len())
                            .position(|w| w.first() == d.first() && w == d);
                        if let Some(i) = found {
                            return Check::Done {
                                len: *next_start + i + d.len(),
                                delimiter_len: d.len(),
                            };
                        }
                        *next_start = last_start + 1;
                    }
                }
                if data.len() >= *max || data.len() >= capacity {
                    Check::Overflow
                } else if ended {
                    Check::Ended
                } else {
                    Check::NeedMore
                }
            }
            ReadOp::Exact(n) => {
                if data.len() >= *n {
                    Check::Done {
                        len: *n,
                        delimiter_len: 0,
                    }
                } else if ended {
                    Check::Ended
                } else {
                    Check::NeedMore
                }
            }
            ReadOp::Chunk(max) => {
                if !data.is_empty() {
                    Check::Done {
                        len: data.len().min(*max),
                        delimiter_len: 0,
                    }
                } else if ended {
                    Check::Ended
                } else {
                    Check::NeedMore
                }
            }
            ReadOp::UntilClose => {
                if ended {
                    Check::Done {
                        len: data.len(),
                        delimiter_len: 0,
                    }
                } else if data.len() >= capacity {
                    Check::Overflow
                } else {
                    Check::NeedMore
                }
            }
        }
    }
}
