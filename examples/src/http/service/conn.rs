//! One connection: the core's [`HttpStream`] (a buffered stream over the
//! host's transport plus the sans-I/O HTTP machine), what its current
//! request waits on, and its timer; and the round that drives it.
//!
//! A round (after an event, a timer, or a parked request's answer): hand
//! every complete request in the read buffer to the routes, answering
//! into the write buffer; flush it once; change the registration only if
//! the wanted interest changed; move the deadline timer only if the
//! deadline came earlier. The clock is read once per round.
//!
//! Backpressure: a new request head is parsed only while the write buffer
//! has [`HEAD_ROOM`] bytes free, so every whole response the routes write
//! fits; a long body (`POST /echo`) goes out in pieces as the socket
//! drains ([`Park::Send`]). While a request is parked nothing more is
//! parsed, so a client that does not read cannot make the server buffer
//! without bound.

use eddy_core::http::{BodyLen, Config, Event as HttpEvent, HttpStream, PreparedHead, Reply, ResponseError};
use eddy_core::stream::{IoSource, Transport};
use eddy_core::timer::TimerHandle;
use eddy_core::{Backend, CallbackResult, Event, Instant, Interest, Token};

use super::host::{EventLoop, Host};
use super::request::{self, Request, Route};
use super::routes;

/// Read buffer: a whole request head (8 KiB by default) must fit.
pub(crate) const READ_BUF: usize = 16 * 1024;
/// Write buffer: pipelined responses gather here and leave in one write.
pub(crate) const WRITE_BUF: usize = 16 * 1024;
/// Write space a new request head needs: the largest response written
/// whole — `You requested ` and a target as long as a request head — with
/// its head. `POST /echo` streams instead.
pub(crate) const HEAD_ROOM: usize = 8 * 1024 + 512;
/// Header lines per request.
const HEADERS: usize = 32;

/// A connection's HTTP stream over transport `T`.
pub(crate) type Stream<T> = HttpStream<T, READ_BUF, WRITE_BUF, HEADERS>;

/// What a connection's current request waits on, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Park {
    /// Nothing: the request is being read or answered.
    No,
    /// `GET /sleep` (or `/blocking`): answered by a timer (or the pool).
    Sleep { timer: TimerHandle, ms: u64 },
    /// `GET /wait`: answered by `POST /notify` or the timer.
    Wait { timer: TimerHandle },
    /// A response whose body (`req.body[sent..]`) goes out as the socket
    /// drains.
    Send { sent: usize },
}

/// One connection.
#[derive(Debug)]
pub(crate) struct Conn<T> {
    /// Boxed: the buffers are inline in the stream.
    pub(crate) http: Box<Stream<T>>,
    token: Token,
    /// The registered interest.
    interest: Interest,
    /// The header or idle timeout timer, at or before `http.poll_at()`.
    deadline: Option<(TimerHandle, Instant)>,
    pub(crate) park: Park,
    pub(crate) req: Request,
    /// A request head was handed over and its body is still coming: no
    /// head room is needed before the next event.
    mid_request: bool,
}

impl<T> Conn<T> {
    /// A connection over `transport`, registered for `READABLE` under
    /// `token`, accepted at `now`.
    pub(crate) fn new(transport: T, token: Token, config: Config, now: Instant) -> Conn<T> {
        Conn {
            // The head room is kept here (`serve`), not by the stream: a
            // request without a body is answered at its head, and the
            // stream, which never sees that request end, would hold back
            // no head after it.
            http: Box::new(HttpStream::new(transport, config, now)),
            token,
            interest: Interest::READABLE,
            deadline: None,
            park: Park::No,
            req: Request::default(),
            mid_request: false,
        }
    }

    /// Whether no request is in progress (closing it loses nothing).
    pub(crate) fn is_idle(&self) -> bool {
        let stream = self.http.stream();
        self.park == Park::No
            && self.http.connection().is_idle()
            && stream.is_flushed()
            && stream.buffered().is_empty()
    }

    /// Whether the request waits for a timer, `/notify` or the pool.
    fn is_parked(&self) -> bool {
        matches!(self.park, Park::Sleep { .. } | Park::Wait { .. })
    }

    /// Deregisters and cancels the timers; dropping the transport closes
    /// the socket (or gives it back to the smoltcp pool).
    pub(crate) fn release<B: Backend, A, L: EventLoop<A, Backend = B>>(self, r: &mut L)
    where
        T: IoSource<B>,
    {
        r.deregister(self.http.transport().source(), self.token);
        if let Some((t, _)) = self.deadline {
            r.cancel(t);
        }
        match self.park {
            Park::Sleep { timer, .. } | Park::Wait { timer } => r.cancel(timer),
            Park::No | Park::Send { .. } => {}
        }
    }

