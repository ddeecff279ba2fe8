//! The SSDA903 as CSV files, one per table, each known by its exact header row (not its name).
//! Read as a stream, a row at a time, UTF-8 or Windows-1252.

use crate::report::csv_row;
use crate::text::{cells, csv_reader};
use canopy_domain::returns::ssda903::*;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// Writes every table as `<Table>.csv` in `dir`, with `dd/mm/yyyy` dates.
pub fn write_903(census: &Ssda903Return, dir: &Path) -> io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for table in census.tables() {
        let path = dir.join(format!("{}.csv", table.name));
        let mut out = io::BufWriter::new(std::fs::File::create(&path)?);
        out.write_all(csv_row(table.columns.iter().copied()).as_bytes())?;
        for row in &table.rows {
            out.write_all(csv_row(row.iter().map(String::as_str)).as_bytes())?;
        }
        out.flush()?;
        written.push(path);
    }
    Ok(written)
}

/// Why a file could not be read as a 903 table, and where.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Ssda903ReadError {
    #[error("{file}: the header row is not one of the 903's tables: {header}")]
    UnknownTable { file: String, header: String },
    #[error("{file} line {line}: {message}")]
    Malformed { file: String, line: u64, message: String },
    #[error("{file}: {message}")]
    Io { file: String, message: String },
    #[error("{table} is given twice: in {first} and {second}")]
    TwoFiles { table: String, first: String, second: String },
}

/// One row as read, with where it came from and any value that could not be read.
pub struct ReadRow<T> {
    pub row: T,
    pub line: u64,
    pub unreadable: Vec<Unreadable>,
}

/// What a directory of 903 files held.
#[derive(Default)]
pub struct Read903 {
    pub census: Ssda903Return,
    /// (table, line, what could not be read).
    pub unreadable: Vec<(&'static str, u64, Unreadable)>,
    /// The file each table came from.
    pub files: Vec<(&'static str, PathBuf)>,
}

macro_rules! dispatch {
    ($header:expr, $reader:expr, $file:expr, $out:expr, $($field:ident: $row:ty),+) => {{
        $(
            if $header == <$row>::COLUMNS {
                read_rows::<$row>($reader, $file, |read| {
                    let row = $out.census.$field.len();
                    $out.census.unreadable.extend(read.unreadable.iter().map(|u| UnreadableCell {
                        table: <$row>::TABLE,
                        row,
                        column: u.column,
                        value: u.value.clone(),
                    }));
                    $out.unreadable.extend(read.unreadable.into_iter().map(|u| (<$row>::TABLE, read.line, u)));
                    $out.census.$field.push(read.row);
                })?;
                Some(<$row>::TABLE)
            } else
        )+
        { None }
    }};
}

/// Reads every `*.csv` in `dir`.
pub fn read_903_dir(dir: &Path) -> Result<Read903, Ssda903ReadError> {
    let io_err = |e: io::Error| Ssda903ReadError::Io { file: dir.display().to_string(), message: e.to_string() };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io_err)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("csv")))
        .collect();
    paths.sort();
    let mut out = Read903::default();
    for path in paths {
        let file = path.display().to_string();
        let f = std::fs::File::open(&path)
            .map_err(|e| Ssda903ReadError::Io { file: file.clone(), message: e.to_string() })?;
        if let Some(table) = read_903_file(io::BufReader::new(f), &file, &mut out)? {
            if let Some((_, first)) = out.files.iter().find(|(t, _)| *t == table) {
                return Err(Ssda903ReadError::TwoFiles {
                    table: table.into(),
                    first: first.display().to_string(),
                    second: file,
                });
            }
            out.files.push((table, path));
        }
    }
    Ok(out)
}

/// Reads one table's file, known by its header row, into `out`, and says which table it was
/// (none for an empty file).
pub fn read_903_file(
    input: impl Read,
    file: &str,
    out: &mut Read903,
) -> Result<Option<&'static str>, Ssda903ReadError> {
    let mut reader = csv_reader(input);
    let mut first = csv::ByteRecord::new();
    let malformed =
        |line: u64, e: csv::Error| Ssda903ReadError::Malformed { file: file.into(), line, message: e.to_string() };
    if !reader.read_byte_record(&mut first).map_err(|e| malformed(1, e))? {
        return Ok(None);
    }
    let header = cells(&first);
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let table = dispatch!(header.as_slice(), &mut reader, file, out,
        header: HeaderRow, episodes: EpisodeRow, reviews: ReviewRow, uasc: UascRow, oc2: Oc2Row, oc3: Oc3Row,
        ad1: Ad1Row, placed_adoption: PlacedAdoptionRow, prev_perm: PrevPermRow, missing: MissingRow,
        sw_episodes: SwEpisodeRow, dolo: DoloRow);
    match table {
        Some(t) => Ok(Some(t)),
        None => Err(Ssda903ReadError::UnknownTable { file: file.into(), header: header.join(",") }),
    }
}

