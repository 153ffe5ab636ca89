//! The timer store against a model, over random operation sequences.
//!
//! The model is a vector of `(deadline, seq, id)` that is sorted before
//! every pop: as simple as a timer queue can be, and obviously right.
//!
//! Deadlines come both at random and in monotone runs (each no earlier
//! than the latest so far, as `now + constant` timeouts arrive), so both
//! the lane and the heap fill, and keys move between them.

use super::tests::assert_invariants;
use super::*;
use proptest::prelude::*;
use std::vec::Vec;

const CAP: usize = 16;

#[derive(Debug, Clone)]
enum Op {
    Schedule(u64),
    /// Cancel the `i % issued`-th handle ever issued (live or stale).
    Cancel(usize),
    Reschedule(usize, u64),
    /// Schedule at the latest deadline so far plus a small step.
    Later(u64),
    /// Reschedule the `i % issued`-th handle to the latest deadline so far
    /// plus a small step (a sliding idle timeout).
    RescheduleLater(usize, u64),
    /// Remove the `i % issued`-th handle ever issued, wherever it is.
    Remove(usize),
    /// Fire the earliest timer: `peek`, then `remove` its handle.
    Pop,
    Clear,
    /// Act on a made-up handle; slots go past `CAP`.
    Garbage(u32, u32),
}

/// Mostly small deadlines, so that ties are common, plus the extremes.
fn deadline() -> impl Strategy<Value = u64> {
    prop_oneof![
        8 => 0..8u64,
        1 => Just(u64::MAX),
        1 => any::<u64>(),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => deadline().prop_map(Op::Schedule),
        5 => (0..3u64).prop_map(Op::Later),
        3 => any::<usize>().prop_map(Op::Cancel),
        1 => any::<usize>().prop_map(Op::Remove),
        1 => (any::<usize>(), deadline()).prop_map(|(i, d)| Op::Reschedule(i, d)),
        1 => (any::<usize>(), 0..3u64).prop_map(|(i, d)| Op::RescheduleLater(i, d)),
        3 => Just(Op::Pop),
        1 => (0..CAP as u32 + 4, 0..4u32).prop_map(|(s, g)| Op::Garbage(s, g)),
    ]
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    // Clears are rare, so the heap gets to fill up between them.
    let with_clear = prop_oneof![50 => op(), 1 => Just(Op::Clear)];
    // Miri runs each step thousands of times slower: fewer, shorter cases.
    proptest::collection::vec(with_clear, 0..if cfg!(miri) { 80 } else { 200 })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: if cfg!(miri) { 4 } else { 256 },
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn agrees_with_a_sorted_vector(ops in ops()) {
        let mut heap: TimerHeap<u32, CAP> = TimerHeap::new();
        // (deadline, seq, id) of every pending timer.
        let mut model: Vec<(u64, u64, u32)> = Vec::new();
        // Every handle ever issued, live or not, with its timer's id.
        let mut issued: Vec<(TimerHandle, u32)> = Vec::new();
        let mut seq = 0u64;
        let mut next_id = 0u32;
        // The latest deadline scheduled so far, for the monotone runs.
        let mut high = 0u64;
        for op in ops {
            let op = match op {
                Op::Later(step) => Op::Schedule(high.saturating_add(step)),
                Op::RescheduleLater(i, step) => Op::Reschedule(i, high.saturating_add(step)),
                op => op,
            };
            // Far deadlines stay out of it, so that runs do not all
            // saturate at the end of time.
            if let Op::Schedule(d) | Op::Reschedule(_, d) = op {
                if d < 1 << 20 {
                    high = high.max(d);
                }
            }
            match op {
                Op::Schedule(d) => {
                    let id = next_id;
                    next_id += 1;
                    match heap.schedule(Instant::from_micros(d), id) {
                        Ok(h) => {
                            prop_assert!(model.len() < CAP);
                            prop_assert!(issued.iter().all(|&(old, _)| old != h), "handle reissued");
                            issued.push((h, id));
                            model.push((d, seq, id));
                            seq += 1;
                        }
                        Err(Full(back)) => {
                            prop_assert_eq!(model.len(), CAP);
                            prop_assert_eq!(back, id);
                        }
                    }
                }
                Op::Cancel(i) if !issued.is_empty() => {
                    let (h, id) = issued[i % issued.len()];
                    let live = model.iter().position(|e| e.2 == id);
                    prop_assert_eq!(heap.cancel(h), live.is_some());
                    if let Some(p) = live {
                        model.remove(p);
                    }
                }
                Op::Remove(i) if !issued.is_empty() => {
                    let (h, id) = issued[i % issued.len()];
                    let live = model.iter().position(|e| e.2 == id);
                    prop_assert_eq!(heap.remove(h), live.map(|_| id));
                    if let Some(p) = live {
                        model.remove(p);
                    }
                }
                Op::Reschedule(i, d) if !issued.is_empty() => {
                    let (h, id) = issued[i % issued.len()];
                    let live = model.iter().position(|e| e.2 == id);
                    prop_assert_eq!(heap.reschedule(h, Instant::from_micros(d)), live.is_some());
                    if let Some(p) = live {
                        model[p] = (d, seq, id);
                        seq += 1;
                    }
                }
                Op::Pop => {
                    model.sort_unstable();
                    let want = (!model.is_empty()).then(|| model.remove(0));
                    let got = heap.peek().map(|d| {
                        (d.deadline.as_micros(), d.seq, heap.remove(d.handle))
                    });
                    prop_assert_eq!(got, want.map(|(d, s, id)| (d, s, Some(id))));
                }
                Op::Clear => {
                    heap.clear();
                    model.clear();
                }
                Op::Garbage(slot, generation) => {
                    let h = TimerHandle::new(slot, generation);
                    let live = issued
                        .iter()
                        .find(|&&(old, id)| old == h && model.iter().any(|e| e.2 == id))
                        .map(|&(_, id)| id);
                    prop_assert_eq!(heap.get(h).copied(), live);
                    prop_assert_eq!(heap.remove(h), live);
                    if let Some(id) = live {
                        model.retain(|e| e.2 != id);
                    }
                }
                _ => {}
            }
            assert_invariants(&heap);
            prop_assert_eq!(heap.len(), model.len());
            prop_assert_eq!(heap.next_seq(), seq);
            let first = model.iter().min().copied();
            prop_assert_eq!(heap.peek().map(|d| (d.deadline.as_micros(), d.seq)), first.map(|e| (e.0, e.1)));
            for &(h, id) in &issued {
                let live = model.iter().any(|e| e.2 == id);
                prop_assert_eq!(heap.get(h).copied(), live.then_some(id));
            }
        }
    }
}