    /// Keeps one reactor timer at or before the HTTP machine's `poll_at`.
    ///
    /// The machine's deadline moves with every request (the idle timeout
    /// restarts after each response, the header timeout at each first
    /// byte), but the timer is moved only when the deadline comes earlier
    /// than it: a timer that fires early finds nothing expired and is
    /// armed again at the deadline in force. A keep-alive request
    /// therefore costs no timer operation.
    pub(crate) fn arm_deadline<H: Host>(&mut self, r: &mut H::Loop, index: usize) {
        let Some(want) = self.http.poll_at() else {
            return; // a request is in progress; an armed timer may fire early
        };
        if self.deadline.is_some_and(|(_, at)| at <= want) {
            return;
        }
        if let Some((t, _)) = self.deadline.take() {
            r.cancel(t);
        }
        if let Some(t) = r.call_at(want, deadline_passed::<H>, index) {
            self.deadline = Some((t, want));
        }
    }
}

impl<T: Transport> Conn<T> {
    /// Writes the streamed body on as far as the socket takes it and
    /// finishes the response at its end; whether it is done (un-parked).
    pub(crate) fn send_body(&mut self, now: Instant) -> bool {
        while let Park::Send { sent } = self.park {
            let rest = self.req.body.get(sent..).unwrap_or(&[]);
            if rest.is_empty() {
                self.park = Park::No;
                let _ = self.http.finish(now); // a closing response closes once flushed
                return true;
            }
            match self.http.write_body(rest) {
                Ok(n) => self.park = Park::Send { sent: sent + n },
                Err(ResponseError::OutputFull) => {}
                Err(_) => {
                    // The stream closed under the response (a reset).
                    self.park = Park::No;
                    self.http.close();
                    return false;
                }
            }
            if self.http.write_space() == 0 && self.http.on_writable() == 0 {
                return false; // the socket is full: wait for writable
            }
        }
        true
    }
}

/// Readiness on connection `index`: the transport learns it, the stream
/// reads what arrived, and a round runs.
pub(crate) fn on_ready<H: Host>(s: &mut H, r: &mut H::Loop, ev: Event, index: usize) {
    let Some(conn) = s.service().conn(index) else {
        return;
    };
    conn.http.transport_mut().set_ready(ev.ready);
    if ev.ready.is_readable() {
        conn.http.on_readable();
    }
    // A hang-up or an error while the request waits for its answer (a
    // timer, `/notify`, the pool): nobody is left to take the answer, and
    // a level-triggered backend would report the hang-up on every poll
    // until then. The answer, when it comes, finds the connection gone.
    if (ev.ready.is_write_closed() || ev.ready.is_error()) && conn.is_parked() {
        s.close(r, index);
        return;
    }
    drive(s, r, index);
}

/// What the event handler saw.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Go on: a head, body bytes, or a request answered in the handler.
    Again,
    /// A request is complete and needs the host to be answered.
    Answer,
    /// Short of head room for the next request.
    Paused,
    /// Nothing more to do until readiness.
    Wait,
}

/// What the routes answered from inside the stream's event handler need
/// besides the connection.
#[derive(Clone, Copy)]
struct Here<'a> {
    ok_plain: &'a PreparedHead,
    now: Instant,
    draining: bool,
    blocking: bool,
}

impl<T: Transport> Conn<T> {
    /// Hands the buffered requests to the routes, answering the ones that
    /// need nothing but the connection ([`routes::answer_here`]) on the
    /// spot, until one needs the host ([`Step::Answer`]) or there is
    /// nothing more to do ([`Step::Wait`]).
    fn serve(&mut self, here: Here<'_>) -> Step {
        let Conn {
            http,
            req,
            mid_request,
            ..
        } = self;
        loop {
            // A new head is parsed only with room for its answer.
            if !*mid_request && http.write_space() < HEAD_ROOM {
                http.on_writable();
                if http.write_space() < HEAD_ROOM {
                    return Step::Wait; // the flush goes on when writable
                }
            }
            let step = http.next(here.now, |event, reply| {
                // A head first, and everything else out of line: a `match`
                // on the event compiles to a jump table, whose indirect
                // branch the system calls between rounds leave mispredicted.
                let HttpEvent::Head(head) = event else {
                    return on_other(event, reply, req, mid_request, here);
                };
                // No body: the request is complete with its head.
                // Answering now spares the round that would only report
                // its end; `finish` rewinds the machine to the next head,
                // so that end is never reported. The hot route is answered
                // from the head; any other request is kept.
                let bodiless = head.body() == BodyLen::Fixed(0);
                if bodiless {
                    let route = request::head_route(&head, here.blocking);
                    if answer(reply, route, head.target().as_bytes(), here) == Step::Again {
                        return Step::Again;
                    }
                }
                req.start(&head);
                if bodiless {
                    return Step::Answer;
                }
                // RFC 9110 §10.1.1: the client holds the body back until
                // invited. Every route reads the whole body before
                // answering, so invite it; a body over the limit was
                // already refused (413) with the head.
                if head.expects_continue() {
                    let _ = reply.write_continue();
                }
                *mid_request = true;
                Step::Again
            });
            match step {
                Ok(Step::Again) => {}
                Ok(Step::Answer) => return Step::Answer,
                // Short of head room: flush, and go on if that made room.
                Ok(Step::Paused) if http.on_writable() > 0 => {}
                // Wait for readiness; a request error's response is written
                // (or waits for room) and the stream closes once flushed.
                Ok(Step::Paused | Step::Wait) | Err(_) => return Step::Wait,
            }
        }
    }
}

