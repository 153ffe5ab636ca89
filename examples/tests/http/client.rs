//! A raw-bytes HTTP/1.1 client: it writes exactly the bytes a test gives
//! it and parses responses itself, so the suite sees what is on the wire.
//!
//! Every read is bounded by [`BOUND`]: a missing response fails the test
//! with what was received so far instead of hanging it.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// The failure bound of every read that expects something.
pub const BOUND: Duration = Duration::from_secs(10);

/// One connection to the server.
#[derive(Debug)]
pub struct Client {
    stream: TcpStream,
    /// Received bytes not yet parsed into a response.
    buf: Vec<u8>,
}

/// What a bounded wait saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// Nothing arrived within the wait.
    Quiet,
    /// Bytes arrived (kept for the next parse).
    Data,
    /// The server closed the connection (EOF or reset).
    Closed,
}

/// A parsed response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The head exactly as received, final CRLF CRLF included.
    pub head: String,
    /// `HTTP/1.1` or `HTTP/1.0`.
    pub version: String,
    /// The status code.
    pub status: u16,
    /// The header fields in order, names as sent.
    pub headers: Vec<(String, String)>,
    /// The body (empty for 1xx, 204, 304 and responses to `HEAD`).
    pub body: Vec<u8>,
}

impl Response {
    /// The value of the first header named `name`, case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as UTF-8.
    #[track_caller]
    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.body).expect("a UTF-8 body")
    }

    /// Whether the response says the connection closes after it.
    pub fn closes(&self) -> bool {
        self.header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"))
    }
}

impl Client {
    /// Connects to the server on loopback `port`.
    #[track_caller]
    pub fn connect(port: u16) -> Client {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to http_server");
        stream.set_nodelay(true).expect("TCP_NODELAY");
        stream.set_read_timeout(Some(BOUND)).expect("read timeout");
        Client {
            stream,
            buf: Vec::new(),
        }
    }

    /// A second handle on the same socket (for a writer thread).
    pub fn try_clone_stream(&self) -> TcpStream {
        self.stream.try_clone().expect("clone the stream")
    }

    /// Writes all of `bytes`.
    #[track_caller]
    pub fn send(&mut self, bytes: impl AsRef<[u8]>) {
        self.stream
            .write_all(bytes.as_ref())
            .expect("write to http_server");
    }

    /// Writes all of `bytes`, reporting failure (the server may have cut
    /// the connection).
    pub fn try_send(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.stream.write_all(bytes)
    }

