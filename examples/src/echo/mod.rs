//! The line echo server (`echo_server`): Tornado's `TCPServer` echo
//! example on [`BufferedStream`](eddy_core::stream::BufferedStream),
//! [`StreamDriver`](eddy_core::stream::StreamDriver) and
//! [`TcpHost`](eddy_std::TcpHost).
//!
//! - each `\n`-terminated line is sent back;
//! - a line over [`MAX_LINE`] bytes gets [`TOO_LONG`] and the connection
//!   closes (the read's `BufferFull`);
//! - at the client's end-of-file what is buffered is flushed, then the
//!   connection closes (half-close);
//! - backpressure: a line is taken from the read buffer only when the
//!   write buffer can take all of it; until then it stays, the read buffer
//!   fills behind it and reading stops, so a client that sends and never
//!   reads costs a fixed 256 KiB;
//! - connections live in a fixed slab of `--max-connections`
//!   slots; accepting pauses while it is full.
//!
//! Parts: [`cli`] (shared with [`chat`](crate::chat)), [`server`], `conn`
//! (one connection), `link` (a stream and its registration) and `slab`,
//! both also used by the chat server.

pub mod cli;
mod conn;
pub(crate) mod link;
pub mod server;
pub(crate) mod slab;

pub use cli::{Options, UsageError};
pub use conn::{MAX_LINE, TOO_LONG};
pub use server::{run, Server};

/// The default port of `echo_server`.
pub const DEFAULT_PORT: u16 = 8889;
