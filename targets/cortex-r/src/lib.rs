//! The Cortex-R port of the ECU OS: Armv7-R (Cortex-R4F/R5F: QEMU `versatileab`, TMS570) and the
//! AArch32 EL1 of Armv8-R (Cortex-R52), which has the same exception model.
//!
//! How it runs:
//! - Tasks of non-trusted OS-Applications run in User mode, trusted ones in SYS mode, each on
//!   its own stack. With `run_partitioned` each stack is a block of the partition window and the
//!   MPU (`mpu.rs`: PMSAv7 or PMSAv8) maps, while a task runs, only the code, the common block,
//!   its application's data and its stack. The kernel runs in SVC mode on the SVC stack, with
//!   IRQs masked: it is never re-entered.
//! - Every way into the kernel (the tick IRQ, a task's `svc`) saves the full context of what was
//!   running onto that context's own stack and hands the kernel a pointer to it; the kernel
//!   returns the stack pointer of the context to resume. A switch is just a different pointer.
//!   Saving happens through SYS mode's banked SP, so the same entry works when tasks later run
//!   in User mode (USR and SYS share SP and LR).
//! - Idle is the boot context (`kmain` on the SYS stack of `aarch32-rt`), treated like a task
//!   without an id: it drains the trace to the board's console and waits for interrupts.
//! - A task's undefined instruction, prefetch or data abort goes to the protection hook
//!   (`port::ecu_cortex_r_fault`); the reaction is carried out and scheduling goes on.
//! - The board (timer, interrupt controller, console, exit, clock, CAN controllers) is behind
//!   [`Board`]. The port carries CAN frames between the kernel's queues and the controllers;
//!   boards without CAN (QEMU) can give test images a loopback controller ([`LoopbackCan`]).
#![no_std]

mod board;
// The port uses it on Arm; the host build has its tests only.
#[cfg_attr(not(target_arch = "arm"), allow(dead_code))]
mod can_exchange;
mod gateway;
mod kernel_ops;
mod loopback_can;
mod memory;
mod stimuli;

pub use board::{Board, Irq};
pub use gateway::{BoardGateway, CanRouter, GATEWAY_BUSES, GATEWAY_QUEUE};
pub use kernel_ops::PortKernel;
pub use loopback_can::{LoopbackCan, LOOPBACK_BUSES};
pub use memory::{init_sections, Memory, Region, SectionInit, TaskMemory};
pub use stimuli::{FiqLine, Interrupts, IsrLine, Stimulus};

#[cfg(target_arch = "arm")]
mod context;
#[cfg(target_arch = "arm")]
mod fault;
#[cfg(target_arch = "arm")]
mod image;
#[cfg(target_arch = "arm")]
mod mpu;
#[cfg(target_arch = "arm")]
pub mod pmu;
#[cfg(target_arch = "arm")]
mod port;
#[cfg(all(target_arch = "arm", feature = "probes"))]
pub mod probes;
#[cfg(target_arch = "arm")]
pub mod semihosting;
#[cfg(target_arch = "arm")]
mod syscalls;

#[cfg(target_arch = "arm")]
pub use image::{Image, StackPool};
#[cfg(target_arch = "arm")]
pub use port::{
    run, run_partitioned, run_partitioned_with, run_with, set_can_gateway, set_interrupts,
    trigger_line,
};

// Linked for its vector table, reset code and mode stacks; this crate overrides its IRQ and
// SVC entries (see `context`).
#[cfg(target_arch = "arm")]
use aarch32_rt as _;
