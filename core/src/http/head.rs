//! Request heads: parsing with `httparse` and the header rules that decide
//! framing, keep-alive and `Expect`.
//!
//! A [`RequestHead`] borrows every string from the caller's read buffer and
//! is a few words in size: `httparse` fills an uninitialised array of `H`
//! [`Header`]s on the parser's stack, the rules below read it there, and the
//! head keeps only the span of its header section, split again on demand
//! ([`Headers`]). Parsing a head copies no bytes and allocates nothing.
//!
//! The rules applied after `httparse` accepts the syntax:
//!
//! - the version must be HTTP/1.0 or HTTP/1.1 (505 otherwise);
//! - HTTP/1.1 needs exactly one `Host`, HTTP/1.0 at most one (400);
//! - the body framing must be unambiguous (RFC 9112 §6.3): see
//!   [`framing`]'s comments for each rejected smuggling shape;
//! - `Connection` decides persistence (RFC 9112 §9.3);
//! - `Expect: 100-continue` is honoured only where RFC 9110 §10.1.1 allows.

use core::mem::MaybeUninit;

use httparse::Header;

use super::fields::Headers;
use super::{BodyLen, RequestError};

/// The protocol version of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Version {
    /// HTTP/1.0: closes after each response unless `Connection: keep-alive`.
    Http10,
    /// HTTP/1.1: persistent unless `Connection: close`.
    Http11,
}

/// A parsed request head. Every string borrows from the caller's read
/// buffer (`'b`); `H` is the connection's header capacity (a head with more
/// header lines was refused).
#[derive(Clone, Copy, Debug)]
pub struct RequestHead<'b, const H: usize> {
    method: &'b str,
    target: &'b str,
    version: Version,
    /// The header section: the lines after the request line.
    section: &'b [u8],
    count: usize,
    body: BodyLen,
    keep_alive: bool,
    expects_continue: bool,
}

impl<'b, const H: usize> RequestHead<'b, H> {
    /// The method, e.g. `GET` (case-sensitive, RFC 9110 §9.1).
    pub fn method(&self) -> &'b str {
        self.method
    }

    /// The request target exactly as sent, query included (RFC 9112 §3.2).
    pub fn target(&self) -> &'b str {
        self.target
    }

    /// The protocol version.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The header fields in the order received (at most `H`).
    pub fn headers(&self) -> Headers<'b> {
        Headers::new(self.section, self.count)
    }

    /// The value of the first header named `name` (compared
    /// case-insensitively, RFC 9110 §5.1), with surrounding whitespace
    /// already stripped.
    pub fn header(&self, name: &str) -> Option<&'b [u8]> {
        self.headers()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value)
    }

    /// How the request body is framed; `BodyLen::Fixed(0)` when it has none
    /// (RFC 9112 §6.3: no `Content-Length` and no `Transfer-Encoding`).
    pub fn body(&self) -> BodyLen {
        self.body
    }

    /// `true` if the client asked to keep the connection open after this
    /// exchange (RFC 9112 §9.3).
    pub fn keep_alive(&self) -> bool {
        self.keep_alive
    }

    /// `true` if the client waits for `100 Continue` before sending the
    /// body: an HTTP/1.1 request with `Expect: 100-continue` and a body
    /// (RFC 9110 §10.1.1). See
    /// [`Connection::write_continue`](super::Connection::write_continue).
    pub fn expects_continue(&self) -> bool {
        self.expects_continue
    }

    /// `true` for `HEAD`: the response carries headers but no body
    /// (RFC 9110 §9.3.2).
    pub fn is_head(&self) -> bool {
        self.method == "HEAD"
    }
}

