//! The client's side: parses every byte the server wrote, head by head with
//! `httparse::Response`, frames each body as a client must (RFC 9112 §6.3)
//! and demands exactly the responses the driver made, in order.

use eddy_core::http::{BodyLen, Next, Status};

/// A response the driver made, as the client must see it.
#[derive(Clone, Debug)]
pub struct Expect {
    /// 100 for an interim `100 Continue`.
    pub status: u16,
    /// It answers a `HEAD` request: no body on the wire.
    pub head_request: bool,
    /// The `BodyLen` given to `start_response`.
    pub declared: BodyLen,
    /// The body bytes `write_body` took.
    pub body: Vec<u8>,
    /// The head must say `Connection: close`.
    pub must_close: bool,
    /// It answers an HTTP/1.0 request.
    pub http10: bool,
    /// What `finish` returned; `None` if the response was not finished.
    pub next: Option<Next>,
    /// The request had been read to its end when `finish` was called.
    pub body_done: bool,
    /// The response may end early: the connection failed or closed
    /// mid-response. Only the last response may be.
    pub truncated: bool,
    /// The `X-Seq` header it must carry (the request's number), if any.
    pub seq: Option<String>,
}

impl Expect {
    /// `HTTP/1.1 100 Continue`, and the base of the others.
    pub fn interim() -> Expect {
        Expect {
            status: 100,
            head_request: false,
            declared: BodyLen::Fixed(0),
            body: Vec::new(),
            must_close: false,
            http10: false,
            next: None,
            body_done: true,
            truncated: false,
            seq: None,
        }
    }

    /// The response `send_error(status)` writes.
    pub fn error(status: Status, head_request: bool) -> Expect {
        let text = format!("{}\n", status.reason().unwrap_or("Error"));
        Expect {
            status: status.code(),
            head_request,
            declared: BodyLen::Fixed(text.len() as u64),
            body: text.into_bytes(),
            must_close: true,
            next: Some(Next::Close),
            ..Expect::interim()
        }
    }
}

/// A response as the client decoded it: what two runs must agree on.
#[derive(Debug, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
    pub close: bool,
}

/// Parses `wire` into exactly the `expects`, each complete (only the last
/// may be cut short, if marked `truncated`), with nothing left over.
///
/// # Panics
///
/// On any difference, with the response, its expectation and the wire.
pub fn check(wire: &[u8], expects: &[Expect]) -> Vec<Response> {
    walk(wire, expects, false)
}

/// [`check`] for a connection that ended abruptly (a reset, or closed with
/// output unsent): `wire` is a prefix of the `expects`, so the responses it
/// holds must parse as expected, the one it ends in may be cut anywhere,
/// and the ones after it may be missing.
///
/// # Panics
///
/// As [`check`].
pub fn check_prefix(wire: &[u8], expects: &[Expect]) -> Vec<Response> {
    walk(wire, expects, true)
}

/// Parses `wire` as the `expects` in order; with `cut`, the wire may end
/// anywhere (inside a response or before one).
fn walk(wire: &[u8], expects: &[Expect], cut: bool) -> Vec<Response> {
    let mut rest = wire;
    let mut responses = Vec::new();
    for (i, expect) in expects.iter().enumerate() {
        if cut && rest.is_empty() {
            break;
        }
        let last = i + 1 == expects.len();
        let (response, len) = parse(rest, expect, last, cut).unwrap_or_else(|why| {
            panic!(
                "response {i} of {}{}: {why}\nexpected {expect:?}\nwire {:?}",
                expects.len(),
                if cut { " (cut)" } else { "" },
                String::from_utf8_lossy(wire)
            )
        });
        rest = &rest[len..];
        responses.push(response);
    }
    assert!(
        rest.is_empty(),
        "{} bytes after the last response\nwire {:?}",
        rest.len(),
        String::from_utf8_lossy(wire)
    );
    responses
}

/// The framing headers of a response head.
#[derive(Debug, Default)]
struct Fields {
    lengths: Vec<u64>,
    codings: Vec<Vec<u8>>,
    close: bool,
    keep_alive: bool,
    seq: Option<Vec<u8>>,
}

