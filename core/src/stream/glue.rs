//! Callback-style glue: readiness events in, registration changes out.
//!
//! A reactor handler for a stream does three things: feed the event's
//! [`Ready`] flags to the stream, let the application read and write, then
//! bring the registration's [`Interest`] in line with what the stream wants
//! now. [`StreamDriver`] does the first and last step and remembers what is
//! registered, so the handler stays a few lines and never keeps `WRITABLE`
//! registered on an idle stream (the poll(2) backend is level-triggered and
//! would report it writable on every poll). See the example on
//! [`StreamDriver`].
//!
//! The driver does no reactor calls itself, so it works with any backend's
//! source type and any handler table; it assumes the change it returns is
//! applied.

use super::buffered::BufferedStream;
use super::transport::Transport;
use crate::event::{Interest, Ready};

/// How to bring a registration in line with what the stream wants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum InterestChange {
    /// Not registered, and the stream wants events: register
    /// (`Reactor::add_handler`).
    Register(Interest),
    /// Registered with another interest: change it
    /// (`Reactor::update_handler`).
    Reregister(Interest),
    /// Registered, and the stream wants nothing (closed, or paused with
    /// nothing to send): deregister (`Reactor::remove_handler`).
    Deregister,
}

/// Maps readiness onto a [`BufferedStream`] and tracks its registration.
///
/// # Examples
///
/// One handler call, as a reactor handler would make it:
///
/// ```
/// use eddy_core::event::Ready;
/// use eddy_core::stream::{BufferedStream, InterestChange, MemTransport, StreamDriver};
/// use eddy_core::Interest;
///
/// let mut stream: BufferedStream<MemTransport<64>, 64, 64> = BufferedStream::new(MemTransport::new());
/// // Registered for READABLE when the connection was accepted.
/// let mut driver = StreamDriver::registered(Interest::READABLE);
/// stream.read_until(b"\n", 64).unwrap();
/// stream.transport_mut().peer_send(b"ping\n").unwrap();
///
/// // In the handler, for each event:
/// driver.on_event(&mut stream, Ready::READABLE);
/// while let Some(Ok(line)) = stream.poll_read() {
///     stream.try_write_all(b"pong\n").unwrap();
///     stream.consume(line).unwrap();
/// }
/// // Here the handler would call `reactor.update_handler(..)` (or
/// // `add_handler` / `remove_handler`) as told.
/// assert_eq!(driver.update(&stream), Some(InterestChange::Reregister(Interest::BOTH)));
/// if let Some(_reason) = stream.poll_close() {
///     // drop the connection and deregister
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct StreamDriver {
    registered: Option<Interest>,
}

impl StreamDriver {
    /// A driver for a stream that is not registered yet.
    pub const fn new() -> Self {
        StreamDriver { registered: None }
    }

    /// A driver for a stream already registered with `interest`.
    pub const fn registered(interest: Interest) -> Self {
        StreamDriver {
            registered: Some(interest),
        }
    }

    /// The interest the driver believes is registered.
    pub const fn interest(&self) -> Option<Interest> {
        self.registered
    }

    /// Feeds one event's readiness to the stream: readable, read-closed or
    /// error → [`on_readable`](BufferedStream::on_readable); writable,
    /// write-closed or error → [`on_writable`](BufferedStream::on_writable).
    /// End-of-file and failures surface through `poll_read` and
    /// `poll_close`.
    pub fn on_event<T: Transport, const R: usize, const W: usize>(
        &mut self,
        stream: &mut BufferedStream<T, R, W>,
        ready: Ready,
    ) {
        if ready.is_readable() {
            stream.on_readable();
        }
        if ready.is_writable() {
            stream.on_writable();
        }
    }

    /// The registration change needed now, if any, comparing
    /// [`desired_interest`](BufferedStream::desired_interest) with what is
    /// registered; the driver records the change as applied. Call it after
    /// the application's reads and writes.
    pub fn update<T, const R: usize, const W: usize>(
        &mut self,
        stream: &BufferedStream<T, R, W>,
    ) -> Option<InterestChange> {
        let wanted = stream.desired_interest();
        let change = match (self.registered, wanted) {
            (None, Some(i)) => InterestChange::Register(i),
            (Some(_), None) => InterestChange::Deregister,
            (Some(old), Some(new)) if old != new => InterestChange::Reregister(new),
            _ => return None,
        };
        self.registered = wanted;
        Some(change)
    }
}
