//! `canopy import cin`: a council's CIN census from its old system into Canopy's records. The file
//! is read as a stream; children already in Canopy (by their local id, then their UPN) are matched
//! and left as they are, so a second run changes nothing; each child is checked by the rules a save
//! is checked by, and one that fails is kept in the report with its line and the reason. Children
//! are written in batches, each in one transaction, so a run stopped part-way leaves whole children
//! only, and running it again carries on.

use crate::cli_ctx;
use canopy_domain::adoption::imported_history;
use canopy_domain::cases::care::{CareEntry, CareHistory};
use canopy_domain::cases::{running_clocks, RuleContext};
use canopy_domain::people::validate_child;
use canopy_domain::people::{ChildInput, ValidChild};
use canopy_domain::returns::cin::import::{child_input, journey_events, Rejected, NAME_NOT_KNOWN};
use canopy_domain::returns::cin::CinChild;
use canopy_domain::returns::ssda903::import::{self as ssda903_import, NotImported, UnreadableValues};
use canopy_domain::returns::ssda903::rules::{care_records_numbered, CareRecord};
use canopy_domain::returns::CollectionYear;
use canopy_interop::cin_xml::{read_cin, CinReadError};
use canopy_interop::mapped_csv::{read_mapped, MappedRow, Mapping, MappingError};
use canopy_interop::report::csv_row;
use canopy_interop::ssda903_csv::{read_903_parts, Ssda903ReadError};
use canopy_store::children::{ChildWithHistory, ImportedAdopters, Placement};
use canopy_store::{Store, StoreError};
use chrono::NaiveDate;
use std::collections::HashSet;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// How many children go in one transaction.
const BATCH: usize = 500;

/// What an import did, or would do on a dry run.
#[derive(Debug, Default)]
pub struct ImportSummary {
    pub read: usize,
    pub added: usize,
    /// Children already in Canopy, with how each was matched.
    pub matched: Vec<(String, &'static str)>,
    pub rejected: Vec<Rejected>,
    /// Rows of the file left out, by child, with why.
    pub not_imported: Vec<(String, NotImported)>,
    /// The collection year a 903 was read as the return of.
    pub collection_year: Option<CollectionYear>,
    /// How far through its input the import is.
    pub through: Through,
}

/// How far through its input an import is: bytes of a file read as a stream, or rows of a 903
/// of the children taken so far.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Through {
    pub done: u64,
    pub of: u64,
}

impl Through {
    /// A bar of `width` cells and the percentage, as `[#####-----]  50%`.
    pub fn bar(self, width: u64) -> String {
        let done = self.done.min(self.of);
        // An empty input is all read.
        let filled = (done * width).checked_div(self.of).unwrap_or(width);
        let percent = (done * 100).checked_div(self.of).unwrap_or(100);
        format!("[{}{}] {percent:>3}%", "#".repeat(filled as usize), "-".repeat((width - filled) as usize))
    }
}

/// Shows an import's progress as it goes: how far through its input, and the counts.
pub fn progress(s: &ImportSummary) {
    eprint!(
        "\r{} read {}, to add {}, already in Canopy {}, rejected {}",
        s.through.bar(30),
        s.read,
        s.added,
        s.matched.len(),
        s.rejected.len()
    );
}

/// How many children are read between two showings of the progress.
const PROGRESS_EVERY: usize = 1000;

/// A file read as a stream, counting the bytes taken from it so that the progress can say how
/// far through it the import is.
struct CountedFile {
    file: std::fs::File,
    taken: Arc<AtomicU64>,
}

impl Read for CountedFile {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read(buf)?;
        self.taken.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Opens a file to stream, with the count of bytes taken from it so far and its size.
fn open_counted(path: &Path) -> Result<(std::io::BufReader<CountedFile>, Arc<AtomicU64>, u64), String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let taken = Arc::new(AtomicU64::new(0));
    Ok((std::io::BufReader::new(CountedFile { file, taken: taken.clone() }), taken, size))
}

impl ImportSummary {
    /// Counts one more child read, notes how far through its input the import is, and shows
    /// the progress every `PROGRESS_EVERY` children.
    fn read_one(&mut self, through: Through, progress: &mut impl FnMut(&ImportSummary)) {
        self.read += 1;
        self.through = through;
        if self.read.is_multiple_of(PROGRESS_EVERY) {
            progress(self);
        }
    }

    /// Shows the progress once the whole input is done.
    fn done(&mut self, of: u64, progress: &mut impl FnMut(&ImportSummary)) {
        self.through = Through { done: of, of };
        progress(self);
    }

    /// What the import did, for the terminal.
    pub fn describe(&self, source: &Path, dry_run: bool) -> String {
        let verb = if dry_run { "would add" } else { "added" };
        let by = |how: &str| self.matched.iter().filter(|m| m.1 == how).count();
        let mut out = format!(
            "{}: read {} children; {verb} {}; {} already in Canopy ({} by local id, {} by UPN, {} by NHS number, {} by name and date of birth), left as they are; {} rejected.\n",
            source.display(),
            self.read,
            self.added,
            self.matched.len(),
            by("local id"),
            by("UPN"),
            by("NHS number"),
            by("name and date of birth"),
            self.rejected.len()
        );
        for r in &self.rejected {
            let line = r.line.map(|l| format!("line {l}: ")).unwrap_or_default();
            out.push_str(&format!("  {line}{}: {}\n", r.child.as_deref().unwrap_or("(no child id)"), r.reason));
        }
        if let Some(year) = self.collection_year {
            out.push_str(&format!("Read as the return for the year ending 31 March {}.\n", year.0));
        }
        if !self.not_imported.is_empty() {
            let rows: usize = self.not_imported.iter().map(|(_, n)| n.rows).sum();
            let mut tables: Vec<&str> = self.not_imported.iter().map(|(_, n)| n.table).collect();
            tables.sort();
            tables.dedup();
            let children: HashSet<&str> = self.not_imported.iter().map(|(child, _)| child.as_str()).collect();
            out.push_str(&format!(
                "{rows} rows of {} children were not imported ({}): the report lists them with why.\n",
                children.len(),
                tables.join(", ")
            ));
        }
        if dry_run {
            out.push_str("This was a dry run: nothing was changed.\n");
        }
        out
    }

