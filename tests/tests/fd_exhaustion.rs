//! Running out of file descriptors while clients connect: the loop keeps
//! running, uses little CPU while saturated, and accepts again once
//! descriptors free up — on the default poller and on `poll(2)`.
//!
//! This binary holds exactly one `#[test]`: lowering `RLIMIT_NOFILE` is
//! process-wide, so nothing else may run beside it. The two backends run
//! one after the other, each under its own lowered limit, restored in
//! between (and on panic).
//!
//! How it goes, per backend:
//! 1. under the normal limit: a listener (backlog 128), the reactor, and
//!    [`CLIENTS`] unconnected client sockets (so the clients need no new
//!    descriptor later);
//! 2. the limit is lowered to leave [`FREE`] descriptors; a client thread
//!    connects all the sockets (they queue in the backlog whether or not the
//!    server accepts);
//! 3. the server keeps every stream it accepts, so `accept` fails with
//!    `EMFILE` after [`FREE`] of them: the acceptor pauses;
//! 4. a periodic reactor timer measures a saturated window of
//!    [`WINDOW`] of loop time: ticks (the loop runs) and process CPU time
//!    (it does not spin);
//! 5. then the server drops half of its streams, and the remaining queued
//!    connections must all be accepted.

use std::net::{SocketAddr, TcpStream};
use std::os::fd::OwnedFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::Duration;

use eddy_core::{Callback, CallbackResult, Instant};
use eddy_std::{bind_sockets, start_accepting, Accepted, Acceptor, StdBackend, StdReactor, TcpHost};
use eddy_tests::tcp::{process_cpu_time, NofileLimit};
use rustix::net::{AddressFamily, SocketType};

/// Connections the clients make.
const CLIENTS: usize = 64;
/// Descriptors left free under the lowered limit: the server saturates
/// after this many, and dropping half of them frees enough for the rest
/// (`FREE + FREE / 2 >= CLIENTS`).
const FREE: usize = 48;
/// The period of the timer that shows the loop is alive.
const TICK: Duration = Duration::from_millis(20);
/// The saturated window measured (loop time).
const WINDOW: Duration = Duration::from_millis(600);
/// The largest share of one CPU the process may use while saturated.
const MAX_CPU: f64 = 0.30;
/// A failing run ends here instead of hanging.
const PATIENCE: Duration = Duration::from_secs(30);

type Loop = StdReactor<Server, 8, 8, 8, 64>;

/// What was measured over the saturated window.
#[derive(Debug, Clone, Copy)]
struct Saturated {
    wall: Duration,
    cpu: Duration,
    ticks: u64,
    /// Loop iterations in the window: a spinning loop makes thousands.
    iterations: u64,
    accepted_during: usize,
}

/// Where the saturated window started.
#[derive(Debug, Clone, Copy)]
struct Window {
    at: Instant,
    cpu: Duration,
    ticks: u64,
    iterations: u64,
    accepted: usize,
}

struct Server {
    acceptor: Acceptor,
    kept: Vec<TcpStream>,
    accepted: usize,
    /// (accepted so far, retry_after, raw errno) per `on_pause`.
    pauses: Vec<(usize, Duration, Option<i32>)>,
    clients_done: Arc<AtomicBool>,
    ticks: u64,
    /// Start of the saturated window.
    window: Option<Window>,
    saturated: Option<Saturated>,
}

impl TcpHost<Loop> for Server {
    fn acceptor(&mut self, _: usize) -> &mut Acceptor {
        &mut self.acceptor
    }

    fn on_accept(&mut self, _: &mut Loop, stream: TcpStream, _: SocketAddr, _: usize) -> Accepted {
        self.kept.push(stream);
        self.accepted += 1;
        Accepted::Keep
    }

    fn on_pause(&mut self, _: &mut Loop, _: usize, retry_after: Duration, error: &std::io::Error) {
        self.pauses
            .push((self.accepted, retry_after, error.raw_os_error()));
    }
}

/// Every [`TICK`]: open the saturated window once the server has paused and
/// every client is queued; close it after [`WINDOW`] and free half of the
/// kept descriptors.
fn tick(s: &mut Server, r: &mut Loop, _: usize) -> CallbackResult {
    s.ticks += 1;
    let now = r.now();
    match (s.window, s.saturated) {
        (None, _) if !s.pauses.is_empty() && s.clients_done.load(Ordering::Acquire) => {
            s.window = Some(Window {
                at: now,
                cpu: process_cpu_time(),
                ticks: s.ticks,
                iterations: r.stats().iterations,
                accepted: s.accepted,
            });
        }
        (Some(w), None) if now.saturating_duration_since(w.at) >= WINDOW => {
            s.saturated = Some(Saturated {
                wall: now.saturating_duration_since(w.at),
                cpu: process_cpu_time().saturating_sub(w.cpu),
                ticks: s.ticks - w.ticks,
                iterations: r.stats().iterations - w.iterations,
                accepted_during: s.accepted - w.accepted,
            });
            let half = s.kept.len() / 2;
            s.kept.truncate(half);
        }
        _ => {}
    }
    Ok(())
}

