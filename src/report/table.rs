//! The one table model every report is written in: a title, typed columns and rows of typed
//! cells, rendered to HTML (the template reads `display`), CSV and XLSX from the same data,
//! so a table is written once and the three cannot disagree.

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Date,
    Count,
    /// A duration in seconds: `m:ss` on the page, seconds in CSV and XLSX.
    Seconds,
    /// A share in percent.
    Percent,
    /// A decimal figure (mean working minutes).
    Decimal,
    /// A figure with a fixed number of decimals (a survey's NRR 3,25, its index 82,45).
    Fixed(u8),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub title: String,
    pub kind: Kind,
}

impl Column {
    pub fn new(title: &str, kind: Kind) -> Self {
        Self {
            title: title.to_string(),
            kind,
        }
    }

    /// The heading in a file, where a duration has no `m:ss` to show its unit.
    fn file_title(&self) -> String {
        match self.kind {
            Kind::Seconds => format!("{} (detik)", self.title),
            Kind::Percent => format!("{} (%)", self.title),
            _ => self.title.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Date(NaiveDate),
    Count(u64),
    /// `None`: nothing to measure (no ticket called, no service finished).
    Seconds(Option<u32>),
    Percent(Option<f64>),
    Decimal(Option<f64>),
    /// The value and its decimals; `None`: nothing to compute (no response).
    Fixed(Option<f64>, u8),
}

impl Cell {
    /// As the page shows it.
    pub fn display(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
            Cell::Count(n) => n.to_string(),
            // m:ss under an hour, h:mm:ss from an hour on.
            Cell::Seconds(Some(s)) if *s >= 3600 => {
                format!("{}:{:02}:{:02}", s / 3600, s % 3600 / 60, s % 60)
            }
            Cell::Seconds(Some(s)) => format!("{}:{:02}", s / 60, s % 60),
            Cell::Percent(Some(p)) => format!("{}%", one_decimal_id(*p)),
            Cell::Decimal(Some(x)) => one_decimal_id(*x),
            Cell::Fixed(Some(x), places) => {
                format!("{x:.*}", usize::from(*places)).replace('.', ",")
            }
            Cell::Seconds(None)
            | Cell::Percent(None)
            | Cell::Decimal(None)
            | Cell::Fixed(None, _) => "—".to_string(),
        }
    }

    /// Numbers are right-aligned on the page.
    pub fn numeric(&self) -> bool {
        !matches!(self, Cell::Text(_) | Cell::Date(_))
    }

    fn file_text(&self) -> String {
        match self {
            // A cell beginning like a formula is read as text by spreadsheet programs.
            Cell::Text(s) if s.starts_with(['=', '+', '-', '@']) => format!("'{s}"),
            Cell::Text(s) => s.clone(),
            Cell::Seconds(Some(s)) => s.to_string(),
            Cell::Percent(Some(x)) | Cell::Decimal(Some(x)) => format!("{x:.1}"),
            Cell::Fixed(Some(x), places) => format!("{x:.*}", usize::from(*places)),
            Cell::Seconds(None)
            | Cell::Percent(None)
            | Cell::Decimal(None)
            | Cell::Fixed(None, _) => String::new(),
            other => other.display(),
        }
    }
}

/// `12,5`: the Indonesian decimal comma.
fn one_decimal_id(x: f64) -> String {
    format!("{x:.1}").replace('.', ",")
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub title: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

/// Tables as one CSV file: each table under its title, a blank line between them.
pub fn to_csv(tables: &[Table]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    for (i, t) in tables.iter().enumerate() {
        if i > 0 {
            w.write_record([""])?;
        }
        if tables.len() > 1 {
            w.write_record([t.title.as_str()])?;
        }
        w.write_record(t.columns.iter().map(Column::file_title))?;
        for row in &t.rows {
            w.write_record(row.iter().map(Cell::file_text))?;
        }
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(title: &str) -> String {
    title
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
        .take(31)
        .collect()
}

/// Tables as one workbook, a sheet each: numbers as numbers, dates as dates.
pub fn to_xlsx(tables: &[Table]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let decimal = Format::new().set_num_format("0.0");
    for t in tables {
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name(&t.title))?;
        for (c, col) in t.columns.iter().enumerate() {
            let c = c as u16;
            sheet.write_string_with_format(0, c, col.file_title(), &bold)?;
            let width = if col.kind == Kind::Text { 28.0 } else { 16.0 };
            sheet.set_column_width(c, width)?;
        }
        for (r, row) in t.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(s) => {
                        sheet.write_string(r, c, s)?;
                    }
                    Cell::Date(d) => {
                        let day = ExcelDateTime::from_ymd(
                            d.year() as u16,
                            d.month() as u8,
                            d.day() as u8,
                        )?;
                        sheet.write_datetime_with_format(r, c, &day, &date)?;
                    }
                    Cell::Count(n) => {
                        sheet.write_number(r, c, *n as f64)?;
                    }
                    Cell::Seconds(Some(s)) => {
                        sheet.write_number(r, c, f64::from(*s))?;
                    }
                    Cell::Percent(Some(x)) | Cell::Decimal(Some(x)) => {
                        sheet.write_number_with_format(r, c, *x, &decimal)?;
                    }
                    Cell::Fixed(Some(x), places) => {
                        let zeros = "0".repeat(usize::from(*places));
                        let fixed = Format::new().set_num_format(format!("0.{zeros}"));
                        sheet.write_number_with_format(r, c, *x, &fixed)?;
                    }
                    Cell::Seconds(None)
                    | Cell::Percent(None)
                    | Cell::Decimal(None)
                    | Cell::Fixed(None, _) => {}
                }
            }
        }
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        Table {
            title: "Per layanan".into(),
            columns: vec![
                Column::new("Layanan", Kind::Text),
                Column::new("Tiket", Kind::Count),
                Column::new("Tunggu", Kind::Seconds),
            ],
            rows: vec![
                vec![
                    Cell::Text("=KTP".into()),
                    Cell::Count(3),
                    Cell::Seconds(Some(125)),
                ],
                vec![
                    Cell::Text("KK, \"baru\"".into()),
                    Cell::Count(0),
                    Cell::Seconds(None),
                ],
            ],
        }
    }

    #[test]
    fn csv_has_units_in_headings_and_quotes_what_needs_it() {
        let csv = String::from_utf8(to_csv(&[sample()]).expect("csv")).expect("utf8");
        assert_eq!(
            csv,
            "Layanan,Tiket,Tunggu (detik)\n'=KTP,3,125\n\"KK, \"\"baru\"\"\",0,\n"
        );
    }

    #[test]
    fn page_shows_minutes_and_seconds() {
        assert_eq!(Cell::Seconds(Some(125)).display(), "2:05");
        assert_eq!(Cell::Seconds(Some(11_765)).display(), "3:16:05");
        assert_eq!(Cell::Percent(Some(83.333)).display(), "83,3%");
        assert_eq!(Cell::Seconds(None).display(), "—");
    }

    #[test]
    fn sheet_names_are_cut_and_cleaned() {
        assert_eq!(sheet_name("a/b"), "a-b");
        assert_eq!(sheet_name(&"x".repeat(40)).len(), 31);
    }
}
