//! What the in-image client sends and what it must get back, in order.
//!
//! A step whose response closes the connection is followed by a new
//! connection, so the listener's re-arming is exercised too; the last step
//! stalls in the middle of a head until the server's header timeout. The 4 KiB
//! echo is larger than every buffer on its way (the client's 256-byte
//! socket buffers, the server's 1 KiB socket buffers and 2 KiB HTTP
//! buffers), so it only passes if flow control works end to end.

use crate::routes::HELLO;

/// The body a response must carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Exactly these bytes.
    Bytes(&'static [u8]),
    /// `n` bytes of [`pattern`].
    Pattern(usize),
    /// Any body (error texts).
    Any,
}

/// One request and the response it must get.
#[derive(Clone, Copy, Debug)]
pub struct Exchange {
    /// The request head (and any short body), sent as is.
    pub request: &'static [u8],
    /// Bytes of [`pattern`] sent after `request`, as its body.
    pub upload: usize,
    /// The expected status code.
    pub status: u16,
    /// The expected body.
    pub body: Expect,
    /// A response to `HEAD`: its `Content-Length` comes without a body.
    pub head: bool,
    /// The server must say `Connection: close` and close.
    pub closes: bool,
}

/// Byte `i` of the uploaded and echoed pattern.
pub fn pattern(i: usize) -> u8 {
    b"0123456789abcdefghijklmnopqrstuvwxyz\n"[i % 37]
}

const fn step(request: &'static [u8], status: u16, body: Expect) -> Exchange {
    Exchange {
        request,
        upload: 0,
        status,
        body,
        head: false,
        closes: false,
    }
}

/// The script.
pub const SCRIPT: [Exchange; 8] = [
    step(b"GET / HTTP/1.1\r\nHost: eddy\r\n\r\n", 200, Expect::Bytes(HELLO)),
    step(
        b"POST /echo HTTP/1.1\r\nHost: eddy\r\nContent-Length: 26\r\n\r\nabcdefghijklmnopqrstuvwxyz",
        200,
        Expect::Bytes(b"abcdefghijklmnopqrstuvwxyz"),
    ),
    Exchange {
        request: b"POST /echo HTTP/1.1\r\nHost: eddy\r\nContent-Length: 4096\r\n\r\n",
        upload: 4096,
        ..step(b"", 200, Expect::Pattern(4096))
    },
    Exchange {
        head: true,
        ..step(b"HEAD / HTTP/1.1\r\nHost: eddy\r\n\r\n", 200, Expect::Bytes(b""))
    },
    step(
        b"DELETE / HTTP/1.1\r\nHost: eddy\r\n\r\n",
        405,
        Expect::Bytes(b"method not allowed\n"),
    ),
    Exchange {
        closes: true,
        ..step(
            b"GET /missing HTTP/1.1\r\nHost: eddy\r\nConnection: close\r\n\r\n",
            404,
            Expect::Bytes(b"not found\n"),
        )
    },
    Exchange {
        closes: true,
        ..step(b"GET / HTTP/2.0\r\nHost: eddy\r\n\r\n", 505, Expect::Any)
    },
    // A head that never ends: the header timeout answers 408 and closes.
    Exchange {
        closes: true,
        ..step(b"GET / HTTP/1.1\r\nHost: ed", 408, Expect::Any)
    },
];
