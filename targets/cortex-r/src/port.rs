//! The kernel side of the port: boot, the exception handlers the entry code calls, the idle
//! loop and the end of a bounded run.

use core::arch::asm;
use core::cell::UnsafeCell;
use core::fmt::{self, Write};
use core::mem::offset_of;
use core::sync::atomic::{AtomicBool, Ordering};

use ecu_os::{Config, Context, DirectAnswer, Dispatch, Error, IsrId, Request, TaskId, TraceRecord};

use ecu_os::ipc::{EntryCall, ServerHandler};

use crate::can_exchange::CanExchange;
use crate::context::{Frame, FRAME_BYTES};
use crate::image::{stacks_fit, Image, TaskContext};
use crate::memory::Memory;
use crate::stimuli::{next_arrival, Interrupts};
use crate::{mpu, syscalls};
use crate::{Board, CanRouter, Irq, PortKernel};

struct Port {
    kernel: &'static mut dyn PortKernel,
    /// One per task, then one per ISR (an ISR runs on a stack of its own, like a task).
    contexts: &'static mut [TaskContext],
    /// How many of `contexts` are tasks.
    task_count: usize,
    /// The context the port resumed last (an index into `contexts`), `None` for idle: whose
    /// context the next entry saves. The port's own record, so saving needs no kernel call.
    executing: Option<usize>,
    /// The stack of `executing` as its lowest address and size (idle: everything), so that
    /// an entry checks the saved context with one comparison.
    executing_bottom: usize,
    executing_span: usize,
    /// The saved stack pointer of idle while a task runs.
    idle_sp: usize,
    run_ticks: u64,
    /// The partition layout, when the MPU guards the tasks (`run_partitioned`).
    memory: Option<&'static Memory>,
    /// Some task has an execution budget, time frame or lock budget, or a task measures its
    /// own execution time (`busy_us`): the kernel needs the time at every entry. (Without,
    /// reading the clock would only cost.)
    timed: bool,
    /// What raises the ISRs, and the board time of StartOS the stimuli count from.
    interrupts: &'static Interrupts,
    epoch_ns: u64,
    /// Arrivals up to this time (since StartOS) are delivered; `None`: none yet.
    stimuli_done_ns: Option<u64>,
    /// Category 1 ISRs take FIQs: contexts run with FIQ open, but a context that masked all
    /// interrupts (DisableAllInterrupts, SuspendAllInterrupts) runs with FIQ masked.
    fiq: bool,
    /// CAN frames between the kernel and the board's controllers, and the gateway.
    can: CanExchange,
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
static INTERRUPTS: KernelCell<&'static Interrupts> = KernelCell(UnsafeCell::new(None));
static CAN_GATEWAY: KernelCell<&'static mut dyn CanRouter> = KernelCell(UnsafeCell::new(None));

/// What raises the image's ISRs: the description's stimuli (the board's stimulus timer) and
/// device lines (generated images call this in `kmain`, before `run`).
pub fn set_interrupts(interrupts: &'static Interrupts) {
    // SAFETY: boot code, IRQs masked, before `run` reads it; never written afterwards.
    unsafe { *INTERRUPTS.0.get() = Some(interrupts) };
}

/// The image's CAN gateway: what its controllers receive is routed by it (generated images
/// with CAN routes call this in `kmain`, before `run`).
pub fn set_can_gateway(gateway: &'static mut dyn CanRouter) {
    // SAFETY: boot code, IRQs masked, before `run` takes it; never written afterwards.
    unsafe { *CAN_GATEWAY.0.get() = Some(gateway) };
}

/// Raises an interrupt line by software, as its device would ([`Board::trigger_line`]): for
/// trusted code (the board's controller is privileged); `false` if the board cannot.
pub fn trigger_line(line: u32) -> bool {
    board().is_some_and(|board| board.trigger_line(line))
}

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
    // SAFETY: boot, once (kmain), MPU still off; nothing has used a partition's statics yet.
    unsafe { crate::memory::init_partition_sections() };
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
    if TASKS < config.tasks.len() + config.isrs.len() {
        fatal("the image has no context for every task and ISR", TASKS);
    }
    // SAFETY: written only by `set_interrupts`, in boot code before `run`.
    let interrupts = unsafe { *INTERRUPTS.0.get() }.unwrap_or(&Interrupts::NONE);
    if interrupts
        .stimuli
        .iter()
        .any(|s| s.isr.index() >= config.isrs.len())
    {
        fatal("a stimulus names no ISR", 0);
    }
    if interrupts
        .lines
        .iter()
        .any(|l| l.isr.index() >= config.isrs.len())
    {
        fatal("an interrupt line names no ISR", 0);
    }
    let fiq = !interrupts.fiq_lines.is_empty();
    let kernel = install(image, config);
    // SAFETY: `run` gets here once (STARTED), before any interrupt: nothing else refers to
    // the image's cells, and they live for 'static.
    let contexts: &'static mut [TaskContext; TASKS] = unsafe { &mut *image.tasks.get() };
    let task_trampoline = syscalls::task_trampoline as extern "C" fn(usize) -> ! as usize;
    let isr_trampoline = syscalls::isr_trampoline as extern "C" fn(usize) -> ! as usize;
    let starts = config
        .tasks
        .iter()
        .map(|t| (task_trampoline, t.entry as usize, t.app))
        .chain(
            config
                .isrs
                .iter()
                .map(|i| (isr_trampoline, i.entry as usize, i.app)),
        );
    for (context, (&(bottom, top), (start_pc, start_arg, app))) in
        contexts.iter_mut().zip(bounds.iter().zip(starts))
    {
        let user = !config.apps[app.index()].trusted;
        *context = TaskContext {
            bottom,
            top,
            sp: 0,
            start_pc,
            start_arg,
            start_cpsr: Frame::start_cpsr(start_pc, user, fiq),
            ..TaskContext::EMPTY
        };
    }
    if let Err(what) = setup(kernel) {
        fatal(what, 0);
    }
    // Server tasks start with their call as entry arguments, above the first frame.
    for (index, context) in contexts.iter_mut().enumerate().take(config.tasks.len()) {
        context.handler = kernel.ipc_handler(TaskId::new(index as u8));
    }
    kernel.start_os();
    // The system counter runs from StartOS on, as AUTOSAR has it: an autostart task that
    // never lets the CPU idle is still preempted by alarms. Deterministic tick placement
    // needs an emulator run with `-icount` (guest time follows executed instructions);
    // without it, the first (translating) run of the kernel can outlast a tick.
    board.start_tick(config.tick_ns);
    let epoch_ns = board.now_ns().unwrap_or(0);
    for line in interrupts.lines {
        if !board.enable_line(line.line) {
            fatal(
                "the board has no such interrupt line for ISRs",
                line.line as usize,
            );
        }
    }
    for line in interrupts.fiq_lines {
        if !board.route_to_fiq(line.line) {
            fatal(
                "the board cannot take this line as a FIQ",
                line.line as usize,
            );
        }
    }
    if let Some(first) = next_arrival(interrupts.stimuli, None) {
        if !board.arm_stimulus(epoch_ns + first) {
            fatal("the board cannot raise interrupt stimuli", 0);
        }
    }
    // SAFETY: still before the first exception (IRQs are masked until idle).
    unsafe {
        *PORT.0.get() = Some(Port {
            kernel,
            contexts,
            task_count: config.tasks.len(),
            executing: None,
            executing_bottom: 0,
            executing_span: usize::MAX,
            idle_sp: 0,
            run_ticks,
            memory,
            timed: timing_configured(config),
            interrupts,
            epoch_ns,
            stimuli_done_ns: None,
            fiq,
            // SAFETY: written only by `set_can_gateway`, in boot code before `run`; taken here,
            // once.
            can: CanExchange::new(unsafe { (*CAN_GATEWAY.0.get()).take() }),
        })
    };
    if fiq {
        // SAFETY: opens FIQ for idle (and the kernel entered from it); the FIQ handler needs
        // only the board and the interrupt table, both set above.
        unsafe { asm!("cpsie f", options(nomem, nostack)) };
    }
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

/// Prints a trace record as its line of numbers; the host names them (`ecuconf decode`).
fn print_record(board: &dyn Board, record: &TraceRecord) {
    record.print_line(&mut |text| board.write_str(text));
    board.write_str("\n");
}

/// Prints every trace record, one line each; a lost record ends the run with an error.
fn drain_trace(board: &'static dyn Board) {
    // One record at a time, printed with IRQs as they were, so ticks are not held up.
    while let Some(record) = with_port(|port| port.kernel.trace_pop()) {
        print_record(board, &record);
    }
    let lost = with_port(|port| port.kernel.trace_take_lost());
    if lost != 0 {
        let _ = writeln!(Console(board), "trace: {lost} records lost");
        board.exit(2);
    }
}

/// Idle: the boot context, run whenever no task is ready.
fn idle(board: &'static dyn Board) -> ! {
    loop {
        drain_trace(board);
        // SAFETY: masks IRQs so the check below and the wait cannot miss an interrupt: wfi
        // wakes on a pending IRQ even while masked, and cpsie then takes it.
        unsafe { asm!("cpsid i", options(nomem, nostack)) };
        let (ticks, run_ticks) = with_port(|port| (port.kernel.elapsed_ticks(), port.run_ticks));
        if ticks >= run_ticks {
            // The tick handler stops at run_ticks and nothing is ready (we are idle), so the
            // trace is complete once drained.
            board.stop_tick();
            drain_trace(board);
            if ecu_os::CAN {
                with_port(|port| port.write_can_counters(board));
            }
            let _ = writeln!(Console(board), "end {ticks}");
            board.exit(0);
        }
        // SAFETY: see above; the IRQ that woke us is taken right after cpsie.
        unsafe { asm!("wfi", "cpsie i", options(nomem, nostack)) };
    }
}

impl Port {
    /// The CAN counters as the simulation prints them before `end`: the gateway's routes, then
    /// each OS-Application's refused transmissions and lost receptions. (The boards keep no
    /// per-bus counts, so there are no `can bus` lines.)
    fn write_can_counters(&self, board: &'static dyn Board) {
        if let Some(gateway) = self.can.gateway() {
            let _ = gateway.write_counters(&mut Console(board));
        }
        for (index, app) in self.kernel.config().apps.iter().enumerate() {
            let (denied, lost) = self.kernel.can_counters(index);
            let _ = writeln!(
                Console(board),
                "can partition {} denied {denied} rx-overflow {lost}",
                app.name
            );
        }
    }

