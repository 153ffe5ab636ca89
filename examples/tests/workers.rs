//! `http_server --workers N` (pre-forked workers on `fork_processes`) and
//! `GET /blocking` (the thread pool), driven through the real binary:
//! forking inside this multi-threaded test harness would be unsound.
//!
//! Waiting is on observable events — a `listening on` line, a response,
//! a process exit — each with a generous bound; there are no sleeps.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_http_server");
/// Bound on any single wait; a working run needs milliseconds.
const BOUND: Duration = Duration::from_secs(30);

/// A running `http_server --workers N`: the parent, and the workers it
/// announced. Dropping it sends SIGTERM to the parent and SIGKILL to any
/// worker still alive.
struct Workers {
    parent: Option<Child>,
    port: u16,
    /// Worker pid by task id, as announced.
    pids: BTreeMap<usize, u32>,
    lines: Receiver<String>,
}

impl Workers {
    fn start(n: usize, args: &[&str]) -> Workers {
        let mut child = Command::new(BIN)
            .args(["--addr", "127.0.0.1:0", "--workers", &n.to_string()])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn http_server");
        let (tx, lines) = mpsc::channel();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        thread::spawn(move || {
            stdout
                .lines()
                .map_while(Result::ok)
                .for_each(|l| drop(tx.send(l)))
        });
        let mut w = Workers {
            parent: Some(child),
            port: 0,
            pids: BTreeMap::new(),
            lines,
        };
        let expect = if n == 0 {
            thread::available_parallelism().map_or(1, |n| n.get())
        } else {
            n
        };
        while w.pids.len() < expect {
            w.next_announcement();
        }
        w
    }

    /// Waits for the next `listening on http://127.0.0.1:PORT (worker K,
    /// pid P)` line; records and returns (K, P).
    #[track_caller]
    fn next_announcement(&mut self) -> (usize, u32) {
        let line = self
            .lines
            .recv_timeout(BOUND)
            .expect("no `listening on` line from a worker in time");
        let parse = || {
            let rest = line.strip_prefix("listening on http://127.0.0.1:")?;
            let (port, rest) = rest.split_once(" (worker ")?;
            let (id, rest) = rest.split_once(", pid ")?;
            Some((
                port.parse().ok()?,
                id.parse().ok()?,
                rest.strip_suffix(')')?.parse().ok()?,
            ))
        };
        let (port, id, pid) = parse().unwrap_or_else(|| panic!("unexpected line {line:?}"));
        assert!(self.port == 0 || self.port == port, "workers on different ports");
        self.port = port;
        self.pids.insert(id, pid);
        (id, pid)
    }

    fn parent_pid(&self) -> u32 {
        self.parent.as_ref().unwrap().id()
    }

    /// Waits (bounded) for the parent to exit; its status and stderr.
    /// The wait runs on a helper thread so a parent that never exits fails
    /// the test after [`BOUND`] (and is killed) instead of hanging it.
    fn wait_parent(&mut self) -> (ExitStatus, String) {
        let mut child = self.parent.take().unwrap();
        let pid = child.id();
        let mut stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || drop(tx.send(child.wait())));
        let status = match rx.recv_timeout(BOUND) {
            Ok(status) => status.unwrap(),
            Err(_) => {
                signal(pid, "KILL");
                panic!("the parent {pid} did not exit within {BOUND:?}");
            }
        };
        let mut err = String::new();
        stderr.read_to_string(&mut err).unwrap();
        (status, err)
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        if let Some(parent) = &self.parent {
            signal(parent.id(), "TERM");
            let _ = self.wait_parent();
        }
        for pid in self.pids.values() {
            if alive(*pid) {
                signal(*pid, "KILL");
            }
        }
    }
}

fn signal(pid: u32, sig: &str) -> bool {
    Command::new("kill")
        .args([format!("-{sig}"), pid.to_string()])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether process `pid` exists (`kill -0`).
fn alive(pid: u32) -> bool {
    signal(pid, "0")
}

/// `GET path` on a fresh connection: (status, body).
fn get(port: u16, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(BOUND)).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read the response");
    parse(&raw)
}

