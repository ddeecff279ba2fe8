//! The SSDA903 as CSV files, one per table, each known by its exact header row (not its name).
//! Read as a stream, a row at a time, UTF-8 or Windows-1252.

use crate::report::csv_row;
use crate::text::{cells, csv_reader};
use canopy_domain::returns::ssda903::import::latest_date_of;
use canopy_domain::returns::ssda903::rules::{RowNumbers, Table};
use canopy_domain::returns::ssda903::*;
use chrono::NaiveDate;
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

/// What a directory of 903 files held, or the part of it that holds some children's rows.
#[derive(Default)]
pub struct Read903 {
    pub census: Ssda903Return,
    /// Each row's number in its file, for a part that holds only some of a file's rows.
    pub numbers: RowNumbers,
    /// (table, line, what could not be read).
    pub unreadable: Vec<(&'static str, u64, Unreadable)>,
    /// The file each table came from.
    pub files: Vec<(&'static str, PathBuf)>,
}

impl Read903 {
    /// Reads a row of `table` from its cells and keeps it, with its number and line in its file.
    fn keep(&mut self, table: Table, cells: &[&str], number: usize, line: u64) {
        macro_rules! keep_in {
            ($($field:ident: $table:ident: $row:ty),+) => {
                match table {
                    $(Table::$table => {
                        let (row, unreadable) = <$row>::from_cells(cells);
                        self.keep_unreadable(table, self.census.$field.len(), line, unreadable);
                        self.census.$field.push(row);
                    })+
                }
            };
        }
        keep_in!(header: Header: HeaderRow, episodes: Episodes: EpisodeRow, reviews: Reviews: ReviewRow,
            uasc: Uasc: UascRow, oc2: Oc2: Oc2Row, oc3: Oc3: Oc3Row, ad1: Ad1: Ad1Row,
            placed_adoption: PlacedAdoption: PlacedAdoptionRow, prev_perm: PrevPerm: PrevPermRow,
            missing: Missing: MissingRow, sw_episodes: SwEpisodes: SwEpisodeRow, dolo: Dolo: DoloRow);
        self.numbers.push(table, number);
    }

    fn keep_unreadable(&mut self, table: Table, row: usize, line: u64, unreadable: Vec<Unreadable>) {
        let name = table.name();
        for u in unreadable {
            self.census.unreadable.push(UnreadableCell { table: name, row, column: u.column, value: u.value.clone() });
            self.unreadable.push((name, line, u));
        }
    }
}

/// The `*.csv` files in `dir`, in name order.
fn csv_files(dir: &Path) -> Result<Vec<PathBuf>, Ssda903ReadError> {
    let io_err = |e: io::Error| Ssda903ReadError::Io { file: dir.display().to_string(), message: e.to_string() };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io_err)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("csv")))
        .collect();
    paths.sort();
    Ok(paths)
}

fn open(path: &Path) -> Result<io::BufReader<std::fs::File>, Ssda903ReadError> {
    let file = std::fs::File::open(path)
        .map_err(|e| Ssda903ReadError::Io { file: path.display().to_string(), message: e.to_string() })?;
    Ok(io::BufReader::new(file))
}

/// Notes that `table` came from `path`: a table given by two files is an error.
fn came_from(
    files: &mut Vec<(&'static str, PathBuf)>,
    table: &'static str,
    path: PathBuf,
) -> Result<(), Ssda903ReadError> {
    if let Some((_, first)) = files.iter().find(|(t, _)| *t == table) {
        return Err(Ssda903ReadError::TwoFiles {
            table: table.into(),
            first: first.display().to_string(),
            second: path.display().to_string(),
        });
    }
    files.push((table, path));
    Ok(())
}

/// Reads every `*.csv` in `dir` into memory.
pub fn read_903_dir(dir: &Path) -> Result<Read903, Ssda903ReadError> {
    let mut out = Read903::default();
    for path in csv_files(dir)? {
        if let Some(table) = read_903_file(open(&path)?, &path.display().to_string(), &mut out)? {
            came_from(&mut out.files, table, path)?;
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
    let Some((table, mut reader)) = open_table(input, file)? else { return Ok(None) };
    read_rows(&mut reader, file, |cells, number, line| out.keep(table, cells, number, line))?;
    Ok(Some(table.name()))
}

/// A table's reader past its header row, and which table the header says it is (none for an
/// empty file).
fn open_table<R: Read>(input: R, file: &str) -> Result<Option<(Table, csv::Reader<R>)>, Ssda903ReadError> {
    let mut reader = csv_reader(input);
    let mut first = csv::ByteRecord::new();
    let malformed =
        |line: u64, e: csv::Error| Ssda903ReadError::Malformed { file: file.into(), line, message: e.to_string() };
    if !reader.read_byte_record(&mut first).map_err(|e| malformed(1, e))? {
        return Ok(None);
    }
    let header = cells(&first);
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    match Table::of_header(&header) {
        Some(table) => Ok(Some((table, reader))),
        None => Err(Ssda903ReadError::UnknownTable { file: file.into(), header: header.join(",") }),
    }
}

/// Hands each row's cells to `each` as it is read, with the row's number (from 1) and its line;
/// blank lines are skipped.
fn read_rows(
    reader: &mut csv::Reader<impl Read>,
    file: &str,
    mut each: impl FnMut(&[&str], usize, u64),
) -> Result<(), Ssda903ReadError> {
    let mut record = csv::ByteRecord::new();
    let mut number = 0;
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
                number += 1;
                let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
                each(&cells, number, line);
            }
        }
    }
}

