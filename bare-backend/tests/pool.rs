//! The socket pool and listeners of `Stack` over the in-memory loopback:
//! capacity errors, backlog re-arming, release and reuse, refused
//! connections, and events that do not fit one poll.

use core::cell::{Cell, RefCell};
use core::time::Duration;
use std::rc::Rc;

use eddy_bare::phy::MemLoopback;
use eddy_bare::smoltcp::iface::{Config, Interface, SocketStorage};
use eddy_bare::smoltcp::wire::{HardwareAddress, IpAddress, IpCidr};
use eddy_bare::{BareBackend, BareConnecting, BareError, ListenError, SocketError, Source, Stack, WakeFlag};
use eddy_core::stream::{ConnectAttempt, ConnectError};
use eddy_core::time::Clock;
use eddy_core::{Backend, Event, Instant, Interest, Ready, Token};

type Dev = MemLoopback<1500, 32>;
type St = Stack<'static, Dev, 8>;
const HOST: IpAddress = IpAddress::v4(127, 0, 0, 1);

#[derive(Clone, Default)]
struct Virtual(Rc<Cell<Instant>>);

impl Clock for Virtual {
    fn now(&self) -> Instant {
        self.0.get()
    }
}

fn buf() -> &'static mut [u8] {
    vec![0u8; 1024].leak()
}

fn stack(sockets: usize) -> St {
    let mut device = Dev::new();
    let mut iface = Interface::new(
        Config::new(HardwareAddress::Ip),
        &mut device,
        eddy_bare::smoltcp::time::Instant::ZERO,
    );
    iface.update_ip_addrs(|a| a.push(IpCidr::new(HOST, 8)).unwrap());
    let mut stack = Stack::new(iface, device, Box::leak(Box::new([SocketStorage::EMPTY; 8])));
    for _ in 0..sockets {
        stack.add_socket(buf(), buf()).unwrap();
    }
    stack
}

/// Runs the stack a few rounds at a fixed time: enough for handshakes on
/// the loopback.
fn settle(stack: &mut St) {
    for _ in 0..8 {
        stack.poll(Instant::ZERO);
    }
}

#[test]
fn a_full_pool_hands_the_buffers_back() {
    let mut stack = stack(8);
    let err = stack.add_socket(buf(), buf()).unwrap_err();
    let (rx, tx) = err.into_inner();
    assert_eq!((rx.len(), tx.len()), (1024, 1024));
    assert_eq!(stack.sockets(), 8);
}

#[test]
fn listen_checks_its_arguments_and_the_pool() {
    let mut stack = stack(3);
    assert_eq!(stack.listen(0, 1), Err(ListenError::Invalid));
    assert_eq!(stack.listen(80, 0), Err(ListenError::Invalid));
    assert_eq!(stack.listen(80, 4), Err(ListenError::NoFreeSocket));
    stack.listen(80, 2).unwrap();
    assert_eq!(stack.listen(80, 1), Err(ListenError::PortInUse));
    assert_eq!(stack.free_sockets(), 1);
}

#[test]
fn a_burst_larger_than_the_backlog_is_served() {
    let mut stack = stack(8);
    let l = stack.listen(80, 1).unwrap();
    // Four SYNs reach the stack in one poll; one socket listens at a time.
    let clients: Vec<_> = (0..4).map(|_| stack.connect((HOST, 80)).unwrap()).collect();
    settle(&mut stack);
    assert_eq!(stack.pending(l), 4);
    for c in &clients {
        assert_eq!(
            stack.state(*c),
            Ok(eddy_bare::smoltcp::socket::tcp::State::Established)
        );
    }
    let mut accepted = 0;
    while stack.accept(l).unwrap().is_some() {
        accepted += 1;
    }
    assert_eq!(accepted, 4);
    assert_eq!(stack.listening(l), 0, "the pool is used up: 4 clients, 4 servers");
}

#[test]
fn the_backlog_is_rearmed_as_connections_arrive() {
    let mut stack = stack(8);
    let l = stack.listen(80, 2).unwrap();
    let mut accepted = Vec::new();
    let mut clients = Vec::new();
    // 8 sockets: 2 listening + 2 clients, then 2 taken by SYNs + 2
    // re-armed, then one more client and its re-arm take the last two.
    for (round, count) in [2, 1].into_iter().enumerate() {
        let new: Vec<_> = (0..count).map(|_| stack.connect((HOST, 80)).unwrap()).collect();
        settle(&mut stack);
        for _ in 0..count {
            accepted.push(stack.accept(l).unwrap().expect("a connection waits"));
            assert_eq!(stack.listening(l), 2, "round {round}: still two listening");
        }
        assert_eq!(stack.accept(l).unwrap(), None);
        clients.extend(new);
    }
    assert_eq!(stack.free_sockets(), 0);
    for c in clients {
        stack.send(c, b"hi").unwrap();
    }
    settle(&mut stack);
    for id in accepted {
        let mut got = [0u8; 4];
        assert_eq!(stack.recv(id, &mut got), Ok(2), "{id} is connected");
    }
}

