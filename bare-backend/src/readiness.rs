//! Readiness from socket state: what a smoltcp TCP socket's state means in
//! the reactor's [`Ready`] vocabulary, and the edge filter that reports each
//! change once.
//!
//! | socket state | readiness |
//! | --- | --- |
//! | bytes in the receive buffer (`can_recv`) | `READABLE` |
//! | peer sent FIN and the buffer is drained | `READ_CLOSED` |
//! | send space (`can_send`) | `WRITABLE` |
//! | cannot send any more (`!may_send`, after connecting) | `WRITE_CLOSED` |
//! | closed without the peer's FIN: reset, refused, timed out | `READ_CLOSED`, `WRITE_CLOSED`, `ERROR` |
//! | `LISTEN`, `SYN-SENT`, `SYN-RECEIVED` | nothing yet |
//!
//! A reset is told apart from a clean close the way smoltcp's own `recv`
//! does: `Finished` once the FIN was received, `InvalidState` otherwise.
//!
//! The edge filter ([`Watch`]) remembers what it last reported and reports
//! only flags that are new; a flag that turns false (the stack clears it when
//! a receive drains the buffer or a send fills it) is reported again when it
//! comes back. Registering (or re-registering) forgets what was reported, so
//! the current state is reported once, as epoll does for a new registration.

use eddy_core::{Event, Interest, Ready, Token};
use smoltcp::socket::tcp::{self, RecvError, State};

/// A registration and what was last reported for it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Watch {
    pub(crate) token: Token,
    pub(crate) interest: Interest,
    pub(crate) reported: Ready,
}

impl Watch {
    /// A fresh registration: nothing reported yet.
    pub(crate) fn new(token: Token, interest: Interest) -> Watch {
        Watch {
            token,
            interest,
            reported: Ready::EMPTY,
        }
    }

    /// The event to report for current readiness `now`, if anything is new.
    pub(crate) fn update(&mut self, now: Ready) -> Option<Event> {
        let seen = filter(now, self.interest);
        let new = minus(seen, self.reported);
        self.reported = seen;
        if new.is_empty() {
            None
        } else {
            Some(Event::new(self.token, seen))
        }
    }

    /// Forgets that `flags` were reported, so they are reported when next seen.
    pub(crate) fn forget(&mut self, flags: Ready) {
        self.reported = minus(self.reported, flags);
    }
}

/// The flags of `a` that are not in `b`.
pub(crate) fn minus(a: Ready, b: Ready) -> Ready {
    let flags = [
        Ready::READABLE,
        Ready::WRITABLE,
        Ready::READ_CLOSED,
        Ready::WRITE_CLOSED,
        Ready::ERROR,
    ];
    flags
        .into_iter()
        .filter(|&f| a.contains(f) && !b.contains(f))
        .fold(Ready::EMPTY, |acc, f| acc | f)
}

/// The part of `ready` a registration with `interest` hears about; an error
/// is heard by every registration.
pub(crate) fn filter(ready: Ready, interest: Interest) -> Ready {
    let mut out = Ready::EMPTY;
    if interest.is_readable() {
        out = out | (ready & (Ready::READABLE | Ready::READ_CLOSED));
    }
    if interest.is_writable() {
        out = out | (ready & (Ready::WRITABLE | Ready::WRITE_CLOSED));
    }
    out | (ready & Ready::ERROR)
}

/// The readiness of a connection socket (see the module table).
pub(crate) fn socket_ready(socket: &mut tcp::Socket<'_>) -> Ready {
    let mut ready = Ready::EMPTY;
    if matches!(
        socket.state(),
        State::Listen | State::SynSent | State::SynReceived
    ) {
        return ready;
    }
    if socket.can_recv() {
        ready = ready | Ready::READABLE;
    }
    if !socket.may_recv() {
        // An empty receive reports how the receive half ended, moving nothing.
        match socket.recv_slice(&mut []) {
            Err(RecvError::Finished) => ready = ready | Ready::READ_CLOSED,
            Err(RecvError::InvalidState) => {
                return ready | Ready::READ_CLOSED | Ready::WRITE_CLOSED | Ready::ERROR;
            }
            Ok(_) => {}
        }
    }
    if socket.can_send() {
        ready = ready | Ready::WRITABLE;
    } else if !socket.may_send() {
        ready = ready | Ready::WRITE_CLOSED;
    }
    ready
}

/// Whether a socket of a listener holds a connection to hand out.
pub(crate) fn is_accepted(socket: &tcp::Socket<'_>) -> bool {
    !matches!(socket.state(), State::Listen | State::SynReceived)
}

/// Whether a socket ended without the peer's FIN (reset, refused, timed out).
pub(crate) fn is_reset(socket: &mut tcp::Socket<'_>) -> bool {
    socket.state() == State::Closed && matches!(socket.recv_slice(&mut []), Err(RecvError::InvalidState))
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Token = Token::new(1, 0);

    #[test]
    fn each_flag_is_reported_once_until_it_goes_away() {
        let mut w = Watch::new(T, Interest::BOTH);
        let both = Ready::READABLE | Ready::WRITABLE;
        assert_eq!(w.update(both), Some(Event::new(T, both)));
        assert_eq!(w.update(both), None, "nothing new");
        assert_eq!(w.update(Ready::WRITABLE), None, "a flag going away is no event");
        assert_eq!(w.update(both), Some(Event::new(T, both)), "and coming back is");
        w.forget(Ready::READABLE);
        assert_eq!(
            w.update(both),
            Some(Event::new(T, both)),
            "forgotten by a draining read"
        );
    }

    #[test]
    fn interest_filters_and_errors_reach_everyone() {
        let all = Ready::READABLE | Ready::WRITABLE | Ready::READ_CLOSED | Ready::WRITE_CLOSED | Ready::ERROR;
        assert_eq!(
            filter(all, Interest::READABLE),
            Ready::READABLE | Ready::READ_CLOSED | Ready::ERROR
        );
        assert_eq!(
            filter(all, Interest::WRITABLE),
            Ready::WRITABLE | Ready::WRITE_CLOSED | Ready::ERROR
        );
        let mut w = Watch::new(T, Interest::READABLE);
        assert_eq!(w.update(Ready::WRITABLE), None, "not asked for");
        assert_eq!(
            minus(all, Ready::READABLE | Ready::ERROR),
            Ready::WRITABLE | Ready::READ_CLOSED | Ready::WRITE_CLOSED
        );
    }
}