fn parse(raw: &[u8]) -> (u16, String) {
    let text = String::from_utf8_lossy(raw);
    let status = text.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b).to_string();
    (status, body)
}

/// Whether `raw` holds a whole first response (its one-line body ends
/// with a newline).
fn first_response_complete(raw: &[u8]) -> bool {
    let text = String::from_utf8_lossy(raw);
    text.split_once("\r\n\r\n")
        .is_some_and(|(_, body)| body.contains('\n'))
}

fn pid_of_answer(port: u16) -> u32 {
    let (status, body) = get(port, "/pid");
    assert_eq!(status, 200);
    body.trim().parse().expect("a pid")
}

#[test]
fn workers_serve_fresh_connections_from_distinct_pids() {
    let w = Workers::start(2, &[]);
    let announced: BTreeSet<u32> = w.pids.values().copied().collect();
    assert_eq!(announced.len(), 2, "two distinct worker pids");
    assert!(!announced.contains(&w.parent_pid()), "the parent does not serve");
    let seen: BTreeSet<u32> = (0..60).map(|_| pid_of_answer(w.port)).collect();
    assert_eq!(seen, announced, "every worker, and only workers, answered");
    assert_eq!(
        w.pids.keys().copied().collect::<Vec<_>>(),
        vec![0, 1],
        "task ids 0 and 1"
    );
}

#[test]
fn zero_workers_means_one_per_cpu() {
    let w = Workers::start(0, &[]);
    let cpus = thread::available_parallelism().map_or(1, |n| n.get());
    assert_eq!(w.pids.len(), cpus);
}

#[test]
fn a_worker_killed_with_sigkill_is_replaced() {
    let mut w = Workers::start(2, &[]);
    let (victim, survivor) = (w.pids[&0], w.pids[&1]);
    assert!(signal(victim, "KILL"));
    let (id, replacement) = w.next_announcement();
    assert_eq!(id, 0, "the replacement takes the dead worker's task id");
    assert!(replacement != victim && replacement != survivor);
    let seen: BTreeSet<u32> = (0..60).map(|_| pid_of_answer(w.port)).collect();
    assert_eq!(seen, BTreeSet::from([survivor, replacement]));
}

#[test]
fn too_many_deaths_end_the_parent_with_an_error() {
    let mut w = Workers::start(2, &["--max-restarts", "1"]);
    assert!(signal(w.pids[&0], "KILL"));
    let (_, replacement) = w.next_announcement();
    assert!(signal(replacement, "KILL"), "second death: one more than allowed");
    let (status, stderr) = w.wait_parent();
    assert!(!status.success(), "the parent must fail: {status:?}");
    assert!(stderr.contains("too many worker restarts"), "stderr: {stderr:?}");
    let other = w.pids[&1];
    assert!(!alive(other), "the remaining worker was stopped and reaped");
}

#[test]
fn sigterm_ends_every_worker_and_the_parent_cleanly() {
    let mut w = Workers::start(2, &[]);
    // A request in flight when SIGTERM comes is still answered. It is
    // pipelined behind a /pid in one write: once the /pid answer is back,
    // the worker has read both and parked the /sleep.
    let mut slow = TcpStream::connect(("127.0.0.1", w.port)).unwrap();
    slow.set_read_timeout(Some(BOUND)).unwrap();
    slow.write_all(b"GET /pid HTTP/1.1\r\nHost: t\r\n\r\nGET /sleep?ms=300 HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    let mut raw = Vec::new();
    let mut buf = [0; 512];
    while !first_response_complete(&raw) {
        let n = slow.read(&mut buf).unwrap();
        assert!(n > 0, "closed before the /pid answer");
        raw.extend_from_slice(&buf[..n]);
    }
    assert!(signal(w.parent_pid(), "TERM"));
    slow.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw);
    assert!(
        text.ends_with("\r\n\r\nslept 300 ms\n"),
        "the parked request was not finished: {text:?}"
    );
    let (status, stderr) = w.wait_parent();
    assert!(status.success(), "{status:?}, stderr {stderr:?}");
    for pid in w.pids.values() {
        assert!(!alive(*pid), "worker {pid} outlived the parent");
    }
}

