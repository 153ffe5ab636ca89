//! Response heads rendered once: [`PreparedHead`].
//!
//! A server that answers most requests with the same status and headers
//! (`200 OK`, `Content-Type: text/plain`) need not check and assemble them
//! per response. [`PreparedHead::new`] checks the status, reason and headers
//! as [`Connection::start_response`](super::Connection::start_response)
//! would and renders the status line and header lines into a fixed
//! `N`-byte array; [`Connection::start_prepared`](super::Connection::start_prepared)
//! and [`Connection::respond`](super::Connection::respond) then copy those
//! bytes whole and add only the framing and `Connection` lines that the
//! request and body decide.

use super::response::{self, status_line, Prepared};

/// The line that follows the prepared lines in most responses.
const CONTENT_LENGTH: &[u8] = b"Content-Length: ";
use super::{ResponseError, ResponseHeaders, Status};

/// A status line and header lines, checked and rendered once, for any
/// number of responses.
///
/// # Examples
///
/// ```
/// use eddy_core::http::{PreparedHead, ResponseError, Status};
///
/// let ok = PreparedHead::<64>::new(Status::OK, None, &[("Content-Type", "text/plain")])?;
/// assert_eq!(ok.as_bytes(), b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n");
/// assert_eq!(
///     PreparedHead::<16>::new(Status::OK, None, &[("Content-Type", "text/plain")]).err(),
///     Some(ResponseError::HeadTooLong)
/// );
/// # Ok::<(), ResponseError>(())
/// ```
#[derive(Clone, Debug)]
pub struct PreparedHead<const N: usize = 128> {
    status: Status,
    /// The lines, then `Content-Length: ` (the usual next line, so a
    /// fixed-length response's head is these bytes, digits and CRLF CRLF).
    bytes: heapless::Vec<u8, N>,
    /// How many of `bytes` are the lines.
    lines: usize,
}

impl<const N: usize> PreparedHead<N> {
    /// Checks and renders `status` (`reason` defaults to
    /// [`Status::reason`]) and `headers`.
    ///
    /// # Errors
    ///
    /// As [`Connection::start_response`](super::Connection::start_response)
    /// for the arguments ([`ResponseError::InformationalStatus`],
    /// [`ResponseError::InvalidReason`], [`ResponseError::InvalidHeader`],
    /// [`ResponseError::ReservedHeader`]), and
    /// [`ResponseError::HeadTooLong`] when the lines and the 16 bytes of
    /// `Content-Length: ` kept after them exceed `N` bytes.
    pub fn new(
        status: Status,
        reason: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Result<Self, ResponseError> {
        let reason = status_line(status, reason)?;
        let headers = ResponseHeaders::new(headers)?;
        let mut bytes = heapless::Vec::new();
        response::emit_lines(&mut bytes, status, reason, headers.fields())
            .map_err(|_| ResponseError::HeadTooLong)?;
        let lines = bytes.len();
        bytes
            .extend_from_slice(CONTENT_LENGTH)
            .map_err(|_| ResponseError::HeadTooLong)?;
        Ok(PreparedHead { status, bytes, lines })
    }

    /// The status.
    pub fn status(&self) -> Status {
        self.status
    }

    /// The rendered status line and header lines, each ending in CRLF.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.lines).unwrap_or(&self.bytes)
    }

    /// The bytes the response calls copy.
    pub(crate) fn prepared(&self) -> Prepared<'_> {
        Prepared {
            lines: self.as_bytes(),
            with_length: &self.bytes,
        }
    }
}
