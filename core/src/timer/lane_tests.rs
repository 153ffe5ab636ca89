//! Tests of the split between the monotone lane and the heap: which
//! timers go where, the order across both, and the lane's dead keys.

use super::tests::{assert_invariants, drain, t};
use super::*;
use std::vec::Vec;

#[test]
fn monotone_timeouts_stay_in_the_lane() {
    let mut h: TimerHeap<u32, 128> = TimerHeap::new();
    // `now + 30 s` for connections arriving a few at the same instant.
    let handles: Vec<_> = (0..100u32)
        .map(|i| h.schedule(t(30_000 + u64::from(i / 3)), i).unwrap())
        .collect();
    assert_eq!((h.lane.len, h.heap.len), (100, 0), "all in the lane");
    for hd in handles.iter().skip(1).step_by(3) {
        assert!(h.cancel(*hd));
    }
    assert_eq!((h.lane.dead, h.heap.len), (33, 0), "cancels leave dead keys");
    assert_invariants(&h);
    let want: Vec<u32> = (0..100).filter(|i| i % 3 != 1).collect();
    assert_eq!(drain(&mut h), want);
    assert_eq!((h.lane.len, h.lane.dead), (0, 0), "dead keys popped on the way");
    assert_invariants(&h);
}

#[test]
fn order_holds_across_the_lane_and_the_heap() {
    let mut h: TimerHeap<&str, 8> = TimerHeap::new();
    h.schedule(t(10), "a").unwrap();
    h.schedule(t(20), "b").unwrap();
    // Earlier than the lane's last key: into the heap, tied with "a".
    h.schedule(t(10), "c").unwrap();
    h.schedule(t(5), "d").unwrap();
    // No earlier than the lane's last key: the lane, tied with "b".
    h.schedule(t(20), "e").unwrap();
    assert_eq!((h.lane.len, h.heap.len), (3, 2));
    assert_invariants(&h);
    assert_eq!(drain(&mut h), ["d", "a", "c", "b", "e"], "deadline, then seq");
}

#[test]
fn the_ring_wraps_around() {
    let mut h: TimerHeap<u32, 8> = TimerHeap::new();
    let mut fired = Vec::new();
    for i in 0..50u32 {
        h.schedule(t(u64::from(i)), i).unwrap();
        if i >= 5 {
            let due = h.peek().unwrap();
            fired.push(h.remove(due.handle).unwrap());
        }
        assert_invariants(&h);
    }
    assert_eq!(h.heap.len, 0, "never needed the heap");
    fired.extend(drain(&mut h));
    assert_eq!(fired, (0..50).collect::<Vec<_>>());
}

#[test]
fn removing_from_the_middle_frees_the_slot_at_once() {
    let mut h: TimerHeap<u32, 3> = TimerHeap::new();
    h.schedule(t(1), 1).unwrap();
    let mid = h.schedule(t(2), 2).unwrap();
    h.schedule(t(3), 3).unwrap();
    assert_eq!(h.remove(mid), Some(2));
    let next = h.schedule(t(4), 4).unwrap();
    assert_eq!(next.slot(), mid.slot(), "the slot was free at once");
    assert_ne!(next, mid);
    assert_eq!((h.remove(mid), h.cancel(mid)), (None, false), "stale");
    assert_invariants(&h);
    assert_eq!(drain(&mut h), [1, 3, 4], "the old key did not fire");
}

#[test]
fn a_full_ring_half_dead_is_compacted_rather_than_spilling() {
    let mut h: TimerHeap<u32, 4> = TimerHeap::new();
    h.schedule(t(1), 1).unwrap();
    let b = h.schedule(t(2), 2).unwrap();
    let c = h.schedule(t(3), 3).unwrap();
    h.schedule(t(4), 4).unwrap();
    assert_eq!((h.remove(b), h.remove(c)), (Some(2), Some(3)));
    assert_eq!((h.lane.len, h.lane.dead), (4, 2), "the ring is full");
    h.schedule(t(5), 5).unwrap();
    assert_eq!((h.lane.len, h.lane.dead, h.heap.len), (3, 0, 0));
    assert_invariants(&h);
    assert_eq!(drain(&mut h), [1, 4, 5]);
}

#[test]
fn cancelled_timers_hold_slots_until_a_full_store_reclaims_them() {
    let mut h: TimerHeap<u32, 4> = TimerHeap::new();
    let handles: Vec<_> = (1..=4u32)
        .map(|i| h.schedule(t(u64::from(i)), i).unwrap())
        .collect();
    assert!(h.cancel(handles[1]) && h.cancel(handles[2]));
    assert_eq!((h.len(), h.lane.dead), (2, 2), "still held");
    h.schedule(t(5), 5).unwrap();
    h.schedule(t(6), 6).unwrap();
    assert!(h.is_full());
    assert_eq!(h.schedule(t(7), 7).map_err(Full::into_inner), Err(7));
    assert_invariants(&h);
    assert_eq!(drain(&mut h), [1, 4, 5, 6]);
}

#[test]
fn a_sliding_timeout_stays_in_the_lane_with_its_handle() {
    let mut h: TimerHeap<&str, 8> = TimerHeap::new();
    let idle = h.schedule(t(10), "idle").unwrap();
    h.schedule(t(20), "other").unwrap();
    // Activity: push the idle timeout out again.
    assert!(h.reschedule(idle, t(30)));
    assert_eq!((h.lane.len, h.heap.len), (2, 0), "the old key was popped");
    assert_eq!(h.get(idle), Some(&"idle"), "same handle");
    // Earlier than the lane's last key: it moves to the heap.
    assert!(h.reschedule(idle, t(15)));
    assert_eq!((h.lane.len, h.lane.dead, h.heap.len), (1, 0, 1));
    assert_invariants(&h);
    assert!(h.cancel(idle));
    assert_eq!(drain(&mut h), ["other"]);
}

#[test]
fn a_periodic_tick_parked_at_the_end_of_time_does_not_block_the_lane() {
    // The reactor parks a firing periodic timer at `Instant::MAX` while
    // its callback runs, then re-arms it.
    let mut h: TimerHeap<u32, 8> = TimerHeap::new();
    let tick = h.schedule(t(10), 0).unwrap();
    h.schedule(t(20), 1).unwrap();
    assert!(h.reschedule(tick, Instant::MAX));
    assert!(h.reschedule(tick, t(30)));
    h.schedule(t(40), 2).unwrap();
    assert_eq!((h.lane.len, h.heap.len), (3, 0), "the parked key left");
    assert_invariants(&h);
    assert_eq!(drain(&mut h), [1, 0, 2]);
}

#[test]
fn a_drained_store_claims_neighbouring_slots_again() {
    let mut h: TimerHeap<u32, 4> = TimerHeap::new();
    let old: Vec<_> = (0..4u32)
        .map(|i| h.schedule(t(u64::from(i)), i).unwrap())
        .collect();
    // Freed in a scattered order: 0, 3, 2, 1.
    for i in [2, 0, 3, 1] {
        assert!(h.cancel(old[i]));
    }
    assert!(h.is_empty());
    let new: Vec<_> = (0..4u32)
        .map(|i| h.schedule(t(10 + u64::from(i)), i).unwrap())
        .collect();
    let slots: Vec<u32> = new.iter().map(|hd| hd.slot()).collect();
    assert_eq!(slots, [0, 1, 2, 3], "in index order, not freeing order");
    for hd in &old {
        assert!(!h.cancel(*hd) && h.get(*hd).is_none(), "{hd} is stale");
    }
    assert_invariants(&h);
    assert_eq!(drain(&mut h), [0, 1, 2, 3]);
}