/// Whether `pid` runs (exists and is not a zombie): `/proc/PID/stat`.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        let state = stat
            .rfind(')')
            .and_then(|i| stat[i + 1..].split_whitespace().next());
        state != Some("Z")
    })
}

#[cfg(any(target_os = "linux", target_os = "android"))]
#[test]
fn workers_do_not_outlive_a_parent_killed_with_sigkill() {
    let mut w = Workers::start(2, &[]);
    assert!(signal(w.parent_pid(), "KILL"));
    let (status, _) = w.wait_parent();
    assert!(!status.success());
    // The kernel sends each worker SIGTERM (PR_SET_PDEATHSIG): each drains
    // and exits (a zombie waiting for init to reap it counts as gone).
    for (id, pid) in &w.pids {
        let start = std::time::Instant::now();
        while running(*pid) {
            assert!(
                start.elapsed() < BOUND,
                "worker {id} (pid {pid}) outlived its parent"
            );
            thread::yield_now();
        }
    }
}

#[test]
fn load_from_fresh_connections_splits_evenly_over_two_workers() {
    let w = Workers::start(2, &[]);
    let port = w.port;
    let clients: Vec<_> = (0..4)
        .map(|_| thread::spawn(move || (0..100).map(|_| pid_of_answer(port)).collect::<Vec<_>>()))
        .collect();
    let mut count: BTreeMap<u32, usize> = BTreeMap::new();
    for c in clients {
        for pid in c.join().unwrap() {
            *count.entry(pid).or_default() += 1;
        }
    }
    let total: usize = count.values().sum();
    let shares: Vec<f64> = w
        .pids
        .values()
        .map(|p| *count.get(p).unwrap_or(&0) as f64 * 100.0 / total as f64)
        .collect();
    eprintln!("--workers 2 split over {total} fresh connections: {shares:.1?} %");
    assert_eq!(total, 400);
    for s in shares {
        assert!((35.0..=65.0).contains(&s), "uneven split: {s:.1} %");
    }
}

#[test]
fn one_hundred_gets_are_answered_while_two_blocking_requests_run() {
    // One process serves everything here, so its loop is the one that
    // would be stuck if the blocking work ran on it. The blocking requests
    // last 2 s rather than the 500 ms so that 100 fresh connections
    // fit inside them even on a loaded 2-core machine: the assertion is an
    // ordering (all GETs answered before either blocking answer), not a
    // speed, and it must not depend on how busy the machine is.
    let mut single = Command::new(BIN)
        .args(["--addr", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(single.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let port: u16 = first.trim().rsplit(':').next().unwrap().parse().unwrap();
    let blocking: Vec<TcpStream> = (0..2)
        .map(|_| {
            let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
            write!(
                s,
                "GET /blocking?ms=2000 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
            )
            .unwrap();
            s
        })
        .collect();
    for i in 0..100 {
        let (status, body) = get(port, &format!("/n{i}"));
        assert_eq!((status, body), (200, format!("You requested /n{i}\n")));
    }
    // All 100 were answered before either blocking request finished.
    for s in &blocking {
        s.set_nonblocking(true).unwrap();
        let err = (&*s)
            .read(&mut [0; 1])
            .expect_err("a blocking request already finished");
        assert_eq!(err.kind(), ErrorKind::WouldBlock);
        s.set_nonblocking(false).unwrap();
    }
    for mut s in blocking {
        s.set_read_timeout(Some(BOUND)).unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        assert_eq!(parse(&raw), (200, "blocked 2000 ms\n".to_string()));
    }
    assert_eq!(get(port, "/blocking?ms=60001").0, 400, "bounded like /sleep");
    signal(single.id(), "TERM");
    assert!(single.wait().unwrap().success());
}
