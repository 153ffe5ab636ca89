//! What each request gets (the table is in [`request`](super::request)):
//! whole responses for the short answers, a streamed body for `POST /echo`
//! and `/wait`'s notification, and the parking of `/sleep` and `/wait`.

use std::time::Duration;

use eddy_core::http::{BodyLen, PreparedHead, Reply, ResponseError, Status};
use eddy_core::{CallbackResult, Instant};

use super::conn::{drive, Park, Stream};
use super::host::{EventLoop, Host};
use super::request::{Route, ALLOW, TEXT_PLAIN};

/// Answers the request that has just been read completely, at `now` (the
/// round's clock reading).
pub(crate) fn answer<H: Host>(s: &mut H, r: &mut H::Loop, index: usize, now: Instant) {
    let draining = s.shutting_down();
    let Some(conn) = s.service().conn(index) else {
        return;
    };
    if draining {
        conn.http.close_after_response();
    }
    match conn.req.route(H::BLOCKING) {
        Route::NotAllowed => {
            conn.http.close_after_response();
            reply(
                s,
                index,
                now,
                Status::METHOD_NOT_ALLOWED,
                &[("Allow", ALLOW)],
                &[b"method not allowed\n"],
            );
        }
        Route::Echo => stream_body(s, index, now),
        Route::Notify => notify(s, r, index, now),
        Route::NotFound => reply(s, index, now, Status::NOT_FOUND, &[], &[b"not found\n"]),
        Route::Sleep(Some(ms)) => match r.call_later(Duration::from_millis(ms), sleep_done::<H>, index) {
            Some(timer) => conn.park = Park::Sleep { timer, ms },
            None => reply_error(s, index, Status::SERVICE_UNAVAILABLE),
        },
        Route::Wait(Some(ms)) => match r.call_later(Duration::from_millis(ms), wait_timed_out::<H>, index) {
            Some(timer) => {
                conn.park = Park::Wait { timer };
                s.service().waiters.push(index);
            }
            None => reply_error(s, index, Status::SERVICE_UNAVAILABLE),
        },
        Route::Blocking(Some(ms)) => s.start_blocking(r, index, ms),
        Route::Sleep(None) | Route::Wait(None) | Route::Blocking(None) => {
            reply_error(s, index, Status::BAD_REQUEST)
        }
        Route::Pid => {
            let pid = format!("{}\n", std::process::id());
            reply(s, index, now, Status::OK, &[], &[pid.as_bytes()]);
        }
        Route::Requested => {
            let target = std::mem::take(&mut conn.req.target);
            reply(
                s,
                index,
                now,
                Status::OK,
                &[],
                &[b"You requested ", &target, b"\n"],
            );
            if let Some(conn) = s.service().conn(index) {
                conn.req.target = target; // keep the capacity for the next request
            }
        }
    }
}

/// Answers, inside the stream's event handler, the request of the hot
/// path, `GET` (or `HEAD`) of an ordinary target ([`Route::Requested`]):
/// no look-up of the connection, no leaving the handler. Whether it did;
/// every other request (and this one, should its response not fit) goes
/// to [`answer`].
pub(crate) fn answer_here<const W: usize, const HL: usize>(
    reply: &mut Reply<'_, W, HL>,
    route: Route,
    target: &[u8],
    ok_plain: &PreparedHead,
    now: Instant,
    draining: bool,
) -> bool {
    if route != Route::Requested {
        return false;
    }
    if draining {
        reply.close_after_response();
    }
    // `Next::Close` closes once flushed.
    reply
        .respond(ok_plain, &[b"You requested ", target, b"\n"], now)
        .is_ok()
}

/// Writes a complete `text/plain` response made of `parts` and finishes it
/// at `now` (the idle timeout starts there). The head room kept free
/// before each request head guarantees it fits.
pub(crate) fn reply<H: Host>(
    s: &mut H,
    index: usize,
    now: Instant,
    status: Status,
    headers: &[(&str, &str)],
    parts: &[&[u8]],
) {
    let svc = s.service();
    let Some(conn) = svc.conns.get_mut(index).and_then(Option::as_mut) else {
        return;
    };
    let mut reply = conn.http.reply();
    // `Next::Close` closes once flushed.
    let written = if status == Status::OK && headers.is_empty() {
        // The usual case: the head rendered at start-up, the response
        // written whole in one call, its body in one piece.
        let body: &[u8] = match parts {
            [one] => one,
            _ => {
                svc.scratch.clear();
                parts.iter().for_each(|p| svc.scratch.extend_from_slice(p));
                &svc.scratch
            }
        };
        reply.respond(&svc.ok_plain, &[body], now).is_ok()
    } else {
        let len = BodyLen::Fixed(parts.iter().map(|p| p.len() as u64).sum());
        let started = if headers.is_empty() {
            reply.start_response_checked(status, None, svc.text_plain, len)
        } else {
            let mut all: [(&str, &str); 4] = [TEXT_PLAIN[0]; 4];
            let n = headers.len().min(3);
            all[1..=n].copy_from_slice(&headers[..n]);
            reply.start_response(status, None, &all[..=n], len)
        };
        started.is_ok()
            && parts
                .iter()
                .all(|p| reply.write_body(p).is_ok_and(|w| w == p.len()))
            && reply.finish(now).is_ok()
    };
    if !written {
        give_up(&mut conn.http);
    }
}

