//! The in-image HTTP client: it plays the [`SCRIPT`] against the image's
//! own server over the loopback, streaming each request out and each
//! response in through 256-byte buffers, checks each response's status,
//! body and `Connection: close`, and stops the reactor when the script is
//! done.

use core::cell::RefCell;
use core::time::Duration;

use eddy_bare::{SocketError, SocketId, Source};
use eddy_core::callback::{Callback, CallbackError, CallbackResult, Handler};
use eddy_core::{Event, Interest, Token};
use heapless::Vec;

use crate::conn::with_stack;
use crate::net::{App, Loop, NetStack, ADDRESS, PORT};
use crate::reply::{parse_head, Head};
pub use crate::script::SCRIPT;
use crate::script::{pattern, Exchange, Expect};

/// Room for response bytes not checked yet.
pub const RESPONSE_BUF: usize = 256;
/// How long to wait for the released client socket to finish closing
/// before connecting again, and how many times.
const RETRY: Duration = Duration::from_millis(2);
const RETRIES: u32 = 1000;

/// The status a step got and whether everything matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seen {
    /// The response's status code (0 if none could be read).
    pub status: u16,
    /// Whether status, body and `Connection: close` were as expected.
    pub ok: bool,
}

/// What one round of [`Client::advance`] did.
enum Step {
    /// Nothing can move until the next event.
    Wait,
    /// Bytes moved or a response was checked: go again.
    Moved,
    /// The awaited end of the connection arrived.
    Eof,
    /// The step cannot succeed any more.
    Failed,
}

/// The client's state.
#[derive(Debug)]
pub struct Client {
    step: usize,
    id: Option<SocketId>,
    token: Option<Token>,
    /// Bytes of the request (head and upload) sent.
    sent: usize,
    /// Response bytes received and not checked yet.
    response: Vec<u8, RESPONSE_BUF>,
    head: Option<Head>,
    /// Body bytes checked so far, and whether they all matched.
    body_at: usize,
    body_ok: bool,
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
            head: None,
            body_at: 0,
            body_ok: true,
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

    /// Forgets the current response.
    fn reset_response(&mut self) {
        self.response.clear();
        self.head = None;
        self.body_at = 0;
        self.body_ok = true;
    }

    fn drain(&mut self, n: usize) {
        let n = n.min(self.response.len());
        self.response.copy_within(n.., 0);
        self.response.truncate(self.response.len() - n);
    }

    /// Sends as much of the request as the socket takes; whether any.
    fn send_more(
        &mut self,
        stack: &RefCell<NetStack>,
        id: SocketId,
        ex: &Exchange,
    ) -> Result<bool, SocketError> {
        let total = ex.request.len() + ex.upload;
        let mut moved = false;
        while self.sent < total {
            let mut chunk = [0u8; 64];
            let part: &[u8] = match ex.request.get(self.sent..) {
                Some(rest) if !rest.is_empty() => rest,
                _ => {
                    let at = self.sent - ex.request.len();
                    let n = (ex.upload - at).min(chunk.len());
                    for (k, b) in chunk[..n].iter_mut().enumerate() {
                        *b = pattern(at + k);
                    }
                    &chunk[..n]
                }
            };
            match with_stack(stack, |s| s.send(id, part)) {
                Ok(n) => {
                    self.sent += n;
                    moved = true;
                }
                Err(SocketError::WouldBlock) => break,
                Err(e) => return Err(e),
            }
        }
        Ok(moved)
    }

    /// Receives what fits; whether any bytes came, and whether the stream
    /// ended.
    fn receive(&mut self, stack: &RefCell<NetStack>, id: SocketId) -> Result<(bool, bool), SocketError> {
        let mut moved = false;
        let mut chunk = [0u8; 64];
        while !self.response.is_full() {
            let room = (RESPONSE_BUF - self.response.len()).min(chunk.len());
            match with_stack(stack, |s| s.recv(id, &mut chunk[..room])) {
                Ok(0) => return Ok((moved, true)),
                Ok(n) => {
                    // Fits: at most `room` bytes were read.
                    let _ = self.response.extend_from_slice(&chunk[..n]);
                    moved = true;
                }
                Err(SocketError::WouldBlock) => break,
                Err(e) => return Err(e),
            }
        }
        Ok((moved, false))
    }

    /// One round for the current step: send, receive, check.
    fn advance(&mut self, stack: &RefCell<NetStack>, id: SocketId, ex: &Exchange) -> Step {
        let mut moved = false;
        if !self.awaiting_eof {
            match self.send_more(stack, id, ex) {
                Ok(m) => moved |= m,
                Err(_) => return Step::Failed,
            }
        }
        let eof = match self.receive(stack, id) {
            Ok((m, eof)) => {
                moved |= m;
                eof
            }
            // A reset after the last response ends the connection too.
            Err(_) if self.awaiting_eof => true,
            Err(_) => return Step::Failed,
        };
        let idle = |moved| if moved { Step::Moved } else { Step::Wait };
        if self.awaiting_eof {
            self.response.clear();
            return if eof { Step::Eof } else { idle(moved) };
        }
        let head = match self.head {
            Some(head) => head,
            None => match parse_head(&self.response) {
                Some((head, len)) => {
                    self.head = Some(head);
                    self.drain(len);
                    head
                }
                None if eof || self.response.is_full() => return Step::Failed,
                None => return idle(moved),
            },
        };
        let want = if ex.head { 0 } else { head.length };
        let take = self.response.len().min(want.saturating_sub(self.body_at));
        if take > 0 {
            let got = &self.response[..take];
            let at = self.body_at;
            self.body_ok &= match ex.body {
                Expect::Bytes(b) => b.get(at..at + take) == Some(got),
                Expect::Pattern(_) => got.iter().enumerate().all(|(k, &x)| x == pattern(at + k)),
                Expect::Any => true,
            };
            self.body_at += take;
            self.drain(take);
        }
        if self.body_at < want {
            return if eof {
                Step::Failed
            } else {
                idle(moved || take > 0)
            };
        }
        let length_ok = match ex.body {
            Expect::Bytes(b) => b.len() == want,
            Expect::Pattern(n) => n == want,
            Expect::Any => true,
        };
        let ok = head.status == ex.status && self.body_ok && length_ok && head.closes == ex.closes;
        self.seen[self.step] = Some(Seen {
            status: head.status,
            ok,
        });
        self.reset_response();
        if ex.closes {
            self.awaiting_eof = true;
        } else {
            self.step += 1;
            self.sent = 0;
        }
        Step::Moved
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
    c.reset_response();
    c.awaiting_eof = false;
    c.connections += 1;
    Ok(())
}

fn on_event(app: &mut App, r: &mut Loop, _: Event, _: usize) -> CallbackResult {
    let stack = r.backend().stack();
    loop {
        let c = &mut app.client;
        let Some(ex) = SCRIPT.get(c.step) else {
            finish(app, r);
            return Ok(());
        };
        let Some(id) = c.id else {
            return Ok(());
        };
        match c.advance(stack, id, ex) {
            Step::Wait => return Ok(()),
            Step::Moved => {}
            Step::Eof => return next_connection(app, r),
            Step::Failed => return fail_step(app, r),
        }
    }
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
