//! Signals delivered as readiness: a handler that only sets a bit and writes
//! one byte to a pipe.
//!
//! [`Signals::new`] claims one of [`SLOTS`] process-wide slots, gives it a
//! non-blocking pipe and the set of signals it wants, and installs the
//! handler for those signals with `sigaction(2)`. When a signal arrives the
//! handler, for every slot that wants it, ORs the signal's bit into the
//! slot's `pending` mask (an `AtomicU64`) and `write(2)`s one byte to the
//! slot's pipe — both async-signal-safe (`signal-safety(7)`); errno is saved
//! and restored around them. The pipe's read end is what gets registered
//! with a backend: it turns readable, and [`Signals::take_pending`] drains
//! it and swaps the mask back to zero.
//!
//! This design works the same under epoll, kqueue and poll, and needs no
//! signal to be blocked in other threads (which `signalfd(2)` would).
//!
//! Invariants:
//! - a slot's write fd is only closed after its `fd` field is `FREE` and its
//!   `busy` counter is zero, so a handler never writes to a closed or reused
//!   fd (see [`Slot`]);
//! - when the last `Signals` wanting a signal is dropped, the disposition
//!   that was in place before the first install is restored; the handler
//!   is installed with `SA_RESTART` so other blocking calls are resumed;
//! - claims, releases and installs are serialised by one mutex; the handler
//!   takes no lock.

#![allow(unsafe_code)]

use std::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::sync::atomic::{AtomicI32, AtomicU64, AtomicUsize, Ordering::SeqCst};
use std::sync::{Mutex, PoisonError};

use crate::error::SignalsError;

/// How many [`Signals`] may be alive at once in a process.
pub(crate) const SLOTS: usize = 16;
const FREE: i32 = -1;

/// A signal [`Signals`] can deliver.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Signal {
    /// `SIGHUP`: the terminal hung up; daemons reload their configuration.
    Hup,
    /// `SIGINT`: interrupt from the keyboard (Ctrl-C).
    Int,
    /// `SIGQUIT`: quit from the keyboard.
    Quit,
    /// `SIGTERM`: polite termination request.
    Term,
    /// `SIGCHLD`: a child process stopped or exited.
    Chld,
    /// `SIGUSR1`: user-defined.
    Usr1,
    /// `SIGUSR2`: user-defined.
    Usr2,
    /// `SIGPIPE`: write to a pipe or socket with no reader.
    Pipe,
    /// `SIGALRM`: a timer set by `alarm(2)` expired.
    Alrm,
    /// `SIGWINCH`: the terminal window changed size.
    Winch,
}

const ALL: [Signal; 10] = [
    Signal::Hup,
    Signal::Int,
    Signal::Quit,
    Signal::Term,
    Signal::Chld,
    Signal::Usr1,
    Signal::Usr2,
    Signal::Pipe,
    Signal::Alrm,
    Signal::Winch,
];

impl Signal {
    /// The platform's signal number.
    pub fn as_raw(self) -> i32 {
        match self {
            Signal::Hup => libc::SIGHUP,
            Signal::Int => libc::SIGINT,
            Signal::Quit => libc::SIGQUIT,
            Signal::Term => libc::SIGTERM,
            Signal::Chld => libc::SIGCHLD,
            Signal::Usr1 => libc::SIGUSR1,
            Signal::Usr2 => libc::SIGUSR2,
            Signal::Pipe => libc::SIGPIPE,
            Signal::Alrm => libc::SIGALRM,
            Signal::Winch => libc::SIGWINCH,
        }
    }

    fn bit(self) -> u64 {
        bit_of(self.as_raw())
    }
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Signal::Hup => "SIGHUP",
            Signal::Int => "SIGINT",
            Signal::Quit => "SIGQUIT",
            Signal::Term => "SIGTERM",
            Signal::Chld => "SIGCHLD",
            Signal::Usr1 => "SIGUSR1",
            Signal::Usr2 => "SIGUSR2",
            Signal::Pipe => "SIGPIPE",
            Signal::Alrm => "SIGALRM",
            Signal::Winch => "SIGWINCH",
        })
    }
}

fn bit_of(signo: libc::c_int) -> u64 {
    match u32::try_from(signo) {
        Ok(n @ 1..=63) => 1 << n,
        _ => 0,
    }
}

/// A set of signals, as returned by [`Signals::take_pending`]; iterating it
/// yields each signal once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SignalSet(u64);

