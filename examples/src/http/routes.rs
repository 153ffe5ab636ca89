//! What each request gets: the seeds' routes.
//!
//! | request | answer |
//! | --- | --- |
//! | `GET /<anything>` | 200 `You requested <target>\n` |
//! | `HEAD <target>` | the GET's status and headers, no body |
//! | `POST /echo` | 200 with the request body |
//! | `GET /sleep?ms=N` | `slept N ms\n` after N ms (0..=60000, else 400) |
//! | `GET /wait[?timeout_ms=N]` | the next `POST /notify` body, or 504 `timeout\n` |
//! | `POST /notify` | wakes every waiter; `notified K\n` |
//! | `GET /pid` | the serving process id |
//! | `GET /blocking?ms=N` | `blocked N ms\n` after a blocking sleep on the thread pool (0..=60000, else 400) |
//! | other methods | 405 with `Allow: GET, HEAD, POST` |

use std::time::Duration;

use eddy_core::http::{BodyLen, RequestHead, Status};
use eddy_core::{Callback, CallbackResult, Instant};

use super::conn::{drive, Park};
use super::server::{Loop, Server};

const ALLOW: &str = "GET, HEAD, POST";
/// The headers of every response but the 405's: checked once at start-up
/// into `Server::text_plain`.
pub(crate) const TEXT_PLAIN: &[(&str, &str)] = &[("Content-Type", "text/plain")];
const MAX_SLEEP_MS: u64 = 60_000;
const DEFAULT_WAIT_MS: u64 = 30_000;

/// The request being answered: what `answer` needs once the body is in.
/// Its buffers are reused request after request.
#[derive(Debug, Default)]
pub(crate) struct Request {
    method: Method,
    target: Vec<u8>,
    body: Vec<u8>,
    keep_body: bool,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Method {
    #[default]
    Get,
    Head,
    Post,
    Other,
}

impl Request {
    /// A new request head: remember the method and target.
    pub(crate) fn start<const H: usize>(&mut self, head: &RequestHead<'_, H>, _max_body: u64) {
        self.method = match head.method() {
            "GET" => Method::Get,
            "HEAD" => Method::Head,
            "POST" => Method::Post,
            _ => Method::Other,
        };
        self.target.clear();
        self.target.extend_from_slice(head.target().as_bytes());
        self.body.clear();
        self.keep_body = self.method == Method::Post;
    }

    /// Body bytes; the HTTP machine has already enforced the size limit.
    pub(crate) fn body(&mut self, bytes: &[u8]) {
        if self.keep_body {
            self.body.extend_from_slice(bytes);
        }
    }

    fn path(&self) -> &[u8] {
        let end = self
            .target
            .iter()
            .position(|&b| b == b'?')
            .unwrap_or(self.target.len());
        &self.target[..end]
    }

