use super::*;
use std::rc::Rc;
use std::vec::Vec;

fn t(ms: u64) -> Instant {
    Instant::from_millis(ms)
}

fn drain<const N: usize>(h: &mut TimerHeap<u32, N>) -> Vec<u32> {
    core::iter::from_fn(|| h.peek().and_then(|d| h.remove(d.handle))).collect()
}

#[test]
fn fires_by_deadline_then_scheduling_order() {
    let mut h: TimerHeap<u32, 16> = TimerHeap::new();
    for (i, ms) in [(0, 30), (1, 10), (2, 20), (3, 10), (4, 0), (5, 10)] {
        h.schedule(t(ms), i).unwrap();
    }
    assert_eq!(drain(&mut h), [4, 1, 3, 5, 2, 0]);
}

#[test]
fn rescheduled_timer_goes_after_existing_equal_deadlines() {
    let mut h: TimerHeap<u32, 8> = TimerHeap::new();
    let a = h.schedule(t(5), 0).unwrap();
    h.schedule(t(10), 1).unwrap();
    h.schedule(t(10), 2).unwrap();
    assert!(h.reschedule(a, t(10)));
    assert_eq!(drain(&mut h), [1, 2, 0]);
    let b = h.schedule(t(50), 7).unwrap();
    h.schedule(t(20), 8).unwrap();
    assert!(h.reschedule(b, t(1)), "earlier: sifts up");
    assert_eq!(drain(&mut h), [7, 8]);
}

#[test]
fn stale_handles_are_harmless() {
    let mut h: TimerHeap<u32, 4> = TimerHeap::new();
    let fired = h.schedule(t(1), 0).unwrap();
    assert_eq!(h.remove(h.peek().unwrap().handle), Some(0));
    assert!(!h.cancel(fired), "fired");
    let cancelled = h.schedule(t(2), 1).unwrap();
    assert!(h.cancel(cancelled));
    assert!(!h.cancel(cancelled), "cancelled twice");
    let reused = h.schedule(t(3), 2).unwrap();
    assert_eq!(reused.slot(), cancelled.slot(), "slot reused");
    assert!(!h.cancel(cancelled) && !h.reschedule(cancelled, t(0)) && h.get(cancelled).is_none());
    assert_eq!(h.get(reused), Some(&2), "the reused slot's timer is intact");
    let garbage = TimerHandle::new(99, 0);
    assert!(!h.cancel(garbage) && h.get_mut(garbage).is_none());
    assert_eq!(h.len(), 1);
}

#[test]
fn full_heap_returns_the_item() {
    let mut h: TimerHeap<&str, 2> = TimerHeap::new();
    h.schedule(t(1), "a").unwrap();
    let b = h.schedule(t(2), "b").unwrap();
    assert!(h.is_full());
    assert_eq!(h.schedule(t(0), "c").map_err(Full::into_inner), Err("c"));
    h.cancel(b);
    assert!(h.schedule(t(0), "c").is_ok());
    let mut zero: TimerHeap<u8, 0> = TimerHeap::new();
    assert!(zero.schedule(t(0), 1).is_err() && zero.peek().is_none());
}

#[test]
fn removing_from_the_middle_keeps_heap_order() {
    let mut h: TimerHeap<u32, 64> = TimerHeap::new();
    let handles: Vec<_> = (0..40u32)
        .map(|i| h.schedule(t(((i * 37) % 41) as u64), i).unwrap())
        .collect();
    for (i, hd) in handles.iter().enumerate() {
        if i % 3 == 0 {
            assert!(h.cancel(*hd));
        }
    }
    let order: Vec<u64> = core::iter::from_fn(|| {
        let d = h.peek()?;
        h.remove(d.handle);
        Some(d.deadline.as_millis())
    })
    .collect();
    assert!(order.windows(2).all(|w| w[0] <= w[1]), "{order:?}");
    assert_eq!(order.len(), 40 - 14);
}

#[test]
fn items_are_dropped_exactly_once() {
    let rc = Rc::new(());
    {
        let mut h: TimerHeap<Rc<()>, 8> = TimerHeap::new();
        let a = h.schedule(t(1), rc.clone()).unwrap();
        h.schedule(t(2), rc.clone()).unwrap();
        h.schedule(t(3), rc.clone()).unwrap();
        drop(h.remove(a));
        assert_eq!(Rc::strong_count(&rc), 3);
        h.clear();
        assert_eq!(Rc::strong_count(&rc), 1);
        h.schedule(t(4), rc.clone()).unwrap();
    }
    assert_eq!(Rc::strong_count(&rc), 1, "dropping the heap drops its items");
}

#[test]
fn next_seq_counts_schedules_and_reschedules() {
    let mut h: TimerHeap<u8, 4> = TimerHeap::new();
    assert_eq!(h.next_seq(), 0);
    let a = h.schedule(t(1), 0).unwrap();
    assert_eq!(h.peek().unwrap().seq, 0);
    h.reschedule(a, t(2));
    assert_eq!(h.peek().unwrap().seq, 1);
    assert_eq!(h.next_seq(), 2);
}
