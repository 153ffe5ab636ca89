//! `http_server`'s command line.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

/// The most worker processes `--workers` accepts.
pub const MAX_WORKERS: usize = 256;

/// The server's options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Where to listen (`--addr`, default 127.0.0.1:8888).
    pub addr: SocketAddr,
    /// Worker processes (`--workers`, default 1: serve in this process; 0:
    /// one per CPU). More than one forks workers with
    /// `eddy_std::fork_processes`.
    pub workers: usize,
    /// Abnormal worker deaths the parent restarts before it gives up
    /// (`--max-restarts`, default 100, as Tornado).
    pub max_restarts: usize,
    /// Workers share one listener bound before forking, Tornado's way
    /// (`--shared-listener`); by default each binds its own `SO_REUSEPORT`
    /// listener, which spreads connections evenly.
    pub shared_listener: bool,
    /// How long a request head may take from its first byte
    /// (`--header-timeout-ms`, default 10000).
    pub header_timeout: Duration,
    /// How long a keep-alive connection may sit idle between requests
    /// (`--idle-timeout-ms`, default 60000).
    pub idle_timeout: Duration,
    /// How long a client may take no response bytes while some wait
    /// before its connection is closed (`--send-timeout-ms`, default
    /// 30000; a stalled reader is cut after one to two of these).
    pub send_timeout: Duration,
    /// Open connections at most; accepting pauses while full
    /// (`--max-connections`, default 10000).
    pub max_connections: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            addr: SocketAddr::from(([127, 0, 0, 1], 8888)),
            workers: 1,
            max_restarts: 100,
            shared_listener: false,
            header_timeout: Duration::from_millis(10_000),
            idle_timeout: Duration::from_millis(60_000),
            send_timeout: Duration::from_millis(30_000),
            max_connections: 10_000,
        }
    }
}

/// A command line that cannot be served.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}\nusage: http_server [--addr IP:PORT] [--workers N] [--header-timeout-ms MS] \
             [--idle-timeout-ms MS] [--send-timeout-ms MS] [--max-connections N]",
            self.0
        )
    }
}

impl std::error::Error for UsageError {}

impl Options {
    /// Parses the arguments after the program name.
    ///
    /// # Errors
    /// [`UsageError`] naming the flag that is wrong.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Options, UsageError> {
        let mut opts = Options::default();
        let mut args = args.into_iter();
        while let Some(flag) = args.next() {
            if flag == "--shared-listener" {
                opts.shared_listener = true;
                continue;
            }
            let mut value = || {
                args.next()
                    .ok_or_else(|| UsageError(format!("{flag} needs a value")))
            };
            match flag.as_str() {
                "--addr" => {
                    let v = value()?;
                    opts.addr = v
                        .parse()
                        .map_err(|_| UsageError(format!("--addr {v}: not an IP:PORT address")))?;
                }
                "--workers" => opts.workers = number(&flag, &value()?)?,
                "--max-restarts" => opts.max_restarts = number(&flag, &value()?)?,
                "--header-timeout-ms" => opts.header_timeout = millis(&flag, &value()?)?,
                "--idle-timeout-ms" => opts.idle_timeout = millis(&flag, &value()?)?,
                "--send-timeout-ms" => opts.send_timeout = millis(&flag, &value()?)?,
                "--max-connections" => opts.max_connections = number(&flag, &value()?)?,
                other => return Err(UsageError(format!("unknown argument {other}"))),
            }
        }
        if opts.workers > MAX_WORKERS {
            return Err(UsageError(format!(
                "--workers {}: at most {MAX_WORKERS}",
                opts.workers
            )));
        }
        if opts.max_connections == 0 || opts.max_connections > crate::http::server::MAX_CONNECTIONS {
            return Err(UsageError(format!(
                "--max-connections {}: must be between 1 and {}",
                opts.max_connections,
                crate::http::server::MAX_CONNECTIONS
            )));
        }
        Ok(opts)
    }
}

fn number(flag: &str, v: &str) -> Result<usize, UsageError> {
    v.parse()
        .map_err(|_| UsageError(format!("{flag} {v}: not a whole number")))
}

fn millis(flag: &str, v: &str) -> Result<Duration, UsageError> {
    number(flag, v).map(|ms| Duration::from_millis(ms as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options, UsageError> {
        Options::parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn defaults_and_flags() {
        assert_eq!(parse(&[]).unwrap(), Options::default());
        let o = parse(&[
            "--addr",
            "127.0.0.1:9",
            "--idle-timeout-ms",
            "5",
            "--send-timeout-ms",
            "7",
            "--max-connections",
            "3",
        ])
        .unwrap();
        assert_eq!(
            (o.addr.port(), o.idle_timeout, o.send_timeout, o.max_connections),
            (9, Duration::from_millis(5), Duration::from_millis(7), 3)
        );
        let o = parse(&["--workers", "2", "--max-restarts", "1", "--shared-listener"]).unwrap();
        assert_eq!((o.workers, o.max_restarts, o.shared_listener), (2, 1, true));
    }

    #[test]
    fn bad_lines_name_the_flag() {
        assert!(parse(&["--workers", "999"])
            .unwrap_err()
            .0
            .contains("--workers 999"));
        assert!(parse(&["--workers", "two"])
            .unwrap_err()
            .0
            .contains("--workers two"));
        assert!(parse(&["--addr", "nowhere"])
            .unwrap_err()
            .0
            .contains("--addr nowhere"));
        assert!(parse(&["--idle-timeout-ms"])
            .unwrap_err()
            .0
            .contains("needs a value"));
        assert!(parse(&["--bogus"]).unwrap_err().0.contains("--bogus"));
        assert!(parse(&["--max-connections", "0"]).is_err());
    }
}
