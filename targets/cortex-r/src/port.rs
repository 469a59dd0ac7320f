//! The kernel side of the port: boot, the exception handlers the entry code calls, the idle
//! loop and the end of a bounded run.

use core::arch::asm;
use core::cell::UnsafeCell;
use core::fmt::{self, Write};
use core::mem::offset_of;
use core::sync::atomic::{AtomicBool, Ordering};

use ecu_os::{Config, Context, Dispatch, Error, Request, TaskId};

use crate::context::{Frame, FRAME_BYTES};
use crate::image::{stacks_fit, Image, TaskContext};
use crate::memory::Memory;
use crate::{mpu, syscalls};
use crate::{Board, Irq, PortKernel};

struct Port {
    kernel: &'static mut dyn PortKernel,
    tasks: &'static mut [TaskContext],
    /// The saved stack pointer of idle while a task runs.
    idle_sp: usize,
    /// The task this port resumed last (None: idle): whose context the next entry saves.
    /// The port's own record, so saving needs no call into the kernel.
    executing: Option<TaskId>,
    run_ticks: u64,
    /// The partition layout, when the MPU guards the tasks (`run_partitioned`).
    memory: Option<&'static Memory>,
    /// Some task has an execution budget, time frame or lock budget: the kernel needs the
    /// time at every entry. (Without, reading the clock would only cost.)
    timed: bool,
}

/// Whether any task's timing protection needs the clock.
fn timing_configured(config: &Config) -> bool {
    let timed = |t: &ecu_os::Timing| {
        t.execution_budget_ns > 0
            || t.time_frame_ns > 0
            || t.interrupt_lock_budget_ns > 0
            || !t.lock_budgets_ns.is_empty()
    };
    config.tasks.iter().any(|t| timed(&t.timing)) || config.isrs.iter().any(|i| timed(&i.timing))
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
    if !stacks_fit(stack_sizes, STACK_BYTES) {
        set_board(board);
        fatal("task stacks do not fit the stack pool", STACK_BYTES);
    }
    let mut bounds = [(0, 0); TASKS];
    let mut bottom = image.stacks.0.get() as usize;
    for (bound, size) in bounds.iter_mut().zip(stack_sizes) {
        *bound = (bottom, bottom + size);
        bottom += size;
    }
    start(image, config, &bounds, None, board, run_ticks, setup)
}

/// As [`run`], with the tasks isolated: each task's stack is its own block of the partition
/// window, and the MPU maps, while a task runs, the code (read and execute), the common block,
/// its application's data block and its stack, and nothing else writable. Non-trusted
/// applications' tasks run in User mode.
pub fn run_partitioned<K: PortKernel + 'static, const TASKS: usize>(
    image: &'static Image<K, TASKS, 0>,
    config: &'static Config,
    memory: &'static Memory,
    board: &'static dyn Board,
    run_ticks: u64,
) -> ! {
    run_partitioned_with(image, config, memory, board, run_ticks, |_| Ok(()))
}

/// As [`run_partitioned`], with `setup` as in [`run_with`].
pub fn run_partitioned_with<K: PortKernel + 'static, const TASKS: usize>(
    image: &'static Image<K, TASKS, 0>,
    config: &'static Config,
    memory: &'static Memory,
    board: &'static dyn Board,
    run_ticks: u64,
    setup: fn(&mut K) -> Result<(), &'static str>,
) -> ! {
    set_board(board);
    if memory.tasks.len() != TASKS {
        fatal(
            "the layout does not match the task table",
            memory.tasks.len(),
        );
    }
    if !mpu::fits(memory.fixed.len()) {
        fatal("the layout needs more MPU regions than the CPU has", 0);
    }
    let mut bounds = [(0, 0); TASKS];
    for (bound, task) in bounds.iter_mut().zip(memory.tasks) {
        if task.stack_size < FRAME_BYTES || task.stack_base % 8 != 0 {
            fatal("a task stack block is too small", task.stack_base);
        }
        *bound = (task.stack_base, task.stack_base + task.stack_size);
    }
    // SAFETY: boot, privileged, IRQs masked; the fixed regions map the kernel (PMSAv8) or the
    // background region does (PMSAv7).
    unsafe { mpu::enable(memory.fixed) };
    start(
        image,
        config,
        &bounds,
        Some(memory),
        board,
        run_ticks,
        setup,
    )
}

