//! The HTTP conformance suite: the real `http_server` binary, started per
//! test on a kernel-chosen loopback port, driven by a client that writes
//! and reads raw bytes over `std::net::TcpStream`.
//!
//! Every test checks one rule of the server's contract (issue 5: routes,
//! limits, error statuses, keep-alive, pipelining, timeouts, connection
//! limits, shutdown) and then proves that the server still serves a fresh
//! connection ([`Server::assert_alive`]).
//!
//! Synchronisation never sleeps: readiness is the `listening on` line,
//! progress is the server's own responses, and a read timeout is only a
//! failure bound ([`client::BOUND`]). Where a test must show that
//! something does *not* happen, it makes the server-side timeout small
//! with a flag and waits a bounded time on a read that must stay quiet.
//!
//! - [`server`]: the child-process guard;
//! - [`client`]: the raw-bytes client and response parser;
//! - [`routes`], [`streaming`], [`errors`], [`keep_alive`], [`timeouts`],
//!   [`lifecycle`], [`idle_cpu`]: the tests, one module per area of the
//!   contract.

#![forbid(unsafe_code)]

mod client;
mod server;

mod errors;
mod idle_cpu;
mod keep_alive;
mod lifecycle;
mod routes;
mod streaming;
mod timeouts;

pub use server::Server;
