//! Unit tests of the timer store's rules, and the invariant checker the
//! other test modules share.

use super::*;
use std::cell::Cell;
use std::format;
use std::rc::Rc;
use std::vec;
use std::vec::Vec;

pub(super) fn t(ms: u64) -> Instant {
    Instant::from_millis(ms)
}

/// Fires everything, earliest first, the way the reactor does.
pub(super) fn drain<T, const N: usize>(h: &mut TimerHeap<T, N>) -> Vec<T> {
    core::iter::from_fn(|| h.peek().and_then(|d| h.remove(d.handle))).collect()
}

/// Checks every invariant listed in the module docs and in the heap's, the
/// lane's and the slot table's.
#[track_caller]
pub(super) fn assert_invariants<T, const N: usize>(h: &TimerHeap<T, N>) {
    let s = &h.slots;
    assert!(s.fresh <= N, "fresh {}", s.fresh);
    // The place of the key holding each slot, if any.
    let mut held: Vec<Option<u32>> = vec![None; N];
    let mut hold = |slot: u32, place: u32| {
        let old = held[slot as usize].replace(place);
        assert!(old.is_none(), "slot {slot} held at {old:?} and {place:#x}");
        assert!(s.items[slot as usize].is_some(), "held slot {slot} has no item");
    };
    let mut live = 0;

    let heap = &h.heap;
    assert!(heap.len <= N, "heap len {}", heap.len);
    let mut dead = 0;
    for (i, key) in heap.keys[..heap.len].iter().enumerate() {
        if i > 0 {
            let parent = &heap.keys[(i - 1) / 4];
            assert!(!key.before(parent), "heap key {i} sorts before its parent");
        }
        assert!(key.seq < h.seq, "seq {} not below next_seq", key.seq);
        let meta = s.meta[key.slot as usize];
        assert_eq!(meta.place, i as u32, "heap key {i} does not hold its slot");
        hold(key.slot, i as u32);
        if meta.generation == key.generation {
            assert!(meta.generation & 1 == 1, "pending generation is even");
            live += 1;
        } else {
            assert!(i > 0, "a tombstone at the root");
            assert!(meta.generation & 1 == 0, "cancelled generation is odd");
            dead += 1;
        }
    }
    assert_eq!(dead, heap.dead, "heap tombstone count");

    let lane = &h.lane;
    assert!(
        lane.len <= N && (lane.head < N || N == 0),
        "lane {}+{}",
        lane.head,
        lane.len
    );
    let mut dead = 0;
    let mut prev: Option<Key> = None;
    for k in 0..lane.len {
        let i = lane.index(k);
        let key = lane.keys[i];
        if let Some(p) = prev {
            assert!(p.before(&key), "lane key {k} out of order");
        }
        prev = Some(key);
        assert!(key.seq < h.seq, "seq {} not below next_seq", key.seq);
        let place = LANE | i as u32;
        let meta = s.meta[key.slot as usize];
        if meta.place == place {
            hold(key.slot, place);
        }
        if s.is_live(&key, place) {
            assert!(meta.generation & 1 == 1, "pending generation is even");
            live += 1;
        } else {
            assert!(k != 0 && k + 1 != lane.len, "a dead key at an end of the lane");
            if meta.place == place {
                assert!(meta.generation & 1 == 0, "cancelled generation is odd");
            }
            dead += 1;
        }
    }
    assert_eq!(dead, lane.dead, "lane dead count");
    assert_eq!(live, h.live, "pending count");

    let mut free = 0;
    let mut next = s.free;
    while next != NO_SLOT {
        let slot = next as usize;
        assert!(slot < s.fresh, "free slot {slot} past fresh");
        assert!(
            held[slot].replace(u32::MAX).is_none(),
            "free slot {slot} held or listed twice"
        );
        assert!(s.items[slot].is_none(), "free slot {slot} has an item");
        assert!(s.meta[slot].generation & 1 == 0, "free slot {slot} is pending");
        next = s.meta[slot].place;
        free += 1;
    }
    assert_eq!(
        free + held[..s.fresh]
            .iter()
            .filter(|p| p.is_some_and(|p| p != u32::MAX))
            .count(),
        s.fresh,
        "a used slot is neither held nor free"
    );
    for (slot, holder) in held.iter().enumerate().skip(s.fresh) {
        assert!(
            s.items[slot].is_none() && s.meta[slot].generation & 1 == 0 && holder.is_none(),
            "slot {slot} past fresh is not free"
        );
    }
}

#[test]
fn fires_by_deadline_then_scheduling_order() {
    let mut h: TimerHeap<u32, 16> = TimerHeap::new();
    for (i, ms) in [(0, 30), (1, 10), (2, 20), (3, 10), (4, 0), (5, 10)] {
        h.schedule(t(ms), i).unwrap();
    }
    assert_invariants(&h);
    assert_eq!(drain(&mut h), [4, 1, 3, 5, 2, 0]);
}

