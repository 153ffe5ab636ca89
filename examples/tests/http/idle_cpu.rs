//! A connection whose request is parked (`/sleep`) while the server can
//! do nothing else with it — its client half-closed, or its read buffer
//! full of pipelined requests — costs no CPU until the answer is due, on
//! every backend: level-triggered `poll(2)` included, which reports such a
//! socket as readable on every call while it stays registered for reading.

use std::io::Write;

use crate::client::get;
use crate::server::{clock_ticks_per_second, cpu_ticks};
use crate::Server;

/// How long the parked request sleeps: the window the CPU is measured over.
const SLEEP_MS: u64 = 1000;

/// Runs `park` (which leaves a `/sleep?ms=SLEEP_MS` parked on a connection
/// and returns a closure that reads its answer), and checks that the
/// server used under 30 % of one CPU until that answer arrived.
fn assert_waits_quietly(server: &Server, what: &str, park: impl FnOnce() -> Box<dyn FnOnce()>) {
    let answer = park();
    let before = cpu_ticks(server.pid());
    answer();
    let used = cpu_ticks(server.pid()) - before;
    let limit = clock_ticks_per_second() * SLEEP_MS * 3 / 10 / 1000;
    assert!(
        used < limit,
        "{what}: the server used {used} clock ticks of CPU during a {SLEEP_MS} ms sleep (limit {limit}): it spins"
    );
}

#[test]
fn a_parked_request_of_a_half_closed_client_costs_no_cpu() {
    let server = Server::start();
    let mut c = server.connect();
    assert_waits_quietly(&server, "client half-closed", || {
        // `/pid` is answered in the pass that parks `/sleep`: once its
        // answer is in, the sleep is in flight.
        c.send(format!(
            "{}{}",
            get("/pid"),
            get(&format!("/sleep?ms={SLEEP_MS}"))
        ));
        assert_eq!(c.response().status, 200);
        c.shutdown_write();
        Box::new(move || {
            let r = c.response();
            assert_eq!(r.text(), format!("slept {SLEEP_MS} ms\n"));
            // The peer is done: the connection closes once answered.
            c.expect_closed();
        })
    });
    server.assert_alive();
}

#[test]
fn a_parked_request_behind_a_full_read_buffer_costs_no_cpu() {
    let server = Server::start();
    let mut c = server.connect();
    // More pipelined requests than the 16 KiB read buffer holds.
    let queued = 1000;
    assert_waits_quietly(&server, "read buffer full", || {
        let mut bytes = format!("{}{}", get("/pid"), get(&format!("/sleep?ms={SLEEP_MS}")));
        for i in 0..queued {
            bytes.push_str(&get(&format!("/q{i}")));
        }
        assert!(bytes.len() > 2 * 16 * 1024);
        c.send(bytes);
        assert_eq!(c.response().status, 200);
        Box::new(move || {
            assert_eq!(c.response().text(), format!("slept {SLEEP_MS} ms\n"));
            // Nothing queued behind the sleep was lost or reordered.
            for i in 0..queued {
                assert_eq!(c.response().text(), format!("You requested /q{i}\n"));
            }
        })
    });
    server.assert_alive();
}

#[test]
fn a_parked_request_whose_client_resets_is_dropped_and_costs_no_cpu() {
    let server = Server::start();
    let c = server.connect();
    let mut raw = c.try_clone_stream();
    raw.write_all(format!("{}{}", get("/pid"), get("/sleep?ms=60000")).as_bytes())
        .expect("send");
    // The `/pid` answer arrives (and is left unread) once the sleep is
    // parked; a half-close, then closing with unread bytes, resets.
    let mut byte = [0u8; 1];
    assert!(raw.peek(&mut byte).expect("peek") > 0);
    c.shutdown_write();
    drop(raw);
    drop(c);
    // Another connection's sleep is the clock for the CPU measurement.
    let mut clock = server.connect();
    assert_waits_quietly(&server, "client reset", || {
        clock.send(get(&format!("/sleep?ms={SLEEP_MS}")));
        Box::new(move || assert_eq!(clock.response().text(), format!("slept {SLEEP_MS} ms\n")))
    });
    server.assert_alive();
}
