//! The server over smoltcp's in-memory loopback on a virtual clock: the
//! routes and statuses, keep-alive, a large echo through small windows,
//! and a burst of connections larger than the backlog. Clients are sockets
//! of the same stack, registered with the reactor (with a handler that does
//! nothing) so their readiness ends the loop's waits.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use eddy_bare::phy::MemLoopback;
use eddy_bare::smoltcp::iface::{Config as IfaceConfig, Interface, SocketStorage};
use eddy_bare::smoltcp::wire::{HardwareAddress, IpAddress, IpCidr};
use eddy_bare::{BareBackend, Idle, SocketError, SocketId, Source, Stack, WakeFlag};
use eddy_core::http::Config;
use eddy_core::time::Clock;
use eddy_core::{CallbackResult, Event, Handler, Instant, Interest};

use super::{start, Loop, Net, NetStack, Server, SOCKETS};

type Dev = MemLoopback<1500, 64>;
const HOST: IpAddress = IpAddress::v4(127, 0, 0, 1);
const PORT: u16 = 80;

#[derive(Clone, Debug, Default)]
struct Virtual(Rc<Cell<Instant>>);

impl Clock for Virtual {
    fn now(&self) -> Instant {
        self.0.get()
    }
}

#[derive(Debug)]
struct VirtualIdle(Virtual);

impl Idle<Dev> for VirtualIdle {
    fn idle(&mut self, device: &mut Dev, timeout: Option<Duration>) {
        if !device.has_frames() {
            let t = &self.0 .0;
            t.set(t.get().saturating_add(timeout.unwrap_or(Duration::from_secs(1))));
        }
    }
}

#[derive(Debug)]
struct MemNet;

impl Net for MemNet {
    type Device = Dev;
    type Clock = Virtual;
    type Idle = VirtualIdle;
}

type Srv = Server<MemNet>;
type Lp = Loop<MemNet>;

fn server(backlog: u16) -> (Box<Lp>, Srv, &'static RefCell<NetStack<MemNet>>) {
    let mut device = Dev::new();
    let mut iface = Interface::new(
        IfaceConfig::new(HardwareAddress::Ip),
        &mut device,
        eddy_bare::smoltcp::time::Instant::ZERO,
    );
    iface.update_ip_addrs(|a| a.push(IpCidr::new(HOST, 8)).unwrap());
    let mut stack = Stack::new(
        iface,
        device,
        Box::leak(Box::new([SocketStorage::EMPTY; SOCKETS])),
    );
    for _ in 0..SOCKETS {
        stack
            .add_socket(vec![0; 8192].leak(), vec![0; 8192].leak())
            .unwrap();
    }
    let stack: &'static RefCell<_> = Box::leak(Box::new(RefCell::new(stack)));
    let clock = Virtual::default();
    let backend = BareBackend::new(
        stack,
        clock.clone(),
        VirtualIdle(clock),
        Box::leak(Box::new(WakeFlag::new())),
    );
    let (r, s) = start(Box::new(Lp::new(backend)), PORT, backlog, Config::new()).unwrap();
    (r, s, stack)
}

fn nothing(_: &mut Srv, _: &mut Lp, _: Event, _: usize) -> CallbackResult {
    Ok(())
}

/// A client socket: what it still has to send, and what it received.
#[derive(Debug)]
struct Client {
    id: SocketId,
    outbox: Vec<u8>,
    got: Vec<u8>,
    eof: bool,
}

impl Client {
    fn connect(r: &mut Lp, stack: &RefCell<NetStack<MemNet>>, request: &[u8]) -> Client {
        let id = stack.borrow_mut().connect((HOST, PORT)).unwrap();
        r.add_handler(Source::Socket(id), Interest::BOTH, Handler::new(nothing, 0))
            .unwrap();
        Client {
            id,
            outbox: request.to_vec(),
            got: Vec::new(),
            eof: false,
        }
    }

    /// Sends what fits, receives what arrived.
    fn step(&mut self, stack: &RefCell<NetStack<MemNet>>) {
        let mut stack = stack.borrow_mut();
        while !self.outbox.is_empty() {
            match stack.send(self.id, &self.outbox) {
                Ok(n) => drop(self.outbox.drain(..n)),
                Err(_) => break,
            }
        }
        let mut buf = [0u8; 4096];
        loop {
            match stack.recv(self.id, &mut buf) {
                Ok(0) => {
                    self.eof = true;
                    return;
                }
                Ok(n) => self.got.extend_from_slice(&buf[..n]),
                Err(SocketError::WouldBlock) => return,
                Err(_) => {
                    self.eof = true;
                    return;
                }
            }
        }
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.got).into_owned()
    }
}

/// Runs the loop until every client has read to end of stream.
fn run_to_eof(r: &mut Lp, s: &mut Srv, stack: &RefCell<NetStack<MemNet>>, clients: &mut [Client]) {
    r.run_until(s, Some(Duration::from_secs(30)), |_| {
        clients.iter_mut().for_each(|c| c.step(stack));
        clients.iter().all(|c| c.eof)
    })
    .unwrap_or_else(|e| panic!("clients did not finish: {e}: {clients:?}"));
}

