//! The image's own parts on target: the in-memory wire's full queue and
//! deliberate loss, and the client's response-head parser.

use eddy_bare::smoltcp::phy::{Device, RxToken, TxToken};
use eddy_bare::smoltcp::time::Instant;
use eddy_firmware::harness::{Outcome, Test};
use eddy_firmware::reply::parse_head;
use eddy_firmware::wire::MemWire;
use eddy_firmware::{check, check_eq};

fn send(port: &mut impl Device, byte: u8) -> Outcome {
    let Some(tx) = port.transmit(Instant::ZERO) else {
        check!(false, "the port refused to transmit");
        return Ok(());
    };
    tx.consume(3, |buf| buf.fill(byte));
    Ok(())
}

fn a_full_queue_drops_and_counts_and_the_rest_arrive_in_order() -> Outcome {
    let wire: MemWire<64, 4> = MemWire::new();
    let (mut a, mut b) = (wire.a(), wire.b());
    for byte in 1..=5 {
        send(&mut a, byte)?;
    }
    check_eq!(wire.a_to_b.len(), 4, "the queue holds 4");
    check_eq!(wire.a_to_b.sent(), 4);
    check_eq!(
        wire.a_to_b.dropped(),
        1,
        "the fifth packet was dropped and counted"
    );
    check!(wire.b_to_a.is_empty(), "nothing went the other way");
    for byte in 1..=4u8 {
        let Some((rx, _)) = b.receive(Instant::ZERO) else {
            check!(false, "packet {} missing", byte);
            return Ok(());
        };
        let got = rx.consume(|buf| (buf.len(), buf[0]));
        check_eq!(got, (3, byte), "packets arrive whole and in order");
    }
    check!(b.receive(Instant::ZERO).is_none(), "and then nothing");
    check!(wire.is_idle());
    wire.a_to_b.lose_next(2);
    for byte in 6..=8 {
        send(&mut a, byte)?;
    }
    check_eq!(wire.a_to_b.dropped(), 3, "two lost on purpose");
    let got = b.receive(Instant::ZERO).map(|(rx, _)| rx.consume(|buf| buf[0]));
    check_eq!(got, Some(8), "the third went through");
    Ok(())
}

fn response_heads_are_read_case_insensitively_and_only_when_complete() -> Outcome {
    let head = b"HTTP/1.1 404 Not Found\r\ncontent-LENGTH: 10\r\nCONNECTION:  Close \r\n\r\nnot found\n";
    let Some((h, len)) = parse_head(head) else {
        check!(false, "a complete head was not read");
        return Ok(());
    };
    check_eq!((h.status, h.length, h.closes), (404, 10, true));
    check_eq!(&head[len..], b"not found\n", "the length ends at the blank line");
    check!(
        parse_head(&head[..40]).is_none(),
        "an incomplete head is not read"
    );
    let keep = b"HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n\r\n";
    check_eq!(
        parse_head(keep).map(|(h, _)| (h.length, h.closes)),
        Some((0, false))
    );
    check!(
        parse_head(b"HTTP/1.1 2x0 OK\r\n\r\n").is_none(),
        "a bad status is refused"
    );
    check!(
        parse_head(b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n").is_none(),
        "a bad length is refused"
    );
    Ok(())
}

/// This module's tests.
pub const TESTS: &[Test] = &[
    Test {
        name: "parts::a_full_queue_drops_and_counts_and_the_rest_arrive_in_order",
        run: a_full_queue_drops_and_counts_and_the_rest_arrive_in_order,
    },
    Test {
        name: "parts::response_heads_are_read_case_insensitively_and_only_when_complete",
        run: response_heads_are_read_case_insensitively_and_only_when_complete,
    },
];
