//! # eddy-firmware
//!
//! The pieces shared by the Cortex-M firmware image (`src/main.rs`) and the
//! on-target tests (`tests/on_target.rs`), both built for
//! `thumbv7em-none-eabihf` and run under QEMU (`mps2-an386`):
//!
//! - [`wire`]: an in-memory smoltcp device in fixed storage, so a TCP
//!   exchange runs inside one image with no network and no allocator;
//! - [`harness`]: the on-target test runner, which prints
//!   `N passed, N failed` over semihosting and exits with the result.

#![no_std]
#![forbid(unsafe_code)]

pub mod harness;
pub mod wire;