#[test]
fn many_equal_deadlines_keep_insertion_order() {
    // Enough timers for several heap levels, so ties meet in sifts.
    let mut h: TimerHeap<u32, 200> = TimerHeap::new();
    for i in 0..200u32 {
        h.schedule(t(u64::from(i % 3)), i).unwrap();
    }
    let want: Vec<u32> = (0..3)
        .flat_map(|d| (0..200).filter(move |i| i % 3 == d))
        .collect();
    assert_eq!(drain(&mut h), want);
}

#[test]
fn rescheduled_timer_goes_after_existing_equal_deadlines() {
    let mut h: TimerHeap<u32, 8> = TimerHeap::new();
    let a = h.schedule(t(5), 0).unwrap();
    h.schedule(t(10), 1).unwrap();
    h.schedule(t(10), 2).unwrap();
    assert!(h.reschedule(a, t(10)));
    assert_eq!(drain(&mut h), [1, 2, 0]);
}

#[test]
fn reschedule_keeps_the_handle_and_moves_both_ways() {
    let mut h: TimerHeap<u32, 32> = TimerHeap::new();
    let handles: Vec<_> = (0..20u32)
        .map(|i| h.schedule(t(u64::from(i) * 10), i).unwrap())
        .collect();
    assert!(h.reschedule(handles[0], t(1000)), "root to the bottom");
    assert!(h.reschedule(handles[19], t(5)), "bottom to the top");
    assert_invariants(&h);
    assert_eq!(h.peek().map(|d| d.handle), Some(handles[19]), "handle kept");
    assert_eq!(h.get(handles[0]), Some(&0));
    let order = drain(&mut h);
    assert_eq!(order.first(), Some(&19));
    assert_eq!(order.last(), Some(&0));
    assert!(
        !h.reschedule(handles[0], t(1)),
        "a fired handle cannot be re-armed"
    );
}

#[test]
fn stale_handles_are_harmless() {
    let mut h: TimerHeap<u32, 4> = TimerHeap::new();
    let fired = h.schedule(t(1), 0).unwrap();
    let keep = h.schedule(t(9), 9).unwrap();
    assert_eq!(h.remove(h.peek().unwrap().handle), Some(0));
    assert!(!h.cancel(fired), "fired");
    let cancelled = h.schedule(t(2), 1).unwrap();
    assert!(h.cancel(cancelled));
    assert!(!h.cancel(cancelled), "cancelled twice");
    let reused = h.schedule(t(3), 2).unwrap();
    assert_eq!(reused.slot(), cancelled.slot(), "the slot was reused");
    assert_ne!(reused, cancelled, "with a new generation");
    for stale in [fired, cancelled] {
        assert!(!h.cancel(stale));
        assert_eq!(h.remove(stale), None);
        assert!(!h.reschedule(stale, t(0)));
        assert!(h.get(stale).is_none() && h.get_mut(stale).is_none());
    }
    assert_invariants(&h);
    assert_eq!(
        (h.get(reused), h.get(keep)),
        (Some(&2), Some(&9)),
        "others intact"
    );
    assert_eq!(drain(&mut h), [2, 9]);
}

#[test]
fn garbage_handles_are_rejected() {
    let mut h: TimerHeap<u32, 4> = TimerHeap::new();
    let live = h.schedule(t(1), 7).unwrap();
    let mut garbage = Vec::new();
    for slot in [4, 5, 1000, u32::MAX - 1, u32::MAX] {
        garbage.push(TimerHandle::new(slot, 0));
        garbage.push(TimerHandle::new(slot, u32::MAX));
    }
    // In range, but a slot never used, or the wrong generation.
    garbage.extend([
        TimerHandle::new(3, 0),
        TimerHandle::new(3, 1),
        TimerHandle::new(live.slot(), live.generation() + 1),
        TimerHandle::new(live.slot(), live.generation() + 2),
    ]);
    for g in garbage {
        assert!(!h.cancel(g) && h.remove(g).is_none(), "{g}");
        assert!(!h.reschedule(g, t(0)) && h.get(g).is_none() && h.get_mut(g).is_none());
    }
    assert_eq!((h.len(), h.get(live)), (1, Some(&7)));
    assert_invariants(&h);

    let mut zero: TimerHeap<u32, 0> = TimerHeap::new();
    assert!(!zero.cancel(live) && zero.peek().is_none() && zero.is_full());
}

#[test]
fn full_heap_returns_the_item() {
    let mut h: TimerHeap<&str, 2> = TimerHeap::new();
    h.schedule(t(1), "a").unwrap();
    let b = h.schedule(t(2), "b").unwrap();
    assert!(h.is_full());
    assert_eq!(h.schedule(t(0), "c").map_err(Full::into_inner), Err("c"));
    assert_eq!(h.len(), 2, "nothing was evicted");
    h.cancel(b);
    assert!(!h.is_full());
    assert!(h.schedule(t(0), "c").is_ok());
    assert_eq!(drain(&mut h), ["c", "a"]);
    let mut zero: TimerHeap<u8, 0> = TimerHeap::new();
    assert_eq!(zero.schedule(t(0), 1).map_err(Full::into_inner), Err(1));
}

