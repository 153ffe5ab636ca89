//! `Subprocess` on a real reactor: captured output, exit statuses, the
//! start error, the timeout, stdin, and several MiB on stdout and stderr
//! at once — on the native poller and on `poll(2)`.

use std::process::Command;
use std::time::{Duration, Instant};

use eddy_core::stream::BufferedStream;
use eddy_std::{
    unwatch_subprocess, watch_subprocess, Exit, ExitReason, Output, PipeTransport, ProcessHost, SpawnError,
    SpawnOptions, StdBackend, StdReactor, Subprocess,
};

type Loop = StdReactor<Host, 16, 16, 16, 16>;

/// Generous bound on any run; a working run takes milliseconds to a second.
const BOUND: Duration = Duration::from_secs(60);

#[derive(Default)]
struct Host {
    subs: Vec<Option<Subprocess>>,
    stdout: Vec<Vec<u8>>,
    stderr: Vec<Vec<u8>>,
    exits: Vec<Option<Exit>>,
}

impl ProcessHost<Loop> for Host {
    fn subprocess(&mut self, id: usize) -> Option<&mut Subprocess> {
        self.subs.get_mut(id)?.as_mut()
    }
    fn on_output(&mut self, _: &mut Loop, id: usize, which: Output, bytes: &[u8]) {
        match which {
            Output::Stdout => self.stdout[id].extend_from_slice(bytes),
            Output::Stderr => self.stderr[id].extend_from_slice(bytes),
        }
    }
    fn on_exit(&mut self, _: &mut Loop, id: usize, exit: Exit) {
        self.exits[id] = Some(exit);
    }
}

impl Host {
    fn add(&mut self, sub: Subprocess) -> usize {
        self.subs.push(Some(sub));
        self.stdout.push(Vec::new());
        self.stderr.push(Vec::new());
        self.exits.push(None);
        self.subs.len() - 1
    }
}

/// Runs `cmd` to its end on `backend`; returns (exit, stdout, stderr).
#[track_caller]
fn run_on(backend: StdBackend, cmd: &mut Command, opts: SpawnOptions) -> (Exit, Vec<u8>, Vec<u8>) {
    let mut host = Host::default();
    let mut r = Loop::new(backend);
    let id = host.add(Subprocess::spawn(cmd, opts).expect("spawn"));
    watch_subprocess(&mut host, &mut r, id).expect("watch");
    r.run_until(&mut host, Some(BOUND), |h| h.exits[id].is_some())
        .expect("the subprocess did not finish in time");
    let exit = host.exits[id].unwrap();
    (
        exit,
        std::mem::take(&mut host.stdout[id]),
        std::mem::take(&mut host.stderr[id]),
    )
}

fn backends() -> [(&'static str, StdBackend); 2] {
    [
        ("native", StdBackend::new().unwrap()),
        ("poll", StdBackend::with_poll().unwrap()),
    ]
}

#[test]
fn a_command_that_succeeds_has_status_0_and_its_stdout() {
    for (kind, backend) in backends() {
        let (exit, out, err) = run_on(backend, Command::new("echo").arg("hello"), SpawnOptions::new());
        assert_eq!(
            exit,
            Exit {
                reason: ExitReason::Exited(0),
                timed_out: false
            },
            "[{kind}]"
        );
        assert_eq!(out, b"hello\n", "[{kind}]");
        assert!(err.is_empty(), "[{kind}]");
    }
}

#[test]
fn cat_of_a_missing_file_fails_with_its_stderr() {
    let (exit, out, err) = run_on(
        StdBackend::new().unwrap(),
        Command::new("cat").arg("/nonexistent/eddy-missing-file"),
        SpawnOptions::new(),
    );
    assert!(
        matches!(exit.reason, ExitReason::Exited(code) if code != 0),
        "{exit:?}"
    );
    assert!(!exit.timed_out);
    assert!(out.is_empty());
    let err = String::from_utf8_lossy(&err);
    assert!(err.contains("/nonexistent/eddy-missing-file"), "stderr: {err}");
}

#[test]
fn exit_statuses_and_signals_are_reported() {
    let (exit, ..) = run_on(
        StdBackend::new().unwrap(),
        Command::new("sh").args(["-c", "exit 7"]),
        SpawnOptions::new(),
    );
    assert_eq!(exit.reason, ExitReason::Exited(7));
    let (exit, ..) = run_on(
        StdBackend::new().unwrap(),
        Command::new("sh").args(["-c", "kill -TERM $$"]),
        SpawnOptions::new(),
    );
    assert_eq!(exit.reason, ExitReason::Signaled(15));
}

#[test]
fn a_missing_program_is_a_typed_error_that_names_it() {
    let err = Subprocess::spawn(&mut Command::new("eddy-no-such-program"), SpawnOptions::new()).unwrap_err();
    assert!(matches!(err, SpawnError::NotFound { .. }), "{err:?}");
    assert_eq!(err.program(), "eddy-no-such-program");
    assert!(err.to_string().contains("eddy-no-such-program"), "{err}");
}

#[test]
fn the_timeout_kills_the_child_and_says_so() {
    let start = Instant::now();
    let (exit, ..) = run_on(
        StdBackend::new().unwrap(),
        Command::new("sleep").arg("30"),
        SpawnOptions::new().timeout(Duration::from_millis(200)),
    );
    assert_eq!(
        exit,
        Exit {
            reason: ExitReason::Signaled(9),
            timed_out: true
        }
    );
    // `sleep 30` left alone would take 30 s.
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "took {:?}",
        start.elapsed()
    );
}

