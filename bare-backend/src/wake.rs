//! Waking a [`BareBackend`](crate::BareBackend)'s poll from another thread
//! or an interrupt: the [`WakeFlag`] it checks between sleeps, and the
//! [`BareWaker`] that sets it.
//!
//! On a microcontroller the interrupt that posts also ends the idle hook's
//! WFI, so the flag is all it takes. On a host (feature `std`) the flag
//! also owns a socket pair, made on first use: the waker writes a byte to
//! it after setting the flag, and an idle hook that sleeps on descriptors
//! (`TapIdle`) sleeps on its read end as well, so a wake
//! ends the sleep at once. Nothing is allocated either way.

use core::sync::atomic::{AtomicBool, Ordering};

use eddy_core::Wake;

/// The flag behind [`BareWaker`]; `const`-constructible so it can live in
/// a `static`.
#[derive(Debug, Default)]
pub struct WakeFlag {
    set: AtomicBool,
    /// The host's wake descriptor; `None` inside if it could not be made.
    #[cfg(feature = "std")]
    signal: std::sync::OnceLock<Option<crate::host::WakeSignal>>,
}

impl WakeFlag {
    /// A flag that is not set.
    pub const fn new() -> WakeFlag {
        WakeFlag {
            set: AtomicBool::new(false),
            #[cfg(feature = "std")]
            signal: std::sync::OnceLock::new(),
        }
    }

    /// Clears the flag; whether it was set.
    pub(crate) fn take(&self) -> bool {
        self.set.swap(false, Ordering::AcqRel)
    }

    /// Sets the flag and, on a host, makes the wake descriptor readable.
    /// The byte is written only by the wake that set the flag: a flag
    /// already set has its byte on the way, and the sleeper drains the
    /// descriptor before it looks at the flag again.
    fn raise(&self) {
        if !self.set.swap(true, Ordering::AcqRel) {
            #[cfg(feature = "std")]
            if let Some(signal) = self.signal() {
                signal.raise();
            }
        }
    }

    /// The wake descriptor, made on first use (`None` if that failed).
    #[cfg(feature = "std")]
    pub(crate) fn signal(&self) -> Option<&crate::host::WakeSignal> {
        self.signal.get_or_init(crate::host::WakeSignal::new).as_ref()
    }
}

/// Wakes a [`BareBackend`](crate::BareBackend)'s poll from another thread
/// or an interrupt.
#[derive(Clone, Copy, Debug)]
pub struct BareWaker(pub(crate) &'static WakeFlag);

impl Wake for BareWaker {
    fn wake(&self) {
        self.0.raise();
    }
}
