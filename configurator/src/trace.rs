//! Board consoles print trace records as numbers (`ecu_os::TraceRecord::print_line`); this
//! turns them back into the simulation's text with the description's names. `ecuconf run`
//! does it for QEMU; `ecuconf decode` does it for a console log of a real board.

use ecu_os::{TraceNames, TraceRecord};

use crate::model::Ecu;

/// The names of the generated tables, in their order (the order the kernel's indices follow).
struct EcuNames<'a>(&'a Ecu);

impl TraceNames for EcuNames<'_> {
    fn task(&self, index: usize) -> Option<&str> {
        self.0.tasks.get(index).map(|t| t.name.as_str())
    }
    fn isr(&self, index: usize) -> Option<&str> {
        self.0.isrs.get(index).map(|i| i.name.as_str())
    }
    fn resource(&self, index: usize) -> Option<&str> {
        self.0.resources.get(index).map(|r| r.name.as_str())
    }
    fn alarm(&self, index: usize) -> Option<&str> {
        self.0.alarms.get(index).map(|a| a.name.as_str())
    }
    fn counter(&self, index: usize) -> Option<&str> {
        self.0.counters.get(index).map(|c| c.name.as_str())
    }
    fn schedule_table(&self, index: usize) -> Option<&str> {
        self.0.schedule_tables.get(index).map(|t| t.name.as_str())
    }
    fn app(&self, index: usize) -> Option<&str> {
        self.0.apps.get(index).map(|a| a.name.as_str())
    }
    fn endpoint(&self, index: usize) -> Option<&str> {
        self.0.ipc.interfaces.get(index).map(|i| i.name.as_str())
    }
    fn operation(&self, endpoint: usize, index: usize) -> Option<&str> {
        let interface = self.0.ipc.interfaces.get(endpoint)?;
        interface.operations.get(index).map(|o| o.name.as_str())
    }
}

/// `text` with every trace record line named; other lines (the image's own output, `end`,
/// faults) pass unchanged. Keeps the text's line ends.
pub fn decode(ecu: &Ecu, text: &str) -> String {
    let names = EcuNames(ecu);
    let mut out = String::with_capacity(text.len() * 2);
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        match TraceRecord::parse_line(body) {
            Some(record) => {
                // Writing into a String cannot fail.
                let _ = record.write(&names, &mut out);
                out.push_str(&line[body.len()..]);
            }
            None => out.push_str(line),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_get_names_and_other_lines_stay() {
        let ecu = crate::load(&[crate::generate::repo_root().join("examples/body_ecu/ecu.toml")])
            .expect("the example loads");
        let console = "@0 0\n@0 1 1\nhello @1\n@5 f 0 1\n@7 63\nend 7\n";
        let first = &ecu.tasks[0].name;
        let second = &ecu.tasks[1].name;
        assert_eq!(
            decode(&ecu, console),
            format!(
                "       0 activate  {first}\n       0 start     {second}\nhello @1\n       \
                 5 kill      {second}\n@7 63\nend 7\n"
            )
        );
    }
}
