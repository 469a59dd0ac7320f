//! The storage an image gives the port: the kernel object, one saved stack pointer per task and
//! the task stacks. Sizes come from the generated tables, so all of it is static; it starts
//! all zero (or uninitialised), so it lands in .bss and costs no flash.

use core::cell::UnsafeCell;
use core::mem::MaybeUninit;

use crate::context::FRAME_BYTES;
use ecu_os::ipc::ServerHandler;

use crate::PortKernel;

/// The task stacks, one contiguous pool carved in task order.
#[repr(C, align(8))]
pub struct StackPool<const BYTES: usize>(pub(crate) UnsafeCell<[u8; BYTES]>);

impl<const BYTES: usize> StackPool<BYTES> {
    const fn new() -> Self {
        Self(UnsafeCell::new([0; BYTES]))
    }
}

pub struct Image<K, const TASKS: usize, const STACK_BYTES: usize> {
    pub(crate) kernel: UnsafeCell<MaybeUninit<K>>,
    pub(crate) tasks: UnsafeCell<[TaskContext; TASKS]>,
    pub(crate) stacks: StackPool<STACK_BYTES>,
}

// SAFETY: the port touches the cells only from the kernel (IRQs masked, one core) and from the
// boot code before the first interrupt is enabled; see `port`.
unsafe impl<K, const TASKS: usize, const STACK_BYTES: usize> Sync for Image<K, TASKS, STACK_BYTES> {}

impl<K: PortKernel, const TASKS: usize, const STACK_BYTES: usize> Image<K, TASKS, STACK_BYTES> {
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        Self {
            kernel: UnsafeCell::new(MaybeUninit::uninit()),
            tasks: UnsafeCell::new([TaskContext::EMPTY; TASKS]),
            stacks: StackPool::new(),
        }
    }
}

/// Checks the generated stack sizes against the pool: each a multiple of 8 with room for at
/// least the saved context, all of them fitting.
pub(crate) fn stacks_fit(stack_sizes: &[usize], pool_bytes: usize) -> bool {
    stack_sizes
        .iter()
        .all(|&size| size % 8 == 0 && size >= FRAME_BYTES)
        && stack_sizes.iter().sum::<usize>() <= pool_bytes
}

/// One task's (or ISR's) stack bounds, how an activation starts, and while it is preempted
/// its saved stack pointer. The start is worked out once at boot: a switch to a fresh
/// activation then only writes its frame.
#[derive(Clone, Copy)]
pub(crate) struct TaskContext {
    pub bottom: usize,
    pub top: usize,
    pub sp: usize,
    /// The trampoline an activation starts in, its argument (the body) and its CPSR.
    pub start_pc: usize,
    pub start_arg: usize,
    pub start_cpsr: u32,
    /// A server task's handler: the port starts it with its call as entry arguments.
    pub handler: Option<ServerHandler>,
    /// The answer to this task's IPC call, put into its saved registers when it resumes
    /// (its stack is mapped only then).
    pub reply: Option<u32>,
}

impl TaskContext {
    pub const EMPTY: Self = Self {
        bottom: 0,
        top: 0,
        sp: 0,
        start_pc: 0,
        start_arg: 0,
        start_cpsr: 0,
        handler: None,
        reply: None,
    };
}
