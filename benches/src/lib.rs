//! Workloads shared by the eddy benchmarks, and the baselines they are
//! measured against.
//!
//! The timer workloads model connection timeouts: connection `i` arrives at
//! `i` µs and arms a timeout [`TIMEOUT_MICROS`] later, so deadlines increase
//! with scheduling order ([`in_order`]). Most such timeouts are cancelled
//! (the request finished first); the rest fire. Two more deadline patterns
//! keep the other paths honest: two kinds of timeout interleaved
//! ([`two_timeouts`]: only one kind arrives in order), and deadlines in no
//! order at all ([`scattered`]). Every workload is written once, against
//! the [`Timers`] trait, so eddy's [`TimerHeap`] and the [`LazyHeap`]
//! baseline do exactly the same calls.
//!
//! The baseline is what a timer loop built on `std`'s `BinaryHeap` usually
//! does: a cancel only bumps a generation (O(1)) and leaves a tombstone in
//! the heap; the loop pays for the tombstone when its deadline comes up and
//! it is popped and skipped. The workloads therefore always end by letting
//! time pass until the structure is drained, so that cost is measured.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use eddy_core::timer::{TimerHandle, TimerHeap};
use eddy_core::Instant;

/// The timeout every workload arms: 30 s.
pub const TIMEOUT_MICROS: u64 = 30_000_000;

/// The deadline of connection `i`: it arrived at `i` µs.
pub fn deadline(i: u32) -> u64 {
    TIMEOUT_MICROS + u64::from(i)
}

/// The deadlines of `n` connections with one timeout each, in arrival
/// order: increasing.
pub fn in_order(n: usize) -> Vec<u64> {
    (0..n as u32).map(deadline).collect()
}

/// The deadlines of `n` arrivals alternating between a 10 s and a 30 s
/// timeout (say, a header timeout and an idle timeout): each kind is in
/// order, the mix is not.
pub fn two_timeouts(n: usize) -> Vec<u64> {
    (0..n as u32)
        .map(|i| {
            let timeout = if i % 2 == 0 { 10_000_000 } else { TIMEOUT_MICROS };
            timeout + u64::from(i)
        })
        .collect()
}

/// `n` distinct deadlines in a shuffled order (timers armed with delays
/// that have nothing to do with each other).
pub fn scattered(n: usize, seed: u64) -> Vec<u64> {
    shuffled(n, seed).into_iter().map(deadline).collect()
}

/// A deterministic permutation of `0..n` (Fisher–Yates over splitmix64), the
/// "random-ish" order in which timeouts are cancelled.
pub fn shuffled(n: usize, seed: u64) -> Vec<u32> {
    let mut state = seed;
    let mut next = move || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let mut v: Vec<u32> = (0..n as u32).collect();
    for i in (1..n).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        v.swap(i, j);
    }
    v
}

/// What a workload needs from a timer structure. Items are `u32` ids.
pub trait Timers {
    /// Names one scheduled timer.
    type Handle: Copy;
    /// Arms timer `id` at `deadline` µs.
    fn schedule(&mut self, deadline: u64, id: u32) -> Self::Handle;
    /// Disarms a timer; `false` if it already fired or was cancelled.
    fn cancel(&mut self, handle: Self::Handle) -> bool;
    /// Fires the earliest live timer due at `now`, skipping tombstones.
    fn pop_due(&mut self, now: u64) -> Option<u32>;
}

impl<const N: usize> Timers for TimerHeap<u32, N> {
    type Handle = TimerHandle;

    fn schedule(&mut self, deadline: u64, id: u32) -> TimerHandle {
        TimerHeap::schedule(self, Instant::from_micros(deadline), id)
            .expect("the benchmark sizes the heap for its workload")
    }

    fn cancel(&mut self, handle: TimerHandle) -> bool {
        TimerHeap::cancel(self, handle)
    }

    fn pop_due(&mut self, now: u64) -> Option<u32> {
        let due = self.peek()?;
        if due.deadline.as_micros() > now {
            return None;
        }
        self.remove(due.handle)
    }
}

/// The baseline: `BinaryHeap<Reverse<(deadline, seq, id, generation)>>` with
/// lazy deletion. Ids index a generation table; a cancel bumps the id's
/// generation, which turns its heap entry into a tombstone.
#[derive(Debug, Default)]
pub struct LazyHeap {
    heap: BinaryHeap<Reverse<(u64, u64, u32, u32)>>,
    generations: Vec<u32>,
    seq: u64,
}

/// A [`LazyHeap`] timer: its id and the id's generation when armed.
#[derive(Clone, Copy, Debug)]
pub struct LazyHandle {
    id: u32,
    generation: u32,
}

impl LazyHeap {
    /// Room for ids `0..n` without reallocating.
    pub fn with_capacity(n: usize) -> Self {
        LazyHeap {
            heap: BinaryHeap::with_capacity(n),
            generations: vec![0; n],
            seq: 0,
        }
    }

