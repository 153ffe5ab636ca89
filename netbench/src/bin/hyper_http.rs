//! The hyper peer of the HTTP benchmark: hyper 1.x's HTTP/1 server
//! connection on a one-thread (`current_thread`) tokio runtime, answering
//! like eddy's `http_server` does for `GET`:
//!
//! - `hyper_http --addr 127.0.0.1:PORT` binds, prints
//!   `listening on http://ADDR` and flushes stdout;
//! - every request gets 200, `content-type: text/plain` and the body
//!   `You requested <target>\n` (the target as sent, query included); the
//!   body length is known, so hyper sends `content-length`;
//! - keep-alive, pipelining and the header read timeout are hyper's own
//!   defaults; `--pipeline-flush` turns on hyper's
//!   `http1::Builder::pipeline_flush`, which gathers the responses to
//!   pipelined requests into fewer writes (off by default in hyper); `TCP_NODELAY` is set on
//!   every connection, as eddy does;
//! - SIGINT or SIGTERM stops the server with exit status 0.
//!
//! hyper adds a `date` header that eddy does not send (eddy has no wall
//! clock in its core); hyper caches the formatted date once per second, so
//! it costs a copy per response, which is part of what hyper does.

#![forbid(unsafe_code)]

use std::convert::Infallible;
use std::io::Write as _;
use std::net::SocketAddr;
use std::process::ExitCode;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::signal::unix::{signal, SignalKind};

const USAGE: &str = "usage: hyper_http --addr 127.0.0.1:PORT [--pipeline-flush]";

/// The command line.
struct Args {
    addr: SocketAddr,
    pipeline_flush: bool,
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(msg) => {
            eprintln!("hyper_http: {msg}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("hyper_http: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hyper_http: {e}");
            ExitCode::FAILURE
        }
    }
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut addr = None;
    let mut pipeline_flush = false;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--addr" => {
                let value = args.next().ok_or("--addr needs a value")?;
                addr = Some(value.parse().map_err(|e| format!("--addr {value}: {e}"))?);
            }
            "--pipeline-flush" => pipeline_flush = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let addr = addr.ok_or("--addr is required")?;
    Ok(Args { addr, pipeline_flush })
}

/// Accepts until SIGINT or SIGTERM; each connection is a task on this thread.
async fn serve(args: Args) -> std::io::Result<()> {
    let listener = TcpListener::bind(args.addr).await?;
    let pipeline_flush = args.pipeline_flush;
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "listening on http://{}", listener.local_addr()?)?;
    out.flush()?;
    drop(out);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, _) = match accepted {
                    Ok(pair) => pair,
                    Err(e) => {
                        eprintln!("hyper_http: accept: {e}");
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                tokio::task::spawn(async move {
                    // The timer arms hyper's header read timeout (30 s), the
                    // counterpart of eddy's header timeout.
                    let conn = http1::Builder::new()
                        .timer(TokioTimer::new())
                        .keep_alive(true)
                        .pipeline_flush(pipeline_flush)
                        .serve_connection(TokioIo::new(stream), service_fn(answer));
                    let _ = conn.await;
                });
            }
            _ = term.recv() => return Ok(()),
            _ = int.recv() => return Ok(()),
        }
    }
}

/// `You requested <target>\n`, as eddy's `GET` route.
async fn answer(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let target = req.uri().path_and_query().map_or("/", |pq| pq.as_str());
    let mut body = Vec::with_capacity(16 + target.len());
    body.extend_from_slice(b"You requested ");
    body.extend_from_slice(target.as_bytes());
    body.push(b'\n');
    let mut resp = Response::new(Full::new(Bytes::from(body)));
    resp.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain"),
    );
    Ok(resp)
}
