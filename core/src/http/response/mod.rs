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

use super::digits::{decimal, decimal_len, join};
use super::head::Version;
use super::response_headers::{valid_reason, ResponseHeaders};
use super::{BodyLen, Output, ResponseError, Status};

mod body;

pub(crate) use body::{body, error, finish};

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

/// The framing, persistence and head lines a response gets from its
/// request and body.
struct Decided {
    plan: Plan,
    length: Length,
    connection: Option<&'static str>,
}

/// Decides framing and persistence (RFC 9112 §6, §9.3) for `status` and
/// `body` in answer to `ex`.
fn decide(ex: &Exchange, status: Status, body: BodyLen) -> Decided {
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
    Decided {
        plan: Plan { framing, close },
        length,
        connection: connection_header(ex.version, close),
    }
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
    let decided = decide(ex, status, body);
    let head = Head {
        status,
        reason,
        headers: headers.fields(),
        length: decided.length,
        connection: decided.connection,
    };
    if head.len() > out.spare() {
        return Err(ResponseError::OutputFull);
    }
    head.emit(out)?;
    Ok(decided.plan)
}

/// A [`PreparedHead`](super::PreparedHead)'s bytes: the status and header
/// lines, and the same followed by `Content-Length: `.
#[derive(Clone, Copy)]
pub(crate) struct Prepared<'a> {
    pub(crate) lines: &'a [u8],
    pub(crate) with_length: &'a [u8],
}

/// Writes a response head from prepared lines (`lines`, for `status`): the
/// lines, then the framing and `Connection` lines and the blank line, in
/// two writes. With `body`, also a whole fixed-length body made of those
/// parts (dropped where the framing omits it).
///
/// # Errors
///
/// [`ResponseError::OutputFull`] if the head (and `body`) do not fit
/// whole; nothing is written then.
#[inline]
pub(crate) fn start_prepared<O: Output>(
    out: &mut O,
    ex: &Exchange,
    prepared: Prepared<'_>,
    status: Status,
    body: BodyLen,
    parts: &[&[u8]],
) -> Result<Plan, ResponseError> {
    // The usual response, kept short so that it stays in the instruction
    // cache between system calls: a fixed-length body to an HTTP/1.1 client
    // that keeps the connection, where `decide` would add no `Connection`
    // line and keep the length.
    let usual = ex.version == Version::Http11
        && ex.keep_alive
        && !ex.is_head
        && status != Status::NO_CONTENT
        && status != Status::NOT_MODIFIED;
    match body {
        BodyLen::Fixed(n) if usual => usual_head(out, prepared.with_length, n, parts),
        _ => start_prepared_general(out, ex, prepared, status, body, parts),
    }
}

/// [`start_prepared`]'s usual case: the prepared lines (with
/// `Content-Length: `), the digits of `n`, the blank line and the body
/// `parts`, in one write.
fn usual_head<O: Output>(
    out: &mut O,
    with_length: &[u8],
    n: u64,
    parts: &[&[u8]],
) -> Result<Plan, ResponseError> {
    let mut digits = [0u8; 20];
    let digits = decimal(n, &mut digits);
    let plan = |sent: usize| Plan {
        framing: Framing::Fixed {
            remaining: n.saturating_sub(sent as u64),
        },
        close: false,
    };
    match *parts {
        [a, b, c] => {
            let sent = a.len().saturating_add(b.len()).saturating_add(c.len());
            out.write_parts(&[with_length, digits, b"\r\n\r\n", a, b, c])?;
            Ok(plan(sent))
        }
        [a] => {
            out.write_parts(&[with_length, digits, b"\r\n\r\n", a])?;
            Ok(plan(a.len()))
        }
        [] => {
            out.write_parts(&[with_length, digits, b"\r\n\r\n"])?;
            Ok(plan(0))
        }
        _ => {
            let sent = parts.iter().fold(0usize, |n, p| n.saturating_add(p.len()));
            let head = with_length.len().saturating_add(digits.len() + 4);
            if head.saturating_add(sent) > out.spare() {
                return Err(ResponseError::OutputFull);
            }
            out.write_parts(&[with_length, digits, b"\r\n\r\n"])?;
            out.write_parts(parts)?;
            Ok(plan(sent))
        }
    }
}

