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
