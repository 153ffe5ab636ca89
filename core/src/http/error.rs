//! The HTTP connection's error enums, one per side.
//!
//! [`RequestError`] is what [`receive`](super::Connection::receive) and
//! [`on_timeout`](super::Connection::on_timeout) report about the peer's
//! bytes: each maps to the response [`Status`] to send and always leaves the
//! connection marked to close. [`ResponseError`] is what the response calls
//! report about the caller's own use of the API. [`OutputFull`] is what an
//! [`Output`](super::Output) says when it has no room.

use core::fmt;

use super::Status;

/// Why a request could not be read. Every variant closes the connection;
/// answer with [`status`](RequestError::status) (see
/// [`send_error`](super::Connection::send_error)) and then close.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum RequestError {
    /// The request line or a header line is not valid HTTP/1.1 syntax
    /// (RFC 9112 §3, §5). 400.
    MalformedHead,
    /// The request head did not end within
    /// [`Config::max_head`](super::Config::max_head) bytes. 431.
    HeadTooLarge,
    /// The head has more header lines than the connection's `H`. 431.
    TooManyHeaders,
    /// The request names an HTTP version other than 1.0 or 1.1. 505.
    UnsupportedVersion,
    /// An HTTP/1.1 request without a `Host` header (RFC 9112 §3.2). 400.
    MissingHost,
    /// A request with more than one `Host` header (RFC 9112 §3.2). 400.
    DuplicateHost,
    /// A `Content-Length` value that is not plain decimal digits
    /// (RFC 9110 §8.6). 400.
    InvalidContentLength,
    /// Several `Content-Length` values that differ (RFC 9110 §8.6,
    /// RFC 9112 §6.3). 400.
    ConflictingContentLength,
    /// Both `Content-Length` and `Transfer-Encoding`, a request-smuggling
    /// shape (RFC 9112 §6.1, §6.3). 400.
    ContentLengthWithTransferEncoding,
    /// `Transfer-Encoding` in an HTTP/1.0 request, whose framing is then
    /// faulty (RFC 9112 §6.1). 400.
    TransferEncodingInHttp10,
    /// A `Transfer-Encoding` header with no coding in it. 400.
    EmptyTransferEncoding,
    /// `chunked` applied more than once (RFC 9112 §6.1). 400.
    ChunkedTwice,
    /// A transfer coding other than `chunked`, or `chunked` not last
    /// (RFC 9112 §6.1, §6.3). 501.
    UnsupportedTransferEncoding,
    /// The body is larger than
    /// [`Config::max_body`](super::Config::max_body): a `Content-Length` over
    /// it, or chunk sizes adding up past it. 413.
    BodyTooLarge,
    /// A chunk-size line that is not hexadecimal digits (RFC 9112 §7.1). 400.
    InvalidChunkSize,
    /// A chunk not followed by CRLF, or a chunk line or trailer ending in a
    /// bare LF or CR (RFC 9112 §7.1, §2.2). 400.
    InvalidChunkFraming,
    /// Chunk extensions and trailer fields of one body together exceeded
    /// [`Config::max_head`](super::Config::max_head) bytes. 431.
    ChunkMetadataTooLarge,
    /// The request head was not complete within
    /// [`Config::header_timeout`](super::Config::header_timeout) of its
    /// first byte. 408.
    HeaderTimeout,
    /// A keep-alive connection sat idle between requests for
    /// [`Config::idle_timeout`](super::Config::idle_timeout). 408, which
    /// may be skipped: closing silently is just as correct here.
    IdleTimeout,
}