fn fields(headers: &[httparse::Header<'_>]) -> Result<Fields, String> {
    let mut f = Fields::default();
    let mut connection = 0;
    for h in headers {
        if h.name.eq_ignore_ascii_case("content-length") {
            let text = std::str::from_utf8(h.value).map_err(|_| "a non-ASCII Content-Length")?;
            let n = text.parse().map_err(|_| format!("Content-Length {text:?}"))?;
            f.lengths.push(n);
        } else if h.name.eq_ignore_ascii_case("x-seq") {
            f.seq = Some(h.value.to_vec());
        } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
            f.codings.push(h.value.to_vec());
        } else if h.name.eq_ignore_ascii_case("connection") {
            connection += 1;
            match h.value {
                b"close" => f.close = true,
                b"keep-alive" => f.keep_alive = true,
                v => return Err(format!("Connection: {:?}", String::from_utf8_lossy(v))),
            }
        }
    }
    if connection > 1 || f.lengths.len() > 1 || f.codings.len() > 1 {
        return Err("a framing or Connection header twice".into());
    }
    if !f.lengths.is_empty() && !f.codings.is_empty() {
        return Err("both Content-Length and Transfer-Encoding".into());
    }
    Ok(f)
}

/// Parses one response from the front of `wire`; returns it and its length.
/// One response at the start of `wire`, and its length; `cut`: the wire
/// may end anywhere inside it.
fn parse(wire: &[u8], expect: &Expect, last: bool, cut: bool) -> Result<(Response, usize), String> {
    let mut headers = [httparse::EMPTY_HEADER; 16];
    let mut parsed = httparse::Response::new(&mut headers);
    let head_len = match parsed.parse(wire) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) if cut => {
            let response = Response {
                status: expect.status,
                body: Vec::new(),
                close: false,
            };
            return Ok((response, wire.len()));
        }
        other => return Err(format!("no complete head: {other:?}")),
    };
    let head = &wire[..head_len];
    let lines = head.windows(2).filter(|w| w == b"\r\n").count();
    if !head.ends_with(b"\r\n\r\n") || head.iter().filter(|&&b| b == b'\n').count() != lines {
        return Err("a head not made of CRLF lines".into());
    }
    if parsed.version != Some(1) || parsed.code != Some(expect.status) {
        return Err(format!("status line {:?} {:?}", parsed.version, parsed.code));
    }
    let f = fields(parsed.headers)?;
    if let Some(seq) = &expect.seq {
        if f.seq.as_deref() != Some(seq.as_bytes()) {
            return Err(format!("X-Seq {:?}, not {seq}: out of order", f.seq));
        }
    }
    check_persistence(&f, expect, last)?;
    let status = expect.status;
    let bodiless = status == 204 || status == 304;
    let body_at = &wire[head_len..];
    let (body, len, complete) = if status < 200 {
        if !parsed.headers.is_empty() {
            return Err("fields in a 100 Continue".into());
        }
        (Vec::new(), 0, true)
    } else if expect.head_request || bodiless {
        let framing = !f.lengths.is_empty() || !f.codings.is_empty();
        if bodiless && framing {
            return Err("framing headers on a 204 or 304".into());
        }
        if !bodiless {
            // An HTTP/1.0 client gets no Transfer-Encoding (RFC 9112 §6.1).
            let want = match (expect.declared, expect.http10) {
                (BodyLen::Fixed(n), _) => (vec![n], Vec::new()),
                (BodyLen::Chunked, false) => (Vec::new(), vec![b"chunked".to_vec()]),
                (BodyLen::Chunked, true) => (Vec::new(), Vec::new()),
            };
            if (f.lengths.clone(), f.codings.clone()) != want {
                return Err("a HEAD response framed unlike its GET".into());
            }
        }
        (Vec::new(), 0, true)
    } else if let Some(coding) = f.codings.first() {
        if coding != b"chunked" || expect.http10 || expect.declared != BodyLen::Chunked {
            return Err("Transfer-Encoding where it does not belong".into());
        }
        dechunk(body_at, cut)?
    } else if let Some(&n) = f.lengths.first() {
        if expect.declared != BodyLen::Fixed(n) {
            return Err(format!("Content-Length {n}, declared {:?}", expect.declared));
        }
        let take = usize::try_from(n).unwrap_or(usize::MAX).min(body_at.len());
        (body_at[..take].to_vec(), take, take as u64 == n)
    } else {
        // RFC 9112 §6.3 item 8: the body runs to the close; only for a
        // chunked body to an HTTP/1.0 client.
        if !expect.http10 || expect.declared != BodyLen::Chunked || !f.close || !last {
            return Err("a body without framing".into());
        }
        (body_at.to_vec(), body_at.len(), true)
    };
    let may_end_early = (expect.truncated && last) || cut;
    if !complete && !may_end_early {
        return Err("a response cut short".into());
    }
    let on_wire = status >= 200 && !expect.head_request && !bodiless;
    // Cut: the body may stop anywhere, also one that runs to the close.
    let cut_body = cut && expect.body.starts_with(&body);
    if on_wire && body != expect.body && !cut_body {
        return Err(format!("body {:?}", String::from_utf8_lossy(&body)));
    }
    let total = head_len + len;
    if f.close && wire.len() != total {
        return Err("bytes after Connection: close".into());
    }
    let response = Response {
        status,
        body,
        close: f.close,
    };
    Ok((response, total))
}

