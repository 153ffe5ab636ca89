//! The hosted setup: a TAP device (smoltcp's `TunTapInterface`), an
//! Ethernet interface with the `--ip` address, a pool of [`SOCKETS`]
//! sockets, the real-time [`StdClock`] and the [`TapIdle`] hook that sleeps
//! in `poll(2)` on the TAP descriptor and the waker's descriptor.

use std::cell::RefCell;
use std::io::{self, Write};

use eddy_bare::smoltcp::iface::{Config as IfaceConfig, Interface, SocketStorage};
use eddy_bare::smoltcp::phy::{Medium, TunTapInterface};
use eddy_bare::smoltcp::wire::{EthernetAddress, HardwareAddress};
use eddy_bare::{BareBackend, Stack, StdClock, TapIdle, WakeFlag};
use eddy_core::http::Config;

use super::cli::Options;
use super::{start, Loop, Net, NetStack, SOCKETS};

/// Each socket's receive and transmit buffer: 64 KiB windows keep a
/// 1 MiB `/echo` moving on a host.
pub const SOCKET_BUFFER: usize = 64 * 1024;

/// The server's MAC address on the TAP link (locally administered).
pub const MAC: EthernetAddress = EthernetAddress([0x02, 0x00, 0x00, 0x00, 0x00, 0x02]);

/// A TAP device on a host.
#[derive(Debug)]
pub struct TapNet;

impl Net for TapNet {
    type Device = TunTapInterface;
    type Clock = StdClock;
    type Idle = TapIdle;
}

static WAKE: WakeFlag = WakeFlag::new();

/// Opens the TAP device and builds the stack (leaked: it lives as long as
/// the process).
///
/// # Errors
/// The OS error if the device cannot be opened (it must exist, and this
/// needs `CAP_NET_ADMIN`).
pub fn stack(opts: &Options) -> io::Result<&'static RefCell<NetStack<TapNet>>> {
    let mut device = TunTapInterface::new(&opts.tap, Medium::Ethernet)?;
    let mut config = IfaceConfig::new(HardwareAddress::Ethernet(MAC));
    config.random_seed = u64::from(std::process::id());
    let now = eddy_bare::smoltcp::time::Instant::from_micros(0);
    let mut iface = Interface::new(config, &mut device, now);
    let ip = opts.ip;
    iface.update_ip_addrs(|addrs| {
        let _ = addrs.push(ip);
    });
    let storage = Box::leak(Box::new([SocketStorage::EMPTY; SOCKETS]));
    let mut stack = Stack::new(iface, device, storage);
    for _ in 0..SOCKETS {
        let rx = vec![0u8; SOCKET_BUFFER].leak();
        let tx = vec![0u8; SOCKET_BUFFER].leak();
        stack
            .add_socket(rx, tx)
            .map_err(|_| io::Error::other("socket pool full"))?;
    }
    Ok(Box::leak(Box::new(RefCell::new(stack))))
}

/// Opens the device, listens, prints `listening on http://IP:PORT` and
/// serves until killed.
///
/// # Errors
/// Opening the device, listening, or a poll failure.
pub fn run(opts: &Options) -> Result<(), Box<dyn std::error::Error>> {
    let clock = StdClock::new();
    let stack = stack(opts)?;
    let backend = BareBackend::new(stack, clock, TapIdle::new(), &WAKE);
    let reactor: Box<Loop<TapNet>> = Box::new(Loop::<TapNet>::new(backend));
    let (mut reactor, mut server) = start(reactor, opts.port, opts.backlog, Config::new())?;
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "listening on http://{}:{} (tap {}, backlog {}, {} sockets)",
        opts.ip.address(),
        opts.port,
        opts.tap,
        opts.backlog,
        SOCKETS
    )?;
    out.flush()?;
    drop(out);
    reactor.run(&mut server)?;
    Ok(())
}
