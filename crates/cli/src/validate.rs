//! `canopy validate`: checks a statutory return file against the DfE's rules, whoever wrote it.

use canopy_domain::calendar::WorkingCalendar;
use canopy_domain::returns::cin::rules::{check_return, ruleset, Period, Rule};
use canopy_domain::returns::cin::CinReturn;
use canopy_domain::returns::ssda903::rules as lac;
use canopy_domain::returns::ssda903::Ssda903Return;
use canopy_domain::returns::{CollectionYear, Finding, Severity};
use canopy_interop::cin_xml::read_cin_all;
use canopy_interop::report::{report_csv, ReportLine};
use canopy_interop::ssda903_csv::read_903_dir;
use canopy_interop::ssda903_inputs::{read_postcodes, read_providers};
use std::collections::BTreeMap;
use std::io::BufReader;
use std::path::{Path, PathBuf};

/// A value a file held that could not be read: the child, where, the field, and what it was.
pub struct UnreadableValue {
    pub child: String,
    pub at: String,
    pub field: String,
    pub value: String,
}

/// What a rule's code says of it, for reports: its severity and message.
type Describe<'a> = &'a dyn Fn(&str) -> Option<(Severity, &'static str)>;

fn count(findings: &[Finding], describe: Describe, severity: Severity) -> usize {
    findings.iter().filter(|f| describe(f.rule).is_some_and(|(s, _)| s == severity)).count()
}

/// The report as CSV: every finding, then every unreadable value.
fn report(findings: &[Finding], describe: Describe, unreadable: &[UnreadableValue]) -> String {
    let messages: Vec<String> = unreadable.iter().map(|u| format!("'{}' cannot be read", u.value)).collect();
    let lines = findings.iter().map(|f| {
        let rule = describe(f.rule);
        ReportLine {
            rule: f.rule,
            severity: rule.map(|(s, _)| s.label()).unwrap_or("Error"),
            child: f.child.as_deref().unwrap_or(""),
            at: &f.at,
            fields: f.fields.join(" "),
            message: rule.map(|(_, m)| m.trim()).unwrap_or(""),
        }
    });
    let unreadable_lines = unreadable.iter().zip(&messages).map(|(u, message)| ReportLine {
        rule: "unreadable",
        severity: "Error",
        child: &u.child,
        at: &u.at,
        fields: u.field.clone(),
        message,
    });
    report_csv(lines.chain(unreadable_lines))
}

/// Each finding, each unreadable value, then the count by rule.
fn listing(findings: &[Finding], describe: Describe, unreadable: &[UnreadableValue]) -> String {
    let mut out = String::new();
    for f in findings {
        let (severity, message) = describe(f.rule).map(|(s, m)| (s.label(), m.trim())).unwrap_or(("", ""));
        out.push_str(&format!(
            "{:<9} {:<5} {:<20} {:<40} {}: {message}\n",
            f.rule,
            severity,
            f.child.as_deref().unwrap_or("(whole return)"),
            f.at,
            f.fields.join(", ")
        ));
    }
    for u in unreadable {
        out.push_str(&format!("{}: {}: {} '{}' cannot be read\n", u.at, u.child, u.field, u.value));
    }
    let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for f in findings {
        *by_rule.entry(f.rule).or_default() += 1;
    }
    if !by_rule.is_empty() {
        out.push_str("By rule:\n");
        for (code, n) in by_rule {
            out.push_str(&format!("  {code:<9} {n}\n"));
        }
    }
    out
}

/// A checked CIN census file.
pub struct CinValidation {
    pub census: CinReturn,
    pub year: CollectionYear,
    pub rules: Vec<&'static Rule>,
    pub findings: Vec<Finding>,
}

impl CinValidation {
    fn describe(&self) -> impl Fn(&str) -> Option<(Severity, &'static str)> + '_ {
        |code| self.rules.iter().find(|r| r.code == code).map(|r| (r.severity(), r.message))
    }

    pub fn count(&self, severity: Severity) -> usize {
        count(&self.findings, &self.describe(), severity)
    }

    /// Values the file held that could not be read, with the child they belong to.
    pub fn unreadable(&self) -> Vec<UnreadableValue> {
        self.census
            .children
            .iter()
            .flat_map(|c| {
                c.unreadable.iter().map(move |u| UnreadableValue {
                    child: c.la_child_id.clone().unwrap_or_else(|| "(no LAchildID)".into()),
                    at: format!("line {}", u.line),
                    field: u.element.clone(),
                    value: u.value.clone(),
                })
            })
            .collect()
    }

    /// The report as CSV: every finding, then every unreadable value.
    pub fn report_csv(&self) -> String {
        report(&self.findings, &self.describe(), &self.unreadable())
    }

    /// A summary for the terminal: the counts, each finding, then the count by rule.
    pub fn summary(&self) -> String {
        let unreadable = self.unreadable();
        format!(
            "{} children, collection year ending 31 March {} ({} rules): {} errors, {} queries, {} unreadable values\n{}",
            self.census.children.len(),
            self.year.0,
            self.rules.len(),
            self.count(Severity::Error),
            self.count(Severity::Query),
            unreadable.len(),
            listing(&self.findings, &self.describe(), &unreadable)
        )
    }
}

/// Reads and checks a CIN census file. The collection year is the one whose reference date
/// the header gives, unless `year` says otherwise.
pub fn cin_file(path: &Path, year: Option<i32>) -> Result<CinValidation, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let census = read_cin_all(BufReader::new(file)).map_err(|e| format!("{}: {e}", path.display()))?;
    cin_return(census, year)
}

/// Checks a CIN census already read.
pub fn cin_return(census: CinReturn, year: Option<i32>) -> Result<CinValidation, String> {
    let year = match year {
        Some(y) => CollectionYear::new(y)?,
        None => census.header.reference_date.and_then(CollectionYear::ending).ok_or_else(|| {
            "the header has no ReferenceDate of a collection year Canopy knows: give the year with --year".to_string()
        })?,
    };
    let rules = ruleset(year).ok_or_else(|| format!("there are no CIN rules for {}", year.0))?;
    let calendar = WorkingCalendar::england_and_wales();
    let period = Period::of(year, &calendar).ok_or_else(|| format!("{} has no census period", year.0))?;
    let mut findings = check_return(&rules, &census, &period);
    sort(&mut findings);
    Ok(CinValidation { census, year, rules, findings })
}

fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| (&a.child, a.rule, &a.at).cmp(&(&b.child, b.rule, &b.at)));
}

