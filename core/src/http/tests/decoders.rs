//! The body decoders on their own, fed in every split.

use super::*;
use crate::http::body::{BodyDecoder, Decoded};
use crate::http::RequestError;

/// Decodes `wire` fed in pieces of `step` bytes; returns the body and
/// the bytes left after it.
fn run(len: BodyLen, wire: &[u8], step: usize) -> Result<(Vec<u8>, usize), RequestError> {
    let mut d = BodyDecoder::new(len);
    let mut body = Vec::new();
    let mut at = 0;
    let mut end = step.min(wire.len());
    loop {
        let (n, out) = d.decode(&wire[at..end], 100, 64)?;
        at += n;
        match out {
            Decoded::Data(bytes) => body.extend_from_slice(bytes),
            Decoded::Done => return Ok((body, wire.len() - at)),
            Decoded::NeedMore if end == wire.len() => panic!("ran out at {at}"),
            Decoded::NeedMore => end = (end + step).min(wire.len()),
        }
    }
}

fn all_splits(len: BodyLen, wire: &[u8]) -> Result<(Vec<u8>, usize), RequestError> {
    let whole = run(len, wire, wire.len().max(1));
    for step in 1..wire.len() {
        assert_eq!(run(len, wire, step), whole, "step {step}");
    }
    whole
}

#[test]
fn fixed_length() {
    assert_eq!(
        all_splits(BodyLen::Fixed(5), b"hello, next"),
        Ok((b"hello".to_vec(), 6))
    );
    assert_eq!(all_splits(BodyLen::Fixed(0), b"x"), Ok((Vec::new(), 1)));
    let mut d = BodyDecoder::new(BodyLen::Fixed(2));
    assert_eq!(d.decode(b"", 9, 9), Ok((0, Decoded::NeedMore)));
    assert!(!d.is_done());
}

#[test]
fn chunked_with_extensions_and_trailers() {
    let wire =
        b"5;name=\"v;x\"\r\nhello\r\n1 ; a\r\n!\r\nA\r\n0123456789\r\n0;end\r\nX-T: 1\r\nY: 2\r\n\r\nGET";
    assert_eq!(
        all_splits(BodyLen::Chunked, wire),
        Ok((b"hello!0123456789".to_vec(), 3))
    );
    assert_eq!(all_splits(BodyLen::Chunked, b"000\r\n\r\n"), Ok((Vec::new(), 0)));
    assert_eq!(
        all_splits(BodyLen::Chunked, b"1\r\na\r\n0\r\n\r\n"),
        Ok((b"a".to_vec(), 0))
    );
}

/// Decodes `wire` in one piece until it errors, ends or runs out.
fn decode_all(wire: &[u8]) -> Result<(), RequestError> {
    let mut d = BodyDecoder::new(BodyLen::Chunked);
    let mut at = 0;
    loop {
        let (n, out) = d.decode(&wire[at..], 100, 20)?;
        at += n;
        if !matches!(out, Decoded::Data(_)) {
            return Ok(());
        }
    }
}

#[test]
fn chunked_errors() {
    use RequestError::*;
    for (wire, e) in [
        (&b"\r\n"[..], InvalidChunkSize),
        (b"x\r\n", InvalidChunkSize),
        (b"5x\r\n", InvalidChunkSize),
        (b"-1\r\n", InvalidChunkSize),
        (b"5 garbage\r\n", InvalidChunkSize),
        (b"00000000000000001\r\n", InvalidChunkSize),
        (b"5\nhello\r\n", InvalidChunkFraming),
        (b"5\r\rhello", InvalidChunkFraming),
        (b"1;a\nb\r\n", InvalidChunkFraming),
        (b"1;a\x00b\r\n", InvalidChunkFraming),
        (b"2\r\nabX\r\n", InvalidChunkFraming),
        (b"2\r\nab\rX", InvalidChunkFraming),
        (b"0\r\nX: y\nZ", InvalidChunkFraming),
        (b"0\r\n\n", InvalidChunkFraming),
        (b"0\r\n\rX", InvalidChunkFraming),
        (b"65\r\n", BodyTooLarge),
        (b"ffffffffffffffffffffffff\r\n", BodyTooLarge),
        (b"0;aaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n", ChunkMetadataTooLarge),
        (b"1                         ;\r\n", ChunkMetadataTooLarge),
        (
            b"0\r\nX-Long: aaaaaaaaaaaaaaaaaaaaaaaa\r\n",
            ChunkMetadataTooLarge,
        ),
    ] {
        let shown = std::string::String::from_utf8_lossy(wire);
        assert_eq!(decode_all(wire), Err(e), "{shown:?}");
    }
}

#[test]
fn chunk_total_is_limited() {
    // 0x32 + 0x32 = 100 fits exactly; one more byte does not.
    let ok = b"32\r\n01234567890123456789012345678901234567890123456789\r\n32\r\n01234567890123456789012345678901234567890123456789\r\n0\r\n\r\n";
    assert_eq!(run(BodyLen::Chunked, ok, ok.len()).map(|(b, _)| b.len()), Ok(100));
    let over = b"32\r\n01234567890123456789012345678901234567890123456789\r\n33\r\n";
    assert_eq!(
        run(BodyLen::Chunked, over, over.len()),
        Err(RequestError::BodyTooLarge)
    );
}