    /// CAN between the kernel's queues and the board's controllers (`can_exchange.rs`), at the
    /// board's time or, without a clock, the kernel's. Images without the CAN services, and
    /// boards without controllers, skip it.
    fn exchange_can(&mut self, board: &dyn Board) {
        if !ecu_os::CAN || board.can_buses() == 0 {
            return;
        }
        let now_ns = board
            .now_ns()
            .unwrap_or_else(|| self.kernel.elapsed_ticks() * self.kernel.config().tick_ns as u64);
        self.can.run(&mut *self.kernel, board, now_ns);
    }

    /// Whether what was running saved its context inside its stack; if not, the task is
    /// ended through `overflowed`. The stack pointer itself is kept only when the port
    /// switches away (`keep`): an entry that resumes the caller needs it nowhere else.
    #[inline(always)]
    fn save(&self, sp: usize) -> bool {
        sp.wrapping_sub(self.executing_bottom) <= self.executing_span
    }

    /// Keeps the saved stack pointer of what was running, before switching away from it.
    #[inline]
    fn keep(&mut self, sp: usize) {
        match self.executing {
            Some(index) => self.contexts[index].sp = sp,
            None => self.idle_sp = sp,
        }
    }

    /// Makes `index` (or idle) what executes, with the bounds `save` checks.
    fn set_executing(&mut self, index: Option<usize>) {
        let (bottom, span) = match index.map(|i| &self.contexts[i]) {
            Some(context) => (context.bottom, context.top.wrapping_sub(context.bottom)),
            None => (0, usize::MAX),
        };
        self.executing = index;
        self.executing_bottom = bottom;
        self.executing_span = span;
    }

