//! The write side of [`Connection`]: starting, writing and finishing
//! responses, interim `100 Continue`, and error responses.

use super::{expiry, Read, Write};
use crate::http::response::{self, Exchange, CONTINUE};
use crate::http::{BodyLen, Connection, Next, Output, PreparedHead, ResponseError, ResponseHeaders, Status};
use crate::time::Instant;

impl<const H: usize> Connection<H> {
    /// Writes `HTTP/1.1 100 Continue` if the current request expects it
    /// (see [`RequestHead::expects_continue`](crate::http::RequestHead::expects_continue)) and it has not been written
    /// yet. Call it before reading a body you intend to accept; skip it to
    /// refuse the body with a final response instead. Returns whether it
    /// wrote anything.
    ///
    /// The connection never sends it on its own: deciding whether a body is
    /// welcome (size, auth, route) is the caller's business
    /// (RFC 9110 §10.1.1).
    ///
    /// # Errors
    ///
    /// [`ResponseError::NoRequest`], [`ResponseError::AlreadyStarted`] after
    /// `start_response`, [`ResponseError::Closed`], or
    /// [`ResponseError::OutputFull`] (nothing written; retry after a flush).
    pub fn write_continue<O: Output>(&mut self, out: &mut O) -> Result<bool, ResponseError> {
        self.check_idle_writer()?;
        if !self.continue_pending {
            return Ok(false);
        }
        out.write(CONTINUE)?;
        self.continue_pending = false;
        Ok(true)
    }

    /// Asks to close the connection after the current response (graceful
    /// shutdown, or a handler that wants it). If the response has not been
    /// started, its head says `Connection: close`.
    pub fn close_after_response(&mut self) {
        self.close_requested = true;
    }

    /// Starts the response to the current request: writes the status line
    /// (`reason` defaults to [`Status::reason`]), the caller's `headers`,
    /// and the framing and `Connection` headers that `body` and the
    /// keep-alive rules call for:
    ///
    /// - `BodyLen::Fixed(n)`: `Content-Length: n`; write exactly `n` bytes.
    /// - `BodyLen::Chunked`: `Transfer-Encoding: chunked` to HTTP/1.1; to
    ///   HTTP/1.0, which cannot take chunks, the body runs until the
    ///   connection closes (RFC 9112 §6.1, §6.3).
    /// - `HEAD`: the same headers as for `GET`, but body bytes written are
    ///   dropped (RFC 9110 §9.3.2). 204 and 304 carry no framing headers
    ///   and no body (RFC 9110 §6.4.1, §8.6).
    /// - `Connection: close` when the connection will close: the client
    ///   asked, [`close_after_response`](Connection::close_after_response)
    ///   was called, the body runs until close, or a `100-continue` body
    ///   has not been invited. `Connection: keep-alive` to an HTTP/1.0
    ///   client that asked for it (RFC 9112 §9.3, Appendix C.2.2).
    ///
    /// Headers are `(name, value)` pairs; values are text. No `Date` is
    /// added: the connection has no wall clock (RFC 9110 §6.6.1 asks for it
    /// only from servers that have one), so add it yourself if you do.
    ///
    /// # Errors
    ///
    /// [`ResponseError::NoRequest`], [`ResponseError::AlreadyStarted`],
    /// [`ResponseError::Closed`], an invalid argument
    /// ([`ResponseError::InformationalStatus`],
    /// [`ResponseError::InvalidReason`], [`ResponseError::InvalidHeader`],
    /// [`ResponseError::ReservedHeader`]), or
    /// [`ResponseError::OutputFull`]. Nothing is written on error.
    pub fn start_response<O: Output>(
        &mut self,
        out: &mut O,
        status: Status,
        reason: Option<&str>,
        headers: &[(&str, &str)],
        body: BodyLen,
    ) -> Result<(), ResponseError> {
        // The checks in the order they always ran: state, status, reason,
        // then the headers.
        self.check_idle_writer()?;
        response::status_line(status, reason)?;
        let headers = ResponseHeaders::new(headers)?;
        self.start_response_checked(out, status, reason, headers, body)
    }