fn set_board(board: &'static dyn Board) {
    // SAFETY: boot code, IRQs masked, before any exception uses BOARD; the same value if
    // called twice on the way in.
    unsafe { *BOARD.0.get() = Some(board) };
}

fn start<K: PortKernel + 'static, const TASKS: usize, const STACK_BYTES: usize>(
    image: &'static Image<K, TASKS, STACK_BYTES>,
    config: &'static Config,
    bounds: &[(usize, usize); TASKS],
    memory: Option<&'static Memory>,
    board: &'static dyn Board,
    run_ticks: u64,
    setup: fn(&mut K) -> Result<(), &'static str>,
) -> ! {
    if STARTED.swap(true, Ordering::Relaxed) {
        fatal("the kernel was started twice", 0);
    }
    set_board(board);
    let kernel = install(image, config);
    // SAFETY: `run` gets here once (STARTED), before any interrupt: nothing else refers to
    // the image's cells, and they live for 'static.
    let tasks: &'static mut [TaskContext; TASKS] = unsafe { &mut *image.tasks.get() };
    for (task, &(bottom, top)) in tasks.iter_mut().zip(bounds) {
        *task = TaskContext { bottom, top, sp: 0 };
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
            executing: None,
            run_ticks,
            memory,
            timed: timing_configured(config),
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

/// Creates the kernel in the image's cell. Not inlined: the kernel (its trace ring is a few KiB)
/// passes through this frame by value, and the frame is gone before the boot stack becomes
/// idle's, which must stay small.
#[inline(never)]
fn install<K: PortKernel + 'static, const TASKS: usize, const STACK_BYTES: usize>(
    image: &'static Image<K, TASKS, STACK_BYTES>,
    config: &'static Config,
) -> &'static mut K {
    let kernel = match K::create(config) {
        Some(kernel) => kernel,
        None => fatal("configuration does not fit the kernel", 0),
    };
    // SAFETY: called once from `start` (STARTED), before any interrupt: nothing else refers to
    // the cell, which lives for 'static.
    unsafe { (*image.kernel.get()).write(kernel) }
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
    /// Keeps the saved stack pointer of what was running; false if a task's context landed
    /// outside its stack (the task is then ended through `overflowed`).
    fn save(&mut self, sp: usize) -> bool {
        match self.executing {
            Some(task) => {
                let context = &mut self.tasks[task.index()];
                if sp < context.bottom || sp > context.top {
                    return false;
                }
                context.sp = sp;
            }
            None => self.idle_sp = sp,
        }
        true
    }

    /// A task whose context was saved below its stack (without the MPU, or into memory of
    /// its own): a memory protection error of that task. Returns what to resume instead.
    fn overflowed(&mut self, sp: usize) -> usize {
        let Some(task) = self.kernel.running() else {
            fatal("idle stack overflow", sp)
        };
        if let Some(board) = board() {
            let _ = writeln!(
                Console(board),
                "{:>8} exception stack-overflow {} sp={sp:#010x}",
                self.kernel.elapsed_ticks(),
                self.kernel
                    .config()
                    .tasks
                    .get(task.index())
                    .map_or("?", |t| t.name),
            );
        }
        self.kernel
            .protection(Error::ProtectionMemory, Context::Task(task));
        match self.kernel.dispatch() {
            Dispatch::Keep => fatal("an overflowed task was kept running", sp),
            decision => self.switch(0, decision),
        }
    }

    /// Carries out the kernel's decision: the saved stack pointer to resume.
    #[inline(always)]
    fn switch(&mut self, current_sp: usize, decision: Dispatch) -> usize {
        match decision {
            Dispatch::Keep => current_sp,
            other => self.switch_away(other),
        }
    }

    /// Anything but `Keep`: out of line, so the entry paths stay small.
    #[inline(never)]
    fn switch_away(&mut self, decision: Dispatch) -> usize {
        match decision {
            Dispatch::Keep => fatal("switch_away without a switch", 0),
            Dispatch::Idle => {
                self.executing = None;
                self.idle_sp
            }
            Dispatch::Switch {
                to: Context::Task(to),
                fresh,
            } => {
                self.executing = Some(to);
                self.switch_to(to, fresh)
            }
            // The configurator does not generate ISRs for this port yet (category 2 ISR entry
            // with nesting is the hardware-partitioning work); reaching this is a bug.
            Dispatch::Switch {
                to: Context::Isr(isr),
                ..
            } => fatal("ISRs are not supported on this port yet", isr.index()),
            Dispatch::Shutdown(error) => {
                if let Some(board) = board() {
                    // What led here is still in the trace: print it first.
                    let config = self.kernel.config();
                    while let Some(record) = self.kernel.trace_pop() {
                        let _ = record.write(config, &mut Console(board));
                        board.write_str("\n");
                    }
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
        if let Some(memory) = self.memory {
            let task = &memory.tasks[to.index()];
            // SAFETY: in the kernel, between saving one context and resuming this one; the
            // regions are this task's own blocks (and must be mapped before its stack is
            // written below: PMSAv7's partition window region denies even the kernel).
            unsafe { mpu::switch(memory.fixed.len() as u32, &task.data, &task.stack) };
        }
        let context = &mut self.tasks[to.index()];
        if !fresh {
            return context.sp;
        }
        let config = self.kernel.config();
        let task = &config.tasks[to.index()];
        let user = !config.apps[task.app.index()].trusted;
        let trampoline = syscalls::task_trampoline as extern "C" fn(usize) -> ! as usize;
        // SAFETY: a fresh activation owns its whole stack: the previous one has terminated.
        context.sp =
            unsafe { Frame::fresh(context.top & !7, trampoline, task.entry as usize, user) };
        context.sp
    }

    /// Tells the kernel the time, for execution budgets and time frames (boards with a clock).
    fn clock(&mut self, board: &dyn Board) {
        if !self.timed {
            return;
        }
        if let Some(now) = board.now_ns() {
            self.kernel.advance_time(now);
        }
    }
}

/// Called by the IRQ entry (SVC mode, IRQs masked) with the interrupted context's saved SP.
#[unsafe(no_mangle)]
extern "C" fn ecu_cortex_r_irq(sp: usize) -> usize {
    #[cfg(feature = "probes")]
    crate::probes::irq_entry(sp);
    // SAFETY: we are the kernel, entered by an exception.
    let port = unsafe { port_in_kernel() };
    if !port.save(sp) {
        // The interrupt stays pending and is taken again once the next context runs.
        return port.overflowed(sp);
    }
    let board = board().unwrap_or_else(|| fatal("no board", 0));
    port.clock(board);
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
    if !port.save(sp) {
        return port.overflowed(sp);
    }
    if let Some(board) = board() {
        port.clock(board);
    }
    // SAFETY: the entry code pushed a whole `Frame` at `sp` on the caller's stack; nothing
    // else refers to it while the kernel runs. Only its word-aligned register array is
    // borrowed: a task's SP is only guaranteed 4-aligned at an `svc`.
    let regs = unsafe { &mut *((sp + offset_of!(Frame, r)) as *mut [u32; 13]) };
    if regs[0] != syscalls::SVC_START {
        serve(&mut *port.kernel, regs);
    }
    let decision = port.kernel.dispatch();
    port.switch(sp, decision)
}

/// One system call but the null one: the request in the caller's saved r0-r5, the status
/// and reply into its saved r0-r2. Out of line: the null call needs none of it.
#[inline(never)]
fn serve(kernel: &mut dyn PortKernel, regs: &mut [u32; 13]) {
    let words = [regs[0], regs[1], regs[2], regs[3]];
    match words[0] {
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
}

const FAULT_UNDEFINED: u32 = 0;
const FAULT_PREFETCH: u32 = 1;
const FAULT_DATA: u32 = 2;

const MODE_USR: u32 = 0x10;
const MODE_IRQ: u32 = 0x12;
const MODE_SVC: u32 = 0x13;
const MODE_SYS: u32 = 0x1F;

fn fault_registers(kind: u32, pc: usize) -> (&'static str, &'static str, u32, usize) {
    let (status, addr): (u32, usize);
    match kind {
        FAULT_DATA => {
            // SAFETY: reads DFSR and DFAR; no side effects.
            unsafe {
                asm!("mrc p15, 0, {0}, c5, c0, 0", "mrc p15, 0, {1}, c6, c0, 0",
                    out(reg) status, out(reg) addr, options(nomem, nostack))
            };
            ("data-abort", "DFSR", status, addr)
        }
        FAULT_PREFETCH => {
            // SAFETY: reads IFSR and IFAR; no side effects.
            unsafe {
                asm!("mrc p15, 0, {0}, c5, c0, 1", "mrc p15, 0, {1}, c6, c0, 2",
                    out(reg) status, out(reg) addr, options(nomem, nostack))
            };
            ("prefetch-abort", "IFSR", status, addr)
        }
        _ => ("undefined", "-", 0, pc),
    }
}

/// Called by the fault entry (`context.rs`) in SVC mode on an empty kernel stack, IRQs masked:
/// an undefined instruction, prefetch abort or data abort at `pc`, taken from the mode in
/// `spsr`. A task's fault (its own code in User or SYS mode, or the kernel's entry code
/// pushing its context below its stack) goes to the protection hook as
/// E_OS_PROTECTION_MEMORY (the MPU refused an access) or E_OS_PROTECTION_EXCEPTION, and the
/// reaction is carried out; anything else is a kernel fault and ends the run. Returns the
/// saved stack pointer of the context to resume; the faulting one never is.
#[unsafe(no_mangle)]
extern "C" fn ecu_cortex_r_fault(kind: u32, pc: usize, spsr: u32) -> usize {
    // SAFETY: we are the kernel, entered by an exception.
    let port = unsafe { port_in_kernel() };
    let (name, register, status, addr) = fault_registers(kind, pc);
    let task = port.kernel.running();
    let entry_overflow = kind == FAULT_DATA
        && port.memory.is_some_and(|m| m.in_partitions(addr))
        && matches!(spsr & 0x1F, MODE_IRQ | MODE_SVC);
    let culprit = match (spsr & 0x1F, task) {
        (MODE_USR | MODE_SYS, Some(task)) => task,
        (_, Some(task)) if entry_overflow => task,
        _ => fatal(name, pc),
    };
    let (memory, cause) = match kind {
        FAULT_UNDEFINED => (false, "instruction"),
        _ => mpu::cause(status),
    };
    let error = if memory {
        Error::ProtectionMemory
    } else {
        Error::ProtectionException
    };
    let board = board().unwrap_or_else(|| fatal("no board", 0));
    port.clock(board);
    let config = port.kernel.config();
    let _ = writeln!(
        Console(board),
        "{:>8} exception {name} {} pc={pc:#010x} addr={addr:#010x} {register}={status:#x} {cause}{}",
        port.kernel.elapsed_ticks(),
        config.tasks.get(culprit.index()).map_or("?", |t| t.name),
        if entry_overflow { " (stack overflow on kernel entry)" } else { "" },
    );
    port.kernel.protection(error, Context::Task(culprit));
    match port.kernel.dispatch() {
        // The reaction ended the task (or the application, or the system): it cannot go on.
        Dispatch::Keep => fatal("a faulting task was kept running", pc),
        decision => port.switch(0, decision),
    }
}
