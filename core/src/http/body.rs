//! Request body decoders: `Content-Length` and chunked, as small state
//! machines that hand out body bytes as slices of the caller's input.
//!
//! A decoder never buffers: each call consumes framing bytes and returns at
//! most one run of body bytes borrowed from the input, so a 1 MiB body flows
//! through a read buffer of any size. Every count is checked against the
//! limits before it can overflow: a chunk size is hexadecimal and may be
//! arbitrarily long on the wire.

use super::RequestError;

/// How a message body is delimited: the request framing reported by
/// [`RequestHead::body`](super::RequestHead::body), and the framing the
/// caller picks for a response in
/// [`start_response`](super::Connection::start_response).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum BodyLen {
    /// Exactly this many bytes (`Content-Length`, RFC 9112 §6.2); `0` for
    /// no body.
    Fixed(u64),
    /// A chunked body of unknown length (RFC 9112 §7.1).
    Chunked,
}

/// The result of one decoding step.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Decoded<'b> {
    /// Body bytes, borrowed from the input.
    Data(&'b [u8]),
    /// The input ran out before the body did.
    NeedMore,
    /// The body is complete.
    Done,
}

/// A request body decoder.
#[derive(Clone, Copy, Debug)]
pub(crate) enum BodyDecoder {
    /// `remaining` bytes of a `Content-Length` body are still to come.
    Fixed { remaining: u64 },
    /// A chunked body.
    Chunked(Chunked),
}

impl BodyDecoder {
    /// A decoder for a body framed as `len`.
    pub(crate) fn new(len: BodyLen) -> BodyDecoder {
        match len {
            BodyLen::Fixed(n) => BodyDecoder::Fixed { remaining: n },
            BodyLen::Chunked => BodyDecoder::Chunked(Chunked::new()),
        }
    }

    /// `true` once the whole body has been decoded.
    pub(crate) fn is_done(&self) -> bool {
        match self {
            BodyDecoder::Fixed { remaining } => *remaining == 0,
            BodyDecoder::Chunked(c) => c.state == State::Done,
        }
    }

    /// Decodes from the start of `input`: returns how many bytes were
    /// consumed and what they amounted to.
    ///
    /// `max_body` bounds the sum of chunk sizes and `max_meta` the chunk
    /// extensions and trailers (a `Content-Length` was checked with the
    /// head).
    pub(crate) fn decode<'b>(
        &mut self,
        input: &'b [u8],
        max_body: u64,
        max_meta: usize,
    ) -> Result<(usize, Decoded<'b>), RequestError> {
        match self {
            BodyDecoder::Fixed { remaining: 0 } => Ok((0, Decoded::Done)),
            BodyDecoder::Fixed { .. } if input.is_empty() => Ok((0, Decoded::NeedMore)),
            BodyDecoder::Fixed { remaining } => {
                let n = take(*remaining, input.len());
                *remaining = remaining.saturating_sub(n as u64);
                Ok((n, Decoded::Data(input.get(..n).unwrap_or(&[]))))
            }
            BodyDecoder::Chunked(c) => c.decode(input, max_body, max_meta),
        }
    }
}

/// `min(remaining, available)` as a `usize`, without lossy casts.
fn take(remaining: u64, available: usize) -> usize {
    usize::try_from(remaining).map_or(available, |r| r.min(available))
}

/// The most hex digits a chunk size may have (RFC 9112 §7.1 sets no limit;
/// 16 digits already span `u64`, so more can only be padding or an attack).
const MAX_SIZE_DIGITS: u8 = 16;

/// Where a chunked decoder is in `chunked-body` (RFC 9112 §7.1):
///
/// ```text
/// chunked-body = *chunk last-chunk trailer-section CRLF
/// chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
/// last-chunk   = 1*("0") [ chunk-ext ] CRLF
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Reading the hex digits of a chunk size.
    Size { size: u64, digits: u8 },
    /// After the digits: BWS, then `;` or CR.
    AfterSize { size: u64 },
    /// Inside chunk extensions, skipped up to the CR.
    Ext { size: u64 },
    /// After the CR of a chunk-size line.
    SizeLf { size: u64 },
    /// Inside chunk data.
    Data { remaining: u64 },
    /// Expecting the CR after chunk data.
    DataCr,
    /// Expecting the LF after chunk data.
    DataLf,
    /// At the start of a trailer line, or of the final CRLF.
    TrailerStart,
    /// Inside a trailer field line, skipped up to the CR.
    Trailer,
    /// After the CR of a trailer line.
    TrailerLf,
    /// After the CR of the final empty line.
    EndLf,
    /// The body is complete.
    Done,
}

/// The chunked decoder: its position plus the running totals the limits
/// apply to.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Chunked {
    state: State,
    /// Sum of chunk sizes seen so far.
    total: u64,
    /// Bytes of chunk extensions, padding and trailers seen so far.
    meta: usize,
}

impl Chunked {
    fn new() -> Chunked {
        Chunked {
            state: State::Size { size: 0, digits: 0 },
            total: 0,
            meta: 0,
        }
    }

