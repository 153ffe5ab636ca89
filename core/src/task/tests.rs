//! Async task rules on the simulated clock: each test fails if its rule
//! breaks.

use core::pin::pin;
use core::time::Duration;
use std::cell::RefCell;
use std::rc::Rc;
use std::vec::Vec;

use super::*;
use crate::reactor::RunError;
use crate::sim::SimBackend;
use crate::time::Instant;

type Rt = Runtime<SimBackend, Vec<&'static str>, 8, 8, 8, 8, 8>;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn sleep_completes_at_its_deadline_on_the_simulated_clock() {
    let rt = Rt::new(SimBackend::new(), Vec::new());
    let woke_at = rt
        .block_on(
            &[],
            async {
                rt.sleep(ms(1500)).await;
                rt.now()
            },
            None,
        )
        .unwrap();
    assert_eq!(woke_at, Instant::from_millis(1500));
    assert_eq!(rt.reactor().unwrap().pending_timers(), 0);
}

#[test]
fn tasks_interleave_by_their_sleeps() {
    let rt = Rt::new(SimBackend::new(), Vec::new());
    let slots = [pin!(None), pin!(None), pin!(None)];
    let pool = TaskPool::new(&rt, slots).unwrap();
    for (name, delay) in [("slow", 30), ("fast", 10), ("mid", 20)] {
        let rt = &rt;
        pool.spawn(rt, async move {
            rt.sleep(ms(delay)).await;
            rt.user().unwrap().push(name);
        })
        .unwrap();
    }
    rt.block_on(&[&pool], rt.sleep(ms(100)), None).unwrap();
    assert_eq!(*rt.user().unwrap(), ["fast", "mid", "slow"]);
    assert_eq!(pool.running(), 0, "finished tasks free their slots");
}

#[test]
fn with_timeout_gives_up_and_cancels_the_inner_sleep() {
    let rt = Rt::new(SimBackend::new(), Vec::new());
    let res = rt
        .block_on(
            &[],
            async {
                let slow = with_timeout(&rt, ms(50), pin!(rt.sleep(ms(5000)))).await;
                let fast = with_timeout(&rt, ms(50), pin!(async { 7 })).await;
                (slow, fast, rt.now())
            },
            None,
        )
        .unwrap();
    assert_eq!(res, (Err(TimedOut), Ok(7), Instant::from_millis(50)));
    assert_eq!(
        rt.reactor().unwrap().pending_timers(),
        0,
        "both timers were cancelled on drop"
    );
}

#[test]
fn a_oneshot_wakes_every_waiting_task_with_the_value() {
    let rt = Rt::new(SimBackend::new(), Vec::new());
    let done: Oneshot<u32, 4> = Oneshot::new();
    let got = RefCell::new(Vec::new());
    let slots = [pin!(None), pin!(None), pin!(None)];
    let pool = TaskPool::new(&rt, slots).unwrap();
    for _ in 0..3 {
        let (rt, done, got) = (&rt, &done, &got);
        pool.spawn(rt, async move {
            let v = done.wait(rt).await.unwrap();
            got.borrow_mut().push((v, rt.now()));
        })
        .unwrap();
    }
    let woken = rt
        .block_on(
            &[&pool],
            async {
                rt.sleep(ms(40)).await;
                assert_eq!(done.waiting(), 3, "all three are parked on the oneshot");
                let n = done.set(&rt, 99).unwrap();
                rt.sleep(ms(1)).await;
                n
            },
            None,
        )
        .unwrap();
    assert_eq!(woken, 3);
    assert_eq!(*got.borrow(), [(99, Instant::from_millis(40)); 3]);
    assert_eq!(done.set(&rt, 1), Err(1), "a oneshot is set once");
}

#[test]
fn too_many_waiters_is_a_typed_error() {
    let rt = Rt::new(SimBackend::new(), Vec::new());
    let one: Oneshot<(), 1> = Oneshot::new();
    let results = RefCell::new(Vec::new());
    let slots = [pin!(None), pin!(None)];
    let pool = TaskPool::new(&rt, slots).unwrap();
    for _ in 0..2 {
        let (rt, one, results) = (&rt, &one, &results);
        pool.spawn(rt, async move {
            let r = one.wait(rt).await;
            results.borrow_mut().push(r);
        })
        .unwrap();
    }
    rt.block_on(&[&pool], rt.sleep(ms(1)), None).unwrap();
    assert_eq!(*results.borrow(), [Err(OneshotError::WaitersFull)]);
    assert_eq!(one.waiting(), 1);
}

