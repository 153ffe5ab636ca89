//! The send timeout of an [`HttpStream`]: a peer that takes no response
//! bytes for [`Config::send_timeout`](crate::http::Config::send_timeout)
//! while some wait is cut, so a stalled reader cannot hold a connection
//! and its buffers for ever.
//!
//! The watch is armed with the time of a call that brings `now` (`next`,
//! `finish`, `respond`, `on_timeout`) once output is seen waiting, and
//! remembers how many bytes had been flushed then. When it runs out,
//! [`on_timeout`](HttpStream::on_timeout) compares: any byte taken since
//! re-arms it from that moment, none closes the stream with
//! [`CloseReason::Timeout`](crate::stream::CloseReason::Timeout). Progress
//! costs nothing on the hot path (no clock read per flush); the price is
//! that a peer is cut after between one and two timeouts without taking a
//! byte. Until a call arms it, [`poll_at`](HttpStream::poll_at) promises a
//! check one timeout after the latest `now` seen, so output queued between
//! such calls (a streamed body) is watched too.

use super::HttpStream;
use crate::stream::Transport;
use crate::time::Instant;

/// An armed watch: when it runs out, and the stream's flushed-byte count
/// when it was armed.
#[derive(Clone, Copy, Debug)]
pub(super) struct Watch {
    pub(super) deadline: Instant,
    mark: u64,
}

impl<T, const R: usize, const W: usize, const H: usize> HttpStream<T, R, W, H> {
    /// Notes `now` and arms the watch if output waits and none runs; a
    /// flushed stream needs none.
    pub(in crate::http) fn watch_send(&mut self, now: Instant) {
        self.now = now;
        if !self.output_waits() {
            self.send_watch = None;
        } else if self.send_watch.is_none() {
            self.send_watch = Some(self.arm(now));
        }
    }

    /// Whether bytes wait to be sent on an open stream: what the watch is
    /// for.
    fn output_waits(&self) -> bool {
        !self.stream.is_flushed() && !self.stream.is_closed()
    }

    /// A watch running from `now`.
    fn arm(&self, now: Instant) -> Watch {
        Watch {
            deadline: now.saturating_add(self.conn.config().send_timeout),
            mark: self.stream.flushed(),
        }
    }

    /// When the send watch wants [`on_timeout`](HttpStream::on_timeout):
    /// its deadline, or one timeout after the latest `now` while output
    /// waits unwatched; `None` with nothing to send.
    pub(super) fn send_due(&self) -> Option<Instant> {
        if !self.output_waits() {
            return None;
        }
        Some(self.send_watch.unwrap_or_else(|| self.arm(self.now)).deadline)
    }

    /// The watch's check at `now`: re-armed after progress, the stream
    /// closed after none; whether it closed the stream.
    pub(super) fn check_send(&mut self, now: Instant) -> bool
    where
        T: Transport,
    {
        self.watch_send(now);
        let Some(watch) = self.send_watch else {
            return false;
        };
        if now < watch.deadline {
            return false;
        }
        if self.stream.flushed() != watch.mark {
            self.send_watch = Some(self.arm(now));
            return false;
        }
        self.send_watch = None;
        self.stream.on_timeout();
        true
    }
}
