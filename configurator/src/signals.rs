//! Typed signal accessors: for every CAN frame of the model (the ARXML network's frames), a
//! Rust module with its id, its length, one `SignalLayout` per signal and a `Pdu` type whose
//! methods get and set each signal's physical value (factor and offset applied) and raw
//! value, built on `ecu_com::signal`. Written into the image's `can.rs` as `can::frames`;
//! task code reads `can::frames::door_status::Pdu::from_frame(&f)?.door_temp()`.
//!
//! The output depends only on the model (frames and signals in model order) and reads like
//! hand-written code. A signal the accessors cannot serve (a float signal, a layout that does
//! not fit the frame) is listed in a comment with the reason, so that nothing is silently
//! left out.

use std::collections::HashSet;
use std::fmt::Write as _;

use ecu_com::signal::{ByteOrder as ComByteOrder, SignalLayout};

use crate::ipc::rust_ident;
use crate::network::{ByteOrder, CanFrame, CanSignal};

/// Names that the `Pdu` type uses itself: a signal named so gets a `_signal` suffix.
const RESERVED: &[&str] = &["from_frame", "to_frame", "new", "bytes"];

/// `name`, made unique among `taken` with a numeric suffix.
fn unique(name: String, taken: &mut HashSet<String>) -> String {
    let mut candidate = name.clone();
    let mut n = 2;
    while !taken.insert(candidate.clone()) {
        candidate = format!("{name}_{n}");
        n += 1;
    }
    candidate
}

/// The layout of a signal, or why it has no accessor.
fn layout(frame: &CanFrame, s: &CanSignal) -> Result<SignalLayout, String> {
    if s.is_float {
        return Err("a float signal (IEEE 754 encoding has no accessor yet)".into());
    }
    let length = u8::try_from(s.length)
        .ok()
        .filter(|l| (1..=64).contains(l))
        .ok_or(format!("length {} is not 1..=64 bits", s.length))?;
    let start_bit = u16::try_from(s.start_bit).map_err(|_| "start bit out of range".to_owned())?;
    let byte_order = match s.byte_order {
        ByteOrder::LittleEndian => ComByteOrder::LittleEndian,
        ByteOrder::BigEndian => ComByteOrder::BigEndian,
    };
    let layout = SignalLayout {
        start_bit,
        length,
        byte_order,
        signed: s.is_signed,
        factor: s.factor.0,
        offset: s.offset.0,
    };
    if !layout.factor.is_finite() || layout.factor == 0.0 || !layout.offset.is_finite() {
        return Err("factor must be finite and non-zero, offset finite".into());
    }
    if layout.bytes_needed() > frame.length as usize {
        return Err(format!(
            "its bits reach byte {} of a {}-byte frame",
            layout.bytes_needed(),
            frame.length
        ));
    }
    Ok(layout)
}

/// The smallest integer type holding the raw values.
fn raw_type(layout: &SignalLayout) -> &'static str {
    match (layout.signed, layout.length) {
        (false, 0..=8) => "u8",
        (false, 9..=16) => "u16",
        (false, 17..=32) => "u32",
        (false, _) => "u64",
        (true, 0..=8) => "i8",
        (true, 9..=16) => "i16",
        (true, 17..=32) => "i32",
        (true, _) => "i64",
    }
}

/// An `f64` as a Rust literal that reads back to the same value.
fn float(v: f64) -> String {
    let s = format!("{v:?}");
    if s.contains(['.', 'e', 'E']) || s.contains("inf") || s.contains("NaN") {
        s
    } else {
        format!("{s}.0")
    }
}

/// The `frames` module: one submodule per frame of the model.
pub fn frames_module(frames: &[CanFrame]) -> String {
    let mut out = String::new();
    let mut modules = HashSet::new();
    for frame in frames {
        let module = unique(rust_ident(&frame.name), &mut modules);
        frame_module(&mut out, frame, &module);
    }
    out
}

