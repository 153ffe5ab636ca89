//! Logging shim: `trace!` … `warn!` routed to `log`, or to nothing.
//!
//! With the `log` feature off the macros still reference their arguments, so
//! both builds see the same "unused variable" lints.

#![allow(unused_macros)]

macro_rules! log_at {
    ($level:ident, $($arg:tt)+) => {{
        #[cfg(feature = "log")]
        { ::log::$level!($($arg)+); }
        #[cfg(not(feature = "log"))]
        { let _ = ::core::format_args!($($arg)+); }
    }};
}

macro_rules! trace { ($($arg:tt)+) => { log_at!(trace, $($arg)+) }; }
macro_rules! debug { ($($arg:tt)+) => { log_at!(debug, $($arg)+) }; }
macro_rules! warn { ($($arg:tt)+) => { log_at!(warn, $($arg)+) }; }