    /// The value of query parameter `name`, if present.
    fn query(&self, name: &str) -> Option<&[u8]> {
        let q = self.target.iter().position(|&b| b == b'?')?;
        self.target[q + 1..].split(|&b| b == b'&').find_map(|pair| {
            let eq = pair.iter().position(|&b| b == b'=')?;
            (&pair[..eq] == name.as_bytes()).then(|| &pair[eq + 1..])
        })
    }
}

fn parse_ms(v: Option<&[u8]>, default: Option<u64>) -> Option<u64> {
    match v {
        None => default,
        Some(v) => std::str::from_utf8(v)
            .ok()?
            .parse::<u64>()
            .ok()
            .filter(|&ms| ms <= MAX_SLEEP_MS),
    }
}

/// Where a request goes, decided before any reply borrows the server.
enum Route {
    NotAllowed,
    Echo,
    Notify,
    NotFound,
    Sleep(Option<u64>),
    Wait(Option<u64>),
    Pid,
    Blocking(Option<u64>),
    Requested,
}

impl Request {
    fn route(&self) -> Route {
        match (self.method, self.path()) {
            (Method::Other, _) => Route::NotAllowed,
            (Method::Post, b"/echo") => Route::Echo,
            (Method::Post, b"/notify") => Route::Notify,
            (Method::Post, _) => Route::NotFound,
            (_, b"/sleep") => Route::Sleep(parse_ms(self.query("ms"), None)),
            (_, b"/wait") => Route::Wait(parse_ms(self.query("timeout_ms"), Some(DEFAULT_WAIT_MS))),
            (_, b"/pid") => Route::Pid,
            (_, b"/blocking") => Route::Blocking(parse_ms(self.query("ms"), None)),
            _ => Route::Requested,
        }
    }
}

/// Answers the request that has just been read completely, at `now` (the
/// caller's clock reading: one per batch of pipelined requests).
pub(crate) fn answer(s: &mut Server, r: &mut Loop, index: usize, now: Instant) {
    let draining = s.shutting_down();
    let Some(conn) = s.conns.get_mut(index).and_then(Option::as_mut) else {
        return;
    };
    if draining {
        conn.http.close_after_response();
    }
    match conn.req.route() {
        Route::NotAllowed => {
            conn.http.close_after_response();
            reply(
                s,
                r,
                index,
                now,
                Status::METHOD_NOT_ALLOWED,
                &[("Allow", ALLOW)],
                &[b"method not allowed\n"],
            );
        }
        Route::Echo => {
            let body = std::mem::take(&mut conn.req.body);
            reply(s, r, index, now, Status::OK, &[], &[&body]);
            if let Some(conn) = s.conns.get_mut(index).and_then(Option::as_mut) {
                conn.req.body = body; // keep the capacity for the next request
            }
        }
        Route::Notify => notify(s, r, index, now),
        Route::NotFound => reply(s, r, index, now, Status::NOT_FOUND, &[], &[b"not found\n"]),
        Route::Sleep(Some(ms)) => {
            match r.call_later(Duration::from_millis(ms), Callback::new(sleep_done, index)) {
                Ok(timer) => conn.park = Park::Sleep { timer, ms },
                Err(_) => reply_error(s, r, index, Status::SERVICE_UNAVAILABLE),
            }
        }
        Route::Wait(Some(ms)) => {
            match r.call_later(Duration::from_millis(ms), Callback::new(wait_timed_out, index)) {
                Ok(timer) => {
                    conn.park = Park::Wait { timer };
                    s.waiters.push(index);
                }
                Err(_) => reply_error(s, r, index, Status::SERVICE_UNAVAILABLE),
            }
        }
        Route::Blocking(Some(ms)) => super::blocking::start(s, r, index, ms),
        Route::Sleep(None) | Route::Wait(None) | Route::Blocking(None) => {
            reply_error(s, r, index, Status::BAD_REQUEST)
        }
        Route::Pid => {
            let pid = format!("{}\n", std::process::id());
            reply(s, r, index, now, Status::OK, &[], &[pid.as_bytes()]);
        }
        Route::Requested => {
            let target = std::mem::take(&mut conn.req.target);
            reply(
                s,
                r,
                index,
                now,
                Status::OK,
                &[],
                &[b"You requested ", &target, b"\n"],
            );
            if let Some(conn) = s.conns.get_mut(index).and_then(Option::as_mut) {
                conn.req.target = target;
            }
        }
    }
}

/// Writes a complete `text/plain` response made of `parts` and finishes it
/// at `now` (the idle timeout starts there).
pub(super) fn reply(
    s: &mut Server,
    _: &mut Loop,
    index: usize,
    now: Instant,
    status: Status,
    headers: &[(&str, &str)],
    parts: &[&[u8]],
) {
    let plain = s.text_plain;
    let Some(conn) = s.conns.get_mut(index).and_then(Option::as_mut) else {
        return;
    };
    if status == Status::OK && headers.is_empty() {
        // The usual case: head rendered at start-up, the response written
        // whole in one call (it fits: the output grows to the body limit).
        match conn.http.respond(&mut conn.out, &s.ok_plain, parts, now) {
            Ok(eddy_core::http::Next::KeepAlive) => {}
            _ => conn.closing = true,
        }
        return;
    }
    let len: usize = parts.iter().map(|p| p.len()).sum();
    let started = if headers.is_empty() {
        // The usual case: only the Content-Type, checked at start-up.
        conn.http
            .start_response_checked(&mut conn.out, status, None, plain, BodyLen::Fixed(len as u64))
    } else {
        let mut all: [(&str, &str); 4] = [TEXT_PLAIN[0]; 4];
        let n = headers.len().min(3);
        all[1..=n].copy_from_slice(&headers[..n]);
        conn.http.start_response(
            &mut conn.out,
            status,
            None,
            &all[..=n],
            BodyLen::Fixed(len as u64),
        )
    };
    let ok = started.is_ok()
        && parts
            .iter()
            .all(|p| conn.http.write_body(&mut conn.out, p).is_ok_and(|w| w == p.len()));
    match ok.then(|| conn.http.finish(&mut conn.out, now)) {
        Some(Ok(eddy_core::http::Next::KeepAlive)) => {}
        _ => conn.closing = true,
    }
}

/// An error status with a closed connection (every error closes).
pub(super) fn reply_error(s: &mut Server, _: &mut Loop, index: usize, status: Status) {
    if let Some(conn) = s.conns.get_mut(index).and_then(Option::as_mut) {
        let _ = conn.http.send_error(&mut conn.out, status);
        conn.closing = true;
    }
}

fn sleep_done(s: &mut Server, r: &mut Loop, index: usize) -> CallbackResult {
    let Some(conn) = s.conns.get_mut(index).and_then(Option::as_mut) else {
        return Ok(());
    };
    let Park::Sleep { ms, .. } = conn.park else {
        return Ok(());
    };
    conn.park = Park::No;
    let text = format!("slept {ms} ms\n");
    let now = r.now();
    reply(s, r, index, now, Status::OK, &[], &[text.as_bytes()]);
    drive(s, r, index);
    Ok(())
}

fn wait_timed_out(s: &mut Server, r: &mut Loop, index: usize) -> CallbackResult {
    let Some(conn) = s.conns.get_mut(index).and_then(Option::as_mut) else {
        return Ok(());
    };
    if !matches!(conn.park, Park::Wait { .. }) {
        return Ok(());
    }
    conn.park = Park::No;
    s.waiters.retain(|&w| w != index);
    let now = r.now();
    reply(s, r, index, now, Status::GATEWAY_TIMEOUT, &[], &[b"timeout\n"]);
    drive(s, r, index);
    Ok(())
}

/// `POST /notify`: every waiter gets the body; the notifier gets the count.
fn notify(s: &mut Server, r: &mut Loop, index: usize, now: Instant) {
    let Some(conn) = s.conns.get_mut(index).and_then(Option::as_mut) else {
        return;
    };
    let body = std::mem::take(&mut conn.req.body);
    let waiters = std::mem::take(&mut s.waiters);
    let mut woken = 0;
    for &w in &waiters {
        let Some(waiter) = s.conns.get_mut(w).and_then(Option::as_mut) else {
            continue;
        };
        if let Park::Wait { timer } = waiter.park {
            r.cancel(timer);
            waiter.park = Park::No;
            reply(s, r, w, now, Status::OK, &[], &[&body]);
            drive(s, r, w);
            woken += 1;
        }
    }
    s.waiters = waiters;
    s.waiters.clear();
    let text = format!("notified {woken}\n");
    reply(s, r, index, now, Status::OK, &[], &[text.as_bytes()]);
    if let Some(conn) = s.conns.get_mut(index).and_then(Option::as_mut) {
        conn.req.body = body;
    }
}
