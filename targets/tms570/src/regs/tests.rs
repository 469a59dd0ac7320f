//! Offsets and reset values against constants written from TI's documents. Each block cites
//! the technical reference manuals:
//! - SPNU563A (TMS570LC43x TRM, March 2018): chapter, section and a table checked against the
//!   manual's text (the register pages quoted name the offset asserted below);
//! - SPNU515C (TMS570LS12x/11x TRM): by section title only; its section and table numbers
//!   could not be checked here, and the LS12x offsets are the LC43x ones wherever HALCoGen's
//!   headers for both parts agree (`reg_*.h` / `HL_reg_*.h`).
use core::mem::{offset_of, size_of};

use super::dcan::{self, DcanIf, DcanRegisters};
use super::esm::{self, EsmRegisters};
use super::gio::{self, GioPort, GioRegisters};
use super::pcr::PcrRegisters;
use super::rti::{self, RtiCounter, RtiRegisters};
use super::sci::SciRegisters;
use super::system::{self, System1Registers, System2Registers};
use super::vim::{self, VimRegisters};

#[test]
fn rti_offsets() {
    // SPNU563A ch. 17 "Real-Time Interrupt (RTI) Module", §17.3 "RTI Control Registers":
    // RTITBCTRL 04h (§17.3.2, Table 17-3), RTIFRC0 10h (§17.3.5, Table 17-6), RTIUC0 14h
    // (Table 17-7), RTICPUC0 18h (§17.3.7, Table 17-8), RTICAFRC0 20h (Table 17-9), RTIUC1 34h
    // (Table 17-12). SPNU515C: "RTI Control Registers". HALCoGen reg_rti.h.
    assert_eq!(offset_of!(RtiRegisters, gctrl), 0x00);
    assert_eq!(offset_of!(RtiRegisters, tbctrl), 0x04);
    assert_eq!(
        offset_of!(RtiRegisters, cnt) + offset_of!(RtiCounter, uc),
        0x14
    ); // UC0
    assert_eq!(
        offset_of!(RtiRegisters, cnt) + offset_of!(RtiCounter, cpuc),
        0x18
    ); // CPUC0
    assert_eq!(
        offset_of!(RtiRegisters, cnt) + offset_of!(RtiCounter, cafrc),
        0x20
    ); // CAFRC0
    assert_eq!(
        offset_of!(RtiRegisters, cnt) + size_of::<RtiCounter>() + 0x04,
        0x34
    ); // UC1
    assert_eq!(offset_of!(RtiRegisters, compctrl), 0x0C);
    assert_eq!(offset_of!(RtiRegisters, cnt), 0x10); // FRC0
    assert_eq!(offset_of!(RtiRegisters, cnt) + 0x20 + 0x08, 0x38); // CPUC1
    assert_eq!(offset_of!(RtiRegisters, cmp), 0x50); // COMP0
    assert_eq!(offset_of!(RtiRegisters, cmp) + 8, 0x58); // COMP1
    assert_eq!(offset_of!(RtiRegisters, setintena), 0x80);
    assert_eq!(offset_of!(RtiRegisters, clearintena), 0x84);
    assert_eq!(offset_of!(RtiRegisters, intflag), 0x88);
    assert_eq!(offset_of!(RtiRegisters, dwdctrl), 0x90);
    assert_eq!(offset_of!(RtiRegisters, intclrenable), 0xAC);
    assert_eq!(offset_of!(RtiRegisters, compclr), 0xB0);
    assert_eq!(size_of::<RtiRegisters>(), 0xC0);
    assert_eq!(rti::reset::GCTRL, 0);
    assert_eq!(rti::reset::SETINTENA, 0);
    assert_eq!(rti::reset::DWDPRLD, 0xFFF);
}

#[test]
fn vim_offsets() {
    // SPNU563A ch. 19 "Vectored Interrupt Manager (VIM) Module", §19.9 "VIM Control
    // Registers": IRQINDEX at offset 00h (§19.9.7, Table 19-12). (The same manual gives
    // FIQINDEX as F04h in §19.9.8, Table 19-13, evidently a misprint: HALCoGen and the LS12x
    // have it right after IRQINDEX.) SPNU515C: "VIM Control Registers". Relative to
    // 0xFFFF_FE00; HL_reg_vim.h has the same words at +0x100 from its 0xFFFFFD00 base
    // (IRQINDEX 0x100, FIRQPR0 0x110, REQMASKSET0 0x130, REQMASKCLR0 0x140, IRQVECREG 0x170,
    // CHANCTRL 0x180-0x2FC).
    assert_eq!(offset_of!(VimRegisters, irqindex), 0x00);
    assert_eq!(offset_of!(VimRegisters, fiqindex), 0x04);
    assert_eq!(offset_of!(VimRegisters, firqpr), 0x10);
    assert_eq!(offset_of!(VimRegisters, intreq), 0x20);
    assert_eq!(offset_of!(VimRegisters, reqmaskset), 0x30);
    assert_eq!(offset_of!(VimRegisters, reqmaskclr), 0x40);
    assert_eq!(offset_of!(VimRegisters, wakemaskset), 0x50);
    assert_eq!(offset_of!(VimRegisters, irqvecreg), 0x70);
    assert_eq!(offset_of!(VimRegisters, capevt), 0x78);
    assert_eq!(offset_of!(VimRegisters, chanctrl), 0x80);
    assert_eq!(size_of::<VimRegisters>(), 0x100);
    assert_eq!(vim::reset::FIRQPR0, 3);
    assert_eq!(vim::reset::chanctrl(0), 0x0001_0203);
    assert_eq!(vim::reset::chanctrl(23), 0x5C5D_5E5F);
    assert_eq!(vim::reset::chanctrl(31), 0x7C7D_7E7F);
}

