//! 200 short subprocesses in a row leave no zombie and no descriptor
//! behind. Alone in its test binary so no other test's children are
//! counted.

#![cfg(any(target_os = "linux", target_os = "android"))]

use std::process::Command;
use std::time::Duration;

use eddy_std::{
    watch_subprocess, Exit, ExitReason, Output, ProcessHost, SpawnOptions, StdBackend, StdReactor, Subprocess,
};

type Loop = StdReactor<Host, 16, 16, 16, 16>;

#[derive(Default)]
struct Host {
    subs: Vec<Subprocess>,
    exits: Vec<Exit>,
}

impl ProcessHost<Loop> for Host {
    fn subprocess(&mut self, id: usize) -> Option<&mut Subprocess> {
        self.subs.get_mut(id)
    }
    fn on_output(&mut self, _: &mut Loop, _: usize, _: Output, _: &[u8]) {}
    fn on_exit(&mut self, _: &mut Loop, _: usize, exit: Exit) {
        self.exits.push(exit);
    }
}

/// Children of this process in state `Z`, from `/proc/*/stat`
/// (`proc_pid_stat(5)`: state and ppid follow the command name).
fn zombie_children() -> Vec<i32> {
    let me = std::process::id() as i32;
    let mut zombies = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let Some(close) = stat.rfind(')') else { continue };
        let mut fields = stat[close + 1..].split_whitespace();
        let (state, ppid) = (fields.next(), fields.next().and_then(|p| p.parse::<i32>().ok()));
        if state == Some("Z") && ppid == Some(me) {
            zombies.push(pid);
        }
    }
    zombies
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

#[test]
fn two_hundred_short_subprocesses_leave_no_zombie() {
    let mut host = Host::default();
    let mut r = Loop::new(StdBackend::new().unwrap());
    // Counted with the backend already open: its own descriptors (epoll and
    // eventfd, or the poll(2) fallback's waker) differ by poller.
    let fds_before = open_fds();
    for id in 0..200 {
        let sub = Subprocess::spawn(&mut Command::new("true"), SpawnOptions::new()).unwrap();
        host.subs.push(sub);
        watch_subprocess(&mut host, &mut r, id).unwrap();
        r.run_until(&mut host, Some(Duration::from_secs(30)), |h| {
            h.exits.len() == id + 1
        })
        .unwrap_or_else(|e| panic!("subprocess {id} did not finish: {e:?}"));
    }
    assert!(host.exits.iter().all(|e| e.reason == ExitReason::Exited(0)));
    // Every Subprocess is still alive: only the exit path can have reaped
    // them (dropping one would also reap it).
    assert_eq!(zombie_children(), Vec::<i32>::new(), "zombies left behind");
    assert_eq!(r.handlers(), 0, "every registration was removed");
    drop(host);
    assert_eq!(
        open_fds(),
        fds_before,
        "every pipe and exit descriptor was closed"
    );
}
