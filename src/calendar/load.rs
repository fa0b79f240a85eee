//! The one piece of the calendar that touches the disk: reading an office's own holiday
//! files. Everything else gets their text handed in.

use std::path::Path;

use super::holidays::HolidaySource;
use crate::config::ConfigError;

/// Reads every `*.toml` file of `dir` (the `holidays` directory beside the configuration
/// file). A missing directory is no error: the built-in files then stand alone. Files that do
/// not end in `.toml` (a README) are skipped; each unreadable one is an error naming it, and
/// the readable ones are still returned so that they are checked too.
pub fn read_holiday_dir(dir: &Path) -> (Vec<HolidaySource>, Vec<ConfigError>) {
    let problem = |file: &Path, message: String| ConfigError {
        file: Some(file.display().to_string()),
        path: String::new(),
        line: None,
        message,
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (Vec::new(), Vec::new()),
        Err(e) => {
            return (
                Vec::new(),
                vec![problem(dir, format!("cannot read the directory: {e}"))],
            );
        }
    };
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for entry in entries {
        let path = match entry {
            Ok(entry) => entry.path(),
            Err(e) => {
                errors.push(problem(dir, format!("cannot list the directory: {e}")));
                continue;
            }
        };
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match std::fs::read_to_string(&path) {
            Ok(text) => sources.push(HolidaySource {
                file_name,
                label: path.display().to_string(),
                text,
            }),
            Err(e) => errors.push(problem(&path, format!("cannot read: {e}"))),
        }
    }
    // Directory order is the file system's; messages and the override are by year.
    sources.sort_by(|a, b| a.file_name.cmp(&b.file_name));
    errors.sort_by(|a, b| a.file.cmp(&b.file));
    (sources, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_toml_files_skips_others_and_names_unreadable_ones() {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path().join("holidays");
        assert_eq!(read_holiday_dir(&dir), (Vec::new(), Vec::new()));

        std::fs::create_dir(&dir).expect("dir");
        std::fs::write(dir.join("2028.toml"), "").expect("write");
        std::fs::write(dir.join("2027.toml"), "# none\n").expect("write");
        std::fs::write(dir.join("README"), "notes").expect("write");
        std::fs::write(dir.join("2029.toml"), [0xff, 0xfe]).expect("write");
        let (sources, errors) = read_holiday_dir(&dir);
        let names: Vec<&str> = sources.iter().map(|s| s.file_name.as_str()).collect();
        assert_eq!(names, ["2027.toml", "2028.toml"]);
        assert_eq!(sources[0].text, "# none\n");
        assert_eq!(errors.len(), 1);
        let shown = errors[0].to_string();
        assert!(
            shown.starts_with(&format!("{}: cannot read", dir.join("2029.toml").display())),
            "{shown}"
        );

        let file = tmp.path().join("not-a-dir");
        std::fs::write(&file, "").expect("write");
        let (sources, errors) = read_holiday_dir(&file);
        assert!(sources.is_empty());
        assert!(errors[0].message.starts_with("cannot read the directory"));
    }
}
