//! `bare_http`: the same HTTP/1.1 service as [`http_server`](crate::http)
//! — the same routes, bodies and statuses — on the smoltcp backend
//! (`eddy-bare`), over a TAP device on a host.
//!
//! - [`cli`]: the command line (`--tap NAME --ip CIDR [--port N]`);
//! - [`tap`]: the TAP device, the smoltcp interface and the socket pool;
//! - [`server`]: the application state, the listener and the connection
//!   table, generic over the [`Net`] it runs on (a TAP device, or the
//!   in-memory loopback in the tests);
//!
//! The routes, the request type and the connection driver are
//! `http_server`'s own, written once in `crate::http::service` over the
//! core's [`HttpStream`](eddy_core::http::HttpStream): the server here is a
//! `Host` whose transport is an `eddy_bare::BareTransport` (`/blocking`,
//! which needs a thread pool, is an ordinary `GET` here). The listener
//! keeps a backlog of sockets listening on the port and re-arms one after
//! each accept.

use eddy_bare::smoltcp::phy::Device;
use eddy_bare::{BareBackend, BareTransport, Idle, Stack};
use eddy_core::time::Clock;
use eddy_core::Reactor;

pub mod cli;
pub mod server;
pub mod tap;
#[cfg(test)]
mod tests;

pub use cli::Options;
pub use server::{start, Server, StartError};

/// What the server runs on: a device, a clock and an idle hook.
pub trait Net: 'static {
    /// The smoltcp device.
    type Device: Device + 'static;
    /// The clock.
    type Clock: Clock + 'static;
    /// How the backend sleeps.
    type Idle: Idle<Self::Device> + 'static;
}

/// Sockets in the pool: listening ones plus open connections.
pub const SOCKETS: usize = 32;

/// The stack the server runs on.
pub type NetStack<N> = Stack<'static, <N as Net>::Device, SOCKETS>;
/// The backend the server runs on.
pub type NetBackend<N> =
    BareBackend<'static, 'static, <N as Net>::Device, <N as Net>::Clock, <N as Net>::Idle, SOCKETS>;
/// One connection's transport.
pub type NetTransport<N> = BareTransport<'static, 'static, <N as Net>::Device, SOCKETS>;
/// The reactor: 256 callbacks, two timers and one handler per socket.
pub type Loop<N> = Reactor<NetBackend<N>, Server<N>, 256, { 2 * SOCKETS + 16 }, { SOCKETS + 16 }, 64>;
