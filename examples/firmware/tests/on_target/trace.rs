//! A fixed-size trace recorder: tests assert the order things ran in by
//! comparing the recorded lines with the expected ones. A line that does
//! not fit, or one line too many, marks the trace as overflowed, which
//! fails every comparison instead of being dropped silently.

use core::fmt::{self, Write};

use eddy_core::sim::SimSource;
use eddy_core::Token;
use heapless::{String, Vec};

/// One recorded line.
pub type Line = String<48>;

/// The recorder, handed to callbacks as the reactor's application state.
#[derive(Debug, Default)]
pub struct Trace {
    lines: Vec<Line, 16>,
    overflowed: bool,
    /// Handler-visible scratch: a registration for a handler to remove.
    pub victim: Option<(SimSource, Token)>,
}

impl Trace {
    /// Records one line.
    pub fn note(&mut self, args: fmt::Arguments<'_>) {
        let mut line = Line::new();
        if line.write_fmt(args).is_err() || self.lines.push(line).is_err() {
            self.overflowed = true;
        }
    }

    /// Lines recorded so far.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether the recorded lines are exactly `expected`; then forgets them.
    pub fn take_matches(&mut self, expected: &[&str]) -> bool {
        let same = !self.overflowed
            && self.lines.len() == expected.len()
            && self.lines.iter().zip(expected).all(|(l, e)| l.as_str() == *e);
        if same {
            self.lines.clear();
        }
        same
    }
}

/// Fails the test unless the trace holds exactly the expected lines (then
/// clears it).
macro_rules! check_trace {
    ($trace:expr, [$($line:expr),* $(,)?]) => {{
        let expected: &[&str] = &[$($line),*];
        eddy_firmware::check!(
            $trace.take_matches(expected),
            "trace {:?} != {:?}",
            $trace,
            expected
        );
    }};
}
pub(crate) use check_trace;
