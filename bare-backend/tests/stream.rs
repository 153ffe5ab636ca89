//! `BareTransport` under eddy's `BufferedStream`: the transport contract
//! (would-block as `Interrupted`, end of stream, reset) seen through the
//! stream's reads, writes and close reasons, over the in-memory loopback.

use core::cell::RefCell;

use eddy_bare::phy::MemLoopback;
use eddy_bare::smoltcp::iface::{Config, Interface, SocketStorage};
use eddy_bare::smoltcp::wire::{HardwareAddress, IpAddress, IpCidr};
use eddy_bare::{BareTransport, SocketError, SocketId, Stack};
use eddy_core::stream::{BufferedStream, CloseReason};
use eddy_core::Instant;

type Dev = MemLoopback<1500, 32>;
type St = Stack<'static, Dev, 4>;
type Stream = BufferedStream<BareTransport<'static, 'static, Dev, 4>, 256, 4096>;
const HOST: IpAddress = IpAddress::v4(127, 0, 0, 1);

/// A stack with an accepted server socket and its client.
fn connected() -> (&'static RefCell<St>, SocketId, SocketId) {
    let mut device = Dev::new();
    let mut iface = Interface::new(
        Config::new(HardwareAddress::Ip),
        &mut device,
        eddy_bare::smoltcp::time::Instant::ZERO,
    );
    iface.update_ip_addrs(|a| a.push(IpCidr::new(HOST, 8)).unwrap());
    let mut stack = Stack::new(iface, device, Box::leak(Box::new([SocketStorage::EMPTY; 4])));
    for _ in 0..4 {
        stack
            .add_socket(vec![0; 1024].leak(), vec![0; 1024].leak())
            .unwrap();
    }
    let l = stack.listen(80, 1).unwrap();
    let client = stack.connect((HOST, 80)).unwrap();
    settle_stack(&mut stack);
    let server = stack.accept(l).unwrap().unwrap();
    (Box::leak(Box::new(RefCell::new(stack))), server, client)
}

fn settle_stack(stack: &mut St) {
    for _ in 0..8 {
        stack.poll(Instant::ZERO);
    }
}

fn settle(stack: &RefCell<St>) {
    settle_stack(&mut stack.borrow_mut());
}

#[test]
fn lines_in_and_a_reply_out() {
    let (stack, server, client) = connected();
    let mut stream = Stream::new(BareTransport::new(stack, server));
    stream.read_until(b"\n", 256).unwrap();
    stream.on_readable();
    assert!(stream.poll_read().is_none(), "nothing sent yet: would block");
    stack.borrow_mut().send(client, b"hello\nworld\n").unwrap();
    settle(stack);
    stream.on_readable();
    let line = stream.poll_read().expect("a line").unwrap();
    assert_eq!(stream.data(&line), b"hello\n");
    stream.consume(line).unwrap();

    // More than the socket's 1 KiB send queue: the stream keeps the rest
    // and sends it as space comes back.
    let reply = [b'x'; 3000];
    stream.write(&reply).unwrap();
    let mut got = Vec::new();
    for _ in 0..50 {
        stream.on_writable();
        settle(stack);
        let mut buf = [0u8; 512];
        while let Ok(n) = stack.borrow_mut().recv(client, &mut buf) {
            got.extend_from_slice(&buf[..n]);
        }
    }
    assert!(stream.is_flushed());
    assert_eq!(got.len(), 3000);
}

#[test]
fn peer_close_and_reset_are_the_close_reasons() {
    let (stack, server, client) = connected();
    let mut stream = Stream::new(BareTransport::new(stack, server));
    stream.read_until_close().unwrap();
    stack.borrow_mut().send(client, b"bye").unwrap();
    stack.borrow_mut().close(client).unwrap();
    settle(stack);
    stream.on_readable();
    let all = stream.poll_read().expect("read to the end").unwrap();
    assert_eq!(stream.data(&all), b"bye");
    stream.consume(all).unwrap();

    let (stack, server, client) = connected();
    let mut stream = Stream::new(BareTransport::new(stack, server));
    stream.read_until(b"\n", 256).unwrap();
    stack.borrow_mut().abort(client).unwrap();
    settle(stack);
    stream.on_readable();
    assert_eq!(stream.poll_close(), Some(CloseReason::Reset));
    assert_eq!(
        stack.borrow_mut().recv(server, &mut [0u8; 4]),
        Err(SocketError::Reset)
    );
}

#[test]
fn dropping_the_transport_closes_and_frees_its_socket() {
    let (stack, server, client) = connected();
    let free = stack.borrow().free_sockets();
    let mut stream = Stream::new(BareTransport::new(stack, server));
    stream.write(b"last").unwrap();
    stream.on_writable();
    drop(stream);
    settle(stack);
    let mut buf = [0u8; 8];
    assert_eq!(
        stack.borrow_mut().recv(client, &mut buf),
        Ok(4),
        "queued bytes still go out"
    );
    assert_eq!(stack.borrow_mut().recv(client, &mut buf), Ok(0), "then a FIN");
    stack.borrow_mut().release(client).unwrap();
    for _ in 0..4 {
        settle(stack);
    }
    assert_eq!(
        stack.borrow().free_sockets(),
        free + 2,
        "both sockets are back in the pool"
    );
    assert_eq!(stack.borrow_mut().recv(server, &mut buf), Err(SocketError::Stale));
}
