//! smoltcp on target: TCP between two interfaces joined by the in-memory
//! wire, on a virtual clock that jumps to the stacks' next deadline when
//! nothing is in flight — a request and its reply with an orderly close,
//! a lost segment recovered by retransmission, a bulk transfer through
//! small windows, and a reset from a closed port.

use eddy_firmware::harness::{Outcome, Test};
use eddy_firmware::wire::MemWire;
use eddy_firmware::{check, check_eq, check_ok};
use smoltcp::iface::{Config, Interface, SocketHandle, SocketSet, SocketStorage};
use smoltcp::socket::tcp;
use smoltcp::time::{Duration, Instant};
use smoltcp::wire::{HardwareAddress, IpAddress, IpCidr};

const MTU: usize = 576;
type Wire = MemWire<MTU, 4>;

const SERVER: IpAddress = IpAddress::v4(10, 0, 0, 1);
const CLIENT: IpAddress = IpAddress::v4(10, 0, 0, 2);
const PORT: u16 = 80;

/// One host: an interface and its single TCP socket.
struct Host<'a> {
    iface: Interface,
    sockets: SocketSet<'a>,
    tcp: SocketHandle,
}

impl<'a> Host<'a> {
    fn new(
        wire: &Wire,
        client: bool,
        storage: &'a mut [SocketStorage<'a>; 1],
        rx: &'a mut [u8],
        tx: &'a mut [u8],
    ) -> Host<'a> {
        let (mut port, addr, seed) = if client {
            (wire.a(), CLIENT, 2)
        } else {
            (wire.b(), SERVER, 1)
        };
        let mut config = Config::new(HardwareAddress::Ip);
        config.random_seed = seed;
        let mut iface = Interface::new(config, &mut port, Instant::ZERO);
        iface.update_ip_addrs(|addrs| {
            // Cannot fail: a fresh interface has room for one address.
            let _ = addrs.push(IpCidr::new(addr, 24));
        });
        let mut sockets = SocketSet::new(&mut storage[..]);
        let socket = tcp::Socket::new(tcp::SocketBuffer::new(rx), tcp::SocketBuffer::new(tx));
        let tcp = sockets.add(socket);
        Host { iface, sockets, tcp }
    }

    fn socket(&mut self) -> &mut tcp::Socket<'a> {
        self.sockets.get_mut::<tcp::Socket>(self.tcp)
    }
}

/// Both hosts on one wire, and the virtual clock.
struct Net<'a, 'w> {
    wire: &'w Wire,
    now: Instant,
    client: Host<'a>,
    server: Host<'a>,
}

impl Net<'_, '_> {
    /// Polls both stacks until `done`; the clock jumps to the next
    /// deadline whenever no packet is in flight. Gives up after
    /// `limit_ms` of virtual time, returning the virtual millisecond then.
    fn run_until(&mut self, limit_ms: i64, mut done: impl FnMut(&mut Self) -> bool) -> Result<(), i64> {
        let limit = self.now + Duration::from_millis(limit_ms as u64);
        loop {
            self.client
                .iface
                .poll(self.now, &mut self.wire.a(), &mut self.client.sockets);
            self.server
                .iface
                .poll(self.now, &mut self.wire.b(), &mut self.server.sockets);
            if done(self) {
                return Ok(());
            }
            if self.now >= limit {
                return Err(self.now.total_millis());
            }
            if self.wire.is_idle() {
                let next = [
                    self.client.iface.poll_at(self.now, &self.client.sockets),
                    self.server.iface.poll_at(self.now, &self.server.sockets),
                ]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(limit);
                let step = self.now + Duration::from_millis(1);
                self.now = next.max(step).min(limit);
            }
        }
    }
}

/// Builds the two hosts with `N`-byte socket buffers and runs `body`.
macro_rules! with_net {
    ($n:expr, |$net:ident| $body:block) => {{
        let wire = Wire::new();
        let (mut cs, mut ss) = ([SocketStorage::EMPTY], [SocketStorage::EMPTY]);
        let (mut crx, mut ctx, mut srx, mut stx) = ([0u8; $n], [0u8; $n], [0u8; $n], [0u8; $n]);
        let mut $net = Net {
            wire: &wire,
            now: Instant::ZERO,
            client: Host::new(&wire, true, &mut cs, &mut crx, &mut ctx),
            server: Host::new(&wire, false, &mut ss, &mut srx, &mut stx),
        };
        $body
    }};
}

fn connect(net: &mut Net<'_, '_>) -> Outcome {
    check_ok!(net.server.socket().listen(PORT));
    let cx = net.client.iface.context();
    check_ok!(net
        .client
        .sockets
        .get_mut::<tcp::Socket>(net.client.tcp)
        .connect(cx, (SERVER, PORT), 49152));
    check_ok!(net.run_until(1000, |n| n.client.socket().may_send()
        && n.server.socket().may_recv()));
    Ok(())
}

