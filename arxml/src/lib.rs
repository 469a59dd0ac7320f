//! AUTOSAR ARXML reading into a position-keeping tree.
//!
//! A streaming reader on quick-xml builds a compact arena tree (u32 links, interned tags, text
//! as ranges into the source), then one pass indexes SHORT-NAME paths across all files and one
//! pass resolves references. Every problem is a [`Diagnostic`] with file, line, column and
//! element path; nothing panics on bad input and nothing recurses over the document's depth.
//!
//! ```
//! let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
//! <AUTOSAR xmlns="http://autosar.org/schema/r4.0">
//!   <AR-PACKAGES><AR-PACKAGE><SHORT-NAME>Can</SHORT-NAME><ELEMENTS>
//!     <CAN-FRAME><SHORT-NAME>F1</SHORT-NAME><FRAME-LENGTH>0x8</FRAME-LENGTH></CAN-FRAME>
//!   </ELEMENTS></AR-PACKAGE></AR-PACKAGES>
//! </AUTOSAR>"#;
//! let loaded = ecu_arxml::read_sources([("a.arxml", xml.as_bytes())]);
//! assert!(loaded.diagnostics.is_empty());
//! let model = &loaded.arxml;
//! let frame = model.find("/Can/F1").unwrap();
//! let len = model.child(frame, "FRAME-LENGTH").unwrap();
//! assert_eq!(model.text_as_u64(len).unwrap(), 8);
//! assert_eq!(model.location(frame).line, 4);
//! ```

// A Diagnostic is ~136 bytes; errors are the cold path, and a plain `Result<_, Diagnostic>`
// keeps `?` and field access simple for the configurator.
#![allow(clippy::result_large_err)]

mod diag;
mod model;
pub mod number;
mod paths;
mod reader;
mod source;
mod tree;

use std::io::Read;
use std::path::Path;

pub use diag::{Diagnostic, Location, Related, Severity};
pub use model::Arxml;
pub use reader::{ReadOptions, NAMESPACE_R4};
pub use tree::{Children, NodeId, TagId};

use source::SourceMap;
use tree::Tree;

/// The result of loading: the model (with whatever could be read) and every diagnostic.
#[derive(Debug)]
pub struct Loaded {
    /// The tree of all files that were read without error.
    pub arxml: Arxml,
    /// Problems, in the order found: per file while reading, then paths, then references.
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    /// True when some diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Reads files one by one into a shared tree; [`Loader::finish`] indexes and resolves.
#[derive(Debug, Default)]
pub struct Loader {
    opts: ReadOptions,
    map: SourceMap,
    tree: Tree,
    roots: Vec<Option<NodeId>>,
    diagnostics: Vec<Diagnostic>,
}

impl Loader {
    /// A loader with the given options.
    pub fn new(opts: ReadOptions) -> Self {
        Loader {
            opts,
            ..Loader::default()
        }
    }

    fn file_level(&mut self, name: &str, message: String, hint: &str) -> bool {
        let at = Location {
            file: name.to_owned(),
            line: 1,
            column: 1,
        };
        self.diagnostics
            .push(Diagnostic::error(at, message).with_hint(hint));
        false
    }

    /// Reads one file from disk. Returns false (with a diagnostic recorded) if it failed.
    pub fn add_file(&mut self, path: impl AsRef<Path>) -> bool {
        let path = path.as_ref();
        let name = path.display().to_string();
        let mut file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) => return self.file_level(&name, format!("cannot open: {e}"), "check the path"),
        };
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        if self.map.text.len() as u64 + size > SourceMap::MAX_TOTAL as u64 {
            return self.file_level(
                &name,
                "input too large (4 GiB in total at most)".into(),
                "split the input",
            );
        }
        let start = self.map.text.len();
        // Exactly the file's size: a doubling growth would break the memory budget.
        self.map.text.reserve_exact(size as usize);
        match file.read_to_string(&mut self.map.text) {
            Ok(_) => self.after_append(name, start),
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                // read_to_string left the buffer unchanged; re-read the bytes to say where.
                let bytes = std::fs::read(path).unwrap_or_default();
                self.bad_utf8(name, &bytes)
            }
            Err(e) => self.file_level(&name, format!("cannot read: {e}"), "check the file"),
        }
    }

    /// Reads one file's content from memory; `name` appears in diagnostics.
    pub fn add_source(&mut self, name: impl Into<String>, bytes: &[u8]) -> bool {
        let name = name.into();
        if self.map.text.len() + bytes.len() > SourceMap::MAX_TOTAL {
            return self.file_level(
                &name,
                "input too large (4 GiB in total at most)".into(),
                "split the input",
            );
        }
        match std::str::from_utf8(bytes) {
            Ok(s) => {
                let start = self.map.text.len();
                self.map.text.push_str(s);
                self.after_append(name, start)
            }
            Err(_) => self.bad_utf8(name, bytes),
        }
    }

    fn bad_utf8(&mut self, name: String, bytes: &[u8]) -> bool {
        let valid = match std::str::from_utf8(bytes) {
            Ok(_) => bytes.len(),
            Err(e) => e.valid_up_to(),
        };
        // Position from the valid prefix, which is text we can count lines in.
        let prefix = std::str::from_utf8(&bytes[..valid]).unwrap_or("");
        let line = prefix.matches('\n').count() as u32 + 1;
        let column = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
        let looks_utf16 = bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]);
        let hint = if looks_utf16 {
            "the file is UTF-16; convert it to UTF-8"
        } else {
            "ARXML is read as UTF-8; is this an XML file at all?"
        };
        let at = Location {
            file: name,
            line,
            column,
        };
        self.diagnostics
            .push(Diagnostic::error(at, format!("invalid UTF-8 at byte {valid}")).with_hint(hint));
        false
    }

    fn after_append(&mut self, name: String, start: usize) -> bool {
        let added = &self.map.text.as_bytes()[start..];
        // Roughly one element per two '<'; reserving up front avoids doubling the arena.
        self.tree.nodes.reserve_exact(estimate_elements(added));
        let file = self.map.push_file(name, start as u32);
        match reader::read_file(&self.map, file, &mut self.tree, &self.opts) {
            Ok(root) => {
                self.roots.push(Some(root));
                true
            }
            Err(d) => {
                self.diagnostics.push(d);
                self.roots.push(None);
                false
            }
        }
    }

    /// Builds the path index, resolves references and hands back the model.
    pub fn finish(self) -> Loaded {
        let mut diagnostics = self.diagnostics;
        let (arxml, more) = Arxml::new(self.map, self.tree, self.roots);
        diagnostics.extend(more);
        Loaded { arxml, diagnostics }
    }
}

