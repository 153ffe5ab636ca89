//! Property tests: arbitrary bytes in arbitrary splits never panic and
//! always end in events or a typed error; valid request sequences give the
//! same events however they are split.

use proptest::prelude::*;

use super::*;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: if cfg!(miri) { 8 } else { 512 },
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Feeds `input` cut at the given sizes (cycled), then the rest.
fn run_cuts(input: &[u8], cuts: &[usize], answer: Answer) -> (Vec<String>, String) {
    let mut d = Driver::with(Config::new().with_max_head(512).with_max_body(4096));
    d.answer = answer;
    let mut rest = input;
    let mut cuts = cuts.iter().cycle();
    while !rest.is_empty() {
        let n = cuts.next().copied().unwrap_or(rest.len()).clamp(1, rest.len());
        d.feed(&rest[..n], Instant::ZERO);
        rest = &rest[n..];
    }
    (d.trace, d.out.text())
}

/// Pieces that make requests likely to get deep into the state machine.
const PIECES: &[&[u8]] = &[
    b"GET / HTTP/1.1\r\n",
    b"POST /p HTTP/1.1\r\n",
    b"HEAD / HTTP/1.0\r\n",
    b"GET / HTTP/2.0\r\n",
    b"Host: h\r\n",
    b"Content-Length: 3\r\n",
    b"Content-Length: 99999999999999999999999\r\n",
    b"Transfer-Encoding: chunked\r\n",
    b"Transfer-Encoding: gzip\r\n",
    b"Connection: close\r\n",
    b"Connection: keep-alive\r\n",
    b"Expect: 100-continue\r\n",
    b"\r\n",
    b"\n",
    b"abc",
    b"5;x=y\r\nhello\r\n",
    b"0\r\n\r\n",
    b"0\r\nT: 1\r\n\r\n",
    b"fffffffffffffffff\r\n",
    b" ",
    b":",
    b"\r",
];

fn soup() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        prop::sample::select(PIECES).prop_map(<[u8]>::to_vec),
        prop::collection::vec(any::<u8>(), 0..8),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|ps| ps.concat())
}

/// Well-formed requests: the trace must not depend on the split.
const REQUESTS: &[&[u8]] = &[
    b"GET /a HTTP/1.1\r\nHost: h\r\n\r\n",
    b"HEAD /b HTTP/1.1\r\nHost: h\r\n\r\n",
    b"POST /c HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello",
    b"POST /d HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3;e=1\r\nabc\r\n2\r\nde\r\n0\r\nT: x\r\n\r\n",
    b"GET /e HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    b"\r\nGET /f?x=y HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nX-B: 2\r\n\r\n",
];

proptest! {
    #![proptest_config(config())]

    #[test]
    fn random_bytes_never_panic(
        input in prop::collection::vec(any::<u8>(), 0..600),
        cuts in prop::collection::vec(1usize..64, 1..8),
    ) {
        let (trace, out) = run_cuts(&input, &cuts, Answer::Fixed);
        check_outcome(&trace, &out);
    }

    #[test]
    fn request_soup_never_panics(input in soup(), cuts in prop::collection::vec(1usize..32, 1..8)) {
        for answer in [Answer::Fixed, Answer::Chunked] {
            let (trace, out) = run_cuts(&input, &cuts, answer);
            check_outcome(&trace, &out);
            // Cutting never changes the outcome.
            prop_assert_eq!(run_cuts(&input, &[input.len().max(1)], answer), (trace, out));
        }
    }

    #[test]
    fn valid_requests_split_anywhere(
        picks in prop::collection::vec(prop::sample::select(REQUESTS), 1..5),
        cuts in prop::collection::vec(1usize..40, 1..8),
    ) {
        let input = picks.concat();
        let split = run_cuts(&input, &cuts, Answer::Chunked);
        let whole = run_cuts(&input, &[input.len()], Answer::Chunked);
        prop_assert_eq!(&split, &whole);
        prop_assert!(!split.0.iter().any(|l| l.starts_with("error")), "{:?}", split.0);
        let heads = split.0.iter().filter(|l| l.starts_with("head")).count();
        // Everything up to the HTTP/1.0 request (which closes) is answered.
        let until_close = picks.iter().position(|p| p.starts_with(b"GET /e")).map_or(picks.len(), |i| i + 1);
        prop_assert_eq!(heads, until_close);
    }
}

/// The trace is events then at most one error or close at the very end;
/// an error is answered unless a response had already started.
fn check_outcome(trace: &[String], out: &str) {
    for (i, line) in trace.iter().enumerate() {
        let last = i + 1 == trace.len();
        if line.starts_with("error") || line == "closed" {
            assert!(last, "{line} is not last in {trace:?}");
        }
        if line.starts_with("error") && !line.ends_with("unsent") {
            assert!(out.contains("Connection: close\r\n"), "{trace:?} {out:?}");
        }
    }
}
