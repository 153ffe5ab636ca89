//! Every read mode over each backend, with data arriving in random chunk
//! sizes (proptest, a modest number of cases since every case opens a
//! real connection on the hosted backends).
//!
//! Each chunk is sent only once the previous one was received, so the
//! stream really sees the chosen split on every backend. The expected
//! outcome comes from the whole input at once.

use eddy_core::stream::{CloseReason, ReadError};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use crate::harness::Harness;
use crate::rig::{Mode, Rig};

type Reader<H> = Rig<H, 256, 64>;

const CASES: u32 = 12;

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    })
}

/// `input` cut into pieces at the given sizes (the last piece takes the
/// rest).
fn chunks(input: &[u8], sizes: &[usize]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = input;
    for &n in sizes {
        if rest.is_empty() {
            break;
        }
        let (head, tail) = rest.split_at(n.min(rest.len()));
        out.push(head.to_vec());
        rest = tail;
    }
    if !rest.is_empty() {
        out.push(rest.to_vec());
    }
    out
}

/// Sends `input` in the given pieces, each after the previous one arrived,
/// then closes the peer and runs until the stream reports its close.
fn deliver<H: Harness>(mode: Mode, input: &[u8], sizes: &[usize]) -> Reader<H> {
    let mut rig = Reader::<H>::new(mode);
    let mut sent = 0;
    for piece in chunks(input, sizes) {
        sent += piece.len();
        rig.send(&piece);
        rig.run_until(|app| app.received() >= sent || app.error.is_some());
    }
    rig.close_peer();
    rig.run_until(|app| !app.closes.is_empty());
    rig
}

fn sizes() -> impl Strategy<Value = Vec<usize>> {
    proptest::collection::vec(1usize..40, 1..24)
}

fn lines() -> impl Strategy<Value = (Vec<Vec<u8>>, usize)> {
    let line = proptest::collection::vec(
        prop_oneof![Just(b'a'), Just(b'\r'), Just(b'\n'), Just(b'b')],
        0..30,
    );
    (proptest::collection::vec(line, 0..8), 0usize..3)
}

fn check(ok: bool, what: &str) -> Result<(), TestCaseError> {
    if ok {
        Ok(())
    } else {
        Err(TestCaseError::fail(what.to_string()))
    }
}

/// `read_until` with 1-, 2- and 4-byte delimiters: the lines found are the
/// input's, whatever the split, and a partial last line is left buffered.
pub fn stream_read_until_with_random_chunks<H: Harness>() {
    let delimiters: [&[u8]; 3] = [b"\n", b"\r\n", b"\r\n\r\n"];
    runner()
        .run(&(lines(), sizes()), |((parts, d), sizes)| {
            let delimiter = delimiters[d];
            let input: Vec<u8> = parts.concat();
            let mut expected = Vec::new();
            let mut rest = &input[..];
            while let Some(at) = rest.windows(delimiter.len()).position(|w| w == delimiter) {
                expected.push(rest[..at + delimiter.len()].to_vec());
                rest = &rest[at + delimiter.len()..];
            }
            let rig = deliver::<H>(Mode::Until(delimiter.to_vec(), 256), &input, &sizes);
            prop_assert_eq!(&rig.app.reads, &expected);
            prop_assert_eq!(rig.app.stream.buffered(), rest);
            prop_assert_eq!(rig.app.error, Some(ReadError::Closed(CloseReason::PeerClosed)));
            prop_assert_eq!(&rig.app.closes, &[CloseReason::PeerClosed]);
            Ok(())
        })
        .unwrap();
}

/// `read_exact(n)`: the input in pieces of exactly `n`, the remainder left
/// buffered when the peer closes.
pub fn stream_read_exact_with_random_chunks<H: Harness>() {
    let input = proptest::collection::vec(any::<u8>(), 0..300);
    runner()
        .run(&(input, 1usize..64, sizes()), |(input, n, sizes)| {
            let rig = deliver::<H>(Mode::Exact(n), &input, &sizes);
            let expected: Vec<Vec<u8>> = input.chunks_exact(n).map(<[u8]>::to_vec).collect();
            prop_assert_eq!(&rig.app.reads, &expected);
            prop_assert_eq!(rig.app.stream.buffered(), input.chunks_exact(n).remainder());
            prop_assert_eq!(&rig.app.closes, &[CloseReason::PeerClosed]);
            Ok(())
        })
        .unwrap();
}

/// Streaming reads (`read_chunk(max)`): non-empty pieces of at most `max`
/// bytes that add up to the input.
pub fn stream_read_chunk_with_random_chunks<H: Harness>() {
    let input = proptest::collection::vec(any::<u8>(), 0..300);
    runner()
        .run(&(input, 1usize..100, sizes()), |(input, max, sizes)| {
            let rig = deliver::<H>(Mode::Chunk(max), &input, &sizes);
            check(
                rig.app.reads.iter().all(|r| !r.is_empty() && r.len() <= max),
                "every chunk is non-empty and within its limit",
            )?;
            prop_assert_eq!(rig.app.reads.concat(), input);
            prop_assert_eq!(&rig.app.closes, &[CloseReason::PeerClosed]);
            Ok(())
        })
        .unwrap();
}

/// `read_until_close`: everything, in one read, once the peer closes.
pub fn stream_read_until_close_with_random_chunks<H: Harness>() {
    let input = proptest::collection::vec(any::<u8>(), 0..256);
    runner()
        .run(&(input, sizes()), |(input, sizes)| {
            let rig = deliver::<H>(Mode::UntilClose, &input, &sizes);
            prop_assert_eq!(&rig.app.reads, &[input]);
            prop_assert_eq!(&rig.app.closes, &[CloseReason::PeerClosed]);
            Ok(())
        })
        .unwrap();
}
