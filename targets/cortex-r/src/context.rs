//! Saved task contexts and the two ways into the kernel: the IRQ and SVC exceptions.
//!
//! Both entries push the interrupted context onto its own stack, through SYS mode's banked SP:
//!
//! ```text
//!   high   cpsr, pc          (srsdb: SPSR and return address of the exception)
//!          r0-r12, lr        (lr is the task's own lr_sys/lr_usr)
//!          d0-d15            (VFP, saved eagerly: tasks are built hard-float)
//!   low    fpscr, padding    <- the saved stack pointer, what the kernel stores per task
//! ```
//!
//! then switch to SVC mode (the kernel stack, IRQs still masked) and call the Rust handler with
//! that pointer. The handler returns the saved stack pointer of the context to resume, which
//! may be another task's: the exit path pops that frame and `rfe` returns into it. The frame is
//! a multiple of 8 bytes, so a task's stack keeps its alignment. FPEXC is global (VFP is always
//! on), so it is not part of a task's context.

use core::mem::size_of;

/// The layout the entry code pushes; see the module documentation.
#[repr(C)]
pub struct Frame {
    pub fpscr: u32,
    _pad: u32,
    pub d: [u64; 16],
    pub r: [u32; 13],
    pub lr: u32,
    pub pc: u32,
    pub cpsr: u32,
}

pub const FRAME_BYTES: usize = size_of::<Frame>();
const _: () = assert!(FRAME_BYTES % 8 == 0 && FRAME_BYTES == 200);

/// SYS mode (trusted OS-Applications) or User mode (the others), Arm state, IRQ enabled: how a
/// task starts. FIQ is masked unless the image has category 1 ISRs on FIQ lines. User mode
/// cannot mask interrupts (`cpsid` is a no-op there), change mode or touch system registers;
/// the kernel is reached only through `svc`.
const SYS_CPSR: u32 = 0x1F;
const USR_CPSR: u32 = 0x10;
const CPSR_THUMB: u32 = 1 << 5;
/// CPSR.F: FIQ masked.
pub const CPSR_FIQ_MASKED: u32 = 1 << 6;

impl Frame {
    /// The CPSR a context starts with: SYS (trusted) or User mode, Thumb state for a T32
    /// entry (`entry`'s bit 0), FIQ open only when category 1 ISRs use it.
    pub fn start_cpsr(entry: usize, user: bool, fiq: bool) -> u32 {
        let fiq = if fiq { 0 } else { CPSR_FIQ_MASKED };
        Self::retarget_cpsr((if user { USR_CPSR } else { SYS_CPSR }) | fiq, entry)
    }

    /// `cpsr` for starting at `entry` instead: Thumb state as `entry`'s bit 0 says.
    pub fn retarget_cpsr(cpsr: u32, entry: usize) -> u32 {
        let thumb = if entry & 1 != 0 { CPSR_THUMB } else { 0 };
        (cpsr & !CPSR_THUMB) | thumb
    }

    /// A frame that "returns" into `entry(arg)` in `cpsr` (`start_cpsr`) with the stack empty
    /// above it. `top` is the 8-aligned end of the task's stack; the frame is written just
    /// below it.
    ///
    /// # Safety
    /// `top - FRAME_BYTES .. top` must be the task's own stack, not in use by anything.
    #[inline(always)]
    pub unsafe fn fresh(top: usize, entry: usize, arg: usize, cpsr: u32) -> usize {
        let sp = top - FRAME_BYTES;
        let frame = sp as *mut Frame;
        // Only what the start needs is written. The other registers start with what the
        // task's own stack holds there: its own earlier contexts, never another partition's
        // data (the stack is the task's block alone, and the kernel runs on its own stack),
        // so nothing crosses a partition. Zeroing the whole frame cost a fifth of a switch.
        // SAFETY: the caller gives us the unused top of this task's stack, 8-aligned; the
        // frame lies below `top`; plain word stores.
        unsafe {
            // FPSCR as the ABI expects it at a start (round to nearest, no flush to zero).
            (*frame).fpscr = 0;
            (*frame).r[0] = arg as u32;
            // The trampoline never returns; lr 0 makes a return fault visibly.
            (*frame).lr = 0;
            (*frame).pc = (entry & !1) as u32;
            (*frame).cpsr = cpsr;
        }
        sp
    }
}

