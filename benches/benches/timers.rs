//! Timer store throughput: eddy's `TimerHeap` (a monotone lane beside an
//! indexed 4-ary heap) against a `std::collections::BinaryHeap` with lazy
//! deletion, on connection-timeout workloads of 10^3, 10^5 and 10^6 timers
//! (see `eddy_benches` for the workloads and the baseline). The first three
//! workloads arm one timeout per connection, in order; the others mix two
//! timeouts, or scatter the deadlines, so the heap path is measured too.
//!
//! Each Criterion iteration is one whole round of `n` timers; divide the
//! reported time by `n` (or read the throughput line) for ns per timer.
//!
//! Both structures are allocated once per size and reused by every round, as
//! a long-lived reactor reuses its heap: a round leaves them empty, so there
//! is no per-iteration setup to exclude and plain `iter` is used.
//!
//! `TimerHeap<u32, 1_000_000>` is about 64 MB. `Box::new(TimerHeap::new())`
//! may build that value on the stack before moving it to the heap, which
//! overflows the main thread's 8 MB stack, so the benchmarks run on a thread
//! spawned with a 256 MiB stack (only the pages actually touched are ever
//! committed).

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use eddy_benches::{in_order, scattered, shuffled, timeout_round, two_timeouts, LazyHeap};
use eddy_core::timer::TimerHeap;

/// How the deadlines of a round are laid out.
#[derive(Clone, Copy)]
enum Pattern {
    InOrder,
    TwoTimeouts,
    Scattered,
}

const WORKLOADS: [(&str, Pattern, u32); 6] = [
    // (name, deadlines, per mille of the timers cancelled before they fire)
    ("schedule+cancel", Pattern::InOrder, 1000),
    ("schedule+fire", Pattern::InOrder, 0),
    ("schedule+cancel90%+fire", Pattern::InOrder, 900),
    ("two-timeouts/schedule+cancel90%+fire", Pattern::TwoTimeouts, 900),
    ("scattered/schedule+cancel", Pattern::Scattered, 1000),
    ("scattered/schedule+fire", Pattern::Scattered, 0),
];

fn bench_size<const N: usize>(c: &mut Criterion, measurement: Duration) {
    let order = shuffled(N, 0x5eed);
    let patterns = [in_order(N), two_timeouts(N), scattered(N, 0xd1ce)];
    let mut eddy: Box<TimerHeap<u32, N>> = Box::new(TimerHeap::new());
    let mut lazy = LazyHeap::with_capacity(N);
    let mut eddy_handles = Vec::with_capacity(N);
    let mut lazy_handles = Vec::with_capacity(N);
    for (name, pattern, per_mille) in WORKLOADS {
        let deadlines = &patterns[pattern as usize];
        let cancels = N * per_mille as usize / 1000;
        let mut group = c.benchmark_group(format!("timers/{name}"));
        group
            .throughput(Throughput::Elements(N as u64))
            // One round at 10^6 takes ~0.1 s: flat sampling keeps the run
            // to about ten rounds per sample instead of Criterion's linear
            // ramp of 1 + 2 + ... + 10 rounds.
            .sampling_mode(if N >= 100_000 {
                SamplingMode::Flat
            } else {
                SamplingMode::Auto
            })
            .sample_size(10)
            .warm_up_time(measurement / 3)
            .measurement_time(measurement);
        group.bench_function(BenchmarkId::new("eddy", N), |b| {
            b.iter(|| {
                let order = black_box(&order);
                timeout_round(&mut *eddy, deadlines, order, cancels, &mut eddy_handles)
            })
        });
        group.bench_function(BenchmarkId::new("std-lazy", N), |b| {
            b.iter(|| {
                let order = black_box(&order);
                timeout_round(&mut lazy, deadlines, order, cancels, &mut lazy_handles)
            })
        });
        group.finish();
    }
}

fn benches() {
    let mut c = Criterion::default().configure_from_args();
    bench_size::<1_000>(&mut c, Duration::from_secs(1));
    bench_size::<100_000>(&mut c, Duration::from_secs(2));
    bench_size::<1_000_000>(&mut c, Duration::from_secs(4));
    c.final_summary();
}

fn main() {
    std::thread::Builder::new()
        .name("timers-bench".into())
        .stack_size(256 << 20)
        .spawn(benches)
        .expect("spawn the benchmark thread")
        .join()
        .expect("the benchmark thread panicked");
}
