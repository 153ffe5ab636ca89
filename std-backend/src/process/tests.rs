//! The `SIGCHLD` fallback of the exit watch, forced on a platform that
//! has a pidfd or kqueue: several children at once, each told apart by
//! `waitpid(2)` although every exit wakes every watch.

use std::process::Command;
use std::time::Duration;

use super::{watch_subprocess, Exit, ExitReason, Output, ProcessHost, SpawnOptions, Subprocess};
use crate::sys::exit_watch::ExitWatch;
use crate::{StdBackend, StdReactor};

type Loop = StdReactor<Host, 16, 16, 16, 16>;

#[derive(Default)]
struct Host {
    subs: Vec<Subprocess>,
    out: Vec<Vec<u8>>,
    exits: Vec<Option<Exit>>,
}

impl ProcessHost<Loop> for Host {
    fn subprocess(&mut self, id: usize) -> Option<&mut Subprocess> {
        self.subs.get_mut(id)
    }
    fn on_output(&mut self, _: &mut Loop, id: usize, _: Output, bytes: &[u8]) {
        self.out[id].extend_from_slice(bytes);
    }
    fn on_exit(&mut self, _: &mut Loop, id: usize, exit: Exit) {
        self.exits[id] = Some(exit);
    }
}

#[test]
fn the_sigchld_fallback_tells_children_apart() {
    let scripts = ["exit 3", "echo two", "kill -TERM $$", "exit 0"];
    let mut host = Host::default();
    let mut r = Loop::new(StdBackend::new().unwrap());
    for (id, script) in scripts.iter().enumerate() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", script]);
        let sub = Subprocess::spawn_watched(&mut cmd, SpawnOptions::new(), |_| ExitWatch::sigchld()).unwrap();
        assert!(sub.exit_fd_is_shared());
        host.subs.push(sub);
        host.out.push(Vec::new());
        host.exits.push(None);
        watch_subprocess(&mut host, &mut r, id).unwrap();
    }
    r.run_until(&mut host, Some(Duration::from_secs(60)), |h| {
        h.exits.iter().all(Option::is_some)
    })
    .unwrap();
    let reasons: Vec<ExitReason> = host.exits.iter().map(|e| e.unwrap().reason).collect();
    assert_eq!(
        reasons,
        [
            ExitReason::Exited(3),
            ExitReason::Exited(0),
            ExitReason::Signaled(15),
            ExitReason::Exited(0)
        ]
    );
    assert_eq!(host.out[1], b"two\n");
}
