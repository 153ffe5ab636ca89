//! Writing responses: the status line and headers, body framing, and the
//! canned error response.
//!
//! The connection decides the framing and persistence headers from the
//! request and the caller's [`BodyLen`]; the caller never writes
//! `Content-Length`, `Transfer-Encoding` or `Connection` itself, so the
//! framing on the wire always matches what the connection enforces.
//!
//! A response head is measured first (by arithmetic, [`Head::len`]) and
//! written only if it fits whole.
//! Body writes take as much as fits and say how much that was.

use super::head::Version;
use super::response_headers::{valid_reason, ResponseHeaders};
use super::{BodyLen, Output, ResponseError, Status};

/// The interim response that lets a client waiting on `Expect:
/// 100-continue` send its body (RFC 9110 §10.1.1, §15.2.1).
pub const CONTINUE: &[u8] = b"HTTP/1.1 100 Continue\r\n\r\n";

/// The last chunk and an empty trailer section (RFC 9112 §7.1).
const LAST_CHUNK: &[u8] = b"0\r\n\r\n";

/// What the current request contributes to its response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Exchange {
    /// The request's version.
    pub(crate) version: Version,
    /// `HEAD`: headers as for `GET`, no body bytes.
    pub(crate) is_head: bool,
    /// Both sides still want the connection kept open.
    pub(crate) keep_alive: bool,
}

/// How the response body goes on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Framing {
    /// `Content-Length`: exactly `remaining` more bytes.
    Fixed { remaining: u64 },
    /// Chunked (RFC 9112 §7.1).
    Chunked,
    /// Ended by closing the connection: an HTTP/1.0 client cannot take
    /// chunks (RFC 9112 §6.1), so a body of unknown length runs to the close
    /// (RFC 9112 §6.3 item 8).
    UntilClose,
    /// No body on the wire: a `HEAD` response, 204 or 304 (RFC 9110
    /// §6.4.1). Body bytes the caller writes are dropped.
    Omitted,
}

/// A planned response head: what `start_response` writes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Plan {
    pub(crate) framing: Framing,
    /// The connection closes after this response.
    pub(crate) close: bool,
}

/// Validates the caller's part of a response head and writes the whole head.
///
/// # Errors
///
/// Every [`ResponseError`] that concerns the arguments, and
/// [`ResponseError::OutputFull`]; nothing is written on error.
pub(crate) fn start<O: Output>(
    out: &mut O,
    ex: &Exchange,
    status: Status,
    reason: Option<&str>,
    headers: ResponseHeaders<'_>,
    body: BodyLen,
) -> Result<Plan, ResponseError> {
    let reason = status_line(status, reason)?;
    let headers = headers.fields();
    let http11 = ex.version == Version::Http11;
    let bodiless = status == Status::NO_CONTENT || status == Status::NOT_MODIFIED;
    let framing = match body {
        _ if ex.is_head || bodiless => Framing::Omitted,
        BodyLen::Fixed(n) => Framing::Fixed { remaining: n },
        BodyLen::Chunked if http11 => Framing::Chunked,
        BodyLen::Chunked => Framing::UntilClose,
    };
    let close = !ex.keep_alive || framing == Framing::UntilClose;
    let length = match body {
        // RFC 9110 §8.6: no Content-Length in a 204; a 304 may omit it, and
        // does here, together with Transfer-Encoding (RFC 9112 §6.1).
        _ if bodiless => Length::None,
        // A HEAD response carries the length the GET would have (RFC 9110
        // §9.3.2, §8.6).
        BodyLen::Fixed(n) => Length::Content(n),
        // RFC 9112 §6.1: never Transfer-Encoding to an HTTP/1.0 request.
        BodyLen::Chunked if http11 => Length::Chunked,
        BodyLen::Chunked => Length::None,
    };
    let head = Head {
        status,
        reason,
        headers,
        length,
        connection: connection_header(ex.version, close),
    };
    if head.len() > out.spare() {
        return Err(ResponseError::OutputFull);
    }
    head.emit(out)?;
    Ok(Plan { framing, close })
}

/// The reason phrase to write for `status`, after the checks on the status
/// and a caller's phrase.
///
/// # Errors
///
/// [`ResponseError::InformationalStatus`], [`ResponseError::InvalidReason`].
pub(crate) fn status_line(status: Status, reason: Option<&str>) -> Result<&str, ResponseError> {
    if status.is_informational() {
        return Err(ResponseError::InformationalStatus);
    }
    match reason {
        Some(r) if !valid_reason(r) => Err(ResponseError::InvalidReason),
        Some(r) => Ok(r),
        // The built-in phrases are letters and spaces.
        None => Ok(status.reason().unwrap_or("")),
    }
}