#[test]
fn esm_offsets() {
    // SPNU563A ch. 16 "Error Signaling Module (ESM)", §16.4 "ESM Control Registers":
    // ESMIOFFHR at offset 28h (§16.4.11, Table 16-13). SPNU515C: "ESM Control Registers".
    // HALCoGen reg_esm.h.
    assert_eq!(offset_of!(EsmRegisters, eepapr1), 0x00);
    assert_eq!(offset_of!(EsmRegisters, iesr1), 0x08);
    assert_eq!(offset_of!(EsmRegisters, ilsr1), 0x10);
    assert_eq!(offset_of!(EsmRegisters, sr1), 0x18);
    assert_eq!(offset_of!(EsmRegisters, epsr), 0x24);
    assert_eq!(offset_of!(EsmRegisters, ioffhr), 0x28);
    assert_eq!(offset_of!(EsmRegisters, ltcpr), 0x34);
    assert_eq!(offset_of!(EsmRegisters, ekr), 0x38);
    assert_eq!(offset_of!(EsmRegisters, ssr2), 0x3C);
    assert_eq!(offset_of!(EsmRegisters, iesr4), 0x48);
    assert_eq!(offset_of!(EsmRegisters, sr4), 0x58);
    assert_eq!(esm::reset::LTCPR, 0x3FFF);
    assert_eq!(esm::reset::SR1, 0);
}

#[test]
fn sci_offsets() {
    // SPNU563A ch. 29 "Serial Communication Interface (SCI)/Local Interconnect Network
    // (LIN) Module", §29.7 "SCI/LIN Control Registers": SCIGCR2 08h, SCIFORMAT 28h (§29.7.11,
    // Table 29-23). SPNU515C: "SCI/LIN Control Registers". HALCoGen reg_sci.h (IODFTCTRL
    // at 0x90).
    assert_eq!(offset_of!(SciRegisters, gcr0), 0x00);
    assert_eq!(offset_of!(SciRegisters, gcr1), 0x04);
    assert_eq!(offset_of!(SciRegisters, gcr2), 0x08);
    assert_eq!(offset_of!(SciRegisters, setint), 0x0C);
    assert_eq!(offset_of!(SciRegisters, flr), 0x1C);
    assert_eq!(offset_of!(SciRegisters, format), 0x28);
    assert_eq!(offset_of!(SciRegisters, brs), 0x2C);
    assert_eq!(offset_of!(SciRegisters, rd), 0x34);
    assert_eq!(offset_of!(SciRegisters, td), 0x38);
    assert_eq!(offset_of!(SciRegisters, pio), 0x3C);
    assert_eq!(offset_of!(SciRegisters, iodftctrl), 0x90);
}

#[test]
fn dcan_offsets() {
    // SPNU563A ch. 27 "Controller Area Network (DCAN) Module", section "DCAN Control
    // Registers" (IF1/IF2 command register fields: Table 27-25; the section and summary table
    // numbers were not checked). SPNU515C: "DCAN Control Registers". HALCoGen reg_can.h.
    assert_eq!(offset_of!(DcanRegisters, ctl), 0x000);
    assert_eq!(offset_of!(DcanRegisters, es), 0x004);
    assert_eq!(offset_of!(DcanRegisters, errc), 0x008);
    assert_eq!(offset_of!(DcanRegisters, btr), 0x00C);
    assert_eq!(offset_of!(DcanRegisters, int), 0x010);
    assert_eq!(offset_of!(DcanRegisters, test), 0x014);
    assert_eq!(offset_of!(DcanRegisters, perr), 0x01C);
    assert_eq!(offset_of!(DcanRegisters, rel), 0x020);
    assert_eq!(offset_of!(DcanRegisters, abotr), 0x080);
    assert_eq!(offset_of!(DcanRegisters, txrqx), 0x084);
    assert_eq!(offset_of!(DcanRegisters, nwdatx), 0x098);
    assert_eq!(offset_of!(DcanRegisters, intpndx), 0x0AC);
    assert_eq!(offset_of!(DcanRegisters, msgvalx), 0x0C0);
    assert_eq!(offset_of!(DcanRegisters, intmux), 0x0D8);
    assert_eq!(offset_of!(DcanRegisters, if1), 0x100);
    assert_eq!(
        offset_of!(DcanRegisters, if1) + offset_of!(DcanIf, msk),
        0x104
    );
    assert_eq!(
        offset_of!(DcanRegisters, if1) + offset_of!(DcanIf, arb),
        0x108
    );
    assert_eq!(
        offset_of!(DcanRegisters, if1) + offset_of!(DcanIf, mctl),
        0x10C
    );
    assert_eq!(
        offset_of!(DcanRegisters, if1) + offset_of!(DcanIf, data),
        0x110
    );
    assert_eq!(
        offset_of!(DcanRegisters, if1) + offset_of!(DcanIf, datb),
        0x114
    );
    assert_eq!(offset_of!(DcanRegisters, if2), 0x120);
    assert_eq!(
        offset_of!(DcanRegisters, if2) + offset_of!(DcanIf, mctl),
        0x12C
    );
    assert_eq!(offset_of!(DcanRegisters, if3obs), 0x140);
    assert_eq!(offset_of!(DcanRegisters, if3upd), 0x160);
    assert_eq!(offset_of!(DcanRegisters, tioc), 0x1E0);
    assert_eq!(offset_of!(DcanRegisters, rioc), 0x1E4);
    assert_eq!(dcan::reset::CTL, 0x1401);
    assert_eq!(dcan::reset::ES, 0x7);
    assert_eq!(dcan::reset::BTR, 0x2301);
    assert_eq!(
        dcan::DCAN_BASES,
        [0xFFF7_DC00, 0xFFF7_DE00, 0xFFF7_E000, 0xFFF7_E200]
    );
}

