//! The tokio reference echo server for the echo benchmark.
//!
//! It behaves like eddy's `echo_server` example (issue 4) so the two can be
//! swapped under the same load client:
//!
//! - `tokio_echo --addr 127.0.0.1:PORT` binds, prints `listening on ADDR`
//!   (the bound address) and flushes stdout;
//! - every `\n`-terminated line is sent back unchanged; a line longer than
//!   [`MAX_LINE`] bytes (delimiter included) gets `error: line too long\n`
//!   and the connection is closed;
//! - on client EOF the complete lines already received are flushed and the
//!   connection is closed (a trailing partial line is dropped: it is not a
//!   line);
//! - SIGINT or SIGTERM stops the server with exit status 0.
//!
//! Like eddy it runs on one thread (a `current_thread` runtime). Each
//! connection reads into its own buffer and writes back every complete line
//! found by one read in a single write, which is what a buffered stream with
//! `read_until` plus a write buffer does too.

#![forbid(unsafe_code)]

use std::io::Write as _;
use std::net::SocketAddr;
use std::process::ExitCode;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::signal::unix::{signal, SignalKind};

/// The longest accepted line, `\n` included (the 64 KiB).
const MAX_LINE: usize = 64 * 1024;

/// Room for one longest partial line plus one read.
const BUFFER: usize = 2 * MAX_LINE;

/// Sent before closing a connection whose line exceeds [`MAX_LINE`].
const TOO_LONG: &[u8] = b"error: line too long\n";

const USAGE: &str = "usage: tokio_echo --addr 127.0.0.1:PORT";

fn main() -> ExitCode {
    let addr = match parse_args(std::env::args().skip(1)) {
        Ok(addr) => addr,
        Err(msg) => {
            eprintln!("tokio_echo: {msg}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_io().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("tokio_echo: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(addr)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tokio_echo: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Reads `--addr ADDR` (or `--addr=ADDR`); anything else is an error.
fn parse_args(mut args: impl Iterator<Item = String>) -> Result<SocketAddr, String> {
    let mut addr = None;
    while let Some(arg) = args.next() {
        let value = match arg.as_str() {
            "--addr" => args.next().ok_or("--addr needs a value")?,
            "-h" | "--help" => return Err("help requested".into()),
            _ => match arg.strip_prefix("--addr=") {
                Some(value) => value.to_owned(),
                None => return Err(format!("unknown argument `{arg}`")),
            },
        };
        addr = Some(value.parse().map_err(|e| format!("bad --addr `{value}`: {e}"))?);
    }
    addr.ok_or_else(|| "--addr is required".into())
}

/// Accepts connections until SIGINT or SIGTERM.
async fn serve(addr: SocketAddr) -> std::io::Result<()> {
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    let listener = TcpListener::bind(addr).await?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "listening on {}", listener.local_addr()?)?;
    stdout.flush()?;
    drop(stdout);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    tokio::spawn(echo(stream));
                }
                // Per-connection failures (ECONNABORTED, EMFILE...) must not
                // stop the server; report and go on.
                Err(e) => eprintln!("tokio_echo: accept: {e}"),
            },
            _ = interrupt.recv() => return Ok(()),
            _ = terminate.recv() => return Ok(()),
        }
    }
}

/// Echoes one connection's lines; errors just end the connection.
async fn echo(mut stream: TcpStream) {
    // TCP_NODELAY: without it Nagle's algorithm holds back small echoes
    // until the previous segment is acknowledged (see netbench/README.md).
    let _ = stream.set_nodelay(true);
    let _ = echo_lines(&mut stream).await;
}

async fn echo_lines(stream: &mut TcpStream) -> std::io::Result<()> {
    let mut buf = vec![0u8; BUFFER];
    // Between reads, `buf[..end]` holds the start of a line whose `\n` has
    // not arrived yet: fewer than MAX_LINE bytes, so a read always has room.
    let mut end = 0;
    loop {
        let n = stream.read(&mut buf[end..]).await?;
        if n == 0 {
            // EOF: every complete line has already been written back.
            return stream.shutdown().await;
        }
        let scanned = end;
        end += n;
        // Walk the new bytes' newlines; `complete` ends the last full line.
        let mut complete = 0;
        let mut overlong = false;
        for newline in memchr::memchr_iter(b'\n', &buf[scanned..end]) {
            let line_end = scanned + newline + 1;
            if line_end - complete > MAX_LINE {
                overlong = true;
                break;
            }
            complete = line_end;
        }
        if complete > 0 {
            stream.write_all(&buf[..complete]).await?;
            buf.copy_within(complete..end, 0);
            end -= complete;
        }
        // The lines before it are echoed first. A partial line of MAX_LINE
        // bytes cannot fit the limit once its `\n` arrives.
        if overlong || end >= MAX_LINE {
            return too_long(stream).await;
        }
    }
}

async fn too_long(stream: &mut TcpStream) -> std::io::Result<()> {
    stream.write_all(TOO_LONG).await?;
    stream.shutdown().await
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
    fn parses_addr_in_both_spellings() {
        let want: SocketAddr = "127.0.0.1:9000".parse().unwrap();
        assert_eq!(parse_args(args(&["--addr", "127.0.0.1:9000"])), Ok(want));
        assert_eq!(parse_args(args(&["--addr=127.0.0.1:9000"])), Ok(want));
    }

    #[test]
    fn rejects_missing_or_unknown_arguments() {
        assert!(parse_args(args(&[])).is_err());
        assert!(parse_args(args(&["--addr"])).is_err());
        assert!(parse_args(args(&["--port", "1"])).is_err());
    }
}
