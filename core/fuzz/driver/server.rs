//! The server loop: feeds the stream into a bounded read buffer, answers
//! requests as their [`Plan`]s say, and checks each call's result against
//! the documented contract and a model of the timeouts ([`Clock`]).

mod probe;
mod respond;

use core::time::Duration;

use eddy_core::http::{BodyLen, Connection, RequestError, ResponseError, SliceOutput, Version};
use eddy_core::Instant;

use super::clock::Clock;
use super::trace::{Got, Note};
use super::wire::{self, Expect, Response};
use super::{Input, Kind, Plan, Round, When, H};

/// How the stream is cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Feeding {
    /// In the pieces and clock steps the control bytes say.
    Scripted,
    /// All that fits in the read buffer, the clock standing still.
    Whole,
}

/// What a run leaves to compare with the other run.
#[derive(Debug)]
pub(super) struct Outcome {
    pub(super) notes: Vec<Note>,
    pub(super) responses: Vec<Response>,
    /// A header or idle timeout fired before the stream ended.
    pub(super) timed_out: bool,
}

/// The current request, from its head until its response is finished.
#[derive(Debug)]
struct Req {
    plan: Plan,
    head_method: bool,
    version: Version,
    keep_alive: bool,
    body_len: BodyLen,
    target: Vec<u8>,
    body: Vec<u8>,
    /// `Event::End` arrived.
    ended: bool,
    /// A response head was written.
    started: bool,
}

/// The caller of one [`Connection`].
#[derive(Debug)]
pub(super) struct Server<'i> {
    input: &'i Input<'i>,
    feeding: Feeding,
    conn: Connection<H>,
    now: Instant,
    clock: Clock,
    /// The read buffer: unconsumed bytes, at most `input.buf_cap`.
    inbox: Vec<u8>,
    /// Stream bytes moved into the read buffer so far.
    fed: usize,
    rounds: usize,
    /// The output buffer's memory and how much of it is written.
    mem: Vec<u8>,
    used: usize,
    /// Everything flushed from the output buffer: what the client got.
    wire: Vec<u8>,
    expects: Vec<Expect>,
    notes: Vec<Note>,
    req: Option<Req>,
    requests: usize,
    /// The current request waits to be answered in the next round.
    deferred: bool,
    /// The last `receive` said `NeedMore`.
    waiting: bool,
    /// The connection is done with (closed, failed or the peer went away).
    stopped: bool,
    /// The error that failed the connection, if no error response closed it.
    sticky: Option<RequestError>,
    timed_out: bool,
    at_eof: bool,
}

/// `true` for the errors a timeout produces.
fn is_timeout(e: RequestError) -> bool {
    matches!(e, RequestError::HeaderTimeout | RequestError::IdleTimeout)
}