    /// A task whose context was saved below its stack (without the MPU, or into memory of
    /// its own): a memory protection error of that task. Returns what to resume instead.
    fn overflowed(&mut self, sp: usize) -> usize {
        let Some(culprit) = self.executing.map(|index| self.context_of(index)) else {
            fatal("idle stack overflow", sp)
        };
        if let Some(board) = board() {
            let _ = writeln!(
                Console(board),
                "{:>8} exception stack-overflow {} sp={sp:#010x}",
                self.kernel.elapsed_ticks(),
                self.name_of(culprit),
            );
        }
        self.kernel.protection(Error::ProtectionMemory, culprit);
        match self.kernel.dispatch() {
            Dispatch::Keep => fatal("an overflowed task was kept running", sp),
            // Its context is not kept: the task never resumes it.
            decision => self.switch_away(decision),
        }
    }

    /// A task's or ISR's configured name, for the console.
    fn name_of(&self, context: Context) -> &'static str {
        let config = self.kernel.config();
        let name = match context {
            Context::Task(t) => config.tasks.get(t.index()).map(|t| t.name),
            Context::Isr(i) => config.isrs.get(i.index()).map(|i| i.name),
        };
        name.unwrap_or("?")
    }

    /// The kernel's name for a context index.
    fn context_of(&self, index: usize) -> Context {
        match index.checked_sub(self.task_count) {
            None => Context::Task(TaskId::new(index as u8)),
            Some(isr) => Context::Isr(IsrId::new(isr as u8)),
        }
    }

