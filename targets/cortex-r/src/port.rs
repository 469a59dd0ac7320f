//! The kernel side of the port: boot, the exception handlers the entry code calls, the idle
//! loop and the end of a bounded run.

use core::arch::asm;
use core::cell::UnsafeCell;
use core::fmt::{self, Write};
use core::mem::offset_of;
use core::sync::atomic::{AtomicBool, Ordering};

use ecu_os::{Config, Context, Dispatch, Request, TaskId};

use crate::context::Frame;
use crate::image::{stacks_fit, Image, TaskContext};
use crate::syscalls;
use crate::{Board, Irq, PortKernel};

struct Port {
    kernel: &'static mut dyn PortKernel,
    tasks: &'static mut [TaskContext],
    /// The saved stack pointer of idle while a task runs.
    idle_sp: usize,
    run_ticks: u64,
}

/// A global only the kernel touches: exception handlers (IRQs masked by the exception) and
/// code that masks IRQs itself. One core, no nesting, so never two live references.
struct KernelCell<T>(UnsafeCell<Option<T>>);

// SAFETY: see above; access goes through `with_port`/`port_in_kernel`, both with IRQs masked.
unsafe impl<T> Sync for KernelCell<T> {}

/// Set by the first `run`: the image's cells are handed out once.
static STARTED: AtomicBool = AtomicBool::new(false);
static PORT: KernelCell<Port> = KernelCell(UnsafeCell::new(None));
static BOARD: KernelCell<&'static dyn Board> = KernelCell(UnsafeCell::new(None));

/// The board, for output from any context (faults included).
pub(crate) fn board() -> Option<&'static dyn Board> {
    // SAFETY: written once in `run` before any exception can need it; read-only afterwards.
    unsafe { *BOARD.0.get() }
}

/// The port state, from an exception handler.
///
/// # Safety
/// Only in the kernel (SVC mode entered by an exception, IRQs masked), after `run` set it up.
unsafe fn port_in_kernel() -> &'static mut Port {
    // SAFETY: by the caller's contract nothing else holds a reference now.
    match unsafe { (*PORT.0.get()).as_mut() } {
        Some(port) => port,
        None => fatal("kernel entered before start", 0),
    }
}

/// Runs `f` on the port state with IRQs masked (from idle, SYS mode).
fn with_port<R>(f: impl FnOnce(&mut Port) -> R) -> R {
    let cpsr: u32;
    // SAFETY: masks IRQs around the access so no handler runs meanwhile; restored below.
    unsafe { asm!("mrs {0}, cpsr", "cpsid i", out(reg) cpsr, options(nomem, nostack)) };
    // SAFETY: IRQs are masked and we are not in a handler: the only reference.
    let port = unsafe { (*PORT.0.get()).as_mut() }.unwrap_or_else(|| fatal("no port", 0));
    let result = f(port);
    if cpsr & (1 << 7) == 0 {
        // SAFETY: re-enables IRQs only if they were enabled on entry.
        unsafe { asm!("cpsie i", options(nomem, nostack)) };
    }
    result
}

pub(crate) struct Console(pub &'static dyn Board);

impl Write for Console {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.write_str(s);
        Ok(())
    }
}

pub(crate) fn fatal(kind: &str, addr: usize) -> ! {
    match board() {
        Some(board) => {
            let _ = writeln!(Console(board), "fault: {kind} at {addr:#010x}");
            board.exit(1)
        }
        None => loop {
            core::hint::spin_loop();
        },
    }
}

/// Boots the kernel in `image` on `board` and runs until `run_ticks` ticks have passed and the
/// system is idle: prints the trace, `end <ticks>`, and exits with 0. Called from `kmain` (SYS
/// mode, IRQs masked, on the boot stack, which becomes idle's stack).
pub fn run<K: PortKernel + 'static, const TASKS: usize, const STACK_BYTES: usize>(
    image: &'static Image<K, TASKS, STACK_BYTES>,
    config: &'static Config,
    stack_sizes: &[usize; TASKS],
    board: &'static dyn Board,
    run_ticks: u64,
) -> ! {
    run_with(image, config, stack_sizes, board, run_ticks, |_| Ok(()))
}

