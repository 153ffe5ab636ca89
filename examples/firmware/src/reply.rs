//! Reading an HTTP response head for the in-image client: the status
//! code, `Content-Length` and `Connection: close`, parsed byte-wise so the
//! image carries no string-search code for it.

/// The head of the response being read.
#[derive(Clone, Copy, Debug)]
pub struct Head {
    /// The status code.
    pub status: u16,
    /// The `Content-Length` (0 without one).
    pub length: usize,
    /// Whether it says `Connection: close`.
    pub closes: bool,
}

/// Parses a response head (status line, `Content-Length`, `Connection`)
/// at the front of `buf`, with its length; `None` until it is complete or
/// if it cannot be read. Byte-wise, so the image carries no string-search
/// code for it.
pub fn parse_head(buf: &[u8]) -> Option<(Head, usize)> {
    let head_end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let mut lines = buf[..head_end - 4].split(|&b| b == b'\n').map(trim);
    let status = number(lines.next()?.get(9..12)?)?;
    let (mut length, mut closes) = (0usize, false);
    for line in lines {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], trim(&line[colon + 1..]));
        if name.eq_ignore_ascii_case(b"content-length") {
            length = usize::try_from(number(value)?).ok()?;
        } else if name.eq_ignore_ascii_case(b"connection") {
            closes = value.eq_ignore_ascii_case(b"close");
        }
    }
    let status = u16::try_from(status).ok()?;
    Some((
        Head {
            status,
            length,
            closes,
        },
        head_end,
    ))
}

/// `bytes` without leading and trailing spaces, tabs and CR.
fn trim(bytes: &[u8]) -> &[u8] {
    let keep = |b: &u8| !matches!(b, b' ' | b'\t' | b'\r');
    let start = bytes.iter().position(keep).unwrap_or(bytes.len());
    let end = bytes.iter().rposition(keep).map_or(start, |e| e + 1);
    &bytes[start..end]
}

/// A decimal number of up to 9 digits.
fn number(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() || digits.len() > 9 {
        return None;
    }
    digits.iter().try_fold(0u32, |n, &d| {
        d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
    })
}