    /// The rejected children as CSV: line, child, reason.
    pub fn report_csv(&self) -> String {
        let mut out = csv_row(["line", "child", "reason"]);
        for r in &self.rejected {
            let line = r.line.map(|l| l.to_string()).unwrap_or_default();
            out.push_str(&csv_row([line.as_str(), r.child.as_deref().unwrap_or(""), r.reason.as_str()]));
        }
        for (child, n) in &self.not_imported {
            let reason = format!("{} {} row(s) not imported: {}", n.rows, n.table, n.reason);
            out.push_str(&csv_row(["", child.as_str(), reason.as_str()]));
        }
        out
    }
}

/// Imports the census at `path` into the council with `la_code`; with `dry_run` nothing is written.
pub async fn cin(
    store: &Store,
    la_code: &str,
    path: &Path,
    dry_run: bool,
    today: NaiveDate,
    mut progress: impl FnMut(&ImportSummary),
) -> Result<ImportSummary, String> {
    let err = |e: StoreError| e.to_string();
    let council = crate::export::council_by_la_code(store, la_code).await?;
    let calendar = store.council_calendar(&council.id).await.map_err(err)?;
    let rules = store.clock_rules(&council.id).await.map_err(err)?;
    let ctx = RuleContext { calendar: &calendar, rules: &rules };
    let existing = Existing::of(store, &council.id).await?;
    let (input, taken, size) = open_counted(path)?;
    let mut summary = ImportSummary::default();
    let mut seen: HashSet<String> = HashSet::new();
    let mut pending = Pending::new(store, dry_run);
    // The reader hands children over one at a time; they are checked at once and written a
    // batch at a time, so the file is never held whole.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<CinChild>(BATCH);
    let reader_path = path.display().to_string();
    let reading = tokio::task::spawn_blocking(move || {
        read_cin(input, |child| tx.blocking_send(child).map_err(|_| CinReadError::Io("the import stopped".into())))
            .map(|_| ())
            .map_err(|e: CinReadError| format!("{reader_path}: {e}"))
    });
    while let Some(child) = rx.recv().await {
        summary.read_one(Through { done: taken.load(Ordering::Relaxed), of: size }, &mut progress);
        let line = child.line;
        let reject = |reason: String| Rejected { child: child.la_child_id.clone(), line, reason };
        let Some(local_id) = child.la_child_id.clone() else {
            summary.rejected.push(reject("the child has no LAchildID".into()));
            continue;
        };
        if !seen.insert(local_id.clone()) {
            summary.rejected.push(reject(format!("LAchildID {local_id} is in the file twice")));
            continue;
        }
        let input = child_input(&child);
        if let Some(how) = existing.matches(&input) {
            summary.matched.push((local_id, how));
            continue;
        }
        let valid = match validate_child(&input, today) {
            Ok(v) => v,
            Err(errors) => {
                let why: Vec<String> = errors.0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
                summary.rejected.push(reject(why.join("; ")));
                continue;
            }
        };
        let (events, journey) = match journey_events(&child, &ctx) {
            Ok(checked) => checked,
            Err(why) => {
                summary.rejected.push(reject(why));
                continue;
            }
        };
        let created_on = events.iter().map(|e| e.date()).min().unwrap_or(today);
        let mut record = new_child(&council.id, valid, None, created_on);
        record.clocks = running_clocks(&journey, &calendar, &rules);
        record.events = events;
        pending.push(record, &mut summary).await?;
    }
    reading.await.map_err(|e| e.to_string())??;
    pending.finish(&mut summary).await?;
    summary.done(size, &mut progress);
    Ok(summary)
}

/// How much of a 903's CSV is held in memory at once (a part takes about 12 times its size in
/// memory): larger files are spilled by child into parts of about this size.
pub const PART_BYTES: u64 = PART_MB << 20;
pub const PART_MB: u64 = 16;

/// Imports a directory of SSDA903 files, the return of `year` (by default the year its dates
/// end in), into the council with `la_code`; with `dry_run` nothing is written. The tables are
/// joined by child: files larger than `part_bytes` are first spilled by child into parts of
/// about that size, each read whole in turn. Each child's header and care (episodes, reviews,
/// missing periods, UASC, the year's outcomes) are checked by the rules a save is checked by;
/// the rows Canopy keeps no entry for are reported as not imported.
#[allow(clippy::too_many_arguments)]
pub async fn ssda903(
    store: &Store,
    la_code: &str,
    dir: &Path,
    year: Option<CollectionYear>,
    dry_run: bool,
    today: NaiveDate,
    part_bytes: u64,
    mut progress: impl FnMut(&ImportSummary),
) -> Result<ImportSummary, String> {
    let err = |e: StoreError| e.to_string();
    let read_err = |e: Ssda903ReadError| e.to_string();
    let council = crate::export::council_by_la_code(store, la_code).await?;
    let mut parts = read_903_parts(dir, part_bytes).map_err(read_err)?;
    let year = match year {
        Some(year) => year,
        None => parts.latest_date().map(ssda903_import::collection_year_ending_after).ok_or_else(|| {
            format!("{}: the files have no dates to tell the collection year by: give --year", dir.display())
        })?,
    };
    let import = Import903 {
        council_id: &council.id,
        calendar: store.council_calendar(&council.id).await.map_err(err)?,
        existing: Existing::of(store, &council.id).await?,
        // Social workers by their Social Work England number, the 903's SW_ID.
        staff: store
            .staff()
            .await
            .map_err(err)?
            .into_iter()
            .filter_map(|s| Some((s.swe_number?.as_str().to_string(), s.user_id?)))
            .collect(),
        year,
        today,
    };
    let mut summary = ImportSummary { collection_year: Some(year), ..ImportSummary::default() };
    let mut pending = Pending::new(store, dry_run);
    let (of, mut done) = (parts.rows, 0);
    for part in 0..parts.count() {
        let part = parts.take(part).map_err(read_err)?;
        let unreadable = UnreadableValues::of(&part.census);
        for record in care_records_numbered(&part.census, &part.numbers) {
            done += record.rows().len() as u64;
            summary.read_one(Through { done, of }, &mut progress);
            let child = record.child.to_string();
            match import.child(&record, &unreadable) {
                From903::Matched(how) => summary.matched.push((child, how)),
                From903::Rejected(reason) => {
                    let child = (!child.is_empty()).then_some(child);
                    summary.rejected.push(Rejected { child, line: None, reason });
                }
                From903::Add(record, left_out) => {
                    summary.not_imported.extend(left_out.into_iter().map(|l| (child.clone(), l)));
                    pending.push(*record, &mut summary).await?;
                }
            }
        }
    }
    pending.finish(&mut summary).await?;
    summary.done(of, &mut progress);
    Ok(summary)
}

