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

mod args;
mod conn;
mod messages;

use std::io::ErrorKind;
use std::process::ExitCode;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use mio::{Events, Poll};

use crate::args::{parse_args, Config, USAGE};
use crate::conn::{connect, settle, Failure, State, Tally};
use crate::messages::Messages;

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
