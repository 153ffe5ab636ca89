//! The in-image HTTP client: it plays a fixed [`SCRIPT`] of requests
//! against the image's own server over the loopback, checks each
//! response's status, body and `Connection: close`, and stops the reactor
//! when the script is done. A script step that closes the connection is
//! followed by a new connection, so the listener's re-arming is exercised.

use core::time::Duration;

use eddy_bare::{SocketError, SocketId, Source};
use eddy_core::callback::{Callback, CallbackError, CallbackResult, Handler};
use eddy_core::{Event, Interest, Token};
use heapless::Vec;

use crate::conn::with_stack;
use crate::net::{App, Loop, ADDRESS, PORT};
use crate::routes::HELLO;

/// Room for one response.
pub const RESPONSE_BUF: usize = 256;
/// How long to wait for the released client socket to finish closing
/// before connecting again, and how many times.
const RETRY: Duration = Duration::from_millis(2);
const RETRIES: u32 = 1000;

/// One request and the response it must get.
#[derive(Clone, Copy, Debug)]
pub struct Exchange {
    /// The request, sent as is.
    pub request: &'static [u8],
    /// The expected status code.
    pub status: u16,
    /// The expected body, or `None` to accept any (error texts).
    pub body: Option<&'static [u8]>,
    /// A response to `HEAD`: its `Content-Length` comes without a body.
    pub head: bool,
    /// The server must say `Connection: close` and close.
    pub closes: bool,
}

/// What the client sends and expects, in order.
pub const SCRIPT: [Exchange; 6] = [
    Exchange {
        request: b"GET / HTTP/1.1\r\nHost: eddy\r\n\r\n",
        status: 200,
        body: Some(HELLO),
        head: false,
        closes: false,
    },
    Exchange {
        request: b"POST /echo HTTP/1.1\r\nHost: eddy\r\nContent-Length: 26\r\n\r\nabcdefghijklmnopqrstuvwxyz",
        status: 200,
        body: Some(b"abcdefghijklmnopqrstuvwxyz"),
        head: false,
        closes: false,
    },
    Exchange {
        request: b"HEAD / HTTP/1.1\r\nHost: eddy\r\n\r\n",
        status: 200,
        body: Some(b""),
        head: true,
        closes: false,
    },
    Exchange {
        request: b"DELETE / HTTP/1.1\r\nHost: eddy\r\n\r\n",
        status: 405,
        body: Some(b"method not allowed\n"),
        head: false,
        closes: false,
    },
    Exchange {
        request: b"GET /missing HTTP/1.1\r\nHost: eddy\r\nConnection: close\r\n\r\n",
        status: 404,
        body: Some(b"not found\n"),
        head: false,
        closes: true,
    },
    Exchange {
        request: b"GET / HTTP/2.0\r\nHost: eddy\r\n\r\n",
        status: 505,
        body: None,
        head: false,
        closes: true,
    },
];

/// The status a step got and whether everything matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seen {
    /// The response's status code (0 if none could be read).
    pub status: u16,
    /// Whether status, body and `Connection: close` were as expected.
    pub ok: bool,
}

/// The client's state.
#[derive(Debug)]
pub struct Client {
    step: usize,
    id: Option<SocketId>,
    token: Option<Token>,
    sent: usize,
    response: Vec<u8, RESPONSE_BUF>,
    awaiting_eof: bool,
    /// What each step of [`SCRIPT`] got.
    pub seen: [Option<Seen>; SCRIPT.len()],
    /// Connections opened.
    pub connections: u32,
    /// Connects refused while the client socket was still closing.
    pub retries: u32,
}

impl Client {
    /// A client that has not started.
    pub const fn new() -> Client {
        Client {
            step: 0,
            id: None,
            token: None,
            sent: 0,
            response: Vec::new(),
            awaiting_eof: false,
            seen: [None; SCRIPT.len()],
            connections: 0,
            retries: 0,
        }
    }

    /// Whether every step ran.
    pub fn is_done(&self) -> bool {
        self.step >= SCRIPT.len()
    }

    /// Steps that got what they expected.
    pub fn passed(&self) -> usize {
        self.seen.iter().flatten().filter(|s| s.ok).count()
    }
}

impl Default for Client {
    fn default() -> Self {
        Self::new()
    }
}

/// Opens a connection to the server for the current step.
///
/// # Errors
/// A [`CallbackError`] if no socket is free or the registration fails.
pub fn start(app: &mut App, r: &mut Loop) -> CallbackResult {
    let stack = r.backend().stack();
    let id = stack
        .try_borrow_mut()
        .map_err(|_| CallbackError::new("stack busy"))?
        .connect((ADDRESS, PORT))
        .map_err(|_| CallbackError::new("no socket for the client"))?;
    let token = r
        .add_handler(Source::Socket(id), Interest::BOTH, Handler::new(on_event, 0))
        .map_err(|_| CallbackError::new("client registration failed"))?;
    let c = &mut app.client;
    c.id = Some(id);
    c.token = Some(token);
    c.sent = 0;
    c.response.clear();
    c.awaiting_eof = false;
    c.connections += 1;
    Ok(())
}