impl RequestError {
    /// The status to answer with.
    pub const fn status(self) -> Status {
        match self {
            RequestError::MalformedHead
            | RequestError::MissingHost
            | RequestError::DuplicateHost
            | RequestError::InvalidContentLength
            | RequestError::ConflictingContentLength
            | RequestError::ContentLengthWithTransferEncoding
            | RequestError::TransferEncodingInHttp10
            | RequestError::EmptyTransferEncoding
            | RequestError::ChunkedTwice
            | RequestError::InvalidChunkSize
            | RequestError::InvalidChunkFraming => Status::BAD_REQUEST,
            RequestError::HeadTooLarge
            | RequestError::TooManyHeaders
            | RequestError::ChunkMetadataTooLarge => Status::REQUEST_HEADER_FIELDS_TOO_LARGE,
            RequestError::UnsupportedVersion => Status::HTTP_VERSION_NOT_SUPPORTED,
            RequestError::UnsupportedTransferEncoding => Status::NOT_IMPLEMENTED,
            RequestError::BodyTooLarge => Status::CONTENT_TOO_LARGE,
            RequestError::HeaderTimeout | RequestError::IdleTimeout => Status::REQUEST_TIMEOUT,
        }
    }
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RequestError::MalformedHead => "malformed request line or header",
            RequestError::HeadTooLarge => "request head exceeds the head size limit",
            RequestError::TooManyHeaders => "request has more header fields than allowed",
            RequestError::UnsupportedVersion => "HTTP version other than 1.0 or 1.1",
            RequestError::MissingHost => "HTTP/1.1 request without a Host header",
            RequestError::DuplicateHost => "request with more than one Host header",
            RequestError::InvalidContentLength => "Content-Length is not a decimal number",
            RequestError::ConflictingContentLength => "Content-Length values differ",
            RequestError::ContentLengthWithTransferEncoding => {
                "both Content-Length and Transfer-Encoding present"
            }
            RequestError::TransferEncodingInHttp10 => "Transfer-Encoding in an HTTP/1.0 request",
            RequestError::EmptyTransferEncoding => "Transfer-Encoding names no coding",
            RequestError::ChunkedTwice => "chunked transfer coding applied more than once",
            RequestError::UnsupportedTransferEncoding => "transfer coding other than a final chunked",
            RequestError::BodyTooLarge => "request body exceeds the body size limit",
            RequestError::InvalidChunkSize => "invalid chunk size",
            RequestError::InvalidChunkFraming => "chunk or trailer line not ended by CRLF",
            RequestError::ChunkMetadataTooLarge => "chunk extensions and trailers exceed the head size limit",
            RequestError::HeaderTimeout => "request head not received within the header timeout",
            RequestError::IdleTimeout => "keep-alive connection idle past the idle timeout",
        })
    }
}

impl core::error::Error for RequestError {}

/// Why a response call was refused. Unless the variant says otherwise,
/// nothing was written and the connection's state is unchanged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ResponseError {
    /// There is no request to answer: its head has not been received.
    NoRequest,
    /// A response to this request has already been started.
    AlreadyStarted,
    /// `write_body` or `finish` before `start_response`.
    NotStarted,
    /// The output has no room for the bytes: flush it and call again.
    OutputFull,
    /// A 1xx status passed to `start_response`; interim responses are
    /// written with [`write_continue`](super::Connection::write_continue).
    InformationalStatus,
    /// The reason phrase contains a control character such as CR or LF
    /// (RFC 9112 §4).
    InvalidReason,
    /// A header name that is not a token, or a value with a control
    /// character such as CR or LF (RFC 9110 §5.1, §5.5).
    InvalidHeader,
    /// `Content-Length`, `Transfer-Encoding` or `Connection` among the
    /// caller's headers: the connection writes those itself from
    /// [`BodyLen`](super::BodyLen) and the keep-alive rules.
    ReservedHeader,
    /// More body bytes than the declared `Content-Length`; none were written.
    BodyTooLong,
    /// `finish` before all declared `Content-Length` bytes were written. The
    /// response cannot be completed: the connection is now closed.
    BodyIncomplete,
    /// The connection is closed (after an error, a timeout or a final
    /// response that closes it).
    Closed,
    /// A [`PreparedHead`](super::PreparedHead)'s status line and headers
    /// do not fit its `N` bytes.
    HeadTooLong,
}

impl fmt::Display for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ResponseError::NoRequest => "no request head received to respond to",
            ResponseError::AlreadyStarted => "a response to this request was already started",
            ResponseError::NotStarted => "no response started: call start_response first",
            ResponseError::OutputFull => "output buffer full: flush it and retry",
            ResponseError::InformationalStatus => "1xx status given to start_response: use write_continue",
            ResponseError::InvalidReason => "reason phrase contains a control character",
            ResponseError::InvalidHeader => "invalid response header name or value",
            ResponseError::ReservedHeader => {
                "Content-Length, Transfer-Encoding and Connection are set by the connection"
            }
            ResponseError::BodyTooLong => "body longer than the declared Content-Length",
            ResponseError::BodyIncomplete => {
                "body shorter than the declared Content-Length: the connection must close"
            }
            ResponseError::Closed => "the connection is closed",
            ResponseError::HeadTooLong => "the prepared response head does not fit its capacity",
        })
    }
}

impl core::error::Error for ResponseError {}

/// An [`Output`](super::Output) had no room for the bytes; nothing was
/// written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct OutputFull;

impl fmt::Display for OutputFull {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("output buffer full: flush it and retry")
    }
}

impl core::error::Error for OutputFull {}

impl From<OutputFull> for ResponseError {
    fn from(_: OutputFull) -> ResponseError {
        ResponseError::OutputFull
    }
}