/// As [`run`]; `setup` gets the kernel before StartOS (generated images attach IPC and the
/// policy engine here). An error ends the run as a fatal configuration error.
pub fn run_with<K: PortKernel + 'static, const TASKS: usize, const STACK_BYTES: usize>(
    image: &'static Image<K, TASKS, STACK_BYTES>,
    config: &'static Config,
    stack_sizes: &[usize; TASKS],
    board: &'static dyn Board,
    run_ticks: u64,
    setup: fn(&mut K) -> Result<(), &'static str>,
) -> ! {
    if STARTED.swap(true, Ordering::Relaxed) {
        fatal("the kernel was started twice", 0);
    }
    // SAFETY: boot code, IRQs masked, before any exception uses BOARD; once (STARTED).
    unsafe { *BOARD.0.get() = Some(board) };
    if !stacks_fit(stack_sizes, STACK_BYTES) {
        fatal("task stacks do not fit the stack pool", STACK_BYTES);
    }
    let kernel = match K::create(config) {
        Some(kernel) => kernel,
        None => fatal("configuration does not fit the kernel", 0),
    };
    // SAFETY: `run` gets here once (STARTED), before any interrupt: nothing else refers to
    // the image's cells, and they live for 'static.
    let (kernel, tasks, pool) = unsafe {
        let kernel: &'static mut K = (*image.kernel.get()).write(kernel);
        let tasks: &'static mut [TaskContext; TASKS] = &mut *image.tasks.get();
        (kernel, tasks, image.stacks.0.get() as usize)
    };
    let mut bottom = pool;
    for (task, size) in tasks.iter_mut().zip(stack_sizes) {
        *task = TaskContext {
            bottom,
            top: bottom + size,
            sp: 0,
        };
        bottom += size;
    }
    if let Err(what) = setup(kernel) {
        fatal(what, 0);
    }
    kernel.start_os();
    // SAFETY: still before the first exception.
    unsafe {
        *PORT.0.get() = Some(Port {
            kernel,
            tasks,
            idle_sp: 0,
            run_ticks,
        })
    };
    // The system counter runs from StartOS on, as AUTOSAR has it: an autostart task that
    // never lets the CPU idle is still preempted by alarms. Deterministic tick placement
    // needs an emulator run with `-icount` (guest time follows executed instructions);
    // without it, the first (translating) run of the kernel can outlast a tick.
    board.start_tick(config.tick_ns);
    // Runs what StartOS made ready; we come back here as idle.
    syscalls::svc([syscalls::SVC_START, 0, 0, 0]);
    idle(board)
}

/// Prints every trace record, one line each; a lost record ends the run with an error.
fn drain_trace(board: &'static dyn Board, config: &'static Config) {
    // One record at a time, printed with IRQs as they were, so ticks are not held up.
    while let Some(record) = with_port(|port| port.kernel.trace_pop()) {
        let _ = record.write(config, &mut Console(board));
        board.write_str("\n");
    }
    let lost = with_port(|port| port.kernel.trace_take_lost());
    if lost != 0 {
        let _ = writeln!(Console(board), "trace: {lost} records lost");
        board.exit(2);
    }
}

/// Idle: the boot context, run whenever no task is ready.
fn idle(board: &'static dyn Board) -> ! {
    let config = with_port(|port| port.kernel.config());
    loop {
        drain_trace(board, config);
        // SAFETY: masks IRQs so the check below and the wait cannot miss an interrupt: wfi
        // wakes on a pending IRQ even while masked, and cpsie then takes it.
        unsafe { asm!("cpsid i", options(nomem, nostack)) };
        let (ticks, run_ticks) = with_port(|port| (port.kernel.elapsed_ticks(), port.run_ticks));
        if ticks >= run_ticks {
            // The tick handler stops at run_ticks and nothing is ready (we are idle), so the
            // trace is complete once drained.
            board.stop_tick();
            drain_trace(board, config);
            let _ = writeln!(Console(board), "end {ticks}");
            board.exit(0);
        }
        // SAFETY: see above; the IRQ that woke us is taken right after cpsie.
        unsafe { asm!("wfi", "cpsie i", options(nomem, nostack)) };
    }
}

impl Port {
    fn save(&mut self, sp: usize) {
        match self.kernel.running() {
            Some(task) => {
                let context = &mut self.tasks[task.index()];
                // A context saved below its stack has already overwritten its neighbour.
                if sp < context.bottom || sp > context.top {
                    fatal("stack overflow", sp);
                }
                context.sp = sp;
            }
            None => self.idle_sp = sp,
        }
    }

