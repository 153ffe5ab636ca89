//! Answering a request as its [`Plan`](super::Plan) says: the response
//! calls, with what the client must see recorded as an [`Expect`].

use eddy_core::http::{BodyLen, Next, ResponseError, Status, Version};

use super::{Expect, Kind, Note, Server, When};

impl Server<'_> {
    /// Answers the current request as its plan says.
    pub(super) fn respond(&mut self) {
        let Some(plan) = self.req.as_ref().map(|r| r.plan) else {
            return;
        };
        if plan.kind == Kind::Unavailable {
            return self.send_error(Status::SERVICE_UNAVAILABLE);
        }
        let Some(req) = self.req.as_ref() else {
            return;
        };
        let streaming = plan.when == When::AtHead && plan.kind == Kind::Echo;
        let target = req.target.clone();
        let (mut status, len, body) = match plan.kind {
            Kind::Fixed | Kind::CloseAfter | Kind::Unavailable => {
                (Status::OK, BodyLen::Fixed(target.len() as u64), target)
            }
            Kind::Chunked => (Status::OK, BodyLen::Chunked, target),
            Kind::Echo if streaming => (Status::OK, BodyLen::Chunked, Vec::new()),
            Kind::Echo => (
                Status::OK,
                BodyLen::Fixed(req.body.len() as u64),
                req.body.clone(),
            ),
            Kind::NoContent => (Status::NO_CONTENT, BodyLen::Fixed(target.len() as u64), target),
            Kind::NotModified => (Status::NOT_MODIFIED, BodyLen::Chunked, target),
            Kind::Short => (Status::OK, BodyLen::Fixed(target.len() as u64 + 1), target),
        };
        if plan.custom && status == Status::OK {
            status = Status::new(299).expect("299 is a status");
        }
        let omitted = req.head_method || status == Status::NO_CONTENT || status == Status::NOT_MODIFIED;
        let expect = Expect {
            status: status.code(),
            head_request: req.head_method,
            declared: len,
            must_close: !req.keep_alive || plan.kind == Kind::CloseAfter,
            http10: req.version == Version::Http10,
            ..Expect::interim()
        };
        if plan.probe {
            self.probe_unstarted();
        }
        if plan.kind == Kind::CloseAfter {
            self.conn.close_after_response();
        }
        let seq = self.requests.to_string();
        let headers = [("Content-Type", "text/plain"), ("X-Seq", seq.as_str())];
        let started = self.retry(|c, o| c.start_response(o, status, None, &headers, len));
        assert_eq!(started, Ok(()), "start_response");
        self.expects.push(expect);
        if let Some(req) = self.req.as_mut() {
            req.started = true;
        }
        if plan.probe {
            self.probe_started(len, omitted);
        }
        self.write_all(&body);
        if !streaming {
            self.finish();
        }
    }

    /// Finishes the started response.
    pub(super) fn finish(&mut self) {
        let req = self.req.take().expect("finish without a request");
        let omitted = self
            .expects
            .last()
            .is_some_and(|e| e.head_request || e.status == 204 || e.status == 304);
        let now = self.now;
        let result = self.retry(|c, o| c.finish(o, now));
        let last = self.expects.last_mut().expect("finish without a response");
        if req.plan.kind == Kind::Short && !omitted {
            assert_eq!(
                result,
                Err(ResponseError::BodyIncomplete),
                "finish of a short body"
            );
            assert!(self.conn.is_closed(), "open after BodyIncomplete");
            last.truncated = true;
            self.notes.push(Note::Incomplete);
            self.stopped = true;
            return;
        }
        let next = result.expect("finish");
        last.next = Some(next);
        last.body_done = req.ended || req.body_len == BodyLen::Fixed(0);
        self.notes.push(Note::Finished(next));
        match next {
            Next::Close => {
                assert!(self.conn.is_closed(), "open after Next::Close");
                self.stopped = true;
            }
            Next::KeepAlive => {
                assert!(!self.conn.is_closed(), "closed after Next::KeepAlive");
                self.clock.keep_alive(now);
                self.probe_idle();
            }
        }
    }

    /// Writes all of `data` as body, flushing when the output is full.
    pub(super) fn write_all(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            match self.call(|c, o| c.write_body(o, data)) {
                Ok(n) => {
                    assert!(n > 0 && n <= data.len(), "write_body took {n} of {}", data.len());
                    let last = self.expects.last_mut().expect("a body without a response");
                    last.body.extend_from_slice(&data[..n]);
                    data = &data[n..];
                }
                Err(ResponseError::OutputFull) if self.used > 0 => self.drain(),
                Err(e) => panic!("write_body: {e:?} with {} bytes of output free", self.mem.len()),
            }
        }
    }

    /// `send_error(status)` for the current request, which closes.
    pub(super) fn send_error(&mut self, status: Status) {
        let head_request = self.req.as_ref().is_some_and(|r| r.head_method);
        assert_eq!(self.retry(|c, o| c.send_error(o, status)), Ok(()), "send_error");
        self.expects.push(Expect::error(status, head_request));
        assert!(self.conn.is_closed(), "open after send_error");
        assert_eq!(self.conn.poll_at(), None, "a deadline after send_error");
        self.clock.awaiting = false;
        self.req = None;
        self.stopped = true;
    }
}
