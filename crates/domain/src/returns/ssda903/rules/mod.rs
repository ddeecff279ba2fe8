//! The DfE's SSDA903 validation rules, chosen by collection year. Each rule has the DfE's code and
//! message. A return is first gathered into one record per child, its rows from every table
//! together and its episodes in date order, so that every rule looks at one child: a child can be
//! re-checked alone when their record changes, and a whole return is shared among the cores.
//!
//! Some rules need what the council sent the year before, Ofsted's lists of providers, or the
//! postcode directory (for the placement's local authority and distance). They run only when
//! that input is given, as the DfE's own tool runs them.

mod adoption;
mod dolo;
mod episodes;
mod header;
mod integrity;
mod leavers;
mod outcomes;
mod placements;
mod social_workers;
#[cfg(test)]
mod tests;

use super::tables::*;
use super::Ssda903Return;
use crate::on_cores::map_on_cores;
use crate::returns::compare::{eq, ge, gt, is, le, lt};
use crate::returns::{CollectionYear, Finding, Severity};
use chrono::{Datelike, Months, NaiveDate};
use std::collections::{HashMap, HashSet};
use std::fmt;

/// The 903's tables, as a rule's findings name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    Header,
    Episodes,
    Reviews,
    Uasc,
    Oc2,
    Oc3,
    Ad1,
    PlacedAdoption,
    PrevPerm,
    Missing,
    SwEpisodes,
    Dolo,
}

impl Table {
    pub fn name(self) -> &'static str {
        match self {
            Table::Header => HeaderRow::TABLE,
            Table::Episodes => EpisodeRow::TABLE,
            Table::Reviews => ReviewRow::TABLE,
            Table::Uasc => UascRow::TABLE,
            Table::Oc2 => Oc2Row::TABLE,
            Table::Oc3 => Oc3Row::TABLE,
            Table::Ad1 => Ad1Row::TABLE,
            Table::PlacedAdoption => PlacedAdoptionRow::TABLE,
            Table::PrevPerm => PrevPermRow::TABLE,
            Table::Missing => MissingRow::TABLE,
            Table::SwEpisodes => SwEpisodeRow::TABLE,
            Table::Dolo => DoloRow::TABLE,
        }
    }

    pub fn named(name: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.name() == name)
    }

    pub const ALL: [Table; 12] = {
        use Table::*;
        [Header, Episodes, Reviews, Uasc, Oc2, Oc3, Ad1, PlacedAdoption, PrevPerm, Missing, SwEpisodes, Dolo]
    };

    /// The table's exact header row.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Table::Header => HeaderRow::COLUMNS,
            Table::Episodes => EpisodeRow::COLUMNS,
            Table::Reviews => ReviewRow::COLUMNS,
            Table::Uasc => UascRow::COLUMNS,
            Table::Oc2 => Oc2Row::COLUMNS,
            Table::Oc3 => Oc3Row::COLUMNS,
            Table::Ad1 => Ad1Row::COLUMNS,
            Table::PlacedAdoption => PlacedAdoptionRow::COLUMNS,
            Table::PrevPerm => PrevPermRow::COLUMNS,
            Table::Missing => MissingRow::COLUMNS,
            Table::SwEpisodes => SwEpisodeRow::COLUMNS,
            Table::Dolo => DoloRow::COLUMNS,
        }
    }

    /// The table whose header row this is: a file is known by its header, not its name.
    pub fn of_header(header: &[&str]) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.columns() == header)
    }
}

/// Each row's number in its table's file, counting from 1, by table. A census read from part of
/// the files (the rows of some children only) keeps them, so that what is said about a row names
/// the file's row; a row without one is numbered by its place in the census.
#[derive(Debug, Clone, Default)]
pub struct RowNumbers([Vec<usize>; 12]);

impl RowNumbers {
    /// Numbers the next row of `table`.
    pub fn push(&mut self, table: Table, number: usize) {
        self.0[table as usize].push(number);
    }

    pub fn number(&self, table: Table, at: usize) -> usize {
        self.0[table as usize].get(at).copied().unwrap_or(at + 1)
    }
}

/// A row a rule found something in: its table and its place there, counting from 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct At {
    pub table: Table,
    pub row: usize,
}

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} row {}", self.table.name(), self.row + 1)
    }
}

