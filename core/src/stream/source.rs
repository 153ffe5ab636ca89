//! What the reactor needs from a stream's transport: [`IoSource`], its
//! registration source and the readiness its events bring.
//!
//! A [`Transport`] alone is enough for the sans-I/O
//! [`BufferedStream`](super::BufferedStream); driving one from the reactor
//! (the async methods, a test suite, a server's glue) also needs to register
//! the transport with a backend and to tell it what each event reported.
//! Every backend provides this for its own transport:
//!
//! | backend | transport | `source()` | `set_ready` |
//! | --- | --- | --- | --- |
//! | `eddy-std` | `TcpTransport` | its file descriptor | sets the readiness flags `read_ready` answers |
//! | simulator | [`SimTransport`](crate::sim::SimTransport) | its `SimSource` | nothing: readiness comes from the pipe |
//! | `eddy-bare` | its smoltcp socket adapter | its socket handle | nothing: smoltcp knows its socket state |

use super::transport::Transport;
use crate::backend::Backend;
use crate::event::Ready;

/// A [`Transport`] that backend `B` can watch.
///
/// # Contract
///
/// - [`source`](Self::source) names the same OS object (or simulated
///   source) for the transport's whole life, so it can be registered once
///   and deregistered with the same value.
/// - [`set_ready`](Self::set_ready) is called with an event's readiness
///   *before* the stream reads or writes for that event; it only ever makes
///   `read_ready()` / `write_ready()` more optimistic (a call that would
///   block clears them again, see [`Transport`]). A transport that answers
///   readiness from its own state ignores it.
pub trait IoSource<B: Backend>: Transport {
    /// The source to register with the backend.
    fn source(&self) -> B::Source<'_>;
    /// Records the readiness an event reported for this source.
    fn set_ready(&mut self, ready: Ready);
}
