//! The on-target test runner.
//!
//! A test is a plain `fn() -> Outcome` in a table of [`Test`]s. A failed
//! check prints what was expected and returns a [`Failure`] naming the
//! file and line instead of panicking, so one failing test does not hide
//! the others. [`run`] runs a whole table and prints one line per test,
//! [`report`] prints the closing `N passed, N failed` over semihosting,
//! and [`exit`] turns the failure count into QEMU's exit status.

use core::fmt;

use cortex_m_semihosting::{debug, hprintln};

/// Where a test failed. What the check expected, with the values it saw,
/// is printed when the failure is made, so the error stays two words.
#[derive(Clone, Copy, Debug)]
pub struct Failure {
    /// The source file of the failed check.
    pub file: &'static str,
    /// The line of the failed check.
    pub line: u32,
}

impl Failure {
    /// A failure at `file:line`; prints `args`, which say what went wrong.
    pub fn new(file: &'static str, line: u32, args: fmt::Arguments<'_>) -> Failure {
        hprintln!("    check failed at {}:{}: {}", file, line, args);
        Failure { file, line }
    }
}

/// What a test returns.
pub type Outcome = Result<(), Failure>;

/// One entry of a test table.
#[derive(Clone, Copy, Debug)]
pub struct Test {
    /// The name printed for the test.
    pub name: &'static str,
    /// The test itself.
    pub run: fn() -> Outcome,
}

/// The counts of a finished run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Tests that returned `Ok`.
    pub passed: usize,
    /// Tests that returned a [`Failure`].
    pub failed: usize,
}

/// Fails the test with a formatted message unless `cond` holds.
#[macro_export]
macro_rules! check {
    ($cond:expr) => {
        $crate::check!($cond, "{}", stringify!($cond))
    };
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err($crate::harness::Failure::new(file!(), line!(), format_args!($($msg)+)));
        }
    };
}

/// Fails the test unless both sides are equal, printing both.
#[macro_export]
macro_rules! check_eq {
    ($left:expr, $right:expr) => {
        $crate::check_eq!($left, $right, "{}", stringify!($left))
    };
    ($left:expr, $right:expr, $($msg:tt)+) => {
        match (&$left, &$right) {
            (left, right) => {
                if left != right {
                    return Err($crate::harness::Failure::new(
                        file!(),
                        line!(),
                        format_args!("{}: {:?} != {:?}", format_args!($($msg)+), left, right),
                    ));
                }
            }
        }
    };
}

/// Unwraps a `Result` or fails the test with the error.
#[macro_export]
macro_rules! check_ok {
    ($result:expr) => {
        match $result {
            Ok(value) => value,
            Err(e) => {
                return Err($crate::harness::Failure::new(
                    file!(),
                    line!(),
                    format_args!("{} failed: {:?}", stringify!($result), e),
                ))
            }
        }
    };
}

impl core::ops::Add for Summary {
    type Output = Summary;

    fn add(self, other: Summary) -> Summary {
        Summary {
            passed: self.passed + other.passed,
            failed: self.failed + other.failed,
        }
    }
}

/// Runs every test of `tests` in order, printing `test NAME ... ok` or the
/// failure for each.
pub fn run(tests: &[Test]) -> Summary {
    let mut summary = Summary::default();
    for test in tests {
        match (test.run)() {
            Ok(()) => {
                summary.passed += 1;
                hprintln!("test {} ... ok", test.name);
            }
            Err(f) => {
                summary.failed += 1;
                hprintln!("test {} ... FAILED at {}:{}", test.name, f.file, f.line);
            }
        }
    }
    summary
}

/// Prints the closing `N passed, N failed` line and hands the counts on.
pub fn report(summary: Summary) -> Summary {
    hprintln!("{} passed, {} failed", summary.passed, summary.failed);
    summary
}

/// Ends the program through semihosting: exit status 0 if nothing failed,
/// 1 otherwise (QEMU exits with it).
pub fn exit(summary: Summary) -> ! {
    if summary.failed == 0 {
        debug::exit(debug::EXIT_SUCCESS);
    } else {
        debug::exit(debug::EXIT_FAILURE);
    }
    // Not reached under a semihosting debugger; on real hardware without
    // one, park the core.
    loop {
        cortex_m::asm::wfi();
    }
}
