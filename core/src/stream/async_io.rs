//! [`AsyncStream`]: a [`BufferedStream`] whose operations are `async`,
//! driven by the same reactor through a task [`Runtime`](crate::task::Runtime).
//!
//! # How a wait works
//!
//! An operation first tries to finish from what is buffered; if it cannot,
//! it lets the transport read and write until it would block, and only then
//! registers the transport's source with the runtime's reactor, for the
//! interest it needs, under a handler that wakes the *current task*
//! ([`IoHandle`]). When an event comes, the task is polled again, the
//! event's readiness is handed to the transport ([`IoSource::set_ready`]),
//! and the operation re-checks the stream's `poll_*` method.
//!
//! # Invariants
//!
//! - The source is registered only while an operation waits, with exactly
//!   the interest it waits for (plus `WRITABLE` while unsent bytes wait);
//!   once the operation finishes the registration is removed. An idle
//!   stream therefore never makes a level-triggered backend (poll(2))
//!   report it again and again while its task awaits something else.
//! - Bytes [`write`](AsyncStream::write) left in the write buffer go out
//!   during the next operation on the stream; [`flush`](AsyncStream::flush)
//!   waits until the transport took all of them.
//! - A read whose future was dropped unfinished (a timeout) is abandoned by
//!   the next read; buffered bytes are kept.
//! - If the source cannot be registered (the reactor's handler table is
//!   full), the stream closes with `CloseReason::Error(OutOfMemory)` and the
//!   operation fails with that reason, rather than wait forever.

use core::fmt;

use embedded_io::ErrorKind;

use super::buffered::BufferedStream;
use super::error::CloseReason;
use super::read::ReadDone;
use super::source::IoSource;
use super::ReadError;
use crate::backend::Backend;
use crate::event::Interest;
use crate::task::{IoError, IoHandle, TaskId};
use crate::token::Token;

#[derive(Clone, Copy, Debug)]
struct Registration {
    token: Token,
    interest: Interest,
    task: TaskId,
}

/// Tornado's `IOStream` with coroutine methods: a [`BufferedStream`] over
/// transport `T` (`R`-byte read buffer, `W`-byte write buffer) whose reads
/// and writes are `async`, woken by the reactor of the runtime `rt`.
///
/// The operations are those of [`BufferedStream`]:
/// [`read_until`](Self::read_until), [`read_exact`](Self::read_exact),
/// [`read_chunk`](Self::read_chunk) / [`read_some`](Self::read_some),
/// [`read_until_close`](Self::read_until_close),
/// [`write`](Self::write) / [`write_all`](Self::write_all),
/// [`flush`](Self::flush) and [`close`](Self::close). It also implements
/// `embedded-io-async`'s `Read`, `BufRead` and `Write`, so crates written
/// against those traits run over it (end-of-file is `Ok(0)` there).
///
/// Await it from a task of the runtime `rt` (its `block_on` future or a
/// pool task): the task id is what readiness wakes. Polled from anywhere
/// else, an operation that has to wait cannot be woken.
///
/// # Examples
///
/// A line protocol over the simulated backend, the peer played by the
/// test:
///
/// ```
/// use core::cell::RefCell;
/// use eddy_core::sim::{SimBackend, SimSource, SimTransport};
/// use eddy_core::stream::{AsyncStream, MemTransport};
/// use eddy_core::task::Runtime;
/// use eddy_core::Ready;
///
/// type Rt = Runtime<SimBackend, (), 4, 8, 8, 8, 8>;
/// let rt = Rt::new(SimBackend::new(), ());
/// let pipe: RefCell<MemTransport<256>> = RefCell::new(MemTransport::new());
/// let source = SimSource(1);
/// // The peer sends a request head in two pieces; each arrival is a
/// // readiness event.
/// pipe.borrow_mut().peer_send(b"GET / HTTP/1.1\r\n").unwrap();
/// pipe.borrow_mut().peer_send(b"Host: a\r\n\r\n").unwrap();
/// rt.reactor().unwrap().backend_mut().ready_now(source, Ready::READABLE).unwrap();
///
/// let reply = rt.block_on(&[], async {
///     let mut stream: AsyncStream<'_, _, _, 1024, 1024> =
///         AsyncStream::new(&rt, SimTransport::new(&pipe, source));
///     let head = stream.read_until(b"\r\n\r\n", 8192).await?;
///     let lines = stream.data(&head).split(|&b| b == b'\n').count();
///     stream.consume(head)?;
///     stream.write_all(b"HTTP/1.1 204 No Content\r\n\r\n").await?;
///     stream.flush().await?;
///     Ok::<_, eddy_core::stream::StreamError>(lines)
/// }, None).unwrap();
///
/// assert_eq!(reply, Ok(4));
/// assert_eq!(pipe.borrow().outbound(), b"HTTP/1.1 204 No Content\r\n\r\n");
/// ```
pub struct AsyncStream<'r, B: Backend, T: IoSource<B>, const R: usize, const W: usize> {
    rt: &'r dyn IoHandle<B>,
    pub(super) stream: BufferedStream<T, R, W>,
    registration: Option<Registration>,
}

