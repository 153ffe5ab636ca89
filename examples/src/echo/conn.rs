//! One echo connection: lines in, the same lines out, with backpressure.

use std::net::TcpStream;

use eddy_core::stream::{CloseReason, ReadDone, ReadError};

use super::link::Link;

/// The longest line echoed, `\n` not counted; a longer one gets
/// [`TOO_LONG`] and the connection closes.
pub const MAX_LINE: usize = 64 * 1024;
/// The reply to a line over [`MAX_LINE`].
pub const TOO_LONG: &[u8] = b"error: line too long\n";
/// Read buffer: a whole line with its `\n` must fit.
const READ_BUF: usize = 128 * 1024;
/// Write buffer: an empty one takes any line.
const WRITE_BUF: usize = 128 * 1024;
const _: () = assert!(READ_BUF > MAX_LINE && WRITE_BUF > MAX_LINE);

/// One connection.
#[derive(Debug)]
pub(crate) struct Conn {
    pub(crate) link: Link<READ_BUF, WRITE_BUF>,
    /// A complete line waiting for room in the write buffer.
    held: Option<ReadDone>,
}

impl Conn {
    pub(crate) fn new(socket: TcpStream) -> std::io::Result<Box<Conn>> {
        Ok(Box::new(Conn {
            link: Link::new(socket)?,
            held: None,
        }))
    }

    /// Echoes every complete line the read buffer holds, while the write
    /// buffer can take it; then flushes. A line that does not fit stays
    /// held (and unconsumed): the read buffer fills up behind it and
    /// reading stops until the peer reads.
    pub(crate) fn pump(&mut self, scratch: &mut [u8]) {
        let stream = &mut self.link.stream;
        loop {
            let line = match self.held.take() {
                Some(line) => line,
                None => {
                    if !stream.is_read_pending() && stream.read_until(b"\n", MAX_LINE + 1).is_err() {
                        break;
                    }
                    match stream.poll_read() {
                        None => break,
                        Some(Ok(line)) => line,
                        Some(Err(ReadError::Closed(CloseReason::BufferFull))) => {
                            // Lines before it were echoed; the stream closes
                            // once this is flushed.
                            if stream.try_write_all(TOO_LONG).is_err() {
                                stream.on_writable();
                                let _ = stream.try_write_all(TOO_LONG);
                            }
                            stream.close_after_flush();
                            break;
                        }
                        // End-of-file (an unterminated last line is
                        // dropped, as Tornado's `read_until` does) or a
                        // failure: the stream closes once flushed.
                        Some(Err(_)) => break,
                    }
                }
            };
            if stream.write_space() < line.len() {
                stream.on_writable();
                if stream.write_space() < line.len() {
                    self.held = Some(line);
                    break;
                }
            }
            let n = line.len();
            scratch[..n].copy_from_slice(stream.data(&line));
            let _ = stream.try_write_all(&scratch[..n]);
            let _ = stream.consume(line);
        }
        stream.on_writable();
    }
}
