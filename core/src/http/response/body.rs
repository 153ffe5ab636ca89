//! Response bodies on the wire: fixed-length and chunked body writes, the
//! last chunk, and the canned error response.

use super::{Framing, Head, Length, LAST_CHUNK};
use crate::http::digits::{hex, hex_len};
use crate::http::{Output, ResponseError, Status};

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
