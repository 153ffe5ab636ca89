//! The hosted HTTP/1.1 server: Tornado's `HTTPServer` with the seeds'
//! routes, on the std backend.
//!
//! - [`cli`]: the command line;
//! - [`server`]: the application state, accepting, signals and shutdown:
//!   the service's `Host` over `eddy_std::TcpTransport`;
//! - `service`: the HTTP service itself — route table, request type,
//!   answers and the connection driver over the core's
//!   [`HttpStream`](eddy_core::http::HttpStream) — written once for this
//!   server and for [`bare_http`](crate::bare_http);
//! - `blocking`: `GET /blocking` on a thread pool;
//! - `workers`: `--workers N`, pre-forked worker processes.
//!
//! Each connection is driven by readiness: the stream reads what the
//! socket holds (one `recv(2)` per event: a short read has emptied it),
//! every complete request is answered into the stream's 16 KiB write
//! buffer, and the answers leave in one write. `WRITABLE` interest is
//! registered only while output is waiting, so the level-triggered
//! `poll(2)` backend does not spin. A new request is parsed only while
//! there is room for its answer, and a long body (`POST /echo`, up to
//! 1 MiB) is written in pieces as the socket drains: a client that does
//! not read cannot make the server buffer without bound.

mod blocking;
pub mod cli;
pub mod server;
pub(crate) mod service;
mod workers;

pub use cli::Options;
pub use server::{run, Server};
