//! `BlockingPool`: jobs run on the pool's threads at the same time, their
//! results come back on the loop through the mailbox and wake a sleeping
//! poll, in the callback form and as a future awaited by a task.

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use eddy_core::error::Full;
use eddy_core::mailbox::Mailbox;
use eddy_core::task::{Runtime, TaskCx};
use eddy_core::{CallbackResult, Reactor};
use eddy_std::{BlockingPool, JobId, JobPanicked, StdBackend, StdWaker};

type Loop = Reactor<StdBackend, App, 8, 8, 8>;
type Done = Mailbox<usize, StdWaker, 4>;

/// A broken wake would leave the loop in its 60 s poll.
const BLOCKED: Duration = Duration::from_secs(60);
const MAX_RUN: Duration = Duration::from_secs(30);

struct App {
    pool: BlockingPool<u32>,
    results: Vec<(JobId, Result<u32, JobPanicked>)>,
}

fn on_done(app: &mut App, _: &mut Loop, message: usize) -> CallbackResult {
    if let Some(done) = app.pool.complete(message, |_| {}) {
        app.results.push(done);
    }
    Ok(())
}

fn app_on(mailbox: &'static Done, threads: usize) -> (App, Loop) {
    let app = App {
        pool: BlockingPool::new(threads, mailbox).unwrap(),
        results: Vec::new(),
    };
    let mut r = Loop::new(StdBackend::new().unwrap());
    r.set_poll_cap(BLOCKED);
    r.attach_mailbox(mailbox, on_done);
    (app, r)
}

#[test]
fn jobs_run_on_separate_threads_and_complete_on_the_loop() {
    static DONE: Done = Mailbox::new();
    let (mut app, mut r) = app_on(&DONE, 2);
    // Each job waits for the other: they finish only if both run at once.
    let barrier = Arc::new(Barrier::new(2));
    let loop_thread = std::thread::current().id();
    let ids: Vec<JobId> = (0..2)
        .map(|i| {
            let b = barrier.clone();
            app.pool
                .submit(move || {
                    assert_ne!(std::thread::current().id(), loop_thread);
                    b.wait();
                    i + 10
                })
                .map_err(|_| "full")
                .unwrap()
        })
        .collect();
    let start = Instant::now();
    r.run_until(&mut app, Some(MAX_RUN), |a| a.results.len() == 2)
        .unwrap();
    assert!(start.elapsed() < MAX_RUN, "the completions did not wake the poll");
    let mut got: Vec<_> = app.results.iter().map(|(id, v)| (*id, *v)).collect();
    got.sort_by_key(|(_, v)| v.unwrap_or(0));
    assert_eq!(got, vec![(ids[0], Ok(10)), (ids[1], Ok(11))]);
    assert_eq!(app.pool.in_flight(), 0);
}

#[test]
fn a_full_pool_hands_the_job_back_and_a_panic_is_reported() {
    static DONE: Done = Mailbox::new();
    let (mut app, mut r) = app_on(&DONE, 1);
    let gate = Arc::new(Barrier::new(2));
    let g = gate.clone();
    app.pool
        .submit(move || {
            g.wait();
            1
        })
        .map_err(|_| "full")
        .unwrap();
    app.pool
        .submit(|| panic!("job fails on purpose"))
        .map_err(|_| "full")
        .unwrap();
    app.pool.submit(|| 3).map_err(|_| "full").unwrap();
    app.pool.submit(|| 4).map_err(|_| "full").unwrap();
    // Four in flight, the mailbox's capacity: the fifth comes back.
    let Err(Full(job)) = app.pool.submit(|| 5) else {
        panic!("a fifth job was accepted");
    };
    assert_eq!(job(), 5);
    gate.wait();
    r.run_until(&mut app, Some(MAX_RUN), |a| a.results.len() == 4)
        .unwrap();
    let values: Vec<_> = app.results.iter().map(|(_, v)| *v).collect();
    assert_eq!(
        values,
        vec![Ok(1), Err(JobPanicked), Ok(3), Ok(4)],
        "one thread: in order"
    );
    // The thread survived the panic and the slots are free again.
    app.pool.submit(|| 6).map_err(|_| "full").unwrap();
    r.run_until(&mut app, Some(MAX_RUN), |a| a.results.len() == 5)
        .unwrap();
    assert_eq!(app.results[4].1, Ok(6));
}

type Rt = Runtime<StdBackend, &'static BlockingPool<u32>, 4, 8, 8, 8, 8>;
type RtDone = Mailbox<usize, StdWaker, 4>;

fn on_rt_done(
    cx: &mut TaskCx<&'static BlockingPool<u32>, 4>,
    _: &mut Reactor<StdBackend, TaskCx<&'static BlockingPool<u32>, 4>, 8, 8, 8, 8>,
    message: usize,
) -> CallbackResult {
    let pool = cx.user;
    let woken = &mut cx.woken;
    pool.complete(message, |id| {
        woken.insert(id);
    });
    Ok(())
}

#[test]
fn a_task_awaits_run_blocking() {
    static DONE: RtDone = Mailbox::new();
    let pool: &'static BlockingPool<u32> = Box::leak(Box::new(BlockingPool::new(2, &DONE).unwrap()));
    let rt = Rt::new(StdBackend::new().unwrap(), pool);
    {
        let mut r = rt.reactor().unwrap();
        r.set_poll_cap(BLOCKED);
        r.attach_mailbox(&DONE, on_rt_done);
    }
    let start = Instant::now();
    let out = rt
        .block_on(
            &[],
            async {
                let a = pool.run_blocking(&rt, || 20).map_err(|_| "full").unwrap().await;
                let b = pool.run_blocking(&rt, || 22).map_err(|_| "full").unwrap().await;
                (a, b)
            },
            Some(MAX_RUN),
        )
        .unwrap();
    assert_eq!(out, (Ok(20), Ok(22)));
    assert!(start.elapsed() < MAX_RUN);
    assert_eq!(pool.in_flight(), 0, "the futures released their slots");
}
