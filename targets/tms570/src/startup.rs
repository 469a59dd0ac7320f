//! Reset entry for the TMS570, replacing aarch32-rt's `_start` (its link.x only PROVIDEs the
//! default), then continuing into aarch32-rt's `_default_start` (which zeroes .bss, copies
//! .data, sets the stack of every mode, enables VFP and calls `kmain`).
//!
//! Before any RAM access:
//! 1. Every core register of every mode is given a value: on the lockstep parts the CCM
//!    compares both cores' outputs, and a push of an uninitialised register would raise a
//!    (group 2) compare error (TI's `_coreInitRegisters_` does the same).
//! 2. VFP on and d0-d15/FPSCR zeroed, for the same reason.
//! 3. The RAM's ECC is initialised by the hardware memory initialisation: MINITGCR = 0xA,
//!    MSINENA bit 0 (CPU RAM: the LC43x L2RAMW, the LS12x tightly-coupled RAM), wait for
//!    MSTCGSTAT.MINIDONE, MINITGCR = 0x5 (SPNU515C §2.5.1.x "Memory Hardware
//!    Initialization", SPNU563A §2.5.1.x; HALCoGen `_memInit_`). Without it the first read of
//!    a word that was never written gives an uncorrectable ECC error.
core::arch::global_asm!(
    r#"
    .fpu vfpv3-d16
    .pushsection .text._start,"ax",%progbits
    .arm
    .global _start
    .type _start, %function
    .p2align 2
_start:
    mov     r0, #0
    mov     r1, #0
    mov     r2, #0
    mov     r3, #0
    mov     r4, #0
    mov     r5, #0
    mov     r6, #0
    mov     r7, #0
    mov     r8, #0
    mov     r9, #0
    mov     r10, #0
    mov     r11, #0
    mov     r12, #0
    mrs     r1, cpsr
    msr     spsr_cxsf, r1
    cps     #0x11
    mov     r8, #0
    mov     r9, #0
    mov     r10, #0
    mov     r11, #0
    mov     r12, #0
    mov     lr, r0
    msr     spsr_cxsf, r1
    cps     #0x12
    mov     lr, r0
    msr     spsr_cxsf, r1
    cps     #0x17
    mov     lr, r0
    msr     spsr_cxsf, r1
    cps     #0x1B
    mov     lr, r0
    msr     spsr_cxsf, r1
    cps     #0x1F
    mov     lr, r0
    cps     #0x13
    mov     lr, r0
    // VFP: full access, enabled, registers zeroed.
    mrc     p15, 0, r2, c1, c0, 2
    orr     r2, r2, #0xF00000
    mcr     p15, 0, r2, c1, c0, 2
    isb
    mov     r2, #0x40000000
    vmsr    fpexc, r2
    vmov    d0, r0, r0
    vmov    d1, r0, r0
    vmov    d2, r0, r0
    vmov    d3, r0, r0
    vmov    d4, r0, r0
    vmov    d5, r0, r0
    vmov    d6, r0, r0
    vmov    d7, r0, r0
    vmov    d8, r0, r0
    vmov    d9, r0, r0
    vmov    d10, r0, r0
    vmov    d11, r0, r0
    vmov    d12, r0, r0
    vmov    d13, r0, r0
    vmov    d14, r0, r0
    vmov    d15, r0, r0
    vmsr    fpscr, r0
    // RAM ECC: hardware memory initialisation of the CPU RAM.
    ldr     r2, =0xFFFFFF5C         // MINITGCR
    mov     r3, #0xA
    str     r3, [r2]
    ldr     r4, =0xFFFFFF60         // MSINENA
    mov     r3, #1
    str     r3, [r4]
    ldr     r5, =0xFFFFFF68         // MSTCGSTAT
1:
    ldr     r3, [r5]
    tst     r3, #0x100              // MINIDONE
    beq     1b
    mov     r3, #5
    str     r3, [r2]
    mov     r2, #0
    mov     r3, #0
    mov     r4, #0
    mov     r5, #0
    b       _default_start
    .ltorg
    .size _start, . - _start
    .popsection
    "#
);
