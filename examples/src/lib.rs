//! The eddy example programs' shared code. Each program is a thin `main`
//! in `src/bin/` over a module here, so integration tests can drive the same
//! code the binaries run.
//!
//! - [`http`]: the hosted HTTP/1.1 server (`http_server`), the main job.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod http;
