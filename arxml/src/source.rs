//! All loaded files live in one text buffer; a node's position is a global byte offset into it.
//! Line and column come from a line-start table built once, on first need, and a binary search,
//! so reading never pays for positions nobody asks for.

use std::sync::OnceLock;

use crate::diag::Location;

/// One loaded file: its name and where its text sits in the shared buffer.
#[derive(Debug)]
pub(crate) struct SourceFile {
    pub name: String,
    /// Global offset of the file's first byte.
    pub base: u32,
    /// Length in bytes.
    pub len: u32,
}

/// The text of every file, back to back, plus the position table.
#[derive(Debug, Default)]
pub(crate) struct SourceMap {
    pub text: String,
    pub files: Vec<SourceFile>,
    /// Global offsets at which a line starts; every file's base is one of them.
    lines: OnceLock<Vec<u32>>,
}

impl SourceMap {
    /// Largest total size: offsets are u32 to keep nodes small.
    pub const MAX_TOTAL: usize = u32::MAX as usize - 1;

    pub fn push_file(&mut self, name: String, base: u32) -> usize {
        let len = (self.text.len() - base as usize) as u32;
        self.files.push(SourceFile { name, base, len });
        // The table, if someone already built it, no longer covers the new file.
        self.lines = OnceLock::new();
        self.files.len() - 1
    }

    /// The file holding global offset `offset`.
    pub fn file_of(&self, offset: u32) -> usize {
        self.files
            .partition_point(|f| f.base <= offset)
            .saturating_sub(1)
    }

    fn line_table(&self) -> &[u32] {
        self.lines.get_or_init(|| {
            let mut lines = Vec::new();
            for f in &self.files {
                // The previous file's final newline may already have started this line.
                if lines.last() != Some(&f.base) {
                    lines.push(f.base);
                }
                let start = f.base as usize;
                let end = start + f.len as usize;
                let bytes = &self.text.as_bytes()[start..end];
                lines.extend(
                    bytes
                        .iter()
                        .enumerate()
                        .filter(|(_, &b)| b == b'\n')
                        .map(|(i, _)| (start + i + 1) as u32),
                );
            }
            lines
        })
    }

    /// File, 1-based line and 1-based column (in characters) of a global offset.
    pub fn location(&self, offset: u32) -> Location {
        let Some(file) = self.files.get(self.file_of(offset)) else {
            return Location {
                file: String::new(),
                line: 1,
                column: 1,
            };
        };
        let offset = offset.min(file.base + file.len);
        let lines = self.line_table();
        let first = lines.partition_point(|&l| l < file.base);
        let this = lines.partition_point(|&l| l <= offset).saturating_sub(1);
        let line_start = lines.get(this).copied().unwrap_or(file.base).max(file.base);
        let column = self
            .text
            .get(line_start as usize..offset as usize)
            .map_or(0, |s| s.chars().count());
        Location {
            file: file.name.clone(),
            line: (this.saturating_sub(first) + 1) as u32,
            column: column as u32 + 1,
        }
    }

    /// Location of a byte offset local to file `file` (used while that file is being read).
    pub fn local_location(&self, file: usize, local: usize) -> Location {
        let base = self.files.get(file).map_or(0, |f| f.base as usize);
        let global = (base + local).min(self.text.len());
        // A char boundary keeps the column count well defined for offsets inside a character.
        let mut global = global;
        while global > 0 && !self.text.is_char_boundary(global) {
            global -= 1;
        }
        self.location(global as u32)
    }
}
