//! # eddy-firmware
//!
//! The pieces of the Cortex-M firmware image (`src/main.rs`) and the
//! on-target tests (`tests/on_target/`), both built for
//! `thumbv7em-none-eabihf` and run under QEMU (`mps2-an386`):
//!
//! - [`net`]: the image's sizes and types — the in-memory loopback, the
//!   socket pool, the eddy-bare stack and backend, the reactor and its
//!   application state;
//! - [`server`], [`conn`] and [`routes`]: the HTTP server, four
//!   connections, each the core's `http::HttpStream` (a buffered stream
//!   with 2 KiB read and write buffers driving the sans-I/O
//!   `http::Connection`) over a socket of the stack;
//! - [`client`], [`script`] and [`reply`]: the in-image client, the
//!   requests it checks the server with, and how it reads a response head;
//! - [`board`]: the SysTick clock and the WFI idle hook;
//! - [`wire`]: a two-port in-memory smoltcp network, so TCP between two
//!   interfaces runs inside one image with no allocator;
//! - [`harness`]: the on-target test runner, which prints
//!   `N passed, N failed` over semihosting and exits with the result.

#![no_std]
#![forbid(unsafe_code)]

pub mod board;
pub mod client;
pub mod conn;
pub mod harness;
pub mod net;
pub mod reply;
pub mod routes;
pub mod script;
pub mod server;
pub mod wire;