fn on_event(app: &mut App, r: &mut Loop, _: Event, _: usize) -> CallbackResult {
    let stack = r.backend().stack();
    let c = &mut app.client;
    let id = c.id.ok_or(CallbackError::new("client not connected"))?;
    while let Some(ex) = SCRIPT.get(c.step) {
        if !c.awaiting_eof && c.sent < ex.request.len() {
            match with_stack(stack, |s| s.send(id, &ex.request[c.sent..])) {
                Ok(n) => c.sent += n,
                Err(SocketError::WouldBlock) => {}
                Err(_) => return fail_step(app, r),
            }
        }
        let mut eof = false;
        let mut chunk = [0u8; 128];
        loop {
            match with_stack(stack, |s| s.recv(id, &mut chunk)) {
                Ok(0) => eof = true,
                Ok(n) if c.response.extend_from_slice(&chunk[..n]).is_ok() => continue,
                Ok(_) => return fail_step(app, r),
                Err(SocketError::WouldBlock) => {}
                Err(_) if c.awaiting_eof => eof = true,
                Err(_) => return fail_step(app, r),
            }
            break;
        }
        if c.awaiting_eof {
            if !eof {
                return Ok(());
            }
            return next_connection(app, r);
        }
        let Some(parsed) = parse(&c.response, ex.head) else {
            if eof {
                return fail_step(app, r);
            }
            return Ok(());
        };
        let body = &c.response[parsed.body_start..parsed.end];
        let ok =
            parsed.status == ex.status && ex.body.is_none_or(|b| b == body) && parsed.closes == ex.closes;
        c.seen[c.step] = Some(Seen {
            status: parsed.status,
            ok,
        });
        let rest = c.response.len() - parsed.end;
        c.response.copy_within(parsed.end.., 0);
        c.response.truncate(rest);
        if ex.closes {
            c.awaiting_eof = true;
        } else {
            c.step += 1;
            c.sent = 0;
        }
    }
    finish(app, r);
    Ok(())
}

/// Records the current step as failed and moves on with a new connection.
fn fail_step(app: &mut App, r: &mut Loop) -> CallbackResult {
    let c = &mut app.client;
    if let Some(slot) = c.seen.get_mut(c.step) {
        slot.get_or_insert(Seen { status: 0, ok: false }).ok = false;
    }
    next_connection(app, r)
}

/// Closes the current connection; opens the next one if steps remain.
fn next_connection(app: &mut App, r: &mut Loop) -> CallbackResult {
    close(app, r);
    app.client.step += 1;
    if app.client.is_done() {
        finish(app, r);
        Ok(())
    } else {
        reconnect(app, r, 0)
    }
}

/// Connects for the next step. The client's one socket is free again only
/// once its close has finished, so a refused connect is retried shortly.
fn reconnect(app: &mut App, r: &mut Loop, _: usize) -> CallbackResult {
    if start(app, r).is_ok() {
        return Ok(());
    }
    app.client.retries += 1;
    if app.client.retries > RETRIES {
        return Err(CallbackError::new("the client socket never became free"));
    }
    r.call_later(RETRY, Callback::new(reconnect, 0))
        .map(|_| ())
        .map_err(|_| CallbackError::new("timer heap full"))
}

fn close(app: &mut App, r: &mut Loop) {
    let c = &mut app.client;
    if let (Some(id), Some(token)) = (c.id.take(), c.token.take()) {
        let _ = r.remove_handler(Source::Socket(id), token);
        let _ = with_stack(r.backend().stack(), |s| s.release(id));
    }
}

fn finish(app: &mut App, r: &mut Loop) {
    close(app, r);
    r.stop();
}

/// A complete response at the front of a buffer.
struct Parsed {
    status: u16,
    body_start: usize,
    end: usize,
    closes: bool,
}

/// Parses one response (status line, `Content-Length`, `Connection`);
/// `None` until it is complete or if it cannot be read. Byte-wise, so the
/// image carries no string-search code for it.
fn parse(buf: &[u8], head_only: bool) -> Option<Parsed> {
    let head_end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let mut lines = buf[..head_end - 4].split(|&b| b == b'\n').map(trim);
    let status_line = lines.next()?;
    let status = number(status_line.get(9..12)?)?;
    let (mut length, mut closes) = (0usize, false);
    for line in lines {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], trim(&line[colon + 1..]));
        if name.eq_ignore_ascii_case(b"content-length") {
            length = usize::try_from(number(value)?).ok()?;
        } else if name.eq_ignore_ascii_case(b"connection") {
            closes = value.eq_ignore_ascii_case(b"close");
        }
    }
    let end = head_end + if head_only { 0 } else { length };
    (buf.len() >= end).then_some(Parsed {
        status: u16::try_from(status).ok()?,
        body_start: head_end,
        end,
        closes,
    })
}

/// `bytes` without leading and trailing spaces, tabs and CR.
fn trim(bytes: &[u8]) -> &[u8] {
    let keep = |b: &u8| !matches!(b, b' ' | b'\t' | b'\r');
    let start = bytes.iter().position(keep).unwrap_or(bytes.len());
    let end = bytes.iter().rposition(keep).map_or(start, |e| e + 1);
    &bytes[start..end]
}

/// A decimal number of up to 9 digits.
fn number(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() || digits.len() > 9 {
        return None;
    }
    digits.iter().try_fold(0u32, |n, &d| {
        d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
    })
}