/// What an SSDA903 is checked with besides its own tables.
#[derive(Default, Clone)]
pub struct Ssda903Inputs {
    /// The council's ONS code, such as E09000021.
    pub local_authority: Option<String>,
    /// A directory of last year's 903 files.
    pub last_year: Option<PathBuf>,
    /// Ofsted's provider lists saved as CSV.
    pub providers: Vec<PathBuf>,
    /// The ONS postcode directory as CSV.
    pub postcodes: Option<PathBuf>,
}

/// A checked SSDA903.
pub struct Ssda903Validation {
    pub census: Ssda903Return,
    pub year: CollectionYear,
    pub rules: Vec<&'static lac::Rule>,
    pub findings: Vec<Finding>,
    /// Each value that could not be read, with its file line.
    pub unreadable: Vec<UnreadableValue>,
    /// The tables no file was found for, checked as empty.
    pub missing_tables: Vec<&'static str>,
    /// The inputs the rules had: which rules that need them could run.
    pub with: Vec<&'static str>,
}

impl Ssda903Validation {
    fn describe(&self) -> impl Fn(&str) -> Option<(Severity, &'static str)> + '_ {
        |code| self.rules.iter().find(|r| r.code == code).map(|r| (r.severity(), r.message))
    }

    pub fn count(&self, severity: Severity) -> usize {
        count(&self.findings, &self.describe(), severity)
    }

    pub fn report_csv(&self) -> String {
        report(&self.findings, &self.describe(), &self.unreadable)
    }

    pub fn summary(&self) -> String {
        let mut out = format!(
            "{} children and {} episodes, collection year ending 31 March {} ({} rules): {} errors, {} queries, {} unreadable values\n",
            self.census.header.len(),
            self.census.episodes.len(),
            self.year.0,
            self.rules.len(),
            self.count(Severity::Error),
            self.count(Severity::Query),
            self.unreadable.len()
        );
        if !self.missing_tables.is_empty() {
            out.push_str(&format!("No file for {}: checked as empty.\n", self.missing_tables.join(", ")));
        }
        let without: Vec<&str> =
            ["last year's return", "Ofsted's provider lists", "the postcode directory", "the council's ONS code"]
                .into_iter()
                .filter(|w| !self.with.contains(w))
                .collect();
        if !without.is_empty() {
            out.push_str(&format!("Rules that need {} were not run.\n", without.join(", ")));
        }
        out.push_str(&listing(&self.findings, &self.describe(), &self.unreadable));
        out
    }
}

fn read_dir(dir: &Path) -> Result<canopy_interop::ssda903_csv::Read903, String> {
    read_903_dir(dir).map_err(|e| e.to_string())
}

fn open(path: &Path) -> Result<BufReader<std::fs::File>, String> {
    std::fs::File::open(path).map(BufReader::new).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// Reads and checks a directory of 903 files for a collection year.
pub fn ssda903_dir(dir: &Path, year: i32, inputs: &Ssda903Inputs) -> Result<Ssda903Validation, String> {
    let read = read_dir(dir)?;
    let last = inputs.last_year.as_deref().map(read_dir).transpose()?;
    let postcodes = match &inputs.postcodes {
        Some(p) => Some(read_postcodes(open(p)?, &p.display().to_string()).map_err(|e| e.to_string())?),
        None => None,
    };
    let providers = if inputs.providers.is_empty() {
        None
    } else {
        let mut all = lac::Providers::default();
        for p in &inputs.providers {
            read_providers(open(p)?, &p.display().to_string(), postcodes.as_ref(), &mut all)
                .map_err(|e| e.to_string())?;
        }
        Some(all)
    };
    let mut with = Vec::new();
    for (given, name) in [
        (last.is_some(), "last year's return"),
        (providers.is_some(), "Ofsted's provider lists"),
        (postcodes.is_some(), "the postcode directory"),
        (inputs.local_authority.is_some(), "the council's ONS code"),
    ] {
        if given {
            with.push(name);
        }
    }
    let lac_inputs = lac::Inputs {
        local_authority: inputs.local_authority.as_deref(),
        last_year: last.as_ref().map(|l| &l.census),
        providers: providers.as_ref(),
        postcodes: postcodes.as_ref(),
    };
    let mut checked = ssda903_return(read.census, year, lac_inputs)?;
    checked.missing_tables = Ssda903Return::default()
        .tables()
        .iter()
        .map(|t| t.name)
        .filter(|name| !read.files.iter().any(|(t, _)| t == name))
        .collect();
    checked.with = with;
    checked.unreadable = read
        .unreadable
        .iter()
        .map(|(table, line, u)| UnreadableValue {
            child: String::new(),
            at: format!("{table} line {line}"),
            field: u.column.to_string(),
            value: u.value.clone(),
        })
        .collect();
    Ok(checked)
}

/// Checks an SSDA903 already read.
pub fn ssda903_return(census: Ssda903Return, year: i32, inputs: lac::Inputs) -> Result<Ssda903Validation, String> {
    let year = CollectionYear::new(year)?;
    let rules = lac::ruleset(year).ok_or_else(|| format!("there are no SSDA903 rules for {}", year.0))?;
    let cx = lac::Context::new(year, &census, inputs).ok_or_else(|| format!("{} has no collection period", year.0))?;
    let mut findings = lac::check_return(&rules, &census, &cx);
    sort(&mut findings);
    Ok(Ssda903Validation { census, year, rules, findings, unreadable: vec![], missing_tables: vec![], with: vec![] })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sector_validators::{cin_findings, python};
    use canopy_domain::returns::cin::CinChild;
    use canopy_interop::cin_xml::write_cin;
    use chrono::NaiveDate;
    use std::collections::{BTreeSet, HashSet};

    /// Rules where the sector's validator does not do what its message says, so the two are
    /// not compared: it reads a list of factors as one value (8869, 8945Q, 8950Q), parses the
    /// conference target as DD-MM-YYYY (8870Q), counts open plans and overlaps by their place
    /// in the episode (8935, 8940), and checks plan ends after closure against a fixed test
    /// table (8565).
    const READ_DIFFERENTLY: &[&str] = &["8869", "8945Q", "8950Q", "8870Q", "8935", "8940", "8565"];

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn write(census: &CinReturn, name: &str) -> std::path::PathBuf {
        let path = std::env::temp_dir().join(format!("canopy-{name}-{}.xml", std::process::id()));
        write_cin(census, std::fs::File::create(&path).expect("create")).expect("write");
        path
    }

    /// A child not yet faulted that has what the fault needs.
    fn pick<'a>(
        census: &'a mut CinReturn,
        used: &mut HashSet<usize>,
        has: impl Fn(&CinChild) -> bool,
    ) -> &'a mut CinChild {
        let i = (0..census.children.len()).find(|i| !used.contains(i) && has(&census.children[*i])).expect("a child");
        used.insert(i);
        &mut census.children[i]
    }

