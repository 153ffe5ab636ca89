//! The HTTP/1.1 service both servers run — `http_server` on the std
//! backend and `bare_http` on smoltcp — written once: the route table and
//! request type ([`request`]), the answers ([`routes`]) and the connection
//! driver ([`conn`]) over the core's [`HttpStream`](eddy_core::http::HttpStream).
//!
//! What differs between the servers is behind two traits ([`host`]): the
//! [`Host`] (its connection table lives in a [`Service`]; closing,
//! shutdown and `/blocking` are its own) and the [`EventLoop`] (any
//! [`Reactor`](eddy_core::Reactor), whatever its backend and capacities).
//! A host's transport is the backend's [`IoSource`](eddy_core::stream::IoSource):
//! `eddy_std::TcpTransport` or `eddy_bare::BareTransport`.

pub(crate) mod conn;
pub(crate) mod host;
pub(crate) mod request;
pub(crate) mod routes;

pub(crate) use conn::{on_ready, Conn};
pub(crate) use host::{Host, Service};
