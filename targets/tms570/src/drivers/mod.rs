//! Drivers: the logic is plain Rust over `&RegisterBlock`, so host tests drive it against an
//! ordinary memory array (`crate::fake`); the board points the same code at the hardware.
pub mod dcan;
pub mod esm;
pub mod gio;
pub mod rti;
pub mod sci;
pub mod vim;

/// Bound of every busy-wait on a peripheral flag: no wait in these drivers is unbounded.
pub const WAIT_LIMIT: u32 = 100_000;

/// Waits for `done` at most [`WAIT_LIMIT`] polls.
pub(crate) fn wait(mut done: impl FnMut() -> bool) -> bool {
    (0..WAIT_LIMIT).any(|_| done())
}