/// What a 903 import checks each child against.
struct Import903<'a> {
    council_id: &'a str,
    calendar: canopy_domain::calendar::WorkingCalendar,
    existing: Existing,
    /// User ids by the Social Work England number, the 903's SW_ID.
    staff: std::collections::HashMap<String, String>,
    year: CollectionYear,
    today: NaiveDate,
}

/// What becomes of a child of a 903.
enum From903 {
    /// Already in Canopy: left as they are.
    Matched(&'static str),
    Rejected(String),
    /// To add, with the rows of theirs left out and why.
    Add(Box<ChildWithHistory>, Vec<NotImported>),
}

impl Import903<'_> {
    fn child(&self, record: &CareRecord, unreadable: &UnreadableValues) -> From903 {
        if record.child.is_empty() {
            return From903::Rejected("rows with no CHILD cannot be put to a child".into());
        }
        match record.header.len() {
            0 => return From903::Rejected("the child has rows but no row in the Header".into()),
            1 => {}
            _ => return From903::Rejected("the child is in the Header more than once".into()),
        }
        let input = ssda903_import::child_input(record);
        if let Some(how) = self.existing.matches(&input) {
            return From903::Matched(how);
        }
        // A value that cannot be read is not taken as blank: a bad end date is no open episode.
        let bad = unreadable.of_child(record);
        if !bad.is_empty() {
            return From903::Rejected(bad.join("; "));
        }
        let valid = match validate_child(&input, self.today) {
            Ok(v) => v,
            Err(errors) => {
                let why: Vec<String> = errors.0.iter().map(|e| format!("Header {}: {}", e.field, e.message)).collect();
                return From903::Rejected(why.join("; "));
            }
        };
        // The adopters an AD1 row names become a record of the adoption service, and the match
        // with them part of the child's care: a child is placed for adoption only once matched.
        let ((mut care, mut history), adopters) = match care_with_adopters(record) {
            Ok(checked) => checked,
            Err(why) => return From903::Rejected(why),
        };
        let mut left_out = Vec::new();
        let adopters = adopters.unwrap_or_else(|not_imported| {
            left_out.push(not_imported);
            None
        });
        left_out.extend(ssda903_import::add_outcomes(record, self.year, &mut care, &mut history));
        let created_on = care.iter().map(|e| e.date()).min().unwrap_or(self.today);
        let home = record.first_episode().and_then(|e| e.home_post.clone());
        let care_clocks = history.projection(&self.calendar, valid.date_of_birth).clocks;
        let (workers, unknown) = ssda903_import::worker_changes(record, &|id| self.staff.get(id).cloned());
        if unknown > 0 {
            let reason = "no start date, or the SW_ID is no member of staff in Canopy (add the staff first)";
            left_out.push(NotImported { table: "SWEpisodes", rows: unknown, reason: reason.into() });
        }
        let mut child = new_child(self.council_id, valid, home, created_on);
        (child.care, child.care_clocks) = (care, care_clocks);
        child.workers = workers.into_iter().map(|w| (w.date, w.worker, w.reason)).collect();
        child.adopters = adopters;
        From903::Add(Box::new(child), left_out)
    }
}

/// A 903 child's care, with the match with the adopters of their AD1 row if it has one, and
/// those adopters; or, when the AD1 row cannot be read or its match breaks a care rule, the care
/// without it and why the row is left out.
type CareAndAdopters = ((Vec<CareEntry>, CareHistory), Result<Option<ImportedAdopters>, NotImported>);

fn care_with_adopters(record: &CareRecord) -> Result<CareAndAdopters, String> {
    let left_out = |reason: String| NotImported { table: "AD1", rows: 1, reason };
    let m = match ssda903_import::ad1_match(record) {
        Ok(Some(m)) => m,
        Ok(None) => return Ok((ssda903_import::care_entries(record, &[])?, Ok(None))),
        Err(why) => return Ok((ssda903_import::care_entries(record, &[])?, Err(left_out(why)))),
    };
    let id = canopy_store::new_id();
    let with_match =
        ssda903_import::care_entries(record, &[ssda903_import::match_entry(record, &id, &m)]).and_then(|care| {
            let placed = ssda903_import::placed_with_match(&care.1);
            imported_history(&id, m.matched, placed).map_err(|e| format!("the adopters' steps: {e}"))?;
            Ok((care, placed))
        });
    match with_match {
        Ok((care, placed)) => {
            Ok((care, Ok(Some(ImportedAdopters { id, adopters: m.adopters, matched: m.matched, placed }))))
        }
        Err(why) => {
            let without = ssda903_import::care_entries(record, &[])
                .map_err(|without| format!("{without} (with the match of the AD1 row: {why})"))?;
            Ok((without, Err(left_out(why))))
        }
    }
}