/// Starts a `200 OK` `text/plain` response whose body is the connection's
/// `req.body`, sent in pieces as the socket drains ([`Park::Send`]).
pub(crate) fn stream_body<H: Host>(s: &mut H, index: usize, now: Instant) {
    let svc = s.service();
    let Some(conn) = svc.conns.get_mut(index).and_then(Option::as_mut) else {
        return;
    };
    let len = BodyLen::Fixed(conn.req.body.len() as u64);
    match conn.http.reply().start_prepared(&svc.ok_plain, len) {
        Ok(()) => {
            conn.park = Park::Send { sent: 0 };
            conn.send_body(now);
        }
        Err(_) => give_up(&mut conn.http),
    }
}

/// A response that could not be written whole: a 500 if nothing of it
/// went out, and a close once flushed either way; a close now if not even
/// that fits.
fn give_up<T>(http: &mut Stream<T>) {
    if let Err(ResponseError::OutputFull) = http.send_error(Status::INTERNAL_SERVER_ERROR) {
        http.close();
    }
}

/// An error status with a closed connection (every error closes).
pub(crate) fn reply_error<H: Host>(s: &mut H, index: usize, status: Status) {
    if let Some(conn) = s.service().conn(index) {
        if let Err(ResponseError::OutputFull) = conn.http.send_error(status) {
            conn.http.close();
        }
    }
}

/// `GET /sleep`'s timer.
fn sleep_done<H: Host>(s: &mut H, r: &mut H::Loop, index: usize) -> CallbackResult {
    let Some(conn) = s.service().conn(index) else {
        return Ok(());
    };
    let Park::Sleep { ms, .. } = conn.park else {
        return Ok(());
    };
    conn.park = Park::No;
    let text = format!("slept {ms} ms\n");
    reply(s, index, r.now(), Status::OK, &[], &[text.as_bytes()]);
    drive(s, r, index);
    Ok(())
}

/// `GET /wait`'s timer: no notification came.
fn wait_timed_out<H: Host>(s: &mut H, r: &mut H::Loop, index: usize) -> CallbackResult {
    let svc = s.service();
    let Some(conn) = svc.conn(index) else {
        return Ok(());
    };
    if !matches!(conn.park, Park::Wait { .. }) {
        return Ok(());
    }
    conn.park = Park::No;
    svc.forget_waiter(index);
    reply(s, index, r.now(), Status::GATEWAY_TIMEOUT, &[], &[b"timeout\n"]);
    drive(s, r, index);
    Ok(())
}

/// `POST /notify`: every waiter gets the body; the notifier gets the count.
fn notify<H: Host>(s: &mut H, r: &mut H::Loop, index: usize, now: Instant) {
    let svc = s.service();
    let Some(conn) = svc.conn(index) else {
        return;
    };
    let body = std::mem::take(&mut conn.req.body);
    let mut waiters = std::mem::take(&mut svc.waiters);
    let mut woken = 0;
    for &w in &waiters {
        let Some(waiter) = s.service().conn(w) else {
            continue;
        };
        if let Park::Wait { timer } = waiter.park {
            r.cancel(timer);
            waiter.park = Park::No;
            waiter.req.body.clear();
            waiter.req.body.extend_from_slice(&body);
            stream_body(s, w, now);
            drive(s, r, w);
            woken += 1;
        }
    }
    // Waiters that parked again while being driven stay parked.
    waiters.clear();
    let svc = s.service();
    let again = std::mem::replace(&mut svc.waiters, waiters);
    svc.waiters.extend(again);
    let text = format!("notified {woken}\n");
    reply(s, index, now, Status::OK, &[], &[text.as_bytes()]);
    if let Some(conn) = s.service().conn(index) {
        conn.req.body = body; // keep the capacity for the next request
    }
}