/// Parses a request head at the start of `input`.
///
/// `Ok(None)` means the head is not complete yet. `Ok(Some((head, len)))`
/// gives the head and its length in bytes, leading empty lines included.
pub(crate) fn parse<'b, const H: usize>(
    input: &'b [u8],
    max_body: u64,
) -> Result<Option<(RequestHead<'b, H>, usize)>, RequestError> {
    // httparse writes the headers it finds and hands back only those: the
    // array needs no initialising.
    let mut headers = [const { MaybeUninit::<Header<'b>>::uninit() }; H];
    let mut req = httparse::Request::new(&mut []);
    // httparse skips empty lines before the request line, as RFC 9112 §2.2
    // asks, and rejects whitespace before a colon and obs-fold in requests
    // (RFC 9112 §5.1, §5.2) with an error.
    let len = match req.parse_with_uninit_headers(input, &mut headers) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => return Err(RequestError::TooManyHeaders),
        // Judge the version once its line is complete, so the verdict does
        // not depend on where the input was cut.
        Err(httparse::Error::Version) => return version_error(input).map_or(Ok(None), Err),
        Err(_) => return Err(RequestError::MalformedHead),
    };
    let (Some(method), Some(target), Some(minor)) = (req.method, req.path, req.version) else {
        return Err(RequestError::MalformedHead);
    };
    let count = req.headers.len();
    let version = match minor {
        0 => Version::Http10,
        1 => Version::Http11,
        _ => return Err(RequestError::UnsupportedVersion),
    };
    let facts = rules(version, req.headers, max_body)?;
    let head = RequestHead {
        method,
        target,
        version,
        section: header_section(input.get(..len).unwrap_or(input), target),
        count,
        body: facts.body,
        keep_alive: facts.keep_alive,
        expects_continue: facts.expects_continue,
    };
    Ok(Some((head, len)))
}

/// The bytes of the complete head `head` after its request line, which
/// ends at the first line end after `target` (a slice of `head`) and the
/// ` HTTP/1.x` that httparse accepted after it.
fn header_section<'b>(head: &'b [u8], target: &str) -> &'b [u8] {
    // Offsets within one buffer from the slices' addresses (safe code),
    // clamped to the head.
    let from = (target.as_ptr() as usize)
        .wrapping_sub(head.as_ptr() as usize)
        .saturating_add(target.len() + b" HTTP/1.1".len())
        .min(head.len());
    let rest = head.get(from..).unwrap_or(&[]);
    match rest.iter().position(|&b| b == b'\n') {
        Some(end) => rest.get(end + 1..).unwrap_or(&[]),
        None => &[],
    }
}

/// httparse only understands `HTTP/1.x`. Tell a well-formed request line
/// naming another version (`HTTP/2.0`, `HTTP/1.2`, `HTTP/3`) — 505,
/// RFC 9110 §15.6.6 — from garbage — 400.
///
/// RFC 9110 §6.2 would let a server treat `HTTP/1.2` as 1.1; eddy answers
/// only the two versions it implements.
///
/// `None` while the request line is still incomplete.
#[cold]
fn version_error(input: &[u8]) -> Option<RequestError> {
    let start = input
        .iter()
        .position(|&b| b != b'\r' && b != b'\n')
        .unwrap_or(input.len());
    let rest = input.get(start..).unwrap_or(&[]);
    let end = rest.iter().position(|&b| b == b'\n')?;
    let line = rest.get(..end).unwrap_or(&[]);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    Some(version_verdict(line))
}

/// 505 or 400 for a complete request line httparse refused the version of.
fn version_verdict(line: &[u8]) -> RequestError {
    // request-line = method SP request-target SP HTTP-version (RFC 9112 §3)
    let mut parts = line.split(|&b| b == b' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return RequestError::MalformedHead;
    };
    if method.is_empty() || target.is_empty() {
        return RequestError::MalformedHead;
    }
    // HTTP-version = HTTP-name "/" DIGIT "." DIGIT (RFC 9112 §2.3); accept
    // any digit counts so `HTTP/2` and `HTTP/10.0` count as versions too.
    let Some(number) = version.strip_prefix(b"HTTP/") else {
        return RequestError::MalformedHead;
    };
    let mut halves = number.splitn(2, |&b| b == b'.');
    let major = halves.next().unwrap_or(&[]);
    let digits = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit);
    let well_formed = digits(major) && halves.next().is_none_or(digits);
    if well_formed && number != b"1.0" && number != b"1.1" {
        RequestError::UnsupportedVersion
    } else {
        RequestError::MalformedHead
    }
}