/// Imports children from any CSV through a mapping (see `canopy import csv-template`) into the
/// council with `la_code`; with `dry_run` nothing is written. The file is read as a stream; each
/// row is checked by the rules the child form is checked by; children already in Canopy are
/// matched by local id, UPN, NHS number, then name and date of birth, and left as they are.
pub async fn mapped(
    store: &Store,
    la_code: &str,
    path: &Path,
    mapping: &Mapping,
    dry_run: bool,
    today: NaiveDate,
    mut progress: impl FnMut(&ImportSummary),
) -> Result<ImportSummary, String> {
    let council = crate::export::council_by_la_code(store, la_code).await?;
    let existing = Existing::of(store, &council.id).await?;
    let (input, taken, size) = open_counted(path)?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<MappedRow>(BATCH);
    let reader_path = path.display().to_string();
    let mapping = mapping.clone();
    let reading = tokio::task::spawn_blocking(move || {
        read_mapped(input, &mapping, |row| {
            tx.blocking_send(row).map_err(|_| MappingError::File { line: 0, message: "the import stopped".into() })
        })
        .map_err(|e| format!("{reader_path}: {e}"))
    });
    let mut summary = ImportSummary::default();
    let mut seen: HashSet<String> = HashSet::new();
    let mut pending = Pending::new(store, dry_run);
    while let Some(row) = rx.recv().await {
        summary.read_one(Through { done: taken.load(Ordering::Relaxed), of: size }, &mut progress);
        let local_id = row.child.local_id.clone();
        let reject = |reason: String| Rejected {
            child: (!local_id.is_empty()).then(|| local_id.clone()),
            line: Some(row.line),
            reason,
        };
        if !row.problems.is_empty() {
            let why: Vec<String> = row.problems.iter().map(|(field, what)| format!("{field}: {what}")).collect();
            summary.rejected.push(reject(why.join("; ")));
            continue;
        }
        if local_id.is_empty() {
            summary.rejected.push(reject("local_id: the child's id in the old system is missing".into()));
            continue;
        }
        if !seen.insert(local_id.clone()) {
            summary.rejected.push(reject(format!("local_id: {local_id} is in the file twice")));
            continue;
        }
        if let Some(how) = existing.matches(&row.child) {
            summary.matched.push((local_id, how));
            continue;
        }
        let valid = match validate_child(&row.child, today) {
            Ok(v) => v,
            Err(errors) => {
                let why: Vec<String> = errors.0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
                summary.rejected.push(reject(why.join("; ")));
                continue;
            }
        };
        pending.push(new_child(&council.id, valid, row.postcode.clone(), today), &mut summary).await?;
    }
    reading.await.map_err(|e| e.to_string())??;
    pending.finish(&mut summary).await?;
    summary.done(size, &mut progress);
    Ok(summary)
}

/// The children already in a council, by what an import can match them on, in order: local id,
/// UPN, NHS number, then name and date of birth.
pub(crate) struct Existing {
    local_ids: HashSet<String>,
    upns: HashSet<String>,
    nhs_numbers: HashSet<String>,
    names_and_births: HashSet<(String, String, NaiveDate)>,
}

fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

impl Existing {
    pub(crate) async fn of(store: &Store, council_id: &str) -> Result<Self, String> {
        let children = store.children_in_council(council_id).await.map_err(|e| e.to_string())?;
        Ok(Existing {
            local_ids: children.iter().filter(|c| !c.local_id.is_empty()).map(|c| c.local_id.clone()).collect(),
            upns: children.iter().filter_map(|c| c.upn.clone()).collect(),
            nhs_numbers: children.iter().filter_map(|c| c.nhs_number.clone()).collect(),
            names_and_births: children
                .iter()
                .filter(|c| c.first_name != NAME_NOT_KNOWN)
                .filter_map(|c| Some((name_key(&c.first_name), name_key(&c.last_name), c.date_of_birth?)))
                .collect(),
        })
    }

    /// How a child in a file matches one already in Canopy, if they do.
    pub(crate) fn matches(&self, c: &ChildInput) -> Option<&'static str> {
        let given = |v: &str| !v.trim().is_empty();
        if given(&c.local_id) && self.local_ids.contains(&c.local_id) {
            return Some("local id");
        }
        if given(&c.upn) && self.upns.contains(&c.upn) {
            return Some("UPN");
        }
        let nhs: String = c.nhs_number.chars().filter(|ch| !ch.is_whitespace()).collect();
        if given(&nhs) && self.nhs_numbers.contains(&nhs) {
            return Some("NHS number");
        }
        let named = c.first_name != NAME_NOT_KNOWN && given(&c.first_name) && given(&c.last_name);
        match c.date_of_birth {
            Some(born) if named => self
                .names_and_births
                .contains(&(name_key(&c.first_name), name_key(&c.last_name), born))
                .then_some("name and date of birth"),
            _ => None,
        }
    }
}

/// A new child's record for a batch: placed in the council, held by no team yet.
fn new_child(council_id: &str, child: ValidChild, postcode: Option<String>, created_on: NaiveDate) -> ChildWithHistory {
    ChildWithHistory {
        child,
        placement: Placement {
            council_id: council_id.into(),
            postcode,
            cluster_id: None,
            team_id: None,
            allocated_to: None,
        },
        created_on,
        events: vec![],
        clocks: vec![],
        care: vec![],
        care_clocks: vec![],
        workers: vec![],
        adopters: None,
    }
}

/// Children waiting to be written, a batch at a time, each batch in one transaction.
struct Pending<'a> {
    store: &'a Store,
    dry_run: bool,
    batch: Vec<ChildWithHistory>,
}

impl<'a> Pending<'a> {
    fn new(store: &'a Store, dry_run: bool) -> Self {
        Pending { store, dry_run, batch: Vec::with_capacity(BATCH) }
    }