/// A row of one child's, with its place in its table.
pub struct Row<'a, T> {
    /// Where the row is in the census's table, counting from 0.
    pub at: usize,
    /// The row's number in its file, counting from 1: what a person is told.
    pub number: usize,
    pub row: &'a T,
}

impl<T> Clone for Row<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Row<'_, T> {}

impl<T> std::ops::Deref for Row<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.row
    }
}

/// Calls `$then!` with each of a census's and a care record's fields and its table.
macro_rules! with_tables {
    ($then:ident) => {
        $then!(header: Header, episodes: Episodes, reviews: Reviews, uasc: Uasc, oc2: Oc2, oc3: Oc3, ad1: Ad1,
            placed_adoption: PlacedAdoption, prev_perm: PrevPerm, missing: Missing, sw_episodes: SwEpisodes,
            dolo: Dolo)
    };
}

/// Everything a return says about one child.
pub struct CareRecord<'a> {
    pub child: &'a str,
    pub header: Vec<Row<'a, HeaderRow>>,
    /// By start date, episodes without one last, then in file order.
    pub episodes: Vec<Row<'a, EpisodeRow>>,
    pub reviews: Vec<Row<'a, ReviewRow>>,
    pub uasc: Vec<Row<'a, UascRow>>,
    pub oc2: Vec<Row<'a, Oc2Row>>,
    pub oc3: Vec<Row<'a, Oc3Row>>,
    pub ad1: Vec<Row<'a, Ad1Row>>,
    pub placed_adoption: Vec<Row<'a, PlacedAdoptionRow>>,
    pub prev_perm: Vec<Row<'a, PrevPermRow>>,
    pub missing: Vec<Row<'a, MissingRow>>,
    pub sw_episodes: Vec<Row<'a, SwEpisodeRow>>,
    pub dolo: Vec<Row<'a, DoloRow>>,
}

impl<'a> CareRecord<'a> {
    fn new(child: &'a str) -> Self {
        CareRecord {
            child,
            header: vec![],
            episodes: vec![],
            reviews: vec![],
            uasc: vec![],
            oc2: vec![],
            oc3: vec![],
            ad1: vec![],
            placed_adoption: vec![],
            prev_perm: vec![],
            missing: vec![],
            sw_episodes: vec![],
            dolo: vec![],
        }
    }

    /// The child's header row (the first, if the return repeats the child).
    pub fn head(&self) -> Option<&'a HeaderRow> {
        self.header.first().map(|h| h.row)
    }

    pub fn dob(&self) -> Option<NaiveDate> {
        self.head().and_then(|h| h.dob)
    }

    /// Whether the child is in the UASC table, which in the CSV form is how a return says the child
    /// was an unaccompanied asylum-seeking child.
    pub fn is_uasc(&self) -> bool {
        !self.uasc.is_empty()
    }

    /// The latest episode by start date.
    pub fn last_episode(&self) -> Option<Row<'a, EpisodeRow>> {
        self.episodes.iter().rev().find(|e| e.decom.is_some()).copied()
    }

    pub fn first_episode(&self) -> Option<Row<'a, EpisodeRow>> {
        self.episodes.iter().find(|e| e.decom.is_some()).copied()
    }

    /// Every row of the child's, as its table, its place in the census's table and its number.
    pub fn rows(&self) -> Vec<(Table, usize, usize)> {
        let mut rows = Vec::new();
        macro_rules! list {
            ($($field:ident: $table:ident),+) => {$(
                rows.extend(self.$field.iter().map(|r| (Table::$table, r.at, r.number)));
            )+};
        }
        with_tables!(list);
        rows
    }
}

/// Gathers a return's rows by child, each child's episodes in date order.
pub fn care_records(census: &Ssda903Return) -> Vec<CareRecord<'_>> {
    care_records_numbered(census, &RowNumbers::default())
}