    /// Entries in the heap, tombstones included.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Whether the heap holds no entry, not even a tombstone.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

impl Timers for LazyHeap {
    type Handle = LazyHandle;

    fn schedule(&mut self, deadline: u64, id: u32) -> LazyHandle {
        let generation = self.generations[id as usize];
        self.heap.push(Reverse((deadline, self.seq, id, generation)));
        self.seq += 1;
        LazyHandle { id, generation }
    }

    fn cancel(&mut self, handle: LazyHandle) -> bool {
        let g = &mut self.generations[handle.id as usize];
        if *g != handle.generation {
            return false;
        }
        *g = g.wrapping_add(1);
        true
    }

    fn pop_due(&mut self, now: u64) -> Option<u32> {
        while let Some(&Reverse((deadline, _, id, generation))) = self.heap.peek() {
            if deadline > now {
                return None;
            }
            self.heap.pop();
            let g = &mut self.generations[id as usize];
            if *g == generation {
                *g = g.wrapping_add(1);
                return Some(id);
            }
        }
        None
    }
}

/// One round of the timeout workload: arm timer `i` at `deadlines[i]` for
/// every `i`, cancel those named by `order[..cancels]` (`order` is a
/// permutation of the ids), then let time pass until the structure is
/// drained, firing the rest in deadline order. `handles` is scratch space
/// (reused so no allocation is measured).
///
/// Returns an order-sensitive checksum of the fired ids plus the number of
/// successful cancels, so two structures that agree return the same value.
pub fn timeout_round<T: Timers>(
    timers: &mut T,
    deadlines: &[u64],
    order: &[u32],
    cancels: usize,
    handles: &mut Vec<T::Handle>,
) -> u64 {
    handles.clear();
    for (id, &d) in (0..).zip(deadlines) {
        handles.push(timers.schedule(d, id));
    }
    let mut sum = 0u64;
    for &id in &order[..cancels] {
        sum += u64::from(timers.cancel(handles[id as usize]));
    }
    while let Some(id) = timers.pop_due(u64::MAX) {
        sum = sum.wrapping_mul(31).wrapping_add(u64::from(id));
    }
    sum
}

/// A callback-queue entry as the reactor stores it: a function and its
/// argument.
pub type Entry = (fn(usize), usize);

/// A no-op callback for queue entries.
pub fn nop(_: usize) {}

/// Fills a `heapless::Deque` to its capacity, then drains it; returns the sum
/// of the drained arguments.
pub fn deque_round<const N: usize>(q: &mut heapless::Deque<Entry, N>) -> usize {
    for i in 0..N {
        if q.push_back((nop, i)).is_err() {
            break;
        }
    }
    let mut sum = 0usize;
    while let Some((_, arg)) = q.pop_front() {
        sum = sum.wrapping_add(arg);
    }
    sum
}

/// The same round on a `VecDeque` of `n` entries (its capacity is kept
/// between rounds, so no allocation is measured).
pub fn vecdeque_round(q: &mut std::collections::VecDeque<Entry>, n: usize) -> usize {
    for i in 0..n {
        q.push_back((nop, i));
    }
    let mut sum = 0usize;
    while let Some((_, arg)) = q.pop_front() {
        sum = sum.wrapping_add(arg);
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shuffled_is_a_permutation() {
        let mut v = shuffled(1000, 7);
        assert_ne!(v, (0..1000).collect::<Vec<_>>());
        v.sort_unstable();
        assert_eq!(v, (0..1000).collect::<Vec<_>>());
    }

    #[test]
    fn eddy_and_baseline_agree_on_every_workload() {
        const N: usize = 1000;
        let order = shuffled(N, 1);
        let mut eddy: TimerHeap<u32, N> = TimerHeap::new();
        let mut lazy = LazyHeap::with_capacity(N);
        let (mut he, mut hl) = (Vec::new(), Vec::new());
        for deadlines in [in_order(N), two_timeouts(N), scattered(N, 2)] {
            for cancels in [N, 0, N * 9 / 10] {
                // Twice, so the second round runs on recycled slots and ids.
                for _ in 0..2 {
                    let a = timeout_round(&mut eddy, &deadlines, &order, cancels, &mut he);
                    let b = timeout_round(&mut lazy, &deadlines, &order, cancels, &mut hl);
                    assert_eq!(a, b, "cancels = {cancels}");
                    assert!(eddy.is_empty() && lazy.is_empty());
                }
            }
        }
        let all = timeout_round(&mut eddy, &in_order(N), &order, N, &mut he);
        assert_eq!(all, N as u64);
    }

    #[test]
    fn queues_agree() {
        let mut q: heapless::Deque<Entry, 1024> = heapless::Deque::new();
        let mut v = std::collections::VecDeque::with_capacity(1024);
        assert_eq!(deque_round(&mut q), vecdeque_round(&mut v, 1024));
        assert_eq!(deque_round(&mut q), 1023 * 1024 / 2);
    }
}
