//! # eddy-bare
//!
//! The smoltcp backend of eddy: the reactor's [`Backend`](eddy_core::Backend)
//! over any `smoltcp::phy::Device`, a caller-supplied clock and fixed socket
//! storage. This crate holds no code yet; hosted programs use `eddy-std`,
//! and firmware can drive `eddy-core` directly with its own backend.

#![no_std]
#![forbid(unsafe_code)]
