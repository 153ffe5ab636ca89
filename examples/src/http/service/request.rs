//! The request being answered, and the route table: where each request
//! goes, decided from its method, path and query.
//!
//! | request | answer |
//! | --- | --- |
//! | `GET /<anything>` | 200 `You requested <target>\n` |
//! | `HEAD <target>` | the GET's status and headers, no body |
//! | `POST /echo` | 200 with the request body (up to 1 MiB, sent in pieces) |
//! | `GET /sleep?ms=N` | `slept N ms\n` after N ms (0..=60000, else 400) |
//! | `GET /wait[?timeout_ms=N]` | the next `POST /notify` body, or 504 `timeout\n` |
//! | `POST /notify` | wakes every waiter; `notified K\n` |
//! | `GET /pid` | the serving process id |
//! | `GET /blocking?ms=N` | hosts with a thread pool only: `blocked N ms\n` after a blocking sleep (0..=60000, else 400) |
//! | other methods | 405 with `Allow: GET, HEAD, POST` |

use eddy_core::http::RequestHead;

/// The `Allow` value of a 405.
pub(crate) const ALLOW: &str = "GET, HEAD, POST";
/// The headers of every response but the 405's: checked once into
/// [`Service::text_plain`](super::Service::text_plain).
pub(crate) const TEXT_PLAIN: &[(&str, &str)] = &[("Content-Type", "text/plain")];
const MAX_SLEEP_MS: u64 = 60_000;
const DEFAULT_WAIT_MS: u64 = 30_000;

/// The request being answered: what the routes need once the body is in.
/// Its buffers are reused request after request, so steady state
/// allocates nothing.
#[derive(Debug, Default)]
pub(crate) struct Request {
    method: Method,
    pub(crate) target: Vec<u8>,
    /// The body of a `POST` (the HTTP machine enforces its limit); also
    /// what a streamed response sends.
    pub(crate) body: Vec<u8>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Method {
    #[default]
    Get,
    Head,
    Post,
    Other,
}

/// Where a request goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    NotAllowed,
    Echo,
    Notify,
    NotFound,
    /// `None`: a bad `ms`.
    Sleep(Option<u64>),
    /// `None`: a bad `timeout_ms`.
    Wait(Option<u64>),
    Pid,
    /// `None`: a bad `ms`.
    Blocking(Option<u64>),
    Requested,
}

impl Request {
    /// A new request head: remember the method and target.
    pub(crate) fn start<const H: usize>(&mut self, head: &RequestHead<'_, H>) {
        self.method = Method::of(head.method());
        self.target.clear();
        self.target.extend_from_slice(head.target().as_bytes());
        self.body.clear();
    }

    /// Body bytes, kept for a `POST`.
    pub(crate) fn body(&mut self, bytes: &[u8]) {
        if self.method == Method::Post {
            self.body.extend_from_slice(bytes);
        }
    }

    /// Where the request goes; `/blocking` is a route only if `blocking`.
    pub(crate) fn route(&self, blocking: bool) -> Route {
        route(self.method, &self.target, blocking)
    }
}

impl Method {
    fn of(method: &str) -> Method {
        match method {
            "GET" => Method::Get,
            "HEAD" => Method::Head,
            "POST" => Method::Post,
            _ => Method::Other,
        }
    }
}

/// Where a request head without a body goes, read from the head itself:
/// the hot path routes without copying the target into a [`Request`].
pub(crate) fn head_route<const H: usize>(head: &RequestHead<'_, H>, blocking: bool) -> Route {
    route(Method::of(head.method()), head.target().as_bytes(), blocking)
}

/// Where `method` on `target` goes; `/blocking` is a route only if
/// `blocking`.
fn route(method: Method, target: &[u8], blocking: bool) -> Route {
    let (path, query) = match target.iter().position(|&b| b == b'?') {
        Some(q) => (&target[..q], &target[q + 1..]),
        None => (target, &[][..]),
    };
    match (method, path) {
        (Method::Other, _) => Route::NotAllowed,
        (Method::Post, b"/echo") => Route::Echo,
        (Method::Post, b"/notify") => Route::Notify,
        (Method::Post, _) => Route::NotFound,
        (_, b"/sleep") => Route::Sleep(parse_ms(param(query, "ms"), None)),
        (_, b"/wait") => Route::Wait(parse_ms(param(query, "timeout_ms"), Some(DEFAULT_WAIT_MS))),
        (_, b"/pid") => Route::Pid,
        (_, b"/blocking") if blocking => Route::Blocking(parse_ms(param(query, "ms"), None)),
        _ => Route::Requested,
    }
}

/// The value of parameter `name` in `query` (what follows the `?`).
fn param<'q>(query: &'q [u8], name: &str) -> Option<&'q [u8]> {
    query.split(|&b| b == b'&').find_map(|pair| {
        let eq = pair.iter().position(|&b| b == b'=')?;
        (&pair[..eq] == name.as_bytes()).then(|| &pair[eq + 1..])
    })
}

/// A millisecond count of at most a minute; `default` when absent.
fn parse_ms(v: Option<&[u8]>, default: Option<u64>) -> Option<u64> {
    match v {
        None => default,
        Some(v) => std::str::from_utf8(v)
            .ok()?
            .parse::<u64>()
            .ok()
            .filter(|&ms| ms <= MAX_SLEEP_MS),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: Method, target: &str) -> Request {
        Request {
            method,
            target: target.as_bytes().to_vec(),
            body: Vec::new(),
        }
    }

    #[test]
    fn routes_by_method_path_and_query() {
        let cases = [
            (Method::Get, "/x?ms=5", false, Route::Requested),
            (Method::Head, "/sleep?ms=5", false, Route::Sleep(Some(5))),
            (Method::Get, "/sleep?a=1&ms=60001", false, Route::Sleep(None)),
            (Method::Get, "/wait", false, Route::Wait(Some(DEFAULT_WAIT_MS))),
            (Method::Get, "/wait?timeout_ms=x", false, Route::Wait(None)),
            (Method::Get, "/blocking?ms=3", false, Route::Requested),
            (Method::Get, "/blocking?ms=3", true, Route::Blocking(Some(3))),
            (Method::Post, "/echo?x", false, Route::Echo),
            (Method::Post, "/other", false, Route::NotFound),
            (Method::Other, "/echo", false, Route::NotAllowed),
        ];
        for (method, target, blocking, want) in cases {
            assert_eq!(
                request(method, target).route(blocking),
                want,
                "{method:?} {target}"
            );
        }
    }

    #[test]
    fn only_a_post_keeps_its_body() {
        let mut get = request(Method::Get, "/");
        get.body(b"ignored");
        assert!(get.body.is_empty());
        let mut post = request(Method::Post, "/echo");
        post.body(b"ab");
        post.body(b"c");
        assert_eq!(post.body, b"abc");
    }
}
