//! The eddy example programs' shared code. Each program is a thin `main`
//! in `src/bin/` over a module here, so integration tests can drive the same
//! code the binaries run.
//!
//! - [`http`]: the hosted HTTP/1.1 server (`http_server`), the main job.
//! - [`echo`]: the line echo server (`echo_server`).
//! - [`chat`]: the line chat server (`chat_server`).
//! - [`bare_http`]: the same HTTP service on the smoltcp backend over a
//!   TAP device (`bare_http`).
//! - [`subprocess`]: the seeds' four subprocess cases (`subprocess_demo`).

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod bare_http;
pub mod chat;
pub mod echo;
pub mod http;
pub mod subprocess;