// The IRQ entry, replacing aarch32-rt's `_asm_irq_handler` (its link.x PROVIDEs the default
// only if we do not define the symbol). Arm state: the vector table branches here raw.
core::arch::global_asm!(
    r#"
    .fpu vfpv3-d16
    // Both entries save the interrupted context the same way: onto the SYS/USR stack of the
    // context itself (return address and SPSR, r0-r12, lr, d0-d15, FPSCR), then pass that SP
    // in r0 to the Rust handler, running in SVC mode.
    .macro save_context_to_sys_stack
    srsdb   sp!, #0x1F
    cps     #0x1F
    push    {{r0-r12, lr}}
    vpush   {{d0-d15}}
    vmrs    r0, fpscr
    push    {{r0, r1}}
    mov     r0, sp
    cps     #0x13
    .endm

    .pushsection .text._asm_irq_handler,"ax",%progbits
    .arm
    .global _asm_irq_handler
    .type _asm_irq_handler, %function
    .p2align 2
_asm_irq_handler:
    sub     lr, lr, #4
    save_context_to_sys_stack
    bl      ecu_cortex_r_irq
    b       ecu_cortex_r_resume
    .size _asm_irq_handler, . - _asm_irq_handler

    .global _asm_svc_handler
    .type _asm_svc_handler, %function
    .p2align 2
_asm_svc_handler:
    save_context_to_sys_stack
    bl      ecu_cortex_r_svc
    // Falls through into ecu_cortex_r_resume, right below (a branch less per system call).
    .size _asm_svc_handler, . - _asm_svc_handler

    // r0: the saved stack pointer of the context to resume. Called in SVC mode with the
    // kernel stack empty again, IRQs masked; the restored CPSR decides the task's mode and mask.
    .type ecu_cortex_r_resume, %function
ecu_cortex_r_resume:
    cps     #0x1F
    mov     sp, r0
    pop     {{r0, r1}}
    vmsr    fpscr, r0
    vpop    {{d0-d15}}
    pop     {{r0-r12, lr}}
    rfeia   sp!
    .size ecu_cortex_r_resume, . - ecu_cortex_r_resume

    // Undefined instruction, prefetch and data abort: r0 the kind, r1 the faulting
    // instruction's address, r2 the SPSR, then the Rust handler on an empty SVC stack. The
    // faulting context is never resumed (the protection reaction ends it, or the system), so
    // nothing of it is saved: a task whose stack overflowed has nowhere to save it anyway.
    .global _asm_undefined_handler
    .type _asm_undefined_handler, %function
    .p2align 2
_asm_undefined_handler:
    mrs     r2, spsr
    tst     r2, #0x20
    subeq   r1, lr, #4
    subne   r1, lr, #2
    mov     r0, #0
    b       ecu_cortex_r_fault_entry
    .size _asm_undefined_handler, . - _asm_undefined_handler

    .global _asm_prefetch_abort_handler
    .type _asm_prefetch_abort_handler, %function
    .p2align 2
_asm_prefetch_abort_handler:
    sub     r1, lr, #4
    mov     r0, #1
    b       ecu_cortex_r_fault_entry
    .size _asm_prefetch_abort_handler, . - _asm_prefetch_abort_handler

    .global _asm_data_abort_handler
    .type _asm_data_abort_handler, %function
    .p2align 2
_asm_data_abort_handler:
    sub     r1, lr, #8
    mov     r0, #2
    .size _asm_data_abort_handler, . - _asm_data_abort_handler
    // falls through
    .type ecu_cortex_r_fault_entry, %function
ecu_cortex_r_fault_entry:
    mrs     r2, spsr
    cps     #0x13
    ldr     sp, =_svc_stack_high_end
    bl      ecu_cortex_r_fault
    b       ecu_cortex_r_resume
    .size ecu_cortex_r_fault_entry, . - ecu_cortex_r_fault_entry

    // FIQ: category 1 ISRs, outside the kernel (AUTOSAR: the OS does not manage them). It
    // may come anywhere FIQ is open, the kernel included: it saves what the AAPCS lets the
    // Rust handler clobber (r0-r3, r12, lr, d0-d7, FPSCR; r8-r12 are banked but r12 is
    // saved anyway, the handler may use it), on the FIQ stack, and returns to what it
    // interrupted. 96 bytes: the stack stays 8-aligned.
    .global _asm_fiq_handler
    .type _asm_fiq_handler, %function
    .p2align 2
_asm_fiq_handler:
    sub     lr, lr, #4
    push    {{r0-r3, r12, lr}}
    vpush   {{d0-d7}}
    vmrs    r0, fpscr
    push    {{r0, r1}}
    bl      ecu_cortex_r_fiq
    pop     {{r0, r1}}
    vmsr    fpscr, r0
    vpop    {{d0-d7}}
    pop     {{r0-r3, r12, lr}}
    movs    pc, lr
    .size _asm_fiq_handler, . - _asm_fiq_handler
    .popsection
    "#
);
