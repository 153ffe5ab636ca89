//! Numbers and byte runs for response heads: decimal `Content-Length`
//! values, hex chunk sizes, and joining fixed pieces on the stack so a
//! head costs few writes.

/// Copies `parts` one after the other into `buf` (which must hold them)
/// and returns the filled prefix.
pub(crate) fn join<'a>(buf: &'a mut [u8], parts: &[&[u8]]) -> &'a [u8] {
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

/// How many decimal digits `n` takes.
pub(crate) fn decimal_len(n: u64) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

/// `n` in decimal, written into the end of `buf`.
pub(crate) fn decimal(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
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
pub(crate) fn hex(n: usize, buf: &mut [u8; 16]) -> &[u8] {
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
pub(crate) fn hex_len(n: usize) -> usize {
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
}