/// The key [`rules`] compares before a header name: its length and its
/// first letter in lower case.
const fn name_key(name: &[u8]) -> usize {
    let first = match name.first() {
        Some(b) => *b | 0x20,
        None => 0,
    };
    (name.len() << 8) | first as usize
}

/// What the header fields decide about one request.
struct Facts {
    body: BodyLen,
    keep_alive: bool,
    expects_continue: bool,
}

/// Applies the header rules to a parsed head.
fn rules(version: Version, headers: &[Header<'_>], max_body: u64) -> Result<Facts, RequestError> {
    let mut hosts = 0u32;
    let mut close = false;
    let mut keep_alive_token = false;
    let mut expect_continue = false;
    let mut length: Option<u64> = None;
    let mut coding = Codings::default();
    for h in headers {
        let name = h.name;
        // The length and first letter pick the one name to compare: most
        // fields are none of these, and each costs one comparison at most.
        // The key spreads the five names far apart, so the tests compile to
        // compares: tests of the length alone become a jump table, whose
        // indirect branch is mispredicted after the system calls between
        // requests.
        let first = name.as_bytes().first().map_or(0, |b| b | 0x20);
        let key = (name.len() << 8) | usize::from(first);
        if key == name_key(b"host") {
            if name.eq_ignore_ascii_case("host") {
                hosts = hosts.saturating_add(1);
            }
        } else if key == name_key(b"content-length") {
            if name.eq_ignore_ascii_case("content-length") {
                length = Some(content_length(h.value, length)?);
            }
        } else if key == name_key(b"transfer-encoding") {
            if name.eq_ignore_ascii_case("transfer-encoding") {
                coding.add(h.value);
            }
        } else if key == name_key(b"connection") {
            if name.eq_ignore_ascii_case("connection") {
                // Connection = #connection-option, case-insensitive (RFC 9110 §7.6.1).
                for option in list(h.value) {
                    close |= option.eq_ignore_ascii_case(b"close");
                    keep_alive_token |= option.eq_ignore_ascii_case(b"keep-alive");
                }
            }
        } else if key == name_key(b"expect") && name.eq_ignore_ascii_case("expect") {
            // Expect = #expectation; only 100-continue is defined (RFC 9110
            // §10.1.1). Other expectations MAY get 417; they are ignored.
            for e in list(h.value) {
                expect_continue |= e.eq_ignore_ascii_case(b"100-continue");
            }
        }
    }
    // RFC 9112 §3.2: a server MUST answer 400 to an HTTP/1.1 request without
    // Host, and to any request with more than one Host line.
    match (version, hosts) {
        (Version::Http11, 0) => return Err(RequestError::MissingHost),
        (_, 0 | 1) => {}
        _ => return Err(RequestError::DuplicateHost),
    }
    let body = framing(version, length, &coding, max_body)?;
    // RFC 9112 §9.3: "close" ends persistence in any version; HTTP/1.1 is
    // persistent by default; HTTP/1.0 only with "keep-alive" (RFC 9112
    // Appendix C.2.2).
    let keep_alive = !close && (version == Version::Http11 || keep_alive_token);
    // RFC 9110 §10.1.1: an expectation in an HTTP/1.0 request MUST be
    // ignored, and 100 may be skipped when the framing says "no content".
    let has_body = body != BodyLen::Fixed(0);
    let expects_continue = expect_continue && version == Version::Http11 && has_body;
    Ok(Facts {
        body,
        keep_alive,
        expects_continue,
    })
}

/// Decides the body framing (RFC 9112 §6.3), rejecting every ambiguous shape.
fn framing(
    version: Version,
    length: Option<u64>,
    coding: &Codings,
    max_body: u64,
) -> Result<BodyLen, RequestError> {
    if coding.present {
        // RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 message means the
        // framing is faulty.
        if version == Version::Http10 {
            return Err(RequestError::TransferEncodingInHttp10);
        }
        // RFC 9112 §6.3 item 3 / §6.1: both headers is a smuggling shape;
        // a server MAY reject it, and eddy does.
        if length.is_some() {
            return Err(RequestError::ContentLengthWithTransferEncoding);
        }
        if coding.chunked == 0 && !coding.unknown {
            return Err(RequestError::EmptyTransferEncoding);
        }
        // RFC 9112 §6.1: a sender MUST NOT apply chunked more than once.
        if coding.chunked > 1 {
            return Err(RequestError::ChunkedTwice);
        }
        // RFC 9112 §6.1: an unknown coding SHOULD get 501; RFC 9112 §6.3
        // item 4: chunked must be the final coding.
        if coding.unknown || !coding.last_is_chunked {
            return Err(RequestError::UnsupportedTransferEncoding);
        }
        return Ok(BodyLen::Chunked);
    }
    match length {
        // RFC 9112 §6.3 item 6 (and RFC 9110 §15.5.14 for the limit).
        Some(n) if n > max_body => Err(RequestError::BodyTooLarge),
        Some(n) => Ok(BodyLen::Fixed(n)),
        // RFC 9112 §6.3 item 7: a request with neither has no body.
        None => Ok(BodyLen::Fixed(0)),
    }
}

/// Reads one `Content-Length` line into the running value.
///
/// `Content-Length = 1*DIGIT` (RFC 9110 §8.6). Repeated lines or a
/// comma-joined list are accepted only when every value is the same number;
/// a value too large for `u64` saturates and is later rejected as too large.
fn content_length(value: &[u8], mut seen: Option<u64>) -> Result<u64, RequestError> {
    for element in value.split(|&b| b == b',') {
        let digits = trim(element);
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return Err(RequestError::InvalidContentLength);
        }
        let n = digits.iter().fold(0u64, |n, &d| {
            n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
        });
        match seen {
            Some(prev) if prev != n => return Err(RequestError::ConflictingContentLength),
            _ => seen = Some(n),
        }
    }
    // `split` yields at least one element, so `seen` is set by now.
    seen.ok_or(RequestError::InvalidContentLength)
}