    fn decode<'b>(
        &mut self,
        input: &'b [u8],
        max_body: u64,
        max_meta: usize,
    ) -> Result<(usize, Decoded<'b>), RequestError> {
        let mut at = 0usize;
        loop {
            if let State::Data { remaining } = self.state {
                let rest = input.get(at..).unwrap_or(&[]);
                if rest.is_empty() {
                    return Ok((at, Decoded::NeedMore));
                }
                let n = take(remaining, rest.len());
                let left = remaining.saturating_sub(n as u64);
                self.state = if left == 0 {
                    State::DataCr
                } else {
                    State::Data { remaining: left }
                };
                return Ok((at.saturating_add(n), Decoded::Data(rest.get(..n).unwrap_or(&[]))));
            }
            if self.state == State::Done {
                return Ok((at, Decoded::Done));
            }
            let Some(&b) = input.get(at) else {
                return Ok((at, Decoded::NeedMore));
            };
            at = at.saturating_add(1);
            self.step(b, max_body, max_meta)?;
        }
    }

    /// Advances over one framing byte.
    fn step(&mut self, b: u8, max_body: u64, max_meta: usize) -> Result<(), RequestError> {
        use RequestError::{InvalidChunkFraming as Framing, InvalidChunkSize as BadSize};
        self.state = match self.state {
            State::Size { size, digits } => match hex(b) {
                // chunk-size = 1*HEXDIG
                Some(d) => {
                    let size = size
                        .checked_mul(16)
                        .and_then(|s| s.checked_add(u64::from(d)))
                        .ok_or(RequestError::BodyTooLarge)?;
                    if self.total.saturating_add(size) > max_body {
                        return Err(RequestError::BodyTooLarge);
                    }
                    let digits = digits.saturating_add(1);
                    if digits > MAX_SIZE_DIGITS {
                        return Err(BadSize);
                    }
                    State::Size { size, digits }
                }
                _ if digits == 0 => return Err(BadSize),
                _ => self.after_size(size, b, max_meta)?,
            },
            State::AfterSize { size } => self.after_size(size, b, max_meta)?,
            State::Ext { size } => match b {
                b'\r' => State::SizeLf { size },
                // chunk-ext-val is a token or quoted-string: no controls but
                // HTAB, and never a bare LF (RFC 9112 §7.1.1).
                b'\t' => self.meta(State::Ext { size }, max_meta)?,
                0..=0x1f | 0x7f => return Err(Framing),
                _ => self.meta(State::Ext { size }, max_meta)?,
            },
            State::SizeLf { size } => match (b, size) {
                (b'\n', 0) => State::TrailerStart,
                (b'\n', size) => {
                    self.total = self.total.saturating_add(size);
                    State::Data { remaining: size }
                }
                _ => return Err(Framing),
            },
            // chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
            State::DataCr if b == b'\r' => State::DataLf,
            State::DataLf if b == b'\n' => State::Size { size: 0, digits: 0 },
            State::DataCr | State::DataLf => return Err(Framing),
            // trailer-section = *( field-line CRLF ); the fields are skipped
            // (RFC 9112 §7.1.2 lets a recipient discard them).
            State::TrailerStart => match b {
                b'\r' => State::EndLf,
                b'\n' => return Err(Framing),
                _ => self.meta(State::Trailer, max_meta)?,
            },
            State::Trailer => match b {
                b'\r' => State::TrailerLf,
                b'\n' => return Err(Framing),
                _ => self.meta(State::Trailer, max_meta)?,
            },
            State::TrailerLf if b == b'\n' => State::TrailerStart,
            State::EndLf if b == b'\n' => State::Done,
            State::TrailerLf | State::EndLf => return Err(Framing),
            // `decode` handles these without stepping.
            State::Data { .. } | State::Done => self.state,
        };
        Ok(())
    }

    /// The byte after a chunk size's digits: BWS, `;` starting extensions,
    /// or the CR ending the line (RFC 9112 §7.1.1:
    /// `chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )`).
    fn after_size(&mut self, size: u64, b: u8, max_meta: usize) -> Result<State, RequestError> {
        match b {
            b'\r' => Ok(State::SizeLf { size }),
            b' ' | b'\t' => self.meta(State::AfterSize { size }, max_meta),
            b';' => self.meta(State::Ext { size }, max_meta),
            b'\n' => Err(RequestError::InvalidChunkFraming),
            _ => Err(RequestError::InvalidChunkSize),
        }
    }

    /// Counts one byte of extensions or trailers against the limit.
    fn meta(&mut self, next: State, max_meta: usize) -> Result<State, RequestError> {
        self.meta = self.meta.saturating_add(1);
        if self.meta > max_meta {
            return Err(RequestError::ChunkMetadataTooLarge);
        }
        Ok(next)
    }
}

/// The value of a hex digit (HEXDIG, RFC 5234 §B.1, case-insensitive).
fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_digits() {
        assert_eq!(hex(b'0'), Some(0));
        assert_eq!(hex(b'f'), Some(15));
        assert_eq!(hex(b'F'), Some(15));
        assert_eq!(hex(b'g'), None);
    }
}
