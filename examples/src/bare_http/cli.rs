//! `bare_http`'s command line.

use std::fmt;

use eddy_bare::smoltcp::wire::{IpCidr, Ipv4Cidr};

/// The server's options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// The TAP device to open (`--tap NAME`, required; it must exist and
    /// be up).
    pub tap: String,
    /// The server's address and prefix on the TAP link (`--ip CIDR`,
    /// required, e.g. `192.168.69.2/24`).
    pub ip: IpCidr,
    /// The port (`--port`, default 8080).
    pub port: u16,
    /// Sockets listening on the port at once (`--backlog`, default 4).
    pub backlog: u16,
}

/// A command line that cannot be served.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}\nusage: bare_http --tap NAME --ip A.B.C.D/LEN [--port N] [--backlog N]",
            self.0
        )
    }
}

impl std::error::Error for UsageError {}

impl Options {
    /// Parses the arguments after the program name.
    ///
    /// # Errors
    /// [`UsageError`] naming the flag that is wrong or missing.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Options, UsageError> {
        let (mut tap, mut ip, mut port, mut backlog) = (None, None, 8080u16, 4u16);
        let mut args = args.into_iter();
        while let Some(flag) = args.next() {
            let mut value = || {
                args.next()
                    .ok_or_else(|| UsageError(format!("{flag} needs a value")))
            };
            match flag.as_str() {
                "--tap" => tap = Some(value()?),
                "--ip" => {
                    let v = value()?;
                    let cidr: Ipv4Cidr = v.parse().map_err(|_| {
                        UsageError(format!("--ip {v}: not an IPv4 address with a prefix length"))
                    })?;
                    ip = Some(IpCidr::Ipv4(cidr));
                }
                "--port" => port = number(&flag, &value()?)?,
                "--backlog" => backlog = number(&flag, &value()?)?,
                other => return Err(UsageError(format!("unknown argument {other}"))),
            }
        }
        let tap = tap.ok_or_else(|| UsageError("--tap NAME is required".into()))?;
        let ip = ip.ok_or_else(|| UsageError("--ip CIDR is required".into()))?;
        if port == 0 {
            return Err(UsageError("--port 0: choose a port".into()));
        }
        if backlog == 0 || usize::from(backlog) >= super::SOCKETS {
            return Err(UsageError(format!(
                "--backlog {backlog}: must be between 1 and {}",
                super::SOCKETS - 1
            )));
        }
        Ok(Options {
            tap,
            ip,
            port,
            backlog,
        })
    }
}

fn number(flag: &str, v: &str) -> Result<u16, UsageError> {
    v.parse()
        .map_err(|_| UsageError(format!("{flag} {v}: not a whole number up to 65535")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options, UsageError> {
        Options::parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn flags_and_defaults() {
        let o = parse(&["--tap", "tap0", "--ip", "192.168.69.2/24"]).unwrap();
        assert_eq!((o.tap.as_str(), o.port, o.backlog), ("tap0", 8080, 4));
        assert_eq!(o.ip.to_string(), "192.168.69.2/24");
        let o = parse(&[
            "--tap",
            "t",
            "--ip",
            "10.0.0.2/8",
            "--port",
            "81",
            "--backlog",
            "2",
        ])
        .unwrap();
        assert_eq!((o.port, o.backlog), (81, 2));
    }

    #[test]
    fn bad_lines_name_the_flag() {
        assert!(parse(&["--ip", "192.168.69.2/24"])
            .unwrap_err()
            .0
            .contains("--tap"));
        assert!(parse(&["--tap", "t"]).unwrap_err().0.contains("--ip"));
        assert!(parse(&["--tap", "t", "--ip", "nowhere"])
            .unwrap_err()
            .0
            .contains("--ip nowhere"));
        assert!(parse(&["--tap", "t", "--ip", "1.2.3.4/24", "--port", "x"]).is_err());
        assert!(parse(&["--tap", "t", "--ip", "1.2.3.4/24", "--backlog", "0"]).is_err());
        assert!(parse(&["--bogus"]).unwrap_err().0.contains("--bogus"));
    }
}
