//! The command line: the usage text, what it asks for ([`Config`]) and
//! its parser.

use std::net::SocketAddr;
use std::time::Duration;

pub(crate) const USAGE: &str =
    "usage: echo_load --addr 127.0.0.1:PORT [--connections 50] [--message-size 64] \
                     [--duration-secs 5] [--window 4] [--threads 2] [--drain-secs 10]";

/// The largest message the echo servers accept (their 64 KiB line limit).
const MAX_MESSAGE: usize = 64 * 1024;

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Config {
    pub(crate) addr: SocketAddr,
    pub(crate) connections: usize,
    pub(crate) message_size: usize,
    pub(crate) duration: Duration,
    pub(crate) window: u64,
    pub(crate) threads: usize,
    pub(crate) drain: Duration,
}

pub(crate) fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Config, String> {
    let mut addr = None;
    let mut cfg = Config {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        connections: 50,
        message_size: 64,
        duration: Duration::from_secs(5),
        window: 4,
        threads: 2,
        drain: Duration::from_secs(10),
    };
    while let Some(arg) = args.next() {
        let (name, value) = match arg.split_once('=') {
            Some((name, value)) => (name.to_owned(), value.to_owned()),
            None if arg == "-h" || arg == "--help" => return Err("help requested".into()),
            None => {
                let value = args.next().ok_or_else(|| format!("{arg} needs a value"))?;
                (arg, value)
            }
        };
        let bad = |e: &dyn std::fmt::Display| format!("bad {name} `{value}`: {e}");
        let secs = |v: &str| -> Result<Duration, String> {
            let s: f64 = v.parse().map_err(|e| bad(&e))?;
            Duration::try_from_secs_f64(s).map_err(|e| bad(&e))
        };
        match name.as_str() {
            "--addr" => addr = Some(value.parse().map_err(|e| bad(&e))?),
            "--connections" => cfg.connections = value.parse().map_err(|e| bad(&e))?,
            "--message-size" => cfg.message_size = value.parse().map_err(|e| bad(&e))?,
            "--duration-secs" => cfg.duration = secs(&value)?,
            "--window" => cfg.window = value.parse().map_err(|e| bad(&e))?,
            "--threads" => cfg.threads = value.parse().map_err(|e| bad(&e))?,
            "--drain-secs" => cfg.drain = secs(&value)?,
            _ => return Err(format!("unknown argument `{name}`")),
        }
    }
    cfg.addr = addr.ok_or("--addr is required")?;
    if !(1..=MAX_MESSAGE).contains(&cfg.message_size) {
        return Err(format!(
            "--message-size must be 1..={MAX_MESSAGE} (the servers' line limit)"
        ));
    }
    if cfg.connections == 0 || cfg.window == 0 || cfg.threads == 0 {
        return Err("--connections, --window and --threads must be at least 1".into());
    }
    if cfg.duration.is_zero() {
        return Err("--duration-secs must be above 0".into());
    }
    Ok(cfg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> impl Iterator<Item = String> {
        list.iter()
            .map(|s| (*s).to_owned())
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn defaults_are_the_benchmark_load() {
        let cfg = parse_args(args(&["--addr", "127.0.0.1:9"])).unwrap();
        assert_eq!(
            (cfg.connections, cfg.message_size, cfg.window, cfg.threads),
            (50, 64, 4, 2)
        );
        assert_eq!(cfg.duration, Duration::from_secs(5));
    }

    #[test]
    fn both_spellings_and_fractional_seconds() {
        let cfg = parse_args(args(&[
            "--addr=127.0.0.1:9",
            "--message-size",
            "16384",
            "--duration-secs=0.5",
        ]))
        .unwrap();
        assert_eq!(cfg.message_size, 16384);
        assert_eq!(cfg.duration, Duration::from_millis(500));
    }

    #[test]
    fn rejects_bad_arguments() {
        for bad in [
            &[][..],
            &["--addr"],
            &["--addr", "127.0.0.1:9", "--message-size", "0"],
            &["--addr", "127.0.0.1:9", "--message-size", "65537"],
            &["--addr", "127.0.0.1:9", "--connections", "0"],
            &["--addr", "127.0.0.1:9", "--duration-secs", "-1"],
            &["--addr", "127.0.0.1:9", "--bogus", "1"],
        ] {
            assert!(parse_args(args(bad)).is_err(), "{bad:?}");
        }
    }
}
