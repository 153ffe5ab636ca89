//! Sending a [`Signal`] to one thread of this process (`pthread_kill(3)`),
//! for instance to interrupt a blocking system call in that thread with
//! `EINTR`, which is how the backends' retry of interrupted polls is tested.
//!
//! Invariant: the thread is named by a borrowed [`JoinHandle`], so its
//! `pthread_t` is valid for the whole call (see the SAFETY note).

#![allow(unsafe_code)]

use std::io;
use std::os::unix::thread::JoinHandleExt;
use std::thread::JoinHandle;

use super::signal::Signal;

impl Signal {
    /// Sends this signal to the thread of `thread` (`pthread_kill(3)`),
    /// not to the whole process: the signal's handler runs on that thread,
    /// and a system call it is blocked in returns `EINTR` unless the
    /// handler was installed with `SA_RESTART` and the call is one the
    /// kernel restarts (on Linux `poll(2)` and `epoll_wait(2)` never are:
    /// signal(7)).
    ///
    /// Whatever the signal's disposition in this process is applies: with
    /// no handler installed (by a live [`Signals`](crate::Signals) wanting
    /// it, say), most signals terminate the whole process, as `kill(1)`
    /// would. A thread that has finished but has not been joined receives
    /// nothing.
    ///
    /// # Errors
    /// The error number `pthread_kill(3)` returned: `ESRCH` on platforms
    /// that report a finished thread that way (recent glibc returns `Ok`).
    ///
    /// # Examples
    /// ```
    /// use std::os::fd::AsFd;
    /// use std::sync::mpsc;
    /// use std::time::Duration;
    /// use eddy_core::{Backend, Event, Interest, Token};
    /// use eddy_std::{Signal, Signals, StdBackend};
    ///
    /// let signals = Signals::new(&[Signal::Usr2])?;
    /// let mut backend = StdBackend::new()?;
    /// backend.register(signals.as_fd(), Token::new(0, 0), Interest::READABLE)?;
    ///
    /// let (done, wait) = mpsc::channel::<()>();
    /// let worker = std::thread::spawn(move || wait.recv());
    /// Signal::Usr2.send_to_thread(&worker)?;
    /// // The handler ran on `worker` and made the signals' fd readable.
    /// let mut events = [Event::EMPTY; 1];
    /// assert_eq!(backend.poll(&mut events, Some(Duration::from_secs(30)))?, 1);
    /// assert!(signals.take_pending().contains(Signal::Usr2));
    /// drop(done);
    /// let _ = worker.join();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn send_to_thread<T>(self, thread: &JoinHandle<T>) -> io::Result<()> {
        let target = thread.as_pthread_t();
        // SAFETY: `target` is the pthread_t of a thread whose JoinHandle is
        // borrowed for this whole call, so it is neither joined (`join`
        // takes the handle by value) nor detached (dropping the handle
        // does): its id stays valid (pthread_kill(3): a thread id may be
        // used until the thread is joined or detached). `as_raw` is one of
        // the platform's signal numbers, so the call reads nothing else.
        let rc = unsafe { libc::pthread_kill(target, self.as_raw()) };
        match rc {
            0 => Ok(()),
            errno => Err(io::Error::from_raw_os_error(errno)),
        }
    }
}