fn frame_module(out: &mut String, frame: &CanFrame, module: &str) {
    let (kind, id_expr) = if frame.extended {
        (
            "extended",
            format!("ecu_com::CanId::extended({:#x})", frame.id),
        )
    } else {
        (
            "standard",
            format!("ecu_com::CanId::standard({:#x})", frame.id),
        )
    };
    let on = if frame.cluster.is_empty() {
        String::new()
    } else {
        format!(", on cluster `{}`", frame.cluster)
    };
    let _ = writeln!(
        out,
        "/// `{}`: {kind} id {:#x}, {} bytes{on}.",
        frame.name, frame.id, frame.length
    );
    let _ = writeln!(out, "pub mod {module} {{");
    if frame.signals.iter().any(|s| layout(frame, s).is_ok()) {
        let _ = writeln!(
            out,
            "    use ecu_com::signal::{{ByteOrder, SignalError, SignalLayout}};\n"
        );
    }
    let _ = writeln!(out, "    pub const ID: ecu_com::CanId = match {id_expr} {{");
    let _ = writeln!(out, "        Some(id) => id,");
    let _ = writeln!(
        out,
        "        None => panic!(\"the model's id fits its format\"),"
    );
    let _ = writeln!(out, "    }};");
    let _ = writeln!(out, "    pub const LENGTH: usize = {};", frame.length);
    let mut names = RESERVED.iter().map(|s| s.to_string()).collect();
    let mut served = Vec::new();
    for s in &frame.signals {
        match layout(frame, s) {
            Ok(l) => {
                let mut name = rust_ident(&s.name);
                if RESERVED.contains(&name.as_str()) {
                    name.push_str("_signal");
                }
                let name = unique(name, &mut names);
                let scaling = if l.offset < 0.0 {
                    format!("raw × {} − {}", float(l.factor), float(-l.offset))
                } else {
                    format!("raw × {} + {}", float(l.factor), float(l.offset))
                };
                let _ = writeln!(
                    out,
                    "\n    /// `{}`: start bit {}, {} bit{}, {}, {}; physical = {scaling}{}.",
                    s.name,
                    l.start_bit,
                    l.length,
                    if l.length == 1 { "" } else { "s" },
                    if s.byte_order == ByteOrder::BigEndian {
                        "big endian"
                    } else {
                        "little endian"
                    },
                    if l.signed { "signed" } else { "unsigned" },
                    s.multiplexer_id
                        .map(|m| format!("; present when the multiplexer is {m}"))
                        .unwrap_or_default()
                );
                let _ = writeln!(
                    out,
                    "    pub const {}: SignalLayout = SignalLayout {{ start_bit: {}, length: {}, byte_order: ByteOrder::{:?}, signed: {}, factor: {}, offset: {} }};",
                    name.to_uppercase(), l.start_bit, l.length, l.byte_order, l.signed, float(l.factor), float(l.offset)
                );
                served.push((s, name, l));
            }
            Err(why) => {
                let _ = writeln!(out, "\n    // `{}`: no accessor: {why}.", s.name);
            }
        }
    }
    let _ = writeln!(
        out,
        "\n    /// The payload of one `{}` frame. Every layout above fits `LENGTH` bytes (the\n    /// generator checked), so reading a signal cannot fail; writing one fails only for a\n    /// value outside the signal's raw range.",
        frame.name
    );
    let _ = writeln!(
        out,
        "    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]\n    pub struct Pdu(pub [u8; LENGTH]);\n"
    );
    let _ = writeln!(out, "    impl Pdu {{");
    let _ = writeln!(
        out,
        "        /// The payload of a received frame: `None` unless it has this id and length."
    );
    let _ = writeln!(
        out,
        "        pub fn from_frame(frame: &ecu_com::CanFrame) -> Option<Self> {{"
    );
    let _ = writeln!(
        out,
        "            if frame.can_id() != ID {{\n                return None;\n            }}"
    );
    let _ = writeln!(
        out,
        "            ecu_com::embedded_can::Frame::data(frame).try_into().ok().map(Pdu)"
    );
    let _ = writeln!(out, "        }}\n");
    let _ = writeln!(
        out,
        "        /// A data frame with this id carrying the payload."
    );
    let _ = writeln!(
        out,
        "        pub fn to_frame(self) -> Option<ecu_com::CanFrame> {{\n            ecu_com::CanFrame::data(ID, &self.0)\n        }}"
    );
    for (s, name, l) in &served {
        let konst = name.to_uppercase();
        let ty = raw_type(l);
        let read = if l.signed { "unpack_int" } else { "unpack_raw" };
        let _ = writeln!(
            out,
            "\n        /// `{}`, physical.\n        pub fn {name}(&self) -> f64 {{\n            {konst}.unpack(&self.0).unwrap_or(0.0)\n        }}",
            s.name
        );
        let _ = writeln!(
            out,
            "\n        /// Sets `{}` from a physical value (rounded to the nearest raw value).\n        pub fn set_{name}(&mut self, value: f64) -> Result<(), SignalError> {{\n            {konst}.pack(&mut self.0, value)\n        }}",
            s.name
        );
        let _ = writeln!(
            out,
            "\n        /// `{}`, raw.\n        pub fn {name}_raw(&self) -> {ty} {{\n            {konst}.{read}(&self.0).unwrap_or(0) as {ty}\n        }}",
            s.name
        );
        let _ = writeln!(
            out,
            "\n        /// Sets `{}` from a raw value.\n        pub fn set_{name}_raw(&mut self, raw: {ty}) -> Result<(), SignalError> {{\n            {konst}.pack_int(&mut self.0, raw as i128)\n        }}",
            s.name
        );
    }
    let _ = writeln!(out, "    }}\n}}\n");
}