impl<'i> Server<'i> {
    pub(super) fn new(input: &'i Input<'i>, feeding: Feeding) -> Server<'i> {
        let config = input.config;
        let now = Instant::ZERO;
        Server {
            input,
            feeding,
            conn: Connection::new(config, now),
            now,
            clock: Clock {
                awaiting: true,
                deadline: now.saturating_add(config.header_timeout),
                idle: false,
                started: false,
                header: config.header_timeout,
                idle_timeout: config.idle_timeout,
            },
            inbox: Vec::with_capacity(input.buf_cap),
            fed: 0,
            rounds: 0,
            mem: vec![0; input.out_cap],
            used: 0,
            wire: Vec::new(),
            expects: Vec::new(),
            notes: Vec::new(),
            req: None,
            requests: 0,
            deferred: false,
            waiting: false,
            stopped: false,
            sticky: None,
            timed_out: false,
            at_eof: false,
        }
    }

    /// Feeds the whole stream, then checks what went out on the wire.
    pub(super) fn run(mut self) -> Outcome {
        self.probe_idle();
        let stream = self.input.stream;
        let limit = stream.len().saturating_mul(4).saturating_add(64);
        loop {
            self.rounds += 1;
            assert!(self.rounds <= limit, "the server loop made no progress");
            if std::mem::take(&mut self.deferred) {
                self.respond();
            }
            if self.stopped {
                break;
            }
            let round = Round::decode(match self.feeding {
                Feeding::Scripted => self.input.ctrl(self.rounds, Round::WHOLE),
                Feeding::Whole => Round::WHOLE,
            });
            if !round.step.is_zero() {
                self.now = self.now.saturating_add(round.step);
                self.tick();
                if self.stopped {
                    break;
                }
            }
            let room = self.input.buf_cap - self.inbox.len();
            let n = round.piece.min(room).min(stream.len() - self.fed);
            self.inbox.extend_from_slice(&stream[self.fed..self.fed + n]);
            self.fed += n;
            self.pump();
            self.drain();
            if self.stopped {
                break;
            }
            if self.fed == stream.len() && self.waiting && !self.deferred {
                self.eof();
                break;
            }
        }
        self.poke_closed();
        self.drain();
        let responses = wire::check(&self.wire, &self.expects);
        Outcome {
            notes: self.notes,
            responses,
            timed_out: self.timed_out,
        }
    }

    /// Calls `receive` until it wants more input, pauses or stops.
    fn pump(&mut self) {
        self.waiting = false;
        let mut spins = 0;
        while !self.stopped {
            assert_eq!(self.conn.poll_at(), self.clock.poll_at(), "poll_at");
            assert_eq!(self.conn.is_idle(), self.clock.is_idle(), "is_idle");
            let due = self.clock.receive(self.now, self.inbox.len());
            let received = match self.conn.receive(&self.inbox, self.now) {
                Ok(r) => r,
                Err(e) => {
                    match due {
                        Some(t) => assert_eq!(e, t, "a timeout was due"),
                        None => assert!(!is_timeout(e), "{e:?} before its deadline"),
                    }
                    return self.fail(e);
                }
            };
            assert_eq!(due, None, "timeout not reported by receive");
            let consumed = received.consumed;
            assert!(consumed <= self.inbox.len(), "consumed past the input");
            let event = Got::take(received.event, &self.inbox, consumed);
            self.inbox.drain(..consumed);
            if consumed == 0 {
                spins += 1;
                assert!(spins <= 3, "receive made no progress: {event:?}");
            } else {
                spins = 0;
            }
            match event {
                Got::Head(note) => self.on_head(note, consumed),
                Got::Body(bytes) => self.on_body(bytes),
                Got::End => self.on_end(),
                Got::NeedMore => {
                    assert!(
                        self.inbox.len() < self.input.buf_cap,
                        "NeedMore with a full read buffer"
                    );
                    self.waiting = true;
                    return;
                }
                Got::Paused => {
                    assert_eq!(consumed, 0, "consumed while paused");
                    assert!(self.deferred, "paused with no request waiting for its answer");
                    return;
                }
                Got::Closed => {
                    assert_eq!(consumed, 0, "consumed while closed");
                    assert!(self.conn.is_closed(), "Closed from an open connection");
                    self.notes.push(Note::Closed);
                    self.stopped = true;
                    return;
                }
            }
        }
    }

    fn on_head(&mut self, note: Note, consumed: usize) {
        assert!(self.req.is_none(), "a head while a request is open");
        assert!(
            consumed > 0 && consumed <= self.input.config.max_head,
            "head of {consumed} bytes"
        );
        assert_eq!(self.conn.poll_at(), None, "a deadline during a request");
        self.clock.awaiting = false;
        let Note::Head {
            ref method,
            ref target,
            version,
            body,
            keep_alive,
            expects_continue,
        } = note
        else {
            unreachable!()
        };
        if expects_continue {
            assert_eq!(version, Version::Http11, "100-continue for HTTP/1.0");
            assert_ne!(body, BodyLen::Fixed(0), "100-continue without a body");
        }
        if let BodyLen::Fixed(n) = body {
            assert!(n <= self.input.config.max_body, "Content-Length past max_body");
        }
        let plan = Plan::decode(self.input.ctrl(self.requests, 0));
        self.requests += 1;
        self.req = Some(Req {
            plan,
            head_method: method == "HEAD",
            version,
            keep_alive,
            body_len: body,
            target: target.as_bytes().to_vec(),
            body: Vec::new(),
            ended: false,
            started: false,
        });
        self.notes.push(note);
        if plan.invite {
            let wrote = self.retry(|c, o| c.write_continue(o)).expect("write_continue");
            assert_eq!(wrote, expects_continue, "write_continue");
            if wrote {
                self.expects.push(Expect::interim());
            }
            assert_eq!(self.retry(|c, o| c.write_continue(o)), Ok(false), "a second 100");
        }
        if plan.when == When::AtHead {
            self.respond();
        }
    }

    fn on_body(&mut self, bytes: Vec<u8>) {
        let req = self.req.as_mut().expect("a body run without a request");
        assert!(!req.ended, "a body run after the end");
        req.body.extend_from_slice(&bytes);
        assert!(
            req.body.len() as u64 <= self.input.config.max_body,
            "body past max_body"
        );
        let streaming = req.started;
        match self.notes.last_mut() {
            Some(Note::Body(run)) => run.extend_from_slice(&bytes),
            _ => self.notes.push(Note::Body(bytes.clone())),
        }
        if streaming {
            self.write_all(&bytes);
        }
    }

    fn on_end(&mut self) {
        let req = self.req.as_mut().expect("End without a request");
        assert!(!req.ended, "End twice");
        req.ended = true;
        if let BodyLen::Fixed(n) = req.body_len {
            assert_eq!(
                req.body.len() as u64,
                n,
                "body length differs from Content-Length"
            );
        }
        let (when, started) = (req.plan.when, req.started);
        self.notes.push(Note::End);
        match when {
            When::AtEnd => self.respond(),
            When::Deferred => self.deferred = true,
            When::AtHead => {
                assert!(started, "End of a request answered at its head");
                self.finish();
            }
        }
    }

    /// `receive` or `on_timeout` failed with `e`.
    fn fail(&mut self, e: RequestError) {
        self.timed_out |= is_timeout(e) && !self.at_eof;
        self.notes.push(Note::Failed(e));
        self.clock.awaiting = false;
        assert!(self.conn.is_closed(), "{e:?} left the connection open");
        assert_eq!(self.conn.poll_at(), None, "a deadline after {e:?}");
        // The error is sticky, whatever the input.
        assert_eq!(
            self.conn.receive(&self.inbox, self.now).err(),
            Some(e),
            "{e:?} not sticky"
        );
        assert_eq!(
            self.conn.receive(&[], self.now).err(),
            Some(e),
            "{e:?} not sticky"
        );
        assert_eq!(self.conn.on_timeout(self.now), Ok(()), "on_timeout after {e:?}");
        let started = self.req.as_ref().is_some_and(|r| r.started);
        if started {
            let refused = self.call(|c, o| c.send_error(o, e.status()));
            assert_eq!(
                refused,
                Err(ResponseError::AlreadyStarted),
                "send_error mid-response"
            );
            if let Some(last) = self.expects.last_mut() {
                last.truncated = true;
            }
            self.sticky = Some(e);
        } else if e == RequestError::IdleTimeout && self.input.quiet_idle {
            self.sticky = Some(e);
        } else {
            self.send_error(e.status());
        }
        self.stopped = true;
    }

    /// The clock moved: `on_timeout` must fire exactly when the model says.
    fn tick(&mut self) {
        let due = self.clock.expired(self.now);
        let got = self.conn.on_timeout(self.now);
        assert_eq!(got.err(), due, "on_timeout at {}", self.now);
        if let Some(e) = due {
            self.fail(e);
        }
    }

    /// The peer closed its side after the whole stream. Mid-request, a
    /// server just drops the connection; waiting for a head, the timeout
    /// still fires once its time has come.
    fn eof(&mut self) {
        self.at_eof = true;
        if let Some(req) = &self.req {
            if req.started {
                if let Some(last) = self.expects.last_mut() {
                    last.truncated = true;
                }
            }
            return;
        }
        assert!(self.clock.awaiting, "no request and not waiting for one");
        self.now = self.now.saturating_add(Duration::from_secs(3600));
        self.tick();
        assert!(self.stopped, "no timeout an hour after the stream ended");
    }

    /// Runs one response call on the output buffer; a refused call must
    /// not have written anything.
    fn call<T>(
        &mut self,
        f: impl FnOnce(&mut Connection<H>, &mut SliceOutput<'_>) -> Result<T, ResponseError>,
    ) -> Result<T, ResponseError> {
        let mut out = SliceOutput::new(&mut self.mem[self.used..]);
        let result = f(&mut self.conn, &mut out);
        let wrote = out.len();
        assert!(result.is_ok() || wrote == 0, "wrote {wrote} bytes and failed");
        self.used += wrote;
        result
    }

    /// [`call`](Server::call), flushing and retrying on `OutputFull`; an
    /// empty output must always have room.
    fn retry<T>(
        &mut self,
        mut f: impl FnMut(&mut Connection<H>, &mut SliceOutput<'_>) -> Result<T, ResponseError>,
    ) -> Result<T, ResponseError> {
        loop {
            match self.call(&mut f) {
                Err(ResponseError::OutputFull) if self.used > 0 => self.drain(),
                result => return result,
            }
        }
    }

    /// Flushes the output buffer to the wire.
    fn drain(&mut self) {
        self.wire.extend_from_slice(&self.mem[..self.used]);
        self.used = 0;
    }
}
