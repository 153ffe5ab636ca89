//! Declares the crate's custom cfg so `--cfg eddy_force_poll` is checked,
//! not flagged as unexpected (the crate inherits `[lints] workspace = true`,
//! so a per-crate `[lints.rust]` table is not available).

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rustc-check-cfg=cfg(eddy_force_poll)");
}
