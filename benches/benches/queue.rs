//! Callback-queue throughput: `heapless::Deque` (what eddy's callback queue
//! wraps) against `std::collections::VecDeque`, with reactor-style entries
//! `(fn(usize), usize)`. One iteration fills the queue to 1024 entries and
//! drains it; divide by 1024 (or read the throughput line) for ns per
//! push+pop. The `VecDeque` keeps its capacity between rounds, so neither
//! side allocates in the measured loop.

use std::collections::VecDeque;
use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use eddy_benches::{deque_round, vecdeque_round, Entry};

const CAP: usize = 1024;

fn queue(c: &mut Criterion) {
    let mut group = c.benchmark_group("queue/fill+drain");
    group
        .throughput(Throughput::Elements(CAP as u64))
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(1));
    let mut deque: heapless::Deque<Entry, CAP> = heapless::Deque::new();
    group.bench_function("heapless::Deque", |b| {
        b.iter(|| deque_round(black_box(&mut deque)))
    });
    let mut vecdeque: VecDeque<Entry> = VecDeque::with_capacity(CAP);
    group.bench_function("std::VecDeque", |b| {
        b.iter(|| vecdeque_round(black_box(&mut vecdeque), CAP))
    });
    group.finish();
}

criterion_group!(benches, queue);
criterion_main!(benches);
