//! Configuration errors: each names the field path (and the line where the parser knows it),
//! so a technician can find the mistake without reading Rust.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file, when it is not the configuration file itself (a holiday file).
    pub file: Option<String>,
    /// Dotted path of the offending field, e.g. `services[1].prefix`.
    pub path: String,
    /// 1-based line in the TOML source, where known.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}: ")?;
            // A whole file's problem (unreadable, badly named) has no field to name.
            if self.path.is_empty() && self.line.is_none() {
                return write!(f, "{}", self.message);
            }
        }
        let path = if self.path.is_empty() {
            "(root)"
        } else {
            &self.path
        };
        match self.line {
            Some(line) => write!(f, "{path} (line {line}): {}", self.message),
            None => write!(f, "{path}: {}", self.message),
        }
    }
}

/// Every problem found in one configuration source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

/// Collects validation errors with a running field path.
#[derive(Default)]
pub(super) struct Collector {
    pub errors: Vec<ConfigError>,
}

impl Collector {
    pub fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.errors.push(ConfigError {
            file: None,
            path: path.into(),
            line: None,
            message: message.into(),
        });
    }

    /// Errors found elsewhere (a holiday file), with their own file and line.
    pub fn extend(&mut self, errors: impl IntoIterator<Item = ConfigError>) {
        self.errors.extend(errors);
    }
}

/// 1-based line number of a byte offset in `src`.
pub(crate) fn line_of(src: &str, offset: usize) -> usize {
    let end = offset.min(src.len());
    src.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}
