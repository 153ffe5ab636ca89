//! Every read mode against a simple model, with data arriving in random
//! chunks.
//!
//! The model looks at the whole remaining input at once; the stream sees it
//! a chunk (or a burst of chunks) at a time through a 32-byte buffer. Their
//! answers must agree whatever the split, except `read_chunk`, which may
//! complete with any non-empty prefix up to its limit.

use proptest::prelude::*;
use std::vec::Vec;

use super::*;
use crate::stream::CloseReason;

const R: usize = 32;
const DELIMITERS: [&[u8]; 4] = [b"\n", b"\r\n", b"\r\n\r\n", b"aba"];

#[derive(Debug, Clone)]
enum Op {
    Until(usize, usize),
    Exact(usize),
    Chunk(usize),
    UntilClose,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..DELIMITERS.len(), 0usize..48).prop_map(|(d, max)| Op::Until(d, max)),
        2 => (0usize..40).prop_map(Op::Exact),
        2 => prop_oneof![0usize..40, Just(usize::MAX)].prop_map(Op::Chunk),
        1 => Just(Op::UntilClose),
    ]
}

fn input() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![3 => Just(b'a'), 2 => Just(b'b'), 1 => Just(b'\r'), 1 => Just(b'\n')];
    proptest::collection::vec(byte, 0..160)
}

/// What the model expects of one read.
#[derive(Debug, PartialEq)]
enum Expect {
    Unsatisfiable,
    /// Completes with exactly this many bytes (and delimiter length).
    Done(usize, usize),
    /// Completes with 1..=this many bytes.
    Some(usize),
    Closed(CloseReason),
    Pending,
}

fn expect(op: &Op, rem: &[u8], eof: bool, end_delivered: bool) -> Expect {
    let ended = |eof| {
        if eof {
            Expect::Closed(CloseReason::PeerClosed)
        } else {
            Expect::Pending
        }
    };
    match *op {
        Op::Until(d, max) => {
            let d = DELIMITERS[d];
            let cap = max.min(R);
            if d.len() > cap {
                return Expect::Unsatisfiable;
            }
            match rem.windows(d.len()).position(|w| w == d).map(|i| i + d.len()) {
                Some(end) if end <= cap => Expect::Done(end, d.len()),
                _ if rem.len() >= cap => Expect::Closed(CloseReason::BufferFull),
                _ => ended(eof),
            }
        }
        Op::Exact(n) if n > R => Expect::Unsatisfiable,
        Op::Exact(n) if rem.len() >= n => Expect::Done(n, 0),
        Op::Exact(_) => ended(eof),
        Op::Chunk(0) => Expect::Unsatisfiable,
        Op::Chunk(max) if !rem.is_empty() => Expect::Some(max.min(rem.len())),
        Op::Chunk(_) => ended(eof),
        Op::UntilClose if rem.len() >= R => Expect::Closed(CloseReason::BufferFull),
        Op::UntilClose if eof && rem.is_empty() && end_delivered => ended(true),
        Op::UntilClose if eof => Expect::Done(rem.len(), 0),
        Op::UntilClose => Expect::Pending,
    }
}

/// The peer: chunks still to send, in bursts.
struct Peer {
    chunks: Vec<Vec<u8>>,
    bursts: Vec<usize>,
    eof: bool,
    eof_sent: bool,
}

impl Peer {
    /// Sends the next burst (or the EOF) and signals readiness; false when
    /// there is nothing left to send.
    fn feed(&mut self, s: &mut Stream<R, 8>) -> bool {
        let burst = self.bursts.pop().unwrap_or(1);
        let mut sent = false;
        for _ in 0..burst {
            let Some(chunk) = self.chunks.last() else { break };
            if s.transport_mut().peer_send(chunk).is_err() {
                break;
            }
            self.chunks.pop();
            sent = true;
        }
        if !sent && self.chunks.is_empty() && self.eof && !self.eof_sent {
            s.transport_mut().peer_close();
            self.eof_sent = true;
            sent = true;
        }
        s.on_readable();
        sent
    }
}

fn split(data: &[u8], sizes: &[usize]) -> Vec<Vec<u8>> {
    let mut chunks = Vec::new();
    let (mut at, mut i) = (0, 0);
    while at < data.len() {
        let n = sizes.get(i).copied().unwrap_or(7).min(data.len() - at);
        chunks.push(data[at..at + n].to_vec());
        at += n;
        i += 1;
    }
    chunks.reverse(); // popped from the back
    chunks
}

