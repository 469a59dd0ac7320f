//! Arbitrary console logs into the trace decoder (`ecuconf decode`): a board's UART may carry
//! any bytes. Every line must come out named or as it was, never a panic.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn ecu() -> &'static ecu_configurator::Ecu {
    static ECU: OnceLock<ecu_configurator::Ecu> = OnceLock::new();
    ECU.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        // The IPC example: tasks, ISRs, resources, alarms and IPC records have names.
        ecu_configurator::load(&[root.join("examples/ipc_ecu/ecu.toml")])
            .unwrap_or_else(|d| panic!("{d}"))
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = ecu_configurator::trace::decode(ecu(), &text);
});
