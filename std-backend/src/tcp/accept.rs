//! [`Acceptor`]: takes connections off one listener's queue, without the
//! reactor.
//!
//! What each `accept(2)` error means is listed on [`Acceptor::try_accept`].
//!
//! Invariant: after `Paused` the caller must stop waiting for the
//! listener's readability until `retry_after` has passed. A level-triggered
//! poller (`poll(2)`) reports a listener with a full queue on every call,
//! and an edge-triggered one never reports it again if nobody drains it; so
//! "pause" means *deregister and set a timer*, which is what the reactor
//! glue ([`start_accepting`](super::start_accepting)) does.

use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsFd;
use std::time::Duration;

use eddy_core::{TimerHandle, Token};
use rustix::io::Errno;

use super::backoff::Backoff;
use crate::sys::socket;

/// What the application does after a new connection: go on accepting, or
/// pause (a server at its connection limit).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Accepted {
    /// Keep accepting.
    Keep,
    /// Stop accepting until
    /// [`resume_accepting`](super::resume_accepting) (or, without the
    /// reactor glue, until the caller drains again). The connection just
    /// handed over is the caller's either way.
    PauseAccepting,
}

/// The outcome of one [`Acceptor::try_accept`].
#[derive(Debug)]
pub enum Accept {
    /// A new connection: non-blocking, close-on-exec, and its peer.
    Stream(TcpStream, SocketAddr),
    /// The queue is empty: wait until the listener is readable.
    WouldBlock,
    /// Out of descriptors or memory (or another error the queue cannot be
    /// drained past): stop waiting for the listener's readability and try
    /// again after `retry_after`. Deregister it meanwhile: a
    /// level-triggered poller (`poll(2)`) reports a listener with a full
    /// queue on every poll (the loop would spin), and an edge-triggered one
    /// never reports an undrained listener again. The reactor glue
    /// ([`start_accepting`](super::start_accepting)) does exactly that.
    Paused {
        /// How long to wait: 50 ms, doubling to 1 s while failures go on.
        retry_after: Duration,
        /// Why (`EMFILE`, `ENFILE`, `ENOBUFS`, `ENOMEM`, …).
        error: io::Error,
    },
}

/// How an [`Acceptor::drain`] ended.
#[derive(Debug)]
pub enum Drained {
    /// The queue is empty: wait until the listener is readable.
    Empty,
    /// The callback returned [`Accepted::PauseAccepting`].
    Held,
    /// As [`Accept::Paused`].
    Paused {
        /// How long to wait before trying again.
        retry_after: Duration,
        /// Why.
        error: io::Error,
    },
}

/// Counters of an [`Acceptor`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AcceptStats {
    /// Connections handed to the caller.
    pub accepted: u64,
    /// Connections that died in the queue and were skipped.
    pub skipped: u64,
    /// Times accepting was paused for lack of descriptors or memory.
    pub pauses: u64,
}

/// Where an acceptor stands with the reactor (kept by the glue in
/// `host.rs`; an acceptor used without the reactor leaves it alone).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Registration {
    /// `start_accepting` was called and `stop_accepting` was not.
    pub(super) started: bool,
    /// Paused by the application (connection limit), or because no timer
    /// slot was free for the back-off.
    pub(super) held: bool,
    /// The back-off timer, while backing off.
    pub(super) timer: Option<TimerHandle>,
    /// The registration, while waiting for readability.
    pub(super) token: Option<Token>,
}

/// What one errno from `accept(2)` means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Empty,
    Retry,
    Skip,
    Exhausted,
    Other,
}

fn classify(e: Errno) -> Class {
    match e {
        Errno::AGAIN => Class::Empty,
        #[allow(unreachable_patterns)] // EWOULDBLOCK == EAGAIN on most targets
        Errno::WOULDBLOCK => Class::Empty,
        Errno::INTR => Class::Retry,
        // accept(2): "Linux accept() passes already-pending network errors
        // on the new socket as an error code from accept() … should detect
        // the network errors defined for the protocol … and treat them like
        // EAGAIN by retrying". EPERM: firewall rules forbid the connection.
        Errno::CONNABORTED
        | Errno::PROTO
        | Errno::PERM
        | Errno::NETDOWN
        | Errno::NOPROTOOPT
        | Errno::HOSTDOWN
        | Errno::HOSTUNREACH
        | Errno::OPNOTSUPP
        | Errno::NETUNREACH => Class::Skip,
        Errno::MFILE | Errno::NFILE | Errno::NOBUFS | Errno::NOMEM => Class::Exhausted,
        _ => Class::Other,
    }
}