/// A directory of 903 files gathered into parts by child: a part holds every row of its
/// children, so each child can be taken whole from one part. Files that together fit in one
/// part are read into memory; larger ones are first spilled, row by row, into a temporary file
/// per part, the part chosen by the child's id, so that no more than one part is held at once.
pub struct Parts903 {
    /// The file each table came from.
    pub files: Vec<(&'static str, PathBuf)>,
    /// How many rows the files hold.
    pub rows: u64,
    parts: Parts,
}

enum Parts {
    Read(Box<Option<Read903>>),
    /// With the latest date in the files' care, noted as they were spilled.
    Spilled {
        dir: tempfile::TempDir,
        count: usize,
        latest: Option<NaiveDate>,
    },
}

/// The most parts a directory is spilled into: each is a file open while spilling.
const MOST_PARTS: u64 = 256;

/// Reads every `*.csv` in `dir` in parts of about `part_bytes` of CSV each.
pub fn read_903_parts(dir: &Path, part_bytes: u64) -> Result<Parts903, Ssda903ReadError> {
    let paths = csv_files(dir)?;
    let size: u64 = paths.iter().filter_map(|p| std::fs::metadata(p).ok()).map(|m| m.len()).sum();
    if size <= part_bytes {
        let mut read = read_903_dir(dir)?;
        let files = std::mem::take(&mut read.files);
        let rows = read.census.tables().iter().map(|t| t.rows.len() as u64).sum();
        return Ok(Parts903 { files, rows, parts: Parts::Read(Box::new(Some(read))) });
    }
    let count = size.div_ceil(part_bytes.max(1)).clamp(2, MOST_PARTS) as usize;
    let spill_err = |e: &dyn std::fmt::Display| Ssda903ReadError::Io {
        file: std::env::temp_dir().display().to_string(),
        message: format!("cannot spill the rows by child: {e}"),
    };
    let spill = tempfile::Builder::new().prefix("canopy-903-").tempdir().map_err(|e| spill_err(&e))?;
    let mut writers = (0..count)
        .map(|i| csv::WriterBuilder::new().flexible(true).from_path(part_path(&spill, i)))
        .collect::<Result<Vec<_>, csv::Error>>()
        .map_err(|e| spill_err(&e))?;
    let (mut files, mut rows, mut latest) = (Vec::new(), 0, None);
    for path in paths {
        let file = path.display().to_string();
        let Some((table, mut reader)) = open_table(open(&path)?, &file)? else { continue };
        let child_at = table.columns().iter().position(|c| *c == "CHILD").unwrap_or(0);
        let mut failed = None;
        read_rows(&mut reader, &file, |cells, number, line| {
            // Ids are read in upper case, so the part is chosen by the id as read.
            let child = cells.get(child_at).map(|c| c.to_uppercase()).unwrap_or_default();
            let place = [(table as u8).to_string(), number.to_string(), line.to_string()];
            let record = place.iter().map(String::as_str).chain(cells.iter().copied());
            if let Err(e) = writers[part_of(&child, count)].write_record(record) {
                failed.get_or_insert(e);
            }
            rows += 1;
            // The row read as the import will read it, for the collection year its dates tell.
            let mut row = Read903::default();
            row.keep(table, cells, number, line);
            latest = latest.max(latest_date_of(&row.census));
        })?;
        if let Some(e) = failed {
            return Err(spill_err(&e));
        }
        came_from(&mut files, table.name(), path)?;
    }
    for mut w in writers {
        w.flush().map_err(|e| spill_err(&e))?;
    }
    Ok(Parts903 { files, rows, parts: Parts::Spilled { dir: spill, count, latest } })
}

fn part_path(dir: &tempfile::TempDir, part: usize) -> PathBuf {
    dir.path().join(format!("part-{part}.csv"))
}

/// The part a child's rows go in (FNV-1a of the id): the same for every table.
fn part_of(child: &str, count: usize) -> usize {
    let hash = child.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    (hash % count as u64) as usize
}

impl Parts903 {
    pub fn count(&self) -> usize {
        match &self.parts {
            Parts::Read(_) => 1,
            Parts::Spilled { count, .. } => *count,
        }
    }

