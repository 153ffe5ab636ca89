//! The server under test: one `http_server` child process per [`Server`],
//! stopped with SIGTERM when the guard drops.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use crate::client::{get, Client};

/// The binary Cargo built for this test run.
pub const BIN: &str = env!("CARGO_BIN_EXE_http_server");

/// How long a signalled server may take to exit before the test fails
/// (and the child is killed).
const EXIT_BOUND: Duration = Duration::from_secs(20);

/// A running `http_server`. Dropping it sends SIGTERM and reaps the child.
#[derive(Debug)]
pub struct Server {
    child: Option<Child>,
    pid: u32,
    port: u16,
    /// Kept open so that a late write by the server cannot fail.
    _stdout: BufReader<ChildStdout>,
}

impl Server {
    /// The server with its defaults, on a port the kernel picks.
    pub fn start() -> Server {
        Server::with_args(&[])
    }

    /// The server with extra flags, on a port the kernel picks.
    pub fn with_args(args: &[&str]) -> Server {
        let mut cmd = Command::new(BIN);
        cmd.args(["--addr", "127.0.0.1:0"]).args(args);
        Server::spawn(cmd)
    }

    /// Starts `cmd` (which must exec `http_server --addr 127.0.0.1:0 …`)
    /// and waits for its `listening on http://ADDR` line.
    pub fn spawn(mut cmd: Command) -> Server {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn http_server");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut line = String::new();
        // Blocks until the server is ready, or EOF if it failed to start.
        stdout.read_line(&mut line).expect("read the server's stdout");
        let port = line
            .trim_end()
            .strip_prefix("listening on http://127.0.0.1:")
            .and_then(|p| p.parse::<u16>().ok());
        let pid = child.id();
        let Some(port) = port else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("http_server did not report `listening on http://127.0.0.1:PORT`; got {line:?}");
        };
        Server {
            child: Some(child),
            pid,
            port,
            _stdout: stdout,
        }
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// A new connection to it.
    pub fn connect(&self) -> Client {
        Client::connect(self.port)
    }

    /// A `GET` on a fresh connection is answered: the server still serves.
    #[track_caller]
    pub fn assert_alive(&self) {
        let mut c = self.connect();
        c.send(get("/alive?fresh=1"));
        let r = c.response();
        assert_eq!(
            (r.status, r.text()),
            (200, "You requested /alive?fresh=1\n"),
            "the server no longer serves a fresh connection"
        );
    }

    /// Sends `signal` (`TERM`, `INT`, `KILL`) to the child.
    #[track_caller]
    pub fn signal(&self, signal: &str) {
        assert!(
            send_signal(self.pid, signal),
            "kill -{signal} {} failed",
            self.pid
        );
    }

    /// Waits (bounded) for the child to exit and returns its status.
    #[track_caller]
    pub fn wait_for_exit(&mut self) -> ExitStatus {
        let child = self.child.take().expect("the server was already reaped");
        wait_bounded(child).unwrap_or_else(|e| panic!("{e}"))
    }

    /// SIGTERM, then [`wait_for_exit`](Server::wait_for_exit).
    #[track_caller]
    pub fn terminate(&mut self) -> ExitStatus {
        self.signal("TERM");
        self.wait_for_exit()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(child) = self.child.take() {
            send_signal(self.pid, "TERM");
            if let Err(e) = wait_bounded(child) {
                eprintln!("{e}");
            }
        }
    }
}

/// `kill -SIGNAL PID` (kill(1)); whether it succeeded. Never panics, so
/// that it can run in `Drop` while a failed test unwinds.
fn send_signal(pid: u32, signal: &str) -> bool {
    Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status()
        .is_ok_and(|s| s.success())
}

/// Reaps `child`, killing it if it has not exited within [`EXIT_BOUND`].
pub fn wait_bounded(mut child: Child) -> Result<ExitStatus, String> {
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    match rx.recv_timeout(EXIT_BOUND) {
        Ok(Ok(status)) => Ok(status),
        Ok(Err(e)) => Err(format!("waiting for http_server {pid}: {e}")),
        Err(_) => {
            send_signal(pid, "KILL");
            let _ = rx.recv();
            Err(format!(
                "http_server {pid} did not exit within {EXIT_BOUND:?}; killed it"
            ))
        }
    }
}

/// CPU time (user + system) the process has used, in clock ticks
/// (proc(5), `/proc/PID/stat` fields 14 and 15).
pub fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("read /proc/PID/stat");
    // The command name may hold spaces; the fields after it do not.
    let after = &stat[stat.rfind(')').expect("a stat line") + 2..];
    let fields: Vec<&str> = after.split(' ').collect();
    // `after` starts at field 3 (state).
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

pub fn clock_ticks_per_second() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100)
}

/// How many file descriptors process `pid` holds open.
pub fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .expect("read /proc/PID/fd")
        .count()
}
