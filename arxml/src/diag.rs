//! Diagnostics in the style of a compiler: `file:line:col: error: message`, the element path,
//! related positions and a hint.

use std::fmt;

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The input is unusable as written; the configurator must stop.
    Error,
    /// Suspicious or unsupported, but reading can go on (e.g. a reference into a package that
    /// was not loaded, such as the standard ECUC definitions).
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// A position in a source file; line and column are 1-based, the column counts characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    /// The file's name as given to the reader.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// A second position that explains a diagnostic ("first defined here", "target is here").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    /// Where.
    pub location: Location,
    /// What is there.
    pub message: String,
}

/// One problem found in the input, with where it is and what would fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Where the problem is.
    pub location: Location,
    /// The offending element: its SHORT-NAME path, extended by the tags below the nearest
    /// identifiable (`/Pkg/Frame1/FRAME-LENGTH`), or the open tag chain for syntax errors.
    /// Empty when there is no element (e.g. an empty file).
    pub element: String,
    /// What is wrong.
    pub message: String,
    /// Other positions involved.
    pub related: Vec<Related>,
    /// What would fix it.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error at `location`.
    pub fn error(location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            location,
            element: String::new(),
            message: message.into(),
            related: Vec::new(),
            hint: None,
        }
    }

    /// A warning at `location`.
    pub fn warning(location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(location, message)
        }
    }

    /// Sets the element path.
    pub fn with_element(mut self, element: impl Into<String>) -> Self {
        self.element = element.into();
        self
    }

    /// Sets the hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Adds a related position.
    pub fn with_related(mut self, location: Location, message: impl Into<String>) -> Self {
        self.related.push(Related {
            location,
            message: message.into(),
        });
        self
    }

    /// True for [`Severity::Error`].
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.location, self.severity, self.message)?;
        if !self.element.is_empty() {
            write!(f, "\n  element: {}", self.element)?;
        }
        for r in &self.related {
            write!(f, "\n  note: {}: {}", r.location, r.message)?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_has_compiler_shape() {
        let at = Location {
            file: "a.arxml".into(),
            line: 3,
            column: 7,
        };
        let d = Diagnostic::error(at.clone(), "bad thing")
            .with_element("/Pkg/X")
            .with_related(at, "first here")
            .with_hint("do that");
        assert_eq!(
            d.to_string(),
            "a.arxml:3:7: error: bad thing\n  element: /Pkg/X\n  note: a.arxml:3:7: first here\n  hint: do that"
        );
    }
}
