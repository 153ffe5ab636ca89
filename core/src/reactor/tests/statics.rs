//! A reactor and a mailbox in `static`s, fed from other threads.

use super::*;
use core::cell::RefCell;
use critical_section::Mutex;

use crate::mailbox::Mailbox;
use crate::sim::SimWaker;

type Firmware = Reactor<SimBackend<4, 4>, u32, 8, 8, 4, 4>;

/// Compile-time proof: the reactor and a mailbox build in `static`s.
static REACTOR: Mutex<RefCell<Firmware>> = Mutex::new(RefCell::new(Reactor::new(SimBackend::new())));
static MAILBOX: Mailbox<usize, SimWaker, 8> = Mailbox::new();

fn bump(n: &mut u32, _: &mut Firmware, by: usize) -> CallbackResult {
    *n += by as u32;
    Ok(())
}

#[test]
fn a_static_reactor_runs_callbacks_posted_from_other_threads() {
    critical_section::with(|cs| REACTOR.borrow_ref_mut(cs).attach_mailbox(&MAILBOX, bump));
    let posters: Vec<_> = (1..=3)
        .map(|by| std::thread::spawn(move || MAILBOX.post(by).unwrap()))
        .collect();
    posters.into_iter().for_each(|p| p.join().unwrap());
    let mut n = 0u32;
    critical_section::with(|cs| {
        let mut r = REACTOR.borrow_ref_mut(cs);
        r.run_once(&mut n).unwrap();
        assert_eq!(r.stats().callbacks, 3);
    });
    assert_eq!(n, 6);
}
