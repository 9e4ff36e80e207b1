//! Reading migration files: UTF-8 only (a leading byte-order mark is accepted), with a
//! clear error naming the file, line and column of the first byte that is not UTF-8; of a
//! file with up and down sections (goose, sql-migrate, dbmate), what migrating up runs.

use std::fs;
use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::model::Location;

/// Reads the migration at `path` (shown to users as `display`) as text.
///
/// ```
/// # let dir = tempfile::tempdir().unwrap();
/// # let path = dir.path().join("0001_init.sql");
/// std::fs::write(&path, b"\xEF\xBB\xBFCREATE TABLE t (id int);\r\n").unwrap();
/// let text = schema_check::source::read_migration(&path, "migrations/0001_init.sql").unwrap();
/// assert_eq!(text, "CREATE TABLE t (id int);\r\n");
///
/// std::fs::write(&path, b"-- caf\xE9\nSELECT 1;").unwrap();
/// let err = schema_check::source::read_migration(&path, "migrations/0001_init.sql").unwrap_err();
/// assert_eq!(err.location.unwrap().to_string(), "migrations/0001_init.sql:1:7");
/// ```
pub fn read_migration(path: &Path, display: &str) -> Result<String, Diagnostic> {
    let bytes = fs::read(path).map_err(|e| {
        Diagnostic::new(format!("cannot read migration `{display}`: {e}"))
            .with_help("check that the file exists and is readable")
    })?;
    decode(bytes, display).map(up_sections)
}

/// The part of a migration its tool runs when migrating up: in a file divided into
/// sections by goose (`-- +goose Up` / `-- +goose Down`, any case), sql-migrate
/// (`-- +migrate Up` / `-- +migrate Down`) or dbmate (`-- migrate:up` / `-- migrate:down`)
/// markers, each down section's lines are emptied (kept as empty lines, so positions in
/// the file still hold); any other file is returned as it is.
///
/// ```
/// let text = "-- +goose Up\nCREATE TABLE t (id int);\n-- +goose Down\nDROP TABLE t;\n";
/// assert_eq!(
///     schema_check::source::up_sections(text.to_string()),
///     "-- +goose Up\nCREATE TABLE t (id int);\n\n\n"
/// );
/// ```
pub fn up_sections(text: String) -> String {
    if !text.lines().any(|l| section_marker(l) == Some(false)) {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut up = true;
    for line in text.split_inclusive('\n') {
        up = section_marker(line).unwrap_or(up);
        if up {
            out.push_str(line);
        } else if line.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// Whether `line` starts an up section (`Some(true)`) or a down one (`Some(false)`):
/// `-- +goose up`, `-- +migrate Down`, `-- migrate:up transaction:false`, ...
fn section_marker(line: &str) -> Option<bool> {
    let rest = line.strip_prefix("--")?.trim().to_ascii_lowercase();
    let command = match rest.strip_prefix("migrate:") {
        Some(c) => c,
        None => rest
            .strip_prefix("+goose")
            .or_else(|| rest.strip_prefix("+migrate"))?
            .trim_start(),
    };
    match command.split_whitespace().next() {
        Some("up") => Some(true),
        Some("down") => Some(false),
        _ => None,
    }
}

/// Decodes a migration's bytes as UTF-8, dropping a leading byte-order mark.
pub fn decode(mut bytes: Vec<u8>, display: &str) -> Result<String, Diagnostic> {
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    let bom = if bytes.starts_with(BOM) { BOM.len() } else { 0 };
    bytes.drain(..bom);
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let offset = e.utf8_error().valid_up_to();
        not_utf8(bytes, offset, bom, display)
    })
}

/// The error for a file whose first invalid UTF-8 byte is at `offset` (after a byte-order
/// mark of `bom` bytes).
fn not_utf8(bytes: &[u8], offset: usize, bom: usize, display: &str) -> Diagnostic {
    // Everything before `offset` is valid UTF-8.
    let valid = std::str::from_utf8(&bytes[..offset]).unwrap_or_default();
    let line_start = valid.rfind('\n').map_or(0, |i| i + 1);
    let line = valid.matches('\n').count() + 1;
    let column = valid[line_start..].chars().count() + 1;
    let line_end = bytes[line_start..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| line_start + i);
    let source_line = String::from_utf8_lossy(&bytes[line_start..line_end])
        .trim_end_matches('\r')
        .to_string();
    Diagnostic::new(format!(
        "`{display}` is not valid UTF-8: byte 0x{:02X} at byte offset {} cannot be decoded",
        bytes[offset],
        offset + bom
    ))
    .at(Location {
        file: display.into(),
        line: u32::try_from(line).unwrap_or(u32::MAX),
        column: u32::try_from(column).unwrap_or(u32::MAX),
    })
    .with_source_line(source_line)
    .with_help(
        "re-save the file as UTF-8 (for example `iconv -f latin1 -t utf-8`); migrations are \
         read as UTF-8, as PostgreSQL, MySQL and SQLite clients do by default",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_byte_position_counts_lines_and_chars() {
        let err = decode(b"SELECT 1;\r\n-- \xC3\xA9t\xE9\nx".to_vec(), "m/1_a.sql").unwrap_err();
        let loc = err.location.clone().unwrap();
        assert_eq!((loc.line, loc.column), (2, 6));
        assert!(err.message.contains("0xE9"), "{}", err.message);
        assert!(err.message.contains("byte offset 17"), "{}", err.message);
        assert_eq!(err.source_line.as_deref(), Some("-- ét\u{FFFD}"));
        assert!(err.help.unwrap().contains("re-save the file as UTF-8"));
    }

    #[test]
    fn bom_is_dropped_and_crlf_kept() {
        assert_eq!(
            decode(b"\xEF\xBB\xBFa\r\nb".to_vec(), "f").unwrap(),
            "a\r\nb"
        );
        assert_eq!(decode(b"plain".to_vec(), "f").unwrap(), "plain");
    }

    #[test]
    fn missing_file_is_an_io_error() {
        let err =
            read_migration(Path::new("/nonexistent/dir/0001_x.sql"), "d/0001_x.sql").unwrap_err();
        assert!(
            err.message
                .starts_with("cannot read migration `d/0001_x.sql`")
        );
    }
}
