//! The async client connect: [`AsyncStream::connect`] drives any backend's
//! [`ConnectAttempt`] to a connected stream.

use core::fmt;
use core::future::poll_fn;
use core::task::Poll;

use super::async_io::AsyncStream;
use super::connect::{ConnectAttempt, ConnectError};
use super::source::IoSource;
use crate::backend::Backend;
use crate::event::Interest;
use crate::task::{IoError, IoHandle};
use crate::token::Token;

/// Why [`AsyncStream::connect`] gave no stream.
#[derive(Debug)]
#[non_exhaustive]
pub enum ConnectFailed<E> {
    /// The attempt could not be registered with the reactor (see
    /// [`IoError`]); it was dropped.
    Register(IoError),
    /// The backend reports the connection failed (refused, unreachable,
    /// timed out, …).
    Failed(E),
}

impl<E: fmt::Display> fmt::Display for ConnectFailed<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnectFailed::Register(e) => write!(f, "could not wait for the connection: {e}"),
            ConnectFailed::Failed(e) => write!(f, "could not connect: {e}"),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> core::error::Error for ConnectFailed<E> {}

impl<'r, B: Backend, T: IoSource<B>, const R: usize, const W: usize> AsyncStream<'r, B, T, R, W> {
    /// Completes a client connection started by a backend
    /// (`eddy_std::connect(addr)?` on the std backend) and wraps it in a
    /// stream (Tornado's `TCPClient.connect`). The attempt is registered
    /// for `WRITABLE` under the current task; each writability event asks
    /// [`ConnectAttempt::complete`], and a spurious one waits again. Wrap
    /// it in [`with_timeout`](crate::task::with_timeout) to bound it.
    ///
    /// # Errors
    /// [`ConnectFailed::Failed`] with the backend's error;
    /// [`ConnectFailed::Register`] if the reactor has no room for it.
    pub async fn connect<C>(rt: &'r dyn IoHandle<B>, attempt: C) -> Result<Self, ConnectFailed<C::Error>>
    where
        C: ConnectAttempt<B, Transport = T>,
    {
        let mut guard = Attempt {
            rt,
            attempt: Some(attempt),
            token: None,
        };
        let transport = poll_fn(|_| guard.poll()).await;
        transport.map(|t| AsyncStream::new(rt, t))
    }
}

/// A connection attempt and its registration; dropping it unfinished (a
/// timeout) removes the registration.
struct Attempt<'r, B: Backend, C: ConnectAttempt<B>> {
    rt: &'r dyn IoHandle<B>,
    attempt: Option<C>,
    token: Option<Token>,
}

impl<B: Backend, C: ConnectAttempt<B>> Attempt<'_, B, C> {
    fn poll(&mut self) -> Poll<Result<C::Transport, ConnectFailed<C::Error>>> {
        let Some(attempt) = self.attempt.take() else {
            // Only after completion, which returned Ready.
            return Poll::Pending;
        };
        let attempt = match self.token {
            // Registered and woken for something else (a racing timeout).
            Some(_) if self.rt.io_ready().is_empty() => attempt,
            Some(token) => {
                self.token = None;
                if let Err(e) = self.rt.deregister(attempt.source(), token) {
                    debug!("connect attempt deregistration failed: {}", e);
                }
                match attempt.complete() {
                    Ok(transport) => return Poll::Ready(Ok(transport)),
                    Err(ConnectError::Failed(e)) => return Poll::Ready(Err(ConnectFailed::Failed(e))),
                    Err(ConnectError::Pending(again)) => again,
                }
            }
            None => attempt,
        };
        let attempt = self.attempt.insert(attempt);
        if self.token.is_some() {
            return Poll::Pending;
        }
        let Some(task) = self.rt.current_task() else {
            return Poll::Pending;
        };
        match self.rt.register(attempt.source(), Interest::WRITABLE, task) {
            Ok(token) => {
                self.token = Some(token);
                Poll::Pending
            }
            Err(e) => Poll::Ready(Err(ConnectFailed::Register(e))),
        }
    }
}

impl<B: Backend, C: ConnectAttempt<B>> Drop for Attempt<'_, B, C> {
    fn drop(&mut self) {
        if let (Some(token), Some(attempt)) = (self.token.take(), self.attempt.as_ref()) {
            let _ = self.rt.deregister(attempt.source(), token);
        }
    }
}
