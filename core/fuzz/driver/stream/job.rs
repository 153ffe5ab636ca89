//! One request's answer through [`Reply`]: the response its [`Plan`] picks,
//! written as far as the write buffer allows each time it is stepped, with
//! what the client must see recorded as an [`Expect`].

use eddy_core::http::{BodyLen, PreparedHead, Reply, RequestHead, ResponseError, Status, Version};
use eddy_core::Instant;

use super::super::wire::Expect;
use super::{Kind, Plan, H};

/// Where a job stands after a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Step {
    /// Waiting for room in the write buffer, or for the request's end.
    Waiting,
    /// The response is complete (or `finish` closed it short).
    Done,
    /// The stream is closed: the response stops where it is.
    Closed,
}

/// A request being answered.
#[derive(Debug)]
pub(super) struct Job {
    plan: Plan,
    status: Status,
    head_method: bool,
    keep_alive: bool,
    http10: bool,
    /// The body still to write.
    body: Vec<u8>,
    /// `Event::End` arrived.
    pub(super) ended: bool,
    /// The head was written (its `Expect` is the last one).
    pub(super) started: bool,
    seq: String,
}

impl Job {
    /// The job for the request `head`, the `seq`-th.
    pub(super) fn new(plan: Plan, head: &RequestHead<'_, H>, seq: usize) -> Job {
        let target = head.target().as_bytes();
        let len = [target.len(), 0, 300, 1500][plan.size];
        let body = (0..len)
            .map(|i| target.get(i).copied().unwrap_or(b'a' + (i % 26) as u8))
            .collect();
        let status = [200, 204, 304, 299][plan.status];
        Job {
            plan,
            status: Status::new(status).expect("a final status"),
            head_method: head.is_head(),
            keep_alive: head.keep_alive(),
            http10: head.version() == Version::Http10,
            body,
            ended: false,
            started: false,
            seq: seq.to_string(),
        }
    }

    /// Whether it is answered after the handler returned.
    pub(super) fn outside(&self) -> bool {
        self.plan.outside
    }

    /// Whether its response may start at the request's head.
    pub(super) fn at_head(&self) -> bool {
        self.plan.at_head
    }

    /// Whether the request was a `HEAD`.
    pub(super) fn head_method(&self) -> bool {
        self.head_method
    }

    fn expect(&self, declared: BodyLen) -> Expect {
        Expect {
            status: self.status.code(),
            head_request: self.head_method,
            declared,
            must_close: !self.keep_alive || self.plan.kind == Kind::CloseAfter,
            http10: self.http10,
            seq: Some(self.seq.clone()),
            ..Expect::interim()
        }
    }

    fn declared(&self) -> BodyLen {
        let len = self.body.len() as u64;
        match self.plan.kind {
            Kind::Chunked => BodyLen::Chunked,
            Kind::Short => BodyLen::Fixed(len + 1),
            _ => BodyLen::Fixed(len),
        }
    }

    /// Writes what fits now; panics on a result a legal call must not get.
    pub(super) fn step<const W: usize>(
        &mut self,
        reply: &mut Reply<'_, W, H>,
        expects: &mut Vec<Expect>,
        now: Instant,
    ) -> Step {
        if !self.started {
            match self.start(reply, expects, now) {
                Ok(Some(step)) => return step,
                Ok(None) => {}
                Err(ResponseError::OutputFull) => return Step::Waiting,
                Err(ResponseError::Closed) => return Step::Closed,
                Err(e) => panic!("starting {:?}: {e:?}", self.plan),
            }
        }
        while !self.body.is_empty() {
            let piece = self.body.len().min(self.plan.piece);
            match reply.write_body(&self.body[..piece]) {
                Ok(n) => {
                    assert!(n > 0 && n <= piece, "write_body took {n} of {piece}");
                    let last = expects.last_mut().expect("a started response");
                    last.body.extend_from_slice(&self.body[..n]);
                    self.body.drain(..n);
                }
                Err(ResponseError::OutputFull) => return Step::Waiting,
                Err(ResponseError::Closed) => return Step::Closed,
                Err(e) => panic!("write_body: {e:?}"),
            }
        }
        if !self.ended {
            return Step::Waiting;
        }
        let finished = reply.finish(now);
        let last = expects.last_mut().expect("a started response");
        let omitted = last.head_request || last.status == 204 || last.status == 304;
        match finished {
            Err(ResponseError::BodyIncomplete) if self.plan.kind == Kind::Short && !omitted => {
                last.truncated = true;
                Step::Done
            }
            Ok(next) if self.plan.kind != Kind::Short || omitted => {
                last.next = Some(next);
                last.body_done = true;
                Step::Done
            }
            Err(ResponseError::OutputFull) => Step::Waiting,
            Err(ResponseError::Closed) => Step::Closed,
            other => panic!("finish of {:?}: {other:?}", self.plan),
        }
    }

    /// Writes the head (or, for `Respond` and `Error`, the whole response);
    /// `Some` when that settled the job.
    fn start<const W: usize>(
        &mut self,
        reply: &mut Reply<'_, W, H>,
        expects: &mut Vec<Expect>,
        now: Instant,
    ) -> Result<Option<Step>, ResponseError> {
        let headers = [("Content-Type", "text/plain"), ("X-Seq", self.seq.as_str())];
        let declared = self.declared();
        match self.plan.kind {
            Kind::Error => {
                let status = Status::SERVICE_UNAVAILABLE;
                reply.send_error(status)?;
                expects.push(Expect::error(status, self.head_method));
                return Ok(Some(Step::Done));
            }
            Kind::Respond if self.ended => {
                let head = PreparedHead::<128>::new(self.status, None, &headers)?;
                let (a, b) = self.body.split_at(self.body.len() / 2);
                match reply.respond(&head, &[a, b], now) {
                    Ok(next) => {
                        let mut expect = self.expect(declared);
                        expect.body = self.body.clone();
                        expect.next = Some(next);
                        expect.body_done = true;
                        expects.push(expect);
                        return Ok(Some(Step::Done));
                    }
                    // Too big for the buffer even when empty: in pieces.
                    Err(ResponseError::OutputFull) if reply.write_space() == W => {
                        reply.start_prepared(&head, declared)?;
                    }
                    Err(e) => return Err(e),
                }
            }
            Kind::Respond | Kind::Prepared => {
                let head = PreparedHead::<128>::new(self.status, None, &headers)?;
                reply.start_prepared(&head, declared)?;
            }
            Kind::CloseAfter | Kind::Fixed | Kind::Chunked | Kind::Short => {
                if self.plan.kind == Kind::CloseAfter {
                    reply.close_after_response();
                }
                reply.start_response(self.status, None, &headers, declared)?;
            }
        }
        self.started = true;
        expects.push(self.expect(declared));
        Ok(None)
    }
}