    /// One read; `Ok(0)` at EOF. Errors (including the timeout) are
    /// returned to the caller.
    fn read_more(&mut self) -> std::io::Result<usize> {
        let mut chunk = [0u8; 64 * 1024];
        loop {
            match self.stream.read(&mut chunk) {
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    return Ok(n);
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Reads more bytes, failing the test on EOF, reset or timeout.
    #[track_caller]
    fn need_more(&mut self, what: &str) {
        match self.read_more() {
            Ok(0) => panic!("connection closed before {what}; received {:?}", self.pending()),
            Ok(_) => {}
            Err(e) if is_timeout(&e) => {
                panic!("no {what} within {BOUND:?}; received {:?}", self.pending())
            }
            Err(e) => panic!("reading {what}: {e}; received {:?}", self.pending()),
        }
    }

    /// The unparsed bytes, for messages.
    fn pending(&self) -> String {
        String::from_utf8_lossy(&self.buf).into_owned()
    }

    /// Reads one complete response (its body framed by `Content-Length`).
    #[track_caller]
    pub fn response(&mut self) -> Response {
        self.read_response(false)
    }

    /// Reads the response to a `HEAD` request: a head and no body, whatever
    /// its `Content-Length` says (RFC 9110 §9.3.2).
    #[track_caller]
    pub fn head_response(&mut self) -> Response {
        self.read_response(true)
    }

    #[track_caller]
    fn read_response(&mut self, to_head: bool) -> Response {
        let end = loop {
            if let Some(i) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            self.need_more("a response head");
        };
        let head = String::from_utf8(self.buf[..end].to_vec()).expect("an ASCII response head");
        let mut lines = head[..end - 4].split("\r\n");
        let status_line = lines.next().unwrap_or_default();
        let mut parts = status_line.splitn(3, ' ');
        let version = parts.next().unwrap_or_default().to_owned();
        let status = parts
            .next()
            .and_then(|s| s.parse::<u16>().ok())
            .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
        assert!(
            version == "HTTP/1.1" || version == "HTTP/1.0",
            "bad status line {status_line:?}"
        );
        let headers: Vec<(String, String)> = lines
            .map(|l| {
                let (n, v) = l
                    .split_once(':')
                    .unwrap_or_else(|| panic!("bad header line {l:?}"));
                (n.to_owned(), v.trim().to_owned())
            })
            .collect();
        self.buf.drain(..end);
        let mut r = Response {
            head,
            version,
            status,
            headers,
            body: Vec::new(),
        };
        let bodiless = to_head || (100..200).contains(&status) || status == 204 || status == 304;
        if bodiless {
            return r;
        }
        assert!(
            r.header("transfer-encoding").is_none(),
            "the server's responses are fixed-length; got {:?}",
            r.head
        );
        let len: usize = r
            .header("content-length")
            .unwrap_or_else(|| panic!("no Content-Length in {:?}", r.head))
            .parse()
            .expect("a decimal Content-Length");
        while self.buf.len() < len {
            self.need_more("the response body");
        }
        r.body = self.buf.drain(..len).collect();
        r
    }

    /// Waits at most `within` for the server to send something or close.
    pub fn wait(&mut self, within: Duration) -> Wait {
        self.stream.set_read_timeout(Some(within)).expect("read timeout");
        let seen = match self.read_more() {
            Ok(0) => Wait::Closed,
            Ok(_) => Wait::Data,
            Err(e) if is_timeout(&e) => Wait::Quiet,
            Err(e) if is_cut(&e) => Wait::Closed,
            Err(e) => panic!("reading: {e}"),
        };
        self.stream.set_read_timeout(Some(BOUND)).expect("read timeout");
        seen
    }

    /// Nothing at all arrives for `within`, and the connection stays open.
    #[track_caller]
    pub fn assert_quiet_for(&mut self, within: Duration, why: &str) {
        let seen = self.wait(within);
        assert_eq!(
            seen,
            Wait::Quiet,
            "{why}: expected nothing for {within:?}; received {:?}",
            self.pending()
        );
    }

    /// Everything until the server closes the connection.
    #[track_caller]
    pub fn read_to_close(&mut self) -> Vec<u8> {
        loop {
            match self.read_more() {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if is_cut(&e) => break,
                Err(e) if is_timeout(&e) => {
                    panic!(
                        "the server did not close within {BOUND:?}; received {:?}",
                        self.pending()
                    )
                }
                Err(e) => panic!("reading: {e}"),
            }
        }
        std::mem::take(&mut self.buf)
    }

    /// No bytes beyond the responses already read, then the close.
    #[track_caller]
    pub fn expect_closed(&mut self) {
        let rest = self.read_to_close();
        assert!(
            rest.is_empty(),
            "expected the connection to close; got {:?}",
            String::from_utf8_lossy(&rest)
        );
    }

    /// Shuts down the writing half (the server sees EOF).
    pub fn shutdown_write(&self) {
        let _ = self.stream.shutdown(std::net::Shutdown::Write);
    }
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

fn is_cut(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted
    )
}

/// `GET target` over HTTP/1.1.
pub fn get(target: &str) -> String {
    format!("GET {target} HTTP/1.1\r\nHost: test\r\n\r\n")
}

/// `POST target` with a `Content-Length` body.
pub fn post(target: &str, body: &[u8]) -> Vec<u8> {
    let mut req = format!(
        "POST {target} HTTP/1.1\r\nHost: test\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    req.extend_from_slice(body);
    req
}

/// `n` bytes of a pattern that has no period a misplaced slice could hide.
pub fn pattern(n: usize, seed: u8) -> Vec<u8> {
    (0..n)
        .map(|i| (i % 251) as u8 ^ seed.wrapping_mul(31) ^ ((i / 251) % 7) as u8)
        .collect()
}
