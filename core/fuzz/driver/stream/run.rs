//! The rounds: the peer sends a piece, the clock moves, readiness comes
//! in, events are answered, the peer drains; then the final rounds until
//! the stream closes, and the check of everything the peer received.

use eddy_core::event::Ready;
use eddy_core::http::{Event, HttpStream, Reply, RequestError, ResponseError};
use eddy_core::stream::{CloseReason, MemTransport};
use eddy_core::Instant;

use super::super::wire::{self, Expect};
use super::super::Round;
use super::job::{Job, Step};
use super::{Input, Peer, Plan, H};

/// Bytes the transport queues each way.
const PIPE: usize = 4096;

/// Everything but the stream: what the event handler works on.
#[derive(Debug)]
struct State<'i> {
    input: &'i Input<'i>,
    expects: Vec<Expect>,
    job: Option<Job>,
    requests: usize,
    /// The last event was `NeedMore`.
    need_more: bool,
}

/// The caller of one [`HttpStream`] with an `R`-byte read buffer and a
/// `W`-byte write buffer.
pub(super) struct Driver<'i, const R: usize, const W: usize> {
    http: HttpStream<MemTransport<PIPE>, R, W, H>,
    st: State<'i>,
    now: Instant,
    fed: usize,
    rounds: usize,
    /// Everything the peer drained.
    wire: Vec<u8>,
    failed: Option<RequestError>,
    eof: bool,
    reset: bool,
    /// The reason `poll_close` gave, and the bytes written by then.
    closed: Option<(CloseReason, usize)>,
    /// When the stream was first seen closing (or failed) with output
    /// left: a close for a timeout must come a header timeout later (the
    /// linger) ...
    closing_since: Option<Instant>,
    /// ... or a send timeout after the peer last took a byte while output
    /// waited (the send watch): when that was, and the stream's flushed
    /// count then.
    progress: (Instant, u64),
}

impl<'i, const R: usize, const W: usize> Driver<'i, R, W> {
    pub(super) fn new(input: &'i Input<'i>, head_room: usize) -> Self {
        let now = Instant::ZERO;
        let http = HttpStream::new(MemTransport::new(), input.config, now).with_head_room(head_room);
        Driver {
            http,
            st: State {
                input,
                expects: Vec::new(),
                job: None,
                requests: 0,
                need_more: false,
            },
            now,
            fed: 0,
            rounds: 0,
            wire: Vec::new(),
            failed: None,
            eof: false,
            reset: false,
            closed: None,
            closing_since: None,
            progress: (now, 0),
        }
    }

    /// Feeds the whole input, then flushes and waits until the stream
    /// closes, and checks the wire; returns how many responses the peer
    /// decoded.
    pub(super) fn run(mut self) -> usize {
        let input = self.st.input;
        let bound = 4 * input.stream.len() + 64;
        // Scripted rounds until a while after the peer's end-of-file.
        let mut after_eof = 0;
        while after_eof < 16 && self.closed.is_none() && self.rounds < bound {
            after_eof += usize::from(self.eof);
            let round = Round::decode(input.ctrl(self.rounds, Round::WHOLE));
            let peer = Peer::decode(input.ctrl(self.rounds + 5, 0));
            self.round(round, peer);
        }
        let flush = Round::decode(Round::WHOLE);
        for _ in 0..4096 {
            if self.closed.is_some() {
                break;
            }
            self.round(flush, Peer::FLUSH);
        }
        self.check()
    }

    fn round(&mut self, round: Round, peer: Peer) {
        self.rounds += 1;
        if peer.reset && !self.reset {
            self.http.transport_mut().peer_reset();
            self.reset = true;
        }
        self.now = self.now.saturating_add(round.step);
        if peer.to_deadline {
            self.now = self.now.max(self.http.poll_at().unwrap_or(self.now));
        }
        if let Err(e) = self.http.on_timeout(self.now) {
            self.failed_with(e);
        }
        self.feed(round.piece, peer.eof);
        self.http.transport_mut().set_write_limit(peer.write_limit);
        let ready = if self.reset {
            Ready::ERROR
        } else {
            Ready::READABLE.add(Ready::WRITABLE)
        };
        self.http.on_event(ready);
        self.outside();
        self.events();
        self.drain(peer.drain);
        self.http.on_event(Ready::WRITABLE);
        self.outside();
        self.events();
        self.check_close();
    }

    /// The peer sends the next piece (what fits), and shuts its side once
    /// all is sent or `eof` says.
    fn feed(&mut self, piece: usize, eof: bool) {
        if self.eof || self.reset {
            return;
        }
        let rest = &self.st.input.stream[self.fed..];
        let t = self.http.transport_mut();
        let n = rest.len().min(piece).min(PIPE - t.inbound_len());
        if n > 0 && t.peer_send(&rest[..n]).is_ok() {
            self.fed += n;
        }
        if eof || self.fed == self.st.input.stream.len() {
            t.peer_close();
            self.eof = true;
        }
    }

    /// Steps a job that waits outside the handler (answered after it, or
    /// held up by a full write buffer).
    fn outside(&mut self) {
        if self.st.job.is_some() {
            let now = self.now;
            self.st.step(&mut self.http.reply(), now);
        }
    }

    /// Hands events to the handler until it waits.
    fn events(&mut self) {
        for _ in 0..64 {
            let now = self.now;
            let st = &mut self.st;
            match self.http.next(now, |event, reply| st.handle(event, reply, now)) {
                Ok(true) => {}
                Ok(false) => {
                    // A full read buffer the connection cannot use is an
                    // error (a head or chunk line too long), never a wait.
                    let full = self.http.buffered().len() >= R;
                    assert!(!(self.st.need_more && full), "NeedMore with a full read buffer");
                    return;
                }
                Err(e) => return self.failed_with(e),
            }
        }
    }