/// One listener and the state of accepting from it.
///
/// Used alone, call [`Acceptor::drain`] whenever the listener is readable
/// (and after a `Paused` delay). With the reactor, implement
/// [`TcpHost`](super::TcpHost) and call
/// [`start_accepting`](super::start_accepting).
///
/// # Examples
///
/// ```
/// use std::net::TcpStream;
/// use eddy_std::{bind_sockets, Accepted, Acceptor, Drained, DEFAULT_BACKLOG};
///
/// let mut acceptor = Acceptor::new(bind_sockets("127.0.0.1:0".parse()?, DEFAULT_BACKLOG, false)?);
/// let clients: Vec<TcpStream> =
///     (0..3).map(|_| TcpStream::connect(acceptor.local_addr()?)).collect::<Result<_, _>>()?;
/// let mut streams = Vec::new();
/// let end = acceptor.drain(|stream, _peer| {
///     streams.push(stream);
///     Accepted::Keep
/// });
/// assert!(matches!(end, Drained::Empty));
/// assert_eq!(streams.len(), clients.len());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Acceptor {
    listener: TcpListener,
    backoff: Backoff,
    stats: AcceptStats,
    pub(super) reg: Registration,
}

impl Acceptor {
    /// An acceptor for `listener`, which must be non-blocking (as
    /// [`bind_sockets`](super::bind_sockets) makes it): a blocking one would
    /// block the loop in `accept`.
    pub fn new(listener: TcpListener) -> Acceptor {
        Acceptor {
            listener,
            backoff: Backoff::new(),
            stats: AcceptStats::default(),
            reg: Registration::default(),
        }
    }

    /// The listener.
    pub fn listener(&self) -> &TcpListener {
        &self.listener
    }

    /// The address the listener is bound to.
    ///
    /// # Errors
    /// The OS error from `getsockname(2)`.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// What has been accepted, skipped and paused so far.
    pub fn stats(&self) -> AcceptStats {
        self.stats
    }

    /// The delay the next pause will get.
    pub fn next_backoff(&self) -> Duration {
        self.backoff.peek()
    }

    /// Whether the listener is registered with the reactor, waiting for
    /// connections.
    pub fn is_accepting(&self) -> bool {
        self.reg.token.is_some()
    }

    /// Whether accepting is paused by
    /// [`pause_accepting`](super::pause_accepting) or
    /// [`Accepted::PauseAccepting`].
    pub fn is_held(&self) -> bool {
        self.reg.held
    }

    /// Whether accepting is paused for a back-off delay.
    pub fn is_backing_off(&self) -> bool {
        self.reg.timer.is_some()
    }