/// The transfer codings named across all `Transfer-Encoding` lines, which
/// form one list in order (RFC 9110 §5.3).
#[derive(Default)]
struct Codings {
    present: bool,
    chunked: u32,
    unknown: bool,
    last_is_chunked: bool,
}

impl Codings {
    fn add(&mut self, value: &[u8]) {
        self.present = true;
        for coding in list(value) {
            // transfer-coding = token *( OWS ";" OWS transfer-parameter );
            // names are case-insensitive (RFC 9112 §7).
            let name = trim(coding.split(|&b| b == b';').next().unwrap_or(&[]));
            let chunked = name.eq_ignore_ascii_case(b"chunked");
            if chunked {
                self.chunked = self.chunked.saturating_add(1);
            } else {
                self.unknown = true;
            }
            self.last_is_chunked = chunked;
        }
    }
}

/// The non-empty elements of a comma-separated list, trimmed of optional
/// whitespace (RFC 9110 §5.6.1: recipients skip empty elements).
fn list(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value.split(|&b| b == b',').map(trim).filter(|e| !e.is_empty())
}

/// `value` without leading and trailing OWS (SP / HTAB, RFC 9110 §5.6.3).
fn trim(value: &[u8]) -> &[u8] {
    let ows = |b: &u8| *b == b' ' || *b == b'\t';
    let start = value.iter().position(|b| !ows(b)).unwrap_or(value.len());
    let end = value.iter().rposition(|b| !ows(b)).map_or(start, |i| i + 1);
    value.get(start..end).unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trim_and_list() {
        assert_eq!(trim(b" \t a b\t "), b"a b");
        assert_eq!(trim(b"  "), b"");
        let items: std::vec::Vec<&[u8]> = list(b" a,, b ,").collect();
        assert_eq!(items, [&b"a"[..], b"b"]);
    }
}