/// Writes a complete error response that closes the connection: the status,
/// a plain-text body naming it (omitted for `HEAD`) and `Connection: close`.
///
/// # Errors
///
/// [`ResponseError::OutputFull`] if the whole response does not fit; nothing
/// is written then.
pub(crate) fn error<O: Output>(out: &mut O, status: Status, is_head: bool) -> Result<(), ResponseError> {
    let text = status.reason().unwrap_or("Error");
    let body_len = text.len().saturating_add(1);
    let head = Head {
        status,
        reason: text,
        headers: &[("Content-Type", "text/plain; charset=utf-8")],
        length: Length::Content(body_len as u64),
        connection: Some("close"),
    };
    let size = if is_head {
        head.len()
    } else {
        head.len().saturating_add(body_len)
    };
    if size > out.spare() {
        return Err(ResponseError::OutputFull);
    }
    head.emit(out)?;
    if !is_head {
        out.write(text.as_bytes())?;
        out.write(b"\n")?;
    }
    Ok(())
}

/// Writes as much of `data` as fits, framed as `framing` says; returns how
/// many bytes of `data` were taken.
///
/// # Errors
///
/// [`ResponseError::BodyTooLong`] if `data` goes past the declared length,
/// [`ResponseError::OutputFull`] if not one byte fits.
pub(crate) fn body<O: Output>(
    out: &mut O,
    framing: &mut Framing,
    data: &[u8],
) -> Result<usize, ResponseError> {
    if data.is_empty() {
        // An empty chunk would end a chunked body: write nothing.
        return Ok(0);
    }
    match framing {
        Framing::Omitted => Ok(data.len()),
        Framing::Fixed { remaining } => {
            if data.len() as u64 > *remaining {
                return Err(ResponseError::BodyTooLong);
            }
            let n = raw(out, data)?;
            *remaining = remaining.saturating_sub(n as u64);
            Ok(n)
        }
        Framing::UntilClose => raw(out, data),
        Framing::Chunked => {
            // chunk = chunk-size CRLF chunk-data CRLF (RFC 9112 §7.1): the
            // frame costs the hex digits plus four bytes.
            let avail = out.spare().saturating_sub(4);
            let fits = avail.saturating_sub(hex_len(avail));
            let n = data.len().min(fits);
            let Some(chunk) = data.get(..n).filter(|c| !c.is_empty()) else {
                return Err(ResponseError::OutputFull);
            };
            let mut digits = [0u8; 16];
            out.write(hex(n, &mut digits))?;
            out.write(b"\r\n")?;
            out.write(chunk)?;
            out.write(b"\r\n")?;
            Ok(n)
        }
    }
}

/// Ends the body: the last chunk for a chunked body.
///
/// # Errors
///
/// [`ResponseError::BodyIncomplete`] if a fixed-length body is short,
/// [`ResponseError::OutputFull`] if the last chunk does not fit.
pub(crate) fn finish<O: Output>(out: &mut O, framing: Framing) -> Result<(), ResponseError> {
    match framing {
        Framing::Chunked => Ok(out.write(LAST_CHUNK)?),
        Framing::Fixed { remaining } if remaining > 0 => Err(ResponseError::BodyIncomplete),
        _ => Ok(()),
    }
}

/// Copies the prefix of `data` that fits.
fn raw<O: Output>(out: &mut O, data: &[u8]) -> Result<usize, ResponseError> {
    let n = data.len().min(out.spare());
    let Some(part) = data.get(..n).filter(|p| !p.is_empty()) else {
        return Err(ResponseError::OutputFull);
    };
    out.write(part)?;
    Ok(n)
}

/// The `Connection` value to send (RFC 9112 §9.3, §9.6): `close` when
/// closing; `keep-alive` to an HTTP/1.0 client that stays (RFC 9112
/// Appendix C.2.2); nothing for HTTP/1.1, persistent by default.
fn connection_header(version: Version, close: bool) -> Option<&'static str> {
    match (close, version) {
        (true, _) => Some("close"),
        (false, Version::Http10) => Some("keep-alive"),
        (false, Version::Http11) => None,
    }
}

/// The framing header of a response.
#[derive(Clone, Copy, Debug)]
enum Length {
    None,
    Content(u64),
    Chunked,
}

/// A response head ready to be written.
struct Head<'a> {
    status: Status,
    reason: &'a str,
    headers: &'a [(&'a str, &'a str)],
    length: Length,
    connection: Option<&'a str>,
}