/// Hands each of a table's rows to `each` as it is read; blank lines are skipped.
fn read_rows<T: FromCells>(
    reader: &mut csv::Reader<impl Read>,
    file: &str,
    mut each: impl FnMut(ReadRow<T>),
) -> Result<(), Ssda903ReadError> {
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => return Ok(()),
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                return Err(Ssda903ReadError::Malformed { file: file.into(), line, message: e.to_string() });
            }
            Ok(true) => {
                let line = record.position().map(|p| p.line()).unwrap_or(0);
                let cells = cells(&record);
                if cells.iter().all(String::is_empty) {
                    continue;
                }
                let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
                let (row, unreadable) = T::from_cells(&cells);
                each(ReadRow { row, line, unreadable });
            }
        }
    }
}

/// A row type that reads from cells.
pub trait FromCells: Sized {
    fn from_cells(cells: &[&str]) -> (Self, Vec<Unreadable>);
}

macro_rules! from_cells {
    ($($row:ty),+) => {
        $(impl FromCells for $row {
            fn from_cells(cells: &[&str]) -> (Self, Vec<Unreadable>) {
                <$row>::from_cells(cells)
            }
        })+
    };
}

from_cells!(
    HeaderRow,
    EpisodeRow,
    ReviewRow,
    UascRow,
    Oc2Row,
    Oc3Row,
    Ad1Row,
    PlacedAdoptionRow,
    PrevPermRow,
    MissingRow,
    SwEpisodeRow,
    DoloRow
);

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn a_return_reads_back_from_its_files() {
        let census = Ssda903Return {
            header: vec![HeaderRow { child: Some("K1".into()), sex: Some("F".into()), ..Default::default() }],
            episodes: vec![EpisodeRow {
                child: Some("K1".into()),
                decom: NaiveDate::from_ymd_opt(2025, 4, 1),
                pl_post: Some("KT1 1AA".into()),
                ..Default::default()
            }],
            ..Default::default()
        };
        let dir = std::env::temp_dir().join(format!("canopy-903-{}", std::process::id()));
        let written = write_903(&census, &dir).expect("write");
        assert_eq!(written.len(), 12, "every table, empty or not");
        let text = std::fs::read_to_string(dir.join("Episodes.csv")).expect("read");
        assert!(text.starts_with(
            "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\r\n"
        ));
        assert!(text.contains("K1,01/04/2025,"));
        let back = read_903_dir(&dir).expect("read back");
        assert_eq!(back.census, census);
        assert_eq!(back.files.len(), 12);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_file_is_known_by_its_header_and_bad_rows_say_their_line() {
        let mut out = Read903::default();
        let file = b"CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\r\nK1,F,31/02/2015,WBRI,,0,\r\n\r\nZo\xEB,M,01/01/2015,WBRI,,,\r\n";
        read_903_file(&file[..], "h.csv", &mut out).expect("read");
        assert_eq!(out.census.header.len(), 2, "the blank line is skipped");
        assert_eq!(out.census.header[1].child.as_deref(), Some("ZOË"), "Windows-1252, read in upper case");
        assert_eq!(out.unreadable.len(), 1);
        assert_eq!((out.unreadable[0].0, out.unreadable[0].1), ("Header", 2));
        assert_eq!(out.unreadable[0].2.column, "DOB");
        let err = read_903_file(&b"A,B\r\n1,2\r\n"[..], "x.csv", &mut out).expect_err("unknown");
        assert!(matches!(err, Ssda903ReadError::UnknownTable { .. }), "{err}");
        let err = read_903_file(&b"CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\r\n\"K1,F\r\n"[..], "q.csv", &mut out);
        assert!(err.is_ok() || matches!(err, Err(Ssda903ReadError::Malformed { .. })));
    }
}