#[test]
fn a_child_that_ends_before_its_timeout_is_not_marked_timed_out() {
    let (exit, out, _) = run_on(
        StdBackend::new().unwrap(),
        Command::new("echo").arg("quick"),
        SpawnOptions::new().timeout(Duration::from_secs(30)),
    );
    assert_eq!(
        exit,
        Exit {
            reason: ExitReason::Exited(0),
            timed_out: false
        }
    );
    assert_eq!(out, b"quick\n");
}

#[test]
fn stdin_is_a_pipe_the_child_reads() {
    let mut host = Host::default();
    let mut r = Loop::new(StdBackend::new().unwrap());
    let mut sub = Subprocess::spawn(&mut Command::new("cat"), SpawnOptions::new().stdin(true)).unwrap();
    let stdin = sub.take_stdin().expect("stdin was piped");
    let mut input: BufferedStream<PipeTransport, 0, 64> = BufferedStream::new(stdin);
    input.write(b"ping\n").unwrap();
    input.on_writable(); // an empty pipe takes five bytes at once
    assert!(input.is_flushed());
    drop(input); // end-of-file for cat
    let id = host.add(sub);
    watch_subprocess(&mut host, &mut r, id).unwrap();
    r.run_until(&mut host, Some(BOUND), |h| h.exits[id].is_some())
        .unwrap();
    assert_eq!(host.stdout[id], b"ping\n");
    assert_eq!(host.exits[id].unwrap().reason, ExitReason::Exited(0));
}

#[test]
fn several_mib_on_stdout_and_stderr_at_once_do_not_deadlock() {
    // tee writes each block to stdout and then to stderr: a reader that
    // drained only one pipe would leave it blocked on the other for good.
    const SIZE: usize = 6 << 20;
    let script = format!("head -c {SIZE} /dev/urandom | tee /dev/stderr");
    for (kind, backend) in backends() {
        let (exit, out, err) = run_on(
            backend,
            Command::new("sh").args(["-c", &script]),
            SpawnOptions::new(),
        );
        assert_eq!(exit.reason, ExitReason::Exited(0), "[{kind}]");
        assert_eq!(out.len(), SIZE, "[{kind}] stdout");
        assert_eq!(err.len(), SIZE, "[{kind}] stderr");
        assert!(out == err, "[{kind}] both pipes carry the same bytes");
    }
}

#[test]
fn watching_twice_or_an_unknown_id_is_refused() {
    let mut host = Host::default();
    let mut r = Loop::new(StdBackend::new().unwrap());
    assert!(matches!(
        watch_subprocess(&mut host, &mut r, 3),
        Err(eddy_std::WatchError::UnknownId(3))
    ));
    let id = host.add(Subprocess::spawn(&mut Command::new("true"), SpawnOptions::new()).unwrap());
    watch_subprocess(&mut host, &mut r, id).unwrap();
    assert!(matches!(
        watch_subprocess(&mut host, &mut r, id),
        Err(eddy_std::WatchError::AlreadyWatched(_))
    ));
    r.run_until(&mut host, Some(BOUND), |h| h.exits[id].is_some())
        .unwrap();
}

#[test]
fn unwatching_removes_every_registration_and_dropping_reaps() {
    let mut host = Host::default();
    let mut r = Loop::new(StdBackend::new().unwrap());
    let opts = SpawnOptions::new().timeout(Duration::from_secs(60));
    let id = host.add(Subprocess::spawn(Command::new("sleep").arg("30"), opts).unwrap());
    let pid = host.subs[id].as_ref().unwrap().pid();
    watch_subprocess(&mut host, &mut r, id).unwrap();
    assert_eq!(
        (r.handlers(), r.pending_timers()),
        (3, 1),
        "exit fd, stdout, stderr; the timeout"
    );
    assert!(unwatch_subprocess(&mut host, &mut r, id));
    assert_eq!((r.handlers(), r.pending_timers()), (0, 0));
    assert!(!unwatch_subprocess(&mut host, &mut r, id), "once only");
    drop(host.subs[id].take()); // kills and reaps `sleep 30`
                                // kill(2) with signal 0: ESRCH once the child is reaped (a zombie
                                // would still answer).
    let pid = rustix::process::Pid::from_raw(pid as i32).unwrap();
    assert_eq!(
        rustix::process::test_kill_process(pid),
        Err(rustix::io::Errno::SRCH)
    );
}