    /// A request error: sticky, answered by its error response unless a
    /// response was under way (then that one stops short).
    fn failed_with(&mut self, e: RequestError) {
        if let Some(first) = self.failed {
            assert_eq!(first, e, "the request error changed");
            return;
        }
        self.failed = Some(e);
        match self.st.job.take() {
            Some(job) if job.started => self.st.cut_last(),
            job if e != RequestError::IdleTimeout => {
                let head = job.is_some_and(|j| j.head_method());
                self.st.expects.push(Expect::error(e.status(), head));
            }
            _ => {}
        }
    }

    /// The peer reads up to `n` bytes.
    fn drain(&mut self, n: usize) {
        let t = self.http.transport_mut();
        let k = n.min(t.outbound().len());
        self.wire.extend_from_slice(&t.outbound()[..k]);
        t.peer_drain(k);
    }

    fn written(&self) -> usize {
        self.wire.len() + self.http.transport().outbound().len()
    }

    /// `poll_close` reports once; nothing is written after it.
    fn check_close(&mut self) {
        let closing = self.http.stream().is_closing() || self.http.error().is_some();
        if closing && !self.http.is_closed() && self.closing_since.is_none() {
            self.closing_since = Some(self.now);
        }
        if let Some(reason) = self.http.poll_close() {
            assert!(self.closed.is_none(), "poll_close reported twice");
            assert!(self.http.is_closed(), "poll_close on an open stream");
            if reason == CloseReason::Timeout {
                let config = self.st.input.config;
                let lingered = self
                    .closing_since
                    .is_some_and(|since| self.now >= since.saturating_add(config.header_timeout));
                let stalled = self.now >= self.progress.0.saturating_add(config.send_timeout);
                assert!(
                    lingered || stalled,
                    "closed for a timeout before the linger or the send timeout ran out"
                );
            }
            self.closed = Some((reason, self.written()));
        }
        // Progress, seen after the close is judged: nothing waits, or the
        // peer took bytes since the last round.
        let stream = self.http.stream();
        if self.closed.is_none() && (stream.is_flushed() || stream.flushed() != self.progress.1) {
            self.progress = (self.now, stream.flushed());
        }
        if let Some((_, at)) = self.closed {
            assert_eq!(self.written(), at, "bytes written after the close");
        }
    }

    /// The end: closed, refusing calls, and the wire as expected.
    fn check(mut self) -> usize {
        let Some((reason, _)) = self.closed else {
            panic!(
                "still open after the peer sent, drained and waited out everything: {:?}",
                self.http.connection()
            );
        };
        assert_eq!(self.http.poll_close(), None, "poll_close reported twice");
        assert_eq!(self.http.write_body(b"x"), Err(ResponseError::Closed));
        assert_eq!(
            self.http.send_error(eddy_core::http::Status::BAD_REQUEST),
            Err(ResponseError::Closed)
        );
        self.drain(usize::MAX);
        if self.st.job.as_ref().is_some_and(|j| j.started) {
            self.st.cut_last();
        }
        let cut = self.reset
            || matches!(
                reason,
                CloseReason::Timeout | CloseReason::Reset | CloseReason::Error(_) | CloseReason::BufferFull
            );
        let decoded = if cut {
            wire::check_prefix(&self.wire, &self.st.expects)
        } else {
            wire::check(&self.wire, &self.st.expects)
        };
        decoded.len()
    }
}

impl State<'_> {
    /// One event; `true` to ask for the next.
    fn handle<const W: usize>(
        &mut self,
        event: Event<'_, H>,
        reply: &mut Reply<'_, W, H>,
        now: Instant,
    ) -> bool {
        self.need_more = matches!(event, Event::NeedMore);
        match event {
            Event::Head(head) => {
                assert!(self.job.is_none(), "a request head while a response is due");
                let i = self.requests;
                let plan = Plan::decode(self.input.ctrl(i, 1), self.input.ctrl(i + 1, 0));
                self.requests += 1;
                if plan.invite && head.expects_continue() {
                    match reply.write_continue() {
                        Ok(true) => self.expects.push(Expect::interim()),
                        Ok(false) | Err(ResponseError::OutputFull) => {}
                        Err(e) => panic!("write_continue: {e:?}"),
                    }
                }
                self.job = Some(Job::new(plan, &head, i));
                if plan.at_head {
                    self.step(reply, now);
                }
                true
            }
            Event::Body(_) => true,
            Event::End => {
                if let Some(job) = self.job.as_mut() {
                    job.ended = true;
                    if !job.outside() {
                        self.step(reply, now);
                    }
                }
                true
            }
            Event::Paused => {
                if self.job.as_ref().is_some_and(|j| !j.outside()) {
                    self.step(reply, now);
                }
                false
            }
            Event::NeedMore => false,
            Event::Closed => {
                if self.job.take().is_some_and(|j| j.started) {
                    self.cut_last();
                }
                false
            }
        }
    }

    /// Steps the job, if it may write now.
    fn step<const W: usize>(&mut self, reply: &mut Reply<'_, W, H>, now: Instant) {
        let Some(job) = self.job.as_mut() else { return };
        if !job.ended && !job.at_head() {
            return;
        }
        match job.step(reply, &mut self.expects, now) {
            Step::Waiting => {}
            Step::Done => self.job = None,
            Step::Closed => {
                if self.job.take().is_some_and(|j| j.started) {
                    self.cut_last();
                }
            }
        }
    }

    /// The last response stops where the stream stopped.
    fn cut_last(&mut self) {
        if let Some(last) = self.expects.last_mut() {
            last.truncated = true;
        }
    }
}