/// The `Connection` header against what the driver knows.
fn check_persistence(f: &Fields, expect: &Expect, last: bool) -> Result<(), String> {
    if expect.must_close && !f.close {
        return Err("no Connection: close where the request or handler asked".into());
    }
    if f.keep_alive && !expect.http10 {
        return Err("Connection: keep-alive to HTTP/1.1".into());
    }
    match expect.next {
        Some(Next::KeepAlive) if f.close || (expect.http10 && !f.keep_alive) => {
            Err("kept alive against its own Connection header".into())
        }
        // RFC 9112 §6.3: unread body bytes cannot be told from the next request.
        Some(Next::KeepAlive) if !expect.body_done => Err("kept alive with the request body unread".into()),
        Some(Next::Close) if !last => Err("a response after Next::Close".into()),
        Some(Next::Close) if !f.close && expect.body_done => Err("closed without saying so".into()),
        _ => Ok(()),
    }
}

/// Decodes a chunked body as eddy writes it: whole `size CRLF data CRLF`
/// frames, then `0 CRLF CRLF`. Returns the body, the bytes used and
/// whether the last chunk arrived; a body may stop between frames, or
/// anywhere if `cut`.
fn dechunk(wire: &[u8], cut: bool) -> Result<(Vec<u8>, usize, bool), String> {
    let mut body = Vec::new();
    let mut at = 0;
    while at < wire.len() {
        let rest = &wire[at..];
        let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") else {
            return ends_cut(cut, body, wire.len(), "a cut chunk-size line");
        };
        let digits = &rest[..eol];
        let ok = !digits.is_empty() && digits.len() <= 16 && digits.iter().all(u8::is_ascii_hexdigit);
        let text = std::str::from_utf8(digits)
            .ok()
            .filter(|_| ok)
            .ok_or("a bad chunk size")?;
        let size = usize::from_str_radix(text, 16).map_err(|e| e.to_string())?;
        let data = eol + 2;
        if cut && rest.len() < data + size + 2 {
            let tail = rest.get(data..).unwrap_or_default();
            body.extend_from_slice(&tail[..tail.len().min(size)]);
            return ends_cut(cut, body, wire.len(), "a cut chunk");
        }
        if size == 0 {
            if rest.get(data..data + 2) != Some(b"\r\n") {
                return Err("no CRLF after the last chunk".into());
            }
            return Ok((body, at + data + 2, true));
        }
        let chunk = rest.get(data..data + size).ok_or("a cut chunk")?;
        if rest.get(data + size..data + size + 2) != Some(b"\r\n") {
            return Err("no CRLF after chunk data".into());
        }
        body.extend_from_slice(chunk);
        at += data + size + 2;
    }
    Ok((body, at, false))
}

/// The end of a chunked body the wire cut off: fine only if `cut`.
fn ends_cut(cut: bool, body: Vec<u8>, len: usize, why: &str) -> Result<(Vec<u8>, usize, bool), String> {
    if cut {
        Ok((body, len, false))
    } else {
        Err(why.into())
    }
}
