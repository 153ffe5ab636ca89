//! The header fields of a parsed request head, read on demand.
//!
//! `httparse` has already checked every line of the head when a
//! [`RequestHead`](super::RequestHead) exists, so the head keeps only the
//! bytes of its header section and [`Headers`] splits them again when asked:
//! the head stays a few words in size however many headers a request may
//! carry, and a request whose headers nobody looks at costs no copy of them.

use httparse::Header;

/// The header fields of a request in the order received, as `httparse`
/// reports them: names as sent, values without surrounding whitespace.
///
/// Returned by [`RequestHead::headers`](super::RequestHead::headers).
#[derive(Clone, Copy, Debug)]
pub struct Headers<'b> {
    /// The header lines, each ending with LF, up to the empty line.
    rest: &'b [u8],
    /// Fields not yielded yet.
    left: usize,
}

impl<'b> Headers<'b> {
    /// The fields in `section`, which `httparse` parsed into `count`
    /// fields: the bytes from just after the request line to the end of the
    /// head.
    pub(crate) fn new(section: &'b [u8], count: usize) -> Headers<'b> {
        Headers {
            rest: section,
            left: count,
        }
    }
}

impl<'b> Iterator for Headers<'b> {
    type Item = Header<'b>;

    fn next(&mut self) -> Option<Header<'b>> {
        if self.left == 0 {
            return None;
        }
        // field-line = field-name ":" OWS field-value OWS, ending in CRLF
        // or LF (RFC 9112 §5, §2.2); obs-fold was refused by the parser.
        let end = self.rest.iter().position(|&b| b == b'\n')?;
        let line = self.rest.get(..end)?;
        self.rest = self.rest.get(end + 1..).unwrap_or(&[]);
        let colon = line.iter().position(|&b| b == b':')?;
        let name = core::str::from_utf8(line.get(..colon)?).ok()?;
        let value = trim(line.get(colon + 1..).unwrap_or(&[]));
        self.left -= 1;
        Some(Header { name, value })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for Headers<'_> {}

/// `value` without the whitespace `httparse` strips: leading SP / HTAB,
/// trailing SP / HTAB / CR.
fn trim(value: &[u8]) -> &[u8] {
    let lead = |b: &u8| *b == b' ' || *b == b'\t';
    let trail = |b: &u8| lead(b) || *b == b'\r';
    let start = value.iter().position(|b| !lead(b)).unwrap_or(value.len());
    let end = value.iter().rposition(|b| !trail(b)).map_or(start, |i| i + 1);
    value.get(start..end.max(start)).unwrap_or(&[])
}