    /// Takes one connection from the queue, skipping connections that died
    /// there.
    ///
    /// What each `accept(2)` outcome means (`accept(2)`,
    /// ERRORS):
    ///
    /// | errno | meaning | what the acceptor does |
    /// | --- | --- | --- |
    /// | `EAGAIN`/`EWOULDBLOCK` | the queue is empty | [`Accept::WouldBlock`]: wait for readability |
    /// | `EINTR` | a signal arrived | retries at once |
    /// | `ECONNABORTED`, `EPROTO`, `EPERM` (firewall), and the network errors Linux passes up from the new socket (`ENETDOWN`, `ENOPROTOOPT`, `EHOSTDOWN`, `EHOSTUNREACH`, `EOPNOTSUPP`, `ENETUNREACH`) | one connection died in the queue | skips it, counts it in [`AcceptStats::skipped`], goes on |
    /// | `EMFILE`, `ENFILE`, `ENOBUFS`, `ENOMEM` | out of descriptors or memory | [`Accept::Paused`] with a [`Backoff`] delay |
    /// | anything else | the listener cannot make progress | [`Accept::Paused`] too: retrying later is the only answer that does not spin |
    pub fn try_accept(&mut self) -> Accept {
        loop {
            let e = match socket::accept(self.listener.as_fd()) {
                Ok((fd, peer)) => {
                    let stream = TcpStream::from(fd);
                    let peer = match peer.and_then(|p| SocketAddr::try_from(p).ok()) {
                        Some(peer) => Ok(peer),
                        None => stream.peer_addr(),
                    };
                    match peer {
                        Ok(peer) => {
                            self.backoff.reset();
                            self.stats.accepted += 1;
                            return Accept::Stream(stream, peer);
                        }
                        // ENOTCONN: reset before we could ask; like ECONNABORTED.
                        Err(e) => {
                            self.stats.skipped += 1;
                            debug!("eddy-std: skipping a connection without a peer address: {e}");
                            continue;
                        }
                    }
                }
                Err(e) => e,
            };
            match classify(e) {
                Class::Empty => return Accept::WouldBlock,
                Class::Retry => {}
                Class::Skip => {
                    self.stats.skipped += 1;
                    debug!("eddy-std: skipping a connection that died in the queue: {e}");
                }
                class @ (Class::Exhausted | Class::Other) => {
                    let retry_after = self.backoff.next_delay();
                    self.stats.pauses += 1;
                    let addr = self.listener.local_addr().ok();
                    if class == Class::Exhausted {
                        warn!("eddy-std: accept on {addr:?} paused for {retry_after:?}: {e}");
                    } else {
                        warn!("eddy-std: accept on {addr:?} failed ({e}); retrying in {retry_after:?}");
                    }
                    return Accept::Paused {
                        retry_after,
                        error: e.into(),
                    };
                }
            }
        }
    }

    /// Accepts until the queue is empty, handing each connection to
    /// `on_stream`, which may ask to pause.
    pub fn drain(&mut self, mut on_stream: impl FnMut(TcpStream, SocketAddr) -> Accepted) -> Drained {
        loop {
            match self.try_accept() {
                Accept::Stream(stream, peer) => {
                    if on_stream(stream, peer) == Accepted::PauseAccepting {
                        return Drained::Held;
                    }
                }
                Accept::WouldBlock => return Drained::Empty,
                Accept::Paused { retry_after, error } => return Drained::Paused { retry_after, error },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errnos_are_classified_like_the_man_page_says() {
        assert_eq!(classify(Errno::AGAIN), Class::Empty);
        assert_eq!(classify(Errno::WOULDBLOCK), Class::Empty);
        assert_eq!(classify(Errno::INTR), Class::Retry);
        for e in [Errno::CONNABORTED, Errno::PROTO, Errno::PERM] {
            assert_eq!(classify(e), Class::Skip, "{e}");
        }
        for e in [Errno::MFILE, Errno::NFILE, Errno::NOBUFS, Errno::NOMEM] {
            assert_eq!(classify(e), Class::Exhausted, "{e}");
        }
        assert_eq!(classify(Errno::BADF), Class::Other);
        assert_eq!(classify(Errno::INVAL), Class::Other);
    }

    #[test]
    fn a_failing_listener_pauses_with_a_growing_delay() {
        // A socket that is not listening: accept(2) gives EINVAL, which
        // must pause (with back-off), never spin or report WouldBlock.
        let fd = socket::stream_socket(rustix::net::AddressFamily::INET).unwrap();
        let mut acceptor = Acceptor::new(TcpListener::from(fd));
        let mut delays = Vec::new();
        for _ in 0..3 {
            match acceptor.try_accept() {
                Accept::Paused { retry_after, .. } => delays.push(retry_after.as_millis()),
                other => panic!("expected Paused, got {other:?}"),
            }
        }
        assert_eq!(delays, [50, 100, 200]);
        assert_eq!(acceptor.stats().pauses, 3);
        assert_eq!(acceptor.next_backoff(), Duration::from_millis(400));
    }
}