fn a_request_and_its_reply_cross_the_wire_and_close_in_order() -> Outcome {
    with_net!(1024, |net| {
        connect(&mut net)?;
        let request = b"GET /hello HTTP/1.1\r\nHost: eddy\r\n\r\n";
        check_eq!(check_ok!(net.client.socket().send_slice(request)), request.len());
        check_ok!(net.run_until(1000, |n| n.server.socket().recv_queue() == request.len()));
        let mut got = [0u8; 64];
        let n = check_ok!(net.server.socket().recv_slice(&mut got));
        check_eq!(&got[..n], &request[..]);
        let reply = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
        check_eq!(check_ok!(net.server.socket().send_slice(reply)), reply.len());
        net.server.socket().close();
        check_ok!(net.run_until(1000, |n| n.client.socket().state() == tcp::State::CloseWait));
        let n = check_ok!(net.client.socket().recv_slice(&mut got));
        check_eq!(&got[..n], &reply[..], "the reply, then end-of-file");
        net.client.socket().close();
        // The server closed first, so it is the one left in TIME-WAIT.
        check_ok!(net.run_until(1000, |n| n.client.socket().state() == tcp::State::Closed));
        check_eq!(net.server.socket().state(), tcp::State::TimeWait);
        check_eq!(
            net.wire.a_to_b.dropped() + net.wire.b_to_a.dropped(),
            0,
            "nothing was lost"
        );
        Ok(())
    })
}

fn a_lost_segment_is_retransmitted_after_a_timeout() -> Outcome {
    with_net!(1024, |net| {
        connect(&mut net)?;
        net.wire.a_to_b.lose_next(1);
        let t0 = net.now;
        check_ok!(net.client.socket().send_slice(b"lost once"));
        check_ok!(net.run_until(10_000, |n| n.server.socket().recv_queue() == 9));
        check_eq!(net.wire.a_to_b.dropped(), 1, "the first copy was dropped");
        let waited = (net.now - t0).total_millis();
        check!(waited > 0, "recovered only through a timer, after {} ms", waited);
        let mut got = [0u8; 16];
        let n = check_ok!(net.server.socket().recv_slice(&mut got));
        check_eq!(&got[..n], b"lost once");
        Ok(())
    })
}

fn pattern(i: usize) -> u8 {
    (i.wrapping_mul(7) ^ (i >> 8)) as u8
}

fn a_bulk_transfer_arrives_intact_through_small_windows() -> Outcome {
    const TOTAL: usize = 32 * 1024;
    with_net!(512, |net| {
        connect(&mut net)?;
        let (mut sent, mut received, mut bad) = (0usize, 0usize, 0usize);
        check_ok!(net.run_until(60_000, |n| {
            let mut chunk = [0u8; 128];
            while sent < TOTAL {
                let len = (TOTAL - sent).min(chunk.len());
                for (k, b) in chunk[..len].iter_mut().enumerate() {
                    *b = pattern(sent + k);
                }
                match n.client.socket().send_slice(&chunk[..len]) {
                    Ok(0) | Err(_) => break,
                    Ok(m) => sent += m,
                }
            }
            while let Ok(m) = n.server.socket().recv_slice(&mut chunk) {
                if m == 0 {
                    break;
                }
                bad += chunk[..m]
                    .iter()
                    .enumerate()
                    .filter(|(k, b)| **b != pattern(received + k))
                    .count();
                received += m;
            }
            received == TOTAL
        }));
        check_eq!(bad, 0, "every byte in order");
        check_eq!(received, TOTAL);
        Ok(())
    })
}

fn a_connection_to_a_closed_port_is_reset() -> Outcome {
    with_net!(256, |net| {
        let cx = net.client.iface.context();
        check_ok!(net
            .client
            .sockets
            .get_mut::<tcp::Socket>(net.client.tcp)
            .connect(cx, (SERVER, 81), 49153));
        check_ok!(net.run_until(1000, |n| n.client.socket().state() == tcp::State::Closed));
        check!(!net.client.socket().may_send(), "a reset connection cannot send");
        Ok(())
    })
}

/// This module's tests.
pub const TESTS: &[Test] = &[
    Test {
        name: "tcp::a_request_and_its_reply_cross_the_wire_and_close_in_order",
        run: a_request_and_its_reply_cross_the_wire_and_close_in_order,
    },
    Test {
        name: "tcp::a_lost_segment_is_retransmitted_after_a_timeout",
        run: a_lost_segment_is_retransmitted_after_a_timeout,
    },
    Test {
        name: "tcp::a_bulk_transfer_arrives_intact_through_small_windows",
        run: a_bulk_transfer_arrives_intact_through_small_windows,
    },
    Test {
        name: "tcp::a_connection_to_a_closed_port_is_reset",
        run: a_connection_to_a_closed_port_is_reset,
    },
];