/// One request on its own connection, read to end of stream.
fn exchange(request: &str) -> String {
    let (mut r, mut s, stack) = server(2);
    let mut c = [Client::connect(&mut r, stack, request.as_bytes())];
    run_to_eof(&mut r, &mut s, stack, &mut c);
    c[0].text()
}

#[test]
fn routes_and_statuses_match_http_server() {
    let get = exchange("GET /hello?x=1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    assert!(get.starts_with("HTTP/1.1 200 OK\r\n"), "{get}");
    assert!(get.ends_with("\r\n\r\nYou requested /hello?x=1\n"), "{get}");
    let head = exchange("HEAD /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    assert!(
        head.contains("Content-Length: 17\r\n") && head.ends_with("\r\n\r\n"),
        "{head}"
    );
    let slept = exchange("GET /sleep?ms=250 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    assert!(slept.ends_with("slept 250 ms\n"), "{slept}");
    let cases = [
        ("DELETE / HTTP/1.1\r\nHost: a\r\n\r\n", "405"),
        ("GET /sleep?ms=x HTTP/1.1\r\nHost: a\r\n\r\n", "400"),
        ("GET / HTTP/2.0\r\nHost: a\r\n\r\n", "505"),
        ("NOT HTTP\r\n\r\n", "400"),
        (
            "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999\r\n\r\n",
            "413",
        ),
        (
            "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n",
            "501",
        ),
    ];
    for (request, status) in cases {
        let got = exchange(request);
        assert!(
            got.starts_with(&format!("HTTP/1.1 {status} ")),
            "{request:?} got {got:?}"
        );
    }
    let wait = exchange("GET /wait?timeout_ms=100 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    assert!(
        wait.starts_with("HTTP/1.1 504 ") && wait.ends_with("timeout\n"),
        "{wait}"
    );
}

#[test]
fn keep_alive_answers_every_request_in_order() {
    let (mut r, mut s, stack) = server(2);
    let mut request = String::new();
    for i in 0..300 {
        request.push_str(&format!("GET /r{i} HTTP/1.1\r\nHost: a\r\n\r\n"));
    }
    request.push_str("GET /last HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    let mut c = [Client::connect(&mut r, stack, request.as_bytes())];
    run_to_eof(&mut r, &mut s, stack, &mut c);
    let text = c[0].text();
    let bodies: Vec<&str> = text.split("You requested ").skip(1).collect();
    assert_eq!(bodies.len(), 301);
    for (i, body) in bodies.iter().take(300).enumerate() {
        assert!(body.starts_with(&format!("/r{i}\n")), "response {i}: {body:?}");
    }
    assert_eq!(s.accepted(), 1, "one connection");
}

#[test]
fn a_large_echo_round_trips_through_small_windows() {
    let (mut r, mut s, stack) = server(2);
    let body: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let mut request = format!(
        "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(&body);
    let mut c = [Client::connect(&mut r, stack, &request)];
    run_to_eof(&mut r, &mut s, stack, &mut c);
    let got = &c[0].got;
    let split = got.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    assert!(got.starts_with(b"HTTP/1.1 200 OK\r\n"));
    assert_eq!(&got[split..], &body[..], "the body comes back intact");
}

#[test]
fn more_concurrent_connections_than_the_backlog_are_all_served() {
    let (mut r, mut s, stack) = server(2);
    let mut clients: Vec<Client> = (0..12)
        .map(|i| {
            let req = format!("GET /c{i} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
            Client::connect(&mut r, stack, req.as_bytes())
        })
        .collect();
    run_to_eof(&mut r, &mut s, stack, &mut clients);
    for (i, c) in clients.iter().enumerate() {
        assert!(
            c.text().ends_with(&format!("You requested /c{i}\n")),
            "client {i}: {}",
            c.text()
        );
    }
    assert_eq!(s.accepted(), 12);
}

#[test]
fn a_get_pipelined_behind_a_large_echo_is_answered_after_it() {
    let (mut r, mut s, stack) = server(2);
    // Far more than the 16 KiB write buffer and the 8 KiB socket windows.
    let body: Vec<u8> = (0..300_000u32).map(|i| (i * 13 % 251) as u8).collect();
    let mut request = format!(
        "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(&body);
    request.extend_from_slice(b"GET /after HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    let mut c = [Client::connect(&mut r, stack, &request)];
    run_to_eof(&mut r, &mut s, stack, &mut c);
    let got = &c[0].got;
    let split = got.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    assert!(got.starts_with(b"HTTP/1.1 200 OK\r\n"));
    let echo = got.get(split..split + body.len()).expect("the whole echo");
    assert!(echo == &body[..], "the echo comes back intact");
    let rest = String::from_utf8_lossy(&got[split + body.len()..]);
    assert!(rest.starts_with("HTTP/1.1 200 OK\r\n"), "{rest}");
    assert!(rest.ends_with("\r\n\r\nYou requested /after\n"), "{rest}");
}