#[test]
fn released_sockets_return_to_the_pool_and_ids_go_stale() {
    let mut stack = stack(3);
    let l = stack.listen(80, 1).unwrap();
    let client = stack.connect((HOST, 80)).unwrap();
    settle(&mut stack);
    let server = stack.accept(l).unwrap().unwrap();
    // Listener re-armed with the last free socket.
    assert_eq!(stack.free_sockets(), 0);
    assert_eq!(
        stack.connect((HOST, 80)),
        Err(eddy_bare::ConnectError::NoFreeSocket)
    );
    stack.release(server).unwrap();
    stack.release(client).unwrap();
    assert_eq!(stack.recv(server, &mut [0u8; 4]), Err(SocketError::Stale));
    settle(&mut stack);
    assert_eq!(stack.free_sockets(), 2, "both closes finished");
}

fn backend(
    stack: St,
) -> BareBackend<'static, 'static, Dev, Virtual, impl FnMut(&mut Dev, Option<Duration>), 8> {
    let clock = Virtual::default();
    let advance = clock.clone();
    let idle = move |dev: &mut Dev, d: Option<Duration>| {
        if !dev.has_frames() {
            advance.0.set(
                advance
                    .0
                    .get()
                    .saturating_add(d.unwrap_or(Duration::from_secs(1))),
            );
        }
    };
    let stack: &'static RefCell<St> = Box::leak(Box::new(RefCell::new(stack)));
    BareBackend::new(stack, clock, idle, Box::leak(Box::new(WakeFlag::new())))
}

/// `complete` for the backend `b` (names the backend type for inference).
fn complete<B: Backend, A: ConnectAttempt<B>>(
    _: &B,
    attempt: A,
) -> Result<A::Transport, ConnectError<A, A::Error>> {
    attempt.complete()
}

#[test]
fn a_refused_connect_reports_an_error_and_fails() {
    let mut b = backend(stack(2));
    let attempt = BareConnecting::start(b.stack(), (HOST, 9)).unwrap();
    let token = Token::new(1, 0);
    b.register(Source::Socket(attempt.id()), token, Interest::WRITABLE)
        .unwrap();
    let mut events = [Event::EMPTY; 4];
    let n = b.poll(&mut events, Some(Duration::from_secs(5))).unwrap();
    assert_eq!(n, 1);
    assert_eq!(events[0].token, token);
    assert!(events[0].ready.contains(Ready::ERROR), "{}", events[0].ready);
    assert!(matches!(
        complete(&b, attempt),
        Err(ConnectError::Failed(SocketError::Reset))
    ));
}

#[test]
fn events_that_do_not_fit_come_with_the_next_poll() {
    let mut b = backend(stack(6));
    let mut ids = Vec::new();
    {
        let mut s = b.stack().borrow_mut();
        let l = s.listen(80, 3).unwrap();
        for _ in 0..3 {
            s.connect((HOST, 80)).unwrap();
        }
        settle(&mut s);
        while let Some(id) = s.accept(l).unwrap() {
            ids.push(id);
        }
    }
    assert_eq!(ids.len(), 3);
    for (i, id) in ids.iter().enumerate() {
        b.register(Source::Socket(*id), Token::new(i as u32, 0), Interest::WRITABLE)
            .unwrap();
    }
    let mut two = [Event::EMPTY; 2];
    assert_eq!(b.poll(&mut two, Some(Duration::ZERO)).unwrap(), 2);
    let mut rest = [Event::EMPTY; 2];
    assert_eq!(b.poll(&mut rest, Some(Duration::ZERO)).unwrap(), 1);
    assert_eq!(rest[0].token, Token::new(2, 0));
    assert_eq!(
        b.poll(&mut rest, Some(Duration::ZERO)).unwrap(),
        0,
        "each change is reported once"
    );
    assert_eq!(
        b.register(Source::Socket(ids[0]), Token::new(0, 1), Interest::READABLE),
        Err(BareError::AlreadyRegistered)
    );
    b.stack().borrow_mut().release(ids[2]).unwrap();
    assert_eq!(
        b.deregister(Source::Socket(ids[2])),
        Err(BareError::Stale),
        "released: id is dead"
    );
    b.deregister(Source::Socket(ids[1])).unwrap();
    assert_eq!(
        b.deregister(Source::Socket(ids[1])),
        Err(BareError::NotRegistered)
    );
    assert_eq!(
        b.reregister(Source::Socket(ids[1]), Token::new(1, 1), Interest::READABLE),
        Err(BareError::NotRegistered)
    );
}

#[test]
fn a_released_socket_discards_late_data_and_finishes_closing() {
    let mut stack = stack(3);
    let l = stack.listen(80, 1).unwrap();
    let client = stack.connect((HOST, 80)).unwrap();
    settle(&mut stack);
    let server = stack.accept(l).unwrap().unwrap();
    stack.close_listener(l).unwrap();
    stack.release(server).unwrap();
    // The client goes on sending well past the server's 1 KiB window, then
    // closes; nobody reads the server's end any more.
    let mut left = 8 * 1024;
    for _ in 0..200 {
        if left > 0 {
            if let Ok(n) = stack.send(client, &[7u8; 512][..left.min(512)]) {
                left -= n;
            }
        }
        settle(&mut stack);
    }
    assert_eq!(left, 0, "the released socket kept its window open");
    stack.release(client).unwrap();
    for _ in 0..20 {
        settle(&mut stack);
    }
    assert_eq!(
        stack.free_sockets(),
        3,
        "both ends closed and went back to the pool"
    );
}