impl SignalSet {
    /// Whether `signal` is in the set.
    pub fn contains(self, signal: Signal) -> bool {
        self.0 & signal.bit() != 0
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl Iterator for SignalSet {
    type Item = Signal;
    fn next(&mut self) -> Option<Signal> {
        let next = ALL.into_iter().find(|s| self.contains(*s))?;
        self.0 &= !next.bit();
        Some(next)
    }
}

/// One subscriber, as the handler sees it.
///
/// `fd` is the write end of the subscriber's pipe, or `FREE`. The handler
/// increments `busy` before loading `fd` and decrements it after its write;
/// a release stores `FREE` and then waits for `busy == 0` before the fd may
/// be closed. Both sides use `SeqCst`, so a handler either saw `FREE` or is
/// counted in `busy` until it is done with the fd.
struct Slot {
    fd: AtomicI32,
    busy: AtomicUsize,
    wanted: AtomicU64,
    pending: AtomicU64,
}

#[allow(clippy::declare_interior_mutable_const)] // only used to build SLOT_TABLE
const EMPTY_SLOT: Slot = Slot {
    fd: AtomicI32::new(FREE),
    busy: AtomicUsize::new(0),
    wanted: AtomicU64::new(0),
    pending: AtomicU64::new(0),
};
static SLOT_TABLE: [Slot; SLOTS] = [EMPTY_SLOT; SLOTS];

/// Bookkeeping for claims and installs: which slots are taken, and the
/// dispositions our handler replaced (restored when no slot wants them).
struct Registry {
    taken: [bool; SLOTS],
    saved: Vec<(libc::c_int, libc::sigaction)>,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    taken: [false; SLOTS],
    saved: Vec::new(),
});

/// The errno cell of the calling thread, saved and restored by the handler
/// (`None` where this file does not know its name).
fn errno_cell() -> Option<*mut libc::c_int> {
    #[cfg(target_os = "linux")]
    // SAFETY: __errno_location() has no preconditions; it returns this
    // thread's errno, valid for the thread's life (errno(3)).
    return Some(unsafe { libc::__errno_location() });
    #[cfg(any(
        target_os = "macos",
        target_os = "ios",
        target_os = "tvos",
        target_os = "watchos",
        target_os = "visionos",
        target_os = "freebsd",
        target_os = "dragonfly"
    ))]
    // SAFETY: __error() has no preconditions; it returns this thread's
    // errno, valid for the thread's life (errno(2) on BSD).
    return Some(unsafe { libc::__error() });
    #[cfg(any(target_os = "android", target_os = "openbsd", target_os = "netbsd"))]
    // SAFETY: __errno() has no preconditions; it returns this thread's
    // errno, valid for the thread's life.
    return Some(unsafe { libc::__errno() });
    #[allow(unreachable_code)]
    None
}

/// The signal handler: async-signal-safe operations only (signal-safety(7)):
/// atomics, write(2), and the errno save/restore.
extern "C" fn on_signal(signo: libc::c_int) {
    let errno = errno_cell();
    // SAFETY: a `Some` pointer is this thread's errno (see `errno_cell`).
    let saved = errno.map(|cell| unsafe { *cell });
    let bit = bit_of(signo);
    for slot in &SLOT_TABLE {
        slot.busy.fetch_add(1, SeqCst);
        let fd = slot.fd.load(SeqCst);
        if fd != FREE && slot.wanted.load(SeqCst) & bit != 0 {
            slot.pending.fetch_or(bit, SeqCst);
            // SAFETY: `fd` is the open write end of this slot's pipe: it is
            // closed only after `fd` reads FREE and `busy` is zero (`Slot`),
            // and we are counted in `busy`. The buffer is one valid byte.
            // write(2) is async-signal-safe; EAGAIN (pipe full) means a wake
            // is already pending, so the result is not needed.
            unsafe { libc::write(fd, [1u8].as_ptr().cast(), 1) };
        }
        slot.busy.fetch_sub(1, SeqCst);
    }
    if let (Some(cell), Some(saved)) = (errno, saved) {
        // SAFETY: as above; restoring errno keeps the interrupted code's view.
        unsafe { *cell = saved };
    }
}

/// Installs `on_signal` for `signo` unless already installed, saving the
/// disposition it replaces.
fn install(reg: &mut Registry, signal: Signal) -> io::Result<()> {
    let signo = signal.as_raw();
    if reg.saved.iter().any(|(s, _)| *s == signo) {
        return Ok(());
    }
    // SAFETY: sigaction is plain old data; all-zero is a valid value that
    // is filled in below.
    let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: same for the struct receiving the old disposition.
    let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
    action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
    action.sa_flags = libc::SA_RESTART;
    // SAFETY: sigemptyset(3) initialises the mask we own.
    unsafe { libc::sigemptyset(&mut action.sa_mask) };
    // SAFETY: sigaction(2) with valid pointers to initialised structs; the
    // handler only does async-signal-safe work (`on_signal`).
    if unsafe { libc::sigaction(signo, &action, &mut old) } != 0 {
        return Err(io::Error::last_os_error());
    }
    reg.saved.push((signo, old));
    Ok(())
}

