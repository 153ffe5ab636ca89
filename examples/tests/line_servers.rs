//! `echo_server` and `chat_server`, the real binaries, each started per
//! test on a kernel-chosen loopback port and driven over
//! `std::net::TcpStream` (issue 4's examples).
//!
//! Synchronisation never sleeps: readiness is the `listening on` line,
//! progress is the server's own output, and a read timeout
//! ([`BOUND`]) only turns a hang into a failure. The chat tests make sure
//! every client is in the room by having the last one send a line the
//! others must receive (the server accepts in connection order).

#![forbid(unsafe_code)]

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// The failure bound of every wait.
const BOUND: Duration = Duration::from_secs(20);

const ECHO: &str = env!("CARGO_BIN_EXE_echo_server");
const CHAT: &str = env!("CARGO_BIN_EXE_chat_server");

/// A running server; SIGTERM and a bounded reap when dropped.
struct Server {
    child: Option<Child>,
    port: u16,
    /// The server's stderr, line by line (also copied to the test's).
    stderr: mpsc::Receiver<String>,
}

impl Server {
    /// Starts `bin --addr 127.0.0.1:0` and waits for `listening on ADDR`.
    #[track_caller]
    fn start(bin: &str) -> Server {
        let mut child = Command::new(bin)
            .args(["--addr", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn the server");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("read the server's stdout");
        let port = line
            .trim_end()
            .strip_prefix("listening on 127.0.0.1:")
            .and_then(|p| p.parse::<u16>().ok());
        let Some(port) = port else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{bin} did not print `listening on 127.0.0.1:PORT`; got {line:?}");
        };
        // Keep both pipes drained so the server never blocks on them.
        thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        let stderr = BufReader::new(child.stderr.take().expect("piped stderr"));
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                eprintln!("[server] {line}");
                let _ = tx.send(line);
            }
        });
        Server {
            child: Some(child),
            port,
            stderr: rx,
        }
    }

    #[track_caller]
    fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        s.set_nodelay(true).unwrap();
        s.set_read_timeout(Some(BOUND)).unwrap();
        s.set_write_timeout(Some(BOUND)).unwrap();
        s
    }

    /// Sends `signal`, then reaps the server (bounded).
    #[track_caller]
    fn stop_with(&mut self, signal: &str) -> ExitStatus {
        let mut child = self.child.take().expect("already reaped");
        let pid = child.id();
        let ok = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(pid.to_string())
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "kill -{signal} {pid} failed");
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let _ = tx.send(child.wait());
        });
        match rx.recv_timeout(BOUND) {
            Ok(status) => status.expect("wait for the server"),
            Err(_) => {
                let _ = Command::new("kill").arg("-KILL").arg(pid.to_string()).status();
                panic!("the server did not exit within {BOUND:?} of SIG{signal}");
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Reads one `\n`-terminated line (bounded by the read timeout).
#[track_caller]
fn read_line(r: &mut BufReader<TcpStream>) -> String {
    let mut line = String::new();
    r.read_line(&mut line).expect("read a line");
    line
}

/// Reads until end-of-file; a reset after the data counts as the end too.
#[track_caller]
fn read_to_end(s: &mut impl Read) -> Vec<u8> {
    let mut got = Vec::new();
    let mut buf = [0; 64 * 1024];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return got,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => return got,
            Err(e) => panic!("reading to end-of-file: {e} (after {} bytes)", got.len()),
        }
    }
}