    async fn push(&mut self, child: ChildWithHistory, summary: &mut ImportSummary) -> Result<(), String> {
        self.batch.push(child);
        if self.batch.len() >= BATCH {
            summary.added += write(self.store, &mut self.batch, self.dry_run).await.map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    async fn finish(mut self, summary: &mut ImportSummary) -> Result<(), String> {
        summary.added += write(self.store, &mut self.batch, self.dry_run).await.map_err(|e| e.to_string())?;
        Ok(())
    }
}

async fn write(store: &Store, batch: &mut Vec<ChildWithHistory>, dry_run: bool) -> Result<usize, StoreError> {
    let n = batch.len();
    if !dry_run && n > 0 {
        store.add_children_with_history(&cli_ctx(), batch).await?;
    }
    batch.clear();
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use canopy_interop::cin_xml::{read_cin_all, write_cin};
    use canopy_store::testing::{add_council, TestDb, TestEngine};

    #[test]
    fn the_progress_bar_fills_with_the_input_read() {
        assert_eq!(Through { done: 0, of: 200 }.bar(10), "[----------]   0%");
        assert_eq!(Through { done: 50, of: 200 }.bar(10), "[##--------]  25%");
        assert_eq!(Through { done: 200, of: 200 }.bar(10), "[##########] 100%");
        assert_eq!(Through { done: 0, of: 0 }.bar(4), "[####] 100%", "an empty file is all read");
    }

    #[tokio::test]
    async fn a_census_imports_once_and_exports_again_as_it_was() {
        let (demo, today) = crate::demo_children::demo_for_tests(600).await;
        let mut census = crate::export::cin(&demo.store, "314", 2026, "2026-04-02T09:00:00").await.expect("census");
        demo.cleanup().await;
        let good = census.clone();
        // Three children the import must refuse, each for its own reason.
        let mut bad_source = census.children[0].clone();
        bad_source.la_child_id = Some("BAD1".into());
        bad_source.upn = None;
        bad_source.details[0].referral_source = Some("99".into());
        let mut no_id = census.children[1].clone();
        no_id.la_child_id = None;
        let twice = census.children[2].clone();
        census.children.extend([bad_source, no_id, twice]);
        let file = std::env::temp_dir().join(format!("canopy-import-{}.xml", std::process::id()));
        write_cin(&census, std::fs::File::create(&file).expect("create")).expect("write");

        let db = TestDb::new(TestEngine::Sqlite).await.expect("db").expect("sqlite");
        db.store.ensure_reference_data(&crate::cli_ctx()).await.expect("reference data");
        add_council(&db.store, "Kingston upon Thames", "314", "E09000021", "KT1, KT2").await.expect("council");
        let council = crate::export::council_by_la_code(&db.store, "314").await.expect("council");
        let mut shown = Vec::new();
        let dry = cin(&db.store, "314", &file, true, today, |s| shown.push(s.through)).await.expect("dry run");
        assert_eq!((dry.read, dry.added), (good.children.len() + 3, good.children.len()));
        let size = std::fs::metadata(&file).expect("size").len();
        assert_eq!(shown.last(), Some(&Through { done: size, of: size }), "the bar ends full");
        assert!(shown.windows(2).all(|w| w[0].done <= w[1].done), "and never goes back: {shown:?}");
        assert_eq!(
            db.store.count_children_in_council(&council.id).await.expect("count"),
            0,
            "a dry run changes nothing"
        );

        let done = cin(&db.store, "314", &file, false, today, |_| {}).await.expect("import");
        assert_eq!(done.added, good.children.len());
        let audited = db.store.verify_audit_chain().await.expect("audit").expect("the chain holds");
        assert!(audited >= done.added as u64, "each child added is audited, in one chain: {audited}");
        let reasons: Vec<&str> = done.rejected.iter().map(|r| r.reason.as_str()).collect();
        assert_eq!(done.rejected.len(), 3, "{reasons:?}");
        assert!(reasons[0].contains("the referral source '99'"), "{reasons:?}");
        assert!(reasons[1].contains("no LAchildID"));
        assert!(reasons[2].contains("in the file twice"));
        assert!(done.rejected.iter().all(|r| r.line.is_some_and(|l| l > 1)), "each with its line");
        assert!(done.report_csv().starts_with("line,child,reason\r\n"));

        let again = cin(&db.store, "314", &file, false, today, |_| {}).await.expect("again");
        assert_eq!(again.added, 0, "running it again changes nothing");
        assert_eq!(again.matched.len(), good.children.len());

        let back = crate::export::cin(&db.store, "314", 2026, "2026-04-02T09:00:00").await.expect("export");
        let ids = |c: &canopy_domain::returns::cin::CinReturn| {
            let mut ids: Vec<_> = c.children.iter().map(|c| c.la_child_id.clone()).collect();
            ids.sort();
            ids
        };
        assert_eq!(ids(&back), ids(&good));
        let mut out = Vec::new();
        write_cin(&back, &mut out).expect("write");
        let reread = read_cin_all(out.as_slice()).expect("read");
        for child in &good.children {
            let mut found =
                reread.children.iter().find(|c| c.la_child_id == child.la_child_id).cloned().expect("child");
            found.line = None;
            assert_eq!(&found, child, "the round trip gives the child back as they were");
        }
        let _ = std::fs::remove_file(file);
        db.cleanup().await;
    }

    #[tokio::test]
    async fn an_ssda903_imports_once_and_exports_again_as_it_was() {
        let (demo, today) = crate::demo_children::demo_for_tests(600).await;
        crate::demo_care::ensure(&demo.store, today).await.expect("care");
        let mut good = crate::export::ssda903(&demo.store, "314", 2026).await.expect("903");
        demo.cleanup().await;
        assert!(good.header.len() > 3, "{} children", good.header.len());
        // A decision to place for adoption, for a child in care, as another council's return has.
        let in_care = good
            .episodes
            .iter()
            .find(|e| e.dec.is_none() && e.decom.is_some_and(|d| d < NaiveDate::from_ymd_opt(2026, 1, 1).expect("d")))
            .cloned()
            .expect("a child in care");
        let born = good.header.iter().find(|h| h.child == in_care.child).and_then(|h| h.dob);
        good.placed_adoption.push(canopy_domain::returns::ssda903::PlacedAdoptionRow {
            child: in_care.child.clone(),
            dob: born,
            date_placed: in_care.decom.map(|d| d + chrono::Days::new(10)),
            ..Default::default()
        });
        let mut census = good.clone();
        // Two children the import must refuse, each for its own reason.
        let mut bad_place = census.episodes[0].clone();
        bad_place.child = Some("BAD1".into());
        bad_place.place = Some("Q9".into());
        census.header.push(canopy_domain::returns::ssda903::HeaderRow {
            child: Some("BAD1".into()),
            upn: Some("UN1".into()),
            ..census.header[0].clone()
        });
        census.episodes.push(bad_place);
        census.reviews.push(canopy_domain::returns::ssda903::ReviewRow {
            child: Some("NOHEAD".into()),
            ..census.reviews[0].clone()
        });
        let dir = std::env::temp_dir().join(format!("canopy-import-903-{}", std::process::id()));
        canopy_interop::ssda903_csv::write_903(&census, &dir).expect("write");
        // A third, whose episode's end is no date: taken as blank, it would be an open episode.
        let append = |table: &str, mut cells: Vec<String>, at: usize, value: &str| {
            use std::io::Write;
            (cells[0], cells[at]) = ("BADDATE".into(), value.into());
            let mut file = std::fs::OpenOptions::new().append(true).open(dir.join(table)).expect("open");
            file.write_all(csv_row(cells.iter().map(String::as_str)).as_bytes()).expect("append");
        };
        append("Header.csv", census.header[0].cells(), 4, "UN2");
        append("Episodes.csv", census.episodes[0].cells(), 7, "31/13/2025");
        let bad_date_row = format!("Episodes row {}: DEC '31/13/2025' cannot be read", census.episodes.len() + 1);
        let in_care =
            |h: &&canopy_domain::returns::ssda903::HeaderRow| good.episodes.iter().any(|e| e.child == h.child);
        assert!(good.header.iter().filter(in_care).count() < good.header.len(), "care leavers known only by OC3");

        let db = TestDb::new(TestEngine::Sqlite).await.expect("db").expect("sqlite");
        db.store.ensure_reference_data(&crate::cli_ctx()).await.expect("reference data");
        add_council(&db.store, "Kingston upon Thames", "314", "E09000021", "KT1, KT2").await.expect("council");
        let council = crate::export::council_by_la_code(&db.store, "314").await.expect("council");
        // The dry run reads the files in parts, spilled by child, as files larger than memory are.
        let dry = ssda903(&db.store, "314", &dir, None, true, today, 4096, |_| {}).await.expect("dry run");
        assert_eq!(dry.added, good.header.len(), "{:?}", dry.rejected);
        assert_eq!(
            db.store.count_children_in_council(&council.id).await.expect("count"),
            0,
            "a dry run changes nothing"
        );

        let done = ssda903(&db.store, "314", &dir, None, false, today, PART_BYTES, |_| {}).await.expect("import");
        assert_eq!(done.added, good.header.len(), "{:?}", done.rejected);
        let reasons: Vec<String> = done.rejected.iter().map(|r| format!("{:?}: {}", r.child, r.reason)).collect();
        assert_eq!(done.rejected.len(), 3, "{reasons:?}");
        assert!(reasons.iter().any(|r| r.contains("BADDATE") && r.ends_with(&bad_date_row)), "{reasons:?}");
        let sorted = |summary: &ImportSummary| {
            let mut said: Vec<String> =
                summary.rejected.iter().map(|r| format!("{:?}: {}", r.child, r.reason)).collect();
            said.extend(summary.not_imported.iter().map(|(c, n)| format!("{c}: {} {} {}", n.table, n.rows, n.reason)));
            said.sort();
            said
        };
        assert_eq!(sorted(&dry), sorted(&done), "read in parts or whole, the same is said of every child");
        assert!(
            reasons.iter().any(|r| r.contains("BAD1") && r.contains("'Q9'") && r.contains("Episodes row")),
            "{reasons:?}"
        );
        assert!(reasons.iter().any(|r| r.contains("NOHEAD") && r.contains("no row in the Header")), "{reasons:?}");
        assert_eq!(done.collection_year, Some(CollectionYear(2026)), "the year the files' dates end in");
        let left_out = |table: &str| done.not_imported.iter().filter(|(_, n)| n.table == table).count();
        assert!(
            left_out("SWEpisodes") > 0,
            "the social workers are not staff in this database: {:?}",
            done.not_imported
        );
        assert_eq!(left_out("OC2"), 0, "{:?}", done.not_imported);
        assert_eq!(left_out("PrevPerm"), 0, "Z1 says no more than Canopy's own return does");
        assert_eq!(left_out("AD1"), 0, "{:?}", done.not_imported);
        assert_eq!(left_out("OC3"), 0, "care leavers the file gives no care for too: {:?}", done.not_imported);
        assert!(done.report_csv().contains("SWEpisodes row(s) not imported: no start date, or the SW_ID"));

        let again = ssda903(&db.store, "314", &dir, None, false, today, PART_BYTES, |_| {}).await.expect("again");
        assert_eq!(again.added, 0, "running it again changes nothing");
        assert_eq!(again.matched.len(), good.header.len());

        // The tables Canopy keeps as care come back as they were, care leavers with no episode
        // in the year too: their care ended before Canopy's record of it began.
        let back = crate::export::ssda903(&db.store, "314", 2026).await.expect("export");
        assert_eq!(back.header, good.header);
        for (ours, theirs) in back.episodes.iter().zip(&good.episodes) {
            assert_eq!(ours, theirs);
        }
        assert_eq!(back.episodes.len(), good.episodes.len());
        assert_eq!(back.reviews, good.reviews);
        assert_eq!(back.missing, good.missing);
        assert_eq!(back.uasc, good.uasc);
        assert_eq!(back.placed_adoption, good.placed_adoption);
        assert!(!good.oc2.is_empty(), "the demo has children looked after all year");
        assert_eq!(back.oc2, good.oc2, "the year's outcomes come back as they were");
        assert_eq!(back.oc3, good.oc3, "the care leavers' contacts come back as they were");
        assert_eq!(back.prev_perm, good.prev_perm);
        assert_eq!(back.ad1, good.ad1);
        let _ = std::fs::remove_dir_all(dir);
        db.cleanup().await;
    }

    #[tokio::test]
    async fn an_adopted_childs_match_and_adopters_come_in_from_the_ad1_row_and_go_back_out() {
        use canopy_domain::returns::ssda903::{Ad1Row, EpisodeRow, HeaderRow, PlacedAdoptionRow, Ssda903Return};
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day);
        let s = |t: &str| Some(t.to_string());
        let child = s("KADOPT");
        let episode = |decom, rne: &str, ls: &str, place: &str, dec, rec: &str| EpisodeRow {
            child: child.clone(),
            decom,
            rne: s(rne),
            ls: s(ls),
            cin: s("N1"),
            place: s(place),
            place_provider: s("PR1"),
            dec,
            rec: (!rec.is_empty()).then(|| rec.to_string()),
            home_post: s("KT1 1AA"),
            pl_post: s("KT2 5AA"),
            ..Default::default()
        };
        let ad1 = |date_match| Ad1Row {
            child: child.clone(),
            dob: d(2022, 1, 10),
            date_int: d(2025, 4, 1),
            date_match,
            foster_care: s("0"),
            nb_adoptr: s("2"),
            sex_adoptr: s("MF"),
            ls_adoptr: s("L2"),
        };
        let census = |ad1: Ad1Row| Ssda903Return {
            header: vec![HeaderRow {
                child: child.clone(),
                sex: s("M"),
                dob: d(2022, 1, 10),
                ethnic: s("WBRI"),
                upn: s("UN2"),
                ..Default::default()
            }],
            episodes: vec![
                episode(d(2024, 5, 1), "S", "C2", "U1", d(2025, 5, 1), "X1"),
                episode(d(2025, 5, 1), "L", "E1", "U1", d(2025, 6, 1), "X1"),
                episode(d(2025, 6, 1), "P", "E1", "A6", d(2025, 12, 1), "E11"),
            ],
            placed_adoption: vec![PlacedAdoptionRow {
                child: child.clone(),
                dob: d(2022, 1, 10),
                date_placed: d(2025, 4, 1),
                ..Default::default()
            }],
            ad1: vec![ad1],
            ..Default::default()
        };
        let today = NaiveDate::from_ymd_opt(2026, 6, 1).expect("d");
        let db = TestDb::new(TestEngine::Sqlite).await.expect("db").expect("sqlite");
        db.store.ensure_reference_data(&crate::cli_ctx()).await.expect("reference data");
        add_council(&db.store, "Kingston upon Thames", "314", "E09000021", "KT1, KT2").await.expect("council");
        let dir = std::env::temp_dir().join(format!("canopy-import-ad1-{}", std::process::id()));

        // A match after the child was placed breaks the care rules: the AD1 row is left out
        // with why, and the placement stands without its match, as for a child not yet adopted.
        canopy_interop::ssda903_csv::write_903(&census(ad1(d(2025, 7, 1))), &dir).expect("write");
        let late = ssda903(&db.store, "314", &dir, None, true, today, PART_BYTES, |_| {}).await.expect("dry run");
        assert_eq!((late.added, late.rejected.len()), (1, 0), "{:?}", late.rejected);
        let ad1_left_out: Vec<_> = late.not_imported.iter().filter(|(_, n)| n.table == "AD1").collect();
        assert_eq!(ad1_left_out.len(), 1, "{:?}", late.not_imported);
        assert!(
            ad1_left_out[0].1.reason.contains("record the match with the adopters before placing"),
            "{ad1_left_out:?}"
        );

        let good = census(ad1(d(2025, 5, 15)));
        canopy_interop::ssda903_csv::write_903(&good, &dir).expect("write");
        let done = ssda903(&db.store, "314", &dir, None, false, today, PART_BYTES, |_| {}).await.expect("import");
        assert_eq!((done.added, done.rejected.len()), (1, 0), "{:?}", done.rejected);
        assert!(done.not_imported.iter().all(|(_, n)| n.table != "AD1"), "{:?}", done.not_imported);
        let adopters = db.store.adopters().await.expect("adopters");
        assert_eq!(adopters.len(), 1, "one household of the adoption service");
        assert_eq!(
            (adopters[0].name.as_str(), adopters[0].sexes.as_str(), adopters[0].legal_status.as_str()),
            (NAME_NOT_KNOWN, "MF", "L2")
        );
        assert_eq!(adopters[0].stage, canopy_domain::adoption::AdopterStage::Placed);
        let back = crate::export::ssda903(&db.store, "314", 2026).await.expect("export");
        assert_eq!(back.ad1, good.ad1, "the AD1 row comes back as it was");
        assert_eq!(back.placed_adoption.len(), 1);

        // Placed for adoption before the year: the file's first episode carries on care, and the
        // decision and the match, made before it, come in with their own days.
        let mut carried = census(Ad1Row { date_int: d(2024, 6, 1), date_match: d(2024, 12, 1), ..ad1(None) });
        carried.episodes = vec![episode(d(2025, 2, 1), "P", "E1", "A6", d(2025, 10, 1), "E11")];
        carried.placed_adoption[0].date_placed = d(2024, 6, 1);
        carried.header[0].upn = s("UN3");
        let renamed = s("KCARRIED");
        carried.header[0].child.clone_from(&renamed);
        carried.episodes[0].child.clone_from(&renamed);
        carried.placed_adoption[0].child.clone_from(&renamed);
        carried.ad1[0].child.clone_from(&renamed);
        let _ = std::fs::remove_dir_all(&dir);
        canopy_interop::ssda903_csv::write_903(&carried, &dir).expect("write");
        let done = ssda903(&db.store, "314", &dir, None, false, today, PART_BYTES, |_| {}).await.expect("import");
        assert_eq!((done.added, done.rejected.len()), (1, 0), "{:?}", done.rejected);
        let back = crate::export::ssda903(&db.store, "314", 2026).await.expect("export");
        assert!(back.ad1.contains(&carried.ad1[0]), "{:?}", back.ad1);
        assert!(back.placed_adoption.contains(&carried.placed_adoption[0]), "{:?}", back.placed_adoption);
        // Canopy's record of their care begins with that episode, which keeps why it began.
        assert_eq!(back.episodes.iter().filter(|e| e.child == renamed).collect::<Vec<_>>(), vec![&carried.episodes[0]]);

        // Placed for adoption and not yet adopted: no AD1 row, so the return says nothing of the
        // match. The placement stands without it, and the return comes back as it was.
        let mut waiting = census(ad1(None));
        waiting.ad1.clear();
        waiting.episodes.last_mut().expect("placed").dec = None;
        waiting.episodes.last_mut().expect("placed").rec = None;
        let renamed = s("KWAITING");
        waiting.header[0].upn = s("UN4");
        waiting.header[0].child.clone_from(&renamed);
        waiting.placed_adoption[0].child.clone_from(&renamed);
        waiting.episodes.iter_mut().for_each(|e| e.child.clone_from(&renamed));
        let _ = std::fs::remove_dir_all(&dir);
        canopy_interop::ssda903_csv::write_903(&waiting, &dir).expect("write");
        let done = ssda903(&db.store, "314", &dir, None, false, today, PART_BYTES, |_| {}).await.expect("import");
        assert_eq!((done.added, done.rejected.len()), (1, 0), "{:?}", done.rejected);
        let back = crate::export::ssda903(&db.store, "314", 2026).await.expect("export");
        let theirs = |e: &&EpisodeRow| e.child == renamed;
        assert_eq!(
            back.episodes.iter().filter(theirs).collect::<Vec<_>>(),
            waiting.episodes.iter().collect::<Vec<_>>()
        );
        assert!(back.placed_adoption.contains(&waiting.placed_adoption[0]), "{:?}", back.placed_adoption);
        assert!(back.ad1.iter().all(|a| a.child != renamed), "not adopted: no AD1 row");
        let _ = std::fs::remove_dir_all(dir);
        db.cleanup().await;
    }

    #[tokio::test]
    async fn a_mapped_csv_imports_and_matches_children_already_known() {
        let db = TestDb::new(TestEngine::Sqlite).await.expect("db").expect("sqlite");
        db.store.ensure_reference_data(&crate::cli_ctx()).await.expect("reference data");
        add_council(&db.store, "Kingston upon Thames", "314", "E09000021", "KT1, KT2").await.expect("council");
        let council = crate::export::council_by_la_code(&db.store, "314").await.expect("council");
        let today = NaiveDate::from_ymd_opt(2026, 12, 2).expect("date");
        let mapping = Mapping::parse(
            "field,column,values\nlocal_id,ID,\nfirst_name,Forename,\nlast_name,Surname,\ndate_of_birth,Born,\n\
             sex,Gender,Male=M;Female=F\nethnicity,Ethnicity,\nnhs_number,NHS,\npostcode,Postcode,\n",
        )
        .expect("mapping");
        let dir = std::env::temp_dir().join(format!("canopy-import-csv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let first = dir.join("first.csv");
        std::fs::write(
            &first,
            "ID,Surname,Forename,Gender,Born,Ethnicity,NHS,Postcode\r\n\
             P1,Okafor,Maya,Female,01/06/2015,BAFR,9434765919,KT1 1AA\r\n\
             P2,Smith,Sam,Male,31/01/2012,WBRI,,\r\n",
        )
        .expect("write");
        let dry = mapped(&db.store, "314", &first, &mapping, true, today, |_| {}).await.expect("dry run");
        assert_eq!(dry.added, 2);
        assert_eq!(
            db.store.count_children_in_council(&council.id).await.expect("count"),
            0,
            "a dry run changes nothing"
        );
        let done = mapped(&db.store, "314", &first, &mapping, false, today, |_| {}).await.expect("import");
        assert_eq!((done.added, done.rejected.len()), (2, 0), "{:?}", done.rejected);
        assert_eq!(mapped(&db.store, "314", &first, &mapping, false, today, |_| {}).await.expect("again").added, 0);

        // The same children from another system, under other ids, and two rows that are wrong.
        let second = dir.join("second.csv");
        std::fs::write(
            &second,
            "ID,Surname,Forename,Gender,Born,Ethnicity,NHS,Postcode\r\n\
             Q1,Okafor-Jones,Maya,Female,01/06/2015,BAFR,9434765919,\r\n\
             Q2,smith,SAM,Male,31/01/2012,WBRI,,\r\n\
             Q3,Brown,Alex,Male,2015-06-01,WBRI,,\r\n\
             Q4,Green,Jo,Other,01/01/2016,WBRI,,\r\n",
        )
        .expect("write");
        let done = mapped(&db.store, "314", &second, &mapping, false, today, |_| {}).await.expect("import");
        assert_eq!(done.matched, vec![("Q1".to_string(), "NHS number"), ("Q2".to_string(), "name and date of birth")]);
        assert_eq!(done.added, 0);
        let lines: Vec<(Option<u64>, &str)> = done.rejected.iter().map(|r| (r.line, r.reason.as_str())).collect();
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(lines[0].0, Some(4));
        assert!(lines[0].1.starts_with("date_of_birth: '2015-06-01' is not a date"), "{lines:?}");
        assert_eq!(lines[1].0, Some(5));
        assert!(lines[1].1.contains("sex"), "{lines:?}");
        assert!(done.describe(&second, false).contains("1 by NHS number, 1 by name and date of birth"));
        let _ = std::fs::remove_dir_all(dir);
        db.cleanup().await;
    }
}
