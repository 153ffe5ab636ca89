//! The line chat server (`chat_server`): each line a client sends goes to
//! every *other* connected client.
//!
//! - a line is buffered for each recipient whole or not at all
//!   ([`try_write_all`](eddy_core::stream::BufferedStream::try_write_all));
//! - a recipient whose write buffer cannot take a line even after a flush
//!   does not read: it is disconnected (its unsent lines dropped, a note on
//!   stderr) and nobody else waits for it;
//! - a line over [`MAX_LINE`] bytes gets
//!   [`TOO_LONG`](crate::echo::TOO_LONG) and that connection closes.
//!
//! It shares the echo server's command line, connection slab and stream
//! registration glue ([`echo`](crate::echo)).

pub mod server;

pub use server::{run, Server, MAX_LINE};

/// The default port of `chat_server`.
pub const DEFAULT_PORT: u16 = 8890;
