//! What the image's HTTP server answers: the route of a request head and
//! the response it gets.
//!
//! | request | response |
//! | --- | --- |
//! | `GET /` (and `HEAD /`) | 200, [`HELLO`] |
//! | `POST /echo` | 200, the request body |
//! | another method on `/` or `/echo` | 405 with `Allow` |
//! | any other target | 404 |

use eddy_core::http::{BodyLen, RequestHead, Status};

/// The body of `GET /`.
pub const HELLO: &[u8] = b"Hello from eddy on a Cortex-M4\n";

/// What a request asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// `GET /` or `HEAD /`.
    Hello,
    /// `POST /echo`, with the request body's framing.
    Echo(BodyLen),
    /// A known target with the wrong method; the methods it allows.
    MethodNotAllowed(&'static str),
    /// An unknown target.
    NotFound,
}

impl Route {
    /// The route of a request head.
    pub fn of<const H: usize>(head: &RequestHead<'_, H>) -> Route {
        match (head.method(), head.target()) {
            ("GET" | "HEAD", "/") => Route::Hello,
            (_, "/") => Route::MethodNotAllowed("GET, HEAD"),
            ("POST", "/echo") => Route::Echo(head.body()),
            (_, "/echo") => Route::MethodNotAllowed("POST"),
            _ => Route::NotFound,
        }
    }

    /// The status and body of a route answered whole at the end of its
    /// request; `None` for [`Route::Echo`], whose body streams.
    pub fn fixed(self) -> Option<(Status, &'static [u8])> {
        match self {
            Route::Hello => Some((Status::OK, HELLO)),
            Route::MethodNotAllowed(_) => Some((Status::METHOD_NOT_ALLOWED, b"method not allowed\n")),
            Route::NotFound => Some((Status::NOT_FOUND, b"not found\n")),
            Route::Echo(_) => None,
        }
    }
}
