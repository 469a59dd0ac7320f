//! Diagnostics in the style of a compiler: `file:line:col: error: message`, the element's
//! path in the description, and what would fix it.

use std::fmt;
use std::path::{Path, PathBuf};

/// A description file as read, kept to turn byte offsets into lines and columns.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    pub text: String,
}

impl Source {
    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..floor_char_boundary(&self.text, offset)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }

    pub fn at(&self, offset: usize) -> Location {
        let (line, column) = self.line_col(offset);
        Location {
            file: self.path.clone(),
            line,
            column,
        }
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl Location {
    /// A file as a whole (it could not be opened, say).
    pub fn file(path: &Path) -> Self {
        Self {
            file: path.to_path_buf(),
            line: 1,
            column: 1,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub location: Location,
    pub message: String,
    /// Where in the description: `tasks[SpeedMonitor].stack_size`.
    pub element: Option<String>,
    pub hint: Option<String>,
    /// A second place that matters, e.g. the first definition of a duplicate.
    pub related: Option<(Location, String)>,
}

impl Diagnostic {
    pub fn error(location: Location, message: impl Into<String>) -> Self {
        Self {
            location,
            message: message.into(),
            element: None,
            hint: None,
            related: None,
        }
    }

    pub fn element(&mut self, element: impl Into<String>) -> &mut Self {
        self.element = Some(element.into());
        self
    }

    pub fn hint(&mut self, hint: impl Into<String>) -> &mut Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn related(&mut self, location: Location, note: impl Into<String>) -> &mut Self {
        self.related = Some((location, note.into()));
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}: error: {}", self.location, self.message)?;
        if let Some(element) = &self.element {
            writeln!(f, "  element: {element}")?;
        }
        if let Some((location, note)) = &self.related {
            writeln!(f, "  {location}: note: {note}")?;
        }
        if let Some(hint) = &self.hint {
            writeln!(f, "  hint: {hint}")?;
        }
        Ok(())
    }
}

/// Every diagnostic of a failed load, in the order found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for diagnostic in &self.0 {
            write!(f, "{diagnostic}")?;
        }
        let count = self.0.len();
        write!(f, "{count} error{}", if count == 1 { "" } else { "s" })
    }
}

impl std::error::Error for Diagnostics {}
