//! [`HttpStream::next`]: one event of the buffered bytes to the caller's
//! handler, with the response calls, and the bytes it used dropped after.

use super::HttpStream;
use crate::http::reply::Reply;
use crate::http::{Event, RequestError};
use crate::stream::Transport;
use crate::time::Instant;

impl<T: Transport, const R: usize, const W: usize, const H: usize> HttpStream<T, R, W, H> {
    /// Hands the next event of the buffered bytes, read at `now`, to
    /// `handle` with the response calls, and returns what `handle`
    /// returned; the bytes the event used are dropped afterwards. See
    /// [`HttpStream`].
    ///
    /// `handle` sees [`Event::NeedMore`] only once every buffered byte was
    /// used or the connection waits for more (the transport was drained
    /// into the buffer first), [`Event::Paused`] while a response is due or
    /// the write buffer has less than the head room free, and
    /// [`Event::Closed`] once the connection is over: the peer's
    /// end-of-file with no request pending, a finished closing response, or
    /// a closed stream. On all three, wait for readiness.
    ///
    /// # Errors
    ///
    /// The [`RequestError`] that closes the connection (`handle` is not
    /// called): its error response is written or waits for room, and the
    /// stream closes once flushed. Every later call returns it again.
    pub fn next<Out>(
        &mut self,
        now: Instant,
        handle: impl FnOnce(Event<'_, H>, &mut Reply<'_, W, H>) -> Out,
    ) -> Result<Out, RequestError> {
        self.next_within(now, usize::MAX, handle)
    }

    /// [`next`](Self::next), with body runs of at most `max_body` bytes: a
    /// handler that passes the body on (an echo) asks for no more than it
    /// has room for, e.g. [`write_space`](Self::write_space) less a
    /// chunk's framing. With `max_body` zero a body waits (`NeedMore`).
    ///
    /// # Errors
    ///
    /// As [`next`](Self::next).
    pub fn next_within<Out>(
        &mut self,
        now: Instant,
        max_body: usize,
        handle: impl FnOnce(Event<'_, H>, &mut Reply<'_, W, H>) -> Out,
    ) -> Result<Out, RequestError> {
        self.watch_send(now);
        if let Some(e) = self.failed {
            self.settle_error();
            self.start_linger(now);
            return Err(e);
        }
        loop {
            self.stream.refill();
            let ended = self.stream.read_closed().is_some();
            let (input, mut out) = self.stream.split();
            if out.closed().is_some() {
                let mut reply = Reply {
                    conn: &mut self.conn,
                    out,
                };
                return Ok(handle(Event::Closed, &mut reply));
            }
            let limit = if self.in_body {
                max_body
            } else if out.write_space() < self.head_room {
                0
            } else {
                usize::MAX
            };
            let fed = input.get(..limit).unwrap_or(input);
            let whole = fed.len() == input.len();
            let full = input.len() >= R;
            let received = match self.conn.receive(fed, now) {
                Ok(received) => received,
                Err(e) => {
                    Self::fail(&mut self.conn, &mut out, &mut self.failed, &mut self.error_due, e);
                    self.start_linger(now);
                    return Err(e);
                }
            };
            let consumed = received.consumed;
            let mut event = received.event;
            // A head is the usual event: a plain test for it first keeps
            // the `match`'s jump table off the hot path.
            if let Event::Head(_) = event {
                self.in_body = true;
            } else {
                match event {
                    Event::NeedMore if consumed > 0 => {
                        // Framing was used up: drop it and look again.
                        self.stream.discard(consumed).ok();
                        continue;
                    }
                    Event::NeedMore if whole && full => {
                        // The buffer is full and nothing in it can be used: a
                        // head or chunk line longer than the buffer.
                        let e = if self.in_body {
                            RequestError::ChunkMetadataTooLarge
                        } else {
                            RequestError::HeadTooLarge
                        };
                        Self::fail(&mut self.conn, &mut out, &mut self.failed, &mut self.error_due, e);
                        self.start_linger(now);
                        return Err(e);
                    }
                    Event::NeedMore if whole && ended => {
                        // End-of-file and nothing more to answer: close once
                        // flushed (an incomplete request is dropped).
                        out.close_after_flush();
                        event = Event::Closed;
                    }
                    Event::NeedMore if !whole && self.head_room > 0 && !self.in_body => {
                        // Held back for head room: wait for the flush.
                        event = Event::Paused;
                    }
                    Event::End => self.in_body = false,
                    Event::Closed => out.close_after_flush(),
                    Event::Head(_) | Event::Body(_) | Event::NeedMore | Event::Paused => {}
                }
            }
            let mut reply = Reply {
                conn: &mut self.conn,
                out,
            };
            let result = handle(event, &mut reply);
            self.stream.discard(consumed).ok();
            self.start_linger(now);
            return Ok(result);
        }
    }
}
