//! The application state the suite lends to the reactor: a trace recorder
//! plus the pairs and tokens the callbacks work on.

use std::string::String;
use std::vec::Vec;

use eddy_core::{CallbackError, Reactor, Token};

use crate::harness::Harness;

/// The reactor type every suite test runs: 16 of each container.
pub type Loop<H> = Reactor<<H as Harness>::Backend, World<H>, 16, 16, 16, 16>;

/// The state lent to callbacks and handlers.
pub struct World<H: Harness> {
    /// One line per thing that happened, in order.
    pub trace: Vec<String>,
    /// Connected pairs, addressed by the handler's argument.
    pub pairs: Vec<H::Pair>,
    /// The token each pair is registered under, if any.
    pub tokens: Vec<Option<Token>>,
}

impl<H: Harness> core::fmt::Debug for World<H> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("World")
            .field("trace", &self.trace)
            .field("tokens", &self.tokens)
            .finish()
    }
}

impl<H: Harness> Default for World<H> {
    fn default() -> Self {
        World {
            trace: Vec::new(),
            pairs: Vec::new(),
            tokens: Vec::new(),
        }
    }
}

impl<H: Harness> World<H> {
    /// Appends a trace line.
    pub fn note(&mut self, line: impl Into<String>) {
        self.trace.push(line.into());
    }

    /// Adds a pair and returns its index.
    pub fn add_pair(&mut self, pair: H::Pair) -> usize {
        self.pairs.push(pair);
        self.tokens.push(None);
        self.pairs.len() - 1
    }
}

/// Maps any container or backend failure inside a callback to a
/// [`CallbackError`] so the test sees it in the reactor's error count.
pub fn failed<E>(_: E) -> CallbackError {
    CallbackError::new("suite callback failed")
}
