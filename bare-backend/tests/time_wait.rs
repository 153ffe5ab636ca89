//! TIME-WAIT and the pool: a released socket in TIME-WAIT still
//! acknowledges the peer's FIN before anything reuses it, so the peer's
//! close finishes at once instead of after a retransmission timeout.

use eddy_bare::phy::MemLoopback;
use eddy_bare::smoltcp::iface::{Config, Interface, SocketStorage};
use eddy_bare::smoltcp::socket::tcp::State;
use eddy_bare::smoltcp::wire::{HardwareAddress, IpAddress, IpCidr};
use eddy_bare::{ListenerId, SocketId, Stack};
use eddy_core::Instant;

type St = Stack<'static, MemLoopback<1500, 32>, 4>;
const HOST: IpAddress = IpAddress::v4(127, 0, 0, 1);

fn stack(sockets: usize) -> St {
    let mut device = MemLoopback::new();
    let mut iface = Interface::new(
        Config::new(HardwareAddress::Ip),
        &mut device,
        eddy_bare::smoltcp::time::Instant::ZERO,
    );
    iface.update_ip_addrs(|a| a.push(IpCidr::new(HOST, 8)).unwrap());
    let mut stack = Stack::new(iface, device, Box::leak(Box::new([SocketStorage::EMPTY; 4])));
    for _ in 0..sockets {
        stack
            .add_socket(vec![0u8; 512].leak(), vec![0u8; 512].leak())
            .unwrap();
    }
    stack
}

/// Polls a few rounds with the clock frozen: every frame on the loopback
/// is delivered, and no timer (retransmission, TIME-WAIT) ever fires.
fn settle(stack: &mut St) {
    for _ in 0..8 {
        stack.poll(Instant::ZERO);
    }
}

/// The pool slot of `id` (from its `Debug` form: the index is private).
fn slot(id: SocketId) -> String {
    let debug = format!("{id:?}");
    let start = debug.find("index: ").expect("an index field");
    debug[start..].split(',').next().unwrap_or_default().to_owned()
}

/// A connection on port 80 of `listener`, accepted: (server, client).
fn connected(stack: &mut St, listener: ListenerId) -> (SocketId, SocketId) {
    let client = stack.connect((HOST, 80)).unwrap();
    settle(stack);
    let server = stack.accept(listener).unwrap().expect("a connection to accept");
    (server, client)
}

/// The server closes first (its socket goes to TIME-WAIT), then the client.
fn close_server_first(stack: &mut St, server: SocketId, client: SocketId) {
    stack.release(server).unwrap();
    settle(stack);
    assert_eq!(stack.recv(client, &mut [0u8; 8]), Ok(0), "the client saw the FIN");
    stack.release(client).unwrap();
    settle(stack);
}

#[test]
fn the_peer_close_finishes_when_the_listener_needs_the_time_wait_socket() {
    // Two sockets: the listener's only way back to LISTEN is the server's
    // socket, which goes to TIME-WAIT when the client's FIN arrives.
    let mut stack = stack(2);
    let listener = stack.listen(80, 1).unwrap();
    let (server, client) = connected(&mut stack, listener);
    assert_eq!(stack.listening(listener), 0, "the pool is spent");
    close_server_first(&mut stack, server, client);
    // The FIN was acknowledged before the socket re-listened: the client's
    // socket is closed and free although no time passed.
    assert_eq!(stack.free_sockets(), 1, "the client's close finished");
    assert_eq!(stack.listening(listener), 1, "the TIME-WAIT socket listens again");
}

#[test]
fn a_time_wait_socket_is_reused_only_when_no_other_is_free() {
    let mut stack = stack(3);
    let listener = stack.listen(80, 1).unwrap();
    let (server, client) = connected(&mut stack, listener);
    close_server_first(&mut stack, server, client);
    assert_eq!(
        stack.free_sockets(),
        2,
        "the client's socket, and the one in TIME-WAIT"
    );
    // A second connection takes the free socket (the first client's), and
    // the listener's socket (armed on accept) is replaced by the TIME-WAIT
    // one only now.
    let (server2, client2) = connected(&mut stack, listener);
    assert_eq!(
        slot(client2),
        slot(client),
        "the free socket, not the one in TIME-WAIT"
    );
    assert_ne!(slot(client2), slot(server));
    assert_eq!(stack.state(server2), Ok(State::Established));
    assert_eq!(stack.state(client2), Ok(State::Established));
    assert_eq!(stack.listening(listener), 1, "the TIME-WAIT socket listens again");
    assert_eq!(stack.free_sockets(), 0);
}