/// Restores the saved disposition of every signal no taken slot wants.
fn restore_unwanted(reg: &mut Registry) {
    let wanted = (0..SLOTS)
        .filter(|i| reg.taken[*i])
        .fold(0, |acc, i| acc | SLOT_TABLE[i].wanted.load(SeqCst));
    reg.saved.retain(|(signo, old)| {
        if wanted & bit_of(*signo) != 0 {
            return true;
        }
        // SAFETY: sigaction(2) with a disposition the kernel gave us.
        if unsafe { libc::sigaction(*signo, old, std::ptr::null_mut()) } != 0 {
            warn!(
                "eddy-std: could not restore signal {}: {}",
                signo,
                io::Error::last_os_error()
            );
        }
        false
    });
}

/// A subscription to some signals, readable through a file descriptor.
///
/// Register [`Signals`] (it implements [`AsFd`]) with a backend for
/// readable interest; when it is reported, call [`Signals::take_pending`].
/// Several `Signals` may want the same signal: each is told. At most 16 may
/// be alive in a process at once.
///
/// # Examples
///
/// ```
/// use std::os::fd::AsFd;
/// use std::time::Duration;
/// use eddy_core::{Backend, Event, Interest, Token};
/// use eddy_std::{Signal, Signals, StdBackend};
///
/// let signals = Signals::new(&[Signal::Usr2])?;
/// let mut backend = StdBackend::new()?;
/// backend.register(signals.as_fd(), Token::new(0, 0), Interest::READABLE)?;
/// rustix::process::kill_process(rustix::process::getpid(), rustix::process::Signal::USR2)?;
/// let mut events = [Event::EMPTY; 4];
/// let n = backend.poll(&mut events, Some(Duration::from_secs(60)))?;
/// assert_eq!(events[..n][0].token, Token::new(0, 0));
/// assert!(signals.take_pending().contains(Signal::Usr2));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Signals {
    slot: usize,
    read: OwnedFd,
    // Closed after `Drop::drop` has released the slot (field drop order).
    _write: OwnedFd,
}

impl Signals {
    /// Starts catching `signals`; their default action (terminating the
    /// process, for most) no longer happens while a `Signals` wants them.
    /// A handler installed by other code is replaced meanwhile, and put
    /// back when the last `Signals` wanting that signal is dropped.
    ///
    /// # Errors
    /// [`SignalsError::Pipe`] if the pipe cannot be created,
    /// [`SignalsError::NoFreeSlot`] if 16 are alive already,
    /// [`SignalsError::Install`] if `sigaction(2)` refuses.
    pub fn new(signals: &[Signal]) -> Result<Signals, SignalsError> {
        let (read, write) = super::nonblocking_pipe().map_err(SignalsError::Pipe)?;
        let mut reg = REGISTRY.lock().unwrap_or_else(PoisonError::into_inner);
        let slot = reg
            .taken
            .iter()
            .position(|t| !*t)
            .ok_or(SignalsError::NoFreeSlot)?;
        let entry = &SLOT_TABLE[slot];
        let wanted = signals.iter().fold(0, |acc, s| acc | s.bit());
        entry.pending.store(0, SeqCst);
        entry.wanted.store(wanted, SeqCst);
        entry.fd.store(write.as_raw_fd(), SeqCst);
        reg.taken[slot] = true;
        let this = Signals {
            slot,
            read,
            _write: write,
        };
        for &signal in signals {
            if let Err(error) = install(&mut reg, signal) {
                drop(reg); // `this` is dropped next, which takes the lock
                return Err(SignalsError::Install { signal, error });
            }
        }
        Ok(this)
    }

    /// The signals that arrived since the last call, and makes the fd
    /// unreadable again (until the next signal).
    pub fn take_pending(&self) -> SignalSet {
        // Drain first, then take the mask: a signal landing in between is
        // taken now and leaves a byte behind (one spurious wake-up), never
        // a missed one.
        let mut buf = [0u8; 64];
        // read(2) until EAGAIN; the pipe is non-blocking.
        while let Ok(n) = rustix::io::read(&self.read, &mut buf) {
            if n < buf.len() {
                break;
            }
        }
        SignalSet(SLOT_TABLE[self.slot].pending.swap(0, SeqCst))
    }
}

impl AsFd for Signals {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.read.as_fd()
    }
}

impl fmt::Debug for Signals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let wanted = SignalSet(SLOT_TABLE[self.slot].wanted.load(SeqCst));
        f.debug_struct("Signals")
            .field("fd", &self.read.as_raw_fd())
            .field("wanted", &wanted.collect::<Vec<_>>())
            .finish()
    }
}

impl Drop for Signals {
    fn drop(&mut self) {
        let mut reg = REGISTRY.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = &SLOT_TABLE[self.slot];
        entry.fd.store(FREE, SeqCst);
        // A handler that loaded the fd before the store is still counted;
        // it finishes in a few instructions and never waits, so this ends.
        while entry.busy.load(SeqCst) != 0 {
            std::hint::spin_loop();
        }
        entry.wanted.store(0, SeqCst);
        entry.pending.store(0, SeqCst);
        reg.taken[self.slot] = false;
        restore_unwanted(&mut reg);
    }
}