    fn by_rule(findings: impl Iterator<Item = (String, Option<String>)>) -> BTreeSet<(String, Option<String>)> {
        findings.filter(|(rule, _)| !READ_DIFFERENTLY.contains(&rule.as_str())).collect()
    }

    #[tokio::test]
    async fn the_demo_census_passes_the_sector_validator_and_faults_are_found_alike() {
        let Some(python) = python() else { return };
        let (db, _) = crate::demo_children::demo_for_tests(600).await;
        for council in ["314", "318", "868"] {
            let census = crate::export::cin(&db.store, council, 2026, "2026-04-02T09:00:00").await.expect("census");
            assert!(census.children.len() > 20, "council {council} has children in need");
            let file = write(&census, &format!("cin-{council}"));
            let theirs = cin_findings(&python, &file);
            assert!(theirs.rules_failed_to_run.is_empty(), "{:?}", theirs.rules_failed_to_run);
            assert!(theirs.findings.is_empty() && theirs.la_level.is_empty(), "council {council}: {theirs:?}");
            let ours = cin_return(census, None).expect("checked");
            assert!(ours.findings.is_empty(), "council {council}: {:?}", ours.findings);
            let _ = std::fs::remove_file(file);
        }

        let mut census = crate::export::cin(&db.store, "314", 2026, "2026-04-02T09:00:00").await.expect("census");
        let mut used = HashSet::new();
        pick(&mut census, &mut used, |_| true).sex = Some("X".into());
        pick(&mut census, &mut used, |_| true).ethnicity = Some("XXXX".into());
        pick(&mut census, &mut used, |_| true).details[0].referral_source = Some("99".into());
        pick(&mut census, &mut used, |_| true).details[0].primary_need = Some("N12".into());
        pick(&mut census, &mut used, |_| true).disabilities = vec!["MOB".into(), "MOB".into()];
        pick(&mut census, &mut used, |_| true).birth_date = Some(d(2026, 5, 1));
        let c = pick(&mut census, &mut used, |c| c.birth_date.is_some());
        c.expected_birth_date = c.birth_date;
        let c = pick(&mut census, &mut used, |c| c.upn.is_some());
        let upn = c.upn.clone().unwrap_or_default();
        c.upn = Some(format!("{}{}", if upn.starts_with('Z') { 'Y' } else { 'Z' }, &upn[1..]));
        let c = pick(&mut census, &mut used, |c| c.details.iter().any(|d| !d.cp_plans.is_empty()));
        let plan = c.details.iter_mut().flat_map(|d| d.cp_plans.iter_mut()).next().expect("plan");
        plan.end = plan.start.map(|s| s - chrono::Duration::days(3));
        let c = pick(&mut census, &mut used, |c| {
            c.details.iter().any(|d| d.assessments.iter().any(|a| a.authorised.is_some()))
        });
        let a =
            c.details.iter_mut().flat_map(|d| d.assessments.iter_mut()).find(|a| a.authorised.is_some()).expect("a");
        a.start = a.authorised.map(|s| s + chrono::Duration::days(2));
        let c = pick(&mut census, &mut used, |c| c.details.iter().any(|d| d.closure_date.is_some()));
        c.details.iter_mut().find(|d| d.closure_date.is_some()).expect("closed").reason_for_closure = None;
        let c = pick(&mut census, &mut used, |c| c.details.iter().any(|d| !d.cin_plans.is_empty()));
        let plan = c.details.iter_mut().flat_map(|d| d.cin_plans.iter_mut()).next().expect("plan");
        plan.end = plan.start.map(|s| s - chrono::Duration::days(1));
        let c = pick(&mut census, &mut used, |c| {
            c.details.iter().any(|d| d.section47s.iter().any(|s| s.date_of_initial_cpc.is_some()))
        });
        let s = c
            .details
            .iter_mut()
            .flat_map(|d| d.section47s.iter_mut())
            .find(|s| s.date_of_initial_cpc.is_some())
            .expect("s47");
        s.date_of_initial_cpc = Some(d(2025, 11, 15));
        assert_eq!(used.len(), 13, "every fault has its own child");

        let file = write(&census, "cin-faults");
        let theirs = cin_findings(&python, &file);
        let _ = std::fs::remove_file(file);
        let ours = cin_return(census, None).expect("checked");
        let their_pairs = by_rule(theirs.findings.into_iter().chain(theirs.la_level.into_iter().map(|r| (r, None))));
        let our_pairs = by_rule(ours.findings.iter().map(|f| (f.rule.to_string(), f.child.clone())));
        for expected in
            ["4180", "4220", "8866", "8650", "8794", "8520", "8525Q", "1510", "8925", "8608", "8805", "4011", "8875"]
        {
            assert!(our_pairs.iter().any(|(r, _)| r == expected), "Canopy did not find the {expected} fault");
        }
        let only_theirs: Vec<_> = their_pairs.difference(&our_pairs).collect();
        let only_ours: Vec<_> = our_pairs.difference(&their_pairs).collect();
        assert!(
            only_theirs.is_empty() && only_ours.is_empty(),
            "only the sector's: {only_theirs:?}; only Canopy's: {only_ours:?}"
        );
        db.cleanup().await;
    }