    /// Carries out the kernel's decision: the saved stack pointer to resume.
    fn switch(&mut self, current_sp: usize, decision: Dispatch) -> usize {
        match decision {
            Dispatch::Keep => current_sp,
            Dispatch::Idle => self.idle_sp,
            Dispatch::Switch {
                to: Context::Task(to),
                fresh,
            } => self.switch_to(to, fresh),
            // The configurator does not generate ISRs for this port yet (category 2 ISR entry
            // with nesting is the hardware-partitioning work); reaching this is a bug.
            Dispatch::Switch {
                to: Context::Isr(isr),
                ..
            } => fatal("ISRs are not supported on this port yet", isr.index()),
            Dispatch::Shutdown(error) => {
                if let Some(board) = board() {
                    let _ = writeln!(
                        Console(board),
                        "shutdown {}",
                        error.map_or("E_OK", |e| e.name())
                    );
                    board.exit(error.map_or(0, |e| 10 + e.code() as u32));
                }
                fatal("shutdown without a board", 0)
            }
        }
    }

    fn switch_to(&mut self, to: TaskId, fresh: bool) -> usize {
        let context = &mut self.tasks[to.index()];
        if !fresh {
            return context.sp;
        }
        let entry = self.kernel.config().tasks[to.index()].entry;
        let trampoline = syscalls::task_trampoline as extern "C" fn(usize) -> ! as usize;
        // SAFETY: a fresh activation owns its whole stack: the previous one has terminated.
        context.sp = unsafe { Frame::fresh(context.top & !7, trampoline, entry as usize) };
        context.sp
    }
}

/// Called by the IRQ entry (SVC mode, IRQs masked) with the interrupted context's saved SP.
#[unsafe(no_mangle)]
extern "C" fn ecu_cortex_r_irq(sp: usize) -> usize {
    // SAFETY: we are the kernel, entered by an exception.
    let port = unsafe { port_in_kernel() };
    port.save(sp);
    let board = board().unwrap_or_else(|| fatal("no board", 0));
    match board.claim_irq() {
        Irq::Tick => {
            // Never go past the planned run: the last tick processed is exactly run_ticks.
            if port.kernel.elapsed_ticks() < port.run_ticks {
                port.kernel.tick();
            } else {
                board.stop_tick();
            }
        }
        Irq::Spurious => {}
        Irq::Unexpected(source) => fatal("unexpected interrupt", source as usize),
    }
    let decision = port.kernel.dispatch();
    port.switch(sp, decision)
}

/// Called by the SVC entry (SVC mode, IRQs masked) with the caller's saved SP.
#[unsafe(no_mangle)]
extern "C" fn ecu_cortex_r_svc(sp: usize) -> usize {
    // SAFETY: we are the kernel, entered by an exception.
    let port = unsafe { port_in_kernel() };
    port.save(sp);
    // SAFETY: the entry code pushed a whole `Frame` at `sp` on the caller's stack; nothing
    // else refers to it while the kernel runs. Only its word-aligned register array is
    // borrowed: a task's SP is only guaranteed 4-aligned at an `svc`.
    let regs = unsafe { &mut *((sp + offset_of!(Frame, r)) as *mut [u32; 13]) };
    let words = [regs[0], regs[1], regs[2], regs[3]];
    let kernel = &mut *port.kernel;
    match words[0] {
        syscalls::SVC_START => {}
        // Errors are already in the trace; the task ends either way.
        syscalls::SVC_TERMINATE => {
            let _ = kernel.terminate_running();
        }
        syscalls::SVC_CHAIN => {
            let _ = kernel.chain_running(TaskId::new(words[1].min(u8::MAX as u32) as u8));
        }
        _ => {
            let result = match Request::from_words6(words, [regs[4], regs[5]]) {
                Some(request) => kernel.service(request),
                None => Err(kernel.unknown_service()),
            };
            // The reply lands in the caller's saved r0-r2, which it finds there whenever it
            // runs again (at once, after a preemption, or after WaitEvent released it).
            match result {
                Ok(reply) => {
                    regs[0] = 0;
                    regs[1] = reply as u32;
                    regs[2] = (reply >> 32) as u32;
                }
                Err(error) => regs[0] = error.code() as u32,
            }
        }
    }
    let decision = port.kernel.dispatch();
    port.switch(sp, decision)
}
