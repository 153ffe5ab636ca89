//! The load client of the echo benchmark.
//!
//! `echo_load --addr 127.0.0.1:PORT --connections 50 --message-size 64
//! --duration-secs 5` opens the connections, then for the given time keeps a
//! fixed window of messages in flight on each one: a message is exactly
//! `--message-size` bytes, `size - 1` payload bytes (letters and digits)
//! and a `\n`, and a new one is sent as soon as an old one has come back.
//! After the deadline no new message is sent; the ones in flight are awaited
//! (at most `--drain-secs`), the write side is shut down and the server must
//! then close the connection.
//!
//! Every echoed byte is compared with the byte sent at the same offset of
//! the connection's stream (stronger than a checksum: a lost, repeated,
//! reordered or corrupted message is caught and its offset reported).
//! A mismatch aborts the run with exit status 2.
//!
//! The result is one machine-readable line on stdout:
//!
//! ```text
//! messages=123456 bytes=7901184 secs=5.000 mb_per_s=1.58 errors=0 client_cpu=0.41
//! ```
//!
//! `bytes` counts verified echoed bytes received before the deadline, `mb_per_s`
//! is `bytes / secs / 10^6` (one direction), `errors` counts connections
//! that failed (connect, reset, early close, drain timeout; each reported on
//! stderr, exit status 1), and `client_cpu` is the client's CPU time over
//! its wall time (1.00 = one core busy; from `/proc/self/stat`, `nan`
//! elsewhere). A `client_cpu` well below the number of cores it may use
//! means the client was not the bottleneck.
//!
//! The connections are spread over `--threads` OS threads (default 2),
//! each with its own `mio` poll. Sockets are non-blocking and registered
//! edge-triggered; a short read or write ends a round early, because on a
//! stream socket it means the buffer is drained or full (epoll(7), "Level-
//! triggered and edge-triggered"). That saves the extra would-block
//! `read(2)` per wake-up that a readiness-clearing runtime pays. Messages
//! are written with one `writev(2)` straight from a table shared by all
//! connections, so sending copies nothing in user space.

#![forbid(unsafe_code)]

use std::io::{ErrorKind, IoSlice, Read as _, Write as _};
use std::net::{Shutdown, SocketAddr};
use std::process::ExitCode;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};

const USAGE: &str = "usage: echo_load --addr 127.0.0.1:PORT [--connections 50] [--message-size 64] \
                     [--duration-secs 5] [--window 4] [--threads 2] [--drain-secs 10]";

/// The characters of a payload; never `\n`.
const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// How many distinct messages there are (prime, so a connection's sequence
/// and its neighbours' do not line up).
const VARIANTS: usize = 61;

