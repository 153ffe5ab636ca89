//! The fixed buffers against a `VecDeque` model; no call panics.

use std::collections::VecDeque;
use std::vec::Vec;

use proptest::prelude::*;

use crate::stream::{ReadBuffer, WriteBuffer};

#[test]
fn consumed_space_is_reclaimed_as_one_contiguous_slice() {
    let mut b: ReadBuffer<8> = ReadBuffer::new();
    b.spare_mut().copy_from_slice(b"abcdefgh");
    assert_eq!(b.commit(8), 8);
    assert!(b.is_full() && b.spare_mut().is_empty());
    assert_eq!(b.consume(3), 3);
    let spare = b.spare_mut();
    assert_eq!(spare.len(), 3, "all free space, contiguous");
    spare.copy_from_slice(b"xyz");
    b.commit(3);
    assert_eq!(b.data(), b"defghxyz");
    assert_eq!(b.consume(100), 8, "clamped");
    assert_eq!(b.commit(100), 8, "clamped to the free space");
}

#[test]
fn write_buffer_takes_what_fits_and_compacts() {
    let mut b: WriteBuffer<8> = WriteBuffer::new();
    assert_eq!(b.push(b"0123456789"), 8);
    assert_eq!(b.push(b"x"), 0);
    assert_eq!(b.advance(5), 5);
    assert_eq!(b.push(b"abcdef"), 5, "compacted to take 5");
    assert_eq!(b.pending(), b"567abcde");
    assert_eq!(b.advance(usize::MAX), 8);
    assert!(b.is_empty() && b.free() == 8);
}

#[test]
fn zero_capacity_buffers_do_not_panic() {
    let mut r: ReadBuffer<0> = ReadBuffer::new();
    assert!(r.is_full() && r.is_empty() && r.spare_mut().is_empty());
    assert_eq!((r.commit(1), r.consume(1)), (0, 0));
    let mut w: WriteBuffer<0> = WriteBuffer::new();
    assert_eq!((w.push(b"a"), w.advance(1)), (0, 0));
    static _IN_A_STATIC: ReadBuffer<16> = ReadBuffer::new();
}

#[derive(Debug, Clone)]
enum Op {
    Put(Vec<u8>),
    Take(usize),
    Clear,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => proptest::collection::vec(any::<u8>(), 0..12).prop_map(Op::Put),
        3 => (0usize..14).prop_map(Op::Take),
        1 => Just(Op::Clear),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: if cfg!(miri) { 8 } else { 256 },
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn buffers_agree_with_a_deque(ops in proptest::collection::vec(op(), 0..60)) {
        let mut r: ReadBuffer<10> = ReadBuffer::new();
        let mut w: WriteBuffer<10> = WriteBuffer::new();
        let mut model: VecDeque<u8> = VecDeque::new();
        for op in ops {
            match op {
                Op::Put(bytes) => {
                    let fit = bytes.len().min(10 - model.len());
                    let spare = r.spare_mut();
                    prop_assert_eq!(spare.len(), 10 - model.len(), "free space is contiguous");
                    let n = bytes.len().min(spare.len());
                    spare[..n].copy_from_slice(&bytes[..n]);
                    prop_assert_eq!(r.commit(n), fit);
                    prop_assert_eq!(w.push(&bytes), fit);
                    model.extend(&bytes[..fit]);
                }
                Op::Take(n) => {
                    let n_model = n.min(model.len());
                    prop_assert_eq!(r.consume(n), n_model);
                    prop_assert_eq!(w.advance(n), n_model);
                    model.drain(..n_model);
                }
                Op::Clear => {
                    r.clear();
                    w.clear();
                    model.clear();
                }
            }
            let want: Vec<u8> = model.iter().copied().collect();
            prop_assert_eq!(r.data(), &want[..]);
            prop_assert_eq!(w.pending(), &want[..]);
            prop_assert_eq!((r.len(), r.free(), r.is_full()), (want.len(), 10 - want.len(), want.len() == 10));
            prop_assert_eq!((w.len(), w.free(), w.is_empty()), (want.len(), 10 - want.len(), want.is_empty()));
        }
    }
}