/// Gathers a return's rows by child, as `care_records`, each row with its number in its file.
pub fn care_records_numbered<'a>(census: &'a Ssda903Return, numbers: &RowNumbers) -> Vec<CareRecord<'a>> {
    let mut records: Vec<CareRecord> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    macro_rules! gather {
        ($($field:ident: $table:ident),+) => {$(
            for (at, row) in census.$field.iter().enumerate() {
                let child = row.child.as_deref().unwrap_or("");
                let i = *index.entry(child).or_insert_with(|| {
                    records.push(CareRecord::new(child));
                    records.len() - 1
                });
                records[i].$field.push(Row { at, number: numbers.number(Table::$table, at), row });
            }
        )+};
    }
    with_tables!(gather);
    for r in &mut records {
        r.episodes.sort_by_key(|e| (e.decom.is_none(), e.decom, e.at));
    }
    records
}

/// What Ofsted's lists say about a provider, by its URN.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Provider {
    pub urn: String,
    /// The placement types (PLACE) it may be used for.
    pub place_codes: Vec<String>,
    /// The provider types (PLACE_PROVIDER) it is.
    pub provider_codes: Vec<String>,
    /// When its registration ended, if it has.
    pub registration_ended: Option<NaiveDate>,
    /// Its postcode, without spaces.
    pub postcode: Option<String>,
    /// The local authority its postcode lies in.
    pub local_authority: Option<String>,
}

/// Ofsted's children's homes and social care providers, by URN.
#[derive(Debug, Clone, Default)]
pub struct Providers(pub HashMap<String, Provider>);

/// Where a postcode is: its upper-tier local authority (or SCO, WAL or NIR) and its grid reference.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    pub local_authority: String,
    pub easting: f64,
    pub northing: f64,
}

/// The postcode directory, by postcode without spaces in upper case.
#[derive(Debug, Clone, Default)]
pub struct Postcodes(pub HashMap<String, Located>);

impl Postcodes {
    pub fn find(&self, postcode: &str) -> Option<&Located> {
        let key: String = postcode.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_uppercase).collect();
        self.0.get(&key)
    }
}

/// Where a placement was, from its postcodes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placed<'a> {
    /// PL_LA: the placement's local authority, when its postcode is known.
    pub local_authority: Option<&'a str>,
    /// PL_LOCATION: inside or outside the council's own area, when the postcode is known.
    pub inside: Option<bool>,
    /// PL_DISTANCE in miles from home, to 0.1, when both postcodes are known.
    pub distance: Option<f64>,
}

/// What a return is checked with besides itself.
#[derive(Default)]
pub struct Inputs<'a> {
    /// The council's ONS code (such as E09000021), which the placement rules compare with.
    pub local_authority: Option<&'a str>,
    /// The council's return for the year before.
    pub last_year: Option<&'a Ssda903Return>,
    pub providers: Option<&'a Providers>,
    pub postcodes: Option<&'a Postcodes>,
}

/// The collection year and the inputs, as the rules see them.
pub struct Context<'a> {
    /// 1 April and 31 March of the collection year.
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub local_authority: Option<&'a str>,
    pub providers: Option<&'a Providers>,
    pub postcodes: Option<&'a Postcodes>,
    /// Last year's records by child, when last year's return is given.
    last_year: Option<HashMap<&'a str, CareRecord<'a>>>,
    /// The cells of this year's return that held a value that could not be read.
    unreadable: HashSet<(Table, usize, &'static str)>,
    /// Whether this year's header, episodes and OC3 and last year's episodes all have rows, as
    /// rule 1001 needs.
    has_rows: bool,
}

impl<'a> Context<'a> {
    pub fn new(year: CollectionYear, census: &Ssda903Return, inputs: Inputs<'a>) -> Option<Self> {
        Some(Context {
            start: year.start()?,
            end: year.reference_date()?,
            local_authority: inputs.local_authority,
            providers: inputs.providers,
            postcodes: inputs.postcodes,
            has_rows: !census.header.is_empty()
                && !census.episodes.is_empty()
                && !census.oc3.is_empty()
                && inputs.last_year.is_some_and(|l| !l.episodes.is_empty()),
            last_year: inputs.last_year.map(|last| care_records(last).into_iter().map(|r| (r.child, r)).collect()),
            unreadable: census
                .unreadable
                .iter()
                .filter_map(|u| Some((Table::named(u.table)?, u.row, u.column)))
                .collect(),
        })
    }

    /// The year taken as ending on `day` when that is sooner: for a year still in progress.
    pub fn as_at(mut self, day: NaiveDate) -> Self {
        self.end = self.end.min(day).max(self.start);
        self
    }

