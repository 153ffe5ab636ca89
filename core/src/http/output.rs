//! Where response bytes go: the caller's output buffer.
//!
//! The connection never owns an output buffer. Each response call takes an
//! `&mut impl Output` and appends to it; the caller flushes it to the socket
//! whenever it likes. A write either fits completely or writes nothing and
//! reports [`OutputFull`], so a response head is never left half-written:
//! flush and call again.
//!
//! Implemented for [`heapless::Vec<u8, N>`], for [`SliceOutput`] (a cursor
//! over any `&mut [u8]`) and for `&mut O`. A hosted caller with its own
//! buffer type implements the two methods.

use super::OutputFull;

/// An append-only byte sink with a known amount of free space.
pub trait Output {
    /// How many more bytes can be written now.
    fn spare(&self) -> usize;

    /// Appends all of `bytes`.
    ///
    /// # Errors
    ///
    /// [`OutputFull`] if they do not all fit; then nothing is written.
    fn write(&mut self, bytes: &[u8]) -> Result<(), OutputFull>;

    /// Appends all of `parts`, one after the other, or nothing: what a
    /// response head and a small body are written with. The provided
    /// version checks the room once and writes the parts one by one; a
    /// buffer that can check and copy in one go overrides it.
    ///
    /// # Errors
    ///
    /// [`OutputFull`] if they do not all fit; then nothing is written.
    fn write_parts(&mut self, parts: &[&[u8]]) -> Result<(), OutputFull> {
        let total = parts.iter().fold(0usize, |n, p| n.saturating_add(p.len()));
        if total > self.spare() {
            return Err(OutputFull);
        }
        for part in parts {
            self.write(part)?;
        }
        Ok(())
    }
}

impl<O: Output + ?Sized> Output for &mut O {
    fn spare(&self) -> usize {
        (**self).spare()
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), OutputFull> {
        (**self).write(bytes)
    }

    fn write_parts(&mut self, parts: &[&[u8]]) -> Result<(), OutputFull> {
        (**self).write_parts(parts)
    }
}

impl<const N: usize> Output for heapless::Vec<u8, N> {
    fn spare(&self) -> usize {
        self.capacity().saturating_sub(self.len())
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), OutputFull> {
        // heapless checks the capacity before copying: all or nothing.
        self.extend_from_slice(bytes).map_err(|_| OutputFull)
    }
}

/// An [`Output`] over a caller's byte slice: the written bytes are
/// `written()`, the rest is spare.
///
/// ```
/// use eddy_core::http::{Output, SliceOutput};
///
/// let mut buf = [0u8; 4];
/// let mut out = SliceOutput::new(&mut buf);
/// out.write(b"abc").unwrap();
/// assert!(out.write(b"de").is_err());
/// assert_eq!(out.written(), b"abc");
/// ```
#[derive(Debug)]
pub struct SliceOutput<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> SliceOutput<'a> {
    /// An empty output over `buf`.
    pub fn new(buf: &'a mut [u8]) -> SliceOutput<'a> {
        SliceOutput { buf, len: 0 }
    }

    /// The bytes written so far.
    pub fn written(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }

    /// How many bytes have been written.
    pub fn len(&self) -> usize {
        self.len
    }

    /// `true` if nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Forgets everything written (after the caller flushed it).
    pub fn clear(&mut self) {
        self.len = 0;
    }
}

impl Output for SliceOutput<'_> {
    fn spare(&self) -> usize {
        self.buf.len().saturating_sub(self.len)
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), OutputFull> {
        let end = self.len.checked_add(bytes.len()).ok_or(OutputFull)?;
        let dst = self.buf.get_mut(self.len..end).ok_or(OutputFull)?;
        dst.copy_from_slice(bytes);
        self.len = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slice_output_is_all_or_nothing() {
        let mut buf = [0u8; 5];
        let mut out = SliceOutput::new(&mut buf);
        assert_eq!(out.spare(), 5);
        out.write(b"hel").unwrap();
        assert_eq!(out.write(b"lo!"), Err(OutputFull));
        assert_eq!(out.written(), b"hel");
        out.write(b"lo").unwrap();
        assert_eq!(out.spare(), 0);
        assert_eq!(out.written(), b"hello");
        out.clear();
        assert!(out.is_empty());
    }

    #[test]
    fn heapless_vec_is_all_or_nothing() {
        let mut out: heapless::Vec<u8, 4> = heapless::Vec::new();
        out.write(b"ab").unwrap();
        assert_eq!(out.write(b"cde"), Err(OutputFull));
        assert_eq!(&out[..], b"ab");
        assert_eq!(Output::spare(&out), 2);
        fn put<O: Output>(mut o: O) -> Result<(), OutputFull> {
            o.write(b"cd")
        }
        put(&mut out).unwrap();
        assert_eq!(&out[..], b"abcd");
    }
}
