//! `subprocess_demo` end to end: the four cases each print their line and
//! the program exits 0; a case that misbehaves makes it exit 1.

use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_subprocess_demo");

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("run subprocess_demo")
}

#[test]
fn the_four_cases_behave_and_the_demo_exits_0() {
    let out = run(&[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{:?}\n{stdout}", out.status);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 4, "one line per case: {stdout}");
    for (line, case) in lines.iter().zip(["timeout", "success", "missing", "failure"]) {
        assert!(line.starts_with(case), "{line}");
        assert!(line.ends_with("— ok"), "{line}");
    }
    assert!(
        lines[0].contains("`sleep 5`") && lines[0].contains("killed by signal 9, timed out after 3000 ms")
    );
    assert!(lines[1].contains("exit status 0") && lines[1].contains(r#"stdout "hello from eddy\n""#));
    assert!(lines[2].contains("cannot start eddy-demo-no-such-program: no such program"));
    assert!(lines[3].contains("exit status 1") && lines[3].contains("No such file or directory"));
}

#[test]
fn a_case_that_misbehaves_fails_the_demo() {
    // With a 10 s timeout `sleep 5` ends by itself: the timeout case is
    // not what the demo expects.
    let out = run(&["--timeout-ms", "10000"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let first = stdout.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("timeout") && first.contains("exit status 0") && first.ends_with("UNEXPECTED"),
        "{first}"
    );
    assert_eq!(
        stdout.lines().filter(|l| l.ends_with("— ok")).count(),
        3,
        "{stdout}"
    );
}

#[test]
fn a_bad_command_line_exits_2() {
    assert_eq!(run(&["--timeout-ms", "soon"]).status.code(), Some(2));
}