    /// Part `i`, for the caller to keep: a part read into memory is given once.
    pub fn take(&mut self, i: usize) -> Result<Read903, Ssda903ReadError> {
        match &mut self.parts {
            Parts::Read(read) => Ok(if i == 0 { read.take() } else { None }.unwrap_or_default()),
            Parts::Spilled { dir, .. } => {
                let path = part_path(dir, i);
                let file = path.display().to_string();
                let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(open(&path)?);
                let mut out = Read903::default();
                let mut damaged = None;
                read_rows(&mut reader, &file, |cells, _, at| {
                    let place = |i: usize| cells.get(i).and_then(|c| c.parse::<u64>().ok());
                    // The part's own rows, written above: a table, a number and a line first.
                    let table = place(0).and_then(|t| Table::ALL.get(t as usize));
                    match (table, place(1), place(2)) {
                        (Some(table), Some(number), Some(line)) => out.keep(*table, &cells[3..], number as usize, line),
                        _ => _ = damaged.get_or_insert(at),
                    }
                })?;
                match damaged {
                    None => Ok(out),
                    Some(line) => Err(Ssda903ReadError::Malformed {
                        file,
                        line,
                        message: "the spilled part has been changed since it was written".into(),
                    }),
                }
            }
        }
    }

    /// The latest date in the files' care, which tells the collection year.
    pub fn latest_date(&self) -> Option<NaiveDate> {
        match &self.parts {
            Parts::Read(read) => (**read).as_ref().and_then(|r| latest_date_of(&r.census)),
            Parts::Spilled { latest, .. } => *latest,
        }
    }
}

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

    #[test]
    fn files_larger_than_a_part_are_spilled_by_child_and_each_child_comes_back_whole() {
        use canopy_domain::returns::ssda903::rules::care_records_numbered;
        let dir = tempfile::tempdir().expect("dir");
        let mut header = String::from("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\r\n");
        let mut episodes = String::from(
            "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\r\n",
        );
        for n in 0..200 {
            header.push_str(&format!("k{n},1,01/01/2015,WBRI,,,\r\n"));
            episodes.push_str(&format!("K{n},01/04/2025,S,C2,N1,U1,PR1,,,,,,\r\n"));
        }
        // K7's second episode, with an end that is not a date, is the file's 201st row, on line 202.
        episodes.push_str("K7,01/06/2025,P,C2,N1,U1,PR1,31/13/2025,,,,,\r\n");
        std::fs::write(dir.path().join("header.csv"), &header).expect("write");
        std::fs::write(dir.path().join("episodes.csv"), &episodes).expect("write");

        let mut parts = read_903_parts(dir.path(), 2_000).expect("read in parts");
        assert!(parts.count() > 2, "{} parts", parts.count());
        assert_eq!(parts.rows, 401);
        assert_eq!(parts.files.len(), 2);
        assert_eq!(parts.latest_date(), NaiveDate::from_ymd_opt(2025, 6, 1));
        let mut children = std::collections::HashSet::new();
        for i in 0..parts.count() {
            let part = parts.take(i).expect("part");
            for c in care_records_numbered(&part.census, &part.numbers) {
                assert_eq!(
                    (c.header.len(), c.episodes.len() as u64),
                    (1, 1 + u64::from(c.child == "K7")),
                    "{}",
                    c.child
                );
                assert!(children.insert(c.child.to_string()), "{} is in one part only", c.child);
                if c.child == "K7" {
                    assert_eq!((c.header[0].number, c.episodes[1].number), (8, 201), "numbered as in the files");
                    assert_eq!(
                        part.unreadable,
                        vec![("Episodes", 202, Unreadable { column: "DEC", value: "31/13/2025".into() })]
                    );
                }
            }
        }
        assert_eq!(children.len(), 200, "every child, \"k0\" and \"K0\" as one");

        let mut whole = read_903_parts(dir.path(), 1 << 20).expect("read whole");
        assert_eq!(whole.count(), 1);
        let read = whole.take(0).expect("the one part");
        assert_eq!((read.census.header.len(), read.census.episodes.len()), (200, 201));
        assert!(whole.take(0).expect("given once").census.header.is_empty());
    }
}
