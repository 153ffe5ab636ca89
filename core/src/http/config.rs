//! Limits and timeouts of a [`Connection`](super::Connection).
//!
//! Everything is plain data with a `const` constructor, so a configuration
//! can sit in a `static` on firmware. The header-count limit is not here: it
//! is the connection's const generic `H`, because it sizes the array the
//! head is parsed into.

use core::time::Duration;

/// Limits and timeouts for one HTTP/1.1 connection.
///
/// Start from [`Config::new`] (the defaults below) and adjust with the
/// `with_*` builders, which are `const`:
///
/// ```
/// use core::time::Duration;
/// use eddy_core::http::Config;
///
/// static CONFIG: Config = Config::new()
///     .with_max_body(64 * 1024)
///     .with_idle_timeout(Duration::from_secs(5));
/// assert_eq!(CONFIG.max_head, 8 * 1024);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub struct Config {
    /// Largest request head in bytes, request line and leading empty lines
    /// included. A head not complete within it is answered 431. Default 8 KiB.
    /// Also bounds the chunk extensions and trailer fields of one chunked body.
    ///
    /// The caller's read buffer must hold at least this many bytes, or a
    /// head near the limit can never be seen whole.
    pub max_head: usize,
    /// Largest request body in bytes (the `Content-Length`, or the sum of the
    /// chunk sizes). Larger bodies are answered 413. Default 1 MiB.
    pub max_body: u64,
    /// Time allowed for a request head, counted from its first byte (from
    /// creation for a new connection) and not reset by further bytes.
    /// Default 10 s.
    pub header_timeout: Duration,
    /// Time a keep-alive connection may sit between requests: from finishing
    /// a response to the first byte of the next request. Default 60 s.
    pub idle_timeout: Duration,
    /// Time a peer may take no response bytes at all while some wait to be
    /// sent (a stalled reader): the connection is then closed. Progress is
    /// checked when it runs out, so a peer is cut after between one and
    /// two of these without taking a byte. Used by
    /// [`HttpStream`](super::HttpStream). Default 30 s.
    pub send_timeout: Duration,
}

impl Config {
    /// The defaults: 8 KiB heads, 1 MiB bodies, 10 s header, 60 s idle
    /// and 30 s send timeouts.
    pub const fn new() -> Config {
        Config {
            max_head: 8 * 1024,
            max_body: 1024 * 1024,
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            send_timeout: Duration::from_secs(30),
        }
    }

    /// Sets [`max_head`](Config::max_head).
    pub const fn with_max_head(mut self, bytes: usize) -> Config {
        self.max_head = bytes;
        self
    }

    /// Sets [`max_body`](Config::max_body).
    pub const fn with_max_body(mut self, bytes: u64) -> Config {
        self.max_body = bytes;
        self
    }

    /// Sets [`header_timeout`](Config::header_timeout).
    pub const fn with_header_timeout(mut self, timeout: Duration) -> Config {
        self.header_timeout = timeout;
        self
    }

    /// Sets [`idle_timeout`](Config::idle_timeout).
    pub const fn with_idle_timeout(mut self, timeout: Duration) -> Config {
        self.idle_timeout = timeout;
        self
    }

    /// Sets [`send_timeout`](Config::send_timeout).
    pub const fn with_send_timeout(mut self, timeout: Duration) -> Config {
        self.send_timeout = timeout;
        self
    }
}

impl Default for Config {
    fn default() -> Config {
        Config::new()
    }
}
