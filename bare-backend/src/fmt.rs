//! Logging shim: `trace!` … `error!` routed to `log`, to `defmt`, or to
//! nothing.
//!
//! With neither feature on, the macros still reference their arguments so a
//! build without logging sees the same "unused variable" lints as one with
//! it. Format strings must stick to the `{}`/`{:?}` subset that both `log`
//! and `defmt` accept.

#![allow(unused_macros)]

#[cfg(all(feature = "log", feature = "defmt"))]
compile_error!("eddy-bare: enable at most one of the `log` and `defmt` features");

macro_rules! log_at {
    ($level:ident, $($arg:tt)+) => {{
        #[cfg(feature = "log")]
        { ::log::$level!($($arg)+); }
        #[cfg(feature = "defmt")]
        { ::defmt::$level!($($arg)+); }
        #[cfg(not(any(feature = "log", feature = "defmt")))]
        { let _ = ::core::format_args!($($arg)+); }
    }};
}

macro_rules! trace { ($($arg:tt)+) => { log_at!(trace, $($arg)+) }; }
macro_rules! debug { ($($arg:tt)+) => { log_at!(debug, $($arg)+) }; }
macro_rules! info { ($($arg:tt)+) => { log_at!(info, $($arg)+) }; }
macro_rules! warn { ($($arg:tt)+) => { log_at!(warn, $($arg)+) }; }
macro_rules! error { ($($arg:tt)+) => { log_at!(error, $($arg)+) }; }
