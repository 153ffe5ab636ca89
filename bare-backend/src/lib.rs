//! # eddy-bare
//!
//! The smoltcp backend of eddy: the reactor's [`Backend`](eddy_core::Backend)
//! over any [`smoltcp::phy::Device`], a caller-supplied clock and idle hook,
//! and a fixed pool of TCP sockets whose storage the caller supplies. It is
//! `#![no_std]` and needs no allocator, so the same code runs in firmware
//! and, over a loopback or TAP device, on a host.
//!
//! ## The layers
//!
//! - [`Stack`] (in `stack`): the smoltcp `Interface`, the device, the
//!   `SocketSet` and the pool bookkeeping. Sockets are added with their
//!   buffers by the caller ([`Stack::add_socket`]; a full pool hands the
//!   buffers back instead of panicking as `SocketSet::add` would).
//! - `listener`: [`Stack::listen`] with a backlog of `k` sockets listening
//!   on one port, [`Stack::accept`], and re-arming: a free socket listens
//!   in place of each one a SYN took, after every received frame (and
//!   whenever a released socket becomes free).
//! - `socket`: connections — [`Stack::connect`], [`Stack::recv`],
//!   [`Stack::send`], [`Stack::close`] (half-close), [`Stack::release`].
//! - `readiness`: how socket state becomes [`Ready`](eddy_core::Ready)
//!   flags (receive data or space, peer FIN as `READ_CLOSED`, a reset as
//!   `ERROR`), reported once per change.
//! - [`BareBackend`] (in `backend`): the [`Backend`](eddy_core::Backend)
//!   itself, sharing the stack through a `&RefCell<Stack>`; it sleeps in
//!   the [`Idle`] hook for at most the reactor's timeout and
//!   `Interface::poll_delay`. Its [`Source`] is a [`SocketId`] or a
//!   [`ListenerId`].
//! - [`BareTransport`] (in `transport`): one connection as an `embedded-io`
//!   transport, so [`eddy_core::stream::BufferedStream`] and the HTTP
//!   server run over smoltcp; [`BareConnecting`] (in `connecting`) is a
//!   client connection being opened, and both implement the core's
//!   `IoSource` / `ConnectAttempt` for [`BareBackend`].
//! - [`phy`]: [`MemLoopback`](phy::MemLoopback), an in-memory loopback
//!   device without allocation, for tests on any target.
//! - `wake`: [`WakeFlag`] and [`BareWaker`]; with `std` the flag also
//!   owns a wake descriptor, so a wake from another thread ends a host's
//!   sleep at once.
//! - `host` (feature `std`): `StdClock` and `TapIdle`, for a TAP device
//!   on Linux; `TapIdle` sleeps on the device and the wake descriptor.
//! - [`SocketError`], [`ListenError`], [`ConnectError`], [`BareError`] and
//!   [`TransportError`]: what failed, and what to do about it.
//!
//! ## Example
//!
//! ```
//! use core::cell::RefCell;
//! use eddy_bare::phy::MemLoopback;
//! use eddy_bare::smoltcp::iface::{Config, Interface, SocketStorage};
//! use eddy_bare::smoltcp::wire::{HardwareAddress, IpAddress, IpCidr};
//! use eddy_bare::{BareBackend, FnClock, Source, Stack, WakeFlag};
//! use eddy_core::{Backend, Event, Instant, Interest, Token};
//!
//! static WAKE: WakeFlag = WakeFlag::new();
//! let mut device = MemLoopback::<1500, 8>::new();
//! let mut iface = Interface::new(
//!     Config::new(HardwareAddress::Ip),
//!     &mut device,
//!     eddy_bare::smoltcp::time::Instant::ZERO,
//! );
//! iface.update_ip_addrs(|a| a.push(IpCidr::new(IpAddress::v4(127, 0, 0, 1), 8)).unwrap());
//! let storage = Box::leak(Box::new([SocketStorage::EMPTY; 2]));
//! let mut stack = Stack::new(iface, device, storage);
//! for _ in 0..2 {
//!     let (rx, tx) = (Box::leak(Box::new([0u8; 256])), Box::leak(Box::new([0u8; 256])));
//!     stack.add_socket(rx, tx).unwrap();
//! }
//! let listener = stack.listen(80, 1)?;
//! let stack = RefCell::new(stack);
//!
//! // A frozen clock and an idle hook that returns at once: fine for a
//! // loopback, where every frame is already there.
//! let idle = |_: &mut MemLoopback<1500, 8>, _| {};
//! let mut backend = BareBackend::new(&stack, FnClock(|| Instant::ZERO), idle, &WAKE);
//! backend.register(Source::Listener(listener), Token::new(0, 0), Interest::READABLE)?;
//! stack.borrow_mut().connect((IpAddress::v4(127, 0, 0, 1), 80))?;
//!
//! // The handshake takes a few rounds through the loopback.
//! let mut events = [Event::EMPTY; 4];
//! let mut n = 0;
//! for _ in 0..8 {
//!     n = backend.poll(&mut events, Some(core::time::Duration::ZERO))?;
//!     if n > 0 {
//!         break;
//!     }
//! }
//! assert_eq!(n, 1, "the listener is readable: a connection waits");
//! assert_eq!(events[0].token, Token::new(0, 0));
//! assert!(stack.borrow_mut().accept(listener)?.is_some());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Features
//!
//! - `medium-ip` (default): IP links without a link layer, such as
//!   [`MemLoopback`](phy::MemLoopback).
//! - `medium-ethernet`: Ethernet links (ARP and framing); off by default so
//!   a firmware image on an IP link does not carry it.
//! - `std`: smoltcp's `std` and TAP support (with `medium-ethernet`),
//!   `StdClock` (a monotonic clock) and `TapIdle` (the idle hook: `poll(2)`
//!   on the device and the wake descriptor, through rustix), logging
//!   through `log`.
//! - `log`: log through the `log` facade.
//! - `defmt`: log through `defmt` and derive `defmt::Format` (firmware).
//!
//! Without `std` the crate builds for `thumbv7em-none-eabihf` with smoltcp's
//! `medium-ip` (or `medium-ethernet`, or both), `proto-ipv4` and
//! `socket-tcp` only. At least one medium must be on.

#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(feature = "std")]
extern crate std;

#[macro_use]
mod fmt;

mod backend;
mod connecting;
mod error;
#[cfg(feature = "std")]
mod host;
mod id;
mod listener;
pub mod phy;
mod readiness;
mod socket;
mod stack;
mod transport;
mod wake;

pub use backend::{BareBackend, FnClock, Idle};
pub use connecting::BareConnecting;
pub use error::{BareError, ConnectError, ListenError, SocketError};
#[cfg(feature = "std")]
pub use host::{StdClock, TapIdle};
pub use id::{ListenerId, SocketId, Source};
pub use smoltcp;
pub use stack::{Buffers, Stack};
pub use transport::{BareTransport, TransportError};
pub use wake::{BareWaker, WakeFlag};