    /// Where the sector's 903 validator is wrong, so its findings are not compared: SW12STG2
    /// flags every child whose open episode did not start their care, 584 matches its rows by
    /// their place in a merged table rather than in the file, and 231 and 233 do not run.
    const NOT_COMPARED_903: &[&str] = &["SW12STG2", "584", "231", "233"];

    /// A small deterministic generator, so the faults are the same on every run.
    struct Faults(u64);

    impl Faults {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n.max(1) as u64) as usize
        }
    }

    /// Copies a directory of 903 files with `n` faults: cells blanked, swapped for another row's
    /// value in the same column, dates moved or made unreadable, and rows repeated or dropped.
    fn with_faults(from: &Path, to: &Path, seed: u64, n: usize) {
        let mut tables: Vec<(PathBuf, Vec<Vec<String>>)> = std::fs::read_dir(from)
            .expect("dir")
            .map(|e| e.expect("entry").path())
            .map(|p| {
                let text = std::fs::read_to_string(&p).expect("read");
                let rows = text.lines().map(|l| l.split(',').map(String::from).collect()).collect();
                (p, rows)
            })
            .collect();
        tables.sort();
        let mut rng = Faults(seed);
        for _ in 0..n {
            let with_rows: Vec<usize> = (0..tables.len()).filter(|t| tables[*t].1.len() > 1).collect();
            let rows = &mut tables[with_rows[rng.below(with_rows.len())]].1;
            let row = 1 + rng.below(rows.len() - 1);
            match rng.below(20) {
                0 => {
                    let copy = rows[row].clone();
                    rows.insert(row, copy);
                }
                1 => {
                    rows.remove(row);
                }
                _ => {
                    let column = 1 + rng.below(rows[0].len() - 1);
                    let cell = rows[row][column].clone();
                    let new = match (canopy_domain::returns::ssda903::parse_date(&cell), rng.below(10)) {
                        (_, 0 | 1) => String::new(),
                        (Some(_), 2) => "31/02/2025".into(),
                        (Some(date), _) => {
                            let days = [1, 2, 3, 7, 8, 20, 30, 100, 365, 400, 3650][rng.below(11)];
                            let moved = if rng.below(2) == 0 {
                                date + chrono::Duration::days(days)
                            } else {
                                date - chrono::Duration::days(days)
                            };
                            canopy_domain::returns::ssda903::format_date(moved)
                        }
                        (None, _) => rows[1 + rng.below(rows.len() - 1)][column].clone(),
                    };
                    rows[row][column] = new;
                }
            }
        }
        std::fs::create_dir_all(to).expect("dir");
        for (path, rows) in tables {
            let text: String = rows.iter().map(|r| format!("{}\r\n", r.join(","))).collect();
            std::fs::write(to.join(path.file_name().expect("name")), text).expect("write");
        }
    }

    fn pairs_903(findings: impl Iterator<Item = (String, String)>, failed: &[String]) -> BTreeSet<(String, String)> {
        findings.filter(|(rule, _)| !NOT_COMPARED_903.contains(&rule.as_str()) && !failed.contains(rule)).collect()
    }

    #[tokio::test]
    async fn the_demo_903_has_no_findings_and_faults_are_found_as_the_sector_validator_finds_them() {
        let Some(python) = python() else { return };
        let (db, today) = crate::demo_children::demo_for_tests(600).await;
        crate::demo_care::ensure(&db.store, today).await.expect("care");
        crate::demo_workforce::ensure(&db.store, today).await.expect("workforce");
        let base = std::env::temp_dir().join(format!("canopy-903-check-{}", std::process::id()));
        let mut agreed: BTreeSet<String> = BTreeSet::new();
        for (la, ons) in [("314", "E09000021"), ("318", "E09000027"), ("868", "E06000040")] {
            let census = crate::export::ssda903(&db.store, la, 2026).await.expect("903");
            let clean = base.join(format!("{la}-clean"));
            canopy_interop::ssda903_csv::write_903(&census, &clean).expect("write");
            let postcodes = base.join(format!("{la}-postcodes.csv"));
            crate::sector_validators::postcodes_903(&python, &clean, &postcodes);
            let inputs = Ssda903Inputs {
                local_authority: Some(ons.into()),
                postcodes: Some(postcodes.clone()),
                ..Default::default()
            };
            let ours = ssda903_dir(&clean, 2026, &inputs).expect("checked");
            assert!(ours.findings.is_empty(), "council {la}: {:?}", ours.findings);

            for (seed, last_year) in [(7, None), (11, Some(clean.clone()))] {
                let faulty = base.join(format!("{la}-faults-{seed}"));
                with_faults(&clean, &faulty, seed + la.len() as u64 * 1000 + la.parse::<u64>().expect("la"), 60);
                let theirs =
                    crate::sector_validators::findings_903_with(&python, &faulty, 2026, ons, last_year.as_deref());
                let inputs = Ssda903Inputs { last_year: last_year.clone(), ..inputs.clone() };
                let ours = ssda903_dir(&faulty, 2026, &inputs).expect("checked");
                let their_pairs = pairs_903(theirs.findings.into_iter().map(|(r, _, c)| (r, c)), &theirs.failed);
                let our_pairs = pairs_903(
                    ours.findings.iter().map(|f| (f.rule.to_string(), f.child.clone().unwrap_or_default())),
                    &theirs.failed,
                );
                let only_theirs: Vec<_> = their_pairs.difference(&our_pairs).collect();
                let only_ours: Vec<_> = our_pairs.difference(&their_pairs).collect();
                assert!(
                    only_theirs.is_empty() && only_ours.is_empty(),
                    "council {la}, faults {seed}: only the sector's: {only_theirs:?}; only Canopy's: {only_ours:?}"
                );
                agreed.extend(our_pairs.into_iter().map(|(rule, _)| rule));
            }
        }
        assert!(agreed.len() >= 40, "the faults reached only {} rules: {agreed:?}", agreed.len());
        let _ = std::fs::remove_dir_all(base);
        db.cleanup().await;
    }
}
