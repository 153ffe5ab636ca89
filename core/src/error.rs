//! The error every fixed-capacity container returns when it is full.
//!
//! Following heapless, the rejected item is handed back inside [`Full`] so
//! the caller decides what to do with it: retry later, shed load, or report.
//! Nothing in eddy panics on a full container and nothing is dropped
//! silently.

use core::fmt;

/// A fixed-capacity container was full; the item that did not fit is inside.
#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Full<T>(pub T);

impl<T> Full<T> {
    /// Takes the rejected item back.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for Full<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Full(..)")
    }
}

impl<T> fmt::Display for Full<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("container is full: raise its capacity or shed load")
    }
}

impl<T> core::error::Error for Full<T> {}
