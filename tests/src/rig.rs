//! A buffered stream on a backend under test, driven the callback way: a
//! reactor handler feeds each event to the stream, runs the read the test
//! asked for, records outcomes, and keeps the registration in line with
//! what the stream wants ([`StreamDriver`]). The test plays the peer
//! between runs of the loop.

use std::vec::Vec;

use eddy_core::stream::{BufferedStream, CloseReason, InterestChange, IoSource, ReadError, StreamDriver};
use eddy_core::{CallbackError, CallbackResult, Event, Handler, Reactor, Token};

use crate::harness::{Harness, Peer, RecvError};
use crate::suite::PATIENCE;

/// Which read the handler keeps pending.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// No read: bytes just accumulate in the buffer.
    Idle,
    /// `read_until(delimiter, max_bytes)`, again and again.
    Until(Vec<u8>, usize),
    /// `read_exact(n)`, again and again.
    Exact(usize),
    /// `read_chunk(max)`, again and again.
    Chunk(usize),
    /// `read_until_close()`.
    UntilClose,
}

/// The state the reactor lends to the stream's handler.
pub struct App<H: Harness, const R: usize, const W: usize> {
    /// The stream under test.
    pub stream: BufferedStream<H::Transport, R, W>,
    driver: StreamDriver,
    token: Option<Token>,
    /// The read kept pending.
    pub mode: Mode,
    /// Completed reads' bytes, in order.
    pub reads: Vec<Vec<u8>>,
    /// The error that ended reading, if any (no read is started after it).
    pub error: Option<ReadError>,
    /// Every close reported by `poll_close`.
    pub closes: Vec<CloseReason>,
    /// Bytes delivered by completed reads so far.
    pub delivered: usize,
    /// Write every completed read back (an echo server).
    pub echo: bool,
    /// Written when a read fails, before the close is collected (an error
    /// reply, like the echo server's `line too long`).
    pub error_reply: Option<Vec<u8>>,
}

impl<H: Harness, const R: usize, const W: usize> core::fmt::Debug for App<H, R, W> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("App")
            .field("stream", &self.stream)
            .field("mode", &self.mode)
            .field("reads", &self.reads.len())
            .field("error", &self.error)
            .field("closes", &self.closes)
            .finish()
    }
}

/// The reactor of a rig.
pub type RigLoop<H, const R: usize, const W: usize> =
    Reactor<<H as Harness>::Backend, App<H, R, W>, 16, 16, 16, 16>;

impl<H: Harness, const R: usize, const W: usize> App<H, R, W> {
    /// Bytes that arrived: delivered by reads plus still buffered.
    pub fn received(&self) -> usize {
        self.delivered + self.stream.buffered().len()
    }

    /// Starts reads and collects their outcomes until one waits; then
    /// collects a close.
    pub fn progress(&mut self) {
        loop {
            if !self.stream.is_read_pending() && self.error.is_none() {
                let started = match &self.mode {
                    Mode::Idle => break,
                    Mode::Until(d, max) => self.stream.read_until(d, *max),
                    Mode::Exact(n) => self.stream.read_exact(*n),
                    Mode::Chunk(max) => self.stream.read_chunk(*max),
                    Mode::UntilClose => self.stream.read_until_close(),
                };
                if let Err(e) = started {
                    self.error = Some(e);
                    break;
                }
            }
            match self.stream.poll_read() {
                Some(Ok(done)) => {
                    let bytes = self.stream.data(&done).to_vec();
                    self.delivered += bytes.len();
                    if self.echo {
                        // A full write buffer drops the echo: the tests
                        // that echo stay far below it.
                        let _ = self.stream.try_write_all(&bytes);
                    }
                    self.reads.push(bytes);
                    // The ReadDone is current: consuming it cannot fail.
                    let _ = self.stream.consume(done);
                }
                Some(Err(e)) => {
                    self.error = Some(e);
                    if let Some(reply) = self.error_reply.take() {
                        let _ = self.stream.try_write_all(&reply);
                    }
                    break;
                }
                None => break,
            }
        }
        self.stream.on_writable();
        if let Some(reason) = self.stream.poll_close() {
            self.closes.push(reason);
        }
    }