impl<'r, B: Backend, T: IoSource<B>, const R: usize, const W: usize> AsyncStream<'r, B, T, R, W> {
    /// A stream over `transport`, woken through `rt` (a
    /// [`Runtime`](crate::task::Runtime) over backend `B`). Nothing is
    /// registered until an operation has to wait.
    pub fn new(rt: &'r dyn IoHandle<B>, transport: T) -> Self {
        Self::from_stream(rt, BufferedStream::new(transport))
    }

    /// An async face for an existing stream (say, one accepted and used in
    /// the callback style so far). It must not be registered with the
    /// reactor any more.
    pub fn from_stream(rt: &'r dyn IoHandle<B>, stream: BufferedStream<T, R, W>) -> Self {
        AsyncStream {
            rt,
            stream,
            registration: None,
        }
    }

    /// The sans-I/O stream underneath (buffered bytes, counters, the
    /// transport).
    pub fn get_ref(&self) -> &BufferedStream<T, R, W> {
        &self.stream
    }

    /// The sans-I/O stream underneath, mutably.
    pub fn get_mut(&mut self) -> &mut BufferedStream<T, R, W> {
        &mut self.stream
    }

    /// The bytes of a completed read (see [`BufferedStream::data`]).
    pub fn data(&self, done: &ReadDone) -> &[u8] {
        self.stream.data(done)
    }

    /// Drops a completed read's bytes (see [`BufferedStream::consume`]).
    ///
    /// # Errors
    /// [`ReadError::Stale`] if a newer read started since `done` completed.
    pub fn consume(&mut self, done: ReadDone) -> Result<(), ReadError> {
        self.stream.consume(done)
    }

    /// Closes now (Tornado's `close`): unsent bytes are dropped, the source
    /// is deregistered, and the reason is returned the first time
    /// ([`BufferedStream::poll_close`]'s once-only report).
    pub fn close(&mut self) -> Option<CloseReason> {
        self.stream.close();
        self.settle();
        self.stream.poll_close()
    }

    /// Reports, exactly once, that the stream closed and why (see
    /// [`BufferedStream::poll_close`]); deregisters it then.
    pub fn poll_close(&mut self) -> Option<CloseReason> {
        let reason = self.stream.poll_close();
        if reason.is_some() {
            self.settle();
        }
        reason
    }

    /// Hands the readiness the current task received to the transport and
    /// lets the stream read and write until the transport would block.
    pub(super) fn pump(&mut self) {
        let ready = self.rt.io_ready();
        if !ready.is_empty() {
            self.stream.transport_mut().set_ready(ready);
        }
        self.stream.on_writable();
        self.stream.on_readable();
    }

    /// Makes sure the current task is woken when the source is ready for
    /// `need` (plus writability while unsent bytes wait). On failure the
    /// stream is closed and its reason returned.
    pub(super) fn wait(&mut self, need: Interest) -> Result<(), CloseReason> {
        let Some(task) = self.rt.current_task() else {
            // Polled outside a runtime task: nobody could be woken.
            return Ok(());
        };
        let want = if self.stream.is_flushed() {
            need
        } else {
            need | Interest::WRITABLE
        };
        let source = self.stream.transport().source();
        let result = match self.registration {
            None => self.rt.register(source, want, task).map(|token| Registration {
                token,
                interest: want,
                task,
            }),
            Some(r) if r.interest == want && r.task == task => Ok(r),
            Some(r) => self
                .rt
                .reregister(source, r.token, want, task)
                .map(|()| Registration {
                    token: r.token,
                    interest: want,
                    task,
                }),
        };
        match result {
            Ok(r) => {
                self.registration = Some(r);
                Ok(())
            }
            Err(e) => {
                warn!("stream cannot wait for readiness: {}", e);
                self.registration = None;
                let kind = match e {
                    IoError::Full => ErrorKind::OutOfMemory,
                    _ => ErrorKind::Other,
                };
                let reason = CloseReason::Error(kind);
                self.stream.close_now(reason);
                Err(self.stream.closed.unwrap_or(reason))
            }
        }
    }

    /// An operation finished: removes the registration, if any.
    pub(super) fn settle(&mut self) {
        if let Some(r) = self.registration.take() {
            let source = self.stream.transport().source();
            if let Err(e) = self.rt.deregister(source, r.token) {
                debug!("stream deregistration failed: {}", e);
            }
        }
    }
}

impl<B: Backend, T: IoSource<B>, const R: usize, const W: usize> Drop for AsyncStream<'_, B, T, R, W> {
    fn drop(&mut self) {
        self.settle();
    }
}

impl<B: Backend, T: IoSource<B>, const R: usize, const W: usize> fmt::Debug for AsyncStream<'_, B, T, R, W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncStream")
            .field("stream", &self.stream)
            .field("registration", &self.registration.map(|r| r.token))
            .finish()
    }
}
