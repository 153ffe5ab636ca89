//! # eddy-tests
//!
//! The one behavioural suite every backend passes through the
//! [`Backend`](eddy_core::Backend) trait. Each test is written once, as a
//! generic function over a [`Harness`](harness::Harness), in
//! [`suite`]; the [`backend_suite!`] macro expands the whole list into
//! `#[test]`s for one backend, so every run reports its own names
//! (`sim::timers_fire_in_deadline_order`,
//! `std_epoll::timers_fire_in_deadline_order`, …).
//!
//! Ordering is asserted with a trace recorder ([`world::World`]): each
//! callback and handler appends a line, and the test compares the whole
//! trace.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod harness;
pub mod hosted;
pub mod rig;
pub mod sim;
pub mod smol;
pub mod suite;
pub mod tcp;
pub mod world;

/// Expands the shared suite into `#[test]` functions for one harness.
///
/// ```
/// mod sim {
///     eddy_tests::backend_suite!(eddy_tests::sim::Sim);
/// }
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! backend_suite {
    ($harness:ty) => {
        $crate::backend_suite!(@tests $harness;
            reactor::callbacks_run_before_timers_before_io,
            reactor::callbacks_added_while_running_wait_an_iteration,
            reactor::timers_fire_in_deadline_order,
            reactor::equal_deadlines_fire_in_scheduling_order,
            reactor::cancelled_timers_never_fire,
            reactor::periodic_timer_stays_on_its_grid,
            reactor::stop_ends_the_loop_after_the_iteration,
            io::pipe_becomes_readable_when_data_arrives,
            io::handler_reads_until_would_block,
            io::handler_may_remove_itself_during_dispatch,
            io::handler_may_remove_another_pending_registration,
            io::reregister_switches_interest,
            io::deregistered_source_is_silent,
            io::peer_close_is_reported_as_read_closed,
            io::peer_reset_is_reported,
            io::writable_interest_is_reported,
        );
    };
    (@tests $harness:ty; $($area:ident :: $name:ident),+ $(,)?) => {
        $(
            #[test]
            fn $name() {
                $crate::suite::$area::$name::<$harness>();
            }
        )+
    };
}

/// Expands the stream part of the suite (`suite::stream*`: buffered
/// streams over the harness's [`Transport`](harness::Harness::Transport),
/// the async style and the client connect) into `#[test]` functions for one
/// harness, beside [`backend_suite!`] in the same module.
///
/// ```
/// mod sim {
///     eddy_tests::backend_suite!(eddy_tests::sim::Sim);
///     eddy_tests::stream_suite!(eddy_tests::sim::Sim);
/// }
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! stream_suite {
    ($harness:ty) => {
        $crate::backend_suite!(@tests $harness;
            stream::stream_delimiter_split_across_reads,
            stream::stream_unsatisfiable_read_is_refused,
            stream::stream_line_over_limit_closes_with_buffer_full,
            stream::stream_full_read_buffer_closes_with_buffer_full,
            stream::stream_close_reason_is_reported_exactly_once,
            stream::stream_local_close_is_reported_once,
            stream::stream_half_close_flushes_writes_after_peer_eof,
            stream::stream_peer_reset_mid_read,
            stream_flow::stream_backpressure_bounds_memory,
            stream_flow::stream_peer_reset_mid_write,
            stream_flow::stream_echo_round_trip_16_mib,
            stream_modes::stream_read_until_with_random_chunks,
            stream_modes::stream_read_exact_with_random_chunks,
            stream_modes::stream_read_chunk_with_random_chunks,
            stream_modes::stream_read_until_close_with_random_chunks,
            stream_async::stream_async_echo_over_the_backend,
            stream_async::stream_client_connects_exchanges_and_closes,
            stream_async::stream_async_idle_stream_stays_quiet,
        );
    };
}