    /// [`start_response`](Connection::start_response) with headers checked
    /// beforehand, once for any number of responses.
    ///
    /// # Errors
    ///
    /// As for `start_response`, less the header errors.
    pub fn start_response_checked<O: Output>(
        &mut self,
        out: &mut O,
        status: Status,
        reason: Option<&str>,
        headers: ResponseHeaders<'_>,
        body: BodyLen,
    ) -> Result<(), ResponseError> {
        let ex = self.exchange_for_response()?;
        let plan = response::start(out, &ex, status, reason, headers, body)?;
        self.write = Write::Body {
            framing: plan.framing,
            close: plan.close,
        };
        Ok(())
    }

    /// [`start_response`](Connection::start_response) from a
    /// [`PreparedHead`]: its lines are copied whole and only the framing and
    /// `Connection` lines are added, so a response head costs two writes
    /// and no checks.
    ///
    /// # Errors
    ///
    /// [`ResponseError::NoRequest`], [`ResponseError::AlreadyStarted`],
    /// [`ResponseError::Closed`] or [`ResponseError::OutputFull`]; nothing
    /// is written on error.
    pub fn start_prepared<O: Output, const N: usize>(
        &mut self,
        out: &mut O,
        head: &PreparedHead<N>,
        body: BodyLen,
    ) -> Result<(), ResponseError> {
        let ex = self.exchange_for_response()?;
        let plan = response::start_prepared(out, &ex, head.prepared(), head.status(), body, &[])?;
        self.write = Write::Body {
            framing: plan.framing,
            close: plan.close,
        };
        Ok(())
    }

    /// A whole response in one call: `head`, then a `Content-Length` body
    /// made of `parts` one after the other, then
    /// [`finish`](Connection::finish) at `now`. Written whole or not at
    /// all, so `out` must have room for all of it; larger bodies go through
    /// [`start_prepared`](Connection::start_prepared) and
    /// [`write_body`](Connection::write_body) in pieces.
    ///
    /// # Errors
    ///
    /// As [`start_prepared`](Connection::start_prepared); nothing is written
    /// on error.
    pub fn respond<O: Output, const N: usize>(
        &mut self,
        out: &mut O,
        head: &PreparedHead<N>,
        parts: &[&[u8]],
        now: Instant,
    ) -> Result<Next, ResponseError> {
        let ex = self.exchange_for_response()?;
        let len = parts.iter().fold(0u64, |n, p| n.saturating_add(p.len() as u64));
        let plan = response::start_prepared(
            out,
            &ex,
            head.prepared(),
            head.status(),
            BodyLen::Fixed(len),
            parts,
        )?;
        Ok(self.end_response(plan.close, now))
    }

    /// Writes response body bytes, chunk-framed if the body is chunked.
    /// Takes as much of `data` as fits in `out` and returns how much that
    /// was; flush and call again with the rest. Empty `data` writes nothing
    /// (an empty chunk would end the body). For `HEAD`, 204 and 304 the
    /// bytes are accepted and dropped.
    ///
    /// # Errors
    ///
    /// [`ResponseError::NotStarted`], [`ResponseError::Closed`],
    /// [`ResponseError::BodyTooLong`] past the declared `Content-Length`
    /// (nothing written), or [`ResponseError::OutputFull`] if not one byte
    /// fits.
    pub fn write_body<O: Output>(&mut self, out: &mut O, data: &[u8]) -> Result<usize, ResponseError> {
        let Write::Body { mut framing, close } = self.check_open_writer()? else {
            return Err(ResponseError::NotStarted);
        };
        let n = response::body(out, &mut framing, data)?;
        self.write = Write::Body { framing, close };
        Ok(n)
    }

