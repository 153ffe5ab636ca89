//! Bodies longer than a connection's write buffer: `POST /echo` of up to
//! 1 MiB and a `/notify` body handed to a waiter leave in pieces as the
//! socket drains, whole and in order, with pipelined requests behind them
//! answered after them.

use std::io::Write;
use std::thread;

use crate::client::{get, pattern, post, Client};
use crate::Server;

/// FNV-1a (64 bit): compares long bodies without printing them.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[test]
fn a_one_mib_echo_arrives_whole() {
    let server = Server::start();
    let mut c = server.connect();
    let body = pattern(1 << 20, 5);
    // Written by another thread while this one reads, so that neither
    // side's socket buffers decide how the test goes.
    let mut writer = c.try_clone_stream();
    let request = post("/echo", &body);
    let sender = thread::spawn(move || writer.write_all(&request));
    let r = c.response();
    sender.join().expect("writer thread").expect("send the request");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-length"), Some("1048576"));
    assert_eq!(r.body.len(), body.len());
    assert_eq!(fnv(&r.body), fnv(&body), "the echo differs from what was sent");
    server.assert_alive();
}

#[test]
fn a_get_pipelined_behind_a_one_mib_echo_is_answered_after_it() {
    let server = Server::start();
    let mut c = server.connect();
    let body = pattern(1 << 20, 9);
    let mut batch = post("/echo", &body);
    batch.extend_from_slice(get("/after").as_bytes());
    let mut writer = c.try_clone_stream();
    let sender = thread::spawn(move || writer.write_all(&batch));
    let echo = c.response();
    assert_eq!(echo.status, 200);
    assert_eq!(fnv(&echo.body), fnv(&body), "the echo differs from what was sent");
    let after = c.response();
    assert_eq!((after.status, after.text()), (200, "You requested /after\n"));
    sender.join().expect("writer thread").expect("send the pipeline");
    server.assert_alive();
}

#[test]
fn a_notify_body_longer_than_the_write_buffer_reaches_the_waiter_whole() {
    let server = Server::start();
    let mut waiter: Client = server.connect();
    // `/pid` in front: its answer shows the wait behind it is parked.
    waiter.send(format!("{}{}", get("/pid"), get("/wait")));
    assert_eq!(waiter.response().status, 200);
    let body = pattern(256 * 1024, 3);
    let mut n = server.connect();
    let mut writer = n.try_clone_stream();
    let request = post("/notify", &body);
    let sender = thread::spawn(move || writer.write_all(&request));
    let r = n.response();
    assert_eq!((r.status, r.text()), (200, "notified 1\n"));
    sender
        .join()
        .expect("writer thread")
        .expect("send the notification");
    let woken = waiter.response();
    assert_eq!(woken.status, 200);
    assert_eq!(fnv(&woken.body), fnv(&body), "the waiter got another body");
    waiter.send(get("/again"));
    assert_eq!(waiter.response().text(), "You requested /again\n");
    server.assert_alive();
}

#[test]
fn pipelined_answers_larger_than_the_write_buffer_all_arrive_in_order() {
    // 32 GETs with 4 KiB targets: their answers total 128 KiB, eight times
    // the write buffer, so heads must wait for room rather than fail.
    let server = Server::start();
    let mut c = server.connect();
    let targets: Vec<String> = (0..32).map(|i| format!("/{i:02}{}", "x".repeat(4096))).collect();
    let batch: String = targets.iter().map(|t| get(t)).collect();
    let mut writer = c.try_clone_stream();
    let sender = thread::spawn(move || writer.write_all(batch.as_bytes()));
    for (i, target) in targets.iter().enumerate() {
        let r = c.response();
        assert_eq!(r.status, 200, "answer {i}");
        assert!(
            r.text() == format!("You requested {target}\n"),
            "answer {i} is another's"
        );
    }
    sender.join().expect("writer thread").expect("send the pipeline");
    server.assert_alive();
}