    /// Carries out the kernel's decision: the saved stack pointer to resume.
    #[inline(always)]
    fn switch(&mut self, current_sp: usize, decision: Dispatch) -> usize {
        match decision {
            Dispatch::Keep => current_sp,
            Dispatch::Switch { to, fresh } => {
                self.keep(current_sp);
                self.switch_to(to, fresh)
            }
            other => {
                self.keep(current_sp);
                self.switch_away(other)
            }
        }
    }

    /// Anything but `Keep`: out of line, so the entry paths stay small. (`switch` goes to
    /// `switch_to` directly, without the frame the shutdown report needs.)
    #[inline(never)]
    fn switch_away(&mut self, decision: Dispatch) -> usize {
        match decision {
            Dispatch::Keep => fatal("switch_away without a switch", 0),
            Dispatch::Idle => {
                self.set_executing(None);
                self.idle_sp
            }
            Dispatch::Switch { to, fresh } => self.switch_to(to, fresh),
            Dispatch::Shutdown(error) => {
                if let Some(board) = board() {
                    // What led here is still in the trace: print it first.
                    while let Some(record) = self.kernel.trace_pop() {
                        print_record(board, &record);
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

    /// Switches to a task or an ISR: its memory regions, then its saved context, or a fresh
    /// frame that starts its body through the trampoline.
    #[inline(never)]
    fn switch_to(&mut self, to: Context, fresh: bool) -> usize {
        let index = match to {
            Context::Task(t) => t.index(),
            Context::Isr(i) => self.task_count + i.index(),
        };
        self.set_executing(Some(index));
        if let Some(memory) = self.memory {
            let regions = &memory.tasks[index];
            // SAFETY: in the kernel, between saving one context and resuming this one; the
            // regions are this context's own blocks (and must be mapped before its stack is
            // written below: PMSAv7's partition window region denies even the kernel).
            unsafe { mpu::switch(memory.fixed.len() as u32, &regions.data, &regions.stack) };
        }
        let context = &mut self.contexts[index];
        if !fresh {
            if let Some(reply) = context.reply.take() {
                // SAFETY: the task's saved frame, on its own stack, mapped just above.
                unsafe { deliver_reply(context.sp, reply) };
            }
            return context.sp;
        }
        // An answer for an activation that has ended is nobody's.
        context.reply = None;
        if let Some(handler) = context.handler {
            if let Some(sp) = self.start_with_call(index, handler) {
                return sp;
            }
        }
        let context = &mut self.contexts[index];
        // SAFETY: a fresh activation owns its whole stack: the previous one has ended.
        context.sp = unsafe {
            Frame::fresh(
                context.top & !7,
                context.start_pc,
                context.start_arg,
                context.start_cpsr,
            )
        };
        context.sp
    }

    /// A fresh activation of server task `index` with the oldest call queued for it taken: its
    /// words above the first frame, the trampoline runs the handler with them and answers.
    /// `None` (nothing taken) when no call is queued: the task's body starts as usual.
    #[inline(never)]
    fn start_with_call(&mut self, index: usize, handler: ServerHandler) -> Option<usize> {
        let (top, bottom) = (self.contexts[index].top & !7, self.contexts[index].bottom);
        let call_at = top - ENTRY_CALL_BYTES;
        if call_at < bottom + FRAME_BYTES {
            return None;
        }
        // SAFETY: a fresh activation owns its whole stack, mapped by `switch_to`; the call
        // takes its top words, 8-aligned, and nothing else refers to them.
        let call = unsafe { &mut *(call_at as *mut EntryCall) };
        if !self.kernel.ipc_entry_call(TaskId::new(index as u8), call) {
            return None;
        }
        let trampoline = syscalls::server_trampoline as extern "C" fn(usize, &EntryCall) -> !;
        // The task's own start mode (User or SYS, FIQ), in the trampoline's instruction set.
        let cpsr = Frame::retarget_cpsr(self.contexts[index].start_cpsr, trampoline as usize);
        // SAFETY: the frame goes right below the call, in the same owned stack; its register
        // words are word-aligned.
        let sp = unsafe {
            let sp = Frame::fresh(call_at, trampoline as usize, handler as usize, cpsr);
            (*((sp + offset_of!(Frame, r)) as *mut [u32; 13]))[1] = call_at as u32;
            sp
        };
        self.contexts[index].sp = sp;
        Some(sp)
    }

    /// Delivers every stimulus arrival due by now to the kernel, in stimulus order, and arms
    /// the board for the next one.
    fn deliver_stimuli(&mut self, board: &dyn Board) {
        let now = board
            .now_ns()
            .unwrap_or(self.epoch_ns)
            .saturating_sub(self.epoch_ns);
        for stimulus in self.interrupts.stimuli {
            for _ in 0..stimulus.arrivals_until(self.stimuli_done_ns, now) {
                self.kernel.interrupt(stimulus.isr);
            }
        }
        self.stimuli_done_ns = Some(now);
        if let Some(next) = next_arrival(self.interrupts.stimuli, Some(now)) {
            board.arm_stimulus(self.epoch_ns + next);
        }
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
        Irq::Stimulus => port.deliver_stimuli(board),
        Irq::HardwareError { fatal: true } => {
            port.kernel.shutdown_os(Some(Error::ProtectionException))
        }
        Irq::HardwareError { fatal: false } => {
            // Idle has no protection hook to ask: the error is on the console already.
            if let Some(context) = port.executing.map(|index| port.context_of(index)) {
                port.kernel.protection(Error::ProtectionException, context);
            }
        }
        Irq::Line(line) => match port.interrupts.lines.iter().find(|l| l.line == line) {
            Some(isr_line) => {
                board.disable_line(line);
                // The common case, an ISR that starts at once, switches without a decision.
                if port.kernel.interrupt_switching(isr_line.isr) {
                    let to = Context::Isr(isr_line.isr);
                    return port.switch(sp, Dispatch::Switch { to, fresh: true });
                }
            }
            None => fatal("interrupt line without an ISR", line as usize),
        },
        Irq::Can => port.exchange_can(board),
        Irq::Spurious => {}
        Irq::Unexpected(source) => fatal("unexpected interrupt", source as usize),
    }
    let decision = port.kernel.dispatch();
    port.switch(sp, decision)
}

/// Called by the SVC entry (SVC mode, IRQs masked) with the caller's saved SP.
#[unsafe(no_mangle)]
extern "C" fn ecu_cortex_r_svc(sp: usize) -> usize {
    #[cfg(feature = "switch-probes")]
    crate::probes::svc_entered();
    // SAFETY: we are the kernel, entered by an exception.
    let port = unsafe { port_in_kernel() };
    if !port.save(sp) {
        return port.overflowed(sp);
    }
    // SAFETY: the entry code pushed a whole `Frame` at `sp` on the caller's stack; nothing
    // else refers to it while the kernel runs. Only its word-aligned register array is
    // borrowed: a task's SP is only guaranteed 4-aligned at an `svc`.
    let regs = unsafe { &mut *((sp + offset_of!(Frame, r)) as *mut [u32; 13]) };
    if regs[0] == syscalls::SVC_START && port.executing.is_some() {
        // A task's null call changes nothing the last decision weighed: it goes on without
        // asking the kernel. With timing protection it reads no clock either: its time is
        // charged at the next entry, and a budget that ran out meanwhile is caught there or
        // at the next tick, as for a task that makes no call at all.
        return sp;
    }
    if port.timed {
        if let Some(board) = board() {
            port.clock(board);
        }
    }
    match regs[0] {
        syscalls::SVC_START => {}
        // ActivateTask, decoded here: the kernel's fast path makes the common preemption
        // a single call.
        Request::ACTIVATE_TASK if regs[1] <= u8::MAX as u32 => {
            let task = TaskId::new(regs[1] as u8);
            if port.kernel.activate_switching(task) {
                regs[0] = 0;
                #[cfg(feature = "switch-probes")]
                crate::probes::switch_decided();
                let to = Context::Task(task);
                return port.switch(sp, Dispatch::Switch { to, fresh: true });
            }
            let decision = port.kernel.activate_task(task, &mut regs[0]);
            return port.switch(sp, decision);
        }
        // The two halves of an IPC call, decoded here too (with IPC in the image): the
        // kernel's fast paths hand over to the other side, and neither changes the caller's
        // interrupt masking, so there is no FIQ mask to mend.
        syscalls::SVC_IPC_CALL | syscalls::SVC_IPC_REPLY_TERMINATE if ecu_os::IPC => {
            serve_ipc(port, regs);
            let decision = port.kernel.dispatch();
            return port.switch(sp, decision);
        }
        _ => {
            serve(port, regs);
            if port.fiq {
                // SAFETY: the caller's saved frame, as above; its CPSR word is aligned.
                let cpsr = unsafe { &mut *((sp + offset_of!(Frame, cpsr)) as *mut u32) };
                mask_fiq(cpsr, port.kernel.all_interrupts_masked());
            }
        }
    }
    let decision = port.kernel.dispatch();
    port.switch(sp, decision)
}

/// Masks or opens FIQ in a saved CPSR: a context that masked all interrupts holds back the
/// category 1 ISRs too, until it opens them again. (Only the masking context runs meanwhile.)
fn mask_fiq(cpsr: &mut u32, masked: bool) {
    if masked {
        *cpsr |= crate::context::CPSR_FIQ_MASKED;
    } else {
        *cpsr &= !crate::context::CPSR_FIQ_MASKED;
    }
}

/// Called by the FIQ entry (`context.rs`; FIQ mode, FIQ and IRQ masked, on the FIQ stack): runs
/// the category 1 ISR of the line taken, outside the kernel, and returns to what it
/// interrupted, whatever that was (a task, idle, the kernel itself).
#[unsafe(no_mangle)]
extern "C" fn ecu_cortex_r_fiq() {
    let board = board().unwrap_or_else(|| fatal("FIQ before start", 0));
    let Some(line) = board.claim_fiq() else {
        return;
    };
    // SAFETY: written only by `set_interrupts`, in boot code before FIQ was opened.
    let interrupts = unsafe { *INTERRUPTS.0.get() }.unwrap_or(&Interrupts::NONE);
    match interrupts.fiq_lines.iter().find(|l| l.line == line) {
        Some(isr) => (isr.entry)(&syscalls::FIQ_OS),
        None => fatal("FIQ line without a category 1 ISR", line as usize),
    }
    board.end_fiq(line);
}

/// One system call but the null one: the request in the caller's saved r0-r5, the status
/// and reply into its saved r0-r2. Out of line: the null call needs none of it.
#[inline(never)]
fn serve(port: &mut Port, regs: &mut [u32; 13]) {
    let words = [regs[0], regs[1], regs[2], regs[3]];
    match words[0] {
        // Errors are already in the trace; the task ends either way.
        syscalls::SVC_TERMINATE => {
            let _ = port.kernel.terminate_running();
        }
        syscalls::SVC_CHAIN => {
            let _ = port
                .kernel
                .chain_running(TaskId::new(words[1].min(u8::MAX as u32) as u8));
        }
        // Errors (an ISR returning with resources or interrupts still taken) are in the trace.
        syscalls::SVC_ISR_RETURN => {
            // Served: its line may interrupt again (a killed ISR's line stays held back).
            if let Some(Context::Isr(isr)) = port.executing.map(|i| port.context_of(i)) {
                if let (Some(board), Some(line)) =
                    (board(), port.interrupts.lines.iter().find(|l| l.isr == isr))
                {
                    board.enable_line(line.line);
                }
            }
            let _ = port.kernel.isr_return();
        }
        // From here on every entry tells the kernel the time, so the caller's execution time
        // excludes what preempted it.
        syscalls::SVC_EXECUTION_TIME => {
            let used = match (board(), port.executing) {
                (Some(board), Some(index)) if board.now_ns().is_some() => {
                    // The entry read the clock already when the image was timed.
                    if !port.timed {
                        port.timed = true;
                        port.clock(board);
                    }
                    let context = port.context_of(index);
                    Some(port.kernel.execution_time(context))
                }
                _ => None,
            };
            match used {
                Some(ns) => {
                    regs[0] = 0;
                    regs[1] = ns as u32;
                    regs[2] = (ns >> 32) as u32;
                }
                None => regs[0] = Error::ServiceId.code() as u32,
            }
        }
        syscalls::SVC_IPC_CALL | syscalls::SVC_IPC_REPLY_TERMINATE => serve_ipc(port, regs),
        _ => {
            let request = Request::from_words6(words, [regs[4], regs[5]]);
            let result = match request {
                Some(request) => port.kernel.service(request),
                None => Err(port.kernel.unknown_service()),
            };
            set_result(regs, result);
            // A frame the kernel allowed goes to its controller now, not at the next CAN
            // interrupt (there may be none until it is sent).
            if matches!(request, Some(Request::CanTransmit(..))) {
                if let Some(board) = board() {
                    port.exchange_can(board);
                }
            }
        }
    }
}

/// The two halves of an IPC call skip decoding; the server's answer goes into the caller's
/// registers when it resumes (`switch_to`), so its call returns the reply.
#[inline(always)]
fn serve_ipc(port: &mut Port, regs: &mut [u32; 13]) {
    if regs[0] == syscalls::SVC_IPC_CALL {
        let (handle, operation) = (regs[1] as u16, (regs[1] >> 16) as u16);
        let args = [regs[2], regs[3], regs[4], regs[5]];
        let result = match port.kernel.ipc_call_service(handle, operation, args) {
            Some(result) => result,
            None => port
                .kernel
                .service(Request::IpcCall(handle, operation, args)),
        };
        set_result(regs, result);
        return;
    }
    let value = regs[1];
    match port.kernel.ipc_reply_terminate_direct(value) {
        Some(DirectAnswer::Deliver(client)) => port.contexts[client.index()].reply = Some(value),
        Some(DirectAnswer::NoTaker) => {}
        // Errors are in the trace; the server's activation ends either way.
        None => {
            let _ = port.kernel.service(Request::IpcReplyTerminate(value));
        }
    }
}

/// The status and reply into the caller's saved r0-r2, which it finds there whenever it runs
/// again (at once, after a preemption, or after WaitEvent released it).
#[inline(always)]
fn set_result(regs: &mut [u32; 13], result: Result<ecu_os::Reply, Error>) {
    match result {
        Ok(reply) => {
            regs[0] = 0;
            regs[1] = reply as u32;
            regs[2] = (reply >> 32) as u32;
        }
        Err(error) => regs[0] = error.code() as u32,
    }
}

/// Room above a server task's first frame for its call ([`EntryCall`], 8-aligned).
const ENTRY_CALL_BYTES: usize = core::mem::size_of::<EntryCall>().next_multiple_of(8);

/// An IPC call's answer into the saved r0-r2 of its caller, blocked in the call at `sp`:
/// E_OK and the reply word, as the call returns it.
///
/// # Safety
/// `sp` is the caller's saved frame, on its stack, mapped and not otherwise referred to.
unsafe fn deliver_reply(sp: usize, reply: u32) {
    // SAFETY: by the contract; only the word-aligned register array is addressed.
    let registers = unsafe { &mut *((sp + offset_of!(Frame, r)) as *mut [u32; 13]) };
    set_result(registers, Ok(reply.into()));
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
    let executing = port.executing.map(|index| port.context_of(index));
    let entry_overflow = kind == FAULT_DATA
        && port.memory.is_some_and(|m| m.in_partitions(addr))
        && matches!(spsr & 0x1F, MODE_IRQ | MODE_SVC);
    let culprit = match (spsr & 0x1F, executing) {
        (MODE_USR | MODE_SYS, Some(context)) => context,
        (_, Some(context)) if entry_overflow => context,
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
    let _ = writeln!(
        Console(board),
        "{:>8} exception {name} {} pc={pc:#010x} addr={addr:#010x} {register}={status:#x} {cause}{}",
        port.kernel.elapsed_ticks(),
        port.name_of(culprit),
        if entry_overflow { " (stack overflow on kernel entry)" } else { "" },
    );
    port.kernel.protection(error, culprit);
    match port.kernel.dispatch() {
        // The reaction ended the task (or the application, or the system): it cannot go on.
        Dispatch::Keep => fatal("a faulting task was kept running", pc),
        // The faulting context is not kept: it never resumes.
        decision => port.switch_away(decision),
    }
}