    /// Brings the registration in line with what the stream wants.
    ///
    /// # Errors
    /// A [`CallbackError`] if the reactor refuses the change.
    pub fn sync(&mut self, r: &mut RigLoop<H, R, W>) -> CallbackResult {
        let fail = |_| CallbackError::new("stream registration failed");
        let Some(change) = self.driver.update(&self.stream) else {
            return Ok(());
        };
        let source = self.stream.transport().source();
        match (change, self.token) {
            (InterestChange::Register(i), _) => {
                let token = r
                    .add_handler(source, i, Handler::new(on_event::<H, R, W>, 0))
                    .map_err(|_| CallbackError::new("stream registration failed"))?;
                self.token = Some(token);
            }
            (InterestChange::Reregister(i), Some(token)) => {
                r.update_handler(source, token, i).map_err(fail)?
            }
            (InterestChange::Deregister, Some(token)) => {
                self.token = None;
                r.remove_handler(source, token).map_err(fail)?;
            }
            (_, None) => return Err(CallbackError::new("no registration to change")),
        }
        Ok(())
    }
}

fn on_event<H: Harness, const R: usize, const W: usize>(
    app: &mut App<H, R, W>,
    r: &mut RigLoop<H, R, W>,
    ev: Event,
    _: usize,
) -> CallbackResult {
    app.stream.transport_mut().set_ready(ev.ready);
    app.driver.on_event(&mut app.stream, ev.ready);
    app.progress();
    app.sync(r)
}

/// A stream with an `R`-byte read buffer and a `W`-byte write buffer on a
/// fresh backend of `H`, and the peer.
pub struct Rig<H: Harness, const R: usize, const W: usize> {
    /// The loop.
    pub reactor: RigLoop<H, R, W>,
    /// The stream's state.
    pub app: App<H, R, W>,
    /// The far end.
    pub peer: H::Peer,
}

impl<H: Harness, const R: usize, const W: usize> core::fmt::Debug for Rig<H, R, W> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Rig").field("app", &self.app).finish()
    }
}

impl<H: Harness, const R: usize, const W: usize> Rig<H, R, W> {
    /// A connected stream keeping `mode`'s read pending, registered.
    pub fn new(mode: Mode) -> Self {
        let mut reactor = RigLoop::<H, R, W>::new(H::backend());
        let (transport, peer) = H::stream_pair(reactor.backend_mut());
        let mut app = App {
            stream: BufferedStream::new(transport),
            driver: StreamDriver::new(),
            token: None,
            mode,
            reads: Vec::new(),
            error: None,
            closes: Vec::new(),
            delivered: 0,
            echo: false,
            error_reply: None,
        };
        app.progress();
        app.sync(&mut reactor).expect("register the stream");
        Rig { reactor, app, peer }
    }

    /// The peer sends `data`.
    pub fn send(&mut self, data: &[u8]) {
        self.peer.send(self.reactor.backend_mut(), data);
    }

    /// The peer closes its sending side.
    pub fn close_peer(&mut self) {
        self.peer.close(self.reactor.backend_mut());
    }

    /// The peer resets the connection.
    pub fn reset_peer(&mut self) {
        self.peer.reset(self.reactor.backend_mut());
    }

    /// Runs the loop until `done` holds.
    ///
    /// # Panics
    /// If it does not within [`PATIENCE`] (the test fails).
    #[track_caller]
    pub fn run_until(&mut self, done: impl FnMut(&App<H, R, W>) -> bool) {
        self.reactor
            .run_until(&mut self.app, Some(PATIENCE), done)
            .expect("the loop reached the condition");
    }

    /// After the test changed the stream directly (a write, a close):
    /// collects outcomes and fixes the registration.
    pub fn settle(&mut self) {
        self.app.stream.on_writable();
        self.app.progress();
        self.app.sync(&mut self.reactor).expect("stream registration");
    }

    /// The peer reads until it has `n` bytes, or end of stream, or a reset.
    #[track_caller]
    pub fn peer_read(&mut self, n: usize) -> (Vec<u8>, Option<RecvError>) {
        let mut got = Vec::new();
        let mut buf = vec![0u8; 64 * 1024];
        while got.len() < n {
            let want = (n - got.len()).min(buf.len());
            match self.peer.recv(self.reactor.backend_mut(), &mut buf[..want]) {
                Ok(0) => break,
                Ok(k) => got.extend_from_slice(&buf[..k]),
                Err(e) => return (got, Some(e)),
            }
        }
        (got, None)
    }
}
