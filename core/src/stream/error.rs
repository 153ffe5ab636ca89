//! Why a stream closed, and the error enums of its operations.
//!
//! - [`CloseReason`]: what ended the stream, reported exactly once by
//!   [`poll_close`](super::BufferedStream::poll_close) and carried by the
//!   `Closed` variants below.
//! - [`ReadError`]: starting a read, completing it, consuming its bytes.
//! - [`WriteError`]: buffering bytes to send.
//! - [`StreamError`]: either of the two, the `embedded_io::ErrorType` error
//!   the `embedded-io-async` traits will use.
//!
//! Transport errors are not kept generic inside the stream: each becomes a
//! [`CloseReason`] carrying its [`embedded_io::ErrorKind`], and every enum
//! here maps back onto an `ErrorKind` through [`embedded_io::Error`].

use core::fmt;

use embedded_io::ErrorKind;

/// What ended a stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum CloseReason {
    /// The peer closed its side (the transport read end-of-file), and the
    /// stream then finished flushing what it had to send.
    PeerClosed,
    /// The transport reported `ErrorKind::ConnectionReset`: the peer reset
    /// the connection; unsent bytes are lost.
    Reset,
    /// The transport failed with another error; unsent bytes are lost.
    Error(ErrorKind),
    /// The application's timer expired
    /// ([`on_timeout`](super::BufferedStream::on_timeout)).
    Timeout,
    /// The application closed the stream
    /// ([`close`](super::BufferedStream::close) or
    /// [`close_after_flush`](super::BufferedStream::close_after_flush)).
    Local,
    /// A read could not be satisfied within its `max_bytes` or within the
    /// read buffer (Tornado's `StreamBufferFullError` and
    /// `UnsatisfiableReadError`); what was queued to send was still flushed.
    BufferFull,
}

impl CloseReason {
    /// The `embedded_io` error kind that describes this reason.
    pub const fn kind(self) -> ErrorKind {
        match self {
            CloseReason::PeerClosed => ErrorKind::BrokenPipe,
            CloseReason::Reset => ErrorKind::ConnectionReset,
            CloseReason::Error(kind) => kind,
            CloseReason::Timeout => ErrorKind::TimedOut,
            CloseReason::Local => ErrorKind::NotConnected,
            CloseReason::BufferFull => ErrorKind::OutOfMemory,
        }
    }

    /// The reason for a failed transport call: `ConnectionReset` is
    /// [`Reset`](CloseReason::Reset), anything else is kept as
    /// [`Error`](CloseReason::Error).
    pub const fn from_kind(kind: ErrorKind) -> CloseReason {
        match kind {
            ErrorKind::ConnectionReset => CloseReason::Reset,
            kind => CloseReason::Error(kind),
        }
    }
}

impl fmt::Display for CloseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CloseReason::PeerClosed => f.write_str("the peer closed the connection"),
            CloseReason::Reset => f.write_str("the peer reset the connection"),
            CloseReason::Error(kind) => write!(f, "the transport failed ({kind:?})"),
            CloseReason::Timeout => f.write_str("the stream timed out"),
            CloseReason::Local => f.write_str("the stream was closed locally"),
            CloseReason::BufferFull => f.write_str("a read did not fit its limit or the read buffer"),
        }
    }
}

/// Why a read could not be started, completed or consumed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ReadError {
    /// Another read is pending; only one may be at a time. Nothing changed.
    Pending,
    /// The delimiter is empty or longer than
    /// [`MAX_DELIMITER`](super::MAX_DELIMITER) bytes. Nothing changed.
    InvalidDelimiter,
    /// The read can never complete: the delimiter is longer than
    /// `max_bytes` or the read buffer, or `read_exact` asked for more bytes
    /// than the read buffer holds, or `read_chunk(0)`. Nothing changed; the
    /// stream stays usable.
    Unsatisfiable,
    /// This [`ReadDone`](super::ReadDone) belongs to an earlier read (a new
    /// read started since); nothing was consumed.
    Stale,
    /// The read cannot complete: with [`CloseReason::BufferFull`] it went
    /// over its limit or the read buffer; with any other reason the read
    /// side finished first. Buffered bytes stay ([`read_until_close`] hands
    /// them over).
    ///
    /// [`read_until_close`]: super::BufferedStream::read_until_close
    Closed(CloseReason),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Pending => f.write_str(
                "a read is already pending: wait until poll_read completes it before starting another",
            ),
            ReadError::InvalidDelimiter => {
                f.write_str("the delimiter must be 1 to 16 bytes long: use a shorter delimiter")
            }
            ReadError::Unsatisfiable => f.write_str(
                "the read can never complete: raise max_bytes or the read buffer capacity, \
                 or ask for fewer bytes",
            ),
            ReadError::Stale => f.write_str(
                "this ReadDone belongs to an earlier read: consume a read's bytes before starting the next",
            ),
            ReadError::Closed(reason) => write!(
                f,
                "no more data can arrive ({reason}): read_until_close hands over what is buffered"
            ),
        }
    }
}

impl core::error::Error for ReadError {}

impl embedded_io::Error for ReadError {
    fn kind(&self) -> ErrorKind {
        match self {
            ReadError::Pending
            | ReadError::InvalidDelimiter
            | ReadError::Unsatisfiable
            | ReadError::Stale => ErrorKind::InvalidInput,
            ReadError::Closed(reason) => reason.kind(),
        }
    }
}

/// Why bytes could not be buffered for sending.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum WriteError {
    /// The write buffer is full (backpressure): wait until
    /// [`on_writable`](super::BufferedStream::on_writable) flushed some of
    /// it, or shed the peer.
    Full,
    /// [`close_after_flush`](super::BufferedStream::close_after_flush) was
    /// called: what is buffered still goes out, nothing new is taken.
    Closing,
    /// The stream is closed; nothing can be sent any more.
    Closed(CloseReason),
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::Full => f.write_str(
                "the write buffer is full: wait for it to flush (poll_flushed) or disconnect the slow peer",
            ),
            WriteError::Closing => {
                f.write_str("the stream is closing after its flush: no new bytes are accepted")
            }
            WriteError::Closed(reason) => write!(f, "the stream is closed ({reason}): drop it"),
        }
    }
}

impl core::error::Error for WriteError {}

impl embedded_io::Error for WriteError {
    fn kind(&self) -> ErrorKind {
        match self {
            WriteError::Full => ErrorKind::WriteZero,
            WriteError::Closing => ErrorKind::BrokenPipe,
            WriteError::Closed(reason) => reason.kind(),
        }
    }
}

/// Either direction's error: the stream's `embedded_io::ErrorType::Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum StreamError {
    /// A read failed.
    Read(ReadError),
    /// A write failed.
    Write(WriteError),
}

impl From<ReadError> for StreamError {
    fn from(e: ReadError) -> Self {
        StreamError::Read(e)
    }
}

impl From<WriteError> for StreamError {
    fn from(e: WriteError) -> Self {
        StreamError::Write(e)
    }
}

impl fmt::Display for StreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StreamError::Read(e) => write!(f, "read failed: {e}"),
            StreamError::Write(e) => write!(f, "write failed: {e}"),
        }
    }
}

impl core::error::Error for StreamError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            StreamError::Read(e) => Some(e),
            StreamError::Write(e) => Some(e),
        }
    }
}

impl embedded_io::Error for StreamError {
    fn kind(&self) -> ErrorKind {
        match self {
            StreamError::Read(e) => embedded_io::Error::kind(e),
            StreamError::Write(e) => embedded_io::Error::kind(e),
        }
    }
}
