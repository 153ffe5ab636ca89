//! Names the platform families `src/sys/` splits on, once, as cfgs, so
//! the lists of `target_os` values are written here and nowhere else:
//!
//! - `eddy_epoll`: Linux and Android — `epoll(7)`, `eventfd(2)`, pidfd,
//!   `POLLRDHUP`;
//! - `eddy_kqueue`: the 64-bit Apple platforms and FreeBSD — `kqueue(2)`
//!   with `EVFILT_PROC` (the targets where rustix offers its kqueue API);
//! - `eddy_no_pipe2`: the unixes without `pipe2(2)` (Apple, AIX, Haiku,
//!   QNX), where a pipe's flags are set with `fcntl(2)` after the call.
//!
//! It also declares `eddy_force_poll`, given by the user in `RUSTFLAGS`,
//! so that every one of these is checked rather than flagged as unexpected
//! (the crate inherits `[lints] workspace = true`, so a per-crate
//! `[lints.rust]` table is not available).

use std::env;

/// Apple's operating systems, as `target_os` names them.
const APPLE: [&str; 5] = ["macos", "ios", "tvos", "watchos", "visionos"];

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    for cfg in ["eddy_force_poll", "eddy_epoll", "eddy_kqueue", "eddy_no_pipe2"] {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
    }
    // The target's, not the host's: cargo sets these for the build script.
    let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let wide = env::var("CARGO_CFG_TARGET_POINTER_WIDTH").is_ok_and(|w| w == "64");
    let apple = APPLE.contains(&os.as_str());
    if matches!(os.as_str(), "linux" | "android") {
        println!("cargo::rustc-cfg=eddy_epoll");
    }
    if wide && (apple || os == "freebsd") {
        println!("cargo::rustc-cfg=eddy_kqueue");
    }
    if apple || matches!(os.as_str(), "aix" | "haiku" | "nto") {
        println!("cargo::rustc-cfg=eddy_no_pipe2");
    }
}