    /// Whether last year's return was given.
    pub fn has_last_year(&self) -> bool {
        self.last_year.is_some()
    }

    /// The child's record in last year's return: `None` when there is no return for last year,
    /// `Some(None)` when the child was not in it.
    pub fn last_year(&self, child: &str) -> Option<Option<&CareRecord<'a>>> {
        self.last_year.as_ref().map(|l| l.get(child))
    }

    /// Whether a cell held something that is not a date.
    pub fn unreadable(&self, table: Table, row: usize, column: &'static str) -> bool {
        self.unreadable.contains(&(table, row, column))
    }

    /// The same collection year, one year back.
    pub fn last_start(&self) -> NaiveDate {
        years_before(self.start, 1)
    }

    pub fn last_end(&self) -> NaiveDate {
        years_before(self.end, 1)
    }

    /// Where an episode's placement was, from the postcode directory, or `None` without one.
    pub fn placed(&self, e: &EpisodeRow) -> Option<Placed<'_>> {
        let postcodes = self.postcodes?;
        let place = e.pl_post.as_deref().and_then(|p| postcodes.find(p));
        let home = e.home_post.as_deref().and_then(|p| postcodes.find(p));
        let local_authority = place.map(|p| p.local_authority.as_str());
        let distance = match (home, place) {
            (Some(h), Some(p)) => {
                let metres = ((h.easting - p.easting).powi(2) + (h.northing - p.northing).powi(2)).sqrt();
                Some((metres / 1000.0 / 1.6093 * 10.0).round() / 10.0)
            }
            _ => None,
        };
        let inside = local_authority.map(|la| Some(la) == self.local_authority);
        Some(Placed { local_authority, inside, distance })
    }

    /// Whether the child was looked after continuously through the year, as the DfE defines it
    /// for the OC2 cohort: in care during the year, and no episode that starts care during it,
    /// ends care before its last day, or is a short break (V3 or V4).
    pub fn looked_after_all_year(&self, c: &CareRecord) -> bool {
        let during = |e: &EpisodeRow| le(e.decom, Some(self.end)) && (e.dec.is_none() || ge(e.dec, Some(self.start)));
        let breaks = |e: &EpisodeRow| {
            let enters = is(&e.rne, &["S"]) && gt(e.decom, Some(self.start)) && le(e.decom, Some(self.end));
            let leaves = !is(&e.rec, &["X1"]) && ge(e.dec, Some(self.start)) && lt(e.dec, Some(self.end));
            enters || leaves || (is(&e.ls, SHORT_BREAKS) && during(e))
        };
        c.episodes.iter().any(|e| during(e)) && !c.episodes.iter().any(|e| breaks(e))
    }
}

type ChildCheck = fn(&CareRecord, &Context, &mut Vec<At>);
/// A whole-return rule gives the rows it found by the child's place among the records.
type ReturnCheck = fn(&[CareRecord], &Context, &mut Vec<(usize, At)>);

pub enum Check {
    Child(ChildCheck),
    Return(ReturnCheck),
}

pub struct Rule {
    pub code: &'static str,
    pub message: &'static str,
    /// The 903 fields the rule is about.
    pub fields: &'static [&'static str],
    pub check: Check,
}

impl Rule {
    /// The 903's queries are warnings the DfE asks to be explained; the rest must be fixed. The
    /// DfE marks them in the code: a trailing Q (none this year) or an EPI/NoE prompt.
    pub fn severity(&self) -> Severity {
        if self.code.ends_with('Q') || matches!(self.code, "EPI" | "NoE") {
            Severity::Query
        } else {
            Severity::Error
        }
    }

    /// Whether the rule looks at one child at a time (and so can be run on a save).
    pub fn is_per_child(&self) -> bool {
        matches!(self.check, Check::Child(_))
    }
}

const fn rule(code: &'static str, message: &'static str, fields: &'static [&'static str], check: ChildCheck) -> Rule {
    Rule { code, message, fields, check: Check::Child(check) }
}

