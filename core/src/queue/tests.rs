use super::*;
use proptest::prelude::*;
use std::collections::VecDeque;

#[test]
fn snapshot_excludes_items_pushed_after_it() {
    let mut q: CallbackQueue<u32, 8> = CallbackQueue::new();
    q.push(1).unwrap();
    q.push(2).unwrap();
    assert_eq!(q.snapshot(), 2);
    assert_eq!(q.pop_snapshot(), Some(1));
    q.push(3).unwrap(); // added while "running": next iteration
    assert_eq!(q.pop_snapshot(), Some(2));
    assert_eq!(q.pop_snapshot(), None, "3 must wait for the next snapshot");
    assert_eq!(q.len(), 1);
    assert_eq!(q.snapshot(), 1);
    assert_eq!(q.pop_snapshot(), Some(3));
}

#[test]
fn full_queue_hands_the_item_back() {
    let mut q: CallbackQueue<&str, 2> = CallbackQueue::new();
    q.push("a").unwrap();
    q.push("b").unwrap();
    assert!(q.is_full());
    assert_eq!(q.push("c").map_err(Full::into_inner), Err("c"));
    assert_eq!(q.pop(), Some("a"));
    q.push("c").unwrap();
    assert_eq!(q.capacity(), 2);
}

#[test]
fn queued_items_are_dropped_once() {
    use std::rc::Rc;
    let token = Rc::new(());
    {
        let mut q: CallbackQueue<Rc<()>, 4> = CallbackQueue::new();
        q.push(token.clone()).unwrap();
        q.push(token.clone()).unwrap();
        drop(q.pop());
        assert_eq!(Rc::strong_count(&token), 2);
    }
    assert_eq!(Rc::strong_count(&token), 1);
}

#[derive(Debug, Clone)]
enum Op {
    Push(u16),
    Snapshot,
    PopSnapshot,
    Pop,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => any::<u16>().prop_map(Op::Push),
        1 => Just(Op::Snapshot),
        2 => Just(Op::PopSnapshot),
        1 => Just(Op::Pop),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: if cfg!(miri) { 4 } else { 256 },
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// The queue agrees with a `VecDeque` plus a counter at every step.
    #[test]
    fn agrees_with_model(ops in proptest::collection::vec(op(), 0..200)) {
        let mut q: CallbackQueue<u16, 16> = CallbackQueue::new();
        let mut model: VecDeque<u16> = VecDeque::new();
        let mut snap = 0usize;
        for op in ops {
            match op {
                Op::Push(v) => {
                    let expect_full = model.len() == 16;
                    let got = q.push(v);
                    prop_assert_eq!(got.is_err(), expect_full);
                    if !expect_full { model.push_back(v); }
                }
                Op::Snapshot => {
                    snap = model.len();
                    prop_assert_eq!(q.snapshot(), snap);
                }
                Op::PopSnapshot => {
                    let want = if snap > 0 { snap -= 1; model.pop_front() } else { None };
                    prop_assert_eq!(q.pop_snapshot(), want);
                }
                Op::Pop => {
                    let want = model.pop_front();
                    if want.is_some() { snap = snap.saturating_sub(1); }
                    prop_assert_eq!(q.pop(), want);
                }
            }
            prop_assert_eq!(q.len(), model.len());
        }
    }
}
