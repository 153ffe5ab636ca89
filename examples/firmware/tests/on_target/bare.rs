//! eddy-bare on target: a listener with a backlog of four serves four
//! clients at once over the in-memory loopback, each accepted connection a
//! `BufferedStream` over `BareTransport`, and a backend poll that sleeps
//! through its idle hook on a virtual clock.

use core::cell::RefCell;
use core::fmt::Write as _;
use core::sync::atomic::{AtomicU32, Ordering};
use core::time::Duration;

use eddy_bare::phy::MemLoopback;
use eddy_bare::smoltcp::iface::{Config, Interface, SocketStorage};
use eddy_bare::smoltcp::wire::{HardwareAddress, IpAddress, IpCidr};
use eddy_bare::{BareBackend, BareTransport, FnClock, SocketError, SocketId, Source, Stack, WakeFlag};
use eddy_core::stream::BufferedStream;
use eddy_core::{Backend, Event, Instant, Interest, Token};
use eddy_firmware::harness::{Outcome, Test};
use eddy_firmware::{check, check_eq, check_ok};
use heapless::{String, Vec};

type Dev = MemLoopback<576, 8>;
const SOCKETS: usize = 8;
const LOCALHOST: IpAddress = IpAddress::v4(127, 0, 0, 1);

/// Virtual milliseconds: only the idle hook moves them.
static CLOCK_MS: AtomicU32 = AtomicU32::new(0);
static WAKE: WakeFlag = WakeFlag::new();

fn now() -> Instant {
    Instant::from_millis(u64::from(CLOCK_MS.load(Ordering::Relaxed)))
}

/// Sleeping is jumping the clock to the end of the allowed sleep.
fn idle(_: &mut Dev, timeout: Option<Duration>) {
    let ms = timeout.map_or(1, |t| t.as_millis().clamp(1, 1000) as u32);
    CLOCK_MS.fetch_add(ms, Ordering::Relaxed);
}

fn line(prefix: &str, i: usize) -> String<16> {
    let mut s = String::new();
    // Cannot fail: 16 bytes hold the longest line.
    let _ = writeln!(s, "{prefix} {i}");
    s
}

fn four_clients_are_served_at_once_by_a_backlog_of_four() -> Outcome {
    let mut device = Dev::new();
    let mut iface = Interface::new(
        Config::new(HardwareAddress::Ip),
        &mut device,
        eddy_bare::smoltcp::time::Instant::ZERO,
    );
    iface.update_ip_addrs(|a| {
        let _ = a.push(IpCidr::new(LOCALHOST, 8));
    });
    let mut storage = [SocketStorage::EMPTY; SOCKETS];
    let mut buffers = [[[0u8; 512]; 2]; SOCKETS];
    let mut stack = Stack::new(iface, device, &mut storage);
    for [rx, tx] in buffers.iter_mut() {
        check!(
            stack.add_socket(rx, tx).is_ok(),
            "the pool has room for every socket"
        );
    }
    let listener = check_ok!(stack.listen(80, 4));
    check_eq!(stack.listening(listener), 4);
    let stack = RefCell::new(stack);
    let mut backend = BareBackend::new(
        &stack,
        FnClock(now),
        idle as fn(&mut Dev, Option<Duration>),
        &WAKE,
    );
    check_ok!(backend.register(Source::Listener(listener), Token::new(0, 0), Interest::READABLE));
    let mut clients: Vec<SocketId, 4> = Vec::new();
    for _ in 0..4 {
        let id = check_ok!(stack.borrow_mut().connect((LOCALHOST, 80)));
        check!(clients.push(id).is_ok());
    }

    // All four are accepted while all four stay open.
    let mut streams: Vec<BufferedStream<BareTransport<'_, '_, Dev, SOCKETS>, 64, 64>, 4> = Vec::new();
    let mut events = [Event::EMPTY; 8];
    let mut listener_events = 0;
    for _ in 0..100 {
        if streams.is_full() {
            break;
        }
        let n = check_ok!(backend.poll(&mut events, Some(Duration::from_millis(20))));
        listener_events += events[..n].iter().filter(|e| e.token == Token::new(0, 0)).count();
        while let Some(id) = check_ok!(stack.borrow_mut().accept(listener)) {
            let mut stream = BufferedStream::new(BareTransport::new(&stack, id));
            check_ok!(stream.read_until(b"\n", 64));
            check!(streams.push(stream).is_ok(), "a fifth connection was accepted");
        }
    }
    check_eq!(streams.len(), 4, "accepted connections");
    check!(listener_events > 0, "the listener reported readable");

    for (i, id) in clients.iter().enumerate() {
        let ping = line("ping", i);
        check_eq!(
            check_ok!(stack.borrow_mut().send(*id, ping.as_bytes())),
            ping.len()
        );
    }
    // Each server stream answers the line it got: "ping i" -> "pong i".
    let mut answered = 0;
    for _ in 0..100 {
        if answered == 4 {
            break;
        }
        check_ok!(backend.poll(&mut events, Some(Duration::from_millis(20))));
        for s in streams.iter_mut() {
            s.on_readable();
            if let Some(done) = s.poll_read() {
                let done = check_ok!(done);
                let mut reply = [0u8; 16];
                let got = s.data(&done);
                check!(
                    got.starts_with(b"ping ") && got.len() <= reply.len(),
                    "got {:?}",
                    got
                );
                reply[..got.len()].copy_from_slice(got);
                reply[1] = b'o';
                let len = got.len();
                check_ok!(s.consume(done));
                check_ok!(s.try_write_all(&reply[..len]));
                answered += 1;
            }
            s.on_writable();
        }
    }
    check_eq!(answered, 4, "lines answered");
    let mut got = [0u8; 16];
    for (i, id) in clients.iter().enumerate() {
        let mut n = 0;
        for _ in 0..100 {
            match stack.borrow_mut().recv(*id, &mut got[n..]) {
                Ok(m) => n += m,
                Err(SocketError::WouldBlock) => {}
                Err(e) => check!(false, "client {} failed: {:?}", i, e),
            }
            if got[..n].ends_with(b"\n") {
                break;
            }
            check_ok!(backend.poll(&mut events, Some(Duration::from_millis(20))));
        }
        check_eq!(&got[..n], line("pong", i).as_bytes(), "client {}", i);
    }
    Ok(())
}

/// This module's tests.
pub const TESTS: &[Test] = &[Test {
    name: "bare::four_clients_are_served_at_once_by_a_backlog_of_four",
    run: four_clients_are_served_at_once_by_a_backlog_of_four,
}];
