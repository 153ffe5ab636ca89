//! The shared suite, once per backend. Test names carry the backend:
//! `sim::…`, `std_epoll::…` (or `std_kqueue::…`), `std_poll::…`.

mod sim {
    eddy_tests::backend_suite!(eddy_tests::sim::Sim);
    eddy_tests::stream_suite!(eddy_tests::sim::Sim);
}

#[cfg(all(target_os = "linux", not(eddy_force_poll)))]
mod std_epoll {
    eddy_tests::backend_suite!(eddy_tests::hosted::StdDefault);
    eddy_tests::stream_suite!(eddy_tests::hosted::StdDefault);
}

#[cfg(all(not(target_os = "linux"), not(eddy_force_poll)))]
mod std_kqueue {
    eddy_tests::backend_suite!(eddy_tests::hosted::StdDefault);
    eddy_tests::stream_suite!(eddy_tests::hosted::StdDefault);
}

/// With `--cfg eddy_force_poll` the default poller *is* `poll(2)`; the
/// run-time choice below covers it either way.
mod std_poll {
    eddy_tests::backend_suite!(eddy_tests::hosted::StdPoll);
    eddy_tests::stream_suite!(eddy_tests::hosted::StdPoll);
}

/// smoltcp over an in-memory loopback, on a virtual clock.
mod smol_loopback {
    eddy_tests::backend_suite!(eddy_tests::smol::SmolLoopback);
    eddy_tests::stream_suite!(eddy_tests::smol::SmolLoopback);
}