/// The rules of the collection year, or `None` when Canopy has none for it.
pub fn ruleset(year: CollectionYear) -> Option<Vec<&'static Rule>> {
    let lac2025_26 = || {
        header::RULES
            .iter()
            .chain(episodes::RULES)
            .chain(placements::RULES)
            .chain(adoption::RULES)
            .chain(outcomes::RULES)
            .chain(leavers::RULES)
            .chain(social_workers::RULES)
            .chain(integrity::RULES)
            .chain(integrity::RETURN_RULES)
    };
    match year.0 {
        2026 => Some(lac2025_26().collect()),
        // lac2026_27 keeps every rule of lac2025_26 and adds those of the new DoLo table.
        2027 => Some(lac2025_26().chain(dolo::RULES).collect()),
        _ => None,
    }
}

/// Runs the per-child rules on one child's record.
pub fn check_child(rules: &[&Rule], record: &CareRecord, cx: &Context) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut places = Vec::new();
    for rule in rules {
        if let Check::Child(check) = rule.check {
            check(record, cx, &mut places);
            places.sort();
            places.dedup();
            findings.extend(places.drain(..).map(|at| finding(rule, record, at)));
        }
    }
    findings
}

fn finding(rule: &Rule, record: &CareRecord, at: At) -> Finding {
    Finding {
        rule: rule.code,
        child: (!record.child.is_empty()).then(|| record.child.to_string()),
        fields: rule.fields.to_vec(),
        at: at.to_string(),
    }
}

/// Runs the rules on a whole return; the children are shared among the machine's cores.
pub fn check_return(rules: &[&Rule], census: &Ssda903Return, cx: &Context) -> Vec<Finding> {
    let records = care_records(census);
    let mut findings: Vec<Finding> =
        map_on_cores(&records, |r| check_child(rules, r, cx)).into_iter().flatten().collect();
    let mut places = Vec::new();
    for rule in rules {
        if let Check::Return(check) = rule.check {
            check(&records, cx, &mut places);
            places.sort();
            places.dedup();
            findings.extend(places.drain(..).map(|(i, at)| finding(rule, &records[i], at)));
        }
    }
    findings
}

/// A code that is given but is not one of `codes`.
fn not_in(value: &Option<String>, codes: &[&str]) -> bool {
    value.as_deref().is_some_and(|v| !codes.contains(&v))
}

fn years_after(day: NaiveDate, years: u32) -> NaiveDate {
    day.checked_add_months(Months::new(12 * years)).unwrap_or(day)
}

fn years_before(day: NaiveDate, years: u32) -> NaiveDate {
    day.checked_sub_months(Months::new(12 * years)).unwrap_or(day)
}

/// The day a child born on `dob` turns `years`.
fn birthday(dob: Option<NaiveDate>, years: u32) -> Option<NaiveDate> {
    dob.map(|d| years_after(d, years))
}

/// Whether an OC3 row gives any care leaver information.
fn any_oc3(o: &Oc3Row) -> bool {
    o.in_touch.is_some() || o.activ.is_some() || o.accom.is_some()
}

/// Whether an AD1 row gives any adoption information.
fn any_ad1(a: &Ad1Row) -> bool {
    a.date_int.is_some()
        || a.date_match.is_some()
        || a.foster_care.is_some()
        || a.nb_adoptr.is_some()
        || a.sex_adoptr.is_some()
        || a.ls_adoptr.is_some()
}

/// A date cell that holds something, whether or not it reads as a date.
fn given(x: &Context, table: Table, row: usize, column: &'static str, value: Option<NaiveDate>) -> bool {
    value.is_some() || x.unreadable(table, row, column)
}

/// Flags each of `rows` that `bad` holds for.
fn each<T>(rows: &[Row<T>], table: Table, out: &mut Vec<At>, bad: impl Fn(&T) -> bool) {
    out.extend(rows.iter().filter(|r| bad(r.row)).map(|r| At { table, row: r.at }));
}

fn at<T>(table: Table, row: &Row<T>) -> At {
    At { table, row: row.at }
}

/// Short breaks: the legal statuses of respite care.
const SHORT_BREAKS: &[&str] = &["V3", "V4"];
/// Ceased by adoption.
const ADOPTED: &[&str] = &["E11", "E12"];
/// Placed for adoption.
const ADOPTION_PLACEMENTS: &[&str] = &["A3", "A4", "A5", "A6"];