/// Elements in `bytes`, roughly one per two `<`: counted exactly in small inputs, and from 16
/// windows of 64 KiB (plus a tenth) in large ones, where a full count was a pass over the
/// whole input. An underestimate only means the arena grows once more.
fn estimate_elements(bytes: &[u8]) -> usize {
    const WINDOW: usize = 64 << 10;
    const WINDOWS: usize = 16;
    if bytes.len() <= 4 * WINDOW * WINDOWS {
        return count_byte(bytes, b'<') / 2 + 1;
    }
    let stride = bytes.len() / WINDOWS;
    let sampled: usize = (0..WINDOWS)
        .map(|w| count_byte(&bytes[w * stride..w * stride + WINDOW], b'<'))
        .sum();
    let per_window = sampled as f64 / (WINDOWS * WINDOW) as f64;
    (per_window * bytes.len() as f64 * 1.1 / 2.0) as usize + 1
}

/// Occurrences of `needle`, eight bytes a step: this pass runs over the whole input before
/// parsing, and a byte-wise count was 5 % of the load.
fn count_byte(bytes: &[u8], needle: u8) -> usize {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const ONES: u64 = 0x0101_0101_0101_0101;
    let pattern = u64::from_ne_bytes([needle; 8]);
    let mut n = 0;
    // Per-byte counters in one word; flushed before a byte lane can reach 256.
    for block in bytes.chunks(8 * 255) {
        let mut lanes = 0u64;
        let mut words = block.chunks_exact(8);
        for c in &mut words {
            let word = u64::from_ne_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            // A zero byte of `x` is a match: its high bit stays clear in `nonzero` (no carry
            // crosses a byte: the low seven bits are added apart from the high bit).
            let x = word ^ pattern;
            let nonzero = ((x & LOW7) + LOW7) | x;
            lanes += (!nonzero >> 7) & ONES;
        }
        // Sum of the eight lanes, in the top byte (each lane is at most 255, the sum fits
        // in 11 bits, so add the lanes pairwise instead of by one multiplication).
        let pairs = (lanes & 0x00ff_00ff_00ff_00ff) + ((lanes >> 8) & 0x00ff_00ff_00ff_00ff);
        n += (pairs.wrapping_mul(0x0001_0001_0001_0001) >> 48) as usize;
        n += words.remainder().iter().filter(|&&b| b == needle).count();
    }
    n
}

/// Reads files from disk with default options.
pub fn read_files<P: AsRef<Path>>(paths: &[P]) -> Loaded {
    let mut loader = Loader::default();
    let total: u64 = paths
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    loader
        .map
        .text
        .reserve_exact(total.min(SourceMap::MAX_TOTAL as u64) as usize);
    for p in paths {
        loader.add_file(p);
    }
    loader.finish()
}

/// Reads in-memory sources `(name, bytes)` with default options.
pub fn read_sources<'a, N: Into<String>>(
    sources: impl IntoIterator<Item = (N, &'a [u8])>,
) -> Loaded {
    let mut loader = Loader::default();
    for (name, bytes) in sources {
        loader.add_source(name, bytes);
    }
    loader.finish()
}

#[cfg(test)]
mod tests {
    use super::{count_byte, estimate_elements};

    #[test]
    fn count_byte_matches_a_plain_count() {
        let text = "<a><b x=\"<\">\u{e9}<</b></a>  <\u{ff}<<<<<<<<<<<<".repeat(7);
        for cut in 0..text.len() {
            let bytes = &text.as_bytes()[cut..];
            let plain = bytes.iter().filter(|&&b| b == b'<').count();
            assert_eq!(count_byte(bytes, b'<'), plain, "from byte {cut}");
        }
        // Every byte a match, over several flush blocks: no per-byte counter overflows.
        assert_eq!(count_byte(&[b'<'; 5000], b'<'), 5000);
        // Bytes that differ from the needle only in the high bit are not matches.
        assert_eq!(count_byte(&[0xbc; 17], b'<'), 0);
    }

    #[test]
    fn element_estimate_is_near_the_count() {
        let doc = "<A><SHORT-NAME>x</SHORT-NAME><B DEST=\"Y\">/p/q</B></A>\n".repeat(200_000);
        let exact = doc.matches('<').count() / 2;
        let estimate = estimate_elements(doc.as_bytes());
        assert!(
            estimate >= exact && estimate <= exact + exact / 5,
            "{estimate} vs {exact}"
        );
        assert_eq!(estimate_elements(b"<a><b/></a>"), 2);
        // Windows past the end never happen: lengths just above the sampling threshold.
        for extra in [0, 1, 7, 4095] {
            let bytes = vec![b'<'; (4 << 20) + extra];
            assert!(estimate_elements(&bytes) >= bytes.len() / 2);
        }
    }
}
