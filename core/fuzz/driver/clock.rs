//! The timeout rules as documented, tracked beside the connection so each
//! `receive`, `on_timeout`, `poll_at` and `is_idle` can be checked against
//! them (RFC 9110 §15.5.9, RFC 9112 §9.5 via the crate's docs).

use core::time::Duration;

use eddy_core::http::RequestError;
use eddy_core::Instant;

/// The timeout rules as documented, tracked beside the connection: while
/// waiting for a head, a deadline runs — the header timeout from creation
/// or from the first byte after a keep-alive response, the idle timeout
/// from that response until the first byte.
#[derive(Debug)]
pub(super) struct Clock {
    pub(super) awaiting: bool,
    pub(super) deadline: Instant,
    pub(super) idle: bool,
    pub(super) started: bool,
    pub(super) header: Duration,
    pub(super) idle_timeout: Duration,
}

impl Clock {
    /// The timeout that has fired at `now`, if any.
    pub(super) fn expired(&self, now: Instant) -> Option<RequestError> {
        if !self.awaiting || now < self.deadline {
            return None;
        }
        Some(if self.idle {
            RequestError::IdleTimeout
        } else {
            RequestError::HeaderTimeout
        })
    }

    /// A `receive` of `len` bytes at `now`: the timeout it must report, or
    /// the header timeout starting with the first byte of a head.
    pub(super) fn receive(&mut self, now: Instant, len: usize) -> Option<RequestError> {
        let expired = self.expired(now);
        if expired.is_none() && self.awaiting && len > 0 && !self.started {
            self.started = true;
            if self.idle {
                self.idle = false;
                self.deadline = now.saturating_add(self.header);
            }
        }
        expired
    }

    /// A keep-alive response was finished at `now`.
    pub(super) fn keep_alive(&mut self, now: Instant) {
        self.awaiting = true;
        self.idle = true;
        self.started = false;
        self.deadline = now.saturating_add(self.idle_timeout);
    }

    pub(super) fn poll_at(&self) -> Option<Instant> {
        self.awaiting.then_some(self.deadline)
    }

    pub(super) fn is_idle(&self) -> bool {
        self.awaiting && !self.started
    }
}