/// The largest message the echo servers accept (their 64 KiB line limit).
const MAX_MESSAGE: usize = 64 * 1024;

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq)]
struct Config {
    addr: SocketAddr,
    connections: usize,
    message_size: usize,
    duration: Duration,
    window: u64,
    threads: usize,
    drain: Duration,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Config, String> {
    let mut addr = None;
    let mut cfg = Config {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        connections: 50,
        message_size: 64,
        duration: Duration::from_secs(5),
        window: 4,
        threads: 2,
        drain: Duration::from_secs(10),
    };
    while let Some(arg) = args.next() {
        let (name, value) = match arg.split_once('=') {
            Some((name, value)) => (name.to_owned(), value.to_owned()),
            None if arg == "-h" || arg == "--help" => return Err("help requested".into()),
            None => {
                let value = args.next().ok_or_else(|| format!("{arg} needs a value"))?;
                (arg, value)
            }
        };
        let bad = |e: &dyn std::fmt::Display| format!("bad {name} `{value}`: {e}");
        let secs = |v: &str| -> Result<Duration, String> {
            let s: f64 = v.parse().map_err(|e| bad(&e))?;
            Duration::try_from_secs_f64(s).map_err(|e| bad(&e))
        };
        match name.as_str() {
            "--addr" => addr = Some(value.parse().map_err(|e| bad(&e))?),
            "--connections" => cfg.connections = value.parse().map_err(|e| bad(&e))?,
            "--message-size" => cfg.message_size = value.parse().map_err(|e| bad(&e))?,
            "--duration-secs" => cfg.duration = secs(&value)?,
            "--window" => cfg.window = value.parse().map_err(|e| bad(&e))?,
            "--threads" => cfg.threads = value.parse().map_err(|e| bad(&e))?,
            "--drain-secs" => cfg.drain = secs(&value)?,
            _ => return Err(format!("unknown argument `{name}`")),
        }
    }
    cfg.addr = addr.ok_or("--addr is required")?;
    if !(1..=MAX_MESSAGE).contains(&cfg.message_size) {
        return Err(format!(
            "--message-size must be 1..={MAX_MESSAGE} (the servers' line limit)"
        ));
    }
    if cfg.connections == 0 || cfg.window == 0 || cfg.threads == 0 {
        return Err("--connections, --window and --threads must be at least 1".into());
    }
    if cfg.duration.is_zero() {
        return Err("--duration-secs must be above 0".into());
    }
    Ok(cfg)
}

/// The messages connections send: message `seq` of connection `id` is
/// variant `(id + seq) % VARIANTS`.
#[derive(Debug)]
struct Messages {
    size: usize,
    table: Vec<u8>,
}

impl Messages {
    fn new(size: usize) -> Self {
        let mut table = Vec::with_capacity(size * VARIANTS);
        for variant in 0..VARIANTS {
            table.extend((0..size - 1).map(|i| ALPHABET[(variant * 7 + i) % ALPHABET.len()]));
            table.push(b'\n');
        }
        Messages { size, table }
    }

    fn get(&self, id: usize, seq: u64) -> &[u8] {
        // The modulo keeps the index below VARIANTS, so it fits a usize.
        let variant = (id as u64).wrapping_add(seq) % VARIANTS as u64;
        let start = variant as usize * self.size;
        &self.table[start..start + self.size]
    }

    /// Checks that `data` is what connection `id` sent from stream offset
    /// `offset` on.
    fn verify(&self, id: usize, mut offset: u64, mut data: &[u8]) -> Result<(), String> {
        let size = self.size as u64;
        while !data.is_empty() {
            let seq = offset / size;
            let within = (offset % size) as usize;
            let want = &self.get(id, seq)[within..];
            let n = want.len().min(data.len());
            if want[..n] != data[..n] {
                let i = want.iter().zip(data).position(|(a, b)| a != b).unwrap_or(0);
                return Err(format!(
                    "echoed byte {} (message {seq}) is {:?}, but {:?} was sent",
                    offset + i as u64,
                    char::from(data[i]),
                    char::from(want[i]),
                ));
            }
            data = &data[n..];
            offset += n as u64;
        }
        Ok(())
    }
}

/// The part of the result one connection contributes.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    bytes: u64,
    errors: u64,
}