/// [`start_prepared`] for every response.
#[inline(never)]
fn start_prepared_general<O: Output>(
    out: &mut O,
    ex: &Exchange,
    prepared: Prepared<'_>,
    status: Status,
    body: BodyLen,
    parts: &[&[u8]],
) -> Result<Plan, ResponseError> {
    let mut decided = decide(ex, status, body);
    let sent: usize = match decided.plan.framing {
        Framing::Omitted => 0,
        _ => parts.iter().fold(0usize, |n, p| n.saturating_add(p.len())),
    };
    if let (Length::Content(n), None) = (decided.length, decided.connection) {
        // The usual head: the prepared lines, `Content-Length: ` already
        // after them, the digits and the blank line; with a small body,
        // all in one write.
        let mut digits = [0u8; 20];
        let digits = decimal(n, &mut digits);
        let head = prepared.with_length.len().saturating_add(digits.len() + 4);
        if head.saturating_add(sent) > out.spare() {
            return Err(ResponseError::OutputFull);
        }
        let mut all: [&[u8]; 8] = [prepared.with_length, digits, b"\r\n\r\n", &[], &[], &[], &[], &[]];
        let body_parts = if sent > 0 { parts } else { &[] };
        if body_parts.len() <= all.len() - 3 {
            for (slot, part) in all.iter_mut().skip(3).zip(body_parts) {
                *slot = part;
            }
            out.write_parts(all.get(..3 + body_parts.len()).unwrap_or(&all))?;
        } else {
            out.write_parts(all.get(..3).unwrap_or(&all))?;
            out.write_parts(body_parts)?;
        }
        if let Framing::Fixed { remaining } = &mut decided.plan.framing {
            *remaining = remaining.saturating_sub(sent as u64);
        }
        return Ok(decided.plan);
    }
    let lines = prepared.lines;
    // "Content-Length: " + 20 digits + CRLF, "Connection: keep-alive" CRLF,
    // CRLF: at most 38 + 24 + 2 bytes.
    let mut tail = [0u8; 64];
    let mut digits = [0u8; 20];
    let (length_name, length_value): (&[u8], &[u8]) = match decided.length {
        Length::None => (b"", b""),
        Length::Content(n) => (b"Content-Length: ", decimal(n, &mut digits)),
        Length::Chunked => (b"Transfer-Encoding: ", b"chunked"),
    };
    let length_end: &[u8] = if length_name.is_empty() { b"" } else { b"\r\n" };
    let (connection_name, connection_value, connection_end): (&[u8], &[u8], &[u8]) = match decided.connection
    {
        Some(v) => (b"Connection: ", v.as_bytes(), b"\r\n"),
        None => (b"", b"", b""),
    };
    let tail = join(
        &mut tail,
        &[
            length_name,
            length_value,
            length_end,
            connection_name,
            connection_value,
            connection_end,
            b"\r\n",
        ],
    );
    if lines.len().saturating_add(tail.len()).saturating_add(sent) > out.spare() {
        return Err(ResponseError::OutputFull);
    }
    out.write_parts(&[lines, tail])?;
    if sent > 0 {
        out.write_parts(parts)?;
        if let Framing::Fixed { remaining } = &mut decided.plan.framing {
            *remaining = remaining.saturating_sub(sent as u64);
        }
    }
    Ok(decided.plan)
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
        emit_lines(out, self.status, self.reason, self.headers)?;
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

/// Writes the status line and the caller's header lines.
pub(crate) fn emit_lines<O: Output>(
    out: &mut O,
    status: Status,
    reason: &str,
    headers: &[(&str, &str)],
) -> Result<(), ResponseError> {
    // status-line = HTTP-version SP status-code SP [ reason-phrase ]
    // (RFC 9112 §4); always our highest version (RFC 9110 §6.2).
    let mut start = *b"HTTP/1.1 000 ";
    if let Some(code) = start.get_mut(9..12) {
        code.copy_from_slice(&status.digits());
    }
    out.write(&start)?;
    out.write(reason.as_bytes())?;
    out.write(b"\r\n")?;
    for (name, value) in headers {
        field(out, name, value.as_bytes())?;
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

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
