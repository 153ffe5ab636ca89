//! The command line of `echo_server` and `chat_server`: where to listen
//! and how many connections to hold.

use std::fmt;
use std::net::SocketAddr;

/// The most connections a build can hold (the reactor's handler table is
/// sized for it).
pub const MAX_CONNECTIONS: usize = 16_000;

/// A line server's options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Where to listen (`--addr IP:PORT`).
    pub addr: SocketAddr,
    /// Open connections at most; accepting pauses while the slab is full
    /// (`--max-connections`, default 1024).
    pub max_connections: usize,
}

impl Options {
    /// The defaults: 127.0.0.1 on `port`, 1024 connections.
    pub fn new(port: u16) -> Options {
        Options {
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            max_connections: 1024,
        }
    }

    /// Parses the arguments after the program name, starting from
    /// `defaults`.
    ///
    /// # Errors
    /// [`UsageError`] naming the flag that is wrong.
    pub fn parse(defaults: Options, args: impl IntoIterator<Item = String>) -> Result<Options, UsageError> {
        let mut opts = defaults;
        let mut args = args.into_iter();
        while let Some(flag) = args.next() {
            let value = args
                .next()
                .ok_or_else(|| UsageError(format!("{flag} needs a value")));
            match flag.as_str() {
                "--addr" => {
                    let v = value?;
                    opts.addr = v
                        .parse()
                        .map_err(|_| UsageError(format!("--addr {v}: not an IP:PORT address")))?;
                }
                "--max-connections" => {
                    let v = value?;
                    opts.max_connections = match v.parse() {
                        Ok(n) if (1..=MAX_CONNECTIONS).contains(&n) => n,
                        _ => {
                            return Err(UsageError(format!(
                                "--max-connections {v}: must be between 1 and {MAX_CONNECTIONS}"
                            )))
                        }
                    };
                }
                other => return Err(UsageError(format!("unknown argument {other}"))),
            }
        }
        Ok(opts)
    }
}

/// A command line that cannot be served.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\nusage: [--addr IP:PORT] [--max-connections N]", self.0)
    }
}

impl std::error::Error for UsageError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options, UsageError> {
        Options::parse(Options::new(8889), args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn defaults_and_flags() {
        assert_eq!(parse(&[]).unwrap(), Options::new(8889));
        let o = parse(&["--addr", "127.0.0.1:0", "--max-connections", "3"]).unwrap();
        assert_eq!((o.addr.port(), o.max_connections), (0, 3));
    }

    #[test]
    fn bad_lines_name_the_flag() {
        assert!(parse(&["--addr", "nowhere"])
            .unwrap_err()
            .0
            .contains("--addr nowhere"));
        assert!(parse(&["--addr"]).unwrap_err().0.contains("needs a value"));
        assert!(parse(&["--max-connections", "0"])
            .unwrap_err()
            .0
            .contains("between 1"));
        assert!(parse(&["--bogus", "1"]).unwrap_err().0.contains("--bogus"));
    }
}
