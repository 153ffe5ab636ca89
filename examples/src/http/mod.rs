//! The hosted HTTP/1.1 server: Tornado's `HTTPServer` with the seeds'
//! routes, on the std backend.
//!
//! - [`cli`]: the command line;
//! - [`server`]: the application state, accepting, signals and shutdown;
//! - `conn`: one connection — socket, buffers, the sans-I/O
//!   [`eddy_core::http::Connection`], and its timers;
//! - `routes`: what each request gets;
//! - `output`: the response buffer;
//! - `blocking`: `GET /blocking` on a thread pool;
//! - `workers`: `--workers N`, pre-forked worker processes;
//! - `service`: the HTTP service written once over the core's
//!   [`HttpStream`](eddy_core::http::HttpStream) — route table, request
//!   type, answers, connection driver — which
//!   [`bare_http`](crate::bare_http) runs on.
//!
//! Each connection is driven by readiness: read until the socket would
//! block, feed the bytes to the HTTP state machine, write responses into
//! the connection's buffer, flush until the socket would block. `WRITABLE`
//! interest is registered only while output is waiting, so the
//! level-triggered `poll(2)` backend does not spin. While output is waiting
//! no further pipelined request is parsed: a client that does not read
//! cannot make the server buffer without bound.

mod blocking;
pub mod cli;
mod conn;
mod output;
mod routes;
pub mod server;
pub(crate) mod service;
mod workers;

pub use cli::Options;
pub use server::{run, Server};
