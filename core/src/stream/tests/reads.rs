//! The read modes, one rule per test.

use super::*;
use crate::stream::{CloseReason, MAX_DELIMITER};

#[test]
fn read_until_returns_the_line_and_keeps_the_rest() {
    let mut s: Stream<64, 16> = stream();
    s.read_until(b"\n", 64).unwrap();
    assert_eq!(s.poll_read(), None, "nothing arrived yet");
    arrive(&mut s, b"one\ntwo\nthr");
    assert_eq!(done(&mut s), b"one\n");
    assert_eq!(s.buffered(), b"two\nthr", "bytes past the delimiter stay");
    s.read_until(b"\n", 64).unwrap();
    assert_eq!(done(&mut s), b"two\n", "completes from the buffer alone");
    s.read_until(b"\n", 64).unwrap();
    assert_eq!(s.poll_read(), None);
    arrive(&mut s, b"ee\n");
    assert_eq!(done(&mut s), b"three\n");
    assert!(s.buffered().is_empty());
}

#[test]
fn delimiter_split_across_reads_is_found_at_every_split() {
    let msg = b"GET / HTTP/1.1\r\nHost: x\r\n\r\nbody";
    let head_len = msg.len() - 4;
    for split in 1..msg.len() {
        let mut s: Stream<64, 16> = stream();
        s.read_until(b"\r\n\r\n", 64).unwrap();
        arrive(&mut s, &msg[..split]);
        if split < head_len {
            assert_eq!(s.poll_read(), None, "split {split}");
        }
        arrive(&mut s, &msg[split..]);
        assert_eq!(done(&mut s), &msg[..head_len], "split {split}");
        assert_eq!(s.buffered(), b"body");
    }
}

#[test]
fn delimiter_arriving_one_byte_at_a_time_is_found() {
    let mut s: Stream<64, 16> = stream();
    s.read_until(b"\r\n\r\n", 64).unwrap();
    for &b in b"abc\r\n\r\n" {
        assert_eq!(s.poll_read(), None);
        arrive(&mut s, &[b]);
    }
    assert_eq!(done(&mut s), b"abc\r\n\r\n");
}

#[test]
fn self_overlapping_delimiter_is_found_at_its_first_occurrence() {
    // `\r\n\r` then `\r\n\r\n`: a search that skipped past a partial match
    // would miss the real one.
    let data = b"a\r\n\r\r\n\r\nb";
    for chunk in 1..=data.len() {
        let mut s: Stream<64, 16> = stream();
        s.read_until(b"\r\n\r\n", 64).unwrap();
        for piece in data.chunks(chunk) {
            arrive(&mut s, piece);
            if let Some(r) = s.poll_read() {
                let d = r.unwrap();
                assert_eq!(s.data(&d), b"a\r\n\r\r\n\r\n", "chunk {chunk}");
                s.consume(d).unwrap();
            }
        }
        assert_eq!(s.buffered(), b"b", "chunk {chunk}");
    }
    let mut s: Stream<64, 16> = stream();
    s.read_until(b"aab", 64).unwrap();
    arrive(&mut s, b"aaaab!");
    assert_eq!(done(&mut s), b"aaaab");
}

#[test]
fn read_exact_waits_for_all_n_bytes() {
    let mut s: Stream<16, 16> = stream();
    s.read_exact(5).unwrap();
    arrive(&mut s, b"ab");
    assert_eq!(s.poll_read(), None);
    arrive(&mut s, b"cdefg");
    assert_eq!(done(&mut s), b"abcde");
    assert_eq!(s.buffered(), b"fg");
    s.read_exact(0).unwrap();
    assert_eq!(done(&mut s), b"", "zero bytes complete at once");
    s.read_exact(16).unwrap();
    arrive(&mut s, &[7; 14]);
    assert_eq!(done(&mut s).len(), 16, "a read as large as the buffer fits");
}

#[test]
fn read_chunk_completes_with_what_is_buffered_up_to_max() {
    let mut s: Stream<16, 16> = stream();
    s.read_chunk(4).unwrap();
    assert_eq!(s.poll_read(), None);
    arrive(&mut s, b"abcdef");
    assert_eq!(done(&mut s), b"abcd");
    s.read_some().unwrap();
    assert_eq!(done(&mut s), b"ef");
    s.read_some().unwrap();
    assert_eq!(s.poll_read(), None, "nothing buffered: waits");
    arrive(&mut s, b"g");
    assert_eq!(done(&mut s), b"g");
}

#[test]
fn read_until_close_completes_with_everything_at_eof() {
    let mut s: Stream<32, 16> = stream();
    s.read_until_close().unwrap();
    arrive(&mut s, b"all ");
    arrive(&mut s, b"of it");
    assert_eq!(s.poll_read(), None, "waits for the end");
    peer_eof(&mut s);
    assert_eq!(done(&mut s), b"all of it");
    s.read_until_close().unwrap();
    failed(&mut s, ReadError::Closed(CloseReason::PeerClosed));
}

