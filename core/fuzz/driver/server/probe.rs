//! Misuse probes: response calls made at the wrong time or with bad
//! arguments must be refused with the documented error and write nothing.

use eddy_core::http::{BodyLen, Event, ResponseError, Status};

use super::Server;

/// A misused `start_response`: status, reason, one header, the error due.
type Misuse = (
    Status,
    Option<&'static str>,
    (&'static str, &'static str),
    ResponseError,
);

impl Server<'_> {
    /// Every call on a closing connection is refused and writes nothing.
    pub(super) fn poke_closed(&mut self) {
        if !self.conn.is_closed() {
            return;
        }
        let now = self.now;
        let before = (self.used, self.wire.len());
        let closed = Err(ResponseError::Closed);
        let started = self.call(|c, o| c.start_response(o, Status::OK, None, &[], BodyLen::Fixed(0)));
        assert_eq!(started, closed, "start_response when closed");
        assert_eq!(self.call(|c, o| c.write_continue(o)), Err(ResponseError::Closed));
        assert_eq!(
            self.call(|c, o| c.write_body(o, b"x")),
            Err(ResponseError::Closed)
        );
        assert_eq!(self.call(|c, o| c.finish(o, now)), Err(ResponseError::Closed));
        assert_eq!(self.conn.on_timeout(now), Ok(()), "on_timeout when closed");
        assert_eq!(self.conn.poll_at(), None, "a deadline when closed");
        match self.sticky {
            Some(e) => assert_eq!(self.conn.receive(&self.inbox, now).err(), Some(e)),
            None => {
                let received = self.conn.receive(&self.inbox, now).expect("receive when closed");
                assert!(matches!(received.event, Event::Closed) && received.consumed == 0);
                let again = self.call(|c, o| c.send_error(o, Status::BAD_REQUEST));
                assert_eq!(again, Err(ResponseError::Closed), "send_error when closed");
            }
        }
        assert_eq!(
            (self.used, self.wire.len()),
            before,
            "wrote on a closed connection"
        );
    }

    /// Between requests: the response calls have nothing to answer.
    pub(super) fn probe_idle(&mut self) {
        let now = self.now;
        let start = self.call(|c, o| c.start_response(o, Status::OK, None, &[], BodyLen::Fixed(0)));
        assert_eq!(
            start,
            Err(ResponseError::NoRequest),
            "start_response between requests"
        );
        assert_eq!(
            self.call(|c, o| c.write_continue(o)),
            Err(ResponseError::NoRequest)
        );
        assert_eq!(
            self.call(|c, o| c.write_body(o, b"x")),
            Err(ResponseError::NotStarted)
        );
        assert_eq!(self.call(|c, o| c.finish(o, now)), Err(ResponseError::NotStarted));
    }

    /// A request is open and no response started: misuse is refused.
    pub(super) fn probe_unstarted(&mut self) {
        let now = self.now;
        let fixed = BodyLen::Fixed(0);
        assert_eq!(
            self.call(|c, o| c.write_body(o, b"x")),
            Err(ResponseError::NotStarted)
        );
        assert_eq!(self.call(|c, o| c.finish(o, now)), Err(ResponseError::NotStarted));
        let bad: [Misuse; 4] = [
            (
                Status::CONTINUE,
                None,
                ("X-A", "a"),
                ResponseError::InformationalStatus,
            ),
            (
                Status::OK,
                None,
                ("content-length", "0"),
                ResponseError::ReservedHeader,
            ),
            (Status::OK, None, ("Bad Name", "v"), ResponseError::InvalidHeader),
            (
                Status::OK,
                Some("a\nb"),
                ("X-A", "a"),
                ResponseError::InvalidReason,
            ),
        ];
        for (status, reason, header, error) in bad {
            let got = self.call(|c, o| c.start_response(o, status, reason, &[header], fixed));
            assert_eq!(
                got,
                Err(error),
                "start_response({status}, {reason:?}, {header:?})"
            );
        }
        let got = self.call(|c, o| c.start_response(o, Status::OK, None, &[("X-A", "a\r\nb")], fixed));
        assert_eq!(got, Err(ResponseError::InvalidHeader), "a CRLF in a header value");
    }

    /// A response was started: a second start and a late 100 are refused,
    /// and so are body bytes past the declared length.
    pub(super) fn probe_started(&mut self, len: BodyLen, omitted: bool) {
        let fixed = BodyLen::Fixed(0);
        let again = self.call(|c, o| c.start_response(o, Status::OK, None, &[], fixed));
        assert_eq!(
            again,
            Err(ResponseError::AlreadyStarted),
            "a second start_response"
        );
        assert_eq!(
            self.call(|c, o| c.write_continue(o)),
            Err(ResponseError::AlreadyStarted)
        );
        let error = self.call(|c, o| c.send_error(o, Status::INTERNAL_SERVER_ERROR));
        assert_eq!(
            error,
            Err(ResponseError::AlreadyStarted),
            "send_error after start"
        );
        if let (BodyLen::Fixed(n), false) = (len, omitted) {
            if n < 4096 {
                let long = vec![b'x'; n as usize + 1];
                let got = self.call(|c, o| c.write_body(o, &long));
                assert_eq!(got, Err(ResponseError::BodyTooLong), "a body past Content-Length");
            }
        }
    }
}