#[test]
fn a_full_pool_hands_the_future_back() {
    let rt = Rt::new(SimBackend::new(), Vec::new());
    let slots = [pin!(None)];
    let pool = TaskPool::new(&rt, slots).unwrap();
    pool.spawn(&rt, rt.sleep(ms(10))).unwrap();
    let rejected = pool.spawn(&rt, rt.sleep(ms(20))).unwrap_err().into_inner();
    assert_eq!(rejected.deadline(), Instant::from_millis(20));
    assert!(pool.is_full());
}

#[test]
fn a_runtime_without_ids_left_refuses_a_pool() {
    let rt: Runtime<SimBackend, (), 3, 4, 4, 4, 4> = Runtime::new(SimBackend::new(), ());
    let slots = [pin!(None::<core::future::Ready<()>>), pin!(None)];
    let first = TaskPool::new(&rt, slots);
    assert!(first.is_ok(), "ids 1 and 2");
    let slots = [pin!(None::<core::future::Ready<()>>)];
    assert!(TaskPool::new(&rt, slots).is_err());
}

#[test]
fn block_on_times_out_and_leaves_pool_tasks_parked() {
    let rt = Rt::new(SimBackend::new(), Vec::new());
    let slots = [pin!(None)];
    let pool = TaskPool::new(&rt, slots).unwrap();
    pool.spawn(&rt, rt.sleep(ms(10_000))).unwrap();
    let res = rt.block_on(&[&pool], core::future::pending::<()>(), Some(ms(500)));
    assert_eq!(res, Err(RunError::TimedOut));
    assert_eq!(rt.now(), Instant::from_millis(500));
    assert_eq!(pool.running(), 1);
}

struct DropCount(Rc<RefCell<u32>>);
impl Drop for DropCount {
    fn drop(&mut self) {
        *self.0.borrow_mut() += 1;
    }
}

#[test]
fn a_finished_task_is_dropped_once_in_its_slot() {
    let rt = Rt::new(SimBackend::new(), Vec::new());
    let drops = Rc::new(RefCell::new(0));
    let slots = [pin!(None), pin!(None)];
    let pool = TaskPool::new(&rt, slots).unwrap();
    for _ in 0..2 {
        let guard = DropCount(drops.clone());
        let rt = &rt;
        pool.spawn(rt, async move {
            rt.sleep(ms(5)).await;
            drop(guard);
        })
        .unwrap();
    }
    rt.block_on(&[&pool], rt.sleep(ms(10)), None).unwrap();
    assert_eq!(*drops.borrow(), 2);
    assert_eq!(pool.running(), 0);
}

#[test]
fn stop_from_a_task_ends_block_on() {
    let rt = Rt::new(SimBackend::new(), Vec::new());
    let slots = [pin!(None)];
    let pool = TaskPool::new(&rt, slots).unwrap();
    let rt_ref = &rt;
    pool.spawn(rt_ref, async move {
        rt_ref.sleep(ms(3)).await;
        rt_ref.reactor().unwrap().stop();
    })
    .unwrap();
    let res = rt.block_on(&[&pool], core::future::pending::<()>(), None);
    assert_eq!(res, Err(RunError::Stopped));
    assert_eq!(rt.now(), Instant::from_millis(3));
}

#[test]
fn woken_set_deduplicates_and_keeps_wake_order() {
    let mut w: WokenSet<4> = WokenSet::new();
    assert!(w.insert(TaskId::new(2)));
    assert!(w.insert(TaskId::new(0)));
    assert!(!w.insert(TaskId::new(2)), "already woken");
    assert!(!w.insert(TaskId::new(9)), "out of range is ignored");
    assert_eq!(w.pop(), Some(TaskId::new(2)));
    assert!(w.insert(TaskId::new(2)), "woken again after being polled");
    assert_eq!(
        (w.pop(), w.pop(), w.pop()),
        (Some(TaskId::new(0)), Some(TaskId::new(2)), None)
    );
}
