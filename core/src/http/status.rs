//! Response status codes and the reason phrases this server writes.
//!
//! A [`Status`] is a three-digit code in `100..=599` (RFC 9110 §15). The
//! constants cover the codes the connection itself produces plus the common
//! ones a handler needs; any other code in range can be made with
//! [`Status::new`] and written with a caller-chosen reason phrase (or an empty
//! one, which RFC 9112 §4 allows).

use core::fmt;

/// An HTTP response status code (RFC 9110 §15), always in `100..=599`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Status(u16);

impl Status {
    /// 100 Continue (RFC 9110 §15.2.1): send the request body.
    pub const CONTINUE: Status = Status(100);
    /// 200 OK (RFC 9110 §15.3.1).
    pub const OK: Status = Status(200);
    /// 204 No Content (RFC 9110 §15.3.5): the response never has a body.
    pub const NO_CONTENT: Status = Status(204);
    /// 304 Not Modified (RFC 9110 §15.4.5): the response never has a body.
    pub const NOT_MODIFIED: Status = Status(304);
    /// 400 Bad Request (RFC 9110 §15.5.1): malformed or ambiguous request.
    pub const BAD_REQUEST: Status = Status(400);
    /// 404 Not Found (RFC 9110 §15.5.5).
    pub const NOT_FOUND: Status = Status(404);
    /// 405 Method Not Allowed (RFC 9110 §15.5.6); send an `Allow` header.
    pub const METHOD_NOT_ALLOWED: Status = Status(405);
    /// 408 Request Timeout (RFC 9110 §15.5.9).
    pub const REQUEST_TIMEOUT: Status = Status(408);
    /// 413 Content Too Large (RFC 9110 §15.5.14).
    pub const CONTENT_TOO_LARGE: Status = Status(413);
    /// 431 Request Header Fields Too Large (RFC 6585 §5).
    pub const REQUEST_HEADER_FIELDS_TOO_LARGE: Status = Status(431);
    /// 500 Internal Server Error (RFC 9110 §15.6.1).
    pub const INTERNAL_SERVER_ERROR: Status = Status(500);
    /// 501 Not Implemented (RFC 9110 §15.6.2), e.g. an unknown transfer coding.
    pub const NOT_IMPLEMENTED: Status = Status(501);
    /// 503 Service Unavailable (RFC 9110 §15.6.4).
    pub const SERVICE_UNAVAILABLE: Status = Status(503);
    /// 504 Gateway Timeout (RFC 9110 §15.6.5).
    pub const GATEWAY_TIMEOUT: Status = Status(504);
    /// 505 HTTP Version Not Supported (RFC 9110 §15.6.6).
    pub const HTTP_VERSION_NOT_SUPPORTED: Status = Status(505);

    /// The status with this code, or `None` outside `100..=599` (RFC 9110 §15).
    pub const fn new(code: u16) -> Option<Status> {
        if matches!(code, 100..=599) {
            Some(Status(code))
        } else {
            None
        }
    }

    /// The numeric code.
    pub const fn code(self) -> u16 {
        self.0
    }

    /// The reason phrase this crate writes for the code, or `None` for a
    /// code it has no phrase for.
    pub const fn reason(self) -> Option<&'static str> {
        Some(match self.0 {
            100 => "Continue",
            200 => "OK",
            204 => "No Content",
            304 => "Not Modified",
            400 => "Bad Request",
            404 => "Not Found",
            405 => "Method Not Allowed",
            408 => "Request Timeout",
            413 => "Content Too Large",
            431 => "Request Header Fields Too Large",
            500 => "Internal Server Error",
            501 => "Not Implemented",
            503 => "Service Unavailable",
            504 => "Gateway Timeout",
            505 => "HTTP Version Not Supported",
            _ => return None,
        })
    }

    /// `true` for 1xx informational codes (RFC 9110 §15.2).
    pub const fn is_informational(self) -> bool {
        self.0 < 200
    }

    /// `true` for codes whose responses never carry content: 1xx, 204 and
    /// 304 (RFC 9110 §6.4.1).
    pub const fn forbids_body(self) -> bool {
        self.is_informational() || self.0 == 204 || self.0 == 304
    }

    /// The code as three ASCII digits, as the status line needs them.
    pub(crate) const fn digits(self) -> [u8; 3] {
        // `new` keeps the code in 100..=599, so each digit is 0..=9.
        let c = self.0;
        [
            b'0' + (c / 100 % 10) as u8,
            b'0' + (c / 10 % 10) as u8,
            b'0' + (c % 10) as u8,
        ]
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.reason() {
            Some(reason) => write!(f, "{} {}", self.0, reason),
            None => write!(f, "{}", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    #[test]
    fn range_is_checked() {
        assert_eq!(Status::new(99), None);
        assert_eq!(Status::new(600), None);
        assert_eq!(Status::new(100), Some(Status::CONTINUE));
        assert_eq!(Status::new(599).map(Status::code), Some(599));
    }

    #[test]
    fn reasons_and_digits() {
        for (status, reason) in [
            (Status::CONTINUE, "Continue"),
            (Status::OK, "OK"),
            (Status::BAD_REQUEST, "Bad Request"),
            (Status::NOT_FOUND, "Not Found"),
            (Status::METHOD_NOT_ALLOWED, "Method Not Allowed"),
            (Status::REQUEST_TIMEOUT, "Request Timeout"),
            (Status::CONTENT_TOO_LARGE, "Content Too Large"),
            (
                Status::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "Request Header Fields Too Large",
            ),
            (Status::INTERNAL_SERVER_ERROR, "Internal Server Error"),
            (Status::NOT_IMPLEMENTED, "Not Implemented"),
            (Status::SERVICE_UNAVAILABLE, "Service Unavailable"),
            (Status::GATEWAY_TIMEOUT, "Gateway Timeout"),
            (Status::HTTP_VERSION_NOT_SUPPORTED, "HTTP Version Not Supported"),
        ] {
            assert_eq!(status.reason(), Some(reason));
            let code = status.code().to_string();
            assert_eq!(&status.digits()[..], code.as_bytes());
        }
        assert_eq!(Status::new(299).and_then(Status::reason), None);
        assert_eq!(Status::NOT_FOUND.to_string(), "404 Not Found");
    }

    #[test]
    fn bodiless_statuses() {
        assert!(Status::CONTINUE.forbids_body());
        assert!(Status::NO_CONTENT.forbids_body());
        assert!(Status::NOT_MODIFIED.forbids_body());
        assert!(!Status::OK.forbids_body());
    }
}
