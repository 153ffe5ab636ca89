//! Fixed-capacity byte buffers for the two directions of a stream.
//!
//! Both buffers are an array of `N` bytes holding one contiguous run of live
//! bytes `bytes[start..end]`. Bytes are appended at `end` and taken from
//! `start`; when the tail has too little room, the live run is moved to the
//! front (*compaction*) so that all free space is one contiguous slice, the
//! shape a transport `read` or a `copy_from_slice` wants.
//!
//! # Invariants
//!
//! - `start <= end <= N` after every call; the live bytes are
//!   `bytes[start..end]`.
//! - Every call clamps its counts to what is there (`consume(n)` with `n`
//!   past the end consumes everything and says how much), so no call panics.
//! - An emptied buffer resets to `start == end == 0` at once, which makes the
//!   common case (everything read, everything flushed) compaction-free.
//! - Compaction moves only live bytes and happens at most once per refill,
//!   so its cost is bounded by the bytes that pass through.

use core::fmt;

/// The storage both buffers share: `N` bytes, live run `start..end`.
struct Bytes<const N: usize> {
    bytes: [u8; N],
    start: usize,
    end: usize,
}

impl<const N: usize> Bytes<N> {
    const fn new() -> Self {
        Bytes {
            bytes: [0; N],
            start: 0,
            end: 0,
        }
    }

    fn len(&self) -> usize {
        self.end - self.start
    }

    fn live(&self) -> &[u8] {
        &self.bytes[self.start..self.end]
    }

    /// Moves the live run to the front so the free space is contiguous.
    fn compact(&mut self) {
        if self.start > 0 {
            self.bytes.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
    }

    fn take(&mut self, n: usize) -> usize {
        let n = n.min(self.len());
        self.start += n;
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
        n
    }

    fn clear(&mut self) {
        self.start = 0;
        self.end = 0;
    }
}

macro_rules! common_accessors {
    () => {
        /// The fixed capacity `N`.
        pub const fn capacity(&self) -> usize {
            N
        }

        /// Number of live bytes.
        pub fn len(&self) -> usize {
            self.inner.len()
        }

        /// Whether no byte is held.
        pub fn is_empty(&self) -> bool {
            self.inner.len() == 0
        }

        /// Whether the buffer holds `N` bytes and accepts no more.
        pub fn is_full(&self) -> bool {
            self.inner.len() == N
        }

        /// Free space, in bytes (`capacity() - len()`).
        pub fn free(&self) -> usize {
            N - self.inner.len()
        }

        /// Drops every held byte.
        pub fn clear(&mut self) {
            self.inner.clear();
        }
    };
}

/// The receive side: a transport reads into [`spare_mut`](Self::spare_mut),
/// the bytes are [`commit`](Self::commit)ted, the application looks at
/// [`data`](Self::data) and [`consume`](Self::consume)s what it used.
pub struct ReadBuffer<const N: usize> {
    inner: Bytes<N>,
}

impl<const N: usize> ReadBuffer<N> {
    /// An empty buffer; `const`, so it can sit in a `static`.
    pub const fn new() -> Self {
        ReadBuffer { inner: Bytes::new() }
    }

    common_accessors!();

    /// The unconsumed bytes, oldest first.
    pub fn data(&self) -> &[u8] {
        self.inner.live()
    }

    /// All free space as one slice, compacting first if needed. Write into
    /// it, then [`commit`](Self::commit) how much was written.
    pub fn spare_mut(&mut self) -> &mut [u8] {
        self.inner.compact();
        &mut self.inner.bytes[self.inner.end..]
    }

    /// Marks `n` bytes written into [`spare_mut`](Self::spare_mut) as live;
    /// clamped to the free space. Returns how many were committed.
    pub fn commit(&mut self, n: usize) -> usize {
        let n = n.min(N - self.inner.end);
        self.inner.end += n;
        n
    }

    /// Drops the `n` oldest bytes (clamped); returns how many were dropped.
    pub fn consume(&mut self, n: usize) -> usize {
        self.inner.take(n)
    }
}

/// The send side: the application [`push`](Self::push)es bytes, a
/// transport writes [`pending`](Self::pending) and the buffer
/// [`advance`](Self::advance)s past what it accepted.
pub struct WriteBuffer<const N: usize> {
    inner: Bytes<N>,
}

impl<const N: usize> WriteBuffer<N> {
    /// An empty buffer; `const`, so it can sit in a `static`.
    pub const fn new() -> Self {
        WriteBuffer { inner: Bytes::new() }
    }

    common_accessors!();

    /// Copies as much of `src` as fits (compacting if the tail is short) and
    /// returns how much was taken: `src.len()`, or less once full.
    #[inline]
    pub fn push(&mut self, src: &[u8]) -> usize {
        if N - self.inner.end < src.len() {
            self.inner.compact();
        }
        let n = src.len().min(N - self.inner.end);
        let end = self.inner.end;
        self.inner.bytes[end..end + n].copy_from_slice(&src[..n]);
        self.inner.end += n;
        n
    }

    /// Copies all of `parts`, one after the other, if together they fit
    /// the free space (compacting once if the tail is short); otherwise
    /// copies nothing. Returns how many bytes were taken.
    #[inline]
    pub fn push_parts(&mut self, parts: &[&[u8]]) -> Option<usize> {
        let total = parts.iter().fold(0usize, |n, p| n.saturating_add(p.len()));
        if total > self.free() {
            return None;
        }
        if N - self.inner.end < total {
            self.inner.compact();
        }
        let mut end = self.inner.end;
        for part in parts {
            let next = end + part.len();
            if let Some(dst) = self.inner.bytes.get_mut(end..next) {
                dst.copy_from_slice(part);
                end = next;
            }
        }
        self.inner.end = end;
        Some(total)
    }

    /// The bytes not yet handed to the transport, oldest first.
    pub fn pending(&self) -> &[u8] {
        self.inner.live()
    }

    /// Drops the `n` oldest bytes (clamped), once the transport took them;
    /// returns how many were dropped.
    pub fn advance(&mut self, n: usize) -> usize {
        self.inner.take(n)
    }
}

impl<const N: usize> Default for ReadBuffer<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> Default for WriteBuffer<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> fmt::Debug for ReadBuffer<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadBuffer")
            .field("len", &self.len())
            .field("capacity", &N)
            .finish()
    }
}

impl<const N: usize> fmt::Debug for WriteBuffer<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WriteBuffer")
            .field("len", &self.len())
            .field("capacity", &N)
            .finish()
    }
}