#[test]
fn gio_offsets() {
    // SPNU563A ch. 25 "General-Purpose Input/Output (GIO) Module", §25.5 "GIO Control
    // Registers": GIOOFF1 at offset 24h (§25.5.7, Table 25-10). SPNU515C: "GIO Control
    // Registers". HALCoGen reg_gio.h.
    assert_eq!(offset_of!(GioRegisters, gcr0), 0x00);
    assert_eq!(offset_of!(GioRegisters, intdet), 0x08);
    assert_eq!(offset_of!(GioRegisters, enaset), 0x10);
    assert_eq!(offset_of!(GioRegisters, flg), 0x20);
    assert_eq!(offset_of!(GioRegisters, off1), 0x24);
    assert_eq!(offset_of!(GioRegisters, emu2), 0x30);
    assert_eq!(size_of::<GioRegisters>(), gio::GIO_PORTA - gio::GIO_BASE);
    assert_eq!(offset_of!(GioPort, dir), 0x00);
    assert_eq!(offset_of!(GioPort, dout), 0x08);
    assert_eq!(offset_of!(GioPort, dset), 0x0C);
    assert_eq!(offset_of!(GioPort, dclr), 0x10);
    assert_eq!(offset_of!(GioPort, psl), 0x1C);
    assert_eq!(gio::GIO_PORTB - gio::GIO_PORTA, size_of::<GioPort>());
    assert_eq!(gio::reset::GCR0, 0);
}

#[test]
fn system_offsets() {
    // SPNU563A and SPNU515C chapter "Architecture", sections "Primary System Control
    // Registers (SYS)" and "Secondary System Control Registers (SYS2)": section and table
    // numbers not checked here; the offsets follow HALCoGen reg_system.h / HL_reg_system.h.
    assert_eq!(offset_of!(System1Registers, csdis), 0x30);
    assert_eq!(offset_of!(System1Registers, csdisset), 0x34);
    assert_eq!(offset_of!(System1Registers, csdisclr), 0x38);
    assert_eq!(offset_of!(System1Registers, cddis), 0x3C);
    assert_eq!(offset_of!(System1Registers, ghvsrc), 0x48);
    assert_eq!(offset_of!(System1Registers, vclkasrc), 0x4C);
    assert_eq!(offset_of!(System1Registers, rclksrc), 0x50);
    assert_eq!(offset_of!(System1Registers, csvstat), 0x54);
    assert_eq!(offset_of!(System1Registers, minitgcr), 0x5C);
    assert_eq!(offset_of!(System1Registers, msinena), 0x60);
    assert_eq!(offset_of!(System1Registers, mstcgstat), 0x68);
    assert_eq!(offset_of!(System1Registers, pllctl1), 0x70);
    assert_eq!(offset_of!(System1Registers, pllctl2), 0x74);
    assert_eq!(offset_of!(System1Registers, lpomonctl), 0x88);
    assert_eq!(offset_of!(System1Registers, clkcntl), 0xD0);
    assert_eq!(offset_of!(System1Registers, glbstat), 0xEC);
    assert_eq!(offset_of!(System1Registers, devid), 0xF0);
    assert_eq!(offset_of!(System2Registers, pllctl3), 0x00);
    assert_eq!(offset_of!(System2Registers, clk2cntrl), 0x3C);
    assert_eq!(offset_of!(System2Registers, vclkacon1), 0x40);
    assert_eq!(offset_of!(System2Registers, hclkcntl), 0x54);
    assert_eq!(offset_of!(PcrRegisters, pspwrdwnclr), 0xA0);
    assert_eq!(system::reset::GHVSRC, 0);
    assert_eq!(system::MINITGCR_ENABLE, 0xA);
    assert_eq!(system::MSTCGSTAT_MINIDONE, 0x100);
}
