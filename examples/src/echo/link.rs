//! A connection's stream and its reactor registration, kept in line by a
//! [`StreamDriver`]; shared by the echo and chat servers.

use std::net::TcpStream;
use std::os::fd::AsFd;

use eddy_core::stream::{BufferedStream, InterestChange, StreamDriver};
use eddy_core::{Event, Handler, Token};
use eddy_std::{StdReactor, TcpTransport};

/// One connection: an `R`/`W`-byte [`BufferedStream`] over TCP, the driver
/// that tracks its registration, and the registration's token.
#[derive(Debug)]
pub(crate) struct Link<const R: usize, const W: usize> {
    pub(crate) stream: BufferedStream<TcpTransport, R, W>,
    driver: StreamDriver,
    token: Option<Token>,
}

impl<const R: usize, const W: usize> Link<R, W> {
    /// A link over an accepted socket, not registered yet (the first
    /// [`sync`](Self::sync) registers it). Box what holds it: the buffers
    /// are large.
    pub(crate) fn new(socket: TcpStream) -> std::io::Result<Self> {
        let _ = socket.set_nodelay(true);
        Ok(Link {
            stream: BufferedStream::new(TcpTransport::new(socket)?),
            driver: StreamDriver::new(),
            token: None,
        })
    }

    /// Feeds an event to the transport's flags and the stream.
    pub(crate) fn on_event(&mut self, ev: Event) {
        self.stream.transport_mut().set_ready(ev.ready);
        self.driver.on_event(&mut self.stream, ev.ready);
    }

    /// Applies the registration change the stream needs now; `handler`
    /// serves a new registration. `false` if the reactor refused (the
    /// connection should be dropped).
    pub(crate) fn sync<A, const CB: usize, const TM: usize, const IO: usize, const EV: usize>(
        &mut self,
        r: &mut StdReactor<A, CB, TM, IO, EV>,
        handler: Handler<A, StdReactor<A, CB, TM, IO, EV>>,
    ) -> bool {
        let fd = self.stream.transport().as_fd();
        match self.driver.update(&self.stream) {
            None => true,
            Some(InterestChange::Register(interest)) => match r.add_handler(fd, interest, handler) {
                Ok(token) => {
                    self.token = Some(token);
                    true
                }
                Err(_) => false,
            },
            Some(InterestChange::Reregister(interest)) => self
                .token
                .is_some_and(|token| r.update_handler(fd, token, interest).is_ok()),
            Some(InterestChange::Deregister) => {
                if let Some(token) = self.token.take() {
                    let _ = r.remove_handler(fd, token);
                }
                true
            }
        }
    }

    /// Deregisters; the socket closes when the link drops.
    pub(crate) fn release<A, const CB: usize, const TM: usize, const IO: usize, const EV: usize>(
        &mut self,
        r: &mut StdReactor<A, CB, TM, IO, EV>,
    ) {
        if let Some(token) = self.token.take() {
            let _ = r.remove_handler(self.stream.transport().as_fd(), token);
        }
    }
}
