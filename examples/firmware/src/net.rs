//! The image's network and its sizes: an in-memory loopback device, a
//! pool of TCP sockets (four for the HTTP server's connections, one for the
//! in-image client), the eddy-bare stack and backend over it, and the
//! reactor whose application state is the server and the client.
//!
//! Every size the footprint depends on is a constant here, so the size
//! table printed by `scripts/firmware.sh` can be read against them.

use core::cell::RefCell;
use core::time::Duration;

use eddy_bare::phy::MemLoopback;
use eddy_bare::smoltcp::iface::{Config, Interface, SocketStorage};
use eddy_bare::smoltcp::wire::{HardwareAddress, IpAddress, IpCidr};
use eddy_bare::{BareBackend, FnClock, Stack, WakeFlag};
use eddy_core::Reactor;

use crate::client::Client;
use crate::conn::Conn;
use crate::server::Server;

/// Largest IP packet on the loopback (TCP segments of 536 bytes).
pub const MTU: usize = 576;
/// Packets the loopback holds in flight; more are dropped and resent.
pub const FRAMES: usize = 4;
/// HTTP connections served at once (the backlog of the listener).
pub const CONNECTIONS: usize = 4;
/// TCP sockets of the in-image client.
pub const CLIENT_SOCKETS: usize = 1;
/// TCP sockets in the pool.
pub const SOCKETS: usize = CONNECTIONS + CLIENT_SOCKETS;
/// Receive and transmit buffer of each server socket (the TCP window and
/// send queue), under the HTTP connection's own buffers.
pub const SERVER_SOCKET_BUF: usize = 1024;
/// Receive and transmit buffer of each client socket.
pub const CLIENT_SOCKET_BUF: usize = 256;
/// The address of the loopback interface.
pub const ADDRESS: IpAddress = IpAddress::v4(127, 0, 0, 1);
/// The HTTP port.
pub const PORT: u16 = 80;

/// The loopback device.
pub type Device = MemLoopback<MTU, FRAMES>;
/// The idle hook's type: WFI unless a frame waits.
pub type IdleFn = fn(&mut Device, Option<Duration>);
/// The stack: interface, device and socket pool.
pub type NetStack = Stack<'static, Device, SOCKETS>;
/// The reactor's backend.
pub type Backend = BareBackend<'static, 'static, Device, FnClock, IdleFn, SOCKETS>;
/// The reactor: 8 queued callbacks, 8 timers, 8 registrations, 8 events a
/// poll.
pub type Loop = Reactor<Backend, App, 8, 8, 8, 8>;

/// The reactor's application state.
#[derive(Debug)]
pub struct App {
    /// The HTTP server.
    pub server: Server,
    /// The in-image client that checks the server's answers.
    pub client: Client,
}

impl App {
    /// Both idle; the server over its free connection slots.
    pub fn new(conns: [&'static mut Conn; CONNECTIONS]) -> App {
        App {
            server: Server::new(conns),
            client: Client::new(),
        }
    }
}

/// The socket buffers, in static storage provided by the caller.
#[derive(Debug)]
pub struct SocketBuffers {
    /// Server sockets: receive, then transmit.
    pub server: &'static mut [[[u8; SERVER_SOCKET_BUF]; 2]; CONNECTIONS],
    /// Client sockets: receive, then transmit.
    pub client: &'static mut [[[u8; CLIENT_SOCKET_BUF]; 2]; CLIENT_SOCKETS],
}

/// Builds the stack over a fresh loopback at `127.0.0.1/8` with every
/// socket of the pool added.
pub fn stack(storage: &'static mut [SocketStorage<'static>; SOCKETS], buffers: SocketBuffers) -> NetStack {
    let mut device = Device::new();
    let mut config = Config::new(HardwareAddress::Ip);
    config.random_seed = 0x6564_6479;
    let mut iface = Interface::new(config, &mut device, eddy_bare::smoltcp::time::Instant::ZERO);
    iface.update_ip_addrs(|addrs| {
        // Cannot fail: a fresh interface has room for an address.
        let _ = addrs.push(IpCidr::new(ADDRESS, 8));
    });
    let mut stack = Stack::new(iface, device, storage);
    let server = buffers
        .server
        .iter_mut()
        .map(|[rx, tx]| (&mut rx[..], &mut tx[..]));
    let client = buffers
        .client
        .iter_mut()
        .map(|[rx, tx]| (&mut rx[..], &mut tx[..]));
    for (rx, tx) in server.chain(client) {
        // Cannot fail: the pool has exactly SOCKETS slots.
        let _ = stack.add_socket(rx, tx);
    }
    stack
}

/// The backend over `stack`: the SysTick clock, WFI when idle.
pub fn backend(stack: &'static RefCell<NetStack>, wake: &'static WakeFlag) -> Backend {
    BareBackend::new(
        stack,
        FnClock(crate::board::now),
        crate::board::idle::<Device> as IdleFn,
        wake,
    )
}
