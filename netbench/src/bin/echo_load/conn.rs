//! One connection of the load ([`Conn`]): connecting, sending, reading and
//! checking the echo, and what a failure counts as.

use std::io::{ErrorKind, IoSlice, Read as _, Write as _};
use std::net::Shutdown;

use mio::net::TcpStream;
use mio::{Interest, Poll, Token};

use crate::args::Config;
use crate::messages::Messages;

/// The part of the result one connection contributes.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Tally {
    pub(crate) bytes: u64,
    pub(crate) errors: u64,
}

/// Why a connection stopped early.
#[derive(Debug)]
pub(crate) enum Failure {
    /// An I/O error, early close or timeout: counted in `errors=`.
    Io(String),
    /// The echo differs from what was sent: the run is void.
    Mismatch(String),
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Io(e.to_string())
    }
}

/// Where a connection is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    /// Sending and receiving messages.
    Open,
    /// Everything came back and the write side is shut down; waiting for
    /// the server to close.
    Closing,
    /// The server closed after the last echo: success.
    Done,
    /// Stopped by an error (already reported).
    Failed,
}

/// One connection of the load: its stream and how far it got.
#[derive(Debug)]
pub(crate) struct Conn {
    id: usize,
    stream: TcpStream,
    pub(crate) state: State,
    /// Messages queued for sending so far.
    sent: u64,
    /// Bytes of them written so far; the rest is written straight from the
    /// message table (no copy into a send buffer).
    written: u64,
    /// Echoed bytes received and verified so far.
    received: u64,
    /// The part of `received` that arrived before the deadline.
    pub(crate) counted: u64,
}

impl Conn {
    /// Reads what the server echoed and checks it. Stops at a short read
    /// unless `to_eof` (the peer has closed: read the rest and the EOF).
    pub(crate) fn read(
        &mut self,
        msgs: &Messages,
        buf: &mut [u8],
        running: bool,
        to_eof: bool,
    ) -> Result<(), Failure> {
        loop {
            let n = match self.stream.read(buf) {
                Ok(0) if self.state == State::Closing => {
                    self.state = State::Done;
                    return Ok(());
                }
                Ok(0) => return Err(Failure::Io("the server closed the connection early".into())),
                Ok(n) => n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(()),
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            };
            if self.received + n as u64 > self.written {
                return Err(Failure::Mismatch(
                    "the server echoed more bytes than were sent".into(),
                ));
            }
            msgs.verify(self.id, self.received, &buf[..n])
                .map_err(Failure::Mismatch)?;
            self.received += n as u64;
            if running {
                self.counted += n as u64;
            }
            if n < buf.len() && !to_eof {
                return Ok(());
            }
        }
    }

    /// Tops the window up while `running`, writes what is queued, and shuts
    /// the write side down once the run is over and every echo is back.
    pub(crate) fn pump(&mut self, msgs: &Messages, window: u64, running: bool) -> Result<(), Failure> {
        if self.state != State::Open {
            return Ok(());
        }
        let size = msgs.size as u64;
        // A message counts as back once its last byte is.
        if running {
            self.sent = self.sent.max(self.received / size + window);
        }
        while self.written < self.sent * size {
            // One writev(2) of the unwritten messages (up to 64 of them).
            let mut slices = [IoSlice::new(&[]); 64];
            let mut count = 0;
            let mut seq = self.written / size;
            let mut skip = (self.written % size) as usize;
            while seq < self.sent && count < slices.len() {
                slices[count] = IoSlice::new(&msgs.get(self.id, seq)[skip..]);
                (count, seq, skip) = (count + 1, seq + 1, 0);
            }
            let pending: usize = slices[..count].iter().map(|s| s.len()).sum();
            match self.stream.write_vectored(&slices[..count]) {
                Ok(n) => {
                    self.written += n as u64;
                    if n < pending {
                        break; // the send buffer is full; wait for the next edge
                    }
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
        if !running && self.written == self.sent * size && self.received == self.written {
            // Half-close; the server must then finish and close its side.
            self.stream.shutdown(Shutdown::Write)?;
            self.state = State::Closing;
        }
        Ok(())
    }
}

/// Connects `ids` with blocking connects bounded by `cfg.drain`; a failed
/// connection is reported and left out.
pub(crate) fn connect(cfg: &Config, ids: &[usize], poll: &Poll) -> Vec<Conn> {
    let mut conns = Vec::with_capacity(ids.len());
    for &id in ids {
        let connected = std::net::TcpStream::connect_timeout(&cfg.addr, cfg.drain).and_then(|stream| {
            stream.set_nodelay(true)?;
            stream.set_nonblocking(true)?;
            let mut stream = TcpStream::from_std(stream);
            let token = Token(conns.len());
            poll.registry()
                .register(&mut stream, token, Interest::READABLE | Interest::WRITABLE)?;
            Ok(stream)
        });
        match connected {
            Ok(stream) => conns.push(Conn {
                id,
                stream,
                state: State::Open,
                sent: 0,
                received: 0,
                written: 0,
                counted: 0,
            }),
            Err(e) => eprintln!("echo_load: connection {id}: connect: {e}"),
        }
    }
    conns
}

/// Marks `conn` failed after `result`'s error; a mismatch ends the process.
pub(crate) fn settle(conn: &mut Conn, result: Result<(), Failure>, tally: &mut Tally) {
    match result {
        Ok(()) => {}
        Err(Failure::Io(e)) => {
            eprintln!("echo_load: connection {}: {e}", conn.id);
            conn.state = State::Failed;
            tally.errors += 1;
        }
        Err(Failure::Mismatch(e)) => {
            eprintln!("echo_load: connection {}: echo mismatch: {e}; aborting", conn.id);
            std::process::exit(2);
        }
    }
}