/// Why a connection stopped early.
#[derive(Debug)]
enum Failure {
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
enum State {
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
struct Conn {
    id: usize,
    stream: TcpStream,
    state: State,
    /// Messages queued for sending so far.
    sent: u64,
    /// Bytes of them written so far; the rest is written straight from the
    /// message table (no copy into a send buffer).
    written: u64,
    /// Echoed bytes received and verified so far.
    received: u64,
    /// The part of `received` that arrived before the deadline.
    counted: u64,
}

impl Conn {
    /// Reads what the server echoed and checks it. Stops at a short read
    /// unless `to_eof` (the peer has closed: read the rest and the EOF).
    fn read(&mut self, msgs: &Messages, buf: &mut [u8], running: bool, to_eof: bool) -> Result<(), Failure> {
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
    fn pump(&mut self, msgs: &Messages, window: u64, running: bool) -> Result<(), Failure> {
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
fn connect(cfg: &Config, ids: &[usize], poll: &Poll) -> Vec<Conn> {
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
fn settle(conn: &mut Conn, result: Result<(), Failure>, tally: &mut Tally) {
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

/// Runs the connections `ids` on this thread; waits at `start` once they
/// are connected (or failed).
fn run_thread(cfg: &Config, msgs: &Messages, ids: &[usize], start: &Barrier) -> Tally {
    let mut tally = Tally::default();
    let mut poll = match Poll::new() {
        Ok(poll) => poll,
        Err(e) => {
            eprintln!("echo_load: cannot create a poll: {e}");
            start.wait();
            tally.errors = ids.len() as u64;
            return tally;
        }
    };
    let mut conns = connect(cfg, ids, &poll);
    tally.errors += (ids.len() - conns.len()) as u64;
    let mut events = Events::with_capacity(1024);
    let mut buf = vec![0u8; 64 * 1024];
    start.wait();
    let deadline = Instant::now() + cfg.duration;
    let mut running = true;
    for conn in &mut conns {
        let result = conn.pump(msgs, cfg.window, running);
        settle(conn, result, &mut tally);
    }
    loop {
        let now = Instant::now();
        if running && now >= deadline {
            running = false;
            for conn in &mut conns {
                let result = conn.pump(msgs, cfg.window, running);
                settle(conn, result, &mut tally);
            }
        }
        if conns
            .iter()
            .all(|c| matches!(c.state, State::Done | State::Failed))
        {
            break;
        }
        let until = if running { deadline } else { deadline + cfg.drain };
        if now >= until {
            for conn in conns
                .iter_mut()
                .filter(|c| matches!(c.state, State::Open | State::Closing))
            {
                let what = if conn.state == State::Open {
                    "echoes still missing"
                } else {
                    "no close"
                };
                let failure = Failure::Io(format!("{what} {:?} after the deadline", cfg.drain));
                settle(conn, Err(failure), &mut tally);
            }
            break;
        }
        if let Err(e) = poll.poll(&mut events, Some(until - now)) {
            if e.kind() == ErrorKind::Interrupted {
                continue;
            }
            eprintln!("echo_load: poll: {e}");
            let unfinished = conns
                .iter()
                .filter(|c| matches!(c.state, State::Open | State::Closing));
            tally.errors += unfinished.count() as u64;
            break;
        }
        for event in &events {
            let Some(conn) = conns.get_mut(event.token().0) else {
                continue;
            };
            if matches!(conn.state, State::Done | State::Failed) {
                continue;
            }
            let to_eof = event.is_read_closed() || event.is_error();
            let result = if event.is_readable() || to_eof {
                conn.read(msgs, &mut buf, running, to_eof)
            } else {
                Ok(())
            };
            let result = result.and_then(|()| conn.pump(msgs, cfg.window, running));
            settle(conn, result, &mut tally);
        }
    }
    tally.bytes = conns
        .iter()
        .filter(|c| c.state == State::Done)
        .map(|c| c.counted)
        .sum();
    tally
}

/// This process's user plus system CPU time, from `/proc/self/stat`
/// (proc(5): fields 14 and 15, in clock ticks of 1/100 s on Linux).
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) may hold spaces; count from its `)`.
    let mut fields = stat.rsplit_once(')')?.1.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 10))
}

fn main() -> ExitCode {
    let cfg = match parse_args(std::env::args().skip(1)) {
        Ok(cfg) => Arc::new(cfg),
        Err(msg) => {
            eprintln!("echo_load: {msg}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let msgs = Arc::new(Messages::new(cfg.message_size));
    let threads = cfg.threads.min(cfg.connections);
    let start = Arc::new(Barrier::new(threads + 1));
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let ids: Vec<usize> = (t..cfg.connections).step_by(threads).collect();
            let (cfg, msgs, start) = (Arc::clone(&cfg), Arc::clone(&msgs), Arc::clone(&start));
            std::thread::spawn(move || run_thread(&cfg, &msgs, &ids, &start))
        })
        .collect();
    start.wait();
    let (began, cpu_before) = (Instant::now(), cpu_time());
    let mut total = Tally::default();
    for handle in handles {
        match handle.join() {
            Ok(tally) => {
                total.bytes += tally.bytes;
                total.errors += tally.errors;
            }
            Err(_) => total.errors += 1,
        }
    }
    let client_cpu = match (cpu_before, cpu_time()) {
        (Some(before), Some(after)) => (after - before).as_secs_f64() / began.elapsed().as_secs_f64(),
        _ => f64::NAN,
    };
    let secs = cfg.duration.as_secs_f64();
    println!(
        "messages={} bytes={} secs={secs:.3} mb_per_s={:.2} errors={} client_cpu={client_cpu:.2}",
        total.bytes / cfg.message_size as u64,
        total.bytes,
        total.bytes as f64 / secs / 1e6,
        total.errors,
    );
    if total.errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> impl Iterator<Item = String> {
        list.iter()
            .map(|s| (*s).to_owned())
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn defaults_are_the_benchmark_load() {
        let cfg = parse_args(args(&["--addr", "127.0.0.1:9"])).unwrap();
        assert_eq!(
            (cfg.connections, cfg.message_size, cfg.window, cfg.threads),
            (50, 64, 4, 2)
        );
        assert_eq!(cfg.duration, Duration::from_secs(5));
    }

    #[test]
    fn both_spellings_and_fractional_seconds() {
        let cfg = parse_args(args(&[
            "--addr=127.0.0.1:9",
            "--message-size",
            "16384",
            "--duration-secs=0.5",
        ]))
        .unwrap();
        assert_eq!(cfg.message_size, 16384);
        assert_eq!(cfg.duration, Duration::from_millis(500));
    }

    #[test]
    fn rejects_bad_arguments() {
        for bad in [
            &[][..],
            &["--addr"],
            &["--addr", "127.0.0.1:9", "--message-size", "0"],
            &["--addr", "127.0.0.1:9", "--message-size", "65537"],
            &["--addr", "127.0.0.1:9", "--connections", "0"],
            &["--addr", "127.0.0.1:9", "--duration-secs", "-1"],
            &["--addr", "127.0.0.1:9", "--bogus", "1"],
        ] {
            assert!(parse_args(args(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn messages_are_lines_of_the_exact_size() {
        let msgs = Messages::new(64);
        for seq in 0..200 {
            let m = msgs.get(3, seq);
            assert_eq!(m.len(), 64);
            assert_eq!(m.iter().position(|&b| b == b'\n'), Some(63));
        }
        assert_ne!(msgs.get(0, 0), msgs.get(0, 1));
        assert_eq!(Messages::new(1).get(5, 9), b"\n");
    }

    #[test]
    fn verify_accepts_the_stream_in_any_split() {
        let msgs = Messages::new(10);
        let stream: Vec<u8> = (0..5).flat_map(|seq| msgs.get(7, seq).to_vec()).collect();
        for cut in 0..stream.len() {
            assert_eq!(msgs.verify(7, 0, &stream[..cut]), Ok(()));
            assert_eq!(msgs.verify(7, cut as u64, &stream[cut..]), Ok(()));
        }
    }

    #[test]
    fn verify_reports_the_first_wrong_byte() {
        let msgs = Messages::new(10);
        let mut stream: Vec<u8> = (0..3).flat_map(|seq| msgs.get(0, seq).to_vec()).collect();
        stream[13] = b'#';
        let err = msgs.verify(0, 0, &stream).unwrap_err();
        assert!(err.starts_with("echoed byte 13 (message 1)"), "{err}");
        // A skipped message is caught too.
        let skipped: Vec<u8> = [0, 2].iter().flat_map(|&seq| msgs.get(0, seq).to_vec()).collect();
        assert!(msgs.verify(0, 0, &skipped).is_err());
    }
}