impl Head<'_> {
    /// How many bytes [`emit`](Head::emit) writes.
    fn len(&self) -> usize {
        // "HTTP/1.1 " + 3 digits + " " + reason + CRLF, and the final CRLF.
        let mut n = 9usize + 3 + 1 + self.reason.len() + 2 + 2;
        for (name, value) in self.headers {
            n = n.saturating_add(field_len(name.len(), value.len()));
        }
        n = n.saturating_add(match self.length {
            Length::None => 0,
            Length::Content(v) => field_len("Content-Length".len(), decimal_len(v)),
            Length::Chunked => field_len("Transfer-Encoding".len(), "chunked".len()),
        });
        if let Some(value) = self.connection {
            n = n.saturating_add(field_len("Connection".len(), value.len()));
        }
        n
    }

    /// Writes the head; the caller checked that it fits. Fixed pieces are
    /// joined on the stack first, so a head costs a handful of writes.
    fn emit<O: Output>(&self, out: &mut O) -> Result<(), ResponseError> {
        // status-line = HTTP-version SP status-code SP [ reason-phrase ]
        // (RFC 9112 §4); always our highest version (RFC 9110 §6.2).
        let mut start = *b"HTTP/1.1 000 ";
        if let Some(code) = start.get_mut(9..12) {
            code.copy_from_slice(&self.status.digits());
        }
        out.write(&start)?;
        out.write(self.reason.as_bytes())?;
        out.write(b"\r\n")?;
        for (name, value) in self.headers {
            field(out, name, value.as_bytes())?;
        }
        match self.length {
            Length::None => {}
            Length::Content(n) => {
                // "Content-Length: " + at most 20 digits + CRLF.
                let mut line = [0u8; 38];
                let mut digits = [0u8; 20];
                let used = join(
                    &mut line,
                    &[b"Content-Length: ", decimal(n, &mut digits), b"\r\n"],
                );
                out.write(used)?;
            }
            Length::Chunked => field(out, "Transfer-Encoding", b"chunked")?,
        }
        if let Some(value) = self.connection {
            field(out, "Connection", value.as_bytes())?;
        }
        out.write(b"\r\n")?;
        Ok(())
    }
}

/// Copies `parts` one after the other into `buf` (which must hold them)
/// and returns the filled prefix.
fn join<'a>(buf: &'a mut [u8], parts: &[&[u8]]) -> &'a [u8] {
    let mut at = 0;
    for part in parts {
        let end = at + part.len();
        if let Some(dst) = buf.get_mut(at..end) {
            dst.copy_from_slice(part);
            at = end;
        }
    }
    buf.get(..at).unwrap_or(&[])
}

/// field-line = field-name ":" OWS field-value OWS (RFC 9112 §5).
fn field<O: Output>(out: &mut O, name: &str, value: &[u8]) -> Result<(), ResponseError> {
    out.write(name.as_bytes())?;
    out.write(b": ")?;
    out.write(value)?;
    out.write(b"\r\n")?;
    Ok(())
}

/// The size of a field line: `name: value` CRLF.
fn field_len(name: usize, value: usize) -> usize {
    name.saturating_add(value).saturating_add(4)
}

/// How many decimal digits `n` takes.
fn decimal_len(n: u64) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

/// `n` in decimal, written into the end of `buf`.
fn decimal(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut at = buf.len();
    for slot in buf.iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        at -= 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.get(at..).unwrap_or(&[])
}

/// `n` in lowercase hex without leading zeros, written into the end of `buf`.
fn hex(n: usize, buf: &mut [u8; 16]) -> &[u8] {
    let mut n = n as u64;
    let mut at = buf.len();
    for slot in buf.iter_mut().rev() {
        *slot = b"0123456789abcdef"[(n & 0xf) as usize];
        at -= 1;
        n >>= 4;
        if n == 0 {
            break;
        }
    }
    buf.get(at..).unwrap_or(&[])
}

/// How many hex digits `n` takes.
fn hex_len(n: usize) -> usize {
    let bits = usize::BITS - n.leading_zeros();
    (bits as usize).div_ceil(4).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        let mut d = [0u8; 20];
        assert_eq!(decimal(0, &mut d), b"0");
        assert_eq!(decimal(1234, &mut d), b"1234");
        assert_eq!(decimal(u64::MAX, &mut d), b"18446744073709551615");
        let mut h = [0u8; 16];
        assert_eq!(hex(0, &mut h), b"0");
        assert_eq!(hex(0x1f4, &mut h), b"1f4");
        for n in [0usize, 1, 15, 16, 255, 256, 4095, 4096, usize::MAX] {
            assert_eq!(hex_len(n), hex(n, &mut h).len(), "{n}");
        }
    }

    #[test]
    fn decimal_len_matches_decimal() {
        let mut d = [0u8; 20];
        for n in [0u64, 9, 10, 99, 100, 12_345, u64::MAX] {
            assert_eq!(decimal_len(n), decimal(n, &mut d).len(), "{n}");
        }
    }

    /// `start` skips checking the built-in phrases: they must pass the check.
    #[test]
    fn built_in_reasons_are_valid_phrases() {
        for code in 100..=599 {
            if let Some(reason) = Status::new(code).and_then(Status::reason) {
                assert!(valid_reason(reason), "{code} {reason}");
            }
        }
    }

    /// `Head::len` is what `emit` writes, for every framing and
    /// `Connection` value.
    #[test]
    fn head_len_is_emitted_size() {
        let headers: &[(&str, &str)] = &[("Content-Type", "text/plain"), ("X-A", "")];
        let lengths = [
            Length::None,
            Length::Content(0),
            Length::Content(1_000_000),
            Length::Chunked,
        ];
        for length in lengths {
            for connection in [None, Some("close"), Some("keep-alive")] {
                for reason in ["OK", ""] {
                    let head = Head {
                        status: Status::OK,
                        reason,
                        headers,
                        length,
                        connection,
                    };
                    let mut out: heapless::Vec<u8, 256> = heapless::Vec::new();
                    head.emit(&mut out).unwrap();
                    assert_eq!(head.len(), out.len(), "{length:?} {connection:?} {reason:?}");
                }
            }
        }
    }
}
