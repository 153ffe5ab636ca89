//! The heap against a sorted-vector model, over random operation sequences.

use super::*;
use proptest::prelude::*;
use std::vec::Vec;

#[derive(Debug, Clone)]
enum Op {
    Schedule(u8),
    Cancel(usize),
    Reschedule(usize, u8),
    Pop,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => any::<u8>().prop_map(Op::Schedule),
        2 => any::<usize>().prop_map(Op::Cancel),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(i, d)| Op::Reschedule(i, d)),
        2 => Just(Op::Pop),
    ]
}

/// Model entry: (deadline, seq, id); kept sorted.
type Model = Vec<(u64, u64, u32)>;

proptest! {
    #![proptest_config(ProptestConfig {
        cases: if cfg!(miri) { 4 } else { 256 },
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn agrees_with_a_sorted_vector(ops in proptest::collection::vec(op(), 0..300)) {
        let mut heap: TimerHeap<u32, 16> = TimerHeap::new();
        let mut model: Model = Vec::new();
        // Every handle ever issued, live or not, with its id.
        let mut issued: Vec<(TimerHandle, u32)> = Vec::new();
        let mut seq = 0u64;
        let mut next_id = 0u32;
        for op in ops {
            match op {
                Op::Schedule(d) => {
                    let id = next_id;
                    next_id += 1;
                    match heap.schedule(Instant::from_micros(d as u64), id) {
                        Ok(h) => {
                            prop_assert!(model.len() < 16);
                            issued.push((h, id));
                            model.push((d as u64, seq, id));
                            seq += 1;
                        }
                        Err(Full(back)) => {
                            prop_assert_eq!(model.len(), 16);
                            prop_assert_eq!(back, id);
                        }
                    }
                }
                Op::Cancel(i) if !issued.is_empty() => {
                    let (h, id) = issued[i % issued.len()];
                    let live = model.iter().position(|e| e.2 == id);
                    prop_assert_eq!(heap.cancel(h), live.is_some());
                    if let Some(p) = live { model.remove(p); }
                }
                Op::Reschedule(i, d) if !issued.is_empty() => {
                    let (h, id) = issued[i % issued.len()];
                    let live = model.iter().position(|e| e.2 == id);
                    prop_assert_eq!(heap.reschedule(h, Instant::from_micros(d as u64)), live.is_some());
                    if let Some(p) = live {
                        model[p] = (d as u64, seq, id);
                        seq += 1;
                    }
                }
                Op::Pop => {
                    model.sort_unstable();
                    let want = if model.is_empty() { None } else { Some(model.remove(0)) };
                    let got = heap.peek().map(|d| (d.deadline.as_micros(), d.seq, heap.remove(d.handle)));
                    prop_assert_eq!(got.map(|(d, s, id)| (d, s, id.unwrap())), want);
                }
                _ => {}
            }
            prop_assert_eq!(heap.len(), model.len());
            prop_assert_eq!(heap.next_seq(), seq);
        }
    }
}