/// FNV-1a, 64 bits.
fn checksum(hash: u64, bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(hash, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}
const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

// --- echo -------------------------------------------------------------------

#[test]
fn echo_round_trips_many_lines() {
    let server = Server::start(ECHO);
    let mut s = server.connect();
    let lines: Vec<String> = (0..2000)
        .map(|i| format!("line {i} {}\n", "x".repeat(i % 97)))
        .collect();
    s.write_all(lines.concat().as_bytes()).unwrap();
    let mut r = BufReader::new(s);
    for want in &lines {
        assert_eq!(&read_line(&mut r), want);
    }
}

#[test]
fn echo_16_mib_round_trip_with_checksum() {
    const TOTAL: usize = 16 << 20;
    let server = Server::start(ECHO);
    let s = server.connect();
    let mut writer = s.try_clone().unwrap();
    let sender = thread::spawn(move || {
        let mut sum = FNV_START;
        let mut sent = 0;
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut line = Vec::with_capacity(9000);
        while sent < TOTAL {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (1 + seed % 8192) as usize;
            let len = len.min(TOTAL - sent);
            line.clear();
            line.extend((0..len - 1).map(|i| b'a' + ((seed as usize + i) % 26) as u8));
            line.push(b'\n');
            writer.write_all(&line).unwrap();
            sum = checksum(sum, &line);
            sent += len;
        }
        writer.shutdown(Shutdown::Write).unwrap();
        sum
    });
    let mut reader = s;
    let mut sum = FNV_START;
    let mut got = 0;
    let mut buf = vec![0; 64 * 1024];
    loop {
        match reader.read(&mut buf).expect("read the echo") {
            0 => break,
            n => {
                sum = checksum(sum, &buf[..n]);
                got += n;
            }
        }
    }
    assert_eq!(got, TOTAL, "every byte came back, then end-of-file");
    assert_eq!(sum, sender.join().unwrap(), "checksums match");
}

#[test]
fn echo_line_split_across_many_writes() {
    let server = Server::start(ECHO);
    let mut s = server.connect();
    let line = format!("{}\n", "split-across-writes ".repeat(20));
    for byte in line.as_bytes() {
        s.write_all(&[*byte]).unwrap();
    }
    s.write_all(b"next\n").unwrap();
    let mut r = BufReader::new(s);
    assert_eq!(read_line(&mut r), line);
    assert_eq!(read_line(&mut r), "next\n");
}

#[test]
fn echo_line_of_64_kib_is_echoed_and_one_more_byte_is_refused() {
    let server = Server::start(ECHO);
    let mut s = server.connect();
    let fits = format!("{}\n", "a".repeat(64 * 1024));
    s.write_all(fits.as_bytes()).unwrap();
    let mut r = BufReader::new(s.try_clone().unwrap());
    assert_eq!(read_line(&mut r), fits);

    let too_long = format!("{}\n", "b".repeat(64 * 1024 + 1));
    s.write_all(too_long.as_bytes()).unwrap();
    assert_eq!(read_line(&mut r), "error: line too long\n");
    assert_eq!(read_to_end(&mut r), b"", "then the connection closes");
}

#[test]
fn echo_half_close_gets_every_echo_then_eof() {
    let server = Server::start(ECHO);
    let mut s = server.connect();
    let lines: String = (0..500).map(|i| format!("half {i}\n")).collect();
    s.write_all(lines.as_bytes()).unwrap();
    s.write_all(b"an unterminated tail").unwrap();
    s.shutdown(Shutdown::Write).unwrap();
    assert_eq!(
        String::from_utf8(read_to_end(&mut s)).unwrap(),
        lines,
        "every line, nothing for the tail, then end-of-file"
    );
}

#[test]
fn echo_server_exits_0_on_sigterm_and_sigint() {
    for signal in ["TERM", "INT"] {
        let mut server = Server::start(ECHO);
        let mut s = server.connect();
        s.write_all(b"before\n").unwrap();
        assert_eq!(read_line(&mut BufReader::new(s.try_clone().unwrap())), "before\n");
        assert!(server.stop_with(signal).success(), "SIG{signal} → exit 0");
        assert_eq!(read_to_end(&mut s), b"", "its connections are closed");
    }
}

// --- chat -------------------------------------------------------------------

/// `n` clients in the room: the last one's `sync` line reached all others.
#[track_caller]
fn join(server: &Server, n: usize) -> Vec<(TcpStream, BufReader<TcpStream>)> {
    let mut clients: Vec<_> = (0..n)
        .map(|_| {
            let s = server.connect();
            let r = BufReader::new(s.try_clone().unwrap());
            (s, r)
        })
        .collect();
    clients[n - 1].0.write_all(b"sync\n").unwrap();
    for (_, r) in &mut clients[..n - 1] {
        assert_eq!(read_line(r), "sync\n");
    }
    clients
}

#[test]
fn chat_line_reaches_everyone_else() {
    let server = Server::start(CHAT);
    let mut c = join(&server, 3);
    c[0].0.write_all(b"hello from a\n").unwrap();
    assert_eq!(read_line(&mut c[1].1), "hello from a\n");
    assert_eq!(read_line(&mut c[2].1), "hello from a\n");
    c[1].0.write_all(b"hello from b\n").unwrap();
    // Had A got its own line, it would come first.
    assert_eq!(read_line(&mut c[0].1), "hello from b\n");
    assert_eq!(read_line(&mut c[2].1), "hello from b\n");
}

#[test]
fn chat_drops_a_client_that_does_not_read_and_the_others_go_on() {
    let mut server = Server::start(CHAT);
    let mut c = join(&server, 3);
    let (slow, _) = c.pop().unwrap();
    let line = format!("{}\n", "f".repeat(1023));
    let batch = line.repeat(64);
    let mut flooded = 0usize;
    let mut buf = vec![0; batch.len()];
    // A floods; B keeps up; C never reads, so its kernel buffers and then
    // its 64 KiB on the server fill, and the server drops it.
    loop {
        assert!(flooded < 1 << 30, "the slow client was never disconnected");
        c[0].0.write_all(batch.as_bytes()).unwrap();
        c[1].1.read_exact(&mut buf).unwrap();
        assert_eq!(buf, batch.as_bytes());
        flooded += batch.len();
        if server.stderr.try_iter().any(|l| l.contains("does not read")) {
            break;
        }
    }
    // The other two still chat.
    c[1].0.write_all(b"still here\n").unwrap();
    assert_eq!(read_line(&mut c[0].1), "still here\n");
    c[0].0.write_all(b"me too\n").unwrap();
    assert_eq!(read_line(&mut c[1].1), "me too\n");
    // The slow one gets some of the flood, then the end.
    let mut slow = slow;
    let got = read_to_end(&mut slow);
    assert!(got.len() < flooded, "{} of {flooded} bytes", got.len());
    assert!(server.stop_with("TERM").success());
}

#[test]
fn chat_server_exits_0_on_sigterm() {
    let mut server = Server::start(CHAT);
    let mut c = join(&server, 2);
    assert!(server.stop_with("TERM").success());
    assert_eq!(read_to_end(&mut c[0].0), b"");
}
