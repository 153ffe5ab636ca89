//! TCP on the std backend: listening, accepting, connecting.
//!
//! Every socket made here is non-blocking and close-on-exec (`sys/socket.rs`),
//! and is a plain [`std::net`] type, so reading and writing are std's.
//!
//! - `bind.rs`: [`bind_sockets`] for one address and [`bind_all`] for a
//!   host name (Tornado's `bind_sockets`): `SO_REUSEADDR` always,
//!   `SO_REUSEPORT` on request, `IPV6_V6ONLY` on every IPv6 listener — to
//!   serve both families, bind both.
//! - `accept.rs`: [`Acceptor`] drains a listener's queue until it would
//!   block, skips connections that died in the queue, and reports
//!   [`Accept::Paused`] with a [`Backoff`] delay (`backoff.rs`: 50 ms
//!   doubling to 1 s) when out of descriptors or memory.
//! - `host.rs`: the reactor glue. The application state implements
//!   [`TcpHost`]; [`start_accepting`] registers a listener. A pause
//!   (out of descriptors) *deregisters* the listener and sets a timer to
//!   register it again, so a listener that cannot accept never spins the
//!   loop, on the edge-triggered backends or on the level-triggered
//!   `poll(2)` one. [`pause_accepting`] / [`resume_accepting`] hold a
//!   server at its connection limit.
//! - `connect.rs`: [`connect`] starts a non-blocking connect;
//!   [`Connecting::finish`] reads its outcome (`SO_ERROR`) once the socket
//!   is writable.
//! - `client.rs`: the core's stream traits for this backend (`TcpTransport`
//!   is an `IoSource`, [`Connecting`] a `ConnectAttempt`) and
//!   [`connect_stream`], the async client connect.
//! - `error.rs`: [`BindError`] and [`AcceptingError`]; [`FinishError`]
//!   lives beside `connect`.

mod accept;
mod backoff;
mod bind;
mod client;
mod connect;
mod error;
mod host;

pub use accept::{Accept, AcceptStats, Accepted, Acceptor, Drained};
pub use backoff::Backoff;
pub use bind::{bind_all, bind_sockets, DEFAULT_BACKLOG};
pub use client::connect_stream;
pub use connect::{connect, Connecting, FinishError};
pub use error::{AcceptingError, BindError};
pub use host::{pause_accepting, resume_accepting, start_accepting, stop_accepting, StdReactor, TcpHost};