/// Answers `route` on the spot if [`routes::answer_here`] can
/// ([`Step::Again`]); otherwise the host answers it ([`Step::Answer`]).
fn answer(reply: &mut Reply<'_, WRITE_BUF, HEADERS>, route: Route, target: &[u8], here: Here<'_>) -> Step {
    match routes::answer_here(reply, route, target, here.ok_plain, here.now, here.draining) {
        true => Step::Again,
        false => Step::Answer,
    }
}

/// The handler's answer to every event but a head: body bytes join the
/// request, its end answers it.
#[inline(never)]
fn on_other(
    event: HttpEvent<'_, HEADERS>,
    reply: &mut Reply<'_, WRITE_BUF, HEADERS>,
    req: &mut Request,
    mid_request: &mut bool,
    here: Here<'_>,
) -> Step {
    match event {
        HttpEvent::Body(bytes) => {
            req.body(bytes);
            Step::Again
        }
        HttpEvent::End => {
            *mid_request = false;
            answer(reply, req.route(here.blocking), &req.target, here)
        }
        HttpEvent::Paused => Step::Paused,
        // A head is answered by the caller.
        HttpEvent::Head(_) | HttpEvent::NeedMore | HttpEvent::Closed => Step::Wait,
    }
}

/// A round: answers whatever the buffered input allows, then flushes.
/// Called after events, and after a parked request is answered.
pub(crate) fn drive<H: Host>(s: &mut H, r: &mut H::Loop, index: usize) {
    // One clock read per round: everything it answers happens "now".
    let now = r.now();
    let draining = s.shutting_down();
    loop {
        let svc = s.service();
        let Some(conn) = svc.conns.get_mut(index).and_then(Option::as_mut) else {
            return;
        };
        let free = match conn.park {
            Park::No => true,
            Park::Send { .. } => conn.send_body(now),
            Park::Sleep { .. } | Park::Wait { .. } => false,
        };
        if !free {
            break;
        }
        let here = Here {
            ok_plain: &svc.ok_plain,
            now,
            draining,
            blocking: H::BLOCKING,
        };
        match conn.serve(here) {
            Step::Answer => routes::answer(s, r, index, now),
            Step::Again | Step::Paused | Step::Wait => break,
        }
    }
    settle(s, r, index);
}

/// The end of a round: one flush, then close, or keep the registration
/// and the deadline timer in step.
fn settle<H: Host>(s: &mut H, r: &mut H::Loop, index: usize) {
    let draining = s.shutting_down();
    let Some(conn) = s.service().conn(index) else {
        return;
    };
    // Everything answered in this round leaves in one write.
    conn.http.on_writable();
    // Shutting down: an idle connection has nothing left to finish.
    if conn.http.poll_close().is_some() || (draining && conn.is_idle()) {
        s.close(r, index);
        return;
    }
    // A stream that wants nothing (its read buffer full or its peer done,
    // nothing to send) waits for a timer or another connection to start
    // its next round; it keeps no interest, which a level-triggered
    // backend (`poll(2)`) would otherwise report on every poll.
    let want = conn.http.desired_interest().unwrap_or(Interest::NONE);
    if want != conn.interest {
        if !r.set_interest(conn.http.transport().source(), conn.token, want) {
            s.close(r, index);
            return;
        }
        conn.interest = want;
    }
    conn.arm_deadline::<H>(r, index);
}

/// The header or idle timeout timer.
fn deadline_passed<H: Host>(s: &mut H, r: &mut H::Loop, index: usize) -> CallbackResult {
    let now = r.now();
    let Some(conn) = s.service().conn(index) else {
        return Ok(());
    };
    conn.deadline = None;
    // A connection on which nothing of a request has arrived is simply
    // closed (RFC 9112 §9.5), be it fresh (the header timeout counts from
    // the accept) or idle between requests: a client sending its next
    // request just then cannot take a 408 for that request's answer.
    if conn.is_idle() && conn.http.poll_at().is_some_and(|at| at <= now) {
        conn.http.close();
        settle(s, r, index);
        return Ok(());
    }
    // A header timeout writes 408 and closes once flushed; a stalled
    // reader or an expired linger closes at once. `settle` sees to both
    // and arms the next deadline.
    let _ = conn.http.on_timeout(now);
    settle(s, r, index);
    Ok(())
}
