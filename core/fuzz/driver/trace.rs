//! What a run records (`Note`) and the events it reacts to (`Got`): the
//! connection's events with their borrowed bytes copied out, checked on
//! the way.

use eddy_core::http::{BodyLen, Event, Next, RequestError, Version};

use super::H;

/// One line of a run's trace; consecutive body runs are merged, so the
/// trace does not depend on the splits.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Note {
    Head {
        method: String,
        target: String,
        version: Version,
        body: BodyLen,
        keep_alive: bool,
        expects_continue: bool,
    },
    Body(Vec<u8>),
    End,
    Finished(Next),
    Incomplete,
    Failed(RequestError),
    Closed,
}

/// An event with its borrowed bytes copied out, so the read buffer can be
/// drained before the driver reacts.
#[derive(Debug)]
pub(super) enum Got {
    Head(Note),
    Body(Vec<u8>),
    End,
    NeedMore,
    Paused,
    Closed,
}

impl Got {
    pub(super) fn take(event: Event<'_, H>, input: &[u8], consumed: usize) -> Got {
        match event {
            Event::Head(head) => {
                assert!(head.headers().len() <= H, "more headers than H");
                assert_eq!(head.is_head(), head.method() == "HEAD");
                Got::Head(Note::Head {
                    method: head.method().to_owned(),
                    target: head.target().to_owned(),
                    version: head.version(),
                    body: head.body(),
                    keep_alive: head.keep_alive(),
                    expects_continue: head.expects_continue(),
                })
            }
            Event::Body(bytes) => {
                assert!(!bytes.is_empty(), "an empty body run");
                // Zero copy: a body run lies inside the bytes it consumed.
                let (start, end) = (input.as_ptr() as usize, bytes.as_ptr() as usize);
                let inside = end >= start && end + bytes.len() <= start + consumed;
                assert!(inside, "a body run outside the consumed input");
                Got::Body(bytes.to_vec())
            }
            Event::End => Got::End,
            Event::NeedMore => Got::NeedMore,
            Event::Paused => Got::Paused,
            Event::Closed => Got::Closed,
        }
    }
}
