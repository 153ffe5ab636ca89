//! The response buffer: a `Vec` with a fixed growth limit, so steady-state
//! requests reuse its capacity and never allocate.

use eddy_core::http::{Output, OutputFull};

/// A connection's pending output: `buf[pos..]` is still to be written.
#[derive(Debug)]
pub(crate) struct OutBuf {
    pub(crate) buf: Vec<u8>,
    pub(crate) pos: usize,
    limit: usize,
}

impl OutBuf {
    pub(crate) fn new(capacity: usize, limit: usize) -> OutBuf {
        OutBuf {
            buf: Vec::with_capacity(capacity),
            pos: 0,
            limit,
        }
    }

    /// Bytes still to be written.
    pub(crate) fn pending(&self) -> &[u8] {
        self.buf.get(self.pos..).unwrap_or(&[])
    }

    /// Marks `n` bytes written; resets the buffer once all are.
    pub(crate) fn advance(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.buf.len());
        if self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.pos >= self.buf.len()
    }
}

// Called for every piece of every response head: inline, so that the
// capacity check and the copy of a few bytes are not a call each.
impl Output for OutBuf {
    #[inline]
    fn spare(&self) -> usize {
        self.limit.saturating_sub(self.buf.len())
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) -> Result<(), OutputFull> {
        if bytes.len() > self.spare() {
            return Err(OutputFull);
        }
        self.buf.extend_from_slice(bytes);
        Ok(())
    }
}
