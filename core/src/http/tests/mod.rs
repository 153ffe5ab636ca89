//! Tests of the whole connection, fed byte slices the way a stream would.
//!
//! [`Driver`] plays the caller: it keeps a read buffer, feeds it to
//! `receive`, drops consumed bytes, answers each request (by default with
//! 200 and the target as body) and records a trace of what happened. A
//! trace does not depend on how the input was split: consecutive body runs
//! are merged and `NeedMore`/`Paused` are not recorded, so
//! [`same_all_ways`] can demand identical traces and output for every split.

mod body;
mod decoders;
mod errors;
mod framing;
mod head;
mod keep_alive;
mod pipeline;
mod prepared;
mod random;
mod response;
mod timeouts;

use std::format;
use std::string::{String, ToString};
use std::vec;
use std::vec::Vec;

use super::{BodyLen, Config, Connection, Event, Next, Output, OutputFull, Status};
use crate::time::Instant;

/// An unbounded [`Output`] for tests.
#[derive(Debug, Default)]
pub(super) struct Sink(pub(super) Vec<u8>);

impl Output for Sink {
    fn spare(&self) -> usize {
        usize::MAX - self.0.len()
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), OutputFull> {
        self.0.extend_from_slice(bytes);
        Ok(())
    }
}

impl Sink {
    /// The output as text, for assertions.
    pub(super) fn text(&self) -> String {
        String::from_utf8_lossy(&self.0).into_owned()
    }
}

/// A connection that has read `input` (one request head, maybe a body) up
/// to its end or a pause, and how many bytes that took.
pub(super) fn after(input: &[u8]) -> (Connection<8>, usize) {
    let mut conn = Connection::new(Config::new(), Instant::ZERO);
    let mut at = 0;
    loop {
        let r = conn.receive(&input[at..], Instant::ZERO).unwrap();
        at += r.consumed;
        if matches!(r.event, Event::NeedMore | Event::Paused | Event::End) {
            return (conn, at);
        }
    }
}

/// How the driver answers a complete request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Answer {
    /// 200, `Content-Length`, body = the target.
    Fixed,
    /// 200, chunked, body = the target.
    Chunked,
    /// Do not answer: leave the request pending.
    Nothing,
}

/// Plays the caller of a [`Connection`].
pub(super) struct Driver {
    pub(super) conn: Connection<8>,
    pub(super) inbox: Vec<u8>,
    pub(super) out: Sink,
    pub(super) trace: Vec<String>,
    pub(super) answer: Answer,
    target: String,
    /// The connection reported an error or `Closed`: a caller stops here.
    stopped: bool,
}

impl Driver {
    pub(super) fn new() -> Driver {
        Driver::with(Config::new())
    }

    pub(super) fn with(config: Config) -> Driver {
        Driver {
            conn: Connection::new(config, Instant::ZERO),
            inbox: Vec::new(),
            out: Sink::default(),
            trace: Vec::new(),
            answer: Answer::Fixed,
            target: String::new(),
            stopped: false,
        }
    }

    fn note(&mut self, line: String) {
        self.trace.push(line);
    }

    /// Appends `bytes` to the read buffer and processes all it can.
    pub(super) fn feed(&mut self, bytes: &[u8], now: Instant) {
        self.inbox.extend_from_slice(bytes);
        self.pump(now);
    }

    /// Calls `receive` until it has nothing more to say.
    pub(super) fn pump(&mut self, now: Instant) {
        while !self.stopped {
            let received = match self.conn.receive(&self.inbox, now) {
                Ok(r) => r,
                Err(e) => {
                    self.stopped = true;
                    let sent = self.conn.send_error(&mut self.out, e.status()).is_ok();
                    self.note(format!(
                        "error {} {:?}{}",
                        e.status().code(),
                        e,
                        if sent { "" } else { " unsent" }
                    ));
                    return;
                }
            };
            assert!(received.consumed <= self.inbox.len(), "consumed past the input");
            let consumed = received.consumed;
            let mut respond = false;
            let line = match received.event {
                Event::Head(head) => {
                    self.target = head.target().to_string();
                    let mut line = format!("head {} {} {:?}", head.method(), head.target(), head.body());
                    if head.expects_continue() {
                        line.push_str(" expects-continue");
                    }
                    Some(line)
                }
                Event::Body(bytes) => {
                    assert!(!bytes.is_empty(), "empty body run");
                    let text = String::from_utf8_lossy(bytes).into_owned();
                    match self.trace.last_mut() {
                        Some(last) if last.starts_with("body ") => {
                            last.push_str(&text);
                            None
                        }
                        _ => Some(format!("body {text}")),
                    }
                }
                Event::End => {
                    respond = true;
                    Some("end".to_string())
                }
                Event::NeedMore | Event::Paused => {
                    self.inbox.drain(..consumed);
                    return;
                }
                Event::Closed => {
                    self.stopped = true;
                    self.note("closed".to_string());
                    return;
                }
            };
            self.inbox.drain(..consumed);
            if let Some(line) = line {
                self.note(line);
            }
            if respond {
                self.respond(now);
            }
        }
    }

    /// Answers the current request as `self.answer` says.
    pub(super) fn respond(&mut self, now: Instant) {
        let target = self.target.clone();
        let body = target.as_bytes();
        let len = match self.answer {
            Answer::Nothing => return,
            Answer::Fixed => BodyLen::Fixed(body.len() as u64),
            Answer::Chunked => BodyLen::Chunked,
        };
        self.conn
            .start_response(&mut self.out, Status::OK, None, &[("X-Target", &target)], len)
            .unwrap();
        let n = self.conn.write_body(&mut self.out, body).unwrap();
        assert_eq!(n, body.len());
        let next = self.conn.finish(&mut self.out, now).unwrap();
        self.note(format!(
            "respond {}",
            if next == Next::KeepAlive { "keep" } else { "close" }
        ));
    }
}

/// Runs `input` through a fresh driver, cut at every `step` bytes.
pub(super) fn run(config: Config, answer: Answer, input: &[u8], step: usize) -> (Vec<String>, String) {
    let mut d = Driver::with(config);
    d.answer = answer;
    for piece in input.chunks(step.max(1)) {
        d.feed(piece, Instant::ZERO);
    }
    (d.trace, d.out.text())
}

/// Feeds `input` whole, one byte at a time and in a few other splits, and
/// demands the same trace and output from each; returns them.
#[track_caller]
pub(super) fn same_all_ways_with(config: Config, answer: Answer, input: &[u8]) -> (Vec<String>, String) {
    let whole = run(config, answer, input, input.len());
    let steps: &[usize] = if cfg!(miri) { &[1] } else { &[1, 2, 3, 7, 64] };
    for &step in steps {
        let split = run(config, answer, input, step);
        assert_eq!(split, whole, "fed {step} bytes at a time");
    }
    whole
}

/// [`same_all_ways_with`] with the default config and fixed-length answers.
#[track_caller]
pub(super) fn same_all_ways(input: &[u8]) -> (Vec<String>, String) {
    same_all_ways_with(Config::new(), Answer::Fixed, input)
}

/// The trace as `&str`s, for comparing with literals.
pub(super) fn lines(trace: &[String]) -> Vec<&str> {
    trace.iter().map(String::as_str).collect()
}

/// The canned 200 response the driver writes for `target`.
pub(super) fn ok(target: &str, extra: &str) -> String {
    format!(
        "HTTP/1.1 200 OK\r\nX-Target: {target}\r\nContent-Length: {}\r\n{extra}\r\n{target}",
        target.len()
    )
}