#[test]
fn a_second_read_while_one_is_pending_is_a_typed_error() {
    let mut s: Stream<16, 16> = stream();
    s.read_until(b"\n", 16).unwrap();
    assert_eq!(s.read_until(b"\n", 16), Err(ReadError::Pending));
    assert_eq!(s.read_exact(1), Err(ReadError::Pending));
    assert_eq!(s.read_some(), Err(ReadError::Pending));
    assert_eq!(s.read_until_close(), Err(ReadError::Pending));
    arrive(&mut s, b"x\n");
    assert_eq!(done(&mut s), b"x\n", "the first read is unharmed");
    s.read_exact(0).unwrap();
    assert_eq!(done(&mut s), b"", "once completed, the next read may start");
}

#[test]
fn unsatisfiable_reads_fail_at_once_and_the_stream_stays_usable() {
    let mut s: Stream<8, 8> = stream();
    assert_eq!(
        s.read_until(b"\r\n", 1),
        Err(ReadError::Unsatisfiable),
        "max < delimiter"
    );
    assert_eq!(
        s.read_until(b"123456789", 100),
        Err(ReadError::Unsatisfiable),
        "delimiter > R"
    );
    assert_eq!(s.read_exact(9), Err(ReadError::Unsatisfiable), "n > R");
    assert_eq!(s.read_chunk(0), Err(ReadError::Unsatisfiable));
    assert_eq!(s.read_until(b"", 8), Err(ReadError::InvalidDelimiter));
    let long = [b'-'; MAX_DELIMITER + 1];
    assert_eq!(s.read_until(&long, 100), Err(ReadError::InvalidDelimiter));
    assert!(!s.is_read_pending() && !s.is_closed());
    s.read_until(b"\r\n", 2).unwrap();
    arrive(&mut s, b"\r\n");
    assert_eq!(done(&mut s), b"\r\n");
}

#[test]
fn a_stale_read_done_reads_empty_and_consumes_nothing() {
    let mut s: Stream<16, 16> = stream();
    arrive(&mut s, b"abcdef");
    s.read_exact(2).unwrap();
    let first = s.poll_read().unwrap().unwrap();
    s.read_exact(3).unwrap(); // starting a read retires `first`
    assert_eq!(s.data(&first), b"");
    assert_eq!(s.consume(first), Err(ReadError::Stale));
    assert_eq!(done(&mut s), b"abc", "nothing was consumed by the stale one");
    assert_eq!(s.buffered(), b"def");
}

#[test]
fn a_long_line_is_scanned_in_linear_time() {
    let mut s: BufferedStream<MemTransport<16>, 4096, 16> = BufferedStream::new(MemTransport::new());
    let n = if cfg!(miri) { 300 } else { 4000 };
    s.read_until(b"\r\n\r\n", 4096).unwrap();
    for _ in 0..n {
        arrive(&mut s, b"x");
        assert_eq!(s.poll_read(), None);
    }
    arrive(&mut s, b"\r\n\r\n");
    assert_eq!(done(&mut s).len(), n + 4);
    // Each arrival re-examines at most the delimiter's length minus one.
    assert!(
        s.scanned() <= 4 * (n + 5),
        "scanned {} bytes for {n}",
        s.scanned()
    );
}

#[test]
fn bytes_left_in_the_transport_by_a_full_buffer_are_pulled_after_consume() {
    // One readiness event, more data than the buffer: no new event comes
    // (edge-triggered), so poll_read must pull the rest itself.
    let mut s: BufferedStream<MemTransport<64>, 8, 8> = BufferedStream::new(MemTransport::new());
    arrive(&mut s, b"0123456789abcdefXYZ");
    assert_eq!(s.buffered(), b"01234567");
    assert!(!s.wants_read(), "a full buffer stops reading");
    for want in [&b"01234567"[..], b"89abcdef", b"XYZ"] {
        s.read_some().unwrap();
        assert_eq!(done(&mut s), want);
    }
}

#[test]
fn a_failed_read_leaves_the_bytes_for_read_until_close() {
    let mut s: Stream<16, 16> = stream();
    s.read_until(b"\n", 16).unwrap();
    arrive(&mut s, b"no newline");
    peer_eof(&mut s);
    failed(&mut s, ReadError::Closed(CloseReason::PeerClosed));
    assert_eq!(s.buffered(), b"no newline");
    s.read_exact(3).unwrap();
    assert_eq!(done(&mut s), b"no ", "bytes still satisfy reads after EOF");
    s.read_until_close().unwrap();
    assert_eq!(done(&mut s), b"newline");
}