#[test]
fn removing_from_the_middle_keeps_heap_order() {
    let mut h: TimerHeap<u32, 64> = TimerHeap::new();
    let handles: Vec<_> = (0..40u32)
        .map(|i| h.schedule(t(u64::from((i * 37) % 41)), i).unwrap())
        .collect();
    for hd in handles.iter().step_by(3) {
        assert!(h.cancel(*hd));
        assert_invariants(&h);
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

/// Counts its drops in a shared cell.
struct Counted(Rc<Cell<usize>>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

#[test]
fn items_are_dropped_exactly_once() {
    let drops = Rc::new(Cell::new(0));
    let item = || Counted(drops.clone());
    {
        let mut h: TimerHeap<Counted, 8> = TimerHeap::new();
        let a = h.schedule(t(1), item()).unwrap();
        let b = h.schedule(t(2), item()).unwrap();
        h.schedule(t(3), item()).unwrap();
        h.schedule(t(4), item()).unwrap();
        let removed = h.remove(a).unwrap();
        assert_eq!(drops.get(), 0, "remove hands the item over");
        drop(removed);
        assert!(h.cancel(b));
        assert_eq!(drops.get(), 2, "cancel drops the item");
        h.clear();
        assert_eq!(drops.get(), 4, "clear drops the rest");
        let full = h.schedule(t(5), item()).unwrap();
        h.reschedule(full, t(6));
        for _ in 0..7 {
            h.schedule(t(7), item()).unwrap();
        }
        let Err(rejected) = h.schedule(t(8), item()) else {
            panic!("the heap should be full");
        };
        drop(rejected);
        assert_eq!(
            drops.get(),
            5,
            "a rejected item is handed back, then dropped here"
        );
    }
    assert_eq!(drops.get(), 13, "dropping the heap drops the pending items");
}

#[test]
fn clear_invalidates_every_handle_and_reuses_slots() {
    let mut h: TimerHeap<u32, 4> = TimerHeap::new();
    let old: Vec<_> = (0..4).map(|i| h.schedule(t(i), i as u32).unwrap()).collect();
    let seq = h.next_seq();
    h.clear();
    assert!(h.is_empty() && h.peek().is_none());
    assert_eq!(h.next_seq(), seq, "the sequence keeps counting");
    assert_invariants(&h);
    let new: Vec<_> = (0..4)
        .map(|i| h.schedule(t(9 - i), 10 + i as u32).unwrap())
        .collect();
    for hd in &old {
        assert!(!h.cancel(*hd) && h.get(*hd).is_none());
    }
    assert_eq!(h.get(new[0]), Some(&10));
    assert_invariants(&h);
    assert_eq!(drain(&mut h), [13, 12, 11, 10]);
}

#[test]
fn get_mut_changes_the_pending_item() {
    let mut h: TimerHeap<u32, 4> = TimerHeap::new();
    let a = h.schedule(t(1), 1).unwrap();
    *h.get_mut(a).unwrap() += 41;
    assert_eq!(h.remove(a), Some(42));
}

#[test]
fn next_seq_counts_schedules_and_reschedules() {
    let mut h: TimerHeap<u8, 4> = TimerHeap::new();
    assert_eq!(h.next_seq(), 0);
    let a = h.schedule(t(1), 0).unwrap();
    assert_eq!(h.peek().unwrap().seq, 0);
    h.reschedule(a, t(2));
    assert_eq!(h.peek().unwrap().seq, 1);
    assert!(!h.reschedule(TimerHandle::new(3, 0), t(0)));
    assert_eq!(h.next_seq(), 2, "a failed reschedule takes no seq");
}

#[test]
fn handles_print_slot_and_generation() {
    assert_eq!(format!("{}", TimerHandle::new(3, 1)), "timer#3.1");
    let mut h: TimerHeap<u8, 2> = TimerHeap::new();
    let a = h.schedule(t(1), 0).unwrap();
    h.cancel(a);
    let b = h.schedule(t(1), 0).unwrap();
    assert_eq!(
        (format!("{a}"), format!("{b}")),
        // Live generations are odd; a cancel moves the slot on by two.
        ("timer#0.1".into(), "timer#0.3".into())
    );
    let debug = format!("{h:?}");
    assert!(debug.starts_with("TimerHeap { len: 1, capacity: 2"), "{debug}");
}

#[test]
fn new_is_const_and_default_is_empty() {
    static HEAP: TimerHeap<u64, 8> = TimerHeap::new();
    assert!(HEAP.is_empty() && HEAP.capacity() == 8 && HEAP.peek().is_none());
    let h: TimerHeap<u64, 8> = TimerHeap::default();
    assert_eq!((h.len(), h.is_full(), h.next_seq()), (0, false, 0));
}
