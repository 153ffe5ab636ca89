//! Response header fields checked once: [`ResponseHeaders`].
//!
//! Every header a caller hands to
//! [`Connection::start_response`](super::Connection::start_response) must be
//! a valid field (RFC 9110 §5.1, §5.5) and must not be one the connection
//! writes itself. A server that sends the same headers with every response
//! checks them once with [`ResponseHeaders::new`] and passes the result to
//! [`Connection::start_response_checked`](super::Connection::start_response_checked):
//! the type is the proof, so the bytes are not looked at again per response.

use super::ResponseError;

/// Headers the connection owns.
const RESERVED: [&str; 3] = ["content-length", "transfer-encoding", "connection"];

/// Response header fields, `(name, value)` pairs, that passed the checks of
/// [`ResponseHeaders::new`].
///
/// # Examples
///
/// ```
/// use eddy_core::http::{ResponseError, ResponseHeaders};
///
/// let plain = ResponseHeaders::new(&[("Content-Type", "text/plain")])?;
/// assert_eq!(plain.fields(), &[("Content-Type", "text/plain")]);
/// assert_eq!(ResponseHeaders::new(&[("X", "a\r\nb")]).err(), Some(ResponseError::InvalidHeader));
/// assert_eq!(ResponseHeaders::new(&[("Content-Length", "1")]).err(), Some(ResponseError::ReservedHeader));
/// # Ok::<(), ResponseError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResponseHeaders<'a> {
    fields: &'a [(&'a str, &'a str)],
}

impl<'a> ResponseHeaders<'a> {
    /// No headers.
    pub const NONE: ResponseHeaders<'static> = ResponseHeaders { fields: &[] };

    /// Checks `fields`: every name a token, every value free of CR, LF, NUL
    /// and other controls (RFC 9110 §5.1, §5.5), and no `Content-Length`,
    /// `Transfer-Encoding` or `Connection`, which the connection writes
    /// from the framing it enforces.
    ///
    /// # Errors
    ///
    /// [`ResponseError::InvalidHeader`] or [`ResponseError::ReservedHeader`]
    /// for the first field that fails.
    pub fn new(fields: &'a [(&'a str, &'a str)]) -> Result<ResponseHeaders<'a>, ResponseError> {
        for (name, value) in fields {
            // field-name = token; field-value bytes exclude CR, LF, NUL and
            // other controls (RFC 9110 §5.1, §5.5).
            if name.is_empty() || !all(name.as_bytes(), &TCHAR) || !all(value.as_bytes(), &FIELD_BYTE) {
                return Err(ResponseError::InvalidHeader);
            }
            if RESERVED.iter().any(|r| name.eq_ignore_ascii_case(r)) {
                return Err(ResponseError::ReservedHeader);
            }
        }
        Ok(ResponseHeaders { fields })
    }

    /// The fields, in the order they are written.
    pub fn fields(&self) -> &'a [(&'a str, &'a str)] {
        self.fields
    }
}

/// reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ) (RFC 9112 §4).
pub(crate) fn valid_reason(reason: &str) -> bool {
    all(reason.as_bytes(), &FIELD_BYTE)
}

/// Whether every byte of `bytes` is in `table`: one look-up per byte and no
/// early exit, so the loop has no data-dependent branch (response strings
/// are short and almost always valid).
fn all(bytes: &[u8], table: &[bool; 256]) -> bool {
    bytes.iter().fold(true, |ok, &b| ok & table[usize::from(b)])
}

/// `TCHAR[b]`: whether byte `b` is a tchar (RFC 9110 §5.6.2).
const TCHAR: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'!' | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'-'
                    | b'.'
                    | b'^'
                    | b'_'
                    | b'`'
                    | b'|'
                    | b'~'
            );
        b += 1;
    }
    table
};

/// `FIELD_BYTE[b]`: whether byte `b` may appear in a field value or reason
/// phrase: HTAB / SP / VCHAR / obs-text (RFC 9110 §5.5, RFC 9112 §4).
const FIELD_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = b == 0x09 || (b >= 0x20 && b != 0x7f);
        b += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_tables_are_the_rfc_9110_classes() {
        for b in 0..=255u8 {
            let tchar = b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
            assert_eq!(all(&[b], &TCHAR), tchar, "tchar {b}");
            let field = b == b'\t' || (b' '..=b'~').contains(&b) || b >= 0x80;
            assert_eq!(all(&[b], &FIELD_BYTE), field, "field byte {b}");
        }
        assert!(all(b"text/plain", &FIELD_BYTE));
        assert!(!all(b"a\r\nb", &FIELD_BYTE));
        assert!(all(b"", &TCHAR));
    }

    #[test]
    fn checks_every_field() {
        assert!(ResponseHeaders::new(&[]).is_ok());
        assert!(ResponseHeaders::new(&[("X-A", ""), ("Allow", "GET, HEAD")]).is_ok());
        for bad in [("", "v"), ("A B", "v"), ("A:", "v"), ("A", "x\ny"), ("A", "\0")] {
            assert_eq!(
                ResponseHeaders::new(&[("Ok", "v"), bad]),
                Err(ResponseError::InvalidHeader),
                "{bad:?}"
            );
        }
        for reserved in ["content-length", "Transfer-Encoding", "CONNECTION"] {
            assert_eq!(
                ResponseHeaders::new(&[(reserved, "1")]),
                Err(ResponseError::ReservedHeader)
            );
        }
    }
}
