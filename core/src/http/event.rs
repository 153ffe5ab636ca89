//! What the connection reports: the outcome of one
//! [`receive`](super::Connection::receive) call, and what to do with the
//! connection after a response.

use super::head::RequestHead;

/// What one [`receive`](super::Connection::receive) call found.
#[derive(Debug)]
pub struct Received<'b, const H: usize> {
    /// How many bytes from the front of the input were used up; drop them
    /// from your buffer. The rest must be passed again next time.
    pub consumed: usize,
    /// What happened.
    pub event: Event<'b, H>,
}

/// What a [`receive`](super::Connection::receive) call produced. Slices borrow
/// from the input passed to it.
#[derive(Debug)]
pub enum Event<'b, const H: usize> {
    /// A request head. Body events follow, then [`Event::End`], even for a
    /// request without a body.
    Head(RequestHead<'b, H>),
    /// The next run of request body bytes, de-chunked. Runs are cut wherever
    /// the input was cut: never assume one per chunk or one per body.
    Body(&'b [u8]),
    /// The request, body included, has been read. Finish its response to
    /// make the connection read the next one.
    End,
    /// Nothing more can be made of the input: read more bytes.
    NeedMore,
    /// The request has been read and its response is not finished yet;
    /// input (a pipelined request) waits until it is.
    Paused,
    /// The connection is closing: stop reading, flush the output, close.
    Closed,
}

/// What to do with the connection after a response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Next {
    /// Keep it open: the next request may follow (maybe already buffered).
    KeepAlive,
    /// Flush the output, then close it.
    Close,
}