    /// Ends the response (writing the last chunk of a chunked body) and
    /// says what to do with the connection, `now` starting the idle timeout
    /// if it stays open. On [`Next::KeepAlive`] the connection is ready for
    /// the next request, which may already be in your buffer.
    ///
    /// It closes when the response said so, and also when the request body
    /// has not been read to its end: its remaining bytes cannot be told
    /// from the next request.
    ///
    /// # Errors
    ///
    /// [`ResponseError::NotStarted`], [`ResponseError::Closed`],
    /// [`ResponseError::OutputFull`] (nothing written; flush and retry), or
    /// [`ResponseError::BodyIncomplete`] when fewer bytes than the declared
    /// `Content-Length` were written: the connection is then closed.
    pub fn finish<O: Output>(&mut self, out: &mut O, now: Instant) -> Result<Next, ResponseError> {
        let Write::Body { framing, close } = self.check_open_writer()? else {
            return Err(ResponseError::NotStarted);
        };
        if let Err(e) = response::finish(out, framing) {
            if e == ResponseError::BodyIncomplete {
                self.close();
            }
            return Err(e);
        }
        Ok(self.end_response(close, now))
    }

    /// The response is complete: close, or rewind for the next request
    /// with the idle timeout starting at `now`.
    fn end_response(&mut self, close: bool, now: Instant) -> Next {
        if close || self.close_requested || !self.body_done() {
            self.close();
            return Next::Close;
        }
        self.exchange = None;
        self.continue_pending = false;
        self.write = Write::Idle;
        self.read = Read::Head {
            deadline: expiry(now, self.idle_us),
            idle: true,
            started: false,
            scanned: 0,
        };
        Next::KeepAlive
    }

    /// The current exchange, if a final response may be started now, with
    /// its keep-alive verdict updated for this response.
    fn exchange_for_response(&self) -> Result<Exchange, ResponseError> {
        let mut ex = self.check_idle_writer()?;
        // RFC 9110 §10.1.1: a final response before a 100-continue body was
        // invited should say whether the connection stays; it will not,
        // since that body may or may not follow.
        let uninvited = self.continue_pending && !self.body_done();
        ex.keep_alive = ex.keep_alive && !self.close_requested && !uninvited;
        Ok(ex)
    }

    /// Writes a complete error response — `status`, a short plain-text body
    /// naming it (omitted for `HEAD`), `Connection: close` — and marks the
    /// connection closed. Use it with [`RequestError::status`](crate::http::RequestError::status) after a
    /// failed `receive` or `on_timeout`, or on its own (e.g. 503 while
    /// shutting down). Flush the output, then close.
    ///
    /// # Errors
    ///
    /// [`ResponseError::AlreadyStarted`] if a response was started (just
    /// close then), [`ResponseError::Closed`] after a closing response, or
    /// [`ResponseError::OutputFull`] (nothing written; flush and retry).
    pub fn send_error<O: Output>(&mut self, out: &mut O, status: Status) -> Result<(), ResponseError> {
        if matches!(self.read, Read::Closed) {
            return Err(ResponseError::Closed);
        }
        if let Write::Body { .. } = self.write {
            return Err(ResponseError::AlreadyStarted);
        }
        let is_head = self.exchange.is_some_and(|ex| ex.is_head);
        response::error(out, status, is_head)?;
        self.close();
        Ok(())
    }

    /// The exchange, if a response may be started now.
    fn check_idle_writer(&self) -> Result<Exchange, ResponseError> {
        match self.read {
            Read::Closed | Read::Failed(_) => return Err(ResponseError::Closed),
            Read::Head { .. } => return Err(ResponseError::NoRequest),
            Read::Body(_) | Read::Done => {}
        }
        if let Write::Body { .. } = self.write {
            return Err(ResponseError::AlreadyStarted);
        }
        self.exchange.ok_or(ResponseError::NoRequest)
    }

    /// The writer, if the connection is open.
    fn check_open_writer(&self) -> Result<Write, ResponseError> {
        match self.read {
            Read::Closed | Read::Failed(_) => Err(ResponseError::Closed),
            _ => Ok(self.write),
        }
    }
}
