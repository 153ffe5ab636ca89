//! The server as a process: the connection limit, running out of file
//! descriptors, graceful shutdown on SIGTERM/SIGINT, and the command line.

use std::io::Read;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use crate::client::{get, Client};
use crate::server::{clock_ticks_per_second, cpu_ticks, wait_bounded, BIN};
use crate::Server;

/// How long a connection must stay unserved to count as "not served".
const UNSERVED: Duration = Duration::from_millis(500);

#[test]
fn max_connections_pauses_accepting_until_one_closes() {
    let server = Server::with_args(&["--max-connections", "4"]);
    let mut open: Vec<Client> = (0..4)
        .map(|i| {
            let mut c = server.connect();
            c.send(get(&format!("/c{i}")));
            assert_eq!(c.response().status, 200);
            c
        })
        .collect();
    // The kernel completes the 5th handshake, but the server does not
    // accept it while 4 are open.
    let mut fifth = server.connect();
    fifth.send(get("/fifth"));
    fifth.assert_quiet_for(UNSERVED, "a 5th connection over --max-connections 4");
    // One of the four closes: the 5th is accepted and served.
    drop(open.remove(0));
    assert_eq!(fifth.response().text(), "You requested /fifth\n");
    // The other three were never disturbed.
    for (i, c) in open.iter_mut().enumerate() {
        c.send(get(&format!("/again{i}")));
        assert_eq!(c.response().status, 200);
    }
    drop(open);
    drop(fifth);
    server.assert_alive();
}

#[test]
fn running_out_of_file_descriptors_neither_crashes_nor_spins() {
    // RLIMIT_NOFILE 32: a few descriptors for the poller, waker, signal
    // pipe and listener, the rest for connections; 48 clients exhaust it.
    let mut cmd = Command::new("sh");
    cmd.args([
        "-c",
        "ulimit -n 32 && exec \"$0\" \"$@\"",
        BIN,
        "--addr",
        "127.0.0.1:0",
    ]);
    let server = Server::spawn(cmd);
    let mut clients: Vec<Client> = (0..48)
        .map(|i| {
            let mut c = server.connect();
            c.send(get(&format!("/fd{i}")));
            c
        })
        .collect();
    // The last one cannot be accepted; while it waits in the backlog the
    // server backs off instead of retrying accept(2) in a loop.
    let before = cpu_ticks(server.pid());
    clients[47].assert_quiet_for(Duration::from_secs(1), "a connection beyond the fd limit");
    let used = cpu_ticks(server.pid()) - before;
    let limit = clock_ticks_per_second() * 3 / 10;
    assert!(
        used < limit,
        "the server used {used} ticks of CPU in 1 s while out of descriptors (limit {limit}): it spins"
    );
    // Closing connections one by one lets every waiting one in.
    for (i, mut c) in clients.into_iter().enumerate() {
        assert_eq!(c.response().text(), format!("You requested /fd{i}\n"));
    }
    server.assert_alive();
}

/// SIGTERM or SIGINT while a request is in flight and another connection
/// sits idle: the idle one is closed, the request is answered, the process
/// exits 0.
fn graceful_stop(signal: &str) {
    let mut server = Server::start();
    let mut idle = server.connect();
    idle.send(get("/idle"));
    assert_eq!(idle.response().status, 200);
    let mut busy = server.connect();
    // `/pid` is answered in the same pass over the read buffer that parks
    // `/sleep`, so once its answer is in, the sleep is in flight.
    busy.send(format!("{}{}", get("/pid"), get("/sleep?ms=300")));
    assert_eq!(busy.response().status, 200);
    server.signal(signal);
    idle.expect_closed();
    let r = busy.response();
    assert_eq!(
        (r.status, r.text()),
        (200, "slept 300 ms\n"),
        "the in-flight request is answered"
    );
    assert!(
        r.closes(),
        "a response while draining says Connection: close: {:?}",
        r.head
    );
    busy.expect_closed();
    let status = server.wait_for_exit();
    assert_eq!(status.code(), Some(0), "exit status after SIG{signal}: {status}");
}

#[test]
fn sigterm_finishes_the_request_in_flight_and_exits_0() {
    graceful_stop("TERM");
}

#[test]
fn sigint_finishes_the_request_in_flight_and_exits_0() {
    graceful_stop("INT");
}

#[test]
fn sigterm_on_an_idle_server_exits_0() {
    let mut server = Server::start();
    server.assert_alive();
    assert_eq!(server.terminate().code(), Some(0));
}

#[test]
fn bad_worker_counts_are_a_clear_error() {
    for n in ["999", "two"] {
        let child = Command::new(BIN)
            .args(["--addr", "127.0.0.1:0", "--workers", n])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn http_server");
        let out = output_bounded(child);
        assert_eq!(out.status.code(), Some(2), "--workers {n} must be a usage error");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("--workers {n}")) && stderr.contains("usage:"),
            "unclear message: {stderr:?}"
        );
        assert!(out.stdout.is_empty(), "it must not start listening");
    }
    // The same binary with --workers 1 serves.
    Server::with_args(&["--workers", "1"]).assert_alive();
}

#[test]
fn bad_command_lines_are_refused() {
    for args in [
        &["--bogus"][..],
        &["--max-connections", "0"],
        &["--idle-timeout-ms"],
        &["--addr", "nowhere"],
    ] {
        let child = Command::new(BIN)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn http_server");
        let out = output_bounded(child);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("usage:"),
            "{args:?}"
        );
    }
}

/// `Child::wait_with_output`, failing instead of hanging if the child
/// keeps running. Its messages are short: the pipes cannot fill up.
fn output_bounded(mut child: Child) -> Output {
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let status = wait_bounded(child).unwrap_or_else(|e| panic!("{e}"));
    // The child has exited: its pipes are at EOF.
    let (mut out, mut err) = (Vec::new(), Vec::new());
    stdout.read_to_end(&mut out).expect("read stdout");
    stderr.read_to_end(&mut err).expect("read stderr");
    Output {
        status,
        stdout: out,
        stderr: err,
    }
}