/// One full run on `backend`; returns what was measured.
fn saturate_and_recover(backend: StdBackend) -> Server {
    let kind = backend.kind();
    // 1. Everything that needs a descriptor, under the normal limit.
    let listener = bind_sockets("127.0.0.1:0".parse().unwrap(), 128, false).unwrap();
    let addr = listener.local_addr().unwrap();
    let sockets: Vec<OwnedFd> = (0..CLIENTS)
        .map(|_| rustix::net::socket(AddressFamily::INET, SocketType::STREAM, None).unwrap())
        .collect();
    let clients_done = Arc::new(AtomicBool::new(false));
    let (go, wait) = mpsc::channel::<()>();
    let client = {
        let done = clients_done.clone();
        thread::spawn(move || {
            wait.recv().unwrap();
            let streams: Vec<TcpStream> = sockets
                .into_iter()
                .map(|fd| {
                    // A blocking connect returns once the connection is
                    // queued in the listener's backlog.
                    rustix::net::connect(&fd, &addr).expect("client connect");
                    TcpStream::from(fd)
                })
                .collect();
            done.store(true, Ordering::Release);
            streams
        })
    };
    let mut s = Server {
        acceptor: Acceptor::new(listener),
        kept: Vec::new(),
        accepted: 0,
        pauses: Vec::new(),
        clients_done,
        ticks: 0,
        window: None,
        saturated: None,
    };
    let mut r = Loop::new(backend);
    r.call_every(TICK, Callback::new(tick, 0)).unwrap();
    start_accepting(&mut s, &mut r, 0).unwrap();

    // 2.–5.
    let limit = NofileLimit::leave_free(FREE).expect("lower RLIMIT_NOFILE");
    eprintln!(
        "[{kind}] RLIMIT_NOFILE lowered to {} ({FREE} free)",
        limit.limit()
    );
    go.send(()).unwrap();
    let run = r.run_until(&mut s, Some(PATIENCE), |s| {
        s.saturated.is_some() && s.accepted == CLIENTS
    });
    drop(limit);
    let clients = client.join().expect("client thread");
    assert_eq!(clients.len(), CLIENTS);
    if let Err(e) = run {
        panic!(
            "[{kind}] did not recover: {e}; accepted {} of {CLIENTS}, {} pauses (first {:?}), window {:?}, \
             saturated {:?}, {:?}",
            s.accepted,
            s.pauses.len(),
            s.pauses.first(),
            s.window,
            s.saturated,
            r.stats()
        );
    }
    s
}

#[track_caller]
fn check(label: &str, s: &Server) {
    let sat = s.saturated.expect("measured");
    let cpu_share = sat.cpu.as_secs_f64() / sat.wall.as_secs_f64();
    eprintln!(
        "[{label}] saturated for {:?}: CPU {:?} ({:.2} % of one CPU), {} ticks, {} loop iterations; accepted {} \
         before the first pause; {} pauses (first delays {:?}); {} accepted in the end",
        sat.wall,
        sat.cpu,
        cpu_share * 100.0,
        sat.ticks,
        sat.iterations,
        s.pauses[0].0,
        s.pauses.len(),
        s.pauses.iter().take(6).map(|p| p.1).collect::<Vec<_>>(),
        s.accepted,
    );
    // The acceptor reported Paused, for the reason we caused.
    let (before, first_delay, errno) = s.pauses[0];
    assert_eq!(
        errno,
        Some(rustix::io::Errno::MFILE.raw_os_error()),
        "[{label}] first pause: {:?}",
        s.pauses[0]
    );
    assert_eq!(first_delay, Duration::from_millis(50));
    assert!(
        before > 0 && before < CLIENTS,
        "[{label}] saturated after {before} accepts"
    );
    assert!(s.acceptor.stats().pauses as usize >= s.pauses.len());
    // Saturated for real: nothing was accepted in the window.
    assert_eq!(sat.accepted_during, 0, "[{label}] accepted while saturated");
    // The loop kept running: the timer ticked (at least half its rate).
    let expected = (sat.wall.as_millis() / TICK.as_millis()) as u64;
    assert!(
        sat.ticks >= expected / 2,
        "[{label}] only {} ticks in {:?}",
        sat.ticks,
        sat.wall
    );
    // It did not spin: little CPU, and about one iteration per timer tick
    // or retry (a spinning loop makes thousands, however busy the machine).
    assert!(
        cpu_share < MAX_CPU,
        "[{label}] used {:.1} % of a CPU while saturated (spinning?)",
        cpu_share * 100.0
    );
    assert!(
        sat.iterations <= 3 * sat.ticks + 20,
        "[{label}] {} loop iterations in {:?} while saturated (spinning?)",
        sat.iterations,
        sat.wall
    );
    // And it recovered: every queued connection was accepted.
    assert_eq!(s.accepted, CLIENTS);
}

#[test]
fn exhausting_descriptors_pauses_accepting_without_spinning_then_recovers() {
    let native = StdBackend::new().unwrap();
    let label = native.kind().to_string();
    let s = saturate_and_recover(native);
    check(&label, &s);
    drop(s);

    let poll = StdBackend::with_poll().unwrap();
    assert_eq!(poll.kind().to_string(), "poll");
    let s = saturate_and_recover(poll);
    check("poll", &s);
}
