//! A sans-I/O HTTP/1.1 server connection (feature `http`).
//!
//! [`Connection`] is Tornado's `HTTP1Connection` as a state machine that
//! never touches a socket: the caller hands it the bytes it read plus `now`,
//! and it answers with an [`Event`] and how many bytes it consumed; response
//! calls append bytes to a caller-supplied [`Output`]. The same code serves
//! a firmware image over smoltcp and a hosted server over epoll.
//!
//! # A tour
//!
//! - [`head`](RequestHead): request heads are parsed by `httparse` (at most
//!   `H` headers); the parsed head borrows the caller's buffer and its
//!   [`Headers`] are read from there on demand, so nothing is copied and
//!   nothing allocated. The header rules
//!   (Host, framing, keep-alive, Expect) follow RFC 9112 and RFC 9110.
//! - Bodies: `Content-Length` and chunked decoders stream body bytes to the
//!   caller as [`Event::Body`] slices as they arrive, so a 1 MiB body never
//!   needs a 1 MiB buffer.
//! - Responses: [`Connection::start_response`] writes the status line, the
//!   caller's headers and the framing and `Connection` headers it decides;
//!   [`Connection::write_body`] frames chunks; [`Connection::finish`] ends
//!   the body and says whether the connection stays ([`Next`]).
//! - Errors: bad input becomes a [`RequestError`] with its [`Status`] (400,
//!   408, 413, 431, 501, 505) and a closing connection, never a panic;
//!   misuse of the response calls is a [`ResponseError`].
//! - Time is data, smoltcp style: [`Connection::poll_at`] says when the
//!   header or idle timeout expires and [`Connection::on_timeout`] checks it.
//!
//! # Buffer ownership
//!
//! The caller owns both buffers. Input: bytes stay in the caller's read
//! buffer until [`Received::consumed`] says they were used, and a head is
//! consumed only once complete — so the read buffer must hold at least
//! [`Config::max_head`] bytes. Pipelined requests simply stay unconsumed
//! until the current response is finished. Output: any [`Output`]
//! (a [`heapless::Vec`], a [`SliceOutput`] over a `&mut [u8]`, or your
//! own); a response head is written whole or not at all.
//!
//! # Decisions
//!
//! - `Expect: 100-continue` is reported ([`RequestHead::expects_continue`])
//!   and answered only when the caller calls
//!   [`Connection::write_continue`] (or writes [`CONTINUE`] itself): whether
//!   a body is welcome is the handler's call. A final response sent instead
//!   closes the connection.
//! - Keep-alive follows RFC 9112 §9.3 for each request, and the response
//!   states it: `Connection: close` whenever the connection will close,
//!   `Connection: keep-alive` to an HTTP/1.0 client that asked for it.
//! - A response finished before its request body was fully read closes the
//!   connection rather than guess where the next request starts.
//! - Chunk lines need CRLF (bare LF is rejected inside chunked framing), a
//!   common request-smuggling discrepancy.

mod body;
mod config;
mod conn;
mod digits;
mod error;
mod event;
mod fields;
mod head;
mod output;
mod prepared;
mod reply;
mod response;
mod response_headers;
mod status;
mod stream;

#[cfg(test)]
mod tests;

pub use body::BodyLen;
pub use config::Config;
pub use conn::Connection;
pub use error::{OutputFull, RequestError, ResponseError};
pub use event::{Event, Next, Received};
pub use fields::Headers;
pub use head::{RequestHead, Version};
pub use httparse::Header;
pub use output::{Output, SliceOutput};
pub use prepared::PreparedHead;
pub use reply::Reply;
pub use response::CONTINUE;
pub use response_headers::ResponseHeaders;
pub use status::Status;
pub use stream::HttpStream;
