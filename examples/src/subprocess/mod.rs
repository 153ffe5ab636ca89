//! `subprocess_demo`: the seeds' four subprocess cases, run at once on one
//! reactor with [`eddy_std::Subprocess`] and [`eddy_std::watch_subprocess`].
//!
//! | case | command | expected |
//! | --- | --- | --- |
//! | `timeout` | `sleep 5`, 3 s timeout | killed, timed out |
//! | `success` | `echo hello from eddy` | status 0, stdout captured |
//! | `missing` | a program that does not exist | a start error naming it |
//! | `failure` | `cat` of a missing file | non-zero status, stderr captured |
//!
//! [`run`] prints one line per case, `ok` or `UNEXPECTED` at its end, and
//! says whether all four behaved.

use std::io::{self, Write};
use std::process::Command;
use std::time::Duration;

use eddy_std::{
    watch_subprocess, Exit, ExitReason, Output, ProcessHost, SpawnError, SpawnOptions, StdBackend,
    StdReactor, Subprocess,
};

/// The program that does not exist.
pub const MISSING: &str = "eddy-demo-no-such-program";
/// The file `cat` is asked for.
pub const MISSING_FILE: &str = "/nonexistent/eddy-demo-file";

type Loop = StdReactor<Demo, 8, 8, 16, 16>;

/// What one started case collected.
#[derive(Debug, Default)]
struct Run {
    sub: Option<Subprocess>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    exit: Option<Exit>,
}

#[derive(Debug, Default)]
struct Demo {
    runs: Vec<Run>,
}

impl ProcessHost<Loop> for Demo {
    fn subprocess(&mut self, id: usize) -> Option<&mut Subprocess> {
        self.runs.get_mut(id)?.sub.as_mut()
    }
    fn on_output(&mut self, _: &mut Loop, id: usize, which: Output, bytes: &[u8]) {
        let run = &mut self.runs[id];
        match which {
            Output::Stdout => run.stdout.extend_from_slice(bytes),
            Output::Stderr => run.stderr.extend_from_slice(bytes),
        }
    }
    fn on_exit(&mut self, _: &mut Loop, id: usize, exit: Exit) {
        let run = &mut self.runs[id];
        run.exit = Some(exit);
        run.sub = None; // reaped already; its pipes close now
    }
}

/// One case's verdict: whether it behaved, and its line.
fn line(name: &str, ok: bool, text: String) -> (bool, String) {
    let verdict = if ok { "ok" } else { "UNEXPECTED" };
    (ok, format!("{name}: {text} — {verdict}"))
}

fn shown(bytes: &[u8]) -> String {
    format!("{:?}", String::from_utf8_lossy(bytes))
}

/// Runs the four cases (the `sleep 5` one with `timeout`), prints a line
/// for each to stdout, and returns whether all four behaved as expected.
///
/// # Errors
/// The poller cannot be made, a subprocess cannot be watched, or stdout
/// cannot be written.
pub fn run(timeout: Duration) -> Result<bool, Box<dyn std::error::Error>> {
    let mut demo = Demo::default();
    let mut reactor = Loop::new(StdBackend::new()?);
    let commands: [(&str, Command, SpawnOptions); 4] = [
        (
            "timeout",
            command("sleep", &["5"]),
            SpawnOptions::new().timeout(timeout),
        ),
        (
            "success",
            command("echo", &["hello from eddy"]),
            SpawnOptions::new(),
        ),
        ("missing", command(MISSING, &[]), SpawnOptions::new()),
        ("failure", command("cat", &[MISSING_FILE]), SpawnOptions::new()),
    ];
    let mut start_errors: Vec<Option<SpawnError>> = Vec::new();
    let mut names = Vec::new();
    for (name, mut cmd, opts) in commands {
        let shown_args: Vec<String> = cmd.get_args().map(|a| a.to_string_lossy().into_owned()).collect();
        let program = cmd.get_program().to_string_lossy().into_owned();
        names.push((
            name,
            [program, shown_args.join(" ")].join(" ").trim_end().to_string(),
        ));
        match Subprocess::spawn(&mut cmd, opts) {
            Ok(sub) => {
                demo.runs.push(Run {
                    sub: Some(sub),
                    ..Run::default()
                });
                start_errors.push(None);
                let id = demo.runs.len() - 1;
                watch_subprocess(&mut demo, &mut reactor, id)?;
            }
            Err(e) => {
                demo.runs.push(Run::default());
                start_errors.push(Some(e));
            }
        }
    }
    let started: Vec<usize> = (0..4).filter(|i| start_errors[*i].is_none()).collect();
    reactor.run_until(&mut demo, Some(timeout + Duration::from_secs(30)), |d| {
        started.iter().all(|i| d.runs[*i].exit.is_some())
    })?;

    let mut all_ok = true;
    let mut out = io::stdout().lock();
    for (i, (name, cmdline)) in names.iter().enumerate() {
        let run = &demo.runs[i];
        let name = &format!("{name} (`{cmdline}`)")[..];
        let case = names[i].0;
        let (ok, text) = match (&start_errors[i], run.exit) {
            (Some(e), _) => line(
                name,
                case == "missing" && matches!(e, SpawnError::NotFound { .. }),
                e.to_string(),
            ),
            (None, None) => line(name, false, "did not finish".to_string()),
            (None, Some(exit)) => {
                let expected = match case {
                    "timeout" => exit.timed_out && matches!(exit.reason, ExitReason::Signaled(_)),
                    "success" => {
                        !exit.timed_out && exit.reason.success() && run.stdout == b"hello from eddy\n"
                    }
                    "failure" => {
                        !exit.timed_out
                            && matches!(exit.reason, ExitReason::Exited(c) if c != 0)
                            && String::from_utf8_lossy(&run.stderr).contains(MISSING_FILE)
                    }
                    _ => false,
                };
                let timed_out = if exit.timed_out {
                    format!(", timed out after {} ms", timeout.as_millis())
                } else {
                    String::new()
                };
                let text = format!(
                    "{}{timed_out}, stdout {}, stderr {}",
                    exit.reason,
                    shown(&run.stdout),
                    shown(&run.stderr)
                );
                line(name, expected, text)
            }
        };
        all_ok &= ok;
        writeln!(out, "{text}")?;
    }
    out.flush()?;
    Ok(all_ok)
}

fn command(program: &str, args: &[&str]) -> Command {
    let mut c = Command::new(program);
    c.args(args);
    c
}
