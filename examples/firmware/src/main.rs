//! The eddy firmware image for a Cortex-M4F (`thumbv7em-none-eabihf`, the
//! MPS2 AN386 board under QEMU).
//!
//! It links the reactor (`eddy-core`), the smoltcp backend (`eddy-bare`)
//! and the HTTP/1.1 server connection, all in static storage and without
//! an allocator: an HTTP server for four connections with 2 KiB buffers
//! listens on `127.0.0.1:80` of an in-memory loopback, and an in-image
//! client sends it a script of requests over TCP. The image prints each
//! answer over semihosting and exits 0 if every one was right, 1 if not
//! (or if the script did not finish within thirty seconds; it needs about
//! four, two of them waiting for the header timeout).
//!
//! Output and exit go through semihosting, which needs QEMU or an attached
//! debugger; sizes and the measured footprint are in `README.md`.

#![no_std]
#![no_main]
#![forbid(unsafe_code)]

use core::cell::{Cell, RefCell};
use core::time::Duration;

use cortex_m_rt::{entry, exception};
use cortex_m_semihosting::{debug, hprintln};
use eddy_bare::smoltcp::iface::SocketStorage;
use eddy_bare::WakeFlag;
use eddy_core::callback::{Callback, CallbackResult};
use eddy_firmware::client::{self, SCRIPT};
use eddy_firmware::conn::Conn;
use eddy_firmware::net::{
    self, App, Loop, NetStack, SocketBuffers, CLIENT_SOCKETS, CLIENT_SOCKET_BUF, CONNECTIONS,
    SERVER_SOCKET_BUF, SOCKETS,
};
use eddy_firmware::{board, server};

/// How long the whole script may take.
const LIMIT: Duration = Duration::from_secs(30);

static WAKE: WakeFlag = WakeFlag::new();

#[exception]
fn SysTick() {
    board::tick();
}

/// A panic prints where it happened and exits with status 1. (The
/// panic-semihosting handler of the tests also formats the message, which
/// pulls several KiB of formatting code and Unicode tables into the image.)
#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    if let Some(at) = info.location() {
        hprintln!("firmware: panic at {}:{}", at.file(), at.line());
    }
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::wfi();
    }
}

fn give_up(_: &mut App, r: &mut Loop, _: usize) -> CallbackResult {
    hprintln!("firmware: the script did not finish in {} s", LIMIT.as_secs());
    r.stop();
    Ok(())
}

#[entry]
fn main() -> ! {
    // `static mut` items of the entry function are handed out once as
    // `&'static mut`: the image's whole state lives in .bss.
    static mut SOCKET_STORAGE: [SocketStorage<'static>; SOCKETS] = [SocketStorage::EMPTY; SOCKETS];
    static mut SERVER_BUFS: [[[u8; SERVER_SOCKET_BUF]; 2]; CONNECTIONS] =
        [[[0; SERVER_SOCKET_BUF]; 2]; CONNECTIONS];
    static mut CLIENT_BUFS: [[[u8; CLIENT_SOCKET_BUF]; 2]; CLIENT_SOCKETS] =
        [[[0; CLIENT_SOCKET_BUF]; 2]; CLIENT_SOCKETS];
    static mut STACK: Option<RefCell<NetStack>> = None;
    // `Cell` hides the niches of what it holds, so `None` is all zero
    // bytes and these land in .bss; a bare `Option<Conn>` would put its
    // 4.4 KiB (HTTP buffers included) in .data, and an initial image in
    // flash. Each connection slot is built on its own, so the stack holds
    // at most one while they are put in place.
    static mut CONNS: [Option<Cell<Conn>>; CONNECTIONS] = [const { None }; CONNECTIONS];
    static mut REACTOR: Option<Cell<Loop>> = None;
    static mut APP: Option<Cell<App>> = None;

    if let Some(cp) = cortex_m::Peripherals::take() {
        board::start_clock(cp.SYST);
    }
    let buffers = SocketBuffers {
        server: SERVER_BUFS,
        client: CLIENT_BUFS,
    };
    let stack: &'static RefCell<NetStack> = STACK.insert(RefCell::new(net::stack(SOCKET_STORAGE, buffers)));
    let r = REACTOR
        .insert(Cell::new(Loop::new(net::backend(stack, &WAKE))))
        .get_mut();
    let conns = CONNS
        .each_mut()
        .map(|slot| slot.insert(Cell::new(Conn::new())).get_mut());
    let app = APP.insert(Cell::new(App::new(conns))).get_mut();

    let started = server::start(app, r)
        .and_then(|()| client::start(app, r))
        .and_then(|()| {
            r.call_later(LIMIT, Callback::new(give_up, 0))
                .map(|_| ())
                .map_err(|_| eddy_core::CallbackError::new("timer heap full"))
        });
    let ran = match started {
        Ok(()) => r.run(app).is_ok(),
        Err(e) => {
            hprintln!("firmware: could not start: {}", e.reason);
            false
        }
    };

    for (ex, seen) in SCRIPT.iter().zip(app.client.seen.iter()) {
        let line = ex.request.split(|&b| b == b'\r').next().unwrap_or(b"");
        let line = core::str::from_utf8(line).unwrap_or("?");
        match seen {
            Some(s) => hprintln!(
                "{:<40} -> {} {}",
                line,
                s.status,
                if s.ok { "ok" } else { "WRONG" }
            ),
            None => hprintln!("{:<40} -> no answer", line),
        }
    }
    let passed = app.client.passed();
    let stats = r.stats();
    hprintln!(
        "firmware: {}/{} answers right over {} client connections; server accepted {}, refused {}, dropped {}, served {}",
        passed,
        SCRIPT.len(),
        app.client.connections,
        app.server.accepted,
        app.server.refused,
        app.server.dropped,
        app.server.served()
    );
    let dropped = stack.try_borrow_mut().map_or(0, |mut s| s.device_mut().dropped());
    hprintln!(
        "firmware: reactor ran {} iterations, {} events, {} errors, {} ms; loopback dropped {} frames; {} reconnects",
        stats.iterations,
        stats.events,
        stats.errors,
        r.now().as_millis(),
        dropped,
        app.client.retries
    );
    let ok = ran && passed == SCRIPT.len() && stats.errors == 0;
    debug::exit(if ok {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    loop {
        cortex_m::asm::wfi();
    }
}
