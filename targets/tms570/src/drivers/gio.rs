//! GIO: the LaunchPad's user LEDs.
use tock_registers::interfaces::{Readable, Writeable};

use crate::part::Pin;
use crate::regs::gio::{GioPort, GioRegisters};

/// Takes the GIO out of reset, interrupts off, and makes the LED pins outputs, off.
pub fn init(gio: &GioRegisters, ports: [&GioPort; 2], leds: &[Pin]) {
    gio.gcr0.set(1);
    gio.enaclr.set(0xFF);
    gio.lvlclr.set(0xFF);
    for led in leds {
        let port = ports[led.port as usize];
        port.dclr.set(1 << led.bit);
        port.dir.set(port.dir.get() | 1 << led.bit);
    }
}

pub fn set(port: &GioPort, bit: u8, on: bool) {
    if on {
        port.dset.set(1 << bit);
    } else {
        port.dclr.set(1 << bit);
    }
}

/// Toggles a pin from its output latch.
pub fn toggle(port: &GioPort, bit: u8) {
    let on = port.dout.get() & 1 << bit != 0;
    set(port, bit, !on);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::Fake;
    use crate::part::Part;

    #[test]
    fn leds_are_outputs_and_toggle() {
        let gio = Fake::<GioRegisters>::new();
        let a = Fake::<GioPort>::new();
        let b = Fake::<GioPort>::new();
        init(gio.regs(), [a.regs(), b.regs()], &Part::Lc4357.leds());
        assert_eq!(gio.word(0x00), 1);
        assert_eq!(b.word(0x00), 0xC0, "GIOB6, GIOB7 outputs");
        assert_eq!(a.word(0x00), 0);
        toggle(b.regs(), 6);
        assert_eq!(b.word(0x0C), 1 << 6, "DSET");
        b.set_word(0x08, 1 << 6);
        toggle(b.regs(), 6);
        assert_eq!(b.word(0x10), 1 << 6, "DCLR");
        let b2 = Fake::<GioPort>::new();
        init(gio.regs(), [a.regs(), b2.regs()], &Part::Ls1224.leds());
        assert_eq!(b2.word(0x00), 0b110, "GIOB1, GIOB2 outputs");
    }
}