fn start(s: &mut Stream<R, 8>, op: &Op) -> Result<(), ReadError> {
    match *op {
        Op::Until(d, max) => s.read_until(DELIMITERS[d], max),
        Op::Exact(n) => s.read_exact(n),
        Op::Chunk(max) => s.read_chunk(max),
        Op::UntilClose => s.read_until_close(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: if cfg!(miri) { 8 } else { 256 },
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_read_mode_agrees_with_the_model(
        data in input(),
        sizes in proptest::collection::vec(1usize..20, 0..80),
        bursts in proptest::collection::vec(1usize..4, 0..80),
        ops in proptest::collection::vec((op(), any::<bool>()), 1..40),
        eof in any::<bool>(),
    ) {
        let mut s: Stream<R, 8> = stream();
        let mut peer = Peer { chunks: split(&data, &sizes), bursts, eof, eof_sent: false };
        let (mut pos, mut end_delivered, mut overflowed) = (0usize, false, false);
        'ops: for (op, feed_first) in &ops {
            if *feed_first {
                peer.feed(&mut s);
            }
            let rem = &data[pos..];
            let want = expect(op, rem, eof, end_delivered);
            let started = start(&mut s, op);
            if want == Expect::Unsatisfiable {
                prop_assert_eq!(started, Err(ReadError::Unsatisfiable));
                continue;
            }
            prop_assert_eq!(started, Ok(()));
            let got = loop {
                match s.poll_read() {
                    Some(got) => break got,
                    None if peer.feed(&mut s) => {}
                    None => {
                        prop_assert_eq!(&want, &Expect::Pending, "{:?} stalled", op);
                        prop_assert!(!s.is_closed());
                        break 'ops;
                    }
                }
            };
            match (want, got) {
                (Expect::Done(n, dl), Ok(done)) => {
                    prop_assert_eq!(s.data(&done), &rem[..n]);
                    prop_assert_eq!(done.delimiter_len(), dl);
                    if matches!(op, Op::UntilClose) {
                        end_delivered = true;
                    }
                    s.consume(done).unwrap();
                    pos += n;
                }
                (Expect::Some(max), Ok(done)) => {
                    prop_assert!((1..=max).contains(&done.len()), "{} of {}", done.len(), max);
                    prop_assert_eq!(s.data(&done), &rem[..done.len()]);
                    pos += done.len();
                    s.consume(done).unwrap();
                }
                (Expect::Closed(CloseReason::BufferFull), Err(e)) => {
                    prop_assert_eq!(e, ReadError::Closed(CloseReason::BufferFull));
                    prop_assert!(s.is_closed());
                    overflowed = true;
                    break 'ops;
                }
                (Expect::Closed(reason), Err(e)) => {
                    prop_assert_eq!(e, ReadError::Closed(reason));
                    end_delivered = true;
                }
                (want, got) => prop_assert!(false, "{:?}: expected {:?}, got {:?}", op, want, got),
            }
            if end_delivered {
                prop_assert!(s.is_closed(), "EOF delivered, nothing to flush");
            }
        }
        if overflowed {
            // PeerClosed if the EOF had been read before the overflow.
            let reason = s.poll_close();
            prop_assert!(matches!(reason, Some(CloseReason::BufferFull | CloseReason::PeerClosed)));
        } else if end_delivered {
            prop_assert_eq!(s.poll_close(), Some(CloseReason::PeerClosed));
        }
        prop_assert_eq!(s.poll_close(), None);
    }

    #[test]
    fn a_line_is_found_wherever_it_is_split(
        line in proptest::collection::vec(prop_oneof![Just(b'x'), Just(b'\r'), Just(b'\n')], 0..50),
        tail in proptest::collection::vec(any::<u8>(), 0..10),
        cuts in proptest::collection::vec(0usize..70, 0..6),
    ) {
        // Only the first "\r\n\r\n" ends the line.
        let mut input = line.clone();
        input.extend_from_slice(b"\r\n\r\n");
        input.extend_from_slice(&tail);
        let end = input.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(input.len())).collect();
        cuts.push(input.len());
        cuts.sort_unstable();
        let mut s: Stream<64, 8> = stream();
        s.read_until(b"\r\n\r\n", 64).unwrap();
        let mut at = 0;
        let mut got = None;
        for cut in cuts {
            if cut > at {
                arrive(&mut s, &input[at..cut]);
                at = cut;
            }
            if let Some(done) = s.poll_read() {
                prop_assert!(at >= end, "completed before the delimiter arrived");
                got = Some(done.unwrap());
                break;
            }
        }
        let done = got.expect("the delimiter arrived");
        prop_assert_eq!(s.data(&done), &input[..end]);
        s.consume(done).unwrap();
        prop_assert_eq!(s.buffered(), &input[end..at]);
    }
}
